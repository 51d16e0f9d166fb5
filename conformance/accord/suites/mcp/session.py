"""A minimal MCP client over a Peer: ids, initialize, calls, pagination.

Deliberately small and literal: it sends exactly what a check asks for and
hides nothing the server does, so checks can judge every byte.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, NoReturn

from ... import __version__
from ...outcomes import Failure, Skip
from ...peer import Peer, Reply

CLIENT_INFO = {"name": "accord", "version": __version__}
MAX_PAGES = 50


class McpSession:
    def __init__(self, peer: Peer, version: str):
        self.peer = peer
        self.version = version
        self.init_result: dict[str, Any] | None = None
        self._ids = itertools.count(1)

    def next_id(self) -> int:
        return next(self._ids)

    def request(self, method: str, params: Any = None, *, id: Any = None, timeout: float | None = None) -> Reply:
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": self.next_id() if id is None else id, "method": method}
        if params is not None:
            message["params"] = params
        return self.peer.send(message, timeout=timeout)

    def notify(self, method: str, params: Any = None) -> Reply:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        return self.peer.send(message)

    def initialize(self, version: str | None = None, capabilities: dict[str, Any] | None = None) -> Reply:
        # the first exchange on a new connection also waits out the agent's start-up
        limits = self.peer.limits
        reply = self.request(
            "initialize",
            {
                "protocolVersion": version or self.version,
                "capabilities": capabilities or {},
                "clientInfo": CLIENT_INFO,
            },
            timeout=max(limits.read_timeout, limits.start_timeout),
        )
        result = (reply.response or {}).get("result")
        if isinstance(result, dict):
            self.init_result = result
            negotiated = result.get("protocolVersion")
            if isinstance(negotiated, str):
                self.peer.protocol_version = negotiated
        return reply

    def open(self) -> dict[str, Any]:
        """initialize + notifications/initialized; the InitializeResult, or Failure."""
        reply = self.initialize()
        if self.init_result is None:
            raise Failure(f"initialize did not succeed: {reply.describe()}")
        self.notify("notifications/initialized")
        return self.init_result

    def call(self, method: str, params: Any = None) -> dict[str, Any]:
        """The result of a request that must succeed, or Failure saying what came instead."""
        reply = self.request(method, params)
        response = reply.response
        if response is None:
            no_response(method, reply)
        if "error" in response:
            raise Failure(f"{method} failed: {response['error']}")
        result = response.get("result")
        if not isinstance(result, dict):
            raise Failure(f"{method}: result is not an object: {result!r}"[:500])
        return result

    def call_error(self, method: str, params: Any = None) -> dict[str, Any]:
        """The error object of a request that must fail, or Failure saying what came instead."""
        reply = self.request(method, params)
        response = reply.response
        if response is None:
            no_response(method, reply)
        error = response.get("error")
        if not isinstance(error, dict):
            raise Failure(f"{method} with {params!r} succeeded where an error was required: {response}"[:600])
        return error

    def paginate(self, method: str, key: str, params: dict[str, Any] | None = None) -> "Pages":
        """Walk every page of a list method, stopping at a repeated cursor or MAX_PAGES."""
        pages = Pages()
        cursor: str | None = None
        while True:
            page_params = dict(params or {})
            if cursor is not None:
                page_params["cursor"] = cursor
            result = self.call(method, page_params or None)
            items = result.get(key)
            if not isinstance(items, list):
                raise Failure(f"{method}: result has no {key!r} array: {result}"[:500])
            pages.items.extend(items)
            pages.count += 1
            cursor = result.get("nextCursor")
            if cursor is None:
                return pages
            if not isinstance(cursor, str):
                raise Failure(f"{method}: nextCursor is not a string: {cursor!r}")
            if cursor in pages.cursors:
                pages.loop = cursor
                return pages
            pages.cursors.append(cursor)
            if pages.count >= MAX_PAGES:
                pages.truncated = True
                return pages


def misdirected(reply: Reply) -> list[Any]:
    """Responses in a reply that answer no request of ours: the id was not echoed."""
    return [
        m for m in reply.messages
        if isinstance(m, dict) and "method" not in m and ("result" in m or "error" in m) and m is not reply.response
    ]


def no_response(method: str, reply: Reply) -> NoReturn:
    """Failure for a request left unanswered; Skip when it was answered under another id,
    which is mcp.jsonrpc.id-echoed's breach and would otherwise fail every check."""
    stray = misdirected(reply)
    if stray:
        raise Skip(f"{method} was answered with id {stray[0].get('id')!r} instead of the request's; see mcp.jsonrpc.id-echoed")
    raise Failure(f"{method}: no response ({reply.describe()})")


@dataclass
class Pages:
    items: list[Any] = field(default_factory=list)
    count: int = 0
    cursors: list[str] = field(default_factory=list)
    loop: str | None = None
    """A cursor the server handed out twice: the walk would never end."""
    truncated: bool = False
