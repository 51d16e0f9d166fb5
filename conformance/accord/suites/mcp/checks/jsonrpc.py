"""JSON-RPC envelope rules (basic#messages, #requests, #responses, #notifications).

Envelope rules are judged twice over: by observers over every message of the
run (every peer's log), and by direct probes with crafted and malformed input.
The traffic helpers here are shared with the schema and progress checks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ....outcomes import Failure, NotApplicable, Skip
from ....peer import Peer, Reply
from ....registry import check
from ..context import McpContext
from ..session import McpSession, no_response

SHOWN = 3
"""Offending messages quoted in a failure message."""
UNKNOWN_METHOD = "accord/no-such-method"
MALFORMED_JSON = b'{"jsonrpc": "2.0", "id": 1, "method": "ping", \n'


# --- traffic of the run -----------------------------------------------------
@dataclass
class Received:
    message: Any
    position: int
    """Index of the event in its peer's log (orders it against what was sent)."""
    status: int | None = None
    """HTTP status of the response that carried it (None on stdio)."""


@dataclass
class PeerTraffic:
    """What one peer's log shows: requests accord sent, and everything received."""

    peer: Peer
    sent_requests: dict[str, tuple[str, int, Any]] = field(default_factory=dict)
    """id key -> (method, position, params) of every request accord sent as a mapping."""
    raw_frames: int = 0
    """Frames sent as raw bytes (malformed-input probes)."""
    received: list[Received] = field(default_factory=list)

    def responses(self) -> list[Received]:
        return [r for r in self.received if kind_of(r.message) == "response"]

    def notifications(self) -> list[Received]:
        return [r for r in self.received if kind_of(r.message) == "notification"]

    def server_requests(self) -> list[Received]:
        return [r for r in self.received if kind_of(r.message) == "request"]

    def request_for(self, response: dict[str, Any]) -> tuple[str, int, Any] | None:
        return self.sent_requests.get(id_key(response.get("id")))


def id_key(value: Any) -> str:
    """A key telling ids apart by value and JSON type (1 and "1" differ)."""
    return json.dumps(value, sort_keys=True)


def kind_of(message: Any) -> str:
    """'request', 'notification', 'response' or 'other' (not a JSON-RPC message at all)."""
    if not isinstance(message, dict):
        return "other"
    if "method" in message:
        return "request" if "id" in message else "notification"
    if "id" in message or "result" in message or "error" in message:
        return "response"
    return "other"


def traffic(ctx: McpContext) -> list[PeerTraffic]:
    """Every peer of the run with what its log shows."""
    return [peer_traffic(peer) for peer in ctx.suite.peers]


def peer_traffic(peer: Peer) -> PeerTraffic:
    found = PeerTraffic(peer)
    events = peer.log.since(0)
    status: int | None = None
    for position, event in enumerate(events):
        if event.direction == "received" and event.channel == "http-response" and isinstance(event.data, dict):
            status = event.data.get("status")
        if event.direction == "sent" and event.channel == "message" and isinstance(event.data, dict):
            data = event.data
            if "method" in data and "id" in data:
                found.sent_requests[id_key(data["id"])] = (str(data["method"]), position, data.get("params"))
        elif event.direction == "sent" and event.channel == "raw":
            found.raw_frames += 1
        elif event.direction == "sent" and event.channel == "http-request":
            previous = events[position - 1] if position else None
            follows_message = previous is not None and previous.direction == "sent" and previous.channel == "message"
            if not follows_message and isinstance(event.data, dict) and event.data.get("body"):
                found.raw_frames += 1
        elif event.direction == "received" and event.channel == "message":
            items = event.data if isinstance(event.data, list) else [event.data]
            found.received.extend(Received(item, position, status) for item in items)
    return found


def all_received(ctx: McpContext) -> Iterator[tuple[PeerTraffic, Received]]:
    for peer in traffic(ctx):
        for item in peer.received:
            yield peer, item


