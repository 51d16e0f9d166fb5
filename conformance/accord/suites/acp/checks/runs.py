"""Runs (spec/openapi.yaml /runs paths, core-concepts/agent-run-lifecycle): the three modes, reading a run
back, refusals of bad run requests, and the event log of a run.

The helpers at the top are shared with stream.py and messages.py: the probe input, one run in each mode
(``exercise``), formats the schema only annotates (UUID, RFC 3339 date-time), a comparison that
tolerates what the spec leaves open (``canonical``), and the validation of one ACP event.
Cancelling (acp.runs.cancel-*) is judged in another module.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any
from weakref import WeakKeyDictionary

from ....outcomes import Failure, NotApplicable
from ....peer import Reply, RestPeer, StreamEvent
from ....registry import check
from ..context import CLOSING_EVENTS, PROBE_TEXT, SETTLED, AcpContext, RunTrace, event_type

MODES = ("sync", "async", "stream")
TEXT_RANGES = frozenset({"*/*", "text/*", "text/plain"})
UUID_TEXT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
EVENT_DEFINITIONS = {
    "message.created": "MessageCreatedEvent",
    "message.part": "MessagePartEvent",
    "message.completed": "MessageCompletedEvent",
    "generic": "GenericEvent",
    "run.created": "RunCreatedEvent",
    "run.in-progress": "RunInProgressEvent",
    "run.awaiting": "RunAwaitingEvent",
    "run.completed": "RunCompletedEvent",
    "run.failed": "RunFailedEvent",
    "run.cancelled": "RunCancelledEvent",
    "error": "ErrorEvent",
}
PLACEHOLDER_PART = {"content_type": "text/plain", "content": ""}
SHOWN = 300


# --- formats the schema leaves to annotations ----------------------------------------------------------
def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and UUID_TEXT.fullmatch(value) is not None


def parse_date_time(value: Any) -> datetime | None:
    """An RFC 3339 date-time as an aware datetime; None if ``value`` is not one."""
    if not isinstance(value, str) or DATE_TIME.fullmatch(value) is None:
        return None
    text = value.upper().replace("Z", "+00:00")
    if text[17:19] == "60":  # a leap second is valid RFC 3339 but not a Python datetime
        text = text[:17] + "59" + text[19:]
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def canonical(value: Any) -> Any:
    """``value`` with what the spec leaves open evened out: a member whose value is null is the same as an
    absent one (ERRATA E9), and a date-time is its instant, however it is written."""
    if isinstance(value, dict):
        return {key: canonical(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    if isinstance(value, str):
        instant = parse_date_time(value)
        if instant is not None:
            return instant.astimezone(timezone.utc).isoformat()
    return value


def shorten(value: Any, width: int = SHOWN) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


# --- input and runs ------------------------------------------------------------------------------------
def accepts_text(manifest: dict[str, Any] | None) -> bool:
    """Whether the agent takes text/plain input (unknown or unreadable manifest: assume it does)."""
    types = manifest.get("input_content_types") if isinstance(manifest, dict) else None
    if not isinstance(types, list) or not types:
        return True
    return any(isinstance(t, str) and t.split(";")[0].strip().lower() in TEXT_RANGES for t in types)


def probe_input(ctx: AcpContext, texts: tuple[str, ...] = (PROBE_TEXT,)) -> list[dict[str, Any]]:
    """One user message with a text/plain part per text; NotApplicable if the agent takes no text."""
    manifest = ctx.suite.manifest
    if not accepts_text(manifest):
        declared = ", ".join(map(str, (manifest or {}).get("input_content_types") or []))
        raise NotApplicable(f"the agent's manifest accepts no text/plain input (input_content_types: {declared}), "
                            "and accord has no other input to send it")
    return [{"role": "user", "parts": [{"content_type": "text/plain", "content": text} for text in texts]}]


_SIDE_PEERS: WeakKeyDictionary[Any, RestPeer] = WeakKeyDictionary()


def side_peer(ctx: AcpContext) -> RestPeer:
    """A second client to the agent, opened once per accord run (a new client costs more than a run of a
    fast agent), for a request made while the main client waits on another."""
    peer = _SIDE_PEERS.get(ctx.suite)
    if peer is None:
        opened = ctx.suite.open_peer(keep=True)
        assert isinstance(opened, RestPeer)
        peer = _SIDE_PEERS[ctx.suite] = opened
    return peer


def exercise(ctx: AcpContext, messages: list[dict[str, Any]] | None = None) -> dict[str, RunTrace]:
    """One run of the agent in each mode, followed until it is final or awaiting. The three run at the same
    time (the sync one on a client of its own), so a slow agent costs one run's time. Keys: sync, async,
    stream."""
    messages = messages or probe_input(ctx)
    pending = ctx.start_run("async", messages)
    with ThreadPoolExecutor(max_workers=1) as pool:
        sync = pool.submit(ctx.start_run, "sync", messages, peer=side_peer(ctx))
        traces = {"stream": ctx.start_run("stream", messages)}
        traces["sync"] = sync.result()
    if pending.status not in SETTLED:
        ctx.poll(pending)
    traces["async"] = pending
    return {mode: traces[mode] for mode in MODES}


def stream_values(events: list[StreamEvent]) -> list[Any]:
    return [event.value for event in events]


def runs_seen(trace: RunTrace) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every Run object the trace holds, with where it was seen."""
    if trace.mode == "stream":
        for index, event in enumerate(trace.events):
            if isinstance(event.value, dict) and isinstance(event.value.get("run"), dict):
                yield f"stream event {index} ({event_type(event)})", event.value["run"]
    elif isinstance(trace.created.json, dict):
        yield f"the {trace.mode} POST /runs reply (HTTP {trace.created.status})", trace.created.json
    for index, poll in enumerate(trace.polls, 1):
        if poll.status == 200 and isinstance(poll.json, dict):
            yield f"{trace.mode} run, GET /runs/{{run_id}} poll {index}", poll.json


