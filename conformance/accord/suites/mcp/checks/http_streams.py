"""Streamable HTTP: SSE streams on POST and GET, event ids, resumption
(basic/transports#sending-messages-to-the-server and the sections after it).

A server answers with SSE only when it wants to, so each check first finds a
request the server answers with a stream (ping, a list, or a safe tool call
with a progress token; the finding is remembered per run) and judges what it
observes. When no stream was ever observed the check is not applicable.
"""

from __future__ import annotations

import json
import re
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any

from ....outcomes import Failure, NotApplicable, Skip
from ....peer import HttpWire, Reply
from ....registry import check
from ..context import McpContext
from ..session import McpSession
from .http_transport import opened, status_text

GET_WINDOW = 1.5
"""Seconds a GET stream is read (it may stay open for ever)."""
TOOL_PROBES = 3
PREFERRED_TOOL_WORDS = ("progress", "log", "stream", "notif", "count")
SSE = "text/event-stream"

_EOL = re.compile(r"\r\n|\r|\n")
_FOUND: "weakref.WeakKeyDictionary[Any, list[tuple[str, dict[str, Any]]]]" = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Event:
    data: str
    id: str | None = None
    retry: str | None = None

    def message(self) -> Any:
        try:
            return json.loads(self.data)
        except ValueError:
            return None


def sse_events(raw: bytes) -> list[Event]:
    """The events of an SSE body (the WHATWG fields this module needs; an unfinished last event is dropped)."""
    events: list[Event] = []
    data: list[str] = []
    event_id: str | None = None
    retry: str | None = None
    pending = False
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    for line in _EOL.split(text):
        if line == "":
            if pending:
                events.append(Event("\n".join(data), event_id, retry))
            data, event_id, retry, pending = [], None, None, False
            continue
        if line.startswith(":"):
            continue
        name, colon, value = line.partition(":")
        value = value[1:] if colon and value.startswith(" ") else value
        pending = True
        if name == "data":
            data.append(value)
        elif name == "id":
            event_id = value
        elif name == "retry":
            retry = value
    return events


def is_response(message: Any) -> bool:
    return isinstance(message, dict) and "id" in message and "method" not in message and (
        "result" in message or "error" in message)


# --- provoking an SSE answer ------------------------------------------------
def candidate_requests(ctx: McpContext) -> list[tuple[str, dict[str, Any]]]:
    candidates: list[tuple[str, dict[str, Any]]] = [("ping", {"_meta": {"progressToken": "accord-sse-ping"}})]
    if "tools" not in ctx.capabilities:
        return candidates
    candidates.append(("tools/list", {"_meta": {"progressToken": "accord-sse-list"}}))
    from .tools import argument_examples, callable_tools

    try:
        tools = callable_tools(ctx, ctx.tools(), prefer=PREFERRED_TOOL_WORDS)
    except Skip:
        return candidates
    for number, tool in enumerate(tools[:TOOL_PROBES]):
        examples = argument_examples(tool["inputSchema"], ctx.settings.seed, 1)
        if examples:
            candidates.append(("tools/call", {"name": tool["name"], "arguments": examples[0],
                                              "_meta": {"progressToken": f"accord-sse-{number}"}}))
    return candidates


def sse_request(ctx: McpContext, session: McpSession, request_id: str) -> tuple[str, Reply]:
    """Send the run's SSE-provoking request on ``session`` (finding it first if need be);
    NotApplicable if the server answers none of the candidates with a stream."""
    known = _FOUND.get(ctx.suite)
    tried = []
    for method, params in known if known is not None else candidate_requests(ctx):
        reply = session.request(method, params, id=f"{request_id}-{len(tried)}")
        tried.append(f"{method}: {status_text(reply)} {reply.content_type or '(no content type)'}")
        if reply.content_type == SSE:
            _FOUND[ctx.suite] = [(method, params)]
            return method, reply
    if known is None:
        _FOUND[ctx.suite] = []
    raise NotApplicable("no request was answered with an SSE stream (" + "; ".join(tried or ["none tried"]) + ")")


def ended_early(reply: Reply) -> bool:
    """The stream closed without the response (and not because the harness stopped waiting)."""
    return reply.response is None and not any("within" in p or "still streaming" in p for p in reply.problems)


# --- POST-initiated streams ----------------------------------------------------
@check("mcp.http.sse-priming-event", protocol="mcp")
def sse_stream_starts_with_priming_event(ctx: McpContext) -> None:
    session, _ = opened(ctx)
    method, reply = sse_request(ctx, session, "accord-sse-priming")
    events = sse_events(reply.body)
    if not events:
        raise Failure(f"the SSE stream answering {method} carried no complete event")
    first = events[0]
    if first.id is None or first.data != "":
        raise Failure(f"the SSE stream answering {method} opened with an event with id {first.id!r} and data "
                      f"{first.data[:120]!r}, not a priming event with an id and empty data")


