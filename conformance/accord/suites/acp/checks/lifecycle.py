"""The run lifecycle (core-concepts/agent-run-lifecycle) as a hypothesis state machine, and cancelling.

acp.lifecycle.* share one machine. Its rules create runs in each mode, poll a
run or follow it until it settles, cancel a run, resume a run, and read a
run's event list. Every check runs the machine (first one scripted sequence
that tries every rule, then sequences hypothesis picks) and judges its own
requirement only, so hypothesis shrinks towards a breach of that one:

- starts-created: an event list, and a stream of a new run, begin their
  status events with run.created carrying status created.
- transitions-allowed: consecutive status events are edges of the diagram.
  ``cancelling`` has no event type, so a status event may be followed by
  run.cancelled wherever the diagram allows cancelling; a status event
  repeated as is (acp.stream.one-closing-event's concern) is no transition.
- polling-forward: every status seen of a run (replies to create, poll,
  cancel and resume, in order) is reachable along the diagram from the one
  seen before: polling may skip statuses, never go back.
- terminal-stays-terminal: cancel or resume of a completed, failed or
  cancelled run gets a 4xx Error, and a later GET shows the same status and output.
- cancelling-ends-cancelled: a run seen cancelling ends cancelled.
- resume-only-awaiting: resume of a run that is not awaiting gets a 4xx
  Error and leaves the status as it was. Only finished runs are used: a
  running run may reach awaiting just as the resume lands.

A run that was cancelled or resumed after it had finished is judged by the
last two alone from then on. Resumes of runs that should not be resumed are
sent in async mode, so a server that accepts one does not hold the request open.

acp.runs.cancel-accepted and acp.runs.cancel-two-step are probes: an async
run, cancelled at once; NotApplicable when the run had already finished.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from ....machines import explore_machine
from ....outcomes import Failure, NotApplicable, Skip
from ....peer import Reply, StreamEvent
from ....registry import check
from ..context import FINAL, SETTLED, TRANSITIONS, AcpContext, RunTrace, text_message
from .discovery import is_known_code

RUN_MODES = ("sync", "async", "stream")
MAX_RUNS = 3
"""Runs one machine creates."""
STEPS = 6
MAX_EXAMPLES = 5
TIME_BUDGET = 3.0
"""Seconds after which the generated sequences send nothing more (the scripted one always runs)."""
SETTLE_TIMEOUT = 6.0
"""Longest wait for a run to settle (final or awaiting), within the read timeout."""
POLL_INTERVAL = 0.05
RESUME_TEXT = "accord conformance probe: resuming"

EDGES: dict[str, frozenset[str]] = {**TRANSITIONS, "created": TRANSITIONS["created"] | {"cancelling"}}
"""The diagram, plus created > cancelling: the cancel operation accepts any run not yet finished
(acp.runs.cancel-accepted), so a run cancelled before it starts is cancelling straight from created."""
NO_EVENT = frozenset({"cancelling"})
RESUMABLE_TRIES = FINAL | {"awaiting"}
"""Statuses of runs the machine resumes: awaiting ones, and finished ones (which must refuse)."""
"""Statuses with no run event type of their own."""


# --- the diagram ---------------------------------------------------------------------------


def reachable(status: str) -> frozenset[str]:
    """``status`` and every status the diagram leads to from it."""
    seen, todo = {status}, [status]
    while todo:
        for after in EDGES.get(todo.pop(), frozenset()):
            if after not in seen:
                seen.add(after)
                todo.append(after)
    return frozenset(seen)


def event_step_allowed(before: str, after: str) -> bool:
    """Whether run status event ``after`` may follow ``before``: a diagram edge, or a path through
    statuses that have no event type."""
    direct = EDGES.get(before, frozenset())
    return after in direct or any(after in EDGES.get(hidden, frozenset()) for hidden in direct & NO_EVENT)


def event_status(value: Any) -> str | None:
    """The run status a run status event (run.created, run.in-progress, ...) announces, else None."""
    kind = value.get("type") if isinstance(value, dict) else None
    if isinstance(kind, str) and kind.startswith("run.") and kind[4:] in TRANSITIONS:
        return kind[4:]
    return None


def status_events(values: list[Any]) -> list[tuple[str, Any]]:
    """(status, event) of every run status event, in order."""
    return [(s, v) for v in values if (s := event_status(v)) is not None]


def stream_values(events: list[StreamEvent]) -> list[Any]:
    return [e.value for e in events]


def listed_events(reply: Reply) -> list[Any] | None:
    """The events of a GET /runs/{id}/events reply, or None if it did not give a list."""
    body = reply.json
    if reply.status == 200 and isinstance(body, dict) and isinstance(body.get("events"), list):
        return body["events"]
    return None


def first_status_problem(values: list[Any], where: str) -> str | None:
    """What is wrong with the start of a status event sequence (acp.lifecycle.starts-created)."""
    found = status_events(values)
    if not found:
        return f"{where} has no run status event at all, so no run.created"
    status, event = found[0]
    if status != "created":
        return f"{where} begins its status events with run.{status}, not run.created"
    run_status = event.get("run", {}).get("status") if isinstance(event.get("run"), dict) else None
    if run_status != "created":
        return f"{where} begins with run.created, but the run it carries has status {run_status!r}, not 'created'"
    return None


def transition_problem(statuses: list[str], where: str) -> str | None:
    """The first consecutive pair of status events that is no edge of the diagram (repeats skipped;
    leaving a final status is acp.lifecycle.terminal-stays-terminal's, see final_left_problem)."""
    for before, after in zip(statuses, statuses[1:]):
        if before != after and before not in FINAL and not event_step_allowed(before, after):
            return (f"{where} has run.{before} followed by run.{after}; the lifecycle diagram has no such "
                    f"transition (from {before}: {', '.join(sorted(EDGES[before])) or 'nothing, it is final'})")
    return None


def final_left_problem(statuses: list[str], where: str) -> str | None:
    """The first status event that follows a final one, other than a repeat of it."""
    for before, after in zip(statuses, statuses[1:]):
        if before in FINAL and after != before:
            return f"{where} has run.{after} after run.{before}; a {before} run never changes status"
    return None


def short(value: Any, limit: int = 300) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[:limit] + "..."


def refusal_problem(ctx: AcpContext, reply: Reply, code: str | None = None) -> str | None:
    """None if ``reply`` is a 4xx refusal (with error code ``code``, if given and the body has a code from
    the enum), else what it is instead. A malformed Error body is left to acp.errors.*."""
    if reply.status is None or not 400 <= reply.status < 500:
        return f"got {reply.describe()}"
    given = reply.json.get("code") if isinstance(reply.json, dict) else None
    if code is not None and is_known_code(ctx, given) and given != code:
        return f"got HTTP {reply.status} with error code {given!r}, not {code!r}"
    return None


def run_reply_problem(reply: Reply, run_id: str | None) -> str | None:
    """None if ``reply`` carries the run ``run_id`` (schema validity is acp.runs.run-schema's concern)."""
    body = reply.json
    if not isinstance(body, dict) or not isinstance(body.get("status"), str):
        return f"the reply carries no Run ({reply.describe()})"
    if body.get("run_id") != run_id:
        return f"the reply is the run {body.get('run_id')!r}, not {run_id!r}"
    return None


# --- input and resumes (shared with the await checks) ---------------------------------------


def probe_messages(ctx: AcpContext) -> list[dict[str, Any]]:
    """The probe input: one text message, unless the manifest declares input types that exclude text."""
    manifest = ctx.suite.manifest
    declared = manifest.get("input_content_types") if isinstance(manifest, dict) else None
    if isinstance(declared, list) and declared:
        if not any(t in ("*/*", "text/*", "text/plain") or str(t).startswith("text/plain;") for t in declared):
            raise NotApplicable(f"the agent's manifest declares input_content_types {declared}, none of them "
                                "text/plain, so accord has no input it can send")
    return [text_message()]


def resume_for(await_request: Any) -> dict[str, Any]:
    """An await_resume answering ``await_request``: of the same type, carrying a text message."""
    kind = await_request.get("type") if isinstance(await_request, dict) else None
    return {"type": kind if isinstance(kind, str) else "message", "message": text_message(RESUME_TEXT)}


# --- the machine ---------------------------------------------------------------------------


class Broken(AssertionError):
    """A step broke the judged requirement (hypothesis shrinks the steps)."""


class Lab:
    """What all machines of one check share: the context, the judged requirement, the budget, what was seen."""

    def __init__(self, ctx: AcpContext, focus: str):
        self.ctx = ctx
        self.focus = focus
        self.messages = probe_messages(ctx)
        self.started = time.monotonic()
        self.failure: Failure | None = None
        self.exercised = False
        self.created = 0
        self.refusals: list[str] = []
        self.settle_timeout = min(SETTLE_TIMEOUT, ctx.limits.read_timeout)

    def out_of_time(self) -> bool:
        return time.monotonic() - self.started > TIME_BUDGET


@dataclass
class Tracked:
    """One run the machine created: its name in the steps, and every status seen of it, in order."""

    name: str
    run_id: str
    mode: str
    statuses: list[str] = field(default_factory=list)
    run: dict[str, Any] = field(default_factory=dict)
    saw_cancelling: bool = False
    disturbed: bool = False
    """Cancelled or resumed after it finished: judged by terminal-stays-terminal and resume-only-awaiting only."""

    @property
    def status(self) -> str | None:
        return self.statuses[-1] if self.statuses else None


class LifecycleMachine(RuleBasedStateMachine):
    def __init__(self, lab: Lab):
        super().__init__()
        self.lab = lab
        self.ctx = lab.ctx
        self.runs: list[Tracked] = []
        self.steps: list[str] = []

    # --- judging ------------------------------------------------------------------------

    def judge(self, requirement: str, problem: str | None) -> None:
        """Count ``requirement`` as exercised; fail the check if it is the one judged and ``problem`` is set."""
        if requirement != self.lab.focus:
            return
        self.lab.exercised = True
        if problem is not None:
            self.lab.failure = Failure(f"{problem} (after: {'; '.join(self.steps)})",
                                       example={"steps": list(self.steps)}, seed=self.ctx.settings.seed)
            raise Broken(problem)

    def observe(self, run: Tracked, status: Any, what: str) -> None:
        """A status seen of ``run`` by ``what``: judged against the one seen before."""
        if not isinstance(status, str) or status not in TRANSITIONS:
            return  # not a run status: acp.runs.run-schema's concern
        before = run.status
        if before == status:
            return
        run.statuses.append(status)
        if run.disturbed:
            return
        if before in FINAL:
            run.disturbed = True
            self.judge("acp.lifecycle.terminal-stays-terminal",
                       f"{run.name} was seen {before}, then {status} ({what}); a {before} run never changes status")
            return
        if before is not None:
            self.judge("acp.lifecycle.polling-forward", None if status in reachable(before) else (
                f"{run.name} was seen {before}, then {status} ({what}); the lifecycle diagram leads from "
                f"{before} only to {', '.join(sorted(reachable(before) - {before})) or 'nowhere, it is final'}"))
        if run.saw_cancelling and status in FINAL:
            self.judge("acp.lifecycle.cancelling-ends-cancelled", None if status == "cancelled" else (
                f"{run.name} was cancelling, then ended {status} ({what}); a cancelling run must end cancelled"))
        if status == "cancelling":
            run.saw_cancelling = True

    def see_run(self, run: Tracked, value: Any, what: str) -> None:
        if isinstance(value, dict):
            run.run = value
            self.observe(run, value.get("status"), what)

    def judge_events(self, run: Tracked, values: list[Any], where: str, *, from_start: bool,
                     before: str | None = None) -> None:
        if from_start:
            self.judge("acp.lifecycle.starts-created", first_status_problem(values, where))
        statuses = ([before] if before else []) + [s for s, _ in status_events(values)]
        if run.disturbed or len(statuses) < 2:
            return
        left = final_left_problem(statuses, where)
        if left is not None:
            run.disturbed = True
            self.judge("acp.lifecycle.terminal-stays-terminal", left)
        self.judge("acp.lifecycle.transitions-allowed", transition_problem(statuses, where))

    # --- helpers --------------------------------------------------------------------------

    def get(self, run: Tracked, what: str) -> Reply:
        reply = self.ctx.get_run(run.run_id)
        if reply.status == 200:
            self.see_run(run, reply.json, what)
        return reply

    def follow(self, run: Tracked, until: frozenset[str], what: str) -> None:
        """GET ``run`` until its status is in ``until``, bounded in time."""
        deadline = time.monotonic() + self.lab.settle_timeout
        while run.status not in until and time.monotonic() < deadline:
            if self.get(run, what).status != 200:
                return
            if run.status not in until:
                time.sleep(POLL_INTERVAL)

    def still_the_same(self, run: Tracked, status: str, output: Any, what: str) -> str | None:
        """What changed in ``run`` since it was ``status`` with ``output``, by a GET after ``what``."""
        reply = self.ctx.get_run(run.run_id)
        body = reply.json if isinstance(reply.json, dict) else {}
        if reply.status != 200:
            return f"GET /runs/{{id}} of {run.name} after {what} gave {reply.describe()}"
        run.run = body
        if body.get("status") != status:
            run.statuses.append(str(body.get("status")))
            return f"after {what}, GET /runs/{{id}} of {run.name} shows status {body.get('status')!r}, not {status!r}"
        if body.get("output") != output:
            return f"after {what}, GET /runs/{{id}} of {run.name} shows a different output than before"
        return None

    # --- actions (the rules pick a run and call these; the scripted sequence calls them directly) ---

    def do_create(self, mode: str) -> Tracked | None:
        name = f"r{len(self.runs) + 1}"
        self.steps.append(f"create {name} ({mode})")
        trace: RunTrace = self.ctx.start_run(mode, self.lab.messages)
        if trace.run_id is None:
            self.lab.refusals.append(f"POST /runs ({mode}) gave {trace.created.describe()}")
            return None
        self.lab.created += 1
        run = Tracked(name, trace.run_id, mode)
        self.runs.append(run)
        if mode == "stream":
            self.see_stream(run, trace.events, f"the stream of {name}", before=None)
        else:
            self.see_run(run, trace.created.json, f"the {mode} create reply of {name}")
        return run

    def see_stream(self, run: Tracked, events: list[StreamEvent], where: str, before: str | None) -> None:
        values = stream_values(events)
        for status, event in status_events(values):
            if isinstance(event.get("run"), dict):
                run.run = event["run"]
            self.observe(run, status, where)
        self.judge_events(run, values, where, from_start=before is None, before=before)

    def do_poll(self, run: Tracked) -> None:
        self.steps.append(f"poll {run.name}")
        self.get(run, f"a GET of {run.name}")

    def do_settle(self, run: Tracked) -> None:
        self.steps.append(f"follow {run.name} until it settles")
        self.follow(run, SETTLED, f"polling {run.name}")

    def do_cancel(self, run: Tracked) -> None:
        known = run.status
        self.steps.append(f"cancel {run.name} ({known})")
        what = f"cancelling {run.name} when it was {known}"
        if known in FINAL:
            self.refuse_on_final(run, known, "cancelled", what, lambda: self.ctx.cancel(run.run_id))
            return
        reply = self.ctx.cancel(run.run_id)
        if reply.status is None or not 200 <= reply.status < 300:
            self.get(run, f"a GET after {what} was refused")  # it may have finished meanwhile
            return
        self.see_run(run, reply.json, f"the reply to {what}")
        self.follow(run, FINAL, f"polling after {what}")
        if run.saw_cancelling and run.status == "cancelling" and not run.disturbed:
            self.judge("acp.lifecycle.cancelling-ends-cancelled",
                       f"{run.name} was still cancelling {self.lab.settle_timeout:g} s after {what}")

    def do_resume(self, run: Tracked, mode: str) -> None:
        known = run.status
        if known not in RESUMABLE_TRIES:
            return  # a running run may reach awaiting just as a resume lands: nothing to judge
        if known != "awaiting":
            self.steps.append(f"resume {run.name} ({known})")
            answer = resume_for(None)
            self.refuse_on_final(run, str(known), "resumed", f"resuming {run.name} when it was {known}",
                                 lambda: self.ctx.resume(run.run_id, answer, "async"))
            return
        self.steps.append(f"resume {run.name} (awaiting, {mode})")
        what = f"the {mode} reply to resuming {run.name}"
        reply = self.ctx.resume(run.run_id, resume_for(run.run.get("await_request")), mode)
        if reply.status is None or not 200 <= reply.status < 300:
            return  # a refused resume is the await checks' concern
        if mode == "stream":
            self.see_stream(run, reply.events, what, before="awaiting")
        else:
            self.see_run(run, reply.json, what)

    def refuse_on_final(self, run: Tracked, known: str, verb: str, what: str, send: Any) -> None:
        """Cancel or resume of a finished run: a 4xx Error, and the run unchanged."""
        output = run.run.get("output")
        refusal = refusal_problem(self.ctx, send())
        changed = self.still_the_same(run, known, output, what)
        if refusal is not None or changed:
            run.disturbed = True
        problem = None
        if refusal is not None:
            problem = f"{what}: expected a 4xx refusal, since a {known} run cannot be {verb}, but {refusal}"
            if changed:
                problem += f"; {changed}"
        elif changed:
            problem = f"{what} was refused, yet {changed}"
        self.judge("acp.lifecycle.terminal-stays-terminal", problem)
        if verb == "resumed":
            self.judge("acp.lifecycle.resume-only-awaiting", problem)

    def do_read_events(self, run: Tracked) -> None:
        self.steps.append(f"read the events of {run.name}")
        values = listed_events(self.ctx.run_events(run.run_id))
        if values is None:
            return  # an events route that does not work is acp.runs.events-list-valid's concern
        listed = [status for status, _ in status_events(values)]
        if run.status not in SETTLED or not listed or listed[-1] != run.status:
            return  # not the record of a settled run: a list in another order is acp.runs.events-replay's concern
        self.judge_events(run, values, f"GET /runs/{{id}}/events of {run.name}", from_start=True)

    # --- rules ------------------------------------------------------------------------------

    def chosen(self, index: int, wanted: Any = None) -> Tracked | None:
        """The ``index``-th run (modulo) of those ``wanted`` accepts; None when there is none or no time left."""
        eligible = [r for r in self.runs if wanted is None or wanted(r)]
        return None if not eligible or self.lab.out_of_time() else eligible[index % len(eligible)]

    @precondition(lambda self: len(self.runs) < MAX_RUNS)
    @rule(mode=st.sampled_from(RUN_MODES))
    def create(self, mode: str) -> None:
        if not self.lab.out_of_time():
            self.do_create(mode)

    @precondition(lambda self: bool(self.runs))
    @rule(index=st.integers(0, MAX_RUNS - 1))
    def poll(self, index: int) -> None:
        if run := self.chosen(index):
            self.do_poll(run)

    @precondition(lambda self: any(r.status not in SETTLED for r in self.runs))
    @rule(index=st.integers(0, MAX_RUNS - 1))
    def settle(self, index: int) -> None:
        if run := self.chosen(index, lambda r: r.status not in SETTLED):
            self.do_settle(run)

    @precondition(lambda self: bool(self.runs))
    @rule(index=st.integers(0, MAX_RUNS - 1))
    def cancel(self, index: int) -> None:
        if run := self.chosen(index):
            self.do_cancel(run)

    @precondition(lambda self: any(r.status in RESUMABLE_TRIES for r in self.runs))
    @rule(index=st.integers(0, MAX_RUNS - 1), mode=st.sampled_from(RUN_MODES))
    def resume(self, index: int, mode: str) -> None:
        if run := self.chosen(index, lambda r: r.status in RESUMABLE_TRIES):
            self.do_resume(run, mode)

    @precondition(lambda self: bool(self.runs))
    @rule(index=st.integers(0, MAX_RUNS - 1))
    def read_events(self, index: int) -> None:
        if run := self.chosen(index):
            self.do_read_events(run)

    def teardown(self) -> None:
        for run in self.runs:
            if run.status not in FINAL and not run.disturbed:
                self.ctx.cancel(run.run_id)  # leave nothing running or awaiting behind


def scripted(lab: Lab) -> None:
    """Every action at least once, whatever hypothesis picks: an async run cancelled at once, and a
    streamed run followed until it settles (resumed if it awaits), then cancelled and resumed. Sync
    runs are left to hypothesis, so a slow agent costs one run's time here."""
    machine = LifecycleMachine(lab)
    try:
        if first := machine.do_create("async"):
            machine.do_cancel(first)
            machine.do_read_events(first)
        if second := machine.do_create("stream"):
            machine.do_settle(second)
            if second.status == "awaiting":
                machine.do_resume(second, "sync")
                machine.do_settle(second)
            machine.do_poll(second)
            machine.do_cancel(second)
            machine.do_resume(second, "async")
            machine.do_read_events(second)
    finally:
        machine.teardown()


NOT_SEEN = {
    "acp.lifecycle.starts-created": "no event list or stream of a new run could be read",
    "acp.lifecycle.transitions-allowed": "no event list or stream held two run status events",
    "acp.lifecycle.polling-forward": "no run was seen in two different statuses",
    "acp.lifecycle.terminal-stays-terminal": "no run was seen completed, failed or cancelled",
    "acp.lifecycle.cancelling-ends-cancelled": (
        "no run was seen cancelling: every cancel landed on a run that had already finished, or was refused"),
    "acp.lifecycle.resume-only-awaiting": "no run was seen completed, failed or cancelled, so none could be resumed out of turn",
}


def explore(ctx: AcpContext, focus: str) -> None:
    """Run the lifecycle machine judging ``focus``: Failure, NotApplicable or a pass."""
    lab = Lab(ctx, focus)
    try:
        scripted(lab)
    except Broken:
        pass
    if lab.failure is None and lab.created:
        explore_machine(lambda: LifecycleMachine(lab), ctx.settings, max_examples=MAX_EXAMPLES, steps=STEPS,
                        failed=lambda: lab.failure is not None)
    if lab.failure is not None:
        raise lab.failure
    if not lab.created:
        raise Skip("no run could be created, so the lifecycle cannot be followed: " + "; ".join(lab.refusals[:2]))
    if not lab.exercised:
        raise NotApplicable(NOT_SEEN[focus])


@check("acp.lifecycle.starts-created", protocol="acp", kind="state-machine")
def runs_start_with_created(ctx: AcpContext) -> None:
    explore(ctx, "acp.lifecycle.starts-created")


@check("acp.lifecycle.transitions-allowed", protocol="acp", kind="state-machine")
def status_events_follow_the_diagram(ctx: AcpContext) -> None:
    explore(ctx, "acp.lifecycle.transitions-allowed")


@check("acp.lifecycle.polling-forward", protocol="acp", kind="state-machine")
def polled_statuses_only_move_forward(ctx: AcpContext) -> None:
    explore(ctx, "acp.lifecycle.polling-forward")


@check("acp.lifecycle.terminal-stays-terminal", protocol="acp", kind="state-machine")
def finished_runs_stay_finished(ctx: AcpContext) -> None:
    explore(ctx, "acp.lifecycle.terminal-stays-terminal")


@check("acp.lifecycle.cancelling-ends-cancelled", protocol="acp", kind="state-machine")
def cancelling_runs_end_cancelled(ctx: AcpContext) -> None:
    explore(ctx, "acp.lifecycle.cancelling-ends-cancelled")


@check("acp.lifecycle.resume-only-awaiting", protocol="acp", kind="state-machine")
def only_awaiting_runs_resume(ctx: AcpContext) -> None:
    explore(ctx, "acp.lifecycle.resume-only-awaiting")


# --- cancel probes ----------------------------------------------------------------------------


@dataclass
class CancelAtOnce:
    """An async run cancelled as soon as it was created."""

    trace: RunTrace
    reply: Reply


def cancel_at_once(ctx: AcpContext) -> CancelAtOnce:
    """Create an async run and cancel it at once; NotApplicable if it had finished before the cancel landed."""
    trace = ctx.start_run("async", probe_messages(ctx))
    run_id = ctx.require_run_id(trace, "an async POST /runs")
    if trace.status in FINAL:
        raise NotApplicable(f"the async run was already {trace.status} in the reply to its creation, "
                            "so no cancel can land while it runs")
    reply = ctx.cancel(run_id)
    status = reply.json.get("status") if isinstance(reply.json, dict) else None
    if reply.status is not None and 200 <= reply.status < 300 and status in ("completed", "failed"):
        raise NotApplicable(f"the run had already ended {status} when the cancel landed (the cancel reply says so)")
    if reply.status is None or not 200 <= reply.status < 300:
        after = ctx.get_run(run_id)
        final = after.json.get("status") if isinstance(after.json, dict) else None
        if final in ("completed", "failed"):
            raise NotApplicable(f"the run had already ended {final} when the cancel landed "
                                f"(the cancel got {reply.describe()})")
    return CancelAtOnce(trace, reply)


@check("acp.runs.cancel-accepted", protocol="acp")
def cancel_of_a_running_run_is_accepted(ctx: AcpContext) -> None:
    attempt = cancel_at_once(ctx)
    what = f"POST /runs/{{id}}/cancel of an async run that was {attempt.trace.status}"
    ctx.require_status(attempt.reply, 202, what)
    problem = run_reply_problem(attempt.reply, attempt.trace.run_id)
    if problem:
        raise Failure(f"{what}: {problem}; the cancel operation answers 202 with the Run")


@check("acp.runs.cancel-two-step", protocol="acp")
def cancel_goes_through_cancelling(ctx: AcpContext) -> None:
    attempt = cancel_at_once(ctx)
    reply = attempt.reply
    status = reply.json.get("status") if isinstance(reply.json, dict) else None
    what = f"POST /runs/{{id}}/cancel of an async run that was {attempt.trace.status}"
    if reply.status is None or not 200 <= reply.status < 300 or status is None:
        raise Skip(f"{what} was not accepted with a run ({reply.describe()}); see acp.runs.cancel-accepted")
    if status != "cancelling":
        raise Failure(f"{what} answered with status {status!r}; cancelling takes two steps, so the reply "
                      "must say cancelling and the run become cancelled later")
    trace = RunTrace("async", reply)
    trace.see(reply.json)
    ctx.poll(trace, FINAL, timeout=min(SETTLE_TIMEOUT, ctx.limits.read_timeout))
    if trace.status != "cancelled":
        seen = " > ".join(trace.statuses)
        raise Failure(f"after {what} was answered cancelling, polling saw {seen}; the run must reach cancelled")