def event_problems(ctx: AcpContext, value: Any) -> list[str]:
    """Why ``value`` is not a valid ACP event (empty: it is one). The message of a message.created event
    may have no parts yet (acp-sdk opens a message empty and streams its parts after)."""
    if not isinstance(value, dict):
        return [f"not a JSON object: {shorten(value, 120)}"]
    kind = value.get("type")
    definition = EVENT_DEFINITIONS.get(kind) if isinstance(kind, str) else None
    if definition is None:
        return [f"type {kind!r} is not an ACP event type ({', '.join(EVENT_DEFINITIONS)})"]
    message = value.get("message")
    if kind == "message.created" and isinstance(message, dict) and message.get("parts") == []:
        value = copy.deepcopy(value)
        value["message"]["parts"] = [PLACEHOLDER_PART]
    return ctx.errors(definition, value)


def first_mismatch(seen: list[Any], listed: list[Any]) -> str | None:
    """Where two event sequences first differ (None: the same events in the same order)."""
    for index, (a, b) in enumerate(zip(seen, listed)):
        if canonical(a) != canonical(b):
            kind_a = a.get("type") if isinstance(a, dict) else a
            kind_b = b.get("type") if isinstance(b, dict) else b
            if kind_a != kind_b:
                return f"event {index} is {kind_a!r} in the stream but {kind_b!r} in the list"
            return f"event {index} ({kind_a}) differs: streamed {shorten(a, 200)}, listed {shorten(b, 200)}"
    return None


def run_failure(what: str, reply: Reply) -> Failure:
    return Failure(f"{what}: got {reply.describe()[:SHOWN]}")


# --- the three modes -----------------------------------------------------------------------------------
@check("acp.runs.sync-final", protocol="acp")
def sync_run_answers_settled_run(ctx: AcpContext) -> None:
    reply = ctx.post_run(ctx.run_request("sync", probe_input(ctx)))
    if reply.status != 200 or not isinstance(reply.json, dict):
        raise run_failure("POST /runs with mode sync must wait for the run and answer 200 with the Run", reply)
    status = reply.json.get("status")
    if status not in SETTLED:
        raise Failure(f"POST /runs with mode sync answered 200 with a run in status {status!r}; a sync run is "
                      f"answered once it is {', '.join(sorted(SETTLED))}")


