"""The stdio transport (basic/transports#stdio, basic/lifecycle#stdio).

What the server writes to stdout is judged over every stdio peer of the run
(observers); exit on stdin close is probed on a fresh process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ....outcomes import Failure, NotApplicable, Skip
from ....peer import Peer, StdioWire
from ....registry import check
from ..context import McpContext

EXIT_WAIT = 5.0
"""Seconds a server gets to exit after its stdin is closed (at most the run's read timeout)."""
SHOWN = 3
FRAGMENT_STARTS = ("{", "}", "[", "]", '"')


@dataclass
class StdoutTraffic:
    """What the stdio peers of the run received on stdout, in order per peer."""

    messages: int = 0
    other_json: list[Any] = field(default_factory=list)
    """JSON values that are not JSON-RPC messages."""
    noise_runs: list[list[str]] = field(default_factory=list)
    """Consecutive stdout lines that were not JSON, one list per run."""

    @property
    def noise(self) -> list[str]:
        return [line for run in self.noise_runs for line in run]


def stdio_peers(ctx: McpContext) -> list[Peer]:
    return [peer for peer in ctx.suite.peers if isinstance(peer, StdioWire)]


def is_jsonrpc_message(value: Any) -> bool:
    """A request, notification or response by shape (envelope details are the jsonrpc checks' concern)."""
    if not isinstance(value, dict):
        return False
    if "method" in value:
        return isinstance(value["method"], str)
    return "id" in value and ("result" in value or "error" in value)


def stdout_traffic(ctx: McpContext) -> StdoutTraffic:
    found = StdoutTraffic()
    for peer in stdio_peers(ctx):
        run: list[str] = []
        for event in peer.log.since(0):
            if event.direction != "received" or event.channel not in ("message", "raw"):
                continue
            if event.channel == "raw":
                run.append(str(event.data))
                continue
            if run:
                found.noise_runs.append(run)
                run = []
            if is_jsonrpc_message(event.data):
                found.messages += 1
            else:
                found.other_json.append(event.data)
        if run:
            found.noise_runs.append(run)
    return found


def require_stdio(ctx: McpContext) -> StdoutTraffic:
    if not stdio_peers(ctx):
        raise NotApplicable("needs the stdio transport")
    found = stdout_traffic(ctx)
    if not found.messages and not found.noise_runs and not found.other_json:
        raise Skip("nothing was received on the server's stdout in this run")
    return found


def looks_like_split_json(run: list[str]) -> bool:
    """Whether consecutive non-JSON lines are pieces of one JSON value broken over lines."""
    if any(line.lstrip().startswith(FRAGMENT_STARTS) for line in run):
        joined = "\n".join(run)
        try:
            json.loads(joined)
            return True
        except ValueError:
            return any(line.strip() in ("{", "}", "[", "]", "},", "],") for line in run)
    return False


@check("mcp.stdio.stdout-only-jsonrpc", protocol="mcp", kind="observer")
def stdout_carries_only_jsonrpc(ctx: McpContext) -> None:
    found = require_stdio(ctx)
    plain = [line for run in found.noise_runs if not looks_like_split_json(run) for line in run]
    if plain or found.other_json:
        shown = [repr(line[:120]) for line in plain[:SHOWN]] + [json.dumps(v)[:120] for v in found.other_json[:SHOWN]]
        raise Failure(
            f"the server wrote {len(plain)} non-JSON line(s) and {len(found.other_json)} JSON value(s) that are not "
            f"JSON-RPC messages to stdout, among {found.messages} message(s): {'; '.join(shown)}",
            example=plain[:SHOWN] + found.other_json[:SHOWN])
    if not found.messages:
        raise Skip("no message was received on stdout in this run")


@check("mcp.stdio.newline-delimited", protocol="mcp", kind="observer")
def messages_are_single_lines(ctx: McpContext) -> None:
    found = require_stdio(ctx)
    split = [run for run in found.noise_runs if looks_like_split_json(run)]
    if split:
        raise Failure(
            f"{len(split)} message(s) on stdout were spread over several lines (embedded newlines), first: "
            + " \\n ".join(line[:80] for line in split[0][:6]),
            example=split[:SHOWN])
    if not found.messages:
        raise Skip("no message was received on stdout in this run")


@check("mcp.stdio.stderr-tolerated", protocol="mcp", kind="observer")
def stderr_is_utf8_text(ctx: McpContext) -> None:
    peers = stdio_peers(ctx)
    if not peers:
        raise NotApplicable("needs the stdio transport")
    texts = [peer.stderr_text() for peer in peers]  # type: ignore[attr-defined]
    written = [text for text in texts if text.strip()]
    if not written:
        raise NotApplicable("the server wrote nothing to stderr in this run (which it may)")
    undecodable = [text for text in written if "\ufffd" in text]
    if undecodable:
        at = undecodable[0].index("\ufffd")
        raise Failure("the server's stderr is not UTF-8 text: undecodable bytes near "
                      f"{undecodable[0][max(0, at - 40):at + 40]!r}")
    if not stdout_traffic(ctx).messages:
        raise Skip("the server wrote to stderr but no message was received on stdout")


@check("mcp.stdio.exit-on-stdin-close", protocol="mcp")
def exits_when_stdin_closes(ctx: McpContext) -> None:
    session = ctx.fresh()
    wire = ctx.stdio(session.peer)
    try:
        session.open()
    except Failure as failure:
        raise Skip(f"a fresh server process did not initialize ({failure.message})") from None
    wire.close_stdin()
    wait = min(EXIT_WAIT, ctx.settings.limits.read_timeout)
    if wire.wait_exit(wait) is None:
        raise Failure(f"after its stdin was closed, the server was still running {wait:g}s later")