@check("mcp.http.sse-response-included", protocol="mcp")
def sse_stream_carries_the_response(ctx: McpContext) -> None:
    session, wire = opened(ctx)
    method, reply = sse_request(ctx, session, "accord-sse-response")
    if reply.response is not None:
        return
    if not ended_early(reply):
        raise Failure(f"the SSE stream answering {method} did not carry its response: {reply.describe()}")
    ids = [e.id for e in sse_events(reply.body) if e.id]
    if ctx.version >= "2025-11-25" and ids:
        resumed = wire.http("GET", headers={"Accept": SSE, "Last-Event-ID": ids[-1]},
                            timeout=ctx.settings.limits.read_timeout)
        if any(is_response(m) for m in resumed.messages):
            return
        raise Failure(f"the SSE stream answering {method} closed without its response, and resuming it with "
                      f"Last-Event-ID {ids[-1]!r} did not deliver it either ({resumed.describe()})")
    raise Failure(f"the SSE stream answering {method} closed without carrying its response: {reply.describe()}")


@check("mcp.http.sse-not-closed-early", protocol="mcp")
def sse_stream_not_closed_before_response(ctx: McpContext) -> None:
    session, _ = opened(ctx)
    method, reply = sse_request(ctx, session, "accord-sse-early")
    if reply.response is not None:
        return
    if ended_early(reply):
        raise Failure(f"the SSE stream answering {method} was closed before the response was sent: "
                      f"{reply.describe()}")
    raise Skip(f"the SSE stream answering {method} neither ended nor carried the response in time: "
               f"{reply.describe()}")


@check("mcp.http.sse-retry-before-close", protocol="mcp")
def early_close_is_announced_with_retry(ctx: McpContext) -> None:
    session, _ = opened(ctx)
    method, reply = sse_request(ctx, session, "accord-sse-retry")
    if reply.response is not None or not ended_early(reply):
        raise NotApplicable(f"the server did not close the SSE connection answering {method} before "
                            "the stream was finished")
    if not any(e.retry is not None for e in sse_events(reply.body)):
        raise Failure(f"the server closed the SSE connection answering {method} before the response, "
                      "without first sending an event with a retry field")


@check("mcp.http.sse-closed-after-response", protocol="mcp")
def sse_stream_ends_after_response(ctx: McpContext) -> None:
    session, _ = opened(ctx)
    sse_request(ctx, session, "accord-sse-end")
    raise Skip("the HTTP adapter stops reading a stream at the response, so whether the server ends the "
               "stream afterwards cannot be observed")


@check("mcp.http.event-id-unique", protocol="mcp")
def event_ids_unique_in_session(ctx: McpContext) -> None:
    session, _ = opened(ctx)
    method, first = sse_request(ctx, session, "accord-sse-ids-a")
    _, second = sse_request(ctx, session, "accord-sse-ids-b")
    ids = [e.id for reply in (first, second) for e in sse_events(reply.body) if e.id]
    if not ids:
        raise NotApplicable("the server gives its SSE events no ids")
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise Failure(f"two SSE streams of one session (answering {method}) reused the event id(s) {repeated}")


# --- GET streams ---------------------------------------------------------------
class Background:
    """One raw HTTP exchange run in a thread while the check does other things."""

    def __init__(self, wire: HttpWire, method: str, headers: dict[str, str], timeout: float):
        self.reply: Reply | None = None
        self._timeout = timeout
        self._thread = threading.Thread(target=self._run, args=(wire, method, headers), daemon=True,
                                        name="accord-check-background")
        self._thread.start()

    def _run(self, wire: HttpWire, method: str, headers: dict[str, str]) -> None:
        self.reply = wire.http(method, headers=headers, timeout=self._timeout)

    def result(self) -> Reply:
        self._thread.join(self._timeout + 5.0)
        return self.reply if self.reply is not None else Reply(problems=["the background exchange did not end"])


def get_stream(wire: HttpWire, timeout: float = GET_WINDOW) -> Reply:
    return wire.http("GET", headers={"Accept": SSE}, timeout=timeout)


@check("mcp.http.get-sse-or-405", protocol="mcp")
def get_opens_sse_or_405(ctx: McpContext) -> None:
    _, wire = opened(ctx)
    reply = get_stream(wire)
    if reply.status == 405:
        return
    if reply.status is None:
        raise Skip(f"a GET with Accept: text/event-stream got no response head: {reply.describe()}")
    if 200 <= reply.status < 300 and reply.content_type == SSE:
        return
    raise Failure(f"a GET with Accept: text/event-stream got HTTP {reply.status} with Content-Type "
                  f"{reply.headers.get('content-type')!r}: neither an SSE stream nor 405 Method Not Allowed")


