"""Lifecycle and cancel checks (acp.lifecycle.*, acp.runs.cancel-*) against the reference server, its broken
variants, and a toy server (also used by test_await, test_sessions, test_properties) whose options each
get one thing wrong that no fault covers."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accord.outcomes import Outcome
from accord.suites.acp.checks.lifecycle import (
    event_step_allowed, final_left_problem, first_status_problem, reachable, transition_problem,
)
from accord_fixtures.acp_reference import FAULTS

from .judging import explain, judge

LIFECYCLE = [
    "acp.lifecycle.starts-created", "acp.lifecycle.transitions-allowed", "acp.lifecycle.polling-forward",
    "acp.lifecycle.terminal-stays-terminal", "acp.lifecycle.cancelling-ends-cancelled",
    "acp.lifecycle.resume-only-awaiting",
]
CANCEL = ["acp.runs.cancel-accepted", "acp.runs.cancel-two-step"]
AREA_IDS = LIFECYCLE + CANCEL


# --- a toy ACP server ------------------------------------------------------------------------------------
@dataclass
class Toy:
    """One agent, ``toy``. Runs complete at once, except async ones, which stay in-progress for
    ``polls_in_progress`` GETs; a run may await first. Options make it misbehave."""

    awaits: bool = False
    polls_in_progress: int = 3
    cancel_reply: str = "cancelling"
    cancel_ends: str = "cancelled"
    skip_progress_event: bool = False
    await_request: Any = field(default_factory=lambda: {"type": "message", "message": {
        "role": "agent/toy", "parts": [{"content_type": "text/plain", "content": "and then?"}]}})
    lax_resume: bool = False
    async_resume_status: int = 202
    sessions: str = "keep"
    """keep: runs carry their session id; none: no session_id; other: a different one each time."""
    session_prefixes: tuple[str, ...] = ("/session/", "/sessions/")
    unknown_session_status: int = 404
    history_step: int = 2
    """History entries one finished run adds to its session."""
    accepts_anything: bool = False
    bad_run_for_base64: bool = False
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions_seen: dict[str, list[str]] = field(default_factory=dict)

    # --- behaviour -----------------------------------------------------------------------------------
    def emit(self, run: dict[str, Any], status: str) -> None:
        run["status"] = status
        if status == "in-progress" and self.skip_progress_event:
            return
        snapshot = {k: v for k, v in run.items() if not k.startswith("_")}
        run["_events"].append({"type": f"run.{status}", "run": json.loads(json.dumps(snapshot))})

    def finish(self, run: dict[str, Any], status: str = "completed") -> None:
        if status == "completed":
            run["output"] = [{"role": "agent/toy", "parts": [{"content_type": "text/plain", "content": "done"}]}]
        run["await_request"] = None
        run["finished_at"] = "2025-08-21T10:00:02Z"
        self.emit(run, status)
        sid = run.get("session_id")
        if sid and self.sessions == "keep":
            self.sessions_seen.setdefault(sid, []).extend(
                f"http://toy.invalid/m/{uuid.uuid4()}" for _ in range(self.history_step))

    def new_run(self, body: dict[str, Any]) -> dict[str, Any]:
        session = body.get("session") if isinstance(body.get("session"), dict) else {}
        sid = body.get("session_id") or session.get("id")
        if self.sessions == "none":
            sid = None
        elif self.sessions == "other" and sid:
            sid = str(uuid.uuid4())
        if sid:
            self.sessions_seen.setdefault(sid, [])
        run = {"run_id": str(uuid.uuid4()), "agent_name": "toy", "session_id": sid, "status": "created",
               "await_request": None, "output": [], "error": None, "created_at": "2025-08-21T10:00:00Z",
               "finished_at": None, "_events": [], "_polls": 0}
        self.runs[run["run_id"]] = run
        self.emit(run, "created")
        self.emit(run, "in-progress")
        return run

    def settle(self, run: dict[str, Any]) -> None:
        if self.awaits and not run.get("_resumed"):
            run["await_request"] = self.await_request
            self.emit(run, "awaiting")
        else:
            self.finish(run)

    # --- HTTP ----------------------------------------------------------------------------------------
    @staticmethod
    def error(status: int, code: str, message: str) -> JSONResponse:
        return JSONResponse({"code": code, "message": message}, status_code=status)

    @staticmethod
    def shown(run: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in run.items() if not k.startswith("_")}

    def reply(self, run: dict[str, Any], mode: str, start: int, async_status: int = 202) -> Response:
        if mode == "stream":
            lines = "".join(f"data: {json.dumps(e)}\n\n" for e in run["_events"][start:])
            return Response(lines, media_type="text/event-stream")
        return JSONResponse(self.shown(run), status_code=async_status if mode == "async" else 200)

    async def create(self, request: Request) -> Response:
        body = await request.json()
        valid = (isinstance(body, dict) and body.get("agent_name") == "toy" and isinstance(body.get("input"), list)
                 and body["input"] and body.get("mode", "sync") in ("sync", "async", "stream"))
        if not valid and not self.accepts_anything:
            return self.error(422, "invalid_input", "not a RunCreateRequest")
        body = body if isinstance(body, dict) else {}
        run = self.new_run(body)
        mode = body.get("mode", "sync")
        if mode != "async":
            self.settle(run)
        if self.bad_run_for_base64 and "base64" in json.dumps(body):
            run["output"] = [{"role": "robot", "parts": []}]
        return self.reply(run, mode if mode in ("sync", "async", "stream") else "sync", 0)

    async def read(self, request: Request) -> Response:
        run = self.runs.get(request.path_params["run_id"])
        if run is None:
            return self.error(404, "not_found", "no such run")
        if run["status"] == "in-progress":
            run["_polls"] += 1
            if run["_polls"] >= self.polls_in_progress:
                self.settle(run)
        return JSONResponse(self.shown(run))

    async def events(self, request: Request) -> Response:
        run = self.runs.get(request.path_params["run_id"])
        if run is None:
            return self.error(404, "not_found", "no such run")
        return JSONResponse({"events": run["_events"]})

    async def cancel(self, request: Request) -> Response:
        run = self.runs.get(request.path_params["run_id"])
        if run is None:
            return self.error(404, "not_found", "no such run")
        if run["status"] in ("completed", "failed", "cancelled"):
            return self.error(422, "invalid_input", "finished")
        run["status"] = self.cancel_reply
        answer = JSONResponse(self.shown(run), status_code=202)
        self.finish(run, self.cancel_ends)
        return answer

    async def resume(self, request: Request) -> Response:
        run = self.runs.get(request.path_params["run_id"])
        if run is None:
            return self.error(404, "not_found", "no such run")
        body = await request.json()
        mode = body.get("mode") if isinstance(body, dict) else None
        well_formed = isinstance(body, dict) and isinstance(body.get("await_resume"), dict) and mode in (
            "sync", "async", "stream")
        if run["status"] != "awaiting" or (not well_formed and not self.lax_resume):
            return self.error(422, "invalid_input", "cannot resume")
        start = len(run["_events"])
        run["_resumed"] = True
        if not self.lax_resume:
            self.emit(run, "in-progress")
        self.finish(run)
        return self.reply(run, mode if mode in ("sync", "async", "stream") else "sync", start, self.async_resume_status)

    async def session(self, request: Request) -> Response:
        sid = request.path_params["session_id"]
        if sid in self.sessions_seen:
            return JSONResponse({"id": sid, "history": self.sessions_seen[sid], "state": None})
        status = self.unknown_session_status
        if status == 200:
            return JSONResponse({"id": sid, "history": [], "state": None})
        return self.error(status, "not_found", "no such session")

    def app(self) -> Starlette:
        manifest = {"name": "toy", "description": "a toy agent", "input_content_types": ["*/*"],
                    "output_content_types": ["text/plain"]}

        async def ping(request: Request) -> Response:
            return JSONResponse({})

        async def agents(request: Request) -> Response:
            return JSONResponse({"agents": [manifest]})

        async def agent(request: Request) -> Response:
            found = request.path_params["name"] == "toy"
            return JSONResponse(manifest) if found else self.error(404, "not_found", "no such agent")

        routes = [
            Route("/ping", ping), Route("/agents", agents), Route("/agents/{name}", agent),
            Route("/runs", self.create, methods=["POST"]), Route("/runs/{run_id}", self.read),
            Route("/runs/{run_id}", self.resume, methods=["POST"]),
            Route("/runs/{run_id}/cancel", self.cancel, methods=["POST"]),
            Route("/runs/{run_id}/events", self.events),
        ]
        routes += [Route(prefix + "{session_id}", self.session) for prefix in self.session_prefixes]
        return Starlette(routes=routes)


def toy_target(module: str, app_name: str) -> str:
    return f"acp+asgi:{module}:{app_name}#toy"


toy_good = Toy().app()
toy_regresses = Toy(cancel_ends="completed", skip_progress_event=True).app()
"""A cancelled run answers cancelling, then completes; run events skip in-progress."""


def outcomes(results: dict) -> dict[str, Outcome]:
    return {rid: r.outcome for rid, r in results.items()}


# --- the diagram helpers ---------------------------------------------------------------------------------
def test_reachability_follows_the_diagram():
    assert reachable("created") == {"created", "in-progress", "awaiting", "cancelling", "completed", "failed", "cancelled"}
    assert reachable("cancelling") == {"cancelling", "cancelled"}
    assert "in-progress" in reachable("awaiting") and "awaiting" in reachable("in-progress")
    assert reachable("completed") == {"completed"}
    assert "created" not in reachable("in-progress")


def test_event_steps_may_pass_through_cancelling_only():
    assert event_step_allowed("in-progress", "cancelled")
    assert event_step_allowed("awaiting", "cancelled")
    assert event_step_allowed("created", "cancelled")
    assert not event_step_allowed("created", "completed")
    assert not event_step_allowed("awaiting", "completed")
    assert transition_problem(["created", "in-progress", "awaiting", "in-progress", "completed"], "x") is None
    assert transition_problem(["created", "in-progress", "completed", "completed"], "x") is None
    assert "run.created followed by run.completed" in transition_problem(["created", "completed"], "x")
    assert final_left_problem(["created", "in-progress", "completed", "cancelled"], "x")
    assert final_left_problem(["created", "in-progress", "completed", "completed"], "x") is None


def test_first_status_event_must_be_created_with_status_created():
    created = {"type": "run.created", "run": {"status": "created"}}
    assert first_status_problem([{"type": "message.part"}, created], "x") is None
    assert "run.in-progress" in first_status_problem([{"type": "run.in-progress", "run": {}}], "x")
    assert "'in-progress'" in first_status_problem([{"type": "run.created", "run": {"status": "in-progress"}}], "x")
    assert "no run status event" in first_status_problem([], "x")


# --- the reference server --------------------------------------------------------------------------------
def test_reference_echo_meets_the_lifecycle():
    results = judge(LIFECYCLE)
    expected = {rid: Outcome.PASS for rid in LIFECYCLE if rid != "acp.lifecycle.cancelling-ends-cancelled"}
    assert {rid: outcomes(results)[rid] for rid in expected} == expected, explain(results)
    # echo finishes before a cancel can land: nothing was seen cancelling, which is not a pass
    assert outcomes(results)["acp.lifecycle.cancelling-ends-cancelled"] in (Outcome.NOT_APPLICABLE, Outcome.PASS)


def test_reference_awaiter_meets_the_lifecycle_through_resumes_and_cancels():
    results = judge(LIFECYCLE, agent="awaiter")
    assert set(outcomes(results).values()) == {Outcome.PASS}, explain(results)


def test_reference_slow_run_is_cancelled_in_two_steps():
    results = judge(CANCEL, agent="slow")
    assert set(outcomes(results).values()) == {Outcome.PASS}, explain(results)


def test_cancel_probes_not_applicable_when_the_run_already_failed():
    results = judge(CANCEL, agent="failer")
    for rid in CANCEL:
        assert results[rid].outcome is Outcome.NOT_APPLICABLE, explain(results)
        assert "already" in results[rid].message and "failed" in results[rid].message


@pytest.mark.parametrize("fault,agent", [
    ("resume-completed-run", "awaiter"), ("cancel-completed-run", "echo"), ("cancel-one-step", "slow"),
])
def test_faults_of_this_area_fail(fault, agent):
    requirement = FAULTS[fault]
    results = judge(requirement, agent=agent, fault=fault)
    caught = results[requirement]
    assert caught.outcome is Outcome.FAIL, explain(results)
    assert caught.evidence is not None and caught.evidence.exchanges
    if requirement.startswith("acp.lifecycle."):
        assert caught.evidence.seed == 0 and caught.evidence.example["steps"], caught.evidence


def test_resume_of_a_completed_run_also_breaks_terminal_stays_terminal():
    results = judge("acp.lifecycle.terminal-stays-terminal", agent="awaiter", fault="resume-completed-run")
    assert results["acp.lifecycle.terminal-stays-terminal"].outcome is Outcome.FAIL, explain(results)
    assert "resum" in results["acp.lifecycle.terminal-stays-terminal"].message


# --- the toy server --------------------------------------------------------------------------------------
def test_toy_server_meets_everything():
    results = judge(AREA_IDS, target=toy_target(__name__, "toy_good"))
    assert set(outcomes(results).values()) == {Outcome.PASS}, explain(results)


def test_cancelling_then_completed_and_skipped_events_fail():
    results = judge(AREA_IDS, target=toy_target(__name__, "toy_regresses"))
    got = outcomes(results)
    for rid in ("acp.lifecycle.polling-forward", "acp.lifecycle.cancelling-ends-cancelled",
                "acp.lifecycle.transitions-allowed", "acp.runs.cancel-two-step"):
        assert got[rid] is Outcome.FAIL, explain(results)
    assert "cancelling, then" in results["acp.lifecycle.cancelling-ends-cancelled"].message
    assert "run.created followed by run.completed" in results["acp.lifecycle.transitions-allowed"].message
    for rid in ("acp.lifecycle.starts-created", "acp.lifecycle.terminal-stays-terminal",
                "acp.lifecycle.resume-only-awaiting", "acp.runs.cancel-accepted"):
        assert got[rid] is Outcome.PASS, explain(results)
