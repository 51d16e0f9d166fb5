"""Sanity tests over the requirement catalogues (specs/<protocol>/<version>/requirements.toml), data only."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

SPECS = Path(__file__).resolve().parents[1] / "specs"
MCP = SPECS / "mcp"
MCP_VERSIONS = ("2025-11-25", "2025-06-18")

LEVELS = {"MUST", "SHOULD", "MAY"}
REQUIREMENT_KEYS = {"id", "level", "section", "summary", "capability", "transport", "untested", "source"}
REQUIRED_KEYS = {"id", "level", "section", "summary"}
META_KEYS = {"protocol", "version", "spec_url"}
PIN_KEYS = {"openapi_sha256", "docs_commit"}
"""Optional: what a frozen profile (ACP 0.2.0) is pinned to."""

# Server capabilities (dotted paths in InitializeResult.capabilities) a requirement may depend on.
MCP_CAPABILITIES = {
    "tools",
    "tools.listChanged",
    "resources",
    "resources.subscribe",
    "resources.listChanged",
    "prompts",
    "prompts.listChanged",
    "completions",
    "logging",
    # 2025-11-25 tasks (experimental)
    "tasks",
    "tasks.list",
    "tasks.cancel",
    "tasks.requests.tools.call",
}
MCP_TRANSPORTS = {"http", "stdio"}

SEGMENT = r"[a-z0-9]+(?:-[a-z0-9]+)*"
DOTTED_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*")
SECTION = re.compile(r"[a-z0-9][a-z0-9_/.-]*(?:#[a-z0-9][a-z0-9_-]*|#(?:/[A-Za-z0-9_~{}.-]+)+)?")
"""A page path with an optional anchor, or a JSON pointer into an OpenAPI file."""
VERSION_DIR = re.compile(r"\d{4}-\d{2}-\d{2}|\d+\.\d+(?:\.\d+)?")

# Ids the check engineers build on; renaming one of them breaks their checks.
PINNED_IDS = {
    "mcp.jsonrpc.version-field",
    "mcp.jsonrpc.id-echoed",
    "mcp.jsonrpc.id-not-null",
    "mcp.jsonrpc.result-xor-error",
    "mcp.jsonrpc.error-code-integer",
    "mcp.jsonrpc.parse-error",
    "mcp.jsonrpc.invalid-request",
    "mcp.jsonrpc.method-not-found",
    "mcp.jsonrpc.no-response-to-notification",
    "mcp.schema.wire-valid",
    "mcp.lifecycle.initialize-result",
    "mcp.lifecycle.version-echo",
    "mcp.lifecycle.version-fallback",
    "mcp.lifecycle.server-info",
    "mcp.lifecycle.capabilities",
    "mcp.lifecycle.initialized-accepted",
    "mcp.lifecycle.state-machine",
    "mcp.ping.response",
    "mcp.tools.list",
    "mcp.tools.input-schema-object",
    "mcp.tools.unknown-tool-error",
    "mcp.tools.is-error-result",
    "mcp.tools.structured-content-valid",
    "mcp.tools.structured-content-with-text",
    "mcp.resources.list",
    "mcp.resources.read",
    "mcp.resources.templates-list",
    "mcp.resources.unknown-uri",
    "mcp.prompts.list",
    "mcp.prompts.get",
    "mcp.prompts.missing-argument",
    "mcp.completion.complete",
    "mcp.logging.set-level",
    "mcp.pagination.all-pages-reachable",
    "mcp.pagination.invalid-cursor",
    "mcp.pagination.cursor-terminates",
    "mcp.properties.valid-params",
    "mcp.properties.invalid-params-rejected",
    "mcp.http.notification-202",
    "mcp.http.session-id-issued",
    "mcp.http.session-id-required",
    "mcp.http.session-terminated-404",
    "mcp.http.protocol-version-header",
    "mcp.http.origin-forbidden",
    "mcp.http.accept-406",
    "mcp.http.json-or-sse",
    "mcp.stdio.stdout-only-jsonrpc",
    "mcp.stdio.newline-delimited",
    "mcp.stdio.stderr-tolerated",
    "mcp.stdio.exit-on-stdin-close",
}
# Pinned ids whose rule first appears in 2025-11-25.
PINNED_ONLY_IN_2025_11_25 = {"mcp.http.origin-forbidden"}


def catalogue_paths() -> list[Path]:
    return sorted(SPECS.glob("*/*/requirements.toml"))


def load(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def mcp_catalogue(version: str) -> dict[str, Any]:
    return load(MCP / version / "requirements.toml")


def problems(doc: dict[str, Any], protocol: str, version: str) -> list[str]:
    """Everything wrong with one catalogue document, as readable messages (empty when sound)."""
    found: list[str] = []
    meta = doc.get("meta")
    if not isinstance(meta, dict):
        return ["[meta] table missing"]
    if not META_KEYS <= set(meta) <= META_KEYS | PIN_KEYS:
        found.append(f"meta keys {sorted(meta)} are not {sorted(META_KEYS)} plus any of {sorted(PIN_KEYS)}")
    if meta.get("protocol") != protocol:
        found.append(f"meta.protocol {meta.get('protocol')!r} != folder {protocol!r}")
    if meta.get("version") != version:
        found.append(f"meta.version {meta.get('version')!r} != folder {version!r}")
    spec_url = meta.get("spec_url")
    if not (isinstance(spec_url, str) and spec_url.startswith("https://") and not spec_url.endswith("/")):
        found.append(f"meta.spec_url {spec_url!r} is not an https URL without trailing slash")

    requirements = doc.get("requirement")
    if not isinstance(requirements, list) or not requirements:
        return found + ["no [[requirement]] entries"]

    id_pattern = re.compile(rf"{re.escape(protocol)}\.{SEGMENT}\.{SEGMENT}")
    seen: set[str] = set()
    for index, req in enumerate(requirements):
        where = f"requirement #{index} ({req.get('id', '?')})"
        unknown = set(req) - REQUIREMENT_KEYS
        if unknown:
            found.append(f"{where}: unknown keys {sorted(unknown)}")
        missing = REQUIRED_KEYS - set(req)
        if missing:
            found.append(f"{where}: missing keys {sorted(missing)}")
        for key in REQUIREMENT_KEYS & set(req):
            if not isinstance(req[key], str) or not req[key].strip():
                found.append(f"{where}: {key} must be a non-empty string")
        req_id = req.get("id")
        if isinstance(req_id, str):
            if not id_pattern.fullmatch(req_id):
                found.append(f"{where}: id is not <protocol>.<area>.<name> in lowercase with dashes")
            if req_id in seen:
                found.append(f"{where}: duplicate id")
            seen.add(req_id)
        if req.get("level") not in LEVELS:
            found.append(f"{where}: level {req.get('level')!r} not in {sorted(LEVELS)}")
        section = req.get("section")
        if isinstance(section, str) and not SECTION.fullmatch(section):
            found.append(f"{where}: section {section!r} is not a page path with an optional #anchor")
        summary = req.get("summary")
        if isinstance(summary, str) and ("\n" in summary or len(summary) > 300):
            found.append(f"{where}: summary must be one line of at most 300 characters")
        capability = req.get("capability")
        if isinstance(capability, str):
            allowed = capability in MCP_CAPABILITIES if protocol == "mcp" else bool(DOTTED_NAME.fullmatch(capability))
            if not allowed:
                found.append(f"{where}: capability {capability!r} not allowed")
        transport = req.get("transport")
        if isinstance(transport, str) and protocol == "mcp" and transport not in MCP_TRANSPORTS:
            found.append(f"{where}: transport {transport!r} not in {sorted(MCP_TRANSPORTS)}")
    return found


def test_both_mcp_catalogues_exist() -> None:
    for version in MCP_VERSIONS:
        assert (MCP / version / "requirements.toml").is_file(), version


@pytest.mark.parametrize("path", catalogue_paths(), ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_catalogue_is_sound(path: Path) -> None:
    protocol, version = path.parent.parent.name, path.parent.name
    assert VERSION_DIR.fullmatch(version), f"unexpected version folder {version!r}"
    assert problems(load(path), protocol, version) == []


def test_checker_reports_broken_catalogue() -> None:
    broken = {
        "meta": {"protocol": "mcp", "version": "2025-06-18", "spec_url": "http://example/"},
        "requirement": [
            {"id": "mcp.jsonrpc.id-echoed", "level": "MUST", "section": "basic#responses", "summary": "ok"},
            {"id": "mcp.jsonrpc.id-echoed", "level": "must", "section": "", "summary": "two\nlines"},
            {"id": "MCP.Bad", "level": "MAY", "section": "basic", "summary": "s", "capability": "sampling"},
            {"id": "mcp.http.x", "level": "SHOULD", "section": "basic", "summary": "s",
             "transport": "websocket", "untested": " ", "note": "extra"},
            {"level": "MAY", "section": "basic"},
        ],
    }
    report = "\n".join(problems(broken, "mcp", "2025-11-25"))
    for expected in (
        "meta.version",
        "meta.spec_url",
        "duplicate id",
        "level 'must'",
        "section must be a non-empty string",
        "summary must be one line",
        "id is not <protocol>",
        "capability 'sampling'",
        "transport 'websocket'",
        "untested must be a non-empty string",
        "unknown keys ['note']",
        "missing keys ['id', 'summary']",
    ):
        assert expected in report, expected


def test_mcp_2025_11_25_is_broad() -> None:
    requirements = mcp_catalogue("2025-11-25")["requirement"]
    assert len(requirements) >= 150
    untested = [req for req in requirements if "untested" in req]
    assert len(untested) <= 0.25 * len(requirements)
    assert {req["level"] for req in requirements} == LEVELS


@pytest.mark.parametrize("version", MCP_VERSIONS)
def test_pinned_ids_present(version: str) -> None:
    ids = {req["id"] for req in mcp_catalogue(version)["requirement"]}
    expected = PINNED_IDS if version == "2025-11-25" else PINNED_IDS - PINNED_ONLY_IN_2025_11_25
    assert sorted(expected - ids) == []


def test_origin_403_is_new_in_2025_11_25() -> None:
    older = {req["id"] for req in mcp_catalogue("2025-06-18")["requirement"]}
    assert PINNED_ONLY_IN_2025_11_25.isdisjoint(older)


def test_transport_requirements_are_marked() -> None:
    for version in MCP_VERSIONS:
        for req in mcp_catalogue(version)["requirement"]:
            area = req["id"].split(".")[1]
            if area in MCP_TRANSPORTS:
                assert req.get("transport") == area, req["id"]
            if area == "auth":
                assert req.get("transport") == "http", req["id"]
