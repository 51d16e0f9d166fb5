"""The adapter seam: what accord needs from a transport to talk to an agent.

An adapter turns a target string into a :class:`Peer`. Adapters are found
through the ``accord.adapters`` entry-point group, keyed by the target's scheme
(``mcp+stdio``, ``mcp+http``, ``asgi``, ``replay``, or a vendor's own); each
entry point names a callable ``open_peer(target: str, limits: Limits) -> Peer``.

The peer is never trusted: every read an adapter makes is bounded by the
:class:`Limits` it was given, in time, bytes and events, and a peer that
hangs, floods or crashes shows up as ``problems`` on a :class:`Reply`, never
as a hung or crashed harness.
"""

from __future__ import annotations

import json
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Message = dict[str, Any]


class TargetError(ValueError):
    """The user's target string cannot be used; the message says how to mend it."""


class PeerUnavailable(RuntimeError):
    """The agent could not be started or reached at all (exit code 2)."""


@dataclass(frozen=True)
class Limits:
    """Bounds on every read from a peer."""

    read_timeout: float = 10.0
    """Seconds to wait for one reply (the whole of it, stream included)."""
    start_timeout: float = 20.0
    """Seconds a peer may take to start (subprocess spawn, server boot)."""
    max_bytes: int = 8 * 1024 * 1024
    """Bytes accepted in one reply before it is cut off."""
    max_events: int = 2000
    """Messages or SSE events accepted in one reply before it is cut off."""
    quiet_period: float = 0.3
    """Seconds of silence after which 'no reply' is taken as the answer
    (for example to check that a notification gets no response)."""


@dataclass(frozen=True)
class WireEvent:
    """One thing that crossed the wire, kept as evidence."""

    at: float
    direction: Literal["sent", "received", "note"]
    channel: str
    """'message', 'raw', 'http-request', 'http-response', 'stderr', 'exit', ..."""
    data: Any
    """A JSON-RPC message, a text, or a dict describing an HTTP exchange."""

    def render(self) -> dict[str, Any]:
        return {"direction": self.direction, "channel": self.channel, "data": self.data}


class WireLog:
    """Append-only record of what crossed the wire; checks read slices of it."""

    def __init__(self) -> None:
        self._events: list[WireEvent] = []
        self._lock = threading.Lock()

    def add(self, direction: Literal["sent", "received", "note"], channel: str, data: Any) -> None:
        with self._lock:
            self._events.append(WireEvent(time.monotonic(), direction, channel, data))

    def mark(self) -> int:
        with self._lock:
            return len(self._events)

    def since(self, mark: int) -> list[WireEvent]:
        with self._lock:
            return list(self._events[mark:])

    def received_messages(self, since: int = 0) -> list[Message]:
        return [
            e.data
            for e in self.since(since)
            if e.direction == "received" and e.channel == "message" and isinstance(e.data, dict)
        ]


NO_BODY: Any = object()
"""Marks a request sent without a JSON body (``json=None`` sends ``null``)."""


@dataclass(frozen=True)
class StreamEvent:
    """One Server-Sent Event as received: its name, raw data and the data parsed."""

    event: str
    data: str
    id: str | None = None
    value: Any = None
    """``data`` parsed as JSON (None if it is not JSON)."""


@dataclass
class Reply:
    """What came back for one thing sent: parsed messages plus the raw wire view."""

    messages: list[Any] = field(default_factory=list)
    """Every JSON value received in answer, in order (JSON-RPC messages, or
    whatever the peer sent that parsed as JSON)."""
    response: Message | None = None
    """The JSON-RPC response whose id matches the request, if one came."""
    status: int | None = None
    """HTTP status code; None on stdio."""
    headers: dict[str, str] = field(default_factory=dict)
    """HTTP response headers, names in lower case; empty on stdio."""
    body: bytes = b""
    """The raw bytes received (cut at the byte limit), for evidence."""
    problems: list[str] = field(default_factory=list)
    """What went wrong on the wire: timeout, overflow, undecodable frame,
    process exit. Empty when the exchange was clean."""
    elapsed: float = 0.0
    json: Any = None
    """The body parsed as JSON, when the response declared a JSON content type
    and the body parsed (None otherwise; ``problems`` says why)."""
    events: list[StreamEvent] = field(default_factory=list)
    """SSE events received, in order, with their names (REST peers)."""

    @property
    def answered(self) -> bool:
        """Whether the peer answered at all (an HTTP status, a JSON-RPC response); False when it stayed silent,
        refused the connection or broke off before answering."""
        return self.status is not None or self.response is not None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def describe(self) -> str:
        parts = []
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.response is not None:
            parts.append(json.dumps(self.response)[:400])
        elif self.events:
            parts.append(f"{len(self.events)} SSE event(s): " + ", ".join(e.event for e in self.events[:12]))
        elif self.json is not None:
            parts.append(json.dumps(self.json)[:400])
        elif self.messages:
            parts.append(f"{len(self.messages)} message(s), none a response")
        else:
            parts.append("no message")
        parts.extend(self.problems)
        return "; ".join(parts)


