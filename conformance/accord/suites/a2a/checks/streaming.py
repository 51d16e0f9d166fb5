"""Streaming (1.0 sections 3.1.2, 3.1.6, 3.5.2, 11.7; 0.3 sections 7.2, 7.9, 9.3): SendStreamingMessage,
SubscribeToTask and what their Server-Sent Event streams must carry.

Every stream is read with the probe text. Checks about how a stream ends read it whole (no early stop,
bounded by TAIL_TIMEOUT) so that an event after the terminal one, or a stream left open, shows. Checks that
need a task still running (subscriptions) send with returnImmediately and subscribe at once; an agent whose
task is already over by then is NotApplicable for them, with what was seen.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ....outcomes import Failure, NotApplicable, Skip
from ....peer import StreamEvent
from ....registry import check
from .. import wire
from ..bindings import Answer, Binding, stream_ends
from ..context import PROBE_TEXT, A2aContext, new_id, unwrapped_v03

TAIL_TIMEOUT = 4.0
"""Seconds a whole stream may take when read to its close (the task's work included)."""
DROP_AFTER = 0.4
"""Seconds after which the stream that is dropped on purpose is closed by the harness."""
SETTLE_POLLS = 10
SETTLE_INTERVAL = 0.2
UPDATES = ("statusUpdate", "artifactUpdate")
UNSUPPORTED_OPERATION = -32004
TASK_NOT_FOUND = -32001


# --- reading streams --------------------------------------------------------------------------------------------

def ends(value: Any) -> bool:
    """Whether one event (as sent) ends its stream: a message, a terminal or interrupted state, 0.3 final."""
    return stream_ends(StreamEvent("message", "", None, value))


def tail_timeout(ctx: A2aContext) -> float:
    return min(TAIL_TIMEOUT, ctx.limits.read_timeout)


def stream_params(ctx: A2aContext, text: str = PROBE_TEXT, **ids: str) -> dict[str, Any]:
    return {"message": ctx.message(text, **ids)}


def read_whole(ctx: A2aContext, operation: str, params: dict[str, Any], *, binding: Binding | None = None,
               timeout: float | None = None) -> Answer:
    """A stream read until the agent closes it (not just to its end event), bounded."""
    chosen = binding or ctx.binding
    return chosen.call(operation, params, stop=None, timeout=timeout or tail_timeout(ctx))


def still_open(answer: Answer) -> bool:
    """The harness stopped reading at its deadline: the agent had not closed the stream."""
    return any(p.startswith("reply still streaming") for p in answer.reply.problems)


def require_stream(ctx: A2aContext, answer: Answer, what: str) -> None:
    """A stream that worked: no error, events, SSE. An agent declaring capabilities.streaming must stream."""
    if answer.error is not None or not answer.events:
        raise Failure(f"{what}: {answer.describe()}; the card declares capabilities.streaming, so the agent must "
                      "answer with an event stream")


def probe_stream(ctx: A2aContext) -> Answer:
    answer = ctx.stream()
    require_stream(ctx, answer, "SendStreamingMessage with the probe text")
    return answer


def dumped(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


@dataclass
class Course:
    """A whole stream, in 1.0 form: its events, the index of the event that ends it, and whether it closed."""

    events: list[tuple[str | None, Any]]
    raw: list[Any]
    end: int | None
    open: bool

    @classmethod
    def of(cls, answer: Answer) -> "Course":
        end = next((i for i, value in enumerate(answer.events) if ends(value)), None)
        return cls(answer.canonical_events(), list(answer.events), end, still_open(answer))

    def end_state(self) -> str | None:
        if self.end is None:
            return None
        return wire.state_of(self.events[self.end][1])

    def task_id(self) -> str | None:
        for kind, payload in self.events:
            if isinstance(payload, dict):
                found = payload.get("id") if kind == "task" else payload.get("taskId") if kind in UPDATES else None
                if isinstance(found, str):
                    return found
        return None

    def is_snapshot(self, index: int) -> bool:
        """The event at ``index`` is a Task repeating the ended state (11.7 lets a stream resend one)."""
        kind, payload = self.events[index]
        return (kind == "task" and isinstance(payload, dict) and payload.get("id") == self.task_id()
                and wire.state_of(payload) == self.end_state())

    def after_end(self) -> list[int]:
        """Indexes of events after the end that the spec does not allow (a last Task snapshot is allowed)."""
        if self.end is None:
            return []
        rest = list(range(self.end + 1, len(self.events)))
        if rest and rest[-1] == len(self.events) - 1 and self.is_snapshot(rest[-1]):
            rest.pop()
        return rest


def judge_closing(ctx: A2aContext, answer: Answer, what: str) -> None:
    """The stream closes at the event that ends it, with nothing after it but an optional final Task snapshot."""
    require_stream(ctx, answer, what)
    course = Course.of(answer)
    if course.end is None:
        seen = ", ".join(str(kind) for kind, _ in course.events[-5:])
        if course.open:
            raise Skip(f"{what}: the task reached no terminal state within {tail_timeout(ctx):g}s "
                       f"({len(course.events)} event(s), last: {seen}); cannot see how the stream ends")
        raise Failure(f"{what}: the stream closed after {len(course.events)} event(s) (last: {seen}) before the task "
                      "reached a terminal state; the stream must stay open until then")
    extra = course.after_end()
    if extra:
        kinds = ", ".join(str(course.events[i][0]) for i in extra[:5])
        raise Failure(f"{what}: event {course.end} reported {course.end_state() or 'the end'}, yet {len(extra)} more "
                      f"event(s) followed ({kinds}); the stream must close after the terminal event")
    if course.open:
        state = course.end_state()
        if state in wire.INTERRUPTED:
            raise NotApplicable(f"{what}: the task stopped at {state} and the stream stayed open, which 3.1.2 allows; "
                                "no terminal state was seen")
        raise Failure(f"{what}: the task reached {state or 'its end'} (event {course.end}) but the stream was still "
                      f"open {tail_timeout(ctx):g}s after the request; it must close at the terminal state")


# --- tasks in a given state -------------------------------------------------------------------------------------

def settled_task(ctx: A2aContext) -> dict[str, Any]:
    """A task of the probe text in a terminal state (polled briefly), or NotApplicable."""
    task = ctx.created_task(ctx.send(), "SendMessage with the probe text")
    for _ in range(SETTLE_POLLS):
        if wire.state_of(task) in wire.TERMINAL:
            return task
        time.sleep(SETTLE_INTERVAL)
        answer = ctx.get_task(str(task.get("id")))
        task = answer.task() or task
    raise NotApplicable(f"the probe task stayed in {wire.state_of(task)} for {SETTLE_POLLS * SETTLE_INTERVAL:g}s; "
                        "no terminal task to judge with")


def running_task(ctx: A2aContext, what: str) -> dict[str, Any]:
    """A task of the probe text sent with returnImmediately that is not yet terminal, or NotApplicable."""
    task = ctx.created_task(ctx.send(configuration={"returnImmediately": True}),
                            "SendMessage with the probe text and returnImmediately")
    state = wire.state_of(task)
    if state in wire.TERMINAL:
        raise NotApplicable(f"{what}: the probe task was already {state} when SendMessage (returnImmediately) "
                            "answered; there was no running task to subscribe to")
    return task


def finished_too_fast(ctx: A2aContext, task_id: str, answer: Answer, what: str) -> None:
    """An UnsupportedOperationError to a subscription is fine if the task has meanwhile ended: NotApplicable."""
    if answer.error is None or not answer.error.is_(UNSUPPORTED_OPERATION):
        return
    state = wire.state_of(ctx.get_task(task_id).task())
    if state in wire.TERMINAL:
        raise NotApplicable(f"{what}: the task was already {state} when SubscribeToTask arrived (the probe task "
                            "finishes too fast to subscribe to)")


def fresh_binding(ctx: A2aContext) -> Binding:
    """A binding of the same kind on a new connection to the agent (same default headers)."""
    peer = ctx.binding.peer.fresh()
    peer.default_headers = dict(getattr(ctx.binding.peer, "default_headers", {}))  # type: ignore[attr-defined]
    return type(ctx.binding)(peer, ctx.binding.path, ctx.binding.version)


def subscribe_on(binding: Binding, task_id: str, timeout: float, *, whole: bool = False) -> Answer:
    return binding.call("SubscribeToTask", {"id": task_id}, timeout=timeout, stop=None if whole else stream_ends)


def concurrent_subscriptions(ctx: A2aContext, task_id: str, timeouts: tuple[float, float]) -> list[Answer]:
    """Two SubscribeToTask streams on ``task_id``, opened at once from two threads on fresh connections."""
    bindings = [fresh_binding(ctx), fresh_binding(ctx)]
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(subscribe_on, b, task_id, t) for b, t in zip(bindings, timeouts)]
            return [f.result(timeout=max(timeouts) + 5) for f in futures]
    finally:
        for binding in bindings:
            binding.peer.close()


def update_keys(answer: Answer) -> list[str]:
    return [dumped(payload) for kind, payload in answer.canonical_events() if kind in UPDATES]


# --- SendStreamingMessage ---------------------------------------------------------------------------------------

@check("a2a.stream.sse", protocol="a2a")
def stream_is_sse(ctx: A2aContext) -> None:
    if ctx.binding.name == "grpc":
        raise NotApplicable("gRPC streams are server-streaming RPCs, not SSE; a2a.grpc.server-streaming judges them")

    def judge(answer: Answer, what: str) -> None:
        reply = answer.reply
        if answer.error is not None:
            raise Failure(f"{what}: {answer.describe()}; the card declares capabilities.streaming")
        if reply.status != 200 or reply.content_type != "text/event-stream":
            raise Failure(f"{what}: HTTP {reply.status}, Content-Type {reply.headers.get('content-type')!r}; the "
                          "stream must answer 200 with text/event-stream")
        bad = [p for p in reply.problems if "not JSON" in p or "middle of an event" in p]
        if bad or not answer.events:
            raise Failure(f"{what}: {'; '.join(bad) or 'no event with JSON data'}; every event must be an SSE "
                          "data line holding one JSON response")

    judge(probe_stream(ctx), "SendStreamingMessage with the probe text")
    task = ctx.created_task(ctx.send(configuration={"returnImmediately": True}),
                            "SendMessage with the probe text and returnImmediately")
    if wire.state_of(task) not in wire.TERMINAL:
        answer = ctx.subscribe(str(task.get("id")))
        if answer.error is None or not answer.error.is_(UNSUPPORTED_OPERATION):
            judge(answer, f"SubscribeToTask {task.get('id')!r}")


@check("a2a.stream.event-valid", protocol="a2a")
def stream_events_valid(ctx: A2aContext) -> None:
    answer = probe_stream(ctx)
    problems = answer.problems + ctx.result_errors(answer)
    if ctx.version == wire.V10:
        problems += [f"event {i}: holds {len([k for k in wire.EVENT_KEYS if k in e])} of task, message, statusUpdate "
                     "and artifactUpdate" for i, e in enumerate(answer.events)
                     if not isinstance(e, dict) or len([k for k in wire.EVENT_KEYS if k in e]) != 1]
    if problems:
        raise Failure(f"SendStreamingMessage with the probe text: {len(answer.events)} event(s), invalid: "
                      + "; ".join(problems[:5]))


@check("a2a.stream.message-only", protocol="a2a")
def stream_message_only(ctx: A2aContext) -> None:
    answer = read_whole(ctx, "SendStreamingMessage", stream_params(ctx))
    require_stream(ctx, answer, "SendStreamingMessage with the probe text")
    kinds = [kind for kind, _ in answer.canonical_events()]
    if kinds[0] != "message":
        raise NotApplicable(f"the agent's stream starts with {kinds[0]}, not a Message: it is not a message-only stream")
    if len(kinds) > 1:
        raise Failure(f"SendStreamingMessage with the probe text: the stream starts with a Message and then carries "
                      f"{len(kinds) - 1} more event(s) ({', '.join(map(str, kinds[1:6]))}); a message-only stream "
                      "holds exactly one Message (3.1.2)")
    if still_open(answer):
        raise Failure(f"SendStreamingMessage with the probe text: after its one Message the stream was still open "
                      f"{tail_timeout(ctx):g}s later; it must close immediately (3.1.2)")


@check("a2a.stream.task-first", protocol="a2a")
def stream_task_first(ctx: A2aContext) -> None:
    answer = probe_stream(ctx)
    kinds = [kind for kind, _ in answer.canonical_events()]
    if kinds[0] == "message":
        raise NotApplicable("the agent answered the probe with a message-only stream; no task stream to judge")
    if kinds[0] != "task":
        raise Failure(f"SendStreamingMessage with the probe text: the stream starts with {kinds[0] or 'an unknown event'}"
                      f" (events: {', '.join(map(str, kinds[:6]))}); a task stream must begin with the Task")


@check("a2a.stream.same-task", protocol="a2a")
def stream_same_task(ctx: A2aContext) -> None:
    answer = probe_stream(ctx)
    events = answer.canonical_events()
    first_kind, first = events[0]
    if first_kind == "message":
        raise NotApplicable("the agent answered the probe with a message-only stream; no task updates to judge")
    if not isinstance(first, dict):
        raise Failure(f"SendStreamingMessage with the probe text: the first event is not an object: {str(first)[:120]}")
    task_id = first.get("id") if first_kind == "task" else first.get("taskId")
    context_id = first.get("contextId")
    wrong = [f"event {i} ({kind}) names task {p.get('taskId')!r} context {p.get('contextId')!r}"
             for i, (kind, p) in enumerate(events)
             if kind in UPDATES and isinstance(p, dict) and (p.get("taskId") != task_id or p.get("contextId") != context_id)]
    if wrong:
        raise Failure(f"SendStreamingMessage with the probe text: the stream is about task {task_id!r} context "
                      f"{context_id!r}, but " + "; ".join(wrong[:3]) + "; every update must name the stream's task")


@check("a2a.stream.closes-at-terminal", protocol="a2a")
def stream_closes_at_terminal(ctx: A2aContext) -> None:
    answer = read_whole(ctx, "SendStreamingMessage", stream_params(ctx))
    require_stream(ctx, answer, "SendStreamingMessage with the probe text")
    if answer.canonical_events()[0][0] == "message":
        raise NotApplicable("the agent answered the probe with a message-only stream (see a2a.stream.message-only)")
    judge_closing(ctx, answer, "SendStreamingMessage with the probe text")


def timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def order_problems(events: list[tuple[str | None, Any]]) -> list[str]:
    problems: list[str] = []
    last: tuple[int, datetime] | None = None
    seen_artifacts: set[str] = set()
    for index, (kind, payload) in enumerate(events):
        if not isinstance(payload, dict):
            continue
        if kind == "task":
            seen_artifacts |= {a.get("artifactId") for a in payload.get("artifacts") or [] if isinstance(a, dict)}
        status = payload.get("status") if kind in ("task", "statusUpdate") else None
        at = timestamp(status.get("timestamp")) if isinstance(status, dict) else None
        if at is not None:
            try:
                if last is not None and at < last[1]:
                    problems.append(f"event {index} has status timestamp {status['timestamp']} earlier than event "
                                    f"{last[0]}'s")
                last = (index, at)
            except TypeError:  # one timestamp has a zone and the other not: not comparable, not judged
                last = (index, at)
        if kind == "artifactUpdate" and isinstance(payload.get("artifact"), dict):
            artifact_id = payload["artifact"].get("artifactId")
            if payload.get("append") is True and artifact_id not in seen_artifacts:
                problems.append(f"event {index} appends to artifact {artifact_id!r}, which no earlier event carried")
            seen_artifacts.add(artifact_id)
    return problems


@check("a2a.stream.order", protocol="a2a")
def stream_order(ctx: A2aContext) -> None:
    answer = probe_stream(ctx)
    problems = order_problems(answer.canonical_events())
    if problems:
        raise Failure("SendStreamingMessage with the probe text: events out of order: " + "; ".join(problems[:4]))


@check("a2a.stream.terminal-task-rejected", protocol="a2a")
def stream_terminal_task_rejected(ctx: A2aContext) -> None:
    task = settled_task(ctx)
    task_id, state = str(task.get("id")), wire.state_of(task)
    answer = ctx.stream(task_id=task_id, context_id=task.get("contextId"))
    what = f"SendStreamingMessage with a message for task {task_id!r}, which is {state}"
    if ctx.version == wire.V10:
        ctx.require_error(answer, UNSUPPORTED_OPERATION, what)
    elif answer.error is None:
        raise Failure(f"{what}: the agent streamed {len(answer.events)} event(s) instead of an error; a terminal task "
                      "takes no more messages")
    after = wire.state_of(ctx.get_task(task_id).task())
    if after != state:
        raise Failure(f"{what}: the task is {after} afterwards; a terminal task must not be restarted")


@check("a2a.stream.final-flag", protocol="a2a")
def stream_final_flag(ctx: A2aContext) -> None:
    answer = read_whole(ctx, "SendStreamingMessage", stream_params(ctx))
    require_stream(ctx, answer, "SendStreamingMessage with the probe text")
    finals = [i for i, value in enumerate(answer.events)
              if isinstance(unwrapped_v03(value), dict) and unwrapped_v03(value).get("final") is True]
    if not finals:
        if still_open(answer):
            raise Skip(f"no status update with final true within {tail_timeout(ctx):g}s")
        raise NotApplicable("the probe stream carried no status update with final true")
    if finals[0] != len(answer.events) - 1:
        raise Failure(f"message/stream with the probe text: event {finals[0]} has final true, yet "
                      f"{len(answer.events) - 1 - finals[0]} event(s) followed; nothing may follow it")


@check("a2a.stream.final-at-terminal", protocol="a2a")
def stream_final_at_terminal(ctx: A2aContext) -> None:
    answer = probe_stream(ctx)
    terminal = [unwrapped_v03(value) for value, (kind, payload) in zip(answer.events, answer.canonical_events())
                if kind == "statusUpdate" and wire.state_of(payload) in wire.TERMINAL]
    if not terminal:
        raise NotApplicable("the probe stream carried no status update with a terminal state")
    wrong = [t for t in terminal if not (isinstance(t, dict) and t.get("final") is True)]
    if wrong:
        raise Failure(f"message/stream with the probe text: the status update reporting "
                      f"{wrong[0].get('status', {}).get('state') if isinstance(wrong[0], dict) else '?'} has final "
                      f"{wrong[0].get('final') if isinstance(wrong[0], dict) else None!r}; it should be true (9.3)")


@check("a2a.stream.final-snapshot", protocol="a2a")
def stream_final_snapshot(ctx: A2aContext) -> None:
    answer = read_whole(ctx, "SendStreamingMessage", stream_params(ctx))
    require_stream(ctx, answer, "SendStreamingMessage with the probe text")
    course = Course.of(answer)
    if course.end is None or course.end == len(course.events) - 1:
        raise NotApplicable("the agent sends no Task after the event that ends the stream (no final snapshot)")
    kind, payload = course.events[-1]
    if kind == "task" and not course.is_snapshot(len(course.events) - 1):
        raise Failure(f"SendStreamingMessage with the probe text: the final Task snapshot names task "
                      f"{payload.get('id') if isinstance(payload, dict) else None!r} in "
                      f"{wire.state_of(payload)}, but the stream reported task {course.task_id()!r} "
                      f"{course.end_state()}; a snapshot must repeat the stream's task and state (11.7)")
    if kind != "task":
        raise NotApplicable(f"the event after the end is a {kind}, not a Task snapshot (see "
                            "a2a.stream.closes-at-terminal)")


# --- several streams of one task --------------------------------------------------------------------------------

@check("a2a.stream.multiple-subscribers", protocol="a2a")
def stream_multiple_subscribers(ctx: A2aContext) -> None:
    what = "two SubscribeToTask streams opened at once"
    task = running_task(ctx, what)
    task_id = str(task.get("id"))
    timeout = tail_timeout(ctx)
    answers = concurrent_subscriptions(ctx, task_id, (timeout, timeout))
    for answer in answers:
        finished_too_fast(ctx, task_id, answer, what)
        require_stream(ctx, answer, f"SubscribeToTask {task_id!r}")
    first, second = (update_keys(a) for a in answers)
    shorter, longer = sorted((first, second), key=len)
    if shorter != longer[len(longer) - len(shorter):]:
        raise Failure(f"{what} on task {task_id!r}: the streams carried different updates ({len(first)} and "
                      f"{len(second)}; the later one is not the tail of the earlier); each stream must get the same "
                      "events in the same order (3.5.2)")
    if not any(update_keys(a) for a in answers):
        raise NotApplicable(f"{what}: neither stream carried an update after its Task; nothing to compare")


@check("a2a.stream.close-one-keeps-others", protocol="a2a")
def stream_close_one_keeps_others(ctx: A2aContext) -> None:
    what = "two SubscribeToTask streams, one closed early"
    task = running_task(ctx, what)
    task_id = str(task.get("id"))
    dropped, kept = concurrent_subscriptions(ctx, task_id, (DROP_AFTER, tail_timeout(ctx)))
    for answer in (dropped, kept):
        finished_too_fast(ctx, task_id, answer, what)
    require_stream(ctx, kept, f"SubscribeToTask {task_id!r} (the stream kept open)")
    if not still_open(dropped):
        raise NotApplicable(f"{what}: the task ended within {DROP_AFTER:g}s, before the harness dropped a stream")
    course = Course.of(kept)
    if course.end is None:
        if course.open:
            raise Skip(f"{what}: the task reached no terminal state within {tail_timeout(ctx):g}s")
        raise Failure(f"{what}: after the other stream was closed, the kept stream ended after "
                      f"{len(course.events)} event(s) without a terminal state; closing one stream must not end "
                      "the others (3.5.2)")
    missing = [key for key in update_keys(dropped) if key not in update_keys(kept)]
    if missing:
        raise Failure(f"{what}: the kept stream lacks {len(missing)} update(s) the dropped one received; it must "
                      "keep getting every event")
    state = wire.state_of(ctx.get_task(task_id).task())
    if state != course.end_state():
        raise Failure(f"{what}: the kept stream ended at {course.end_state()} but GetTask says {state}; closing a "
                      "stream must not change the task")


# --- SubscribeToTask --------------------------------------------------------------------------------------------

def subscription(ctx: A2aContext, what: str, *, whole: bool = False) -> tuple[str, Answer]:
    task = running_task(ctx, what)
    task_id = str(task.get("id"))
    answer = subscribe_on(ctx.binding, task_id, tail_timeout(ctx), whole=whole)
    finished_too_fast(ctx, task_id, answer, what)
    require_stream(ctx, answer, f"SubscribeToTask {task_id!r} (a task that was {wire.state_of(task)})")
    return task_id, answer


@check("a2a.subscribe.first-event-task", protocol="a2a")
def subscribe_first_event_task(ctx: A2aContext) -> None:
    task_id, answer = subscription(ctx, "SubscribeToTask on a running task")
    kind, payload = answer.canonical_events()[0]
    if kind != "task" or not isinstance(payload, dict):
        raise Failure(f"SubscribeToTask {task_id!r}: the first event is {kind or 'of no known kind'}, not the Task; "
                      "the stream must start with the task's current state (3.1.6)")
    if payload.get("id") != task_id or wire.state_of(payload) is None:
        raise Failure(f"SubscribeToTask {task_id!r}: the first Task is {payload.get('id')!r} in state "
                      f"{wire.state_of(payload)!r}; it must be the subscribed task with its current state")


@check("a2a.subscribe.events-valid", protocol="a2a")
def subscribe_events_valid(ctx: A2aContext) -> None:
    task_id, answer = subscription(ctx, "tasks/resubscribe on a running task")
    problems = answer.problems + ctx.result_errors(answer)
    other = [i for i, (kind, p) in enumerate(answer.canonical_events()) if isinstance(p, dict) and
             (p.get("id") if kind == "task" else p.get("taskId")) not in (task_id, None)]
    problems += [f"event {i} is about another task" for i in other]
    if problems:
        raise Failure(f"tasks/resubscribe {task_id!r}: " + "; ".join(problems[:5]))


@check("a2a.subscribe.closes-at-terminal", protocol="a2a")
def subscribe_closes_at_terminal(ctx: A2aContext) -> None:
    task_id, answer = subscription(ctx, "SubscribeToTask on a running task", whole=True)
    judge_closing(ctx, answer, f"SubscribeToTask {task_id!r}")
    if ctx.version == wire.V03:
        last = unwrapped_v03(answer.events[Course.of(answer).end or -1])
        if not (isinstance(last, dict) and last.get("final") is True):
            raise Failure(f"tasks/resubscribe {task_id!r}: the stream ended on an event without final true; a "
                          "resubscribed stream ends with the event carrying final true (7.9)")


@check("a2a.subscribe.terminal-rejected", protocol="a2a")
def subscribe_terminal_rejected(ctx: A2aContext) -> None:
    task = settled_task(ctx)
    task_id = str(task.get("id"))
    ctx.require_error(ctx.subscribe(task_id), UNSUPPORTED_OPERATION,
                      f"SubscribeToTask {task_id!r}, a task in {wire.state_of(task)} (3.1.6)")


@check("a2a.subscribe.not-found", protocol="a2a")
def subscribe_not_found(ctx: A2aContext) -> None:
    task_id = f"accord-missing-{new_id()}"
    ctx.require_error(ctx.subscribe(task_id), TASK_NOT_FOUND, f"SubscribeToTask {task_id!r}, an id no task has")
