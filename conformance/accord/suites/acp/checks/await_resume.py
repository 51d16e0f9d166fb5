"""Await and resume (core-concepts/agent-run-lifecycle#agent-run-await, POST /runs/{run_id}).

Every check starts from a run of the agent left awaiting (ctx.awaiting_run():
an async run with the probe input, polled until it settles); an agent whose
run does not await is NotApplicable. Resumes answer the await_request with an
await_resume of the same type carrying a text message. acp.await.timeout-fails
is not judged (ACP sets no timeout; see the catalogue).
"""

from __future__ import annotations

import time
from typing import Any

from ....outcomes import Failure, NotApplicable, Skip
from ....peer import Reply
from ....registry import check
from ..context import FINAL, SETTLED, AcpContext, RunTrace
from .lifecycle import (
    POLL_INTERVAL, SETTLE_TIMEOUT, listed_events, refusal_problem, resume_for, run_reply_problem, status_events,
)

NEVER_AWAITS = "acp.await: the agent's run does not await"
RESUME_MODES = {"sync": 200, "async": 202, "stream": 200}
"""Resume mode -> the HTTP status its reply must have."""


def awaiting(ctx: AcpContext) -> tuple[str, dict[str, Any]]:
    """(run_id, the awaiting Run) of a fresh run left awaiting; NotApplicable, remembered for the
    following checks, when the agent's run does not await."""
    remembered = ctx.observations().get(NEVER_AWAITS)
    if remembered:
        raise NotApplicable(remembered)
    try:
        trace = ctx.awaiting_run()
    except NotApplicable as missing:
        ctx.observations()[NEVER_AWAITS] = missing.message
        raise
    run_id = ctx.require_run_id(trace, "an async POST /runs")
    return run_id, trace.run or {}


def settle_timeout(ctx: AcpContext) -> float:
    return min(SETTLE_TIMEOUT, ctx.limits.read_timeout)


def follow(ctx: AcpContext, run_id: str, reply: Reply, until: frozenset[str]) -> RunTrace:
    """Poll ``run_id`` after ``reply`` until its status is in ``until``, bounded."""
    trace = RunTrace("async", reply)
    trace.see(reply.json if isinstance(reply.json, dict) and reply.json.get("run_id") == run_id else {"run_id": run_id})
    return ctx.poll(trace, until, timeout=settle_timeout(ctx))


def resumed_course(ctx: AcpContext, run_id: str) -> list[str]:
    """Statuses polled after a resume until the run is final or awaiting again (after something
    else was seen), bounded."""
    seen: list[str] = []
    deadline = time.monotonic() + settle_timeout(ctx)
    while time.monotonic() < deadline:
        reply = ctx.get_run(run_id)
        status = reply.json.get("status") if isinstance(reply.json, dict) else None
        if reply.status != 200 or not isinstance(status, str):
            break
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in FINAL or (status == "awaiting" and any(s != "awaiting" for s in seen)):
            break
        time.sleep(POLL_INTERVAL)
    return seen


def require_accepted(reply: Reply, what: str) -> None:
    if reply.status is None or not 200 <= reply.status < 300:
        raise Skip(f"{what} was not accepted ({reply.describe()}); see acp.await.resume-response")


@check("acp.await.request-present", protocol="acp")
def awaiting_runs_say_what_they_await(ctx: AcpContext) -> None:
    run_id, run = awaiting(ctx)
    if not isinstance(run.get("await_request"), dict):
        raise Failure(f"GET /runs/{{id}} shows the run awaiting with await_request {run.get('await_request')!r}; "
                      "an awaiting run must carry an await_request object")
    values = listed_events(ctx.run_events(run_id))
    for status, event in status_events(values or []):
        carried = event.get("run")
        if status == "awaiting" and isinstance(carried, dict) and not isinstance(carried.get("await_request"), dict):
            raise Failure(f"the run.awaiting event of GET /runs/{{id}}/events carries a run with await_request "
                          f"{carried.get('await_request')!r}; an awaiting run must carry an await_request object")
    ctx.cancel(run_id)