@check("acp.runs.async-accepted", protocol="acp")
def async_run_accepted_then_settles(ctx: AcpContext) -> None:
    trace = ctx.start_run("async", probe_input(ctx))
    reply = trace.created
    if reply.status != 202 or not isinstance(reply.json, dict):
        raise run_failure("POST /runs with mode async must answer 202 Accepted with the Run", reply)
    run_id = ctx.require_run_id(trace, "POST /runs with mode async")
    ctx.poll(trace)
    if trace.status not in SETTLED:
        last = trace.polls[-1].describe()[:SHOWN] if trace.polls else "no poll"
        raise Failure(f"async run {run_id} did not reach {', '.join(sorted(SETTLED))} within "
                      f"{ctx.limits.read_timeout:g} s of polling GET /runs/{{run_id}}; statuses seen: "
                      f"{' -> '.join(trace.statuses) or 'none'}; last reply: {last}")


@check("acp.runs.stream-content-type", protocol="acp")
def stream_run_answers_event_stream(ctx: AcpContext) -> None:
    reply = ctx.post_run(ctx.run_request("stream", probe_input(ctx)))
    if reply.status != 200 or reply.content_type != "text/event-stream":
        raise Failure(f"POST /runs with mode stream must answer 200 with content type text/event-stream; got "
                      f"HTTP {reply.status} with {reply.content_type or 'no content type'!r}: "
                      f"{reply.describe()[:200]}")


@check("acp.runs.mode-optional", protocol="acp")
def run_without_mode_is_answered(ctx: AcpContext) -> None:
    body = ctx.run_request("sync", probe_input(ctx))
    del body["mode"]
    reply = ctx.post_run(body)
    what = "POST /runs without a mode"
    if reply.status == 200 and reply.content_type == "text/event-stream":
        if not reply.events:
            raise Failure(f"{what} answered with an event stream that carried no event: {reply.describe()[:SHOWN]}")
        return
    if reply.status not in (200, 202) or not isinstance(reply.json, dict):
        raise run_failure(f"{what} must be accepted (mode is optional) and answered as a sync (200 Run), async "
                          "(202 Run) or stream (200 text/event-stream) run", reply)
    ctx.require_valid("Run", reply.json, f"the Run answering {what}")
    status = reply.json.get("status")
    if reply.status == 200 and status not in SETTLED:
        raise Failure(f"{what} answered 200 with a run in status {status!r}: neither a sync answer (a run that is "
                      f"{', '.join(sorted(SETTLED))}) nor an async one (202)")


# --- what a run looks like -----------------------------------------------------------------------------
def all_runs_seen(traces: dict[str, RunTrace]) -> list[tuple[str, dict[str, Any]]]:
    found = [seen for trace in traces.values() for seen in runs_seen(trace)]
    if not found:
        replies = "; ".join(f"{mode}: {trace.created.describe()[:150]}" for mode, trace in traces.items())
        raise Failure(f"no Run came back for a run created in any of the three modes ({replies})")
    return found


@check("acp.runs.run-schema", protocol="acp")
def every_run_is_valid(ctx: AcpContext) -> None:
    for where, run in all_runs_seen(exercise(ctx)):
        ctx.require_valid("Run", run, f"the Run in {where}")
        if not is_uuid(run.get("run_id")):
            raise Failure(f"the Run in {where} has run_id {run.get('run_id')!r}; RunId is a UUID")
        if parse_date_time(run.get("created_at")) is None:
            raise Failure(f"the Run in {where} has created_at {run.get('created_at')!r}; it is an RFC 3339 date-time")


@check("acp.runs.agent-name-matches", protocol="acp")
def runs_name_their_agent(ctx: AcpContext) -> None:
    for where, run in all_runs_seen(exercise(ctx)):
        if run.get("agent_name") != ctx.agent:
            raise Failure(f"a run created for agent {ctx.agent!r} reports agent_name {run.get('agent_name')!r} in "
                          f"{where}; it must name the agent the run was created for")


