"""Logging (server/utilities/logging): logging/setLevel and notifications/message."""

from __future__ import annotations

import json
from typing import Any

from ....outcomes import Failure, Skip
from ....registry import check
from .. import declares
from ..context import McpContext
from ..session import no_response
from .tools import listed_tools, valid_calls

LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")
THRESHOLD = "warning"
"""The level set before provoking logs: messages below it must not come."""
INVALID_LEVEL = "accord-not-a-level"


def is_log_message(message: Any) -> bool:
    return isinstance(message, dict) and message.get("method") == "notifications/message" and "id" not in message


def observed_log_messages(ctx: McpContext) -> list[dict[str, Any]]:
    """Every notifications/message any peer of the run received, without repeats."""
    seen: dict[str, dict[str, Any]] = {}
    for peer in ctx.suite.peers:
        for message in peer.log.received_messages():
            if is_log_message(message):
                seen.setdefault(json.dumps(message, sort_keys=True), message)
    return list(seen.values())


@check("mcp.logging.capability-declared", protocol="mcp", kind="observer")
def log_messages_come_with_logging_capability(ctx: McpContext) -> None:
    messages = observed_log_messages(ctx)
    if not messages:
        raise Skip("no notifications/message was observed during the run")
    if not declares(ctx.capabilities, "logging"):
        raise Failure(f"the server sent {len(messages)} distinct notifications/message but does not declare "
                      "the logging capability", example=messages[0])


@check("mcp.logging.message-valid", protocol="mcp", kind="observer")
def log_messages_are_well_formed(ctx: McpContext) -> None:
    messages = observed_log_messages(ctx)
    if not messages:
        raise Skip("no notifications/message was observed during the run")
    for message in messages:
        ctx.validate("LoggingMessageNotification", message, "a notifications/message the server sent")
        params = message.get("params")
        if not isinstance(params, dict) or params.get("level") not in LEVELS or "data" not in params:
            raise Failure("a notifications/message lacks a known level or data", example=message)


@check("mcp.logging.set-level", protocol="mcp")
def every_level_can_be_set(ctx: McpContext) -> None:
    session = ctx.opened()
    definition = ctx.result_definition("logging/setLevel") or "EmptyResult"
    for level in LEVELS:
        result = session.call("logging/setLevel", {"level": level})
        ctx.validate(definition, result, f"the result of logging/setLevel {level!r}")
        extra = {key for key in result if key != "_meta"}
        if extra:
            raise Failure(f"logging/setLevel {level!r} returned a non-empty result: {json.dumps(result)[:300]}")


@check("mcp.logging.invalid-level", protocol="mcp")
def unknown_level_is_invalid_params(ctx: McpContext) -> None:
    session = ctx.opened()
    reply = session.request("logging/setLevel", {"level": INVALID_LEVEL})
    if reply.response is None:
        no_response(f"logging/setLevel {INVALID_LEVEL!r}", reply)
    error = reply.response.get("error")
    if not isinstance(error, dict) or error.get("code") != -32602:
        raise Failure(f"logging/setLevel {INVALID_LEVEL!r} should get error -32602; got {reply.describe()}")


@check("mcp.logging.level-respected", protocol="mcp")
def no_log_messages_below_the_set_level(ctx: McpContext) -> None:
    tools = listed_tools(ctx) if declares(ctx.capabilities, "tools") else []
    session = ctx.opened()
    mark = session.peer.log.mark()
    session.call("logging/setLevel", {"level": THRESHOLD})
    for call in valid_calls(ctx, tools, session=session, prefer=("log",)):
        if call.response is None:
            break
    session.peer.collect(ctx.settings.limits.quiet_period)
    received = [m for m in session.peer.log.received_messages(mark) if is_log_message(m)]
    if not received:
        raise Skip(f"after logging/setLevel {THRESHOLD!r} no notifications/message was observed "
                   "(tool calls made here provoked none)")
    floor = LEVELS.index(THRESHOLD)
    below = [m for m in received if isinstance(m.get("params"), dict) and m["params"].get("level") in LEVELS
             and LEVELS.index(m["params"]["level"]) < floor]
    if below:
        levels = sorted({m["params"]["level"] for m in below}, key=LEVELS.index)
        raise Failure(f"after logging/setLevel {THRESHOLD!r} the server sent notifications/message at "
                      f"{', '.join(levels)}", example=below[0])