class Peer(ABC):
    """A live connection to one agent, speaking one transport.

    What is sent over it depends on the protocol's shape: a
    :class:`MessagePeer` carries JSON-RPC messages (MCP, A2A's JSON-RPC
    binding), a :class:`RestPeer` carries HTTP requests to resource paths
    (ACP, A2A's HTTP+JSON binding).
    """

    transport: str = ""
    """'stdio' or 'http' (third-party adapters may add their own)."""

    def __init__(self, target: str, limits: Limits) -> None:
        self.target = target
        self.limits = limits
        self.log = WireLog()

    @abstractmethod
    def fresh(self) -> "Peer":
        """A new, independent connection to the same agent (stdio: a new
        process; HTTP: a new client with no session)."""

    @abstractmethod
    def close(self) -> None:
        """Release everything; never raises, never blocks past the limits."""

    def describe(self) -> str:
        return f"{self.transport} peer {self.target}"

    def __enter__(self) -> "Peer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class MessagePeer(Peer):
    """A peer that carries JSON-RPC messages."""

    @abstractmethod
    def send(self, message: Mapping[str, Any] | bytes, *, timeout: float | None = None) -> Reply:
        """Send one JSON-RPC message (a mapping, serialised by the adapter)
        or raw bytes (sent exactly as given, for malformed-input checks).

        For a request (a mapping with an ``id`` and a ``method``) wait until
        the response with that id arrives, collecting every other message that
        comes first, within the limits. For anything else return as soon as
        the transport has an answer (HTTP: the status; stdio: at once).
        """

    @abstractmethod
    def collect(self, duration: float) -> list[Any]:
        """Messages that arrive unasked within ``duration`` seconds (stdio:
        lines on stdout; HTTP: nothing unless a stream is open)."""

    protocol_version: str | None = None
    """Set by the protocol layer after negotiation; HTTP adapters send it
    in the protocol's version header."""


StopWhen = Callable[[StreamEvent], bool]


class RestPeer(Peer):
    """A peer reached by HTTP requests to paths under one base URL."""

    base_url: str = ""

    @abstractmethod
    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = NO_BODY,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        stop: StopWhen | None = None,
    ) -> Reply:
        """One HTTP request to ``base_url + path``: ``json`` is serialised
        (with a JSON content type), ``body`` is sent as given. A JSON response
        is parsed into ``Reply.json``; an SSE response into ``Reply.events``,
        read until the stream ends, the limits are reached, or ``stop`` returns
        True for an event. A header given as an empty string is left out."""


class HttpWire(ABC):
    """Raw HTTP access, for transport checks. HTTP peers implement it."""

    session_id: str | None = None
    url: str = ""

    @abstractmethod
    def http(
        self,
        method: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        with_session: bool = True,
        with_version: bool = True,
        default_headers: bool = True,
        timeout: float | None = None,
    ) -> Reply:
        """One raw HTTP request to the endpoint. ``headers`` override the
        defaults (Accept, Content-Type, session id, protocol version); a
        header given as an empty string is left out. The body is parsed as
        JSON or SSE according to the response content type, within limits."""


class StdioWire(ABC):
    """Raw process access, for stdio transport checks. Stdio peers implement it."""

    @abstractmethod
    def write_raw(self, data: bytes) -> None: ...

    @abstractmethod
    def read_lines(self, duration: float) -> list[bytes]:
        """Raw stdout lines (without the newline) that arrive in ``duration``."""

    @abstractmethod
    def stderr_text(self) -> str:
        """All stderr captured so far (cut at the byte limit)."""

    @abstractmethod
    def close_stdin(self) -> None: ...

    @abstractmethod
    def wait_exit(self, timeout: float) -> int | None:
        """The exit code, or None if the process still runs after ``timeout``."""

    @property
    @abstractmethod
    def stdout_noise(self) -> list[bytes]:
        """Lines seen on stdout that were not JSON (kept as evidence)."""