def earlier_run_ids(ctx: AcpContext) -> set[str]:
    """run_ids of the runs created earlier in this accord run (from the replies to POST /runs)."""
    found: set[str] = set()
    for exchange in ctx.exchanges():
        if exchange.method != "POST" or exchange.path.rstrip("/") != "/runs":
            continue
        for value in exchange.received:
            run = value.get("run") if isinstance(value, dict) and isinstance(value.get("run"), dict) else value
            if isinstance(run, dict) and isinstance(run.get("run_id"), str):
                found.add(run["run_id"])
    return found


@check("acp.runs.run-id-unique", protocol="acp")
def every_run_gets_a_fresh_id(ctx: AcpContext) -> None:
    known = earlier_run_ids(ctx)
    fresh: dict[str, str] = {}
    for mode, trace in exercise(ctx).items():
        run_id = ctx.require_run_id(trace, f"POST /runs with mode {mode}")
        if not is_uuid(run_id):
            raise Failure(f"the {mode} run got run_id {run_id!r}; a RunId is a UUID")
        if run_id in fresh:
            raise Failure(f"the {fresh[run_id]} run and the {mode} run, created one after the other, both got run_id "
                          f"{run_id}; each POST /runs creates a run with a fresh run_id")
        if run_id in known:
            raise Failure(f"the {mode} run got run_id {run_id}, which a run created earlier in this accord run "
                          "already had; each POST /runs creates a run with a fresh run_id")
        fresh[run_id] = mode


# --- reading runs back ---------------------------------------------------------------------------------
@check("acp.runs.get-ok", protocol="acp")
def created_runs_can_be_read(ctx: AcpContext) -> None:
    for mode, trace in exercise(ctx).items():
        run_id = ctx.require_run_id(trace, f"POST /runs with mode {mode}")
        reply = ctx.get_run(run_id)
        if reply.status != 200 or not isinstance(reply.json, dict):
            raise run_failure(f"GET /runs/{run_id} for the run created in mode {mode} must answer 200 with the Run",
                              reply)
        ctx.require_valid("Run", reply.json, f"GET /runs/{run_id}")
        if reply.json.get("run_id") != run_id:
            raise Failure(f"GET /runs/{run_id} answered with the run {reply.json.get('run_id')!r}, not {run_id}")


@check("acp.runs.get-consistent", protocol="acp")
def read_back_matches_final_run(ctx: AcpContext) -> None:
    judged = 0
    traces = exercise(ctx)
    for mode in ("sync", "stream"):
        trace = traces[mode]
        final = trace.run
        if final is None or trace.run_id is None or trace.status not in SETTLED:
            continue
        judged += 1
        source = "the sync reply" if mode == "sync" else "the stream's closing event"
        reply = ctx.get_run(trace.run_id)
        if reply.status != 200 or not isinstance(reply.json, dict):
            raise run_failure(f"GET /runs/{trace.run_id} after the {mode} run stopped", reply)
        for member in ("status", "output"):
            if canonical(reply.json.get(member)) != canonical(final.get(member)):
                raise Failure(f"after the {mode} run {trace.run_id} stopped, GET /runs/{{run_id}} reports {member} "
                              f"{shorten(reply.json.get(member), 200)} but {source} gave "
                              f"{shorten(final.get(member), 200)}; both describe the same stopped run")
    if not judged:
        raise Failure("neither a sync nor a stream run gave a final Run to compare GET /runs/{run_id} with "
                      "(see acp.runs.sync-final and acp.stream.one-closing-event)")


# --- refusals ------------------------------------------------------------------------------------------
def run_paths(run_id: str) -> list[tuple[str, str, Any]]:
    """Every run route for ``run_id``: (method, path, JSON body or None)."""
    resume = {"run_id": run_id, "await_resume": {"type": "message", "message": {
        "role": "user", "parts": [{"content_type": "text/plain", "content": PROBE_TEXT}]}}, "mode": "sync"}
    return [
        ("GET", f"/runs/{run_id}", None),
        ("GET", f"/runs/{run_id}/events", None),
        ("POST", f"/runs/{run_id}/cancel", None),
        ("POST", f"/runs/{run_id}", resume),
    ]


