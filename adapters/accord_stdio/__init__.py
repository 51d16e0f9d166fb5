"""accord adapter for MCP over stdio: targets ``mcp+stdio:COMMAND ARGS...``.

The command line is split like a POSIX shell would (``shlex``), without a
shell. The server runs as a subprocess; newline-delimited JSON-RPC goes to
its stdin and comes from its stdout; stderr is kept as evidence. See
:mod:`accord_stdio.lines` for what ``send`` waits for.
"""

from __future__ import annotations

from .lines import NOT_JSON, End, Inbox, Line, LinePeer, encode_message, parse_line
from .process import START_GRACE, StdioPeer, command_from_target, open_peer

__all__ = [
    "NOT_JSON",
    "START_GRACE",
    "End",
    "Inbox",
    "Line",
    "LinePeer",
    "StdioPeer",
    "command_from_target",
    "encode_message",
    "open_peer",
    "parse_line",
]
