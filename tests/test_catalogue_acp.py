"""The ACP 0.2.0 requirement catalogue (specs/acp/0.2.0/requirements.toml): loadable, levels derived from
sources, the ids the broken fixtures violate present, sections pointing at real places in the pinned docs."""

from __future__ import annotations

import hashlib
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from accord.catalogue import ALLOWED_SOURCES, Catalogue, CatalogueError, level_for_source

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "specs" / "acp" / "0.2.0" / "requirements.toml"
UPSTREAM_OPENAPI = ROOT / ".." / "shared" / "upstream" / "acp" / "0.2.0" / "openapi.yaml"
DOCS_MIRROR = ROOT / ".." / ".mirror" / "i-am-bee+acp" / "repo"

# The ids the broken reference fixtures violate (acp-brief.md); check helpers build on them.
FIXTURE_IDS = {
    "acp.ping.ok",
    "acp.agents.list-limit",
    "acp.agents.list-bounds-rejected",
    "acp.agents.unknown-not-found",
    "acp.manifest.name-pattern",
    "acp.runs.sync-final",
    "acp.runs.async-accepted",
    "acp.runs.stream-content-type",
    "acp.stream.starts-with-created",
    "acp.stream.one-closing-event",
    "acp.runs.events-replay",
    "acp.lifecycle.resume-only-awaiting",
    "acp.lifecycle.terminal-stays-terminal",
    "acp.runs.cancel-two-step",
    "acp.sessions.history-extends",
    "acp.errors.body-valid",
    "acp.errors.code-enum",
    "acp.parts.content-xor-url",
    "acp.messages.role-pattern",
    "acp.runs.invalid-request-rejected",
    "acp.runs.failed-has-error",
    "acp.messages.part-order",
}
PROPERTY_IDS = {"acp.properties.valid-run-requests", "acp.properties.invalid-run-requests"}
# Observed, not declared: "await" = a run of the agent reached awaiting; "sessions" = Runs carry a session_id.
CAPABILITIES = {"await", "sessions"}

MDX_SECTION = re.compile(r"(core-concepts|how-to|spec)/[a-z0-9-]+\.mdx(#[a-z0-9][a-z0-9-]*)?")
OPENAPI_SECTION = re.compile(r"spec/openapi\.yaml(#/[A-Za-z0-9_~{}/.-]+)?")


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    with CATALOGUE.open("rb") as handle:
        return tomllib.load(handle)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load(CATALOGUE)


def test_loads_with_the_catalogue_loader(catalogue: Catalogue) -> None:
    assert (catalogue.protocol, catalogue.version) == ("acp", "0.2.0")
    assert 60 <= len(catalogue) <= 90
    assert catalogue.spec_url == "https://github.com/i-am-bee/acp/blob/v1.0.3/docs"
    for requirement in catalogue:
        assert requirement.url == f"{catalogue.spec_url}/{requirement.section}"


def test_ids_are_unique_and_acp(raw: dict[str, Any]) -> None:
    ids = [entry["id"] for entry in raw["requirement"]]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert [i for i in ids if not i.startswith("acp.")] == []


def test_fixture_and_property_ids_are_present(catalogue: Catalogue) -> None:
    assert sorted((FIXTURE_IDS | PROPERTY_IDS) - {r.id for r in catalogue}) == []


def test_every_source_is_allowed_and_fixes_the_level(catalogue: Catalogue) -> None:
    wrong = [
        (r.id, r.source, r.level)
        for r in catalogue
        if r.source not in ALLOWED_SOURCES or r.level != level_for_source(r.source)
    ]
    assert wrong == []


def test_level_for_source_is_the_brief_rule() -> None:
    assert {source: level_for_source(source) for source in ALLOWED_SOURCES} == {
        "schema": "MUST",
        "must": "MUST",
        "lifecycle": "MUST",
        "should": "SHOULD",
        "prose": "SHOULD",
        "may": "MAY",
    }
    with pytest.raises(CatalogueError, match="unknown requirement source 'spec'"):
        level_for_source("spec")


