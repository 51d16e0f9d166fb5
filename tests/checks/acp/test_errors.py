"""Error and content-type observers (acp.errors., acp.http.) against the reference server, its broken
variants, and two small servers: one whose errors are wrong in ways no fault covers, one that never errs."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from accord.outcomes import Outcome
from accord.suites.acp.checks.errors import errors_of, is_resource, is_run_stream
from accord.suites.acp.context import Exchange
from accord_fixtures.acp_reference import FAULTS

from .judging import explain, judge

AREA = ["acp.errors.", "acp.http."]
AREA_IDS = ["acp.errors.body-valid", "acp.errors.code-enum", "acp.http.json-content-type"]
MANIFEST = {"name": "odd", "description": "odd errors", "input_content_types": ["*/*"], "output_content_types": ["*/*"]}


def small_server(*, errs: bool) -> Starlette:
    """One agent, `odd`. With ``errs`` its refusals are malformed in several ways and its runs fail with
    a code outside the enum; without, it answers 200 to everything, unknown names and ids included."""

    async def ping(request: Request) -> Response:
        return PlainTextResponse("{}") if errs else JSONResponse({})

    async def list_agents(request: Request) -> Response:
        return JSONResponse({"agents": [MANIFEST]})

    async def get_agent(request: Request) -> Response:
        if request.path_params["name"] == "odd" or not errs:
            return JSONResponse(MANIFEST)
        return JSONResponse({"code": "not_found", "message": "no such agent", "data": "oops"}, status_code=404)

    async def create_run(request: Request) -> Response:
        body = await request.json()
        if errs and not isinstance(body.get("input"), list):
            return JSONResponse({"code": 422, "message": "input must be a list"}, status_code=422)
        run: dict[str, Any] = {"run_id": str(uuid.uuid4()), "agent_name": "odd", "status": "completed", "output": []}
        if errs:
            run.update(status="failed", error={"code": "agent_crashed", "message": "it broke"})
        return JSONResponse(run, status_code=202 if body.get("mode") == "async" else 200)

    async def get_run(request: Request) -> Response:
        if errs:
            return HTMLResponse("<h1>Not Found</h1>", status_code=404)
        return JSONResponse({"run_id": request.path_params["run_id"], "agent_name": "odd", "status": "completed",
                             "output": []})

    async def run_events(request: Request) -> Response:
        return HTMLResponse("<h1>Not Found</h1>", status_code=404) if errs else JSONResponse({"events": []})

    return Starlette(routes=[
        Route("/ping", ping), Route("/agents", list_agents), Route("/agents/{name}", get_agent),
        Route("/runs", create_run, methods=["POST"]), Route("/runs/{run_id}", get_run),
        Route("/runs/{run_id}/events", run_events),
    ])


odd_errors = small_server(errs=True)
never_errs = small_server(errs=False)


def target(app_name: str) -> str:
    return f"acp+asgi:{__name__}:{app_name}#odd"


# --- the reference server --------------------------------------------------------------------------------
@pytest.mark.parametrize("agent", ["echo", "failer"])
def test_reference_passes(agent):
    results = judge(AREA, agent=agent)
    assert {rid: r.outcome for rid, r in results.items()} == {rid: Outcome.PASS for rid in AREA_IDS}, explain(results)


def test_the_observers_see_run_errors_of_other_checks():
    """A failed run seen earlier in the run (the failer's, by output-types-honoured) has its Run.error judged."""
    results = judge(["acp.manifest.output-types-honoured", "acp.errors.code-enum"], agent="failer")
    assert results["acp.errors.code-enum"].outcome is Outcome.PASS, explain(results)


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_fault_fails_its_own_requirement_and_no_other_of_the_area(fault):
    results = judge(AREA, fault=fault)
    failed = {rid for rid, r in results.items() if r.outcome is Outcome.FAIL}
    assert failed == {FAULTS[fault]} & set(AREA_IDS), explain(results)
    assert not [r for r in results.values() if r.outcome is Outcome.ERROR], explain(results)


def test_error_bodies_without_code_leave_code_enum_with_nothing_to_judge():
    results = judge("acp.errors.code-enum", fault="error-body-not-error")
    assert results["acp.errors.code-enum"].outcome is Outcome.NOT_APPLICABLE, explain(results)


def test_a_code_outside_the_enum_is_only_code_enum_s_breach():
    results = judge("acp.errors.body-valid", fault="error-code-outside-enum")
    assert results["acp.errors.body-valid"].outcome is Outcome.PASS, explain(results)


# --- small servers ---------------------------------------------------------------------------------------
def test_malformed_errors_fail_with_each_breach_named():
    # output-types-honoured makes a run (failed, with a code outside the enum) before the observers look
    results = judge([*AREA, "acp.manifest.output-types-honoured"], target=target("odd_errors"))
    assert {rid: results[rid].outcome for rid in AREA_IDS} == {rid: Outcome.FAIL for rid in AREA_IDS}, explain(results)
    body_valid = results["acp.errors.body-valid"].message
    assert "GET /agents/accord-no-such-agent-0 -> HTTP 404" in body_valid and "data:" in body_valid
    assert "content type text/html" in body_valid
    assert "POST /runs -> HTTP 422" in body_valid and "code:" in body_valid
    code_enum = results["acp.errors.code-enum"].message
    assert "run.error: code 'agent_crashed'" in code_enum
    assert "422" not in code_enum  # a code that is not a string is body-valid's breach
    content = results["acp.http.json-content-type"].message
    assert "GET /ping -> HTTP 200 with content type text/plain" in content
    assert "GET /runs/" in content and "text/html" in content


def test_a_server_that_never_errs_leaves_the_error_observers_nothing_to_judge():
    results = judge(AREA, target=target("never_errs"))
    assert results["acp.errors.body-valid"].outcome is Outcome.NOT_APPLICABLE, explain(results)
    assert results["acp.errors.code-enum"].outcome is Outcome.NOT_APPLICABLE, explain(results)
    assert results["acp.http.json-content-type"].outcome is Outcome.PASS, explain(results)


# --- what the observers pick out of an exchange ----------------------------------------------------------
def exchange(method: str, path: str, status: int, received: list[Any], sent: Any = None) -> Exchange:
    return Exchange(method, f"http://127.0.0.1:1{path}", sent, status, {"content-type": "application/json"}, received)


def test_errors_are_found_in_runs_events_and_error_bodies():
    failed_run = {"run_id": "r1", "status": "failed", "error": {"code": "a", "message": "m"}}
    stream = exchange("POST", "/runs", 200, [
        {"type": "run.created", "run": {"run_id": "r1", "status": "created", "error": None}},
        {"type": "error", "error": {"code": "b", "message": "m"}},
        {"type": "run.failed", "run": failed_run},
    ], sent={"mode": "stream"})
    listed = exchange("GET", "/runs/r1/events", 200, [{"events": [{"type": "run.failed", "run": failed_run}]}])
    refused = exchange("GET", "/runs/x", 404, [{"code": "c", "message": "m"}])
    codes = [error["code"] for x in (stream, listed, refused) for _, error in errors_of(x)]
    assert codes == ["b", "a", "a", "c"]


def test_run_streams_and_resources_are_not_judged_as_json():
    assert is_run_stream(exchange("POST", "/runs", 200, [], sent={"mode": "stream"}))
    assert is_run_stream(exchange("POST", "/runs/r1", 200, [], sent={"mode": "stream", "await_resume": {}}))
    assert not is_run_stream(exchange("POST", "/runs", 422, [], sent={"mode": "stream"}))
    assert not is_run_stream(exchange("POST", "/runs", 200, [], sent={"mode": "sync"}))
    assert is_resource(exchange("GET", "/resources/abc", 200, []))
    assert not is_resource(exchange("GET", "/runs/abc", 200, []))