def short(message: Any, width: int = 300) -> str:
    text = json.dumps(message, ensure_ascii=False, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


def fail_with(problems: list[str], what: str, examples: list[Any]) -> None:
    if problems:
        shown = "; ".join(problems[:SHOWN])
        more = f" (and {len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
        raise Failure(f"{len(problems)} {what}: {shown}{more}", example=examples[:SHOWN])


def ensure_error_seen(ctx: McpContext) -> None:
    """Provoke one error response (unknown method) if the run has none yet,
    so error-shape rules are never judged on nothing."""
    if not any(isinstance(r.message, dict) and "error" in r.message for _, r in all_received(ctx)):
        ctx.session.request(UNKNOWN_METHOD)


def error_responses(ctx: McpContext) -> list[dict[str, Any]]:
    ensure_error_seen(ctx)
    found = [r.message for _, r in all_received(ctx) if kind_of(r.message) == "response" and "error" in r.message]
    if not found:
        raise Skip("no error response was observed in the run, not even to an unknown method")
    return found


# --- observers over all traffic ---------------------------------------------
@check("mcp.jsonrpc.version-field", protocol="mcp", kind="observer")
def every_message_says_jsonrpc_2(ctx: McpContext) -> None:
    received = [r.message for _, r in all_received(ctx)]
    if not received:
        raise Skip("no message from the server was observed in the run")
    bad = [m for m in received if not (isinstance(m, dict) and m.get("jsonrpc") == "2.0")]
    fail_with([f"jsonrpc={m.get('jsonrpc', '(missing)')!r} in {short(m)}" if isinstance(m, dict) else short(m)
               for m in bad], f"of {len(received)} messages lack \"jsonrpc\": \"2.0\"", bad)


@check("mcp.jsonrpc.id-not-null", protocol="mcp", kind="observer")
def ids_are_never_null(ctx: McpContext) -> None:
    """A null id is accepted only on an error response whose id may be unreadable
    or that the transport lets go without one: on a session where accord sent raw
    (malformed) frames, or in the body of an HTTP error status (Streamable HTTP lets
    a refused message's error body have no id)."""
    judged, problems, examples = 0, [], []
    for peer in traffic(ctx):
        for item in peer.received:
            message, kind = item.message, kind_of(item.message)
            if kind == "request":
                judged += 1
                if not is_request_id(message["id"]):
                    problems.append(f"server request with id {message['id']!r}: {short(message)}")
                    examples.append(message)
            elif kind == "response" and "id" in message:
                judged += 1
                refused = item.status is not None and item.status >= 400
                if message["id"] is None and not ("error" in message and (peer.raw_frames or refused)):
                    problems.append(f"response with a null id: {short(message)}")
                    examples.append(message)
                elif message["id"] is not None and not is_request_id(message["id"]):
                    problems.append(f"response with id of type {type(message['id']).__name__}: {short(message)}")
                    examples.append(message)
    if not judged:
        raise Skip("no request or response from the server was observed in the run")
    fail_with(problems, "messages carry a null or non-scalar id", examples)


def is_request_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


@check("mcp.jsonrpc.server-request-id-unique", protocol="mcp", kind="observer")
def server_request_ids_are_unique(ctx: McpContext) -> None:
    seen_any, problems, examples = False, [], []
    for peer in traffic(ctx):
        used: dict[str, Any] = {}
        for item in peer.server_requests():
            if item.message["id"] is None:
                continue  # a null id is mcp.jsonrpc.id-not-null's breach, not a reuse
            seen_any = True
            key = id_key(item.message["id"])
            if key in used:
                problems.append(f"id {item.message['id']!r} used again on one session: {short(item.message)}")
                examples.append(item.message)
            used[key] = item.message
    if not seen_any:
        raise NotApplicable("the server sent no requests of its own during the run")
    fail_with(problems, "server requests reuse an id", examples)


@check("mcp.jsonrpc.notification-no-id", protocol="mcp", kind="observer")
def notifications_have_no_id(ctx: McpContext) -> None:
    notification_methods = set(ctx.schema.notification_methods)
    judged, problems, examples = 0, [], []
    for _, item in all_received(ctx):
        message = item.message
        kind = kind_of(message)
        if kind == "notification":
            judged += 1
        elif kind == "request" and (message["method"] in notification_methods or str(message["method"]).startswith("notifications/")):
            judged += 1
            problems.append(f"notification {message['method']} carries id {message['id']!r}")
            examples.append(message)
    if not judged:
        raise NotApplicable("the server sent no notifications during the run")
    fail_with(problems, "notifications carry an id", examples)


@check("mcp.jsonrpc.result-xor-error", protocol="mcp", kind="observer")
def responses_have_result_xor_error(ctx: McpContext) -> None:
    responses = [r.message for _, r in all_received(ctx) if kind_of(r.message) == "response"]
    if not responses:
        raise Skip("no response from the server was observed in the run")
    bad = [m for m in responses if ("result" in m) == ("error" in m)]
    fail_with([("both result and error: " if "result" in m else "neither result nor error: ") + short(m) for m in bad],
              f"of {len(responses)} responses do not have exactly one of result and error", bad)


@check("mcp.jsonrpc.result-is-object", protocol="mcp", kind="observer")
def results_are_objects(ctx: McpContext) -> None:
    results = [r.message for _, r in all_received(ctx) if kind_of(r.message) == "response" and "result" in r.message]
    if not results:
        raise Skip("no successful response from the server was observed in the run")
    bad = [m for m in results if not isinstance(m["result"], dict)]
    fail_with([f"result is {type(m['result']).__name__}: {short(m)}" for m in bad],
              f"of {len(results)} results are not JSON objects", bad)


@check("mcp.jsonrpc.error-object-shape", protocol="mcp", kind="observer")
def error_objects_are_well_formed(ctx: McpContext) -> None:
    errors = error_responses(ctx)
    problems, examples = [], []
    for message in errors:
        error = message["error"]
        if not isinstance(error, dict):
            problems.append(f"error is {type(error).__name__}, not an object: {short(message)}")
        elif not ("code" in error and is_json_integer(error["code"])):
            problems.append(f"error code {error.get('code', '(missing)')!r} is not an integer: {short(message)}")
        elif not isinstance(error.get("message"), str):
            problems.append(f"error message {error.get('message', '(missing)')!r} is not a string: {short(message)}")
        else:
            continue
        examples.append(message)
    fail_with(problems, f"of {len(errors)} error responses have a malformed error object", examples)


def is_json_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@check("mcp.jsonrpc.error-code-integer", protocol="mcp", kind="observer")
def error_codes_are_integers(ctx: McpContext) -> None:
    errors = [m for m in error_responses(ctx) if isinstance(m["error"], dict) and "code" in m["error"]]
    if not errors:
        raise Skip("no error response with a code was observed in the run")
    bad = [m for m in errors if not is_json_integer(m["error"]["code"])]
    fail_with([f"code {m['error']['code']!r} ({type(m['error']['code']).__name__})" for m in bad],
              f"of {len(errors)} error codes are not JSON integers", bad)


MAX_CONCISE = 300
"""Characters beyond which an error message is no longer a concise sentence."""


@check("mcp.jsonrpc.error-message-concise", protocol="mcp", kind="observer")
def error_messages_are_concise(ctx: McpContext) -> None:
    messages = [m for m in error_responses(ctx) if isinstance(m["error"], dict) and isinstance(m["error"].get("message"), str)]
    if not messages:
        raise Skip("no error response with a string message was observed in the run")
    bad = [m for m in messages if "\n" in m["error"]["message"].strip() or len(m["error"]["message"]) > MAX_CONCISE]
    fail_with([f"{len(m['error']['message'])} characters, {m['error']['message'].count(chr(10)) + 1} line(s): "
               f"{m['error']['message'][:120]!r}" for m in bad],
              f"of {len(messages)} error messages are not one short line", bad)


# --- probes -----------------------------------------------------------------
def answer_in(reply: Reply, request_id: Any = None, *, any_id: bool = False) -> dict[str, Any] | None:
    """The response in ``reply`` to ``request_id``; with ``any_id``, else one with a
    null or absent id (an error preferred), else the only response there is
    (a wrong id is the concern of mcp.jsonrpc.id-echoed, not of the caller)."""
    if reply.response is not None:
        return reply.response
    responses = [m for m in reply.messages if kind_of(m) == "response"]
    for message in responses:
        if "id" in message and id_key(message["id"]) == id_key(request_id):
            return message
    if not any_id:
        return None
    unnamed = sorted((m for m in responses if m.get("id") is None), key=lambda m: "error" not in m)
    if unnamed:
        return unnamed[0]
    return responses[0] if len(responses) == 1 else None


def still_serves(session: McpSession, what: str) -> None:
    reply = session.request("ping")
    if reply.response is not None and "result" in reply.response:
        return
    if any(kind_of(m) == "response" for m in reply.messages):
        raise Skip(f"after {what}, ping was answered but not with a matching result ({reply.describe()}); "
                   "see mcp.jsonrpc.id-echoed")
    raise Failure(f"after {what}, the session no longer answers ping: {reply.describe()}")


@check("mcp.jsonrpc.request-answered", protocol="mcp")
def every_request_is_answered_once(ctx: McpContext) -> None:
    session = ctx.opened()
    probes: list[tuple[Any, str]] = [("accord-answer-1", "ping"), (2_000_001, "ping"), ("accord-answer-3", UNKNOWN_METHOD)]
    for request_id, method in probes:
        reply = session.request(method, id=request_id)
        if answer_in(reply, request_id) is None:
            no_response(f"{method} with id {request_id!r}", reply)
    session.peer.collect(session.peer.limits.quiet_period)
    counts: dict[str, int] = {}
    for item in peer_traffic(session.peer).responses():
        if "id" in item.message:
            key = id_key(item.message["id"])
            counts[key] = counts.get(key, 0) + 1
    twice = [request_id for request_id, _ in probes if counts.get(id_key(request_id), 0) > 1]
    if twice:
        raise Failure(f"requests answered more than once: ids {twice}")


@check("mcp.jsonrpc.id-echoed", protocol="mcp")
def response_ids_echo_request_ids(ctx: McpContext) -> None:
    probes: list[tuple[Any, str]] = [("accord-echo-ß✓", "ping"), (424_242, "ping"), ("17", "ping"), (9_007, UNKNOWN_METHOD)]
    for request_id, method in probes:
        reply = ctx.session.request(method, id=request_id)
        if reply.response is not None:
            continue
        others = [m.get("id") for m in reply.messages if kind_of(m) == "response"]
        if others:
            raise Failure(f"{method} with id {request_id!r} ({type(request_id).__name__}) was answered with id(s) "
                          f"{others!r} instead", example={"id": request_id, "method": method})
        raise Skip(f"{method} with id {request_id!r} got no response at all ({reply.describe()}); "
                   "see mcp.jsonrpc.request-answered")


def error_code_probe(reply: Reply, expected: int, what: str, request_id: Any = None) -> dict[str, Any]:
    response = answer_in(reply, request_id, any_id=True)
    if response is None:
        raise Failure(f"{what} got no error response ({reply.describe()}); expected code {expected}")
    error = response.get("error")
    if not isinstance(error, dict):
        raise Failure(f"{what} got a non-error response {short(response)}; expected error code {expected}")
    if error.get("code") != expected or not is_json_integer(error.get("code")):
        raise Failure(f"{what} got error code {error.get('code')!r}; expected {expected}: {short(response)}")
    return response


@check("mcp.jsonrpc.parse-error", protocol="mcp")
def invalid_json_gets_parse_error(ctx: McpContext) -> None:
    """Over HTTP the transport lets the body of a rejected POST be empty, so a
    4xx status with no JSON-RPC body is accepted; any error body present must
    carry -32700."""
    session = ctx.opened()
    reply = session.peer.send(MALFORMED_JSON)
    rejected_by_status = reply.status is not None and 400 <= reply.status < 500
    if not (rejected_by_status and not any(kind_of(m) == "response" for m in reply.messages)):
        response = error_code_probe(reply, -32700, "a frame of invalid JSON")
        if response.get("id") is not None:
            raise Failure(f"the parse error carries id {response['id']!r}: the id of an unparsable frame cannot be known")
        if reply.status is not None and not 400 <= reply.status < 500:
            raise Failure(f"the parse error came with HTTP status {reply.status}; a rejected POST needs a 4xx status")
    still_serves(session, "a frame of invalid JSON")


@check("mcp.jsonrpc.invalid-request", protocol="mcp")
def invalid_request_objects_get_invalid_request(ctx: McpContext) -> None:
    session = ctx.opened()
    frames = [
        ("a request with jsonrpc \"1.0\"", "accord-bad-version", {"jsonrpc": "1.0", "id": "accord-bad-version", "method": "ping"}),
        ("a request whose method is a number", "accord-bad-method", {"jsonrpc": "2.0", "id": "accord-bad-method", "method": 42}),
    ]
    for what, request_id, frame in frames:
        reply = session.peer.send(json.dumps(frame).encode() + b"\n")
        error_code_probe(reply, -32600, what, request_id)


@check("mcp.jsonrpc.method-not-found", protocol="mcp")
def unknown_method_gets_method_not_found(ctx: McpContext) -> None:
    reply = ctx.session.request(UNKNOWN_METHOD)
    error_code_probe(reply, -32601, f"a request for the unknown method {UNKNOWN_METHOD!r}", "")


INVALID_PARAMS_PROBES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("tools", "tools/call", {"arguments": {}}),
    ("prompts", "prompts/get", {"arguments": {}}),
    ("resources", "resources/read", {}),
)
"""(capability, method, params lacking a required member) tried in order."""


