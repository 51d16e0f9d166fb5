"""Replaying a transcript offline, through the same peer code that recorded it."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import respx

from accord.peer import Limits, Reply, TargetError
from accord_http import HttpPeer
from accord_stdio import End, Inbox, LinePeer

from .transcript import Queues, unpack

NOT_IN_TRANSCRIPT = "not in transcript"
_DROPPED_HEADERS = {"content-length", "transfer-encoding", "content-encoding", "connection"}
"""Framing headers of the recorded response: the replayed body is already decoded and may be partial."""


class _Stall(httpx.SyncByteStream):
    """The recorded bytes, then silence: how a reply that ran out the clock is replayed."""

    def __init__(self, body: bytes, seconds: float) -> None:
        self._body = body
        self._seconds = seconds

    def __iter__(self) -> Iterator[bytes]:
        if self._body:
            yield self._body
        time.sleep(self._seconds)


class HttpScript:
    """Recorded HTTP exchanges, served by method and body, in recorded order per key."""

    def __init__(self, exchanges: list[dict[str, Any]]) -> None:
        self._queues = Queues()
        for exchange in exchanges:
            request = exchange["request"]
            self._queues.add((request["method"], unpack(request["body"])), exchange)

    def respond(self, request: httpx.Request) -> httpx.Response:
        body = request.content
        exchange = self._queues.take((request.method, body))
        if exchange is None:
            shown = body[:200].decode("utf-8", errors="replace")
            raise httpx.TransportError(f"{NOT_IN_TRANSCRIPT}: {request.method} {shown}")
        response = exchange.get("response")
        stall = float(exchange.get("timeout") or 0) + 0.5 if exchange.get("timed_out") else 0.0
        if response is None:
            if stall:
                time.sleep(stall)
            error_class = getattr(httpx, exchange.get("error_type") or "", None)
            if not (isinstance(error_class, type) and issubclass(error_class, httpx.TransportError)):
                error_class = httpx.TransportError
            raise error_class(exchange.get("error") or "recorded transport failure")
        headers = [
            (name, value) for name, value in response["headers"] if name.lower() not in _DROPPED_HEADERS
        ]
        content = unpack(response["body"])
        if stall:
            return httpx.Response(response["status"], headers=headers, stream=_Stall(content, stall))
        return httpx.Response(response["status"], headers=headers, content=content)


def replay_transport(exchanges: list[dict[str, Any]]) -> httpx.MockTransport:
    """An httpx transport (respx-routed) that answers from the transcript."""
    router = respx.Router(assert_all_called=False, assert_all_mocked=True)
    router.route().mock(side_effect=HttpScript(exchanges).respond)
    return httpx.MockTransport(router.handler)


def open_http_replay(target: str, limits: Limits, data: dict[str, Any]) -> HttpPeer:
    if not isinstance(data.get("url"), str):
        raise TargetError(f"the transcript for {target!r} has no endpoint \"url\"")
    transport = replay_transport(data["exchanges"])  # one script shared by fresh() peers
    return HttpPeer(target, limits, data["url"], transport_factory=lambda: transport)


class StdioScript:
    """Recorded stdio operations, keyed by (operation, bytes written)."""

    def __init__(self, exchanges: list[dict[str, Any]]) -> None:
        self.queues = Queues()
        for exchange in exchanges:
            sent = exchange.get("sent")
            self.queues.add((exchange["op"], None if sent is None else unpack(sent)), exchange)


class ReplayStdioPeer(LinePeer):
    """Serves recorded stdout lines in answer to recorded writes."""

    idle_ends_wait = True

    def __init__(self, target: str, limits: Limits, script: StdioScript, argv: list[str]) -> None:
        super().__init__(target, limits)
        self.inbox = Inbox(max_lines=1 << 62, max_bytes=1 << 62)  # filled up front, never waits
        self.argv = argv
        self._script = script
        self._op = "send"

    def _take(self, op: str, sent: bytes | None = None) -> dict[str, Any] | None:
        exchange = self._script.queues.take((op, sent))
        if exchange is None:
            self.log.add("note", "problem", f"{NOT_IN_TRANSCRIPT}: {op}")
            return None
        cut = set(exchange.get("cut", []))
        for index, packed in enumerate(exchange.get("received", [])):
            self.receive_line(unpack(packed), index in cut)
        end = exchange.get("end")
        if end:
            self.inbox.end(End(end["reason"], end.get("code")))
        return exchange

    # --- channel -----------------------------------------------------------
    def _write(self, data: bytes, timeout: float) -> str | None:
        exchange = self._take(self._op, data)
        if exchange is None:
            shown = data[:200].decode("utf-8", errors="replace").rstrip("\n")
            return f"{NOT_IN_TRANSCRIPT}: {shown}"
        return exchange.get("write_problem")

    def _close_input(self) -> None:
        self._take("close_stdin")

    # --- Peer / StdioWire ----------------------------------------------------
    def send(self, message: Mapping[str, Any] | bytes, *, timeout: float | None = None) -> Reply:
        self._op = "send"
        return super().send(message, timeout=timeout)

    def write_raw(self, data: bytes) -> None:
        self._op = "write_raw"
        super().write_raw(data)

    def collect(self, duration: float) -> list[Any]:
        self._take("collect")
        return super().collect(duration)

    def read_lines(self, duration: float) -> list[bytes]:
        self._take("read_lines")
        return super().read_lines(duration)

    def stderr_text(self) -> str:
        exchange = self._script.queues.take(("stderr_text", None))
        return str(exchange.get("result", "")) if exchange else ""

    def wait_exit(self, timeout: float) -> int | None:
        exchange = self._script.queues.take(("wait_exit", None))
        return exchange.get("result") if exchange else None

    def fresh(self) -> ReplayStdioPeer:
        return ReplayStdioPeer(self.target, self.limits, self._script, self.argv)

    def close(self) -> None:
        self._closed = True
        self.inbox.close()

    def describe(self) -> str:
        return f"stdio replay {self.target}"