def send(ctx: AcpContext, method: str, path: str, body: Any) -> Reply:
    if body is None:
        return ctx.peer.request(method, path)
    return ctx.peer.request(method, path, json=body)


@check("acp.runs.unknown-not-found", protocol="acp")
def unknown_run_is_not_found(ctx: AcpContext) -> None:
    run_id = str(uuid.uuid4())
    for method, path, body in run_paths(run_id):
        ctx.require_error(send(ctx, method, path, body), 404, "not_found",
                          f"{method} {path} for a run id no run has (a random UUID)")


BAD_RUN_IDS = ("not-a-uuid", "12345", "0000000000000000000000000000000g")
BAD_ID_ANSWERS = {404: "not_found", 400: "invalid_input", 422: "invalid_input"}


@check("acp.runs.bad-run-id-rejected", protocol="acp")
def malformed_run_id_is_refused(ctx: AcpContext) -> None:
    for bad in BAD_RUN_IDS:
        for method, path, body in run_paths(bad):
            reply = send(ctx, method, path, body)
            what = f"{method} {path} (the run id is not a UUID)"
            code = BAD_ID_ANSWERS.get(reply.status or 0)
            if code is None:
                raise run_failure(f"{what} must be refused with 404 not_found or 400/422 invalid_input", reply)
            ctx.require_error(reply, reply.status or 0, code, what)


def unused_agent_name() -> str:
    return f"accord-no-such-agent-{uuid.uuid4().hex[:12]}"


@check("acp.runs.unknown-agent-rejected", protocol="acp")
def run_for_unknown_agent_is_not_found(ctx: AcpContext) -> None:
    for mode in ("sync", "stream"):
        body = ctx.run_request(mode, probe_input(ctx))
        body["agent_name"] = unused_agent_name()
        reply = ctx.post_run(body)
        what = f"POST /runs in mode {mode} for agent {body['agent_name']!r}, which the server does not have"
        if reply.events or (isinstance(reply.json, dict) and "run_id" in reply.json):
            raise run_failure(f"{what} created a run; it must be refused with 404 not_found", reply)
        ctx.require_error(reply, 404, "not_found", what)


DROP: Any = object()
"""Marks a member left out of an otherwise good request."""


def invalid_run_requests(ctx: AcpContext) -> list[tuple[str, Any]]:
    """(what is wrong, body) pairs: each breaks RunCreateRequest in one way and is otherwise a good request."""
    good = ctx.run_request("async", probe_input(ctx))

    def changed(**members: Any) -> dict[str, Any]:
        body = copy.deepcopy(good)
        body.update(members)
        return {key: value for key, value in body.items() if value is not DROP}

    first = good["input"][0]
    part = first["parts"][0]
    return [
        ("no agent_name", changed(agent_name=DROP)),
        ("no input", changed(input=DROP)),
        ("an empty input list", changed(input=[])),
        ("a message with role 'assistant'", changed(input=[{**first, "role": "assistant"}])),
        ("a part with both content and content_url",
         changed(input=[{**first, "parts": [{**part, "content_url": "https://example.com/part.txt"}]}])),
        ("mode 'turbo', which is not sync, async or stream", changed(mode="turbo")),
    ]


@check("acp.runs.invalid-request-rejected", protocol="acp")
def invalid_run_request_is_refused(ctx: AcpContext) -> None:
    cases: list[tuple[str, Reply]] = [
        (what, ctx.post_run(body)) for what, body in invalid_run_requests(ctx)
    ]
    cases.append(("a body that is not JSON", ctx.peer.request(
        "POST", "/runs", body=b'{"agent_name": ', headers={"Content-Type": "application/json"})))
    failures = []
    for what, reply in cases:
        try:
            ctx.require_error(reply, {400, 422}, "invalid_input", f"POST /runs with {what}")
        except Failure as failure:
            failures.append(failure.message)
    if failures:
        raise Failure(f"{len(failures)} of {len(cases)} bodies that break RunCreateRequest were not refused with "
                      "422 (or 400) invalid_input: " + " | ".join(failures))


