"""Cancellation (basic/utilities/cancellation)."""

from __future__ import annotations

import json
from typing import Any

from ....outcomes import Failure, NotApplicable, Skip
from ....peer import StdioWire
from ....registry import check
from ..context import McpContext
from ..session import McpSession
from .jsonrpc import id_key, kind_of, short, still_serves, traffic

CANCELLED = "notifications/cancelled"


def cancel_and_expect_silence(session: McpSession, params: Any, what: str) -> None:
    mark = session.peer.log.mark()
    reply = session.notify(CANCELLED, params)
    if any(kind_of(m) == "response" for m in reply.messages):
        raise Failure(f"{what} was answered: {reply.describe()}", example=params)
    session.peer.collect(session.peer.limits.quiet_period)
    stray = [m for m in session.peer.log.received_messages(mark) if kind_of(m) == "response"]
    if stray:
        raise Failure(f"{what} was answered: {short(stray[0])}", example=params)
    still_serves(session, what)


@check("mcp.cancellation.unknown-request-ignored", protocol="mcp")
def cancelling_an_unknown_request_is_ignored(ctx: McpContext) -> None:
    session = ctx.opened()
    cancel_and_expect_silence(session, {"requestId": "accord-never-sent", "reason": "accord probe"},
                              "a cancellation of a request id never used")


@check("mcp.cancellation.malformed-ignored", protocol="mcp")
def malformed_cancellations_are_ignored(ctx: McpContext) -> None:
    session = ctx.opened()
    cancel_and_expect_silence(session, {"reason": "no requestId"}, "a cancellation without requestId")
    cancel_and_expect_silence(session, {"requestId": {"not": "an id"}}, "a cancellation whose requestId is an object")


@check("mcp.cancellation.race-handled", protocol="mcp")
def cancelling_a_finished_request_is_harmless(ctx: McpContext) -> None:
    session = ctx.opened()
    request_id = "accord-finished-request"
    reply = session.request("ping", id=request_id)
    if reply.response is None:
        raise Skip(f"ping got no response ({reply.describe()}), so there is no finished request to cancel")
    cancel_and_expect_silence(session, {"requestId": request_id, "reason": "too late"},
                              "a cancellation of a request already answered")


@check("mcp.cancellation.no-response-after-cancel", protocol="mcp")
def cancelled_request_gets_no_response(ctx: McpContext) -> None:
    """Needs a request still in progress when the cancellation arrives. Over
    stdio a request and its cancellation are written in one go; if the answer
    still comes, the request finished first (a race the spec allows), so
    nothing is judged. Over HTTP that needs concurrent POSTs: not judged."""
    session = ctx.opened()
    if not isinstance(session.peer, StdioWire):
        raise Skip("needs a request still in progress while the cancellation is sent (stdio only)")
    request_id = "accord-to-cancel"
    request = {"jsonrpc": "2.0", "id": request_id, "method": "ping"}
    cancel = {"jsonrpc": "2.0", "method": CANCELLED, "params": {"requestId": request_id, "reason": "accord probe"}}
    mark = session.peer.log.mark()
    session.peer.write_raw((json.dumps(request) + "\n" + json.dumps(cancel) + "\n").encode())
    session.peer.collect(session.peer.limits.quiet_period * 2)
    answered = [m for m in session.peer.log.received_messages(mark)
                if kind_of(m) == "response" and id_key(m.get("id")) == id_key(request_id)]
    if answered:
        raise Skip("the request was answered before the cancellation could take effect (a race the spec allows)")
    still_serves(session, "a cancelled request")


@check("mcp.cancellation.server-cancels-own-requests-only", protocol="mcp", kind="observer")
def server_cancels_only_its_open_requests(ctx: McpContext) -> None:
    """accord never answers a server request, so every request the server
    issued earlier on the same session is still open."""
    seen, problems, examples = 0, [], []
    for peer in traffic(ctx):
        issued: set[str] = set()
        for item in peer.received:
            message = item.message
            if kind_of(message) == "request":
                issued.add(id_key(message.get("id")))
            elif kind_of(message) == "notification" and message.get("method") == CANCELLED:
                seen += 1
                params = message.get("params") if isinstance(message.get("params"), dict) else {}
                if id_key(params.get("requestId")) not in issued:
                    problems.append(f"cancels {params.get('requestId')!r}, which the server never issued")
                    examples.append(message)
    if not seen:
        raise NotApplicable("the server sent no cancellation notifications during the run")
    if problems:
        raise Failure(f"{len(problems)} of {seen} server cancellations name no open request of the server: "
                      + "; ".join(problems[:3]), example=examples[:3])