@check("acp.await.resume-response", protocol="acp")
def resume_answers_per_mode(ctx: AcpContext) -> None:
    for mode, expected in RESUME_MODES.items():
        run_id, run = awaiting(ctx)
        reply = ctx.resume(run_id, resume_for(run.get("await_request")), mode)
        what = f"resuming an awaiting run in {mode} mode"
        ctx.require_status(reply, expected, what)
        if mode == "stream":
            if reply.content_type != "text/event-stream":
                raise Failure(f"{what}: expected a text/event-stream reply, got {reply.content_type or 'no content type'}")
            if not reply.events:
                raise Failure(f"{what}: the event stream carried no event ({reply.describe()})")
        else:
            problem = run_reply_problem(reply, run_id)
            if problem:
                raise Failure(f"{what}: {problem}; a {mode} resume answers with the Run")
            if mode == "sync" and reply.json.get("status") not in SETTLED:
                raise Failure(f"{what}: the reply shows status {reply.json.get('status')!r}; a sync reply comes "
                              "once the run is completed, failed, cancelled or awaiting again")
        if isinstance(reply.json, dict) and reply.json.get("status") == "awaiting":
            ctx.cancel(run_id)  # it awaits again: leave nothing open


@check("acp.await.resume-continues", protocol="acp")
def resumed_runs_go_on(ctx: AcpContext) -> None:
    run_id, run = awaiting(ctx)
    reply = ctx.resume(run_id, resume_for(run.get("await_request")), "async")
    require_accepted(reply, "an async resume of an awaiting run")
    polled = resumed_course(ctx, run_id)
    values = listed_events(ctx.run_events(run_id))
    if values is None:
        raise Skip("GET /runs/{id}/events gave no event list, so the resumed run's course cannot be seen; "
                   "see acp.runs.events-list-valid")
    statuses = [s for s, _ in status_events(values)]
    if "awaiting" not in statuses:
        raise Skip(f"the run's events show no run.awaiting ({statuses}); see acp.await.request-present")
    after = statuses[statuses.index("awaiting") + 1:]
    if not after or after[0] != "in-progress":
        raise Failure(f"after the resume, the run's status events go awaiting > {' > '.join(after) or '(nothing)'}; "
                      "a resumed run goes back to in-progress first")
    if after[-1] not in SETTLED:
        ctx.cancel(run_id)
        raise Failure(f"after the resume, the run's status events go awaiting > {' > '.join(after)} and polling for "
                      f"{settle_timeout(ctx):g} s saw {' > '.join(polled) or 'nothing'}; a resumed run must reach "
                      "completed, failed, cancelled or awaiting again")
    if after[-1] == "awaiting":
        ctx.cancel(run_id)


RESUME_BODIES: dict[str, Any] = {
    "without await_resume": lambda run_id, answer: {"run_id": run_id, "mode": "sync"},
    "without mode": lambda run_id, answer: {"run_id": run_id, "await_resume": answer},
    "with mode 'later'": lambda run_id, answer: {"run_id": run_id, "await_resume": answer, "mode": "later"},
}


@check("acp.await.resume-invalid-rejected", protocol="acp")
def invalid_resumes_are_rejected(ctx: AcpContext) -> None:
    run_id, run = awaiting(ctx)
    answer = resume_for(run.get("await_request"))
    for name, make in RESUME_BODIES.items():
        body = make(run_id, answer)
        reply = ctx.peer.request("POST", f"/runs/{run_id}", json=body)
        what = f"POST /runs/{{id}} of an awaiting run with a body {name} ({body})"
        refused = refusal_problem(ctx, reply, "invalid_input")
        if refused:
            raise Failure(f"{what}: RunResumeRequest requires await_resume and a mode of sync, async or stream, "
                          f"so it must get a 4xx Error of code invalid_input, but {refused}")
        now = ctx.get_run(run_id)
        status = now.json.get("status") if isinstance(now.json, dict) else None
        if status != "awaiting":
            raise Failure(f"after {what} was refused, GET /runs/{{id}} shows status {status!r}; the run must stay awaiting")
    ctx.cancel(run_id)


@check("acp.await.cancel-while-awaiting", protocol="acp")
def awaiting_runs_can_be_cancelled(ctx: AcpContext) -> None:
    run_id, _ = awaiting(ctx)
    reply = ctx.cancel(run_id)
    what = "POST /runs/{id}/cancel of an awaiting run"
    ctx.require_status(reply, 202, what)
    problem = run_reply_problem(reply, run_id)
    if problem:
        raise Failure(f"{what}: {problem}; the cancel operation answers 202 with the Run")
    status = reply.json.get("status")
    if status != "cancelling":
        raise Failure(f"{what} answered with status {status!r}; it must say cancelling, then the run becomes cancelled")
    settled = follow(ctx, run_id, reply, FINAL)
    if settled.status != "cancelled":
        raise Failure(f"after {what} was answered cancelling, polling saw {' > '.join(settled.statuses)}; "
                      "the run must end cancelled")