@check("mcp.jsonrpc.invalid-params", protocol="mcp")
def bad_params_get_invalid_params(ctx: McpContext) -> None:
    for capability, method, params in INVALID_PARAMS_PROBES:
        if capability in ctx.capabilities:
            reply = ctx.session.request(method, params)
            error_code_probe(reply, -32602, f"{method} with params {params} (a required member missing)", "")
            return
    session = ctx.fresh()
    params = {"capabilities": {}, "clientInfo": {"name": "accord", "version": "0"}}
    reply = session.request("initialize", params)
    error_code_probe(reply, -32602, "initialize without protocolVersion", "")


@check("mcp.jsonrpc.no-response-to-notification", protocol="mcp")
def notifications_get_no_response(ctx: McpContext) -> None:
    session = ctx.opened()
    peer = session.peer
    mark = peer.log.mark()
    notifications: list[tuple[str, Any]] = [
        ("notifications/roots/list_changed", None),
        ("notifications/accord/unknown", {"note": "accord probe"}),
        ("notifications/progress", {"progressToken": {"not": "a token"}, "progress": "x"}),
    ]
    for method, params in notifications:
        reply = session.notify(method, params)
        if any(kind_of(m) == "response" for m in reply.messages):
            raise Failure(f"the notification {method} was answered: {reply.describe()}")
    peer.collect(peer.limits.quiet_period)
    before_ping = peer.log.mark()
    ping_reply = session.request("ping", id="accord-after-notifications")
    stray = [e.data for e in peer.log.since(mark)[: before_ping - mark]
             if e.direction == "received" and e.channel == "message" and kind_of(e.data) == "response"]
    in_reply = [m for m in ping_reply.messages if kind_of(m) == "response"]
    own = ping_reply.response if ping_reply.response is not None else (in_reply[-1] if in_reply else None)
    stray += [m for m in in_reply if m is not own]
    if stray:
        raise Failure(f"{len(stray)} response(s) to notifications arrived: {short(stray[0])}",
                      example=[m for m, _ in notifications])


# --- transport text encoding ------------------------------------------------
NON_ASCII_METHOD = "accord/ünïcødé-✓-😀"


@check("mcp.transport.utf8", protocol="mcp")
def server_output_is_utf8(ctx: McpContext) -> None:
    """Sends requests that carry non-ASCII text (some servers echo it in errors)
    and decodes every byte that came back strictly as UTF-8."""
    session = ctx.opened()
    peer = session.peer
    replies = [session.request(NON_ASCII_METHOD), session.request("ping", {"_meta": {"accord/note": "ünïcødé ✓"}})]
    if not any(r.response for r in replies):
        raise Skip(f"the server answered none of the probes ({replies[0].describe()})")
    bodies = [reply.body for reply in replies if reply.body] + list(getattr(peer, "stdout_noise", []))
    if not bodies:
        raise Skip(f"the {peer.transport} adapter gave no raw bytes of the replies to judge")
    for data in bodies:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Failure(f"the server sent bytes that are not UTF-8 ({exc.reason} at byte {exc.start}): "
                          f"{data[max(exc.start - 40, 0): exc.start + 40]!r}") from None
