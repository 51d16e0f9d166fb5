"""accord adapter for MCP Streamable HTTP: targets ``mcp+http://...`` and ``mcp+https://...``.

The part after ``mcp+`` is the MCP endpoint URL. Opening checks that a TCP
connection can be made (no MCP message is sent); every exchange afterwards is
bounded by the :class:`accord.peer.Limits` in time, bytes and SSE events.
"""

from __future__ import annotations

from .exchange import HttpConnection, HttpExchange
from .peer import HttpPeer, check_reachable, open_peer, url_from_target
from .redact import REDACTED, is_secret_header, redact_headers
from .sse import SseEvent, SseParser

__all__ = [
    "REDACTED",
    "HttpExchange",
    "HttpPeer",
    "SseEvent",
    "SseParser",
    "check_reachable",
    "is_secret_header",
    "open_peer",
    "redact_headers",
    "url_from_target",
]
