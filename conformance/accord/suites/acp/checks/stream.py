"""Run streams (POST /runs with mode stream; core-concepts/agent-run-lifecycle): what each SSE event holds and
the order events come in.

The order a stream must keep: run.created first; message.created, message.part and message.completed only
while the run is in progress and properly framed (a part or a completion only inside an open message, a
message opened only when none is open, every message completed before run.completed); exactly one closing
run event, last. Each check judges one of these rules on one streamed run of the agent; the framing of
messages (``frames``) is shared with messages.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ....outcomes import Failure
from ....peer import StreamEvent
from ....registry import check
from ..context import CLOSING_EVENTS, AcpContext, event_type, require_readable_stream
from .runs import SHOWN, event_problems, probe_input

MESSAGE_EVENTS = frozenset({"message.created", "message.part", "message.completed"})
COMPLETE_BEFORE = frozenset({"run.completed"})
"""Closing events before which every opened message must have been completed (a failed or cancelled run
may stop mid-message; an awaiting one may go on with it after the resume)."""


def streamed_events(ctx: AcpContext) -> list[StreamEvent]:
    """The events of one streamed run, read past its closing event until the stream ends, another event
    arrives (one is enough to show a breach) or the time limit passes; Failure if no event came at all."""
    closed = False

    def stop(event: StreamEvent) -> bool:
        nonlocal closed
        if closed:
            return True
        closed = event_type(event) in CLOSING_EVENTS
        return False

    reply = ctx.peer.request("POST", "/runs", json=ctx.run_request("stream", probe_input(ctx)), stop=stop)
    require_readable_stream(reply)
    if not reply.events:
        raise Failure(f"POST /runs with mode stream gave no SSE event: {reply.describe()[:SHOWN]}; a stream run is "
                      "answered with a text/event-stream of ACP events")
    return list(reply.events)


def types_of(events: list[StreamEvent]) -> str:
    return ", ".join(event_type(e) for e in events)


@dataclass
class Frame:
    """One message as a stream framed it."""

    opened: int
    """Index of its message.created event."""
    created: Any
    parts: list[Any] = field(default_factory=list)
    """The part of each message.part event, in order."""
    completed: Any = None
    """The message of its message.completed event (None if it never came)."""
    closed: int | None = None


def frames(values: list[Any]) -> list[Frame]:
    """The messages of a stream (event values, in order), skipping events that break the framing."""
    found: list[Frame] = []
    current: Frame | None = None
    for index, value in enumerate(values):
        kind = value.get("type") if isinstance(value, dict) else None
        if kind == "message.created":
            current = Frame(index, value.get("message"))
            found.append(current)
        elif kind == "message.part" and current is not None:
            current.parts.append(value.get("part"))
        elif kind == "message.completed" and current is not None:
            current.completed, current.closed = value.get("message"), index
            current = None
    return found


@check("acp.stream.events-valid", protocol="acp")
def stream_events_are_valid(ctx: AcpContext) -> None:
    for index, event in enumerate(streamed_events(ctx)):
        if event.value is None:
            raise Failure(f"SSE event {index} of the run stream carries data that is not JSON: {event.data[:200]!r}; "
                          "each event's data is one ACP Event")
        problems = event_problems(ctx, event.value)
        if problems:
            raise Failure(f"SSE event {index} of the run stream is not a valid ACP event: " + "; ".join(problems))


@check("acp.stream.starts-with-created", protocol="acp")
def stream_starts_with_run_created(ctx: AcpContext) -> None:
    events = streamed_events(ctx)
    first = events[0]
    if event_type(first) != "run.created":
        raise Failure(f"the run stream starts with {event_type(first)!r}, not run.created (events: "
                      f"{types_of(events)[:SHOWN]}); a run is created before anything else happens to it")
    run = first.value.get("run") if isinstance(first.value, dict) else None
    status = run.get("status") if isinstance(run, dict) else None
    if status != "created":
        raise Failure(f"the run.created event that opens the stream carries a run in status {status!r}; "
                      "it carries the run in status created")
    again = [i for i, e in enumerate(events) if i and event_type(e) == "run.created"]
    if again:
        raise Failure(f"run.created comes again at event {again[0]} of the stream (events: {types_of(events)[:SHOWN]})")


@check("acp.stream.one-closing-event", protocol="acp")
def stream_ends_with_one_closing_event(ctx: AcpContext) -> None:
    events = streamed_events(ctx)
    closing = [i for i, e in enumerate(events) if event_type(e) in CLOSING_EVENTS]
    kinds = types_of(events)[:SHOWN]
    if not closing:
        raise Failure(f"the run stream ended without run.completed, run.failed, run.cancelled or run.awaiting "
                      f"(events: {kinds})")
    if len(closing) > 1 or closing[0] != len(events) - 1:
        later = events[closing[0] + 1]
        raise Failure(f"{event_type(later)!r} follows the closing event {event_type(events[closing[0]])!r} "
                      f"(event {closing[0]}) of the run stream (events: {kinds}); a stream has exactly one "
                      "closing event and nothing after it")


@check("acp.stream.event-status-matches", protocol="acp")
def run_events_carry_their_status(ctx: AcpContext) -> None:
    run_ids: dict[str, int] = {}
    for index, event in enumerate(streamed_events(ctx)):
        kind = event_type(event)
        run = event.value.get("run") if isinstance(event.value, dict) else None
        if not kind.startswith("run.") or not isinstance(run, dict):
            continue
        if run.get("status") != kind.removeprefix("run."):
            raise Failure(f"event {index} of the run stream is {kind} but carries a run in status "
                          f"{run.get('status')!r}; a run.<state> event carries the run in that state")
        run_ids.setdefault(str(run.get("run_id")), index)
    if len(run_ids) > 1:
        shown = ", ".join(f"{run_id} (from event {i})" for run_id, i in run_ids.items())
        raise Failure(f"the run events of one stream carry different run_ids: {shown}")


def framing_problem(events: list[StreamEvent]) -> str | None:
    """The first message event that comes outside the run's in-progress time or breaks the framing."""
    in_progress = False
    open_at: int | None = None
    for index, event in enumerate(events):
        kind = event_type(event)
        if kind == "run.in-progress":
            in_progress = True
        elif kind in CLOSING_EVENTS:
            if open_at is not None and kind in COMPLETE_BEFORE:
                return f"the message opened at event {open_at} was never completed before {kind} (event {index})"
            in_progress = False
        elif kind in MESSAGE_EVENTS:
            if not in_progress:
                return f"{kind} at event {index} comes while the run is not in progress"
            if kind == "message.created":
                if open_at is not None:
                    return f"message.created at event {index} while the message opened at event {open_at} is open"
                open_at = index
            elif open_at is None:
                return f"{kind} at event {index} belongs to no open message (no message.created before it)"
            elif kind == "message.completed":
                open_at = None
    return None


@check("acp.stream.messages-in-progress", protocol="acp")
def message_events_come_while_in_progress(ctx: AcpContext) -> None:
    events = streamed_events(ctx)
    problem = framing_problem(events)
    if problem:
        raise Failure(f"{problem} (events: {types_of(events)[:SHOWN]}); message events come only between "
                      "run.in-progress and the closing event, each message as message.created, its "
                      "message.part events, message.completed")