# --- failed runs ---------------------------------------------------------------------------------------
@check("acp.runs.failed-has-error", protocol="acp")
def failed_run_carries_error(ctx: AcpContext) -> None:
    traces = exercise(ctx)
    seen = [(where, run) for trace in traces.values() for where, run in runs_seen(trace)]
    for mode, trace in traces.items():
        if trace.status == "failed" and trace.run_id:
            reply = ctx.get_run(trace.run_id)
            if reply.status == 200 and isinstance(reply.json, dict):
                seen.append((f"GET /runs/{{run_id}} after the failed {mode} run", reply.json))
            listed = ctx.run_events(trace.run_id)
            events = listed.json.get("events") if isinstance(listed.json, dict) else None
            for index, event in enumerate(events if isinstance(events, list) else []):
                if isinstance(event, dict) and isinstance(event.get("run"), dict):
                    seen.append((f"GET /runs/{{run_id}}/events event {index} of the {mode} run", event["run"]))
    failed = [(where, run) for where, run in seen if run.get("status") == "failed"]
    if not failed:
        raise NotApplicable("no run of the agent failed on the probe input (statuses: "
                            + ", ".join(f"{mode} {trace.status or 'unknown'}" for mode, trace in traces.items())
                            + "), so there was no failed run to judge")
    for where, run in failed:
        error = run.get("error")
        if not isinstance(error, dict):
            raise Failure(f"the failed run in {where} has error {shorten(error, 120)}; a failed Run carries an "
                          "Error object with code and message")
        ctx.require_valid("Error", error, f"the error of the failed run in {where}")


# --- the event log -------------------------------------------------------------------------------------
def listed_events(ctx: AcpContext, run_id: str, what: str) -> list[Any]:
    reply = ctx.run_events(run_id)
    events = reply.json.get("events") if isinstance(reply.json, dict) else None
    if reply.status != 200 or not isinstance(events, list):
        raise run_failure(f"GET /runs/{run_id}/events for {what} must answer 200 with an object whose events "
                          "member is an array", reply)
    return events


@check("acp.runs.events-list-valid", protocol="acp")
def event_list_holds_valid_events(ctx: AcpContext) -> None:
    for mode, trace in exercise(ctx).items():
        run_id = ctx.require_run_id(trace, f"POST /runs with mode {mode}")
        for index, event in enumerate(listed_events(ctx, run_id, f"the {mode} run")):
            problems = event_problems(ctx, event)
            if problems:
                raise Failure(f"GET /runs/{run_id}/events of the {mode} run: event {index} is not a valid ACP event: "
                              + "; ".join(problems))


@check("acp.runs.events-replay", protocol="acp")
def event_list_replays_stream(ctx: AcpContext) -> None:
    trace = ctx.start_run("stream", probe_input(ctx))
    streamed = stream_values(trace.events)
    if not streamed or event_type(trace.events[-1]) not in CLOSING_EVENTS:
        raise Failure("the streamed run did not end with a closing run event, so there is no stopped run whose "
                      f"events could be listed: {trace.created.describe()[:SHOWN]}")
    run_id = ctx.require_run_id(trace, "POST /runs with mode stream")
    listed = listed_events(ctx, run_id, "the streamed run")
    closing = event_type(trace.events[-1])
    shape = (f"the stream delivered {len(streamed)} events ({', '.join(event_type(e) for e in trace.events)}), "
             f"GET /runs/{run_id}/events lists {len(listed)}")
    mismatch = first_mismatch(streamed, listed)
    if mismatch:
        raise Failure(f"{mismatch}; {shape}; the list must hold the streamed events in the same order")
    if len(listed) < len(streamed) or (closing != "run.awaiting" and len(listed) != len(streamed)):
        raise Failure(f"{shape}; after the run stopped ({closing}) the list must hold exactly the streamed events")
