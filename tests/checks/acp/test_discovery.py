"""Discovery and manifest checks (acp.ping., acp.agents., acp.manifest.) against the reference server,
its broken variants, and small servers below that each get one thing wrong that no fault covers."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from accord.outcomes import Outcome
from accord.suites.acp.checks.discovery import is_date_time, media_matches
from accord_fixtures.acp_reference import FAULTS

from .judging import explain, judge

AREA = ["acp.ping.", "acp.agents.", "acp.manifest."]
AREA_IDS = [
    "acp.ping.ok", "acp.agents.list-ok", "acp.agents.list-limit", "acp.agents.list-default-limit",
    "acp.agents.list-offset", "acp.agents.list-bounds-rejected", "acp.agents.names-unique", "acp.agents.get-ok",
    "acp.agents.unknown-not-found", "acp.agents.bad-name-rejected", "acp.manifest.name-pattern",
    "acp.manifest.required-fields", "acp.manifest.content-types", "acp.manifest.metadata-valid",
    "acp.manifest.status-bounds", "acp.manifest.output-types-honoured",
]
COLLATERAL: dict[str, set[str]] = {}
"""Requirements besides its own that a fault may also break (none today)."""


# --- small servers -------------------------------------------------------------------------------------
def manifest(name: str, **changes: Any) -> dict[str, Any]:
    base = {"name": name, "description": f"agent {name}", "input_content_types": ["text/plain"],
            "output_content_types": ["text/*"], "metadata": {"license": "MIT"}}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def agent_server(
    agents: list[dict[str, Any]],
    *,
    paging: bool = True,
    bad_name_status: int = 404,
    renamed: dict[str, str] | None = None,
    output_type: str = "text/plain",
) -> Starlette:
    """An ACP server listing ``agents``; every run completes at once with one part of ``output_type``."""

    async def ping(request: Request) -> JSONResponse:
        return JSONResponse({})

    async def list_agents(request: Request) -> JSONResponse:
        try:
            limit = int(request.query_params.get("limit", 10))
            offset = int(request.query_params.get("offset", 0))
        except ValueError:
            return JSONResponse({"code": "invalid_input", "message": "not an integer"}, status_code=422)
        if not 1 <= limit <= 1000 or offset < 0:
            return JSONResponse({"code": "invalid_input", "message": "out of range"}, status_code=422)
        return JSONResponse({"agents": agents[offset:offset + limit] if paging else agents})

    async def get_agent(request: Request) -> JSONResponse:
        name = request.path_params["name"]
        found = next((a for a in agents if a.get("name") == name), None)
        if found is None:
            status = 404 if name.startswith("accord-") else bad_name_status
            code = {404: "not_found", 422: "invalid_input"}.get(status, "server_error")
            return JSONResponse({"code": code, "message": f"no agent {name}"}, status_code=status)
        return JSONResponse({**found, "name": (renamed or {}).get(name, name)})

    async def create_run(request: Request) -> JSONResponse:
        body = await request.json()
        part = {"content_type": output_type, "content": "aGk=" if output_type != "text/plain" else "hi"}
        return JSONResponse({
            "run_id": str(uuid.uuid4()), "agent_name": body.get("agent_name"), "status": "completed",
            "output": [{"role": f"agent/{body.get('agent_name')}", "parts": [part]}],
            "created_at": "2025-01-01T00:00:00Z", "finished_at": "2025-01-01T00:00:01Z",
        })

    return Starlette(routes=[
        Route("/ping", ping), Route("/agents", list_agents), Route("/agents/{name}", get_agent),
        Route("/runs", create_run, methods=["POST"]),
    ])


GOOD_METADATA = {
    "links": [{"type": "homepage", "url": "https://example.org/agent"}],
    "created_at": "2025-03-01T10:00:00Z", "author": {"name": "A. Person", "url": "https://example.org"},
}
many = agent_server([manifest(f"agent-{n:02d}", status={"avg_run_tokens": 10, "success_rate": 99.5},
                              metadata=GOOD_METADATA) for n in range(12)])
single = agent_server([manifest("only")])
sloppy = agent_server(
    [manifest("sloppy", description=None, output_content_types=["image/*", "text"],
              metadata={"links": [{"type": "blog", "url": "https://example.org"}], "created_at": "yesterday"},
              status={"success_rate": 150})]
    + [manifest(f"filler-{n:02d}") for n in range(10)] + [manifest("filler-00")],
    paging=False, bad_name_status=500, renamed={"filler-01": "someone-else"},
)
"""Ignores paging, lists filler-00 twice, answers filler-01 with another name, 500 for bad names, and
the manifest of `sloppy` breaks every manifest requirement (its output is text/plain, it declares image/*)."""


def target(app_name: str, agent: str) -> str:
    return f"acp+asgi:{__name__}:{app_name}#{agent}"


def outcomes(results: dict) -> dict[str, Outcome]:
    return {rid: r.outcome for rid, r in results.items()}


# --- the reference server --------------------------------------------------------------------------------
def test_reference_echo_passes_everything_that_applies():
    results = judge(AREA)
    expected = {rid: Outcome.PASS for rid in AREA_IDS}
    expected["acp.agents.list-default-limit"] = Outcome.NOT_APPLICABLE  # 4 agents, default limit 10
    expected["acp.manifest.status-bounds"] = Outcome.NOT_APPLICABLE  # the manifests carry no status
    assert outcomes(results) == expected, explain(results)
    assert "no status" in results["acp.manifest.status-bounds"].message


@pytest.mark.parametrize("agent, shown", [("awaiter", "ended awaiting"), ("failer", "ended failed")])
def test_output_types_not_applicable_when_the_agent_outputs_nothing(agent, shown):
    results = judge("acp.manifest.output-types-honoured", agent=agent)
    result = results["acp.manifest.output-types-honoured"]
    assert result.outcome is Outcome.NOT_APPLICABLE, explain(results)
    assert shown in result.message


def test_output_types_pass_on_an_agent_declaring_text_plain_only():
    results = judge("acp.manifest.output-types-honoured", agent="slow")
    assert results["acp.manifest.output-types-honoured"].outcome is Outcome.PASS, explain(results)


MY_FAULTS = sorted(f for f, rid in FAULTS.items() if rid in AREA_IDS)


def test_every_fault_of_the_area_is_covered():
    assert {FAULTS[f] for f in MY_FAULTS} == {
        "acp.ping.ok", "acp.agents.list-limit", "acp.agents.list-bounds-rejected",
        "acp.agents.unknown-not-found", "acp.manifest.name-pattern",
    }


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_fault_fails_its_own_requirement_and_no_other_of_the_area(fault):
    results = judge(AREA, fault=fault)
    failed = {rid for rid, r in results.items() if r.outcome is Outcome.FAIL}
    mine = {FAULTS[fault]} & set(AREA_IDS)
    assert failed == mine | COLLATERAL.get(fault, set()), explain(results)
    assert not [r for r in results.values() if r.outcome is Outcome.ERROR], explain(results)


# --- servers that get something else wrong ---------------------------------------------------------------
SLOPPY_FAILS = {
    "acp.agents.list-default-limit": "without a limit returned 12 agents",
    "acp.agents.names-unique": "'filler-00' x2",
    "acp.agents.get-ok": "GET /agents/filler-01 -> a manifest named 'someone-else'",
    "acp.agents.bad-name-rejected": "HTTP 500",
    "acp.manifest.required-fields": "no description",
    "acp.manifest.content-types": 'output_content_types holds ["text"]',
    "acp.manifest.metadata-valid": "'yesterday' is not an RFC 3339 date-time",
    "acp.manifest.status-bounds": "150",
    "acp.manifest.output-types-honoured": "parts of type ['text/plain']",
    "acp.agents.list-limit": "GET /agents?limit=1 returned 12 agents",
}


def test_sloppy_server_fails_each_requirement_it_breaks_and_says_why():
    results = judge(list(SLOPPY_FAILS) + ["acp.manifest.name-pattern"], target=target("sloppy", "sloppy"))
    for rid, fragment in SLOPPY_FAILS.items():
        assert results[rid].outcome is Outcome.FAIL, explain(results)
        assert fragment in results[rid].message, (rid, results[rid].message)
    assert results["acp.manifest.name-pattern"].outcome is Outcome.PASS, explain(results)
    assert "links/0/type" in results["acp.manifest.metadata-valid"].message


def test_server_with_many_agents_passes_the_paging_and_optional_manifest_checks():
    ids = ["acp.agents.list-limit", "acp.agents.list-default-limit", "acp.agents.list-offset",
           "acp.agents.names-unique", "acp.manifest.status-bounds", "acp.manifest.metadata-valid",
           "acp.manifest.output-types-honoured"]
    results = judge(ids, target=target("many", "agent-03"))
    assert outcomes(results) == {rid: Outcome.PASS for rid in ids}, explain(results)


def test_single_agent_server_pages_correctly_and_limit_is_not_applicable():
    results = judge(["acp.agents.list-limit", "acp.agents.list-offset"], target=target("single", "only"))
    assert results["acp.agents.list-offset"].outcome is Outcome.PASS, explain(results)
    assert results["acp.agents.list-limit"].outcome is Outcome.NOT_APPLICABLE, explain(results)
    assert "lists 1 agent" in results["acp.agents.list-limit"].message


# --- helpers ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("declared, actual, matches", [
    ("*/*", "image/png", True), ("text/*", "text/plain", True), ("text/*", "image/png", False),
    ("text/plain", "text/plain; charset=utf-8", True), ("Text/Plain", "text/plain", True),
    ("text/plain", "text/html", False), ("text", "text/plain", False), ("image/*", "text/plain", False),
])
def test_media_ranges(declared, actual, matches):
    assert media_matches(declared, actual) is matches


@pytest.mark.parametrize("value, valid", [
    ("2025-03-01T10:00:00Z", True), ("2025-03-01T10:00:00.123+02:00", True), ("2025-03-01", False),
    ("yesterday", False), ("2025-13-01T10:00:00Z", False),
])
def test_date_times(value, valid):
    assert is_date_time(value) is valid
