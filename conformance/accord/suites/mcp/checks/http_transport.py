"""Streamable HTTP: status codes, headers, sessions, protocol version, Origin
(basic/transports#streamable-http). SSE streams are judged in http_streams.

Every probe runs on a connection of its own (``ctx.fresh()``), so nothing
here disturbs the shared session.
"""

from __future__ import annotations

import json
from typing import Any

from ....outcomes import Failure, NotApplicable, Skip
from ....peer import HttpWire, Reply
from ....registry import check
from ..context import McpContext
from ..session import CLIENT_INFO, McpSession

UNSUPPORTED_VERSION = "1999-01-01"
MALFORMED_VERSION = "not-a-version"
FOREIGN_ORIGIN = "http://evil.example"
UNKNOWN_SESSION = "accord-unknown-session-0000"
SESSIONS_FOR_UNIQUENESS = 3
MIN_SESSION_ID_LENGTH = 8


# --- helpers shared with http_streams and auth ----------------------------
def body(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode("utf-8")


def ping(request_id: Any = "accord-http-ping") -> bytes:
    return body({"jsonrpc": "2.0", "id": request_id, "method": "ping"})


def initialize_body(version: str, request_id: Any = "accord-http-init") -> bytes:
    return body({"jsonrpc": "2.0", "id": request_id, "method": "initialize",
                 "params": {"protocolVersion": version, "capabilities": {}, "clientInfo": CLIENT_INFO}})


def notification(method: str = "notifications/cancelled", params: dict[str, Any] | None = None) -> bytes:
    return body({"jsonrpc": "2.0", "method": method,
                 "params": params if params is not None else {"requestId": "accord-no-such-request",
                                                              "reason": "accord transport probe"}})


def is_success(reply: Reply) -> bool:
    return reply.status is not None and 200 <= reply.status < 300


def served(reply: Reply) -> bool:
    """A 2xx reply carrying a JSON-RPC result."""
    return is_success(reply) and isinstance(reply.response, dict) and "result" in reply.response


def status_text(reply: Reply) -> str:
    if reply.status is None:
        return "no HTTP response (" + ("; ".join(reply.problems) or "nothing came") + ")"
    return f"HTTP {reply.status}"


def http_session(ctx: McpContext) -> tuple[McpSession, HttpWire]:
    """A fresh connection (not initialized) and its raw HTTP access; NotApplicable off HTTP."""
    session = ctx.fresh()
    return session, ctx.http(session.peer)


def opened(ctx: McpContext) -> tuple[McpSession, HttpWire]:
    """A fresh, initialized connection; Skip when initialization itself fails (not a transport matter)."""
    session, wire = http_session(ctx)
    try:
        session.open()
    except Failure as failure:
        raise Skip(f"a new session could not be initialized ({failure.message})") from None
    return session, wire


def initialize_reply(ctx: McpContext) -> tuple[McpSession, HttpWire, Reply]:
    session, wire = http_session(ctx)
    reply = session.initialize()
    if not served(reply):
        raise Skip(f"initialize did not succeed ({reply.describe()}); see mcp.lifecycle.initialize-result")
    return session, wire, reply


def require_sessions(wire: HttpWire) -> str:
    if not wire.session_id:
        raise NotApplicable("the server does not use sessions (no MCP-Session-Id on the initialize response)")
    return wire.session_id


# --- POST -------------------------------------------------------------------
@check("mcp.http.json-or-sse", protocol="mcp")
def request_answered_with_json_or_sse(ctx: McpContext) -> None:
    session, _ = opened(ctx)
    reply = session.request("ping")
    if not is_success(reply):
        raise Skip(f"ping was refused ({reply.describe()}), so the content type of an answer cannot be judged")
    if reply.content_type == "text/event-stream":
        return
    if reply.content_type != "application/json":
        raise Failure(f"a POSTed ping was answered with Content-Type {reply.headers.get('content-type')!r}, "
                      "neither application/json nor text/event-stream")
    if len(reply.messages) != 1 or not isinstance(reply.messages[0], dict):
        raise Failure(f"a POSTed ping was answered with application/json that is not one JSON object: "
                      f"{reply.body[:300]!r}")


@check("mcp.http.notification-202", protocol="mcp")
def accepted_notification_gets_202(ctx: McpContext) -> None:
    session, _ = http_session(ctx)
    if session.initialize().response is None or session.init_result is None:
        raise Skip("initialize did not succeed; see mcp.lifecycle.initialize-result")
    reply = session.notify("notifications/initialized")
    if reply.status is None:
        raise Skip(f"the initialized notification got no HTTP response: {reply.describe()}")
    if reply.status >= 400:
        raise Skip(f"the server did not accept the initialized notification ({status_text(reply)}); "
                   "see mcp.http.unaccepted-input-error-status")
    if reply.status != 202:
        raise Failure(f"the initialized notification was accepted with HTTP {reply.status}, not 202 Accepted")
    if reply.body.strip():
        raise Failure(f"202 Accepted for the initialized notification came with a body: {reply.body[:200]!r}")


@check("mcp.http.unaccepted-input-error-status", protocol="mcp")
def unaccepted_input_gets_error_status(ctx: McpContext) -> None:
    """Notifications and a response the server has reason to refuse: each must get 202
    (accepted) or an HTTP error status. A plain 200 counts as acceptance, judged by
    mcp.http.notification-202; a JSON-RPC error under a success status is a refusal
    dressed as success."""
    _, wire = opened(ctx)
    probes: list[tuple[str, Reply]] = []
    if wire.session_id:
        probes.append(("a notification without MCP-Session-Id", wire.http("POST", body=notification(),
                                                                         with_session=False)))
        probes.append(("a notification with an unknown MCP-Session-Id",
                       wire.http("POST", body=notification(), headers={"MCP-Session-Id": UNKNOWN_SESSION})))
    probes.append((f"a notification with MCP-Protocol-Version {UNSUPPORTED_VERSION}",
                   wire.http("POST", body=notification(), headers={"MCP-Protocol-Version": UNSUPPORTED_VERSION})))
    probes.append(("a response to a request the server never sent",
                   wire.http("POST", body=body({"jsonrpc": "2.0", "id": "accord-never-asked", "result": {}}))))
    refused = []
    for what, reply in probes:
        status = reply.status
        if status is None or status == 202:
            continue
        if 400 <= status < 600:
            refused.append(what)
        elif 200 <= status < 300:
            if any(isinstance(m, dict) and "error" in m for m in reply.messages):
                raise Failure(f"{what} was refused with a JSON-RPC error under HTTP {status}, "
                              "not an HTTP error status")
        else:
            raise Failure(f"{what} was answered with HTTP {status}: neither 202 nor an error status")
    if not refused:
        raise NotApplicable("the server accepted every notification and response sent, so its refusal "
                            "could not be observed")


@check("mcp.http.accept-406", protocol="mcp")
def unacceptable_accept_may_get_406(ctx: McpContext) -> None:
    _, wire = opened(ctx)
    reply = wire.http("POST", body=ping(), headers={"Accept": "text/html"})
    if reply.status != 406:
        raise NotApplicable(f"a POST with Accept: text/html got {status_text(reply)}, not 406; "
                            "the server does not use this option")


# --- sessions ---------------------------------------------------------------
@check("mcp.http.session-id-issued", protocol="mcp")
def session_id_on_initialize(ctx: McpContext) -> None:
    _, _, reply = initialize_reply(ctx)
    if not reply.headers.get("mcp-session-id"):
        raise NotApplicable("the server does not use sessions (no MCP-Session-Id on the initialize response), "
                            "which the spec allows")


@check("mcp.http.session-id-visible-ascii", protocol="mcp")
def session_id_is_visible_ascii(ctx: McpContext) -> None:
    _, _, reply = initialize_reply(ctx)
    session_id = reply.headers.get("mcp-session-id")
    if not session_id:
        raise NotApplicable("the server does not use sessions (no MCP-Session-Id on the initialize response)")
    bad = sorted({f"0x{ord(c):02x}" for c in session_id if not 0x21 <= ord(c) <= 0x7E})
    if bad:
        raise Failure(f"the session id {session_id!r} holds characters outside 0x21-0x7E: {', '.join(bad)}")


@check("mcp.http.session-id-unique", protocol="mcp")
def session_ids_are_distinct_and_unguessable(ctx: McpContext) -> None:
    ids = []
    for _ in range(SESSIONS_FOR_UNIQUENESS):
        _, _, reply = initialize_reply(ctx)
        session_id = reply.headers.get("mcp-session-id")
        if not session_id:
            raise NotApplicable("the server does not use sessions (no MCP-Session-Id on the initialize response)")
        ids.append(session_id)
    if len(set(ids)) < len(ids):
        raise Failure(f"{len(ids)} initializations got the session ids {ids}: not all distinct")
    if all(i.isdigit() for i in ids):
        numbers = sorted(int(i) for i in ids)
        if numbers[-1] - numbers[0] < 1000:
            raise Failure(f"the session ids {ids} look like a counter, so they can be guessed")
    short = [i for i in ids if len(i) < MIN_SESSION_ID_LENGTH]
    if short:
        raise Failure(f"the session ids {short} are shorter than {MIN_SESSION_ID_LENGTH} characters, "
                      "too short to be unguessable")


@check("mcp.http.session-id-required", protocol="mcp")
def request_without_session_id_gets_400(ctx: McpContext) -> None:
    _, wire = opened(ctx)
    require_sessions(wire)
    reply = wire.http("POST", body=ping(), with_session=False)
    if reply.status == 400:
        return
    if served(reply):
        raise Failure("after initialization, a ping without MCP-Session-Id was served instead of refused "
                      "with 400 Bad Request")
    raise Failure(f"after initialization, a ping without MCP-Session-Id got {status_text(reply)}, "
                  "not 400 Bad Request")


def delete(wire: HttpWire) -> Reply:
    return wire.http("DELETE")


@check("mcp.http.session-terminated-404", protocol="mcp")
def terminated_session_gets_404(ctx: McpContext) -> None:
    _, wire = opened(ctx)
    session_id = require_sessions(wire)
    ended = delete(wire)
    if ended.status == 405:
        raise NotApplicable("the server does not let clients terminate sessions (DELETE got 405), "
                            "so no terminated session could be observed")
    if not is_success(ended):
        raise Skip(f"DELETE of the session got {status_text(ended)}; no terminated session to probe")
    reply = wire.http("POST", body=ping())
    if reply.status != 404:
        raise Failure(f"after DELETE of session {session_id!r} was answered {ended.status}, a ping carrying "
                      f"that session id got {status_text(reply)}, not 404 Not Found")


@check("mcp.http.delete-session", protocol="mcp")
def delete_ends_session_or_405(ctx: McpContext) -> None:
    _, wire = opened(ctx)
    require_sessions(wire)
    ended = delete(wire)
    if ended.status == 405:
        return
    if not is_success(ended):
        raise Failure(f"DELETE with MCP-Session-Id got {status_text(ended)}: it neither ended the session "
                      "nor was refused with 405 Method Not Allowed")
    after = wire.http("POST", body=ping())
    if served(after):
        raise Failure(f"DELETE was answered HTTP {ended.status}, yet the session still serves requests")


# --- protocol version header --------------------------------------------------
@check("mcp.http.protocol-version-header", protocol="mcp")
def bad_protocol_version_header_gets_400(ctx: McpContext) -> None:
    _, wire = opened(ctx)
    for value, what in ((UNSUPPORTED_VERSION, "an unsupported"), (MALFORMED_VERSION, "an invalid")):
        reply = wire.http("POST", body=ping(), headers={"MCP-Protocol-Version": value})
        if reply.status != 400:
            raise Failure(f"a ping with {what} MCP-Protocol-Version header ({value!r}) got {status_text(reply)}"
                          + (" and was served" if served(reply) else "") + ", not 400 Bad Request")


@check("mcp.http.protocol-version-absent", protocol="mcp")
def missing_protocol_version_header_is_tolerated(ctx: McpContext) -> None:
    _, wire = opened(ctx)
    reply = wire.http("POST", body=ping(), with_version=False)
    if served(reply):
        return
    if not wire.session_id:
        raise Skip(f"a ping without MCP-Protocol-Version got {status_text(reply)}; a server without sessions "
                   "may have no negotiated version to fall back on")
    raise Failure(f"in a session that negotiated a version, a ping without MCP-Protocol-Version got "
                  f"{reply.describe()} instead of being served")


# --- security -----------------------------------------------------------------
def foreign_origin_probe(ctx: McpContext) -> Reply:
    """An initialize with a foreign Origin, after a control initialize without one was served."""
    _, control = http_session(ctx)
    baseline = control.http("POST", body=initialize_body(ctx.version))
    if baseline.status == 401:
        raise Skip("the server requires authorization, so Origin validation cannot be told apart from it")
    if not served(baseline):
        raise Skip(f"an initialize without Origin was not served ({baseline.describe()})")
    _, wire = http_session(ctx)
    return wire.http("POST", body=initialize_body(ctx.version), headers={"Origin": FOREIGN_ORIGIN})


@check("mcp.http.origin-validated", protocol="mcp")
def foreign_origin_is_refused(ctx: McpContext) -> None:
    reply = foreign_origin_probe(ctx)
    if reply.status is not None and 400 <= reply.status < 500:
        return
    if served(reply) or is_success(reply):
        raise Failure(f"an initialize with Origin: {FOREIGN_ORIGIN} was served ({status_text(reply)}), though "
                      "the same request without Origin is served too: the Origin is not validated")
    raise Skip(f"an initialize with Origin: {FOREIGN_ORIGIN} got {reply.describe()}")


@check("mcp.http.origin-forbidden", protocol="mcp")
def foreign_origin_gets_403(ctx: McpContext) -> None:
    reply = foreign_origin_probe(ctx)
    if reply.status == 403:
        return
    if reply.status is None:
        raise Skip(f"an initialize with Origin: {FOREIGN_ORIGIN} got {reply.describe()}")
    raise Failure(f"an initialize with Origin: {FOREIGN_ORIGIN} got {status_text(reply)}"
                  + (" and was served" if served(reply) else "") + ", not 403 Forbidden")
