"""Sanity tests over the A2A requirement catalogues (specs/a2a/<version>/requirements.toml)."""
from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from accord.catalogue import Catalogue

REPO = Path(__file__).resolve().parents[1]
A2A_SPECS = REPO / "specs" / "a2a"
SPEC_MIRROR = REPO.parent / ".mirror" / "a2aproject+A2A" / "repo"

ID_PATTERN = re.compile(r"a2a\.[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*")
LEVELS = {"MUST", "SHOULD", "MAY"}
TRANSPORTS = {"jsonrpc", "http-json", "grpc"}
SECTION_PREFIX = "specification#"

# version folder -> (count range, spec tags whose headings every anchor must exist in, spec_url, capabilities)
DRAFTS = {
    "1.0": (
        range(140, 181),
        ("v1.0.0", "v1.0.1"),
        "https://a2a-protocol.org/v1.0.0",
        {"streaming", "pushNotifications", "extendedAgentCard"},
    ),
    "0.3.0": (
        range(100, 141),
        ("v0.3.0",),
        "https://a2a-protocol.org/v0.3.0",
        {"streaming", "pushNotifications", "supportsAuthenticatedExtendedCard"},
    ),
}


def catalogue_path(version: str) -> Path:
    return A2A_SPECS / version / "requirements.toml"


@cache
def load(version: str) -> Catalogue:
    return Catalogue.load(catalogue_path(version))


def heading_slugs(markdown: str) -> set[str]:
    """GitHub-style anchors of the markdown headings, skipping fenced code; repeated slugs get -1, -2, ..."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    in_fence = False
    for line in markdown.splitlines():
        if re.match(r"\s*(```|~~~)", line):
            in_fence = not in_fence
            continue
        heading = None if in_fence else re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not heading:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


@cache
def spec_slugs(tag: str) -> set[str] | None:
    """Heading slugs of docs/specification.md at a tag of the A2A mirror; None when it cannot be read."""
    if not SPEC_MIRROR.is_dir() or shutil.which("git") is None:
        return None
    shown = subprocess.run(
        ["git", f"--git-dir={SPEC_MIRROR}", "show", f"{tag}:docs/specification.md"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return heading_slugs(shown.stdout) if shown.returncode == 0 else None


def test_heading_slugs_follow_github_rules() -> None:
    text = "\n".join(
        [
            "# Title",
            "### 3.1.1. Send Message",
            "## 11. HTTP+JSON/REST Protocol Binding",
            "#### 9.4.1. `SendMessage`",
            "```json",
            "# not a heading",
            "```",
            "## Example",
            "## Example",
        ]
    )
    assert heading_slugs(text) == {
        "title",
        "311-send-message",
        "11-httpjsonrest-protocol-binding",
        "941-sendmessage",
        "example",
        "example-1",
    }


@pytest.mark.parametrize("version", sorted(DRAFTS))
def test_catalogue_loads_with_meta(version: str) -> None:
    catalogue = load(version)
    _, _, spec_url, _ = DRAFTS[version]
    assert (catalogue.protocol, catalogue.version, catalogue.spec_url) == ("a2a", version, spec_url)
    assert catalogue.requirements[0].url.startswith(spec_url + "/" + SECTION_PREFIX)


@pytest.mark.parametrize("version", sorted(DRAFTS))
def test_ids_unique_and_well_formed(version: str) -> None:
    ids = [requirement.id for requirement in load(version)]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if not ID_PATTERN.fullmatch(i)] == []


@pytest.mark.parametrize("version", sorted(DRAFTS))
def test_levels_and_optional_keys(version: str) -> None:
    _, _, _, capabilities = DRAFTS[version]
    requirements = list(load(version))
    assert {r.level for r in requirements} == LEVELS
    assert {r.capability for r in requirements if r.capability} <= capabilities
    assert {r.transport for r in requirements if r.transport} <= TRANSPORTS
    assert all(len(r.summary) <= 300 and "\n" not in r.summary for r in requirements)
    assert sum(1 for r in requirements if r.untested) <= 0.1 * len(requirements)


@pytest.mark.parametrize("version", sorted(DRAFTS))
def test_count_within_range(version: str) -> None:
    expected, _, _, _ = DRAFTS[version]
    assert len(load(version)) in expected


@pytest.mark.parametrize("version", sorted(DRAFTS))
def test_sections_are_spec_headings(version: str) -> None:
    _, tags, _, _ = DRAFTS[version]
    sections = {r.section for r in load(version)}
    assert all(s.startswith(SECTION_PREFIX) for s in sections)
    for tag in tags:
        slugs = spec_slugs(tag)
        if slugs is None:
            pytest.skip(f"A2A specification mirror not readable at {SPEC_MIRROR} ({tag})")
        assert sorted(s for s in sections if s.removeprefix(SECTION_PREFIX) not in slugs) == [], tag


def test_shared_ids_keep_their_area() -> None:
    """Requirements present in both versions line up by id; the capability gates agree where both have one."""
    older = {r.id: r for r in load("0.3.0")}
    newer = {r.id: r for r in load("1.0")}
    shared = older.keys() & newer.keys()
    assert len(shared) >= 80
    renamed = {"supportsAuthenticatedExtendedCard": "extendedAgentCard"}
    for requirement_id in shared:
        gate = older[requirement_id].capability
        assert renamed.get(gate, gate) in (newer[requirement_id].capability, None), requirement_id
