"""Ping (basic/utilities/ping)."""

from __future__ import annotations

from ....outcomes import expect
from ....registry import check
from ..context import McpContext


@check("mcp.ping.response", protocol="mcp")
def ping_answers_promptly_with_empty_result(ctx: McpContext) -> None:
    result = ctx.session.call("ping")
    ctx.validate(ctx.result_definition("ping") or "EmptyResult", result, "the ping result")
    expect(not {k for k in result if k != "_meta"}, f"ping result must be empty, got {result}")