def test_sections_look_like_doc_paths(catalogue: Catalogue) -> None:
    odd = [
        (r.id, r.section)
        for r in catalogue
        if not (MDX_SECTION.fullmatch(r.section) or OPENAPI_SECTION.fullmatch(r.section))
    ]
    assert odd == []


def test_summaries_are_one_line(catalogue: Catalogue) -> None:
    assert [r.id for r in catalogue if "\n" in r.summary or len(r.summary) > 300] == []


def test_capabilities_are_the_observable_ones(catalogue: Catalogue) -> None:
    assert {r.capability for r in catalogue if r.capability} <= CAPABILITIES
    assert all(r.capability == "await" for r in catalogue if r.id.startswith("acp.await."))
    assert all(r.capability == "sessions" for r in catalogue if r.id.startswith("acp.sessions."))


def test_untested_requirements_are_few_and_give_a_reason(catalogue: Catalogue) -> None:
    untested = [r for r in catalogue if r.untested]
    assert len(untested) <= 0.1 * len(catalogue)
    assert all(len(r.untested.split()) >= 5 for r in untested)
    assert not (FIXTURE_IDS | PROPERTY_IDS) & {r.id for r in untested}


def test_openapi_pin_matches_upstream(raw: dict[str, Any]) -> None:
    if not UPSTREAM_OPENAPI.is_file():
        pytest.skip(f"upstream ACP OpenAPI file absent ({UPSTREAM_OPENAPI})")
    assert raw["meta"]["openapi_sha256"] == hashlib.sha256(UPSTREAM_OPENAPI.read_bytes()).hexdigest()


def test_openapi_sections_resolve_in_upstream(catalogue: Catalogue) -> None:
    yaml = pytest.importorskip("yaml")
    if not UPSTREAM_OPENAPI.is_file():
        pytest.skip(f"upstream ACP OpenAPI file absent ({UPSTREAM_OPENAPI})")
    document = yaml.safe_load(UPSTREAM_OPENAPI.read_text(encoding="utf-8"))
    unresolved = []
    for requirement in catalogue:
        path, _, pointer = requirement.section.partition("#")
        if path == "spec/openapi.yaml" and pointer and _resolve(document, pointer) is None:
            unresolved.append((requirement.id, pointer))
    assert unresolved == []


def _resolve(document: Any, pointer: str) -> Any:
    node = document
    for token in pointer.lstrip("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            return None
    return node


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", f"--git-dir={DOCS_MIRROR}", *args], capture_output=True, text=True, timeout=30, check=False
    )


def _heading_anchors(markdown: str) -> set[str]:
    anchors = set()
    for line in markdown.splitlines():
        match = re.match(r"#{1,6}\s+(.*)", line)
        if match:
            slug = re.sub(r"[^a-z0-9 _-]", "", match.group(1).strip().lower())
            anchors.add(slug.replace(" ", "-"))
    return anchors


def test_docs_sections_exist_at_the_pinned_commit(raw: dict[str, Any], catalogue: Catalogue) -> None:
    if not DOCS_MIRROR.is_dir():
        pytest.skip(f"ACP docs mirror absent ({DOCS_MIRROR})")
    commit = raw["meta"]["docs_commit"]
    assert re.fullmatch(r"[0-9a-f]{40}", commit)
    assert _git("cat-file", "-e", f"{commit}^{{commit}}").returncode == 0, f"{commit} not in the mirror"
    missing = []
    for section in sorted({r.section for r in catalogue}):
        path, _, anchor = section.partition("#")
        shown = _git("show", f"{commit}:docs/{path}")
        if shown.returncode != 0:
            missing.append(section)
        elif path.endswith(".mdx") and anchor and anchor not in _heading_anchors(shown.stdout):
            missing.append(section)
    assert missing == []