def open_get_stream_while(ctx: McpContext, session: McpSession, wire: HttpWire, action: Any) -> tuple[Reply, Any]:
    """Run ``action()`` while a GET stream is open; the GET reply and what ``action`` returned."""
    background = Background(wire, "GET", {"Accept": SSE}, GET_WINDOW)
    time.sleep(0.2)
    try:
        outcome = action()
    finally:
        get_reply = background.result()
    if get_reply.status == 405:
        raise NotApplicable("the server offers no GET stream (405 Method Not Allowed)")
    if get_reply.content_type != SSE:
        raise Skip(f"the GET did not open an SSE stream ({status_text(get_reply)}); see mcp.http.get-sse-or-405")
    return get_reply, outcome


@check("mcp.http.get-stream-no-responses", protocol="mcp")
def get_stream_carries_no_responses(ctx: McpContext) -> None:
    session, wire = opened(ctx)
    get_reply, pings = open_get_stream_while(ctx, session, wire,
                                             lambda: [session.request("ping") for _ in range(2)])
    responses = [m for m in get_reply.messages if is_response(m)]
    if responses:
        raise Failure(f"the GET stream carried {len(responses)} JSON-RPC response(s): "
                      f"{json.dumps(responses[0])[:300]}", example=responses[:3])
    if not all(p.response is not None for p in pings):
        raise Skip("the pings sent while the GET stream was open were not answered")


@check("mcp.http.no-broadcast", protocol="mcp")
def server_messages_not_broadcast(ctx: McpContext) -> None:
    session, wire = opened(ctx)
    get_reply, (method, post_reply) = open_get_stream_while(
        ctx, session, wire, lambda: sse_request(ctx, session, "accord-broadcast"))
    on_get = {json.dumps(m, sort_keys=True) for m in get_reply.messages if not is_response(m)}
    on_post = {json.dumps(m, sort_keys=True) for m in post_reply.messages if not is_response(m)}
    if not on_get and not on_post:
        raise NotApplicable("the server sent no message of its own while two streams were open")
    both = sorted(on_get & on_post)
    if both:
        raise Failure(f"{len(both)} message(s) were sent both on the GET stream and on the stream answering "
                      f"{method}, first: {both[0][:300]}")


# --- resumption ------------------------------------------------------------------
@dataclass
class Resumption:
    method: str
    first_id: str
    own: set[str]
    """Messages of the stream being resumed, after the event resumed from."""
    foreign: set[str]
    """Messages of another stream of the session only."""
    replay: Reply


def dumps(message: Any) -> str:
    return json.dumps(message, sort_keys=True)


def resume(ctx: McpContext) -> Resumption:
    session, wire = opened(ctx)
    method, first = sse_request(ctx, session, "accord-resume-a")
    _, second = sse_request(ctx, session, "accord-resume-b")
    events = [e for e in sse_events(first.body) if e.id]
    if not events:
        raise NotApplicable("the server gives its SSE events no ids, so no stream can be resumed")
    start = events[0]
    after = sse_events(first.body)
    after = after[after.index(start) + 1:]
    own = {dumps(e.message()) for e in after if e.message() is not None}
    theirs = {dumps(e.message()) for e in sse_events(second.body) if e.message() is not None}
    replay = wire.http("GET", headers={"Accept": SSE, "Last-Event-ID": start.id or ""}, timeout=GET_WINDOW)
    return Resumption(method, start.id or "", own, theirs - own, replay)


@check("mcp.http.resume-supported", protocol="mcp")
def stream_can_be_resumed(ctx: McpContext) -> None:
    found = resume(ctx)
    if found.replay.content_type != SSE:
        raise NotApplicable(f"a GET with Last-Event-ID got {status_text(found.replay)}: the server does not "
                            "resume streams (which it may)")
    replayed = {dumps(m) for m in found.replay.messages}
    if not replayed & found.own:
        raise NotApplicable("a GET with Last-Event-ID opened a stream but replayed none of the messages sent "
                            "after that event")


@check("mcp.http.resume-no-foreign-replay", protocol="mcp")
def resumption_replays_only_its_stream(ctx: McpContext) -> None:
    found = resume(ctx)
    if found.replay.content_type != SSE:
        raise NotApplicable(f"a GET with Last-Event-ID got {status_text(found.replay)}: the server does not "
                            "resume streams")
    replayed = {dumps(m) for m in found.replay.messages}
    foreign = sorted(replayed & found.foreign)
    if foreign:
        raise Failure(f"resuming the stream answering {found.method} from event {found.first_id!r} replayed "
                      f"{len(foreign)} message(s) of another stream, first: {foreign[0][:300]}")
    if not replayed:
        raise NotApplicable("a GET with Last-Event-ID replayed nothing, so what it replays cannot be judged")
