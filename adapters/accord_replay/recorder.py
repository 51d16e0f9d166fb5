"""Recording: a Peer that wraps another and writes down every exchange."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from accord.peer import HttpWire, MessagePeer, Peer, Reply, StdioWire
from accord_http import HttpExchange, HttpPeer, redact_headers
from accord_stdio import End, Line, LinePeer

from .transcript import Book, pack

T = TypeVar("T")


class Recorder(MessagePeer):
    """``Recorder(peer)`` behaves as ``peer`` and records what crosses the wire.

    It is an :class:`HttpWire` or a :class:`StdioWire` exactly when the wrapped
    peer is (the constructor picks the matching subclass). ``save(path)``
    writes the transcript; copies made by ``fresh()`` record into the same one.
    """

    def __new__(cls, peer: Peer, *, _book: Book | None = None) -> Recorder:
        if cls is Recorder:
            if isinstance(peer, HttpPeer):
                cls = HttpRecorder
            elif isinstance(peer, LinePeer):
                cls = StdioRecorder
            else:
                raise TypeError(
                    f"Recorder can record peers of accord_http and accord_stdio, not {type(peer).__name__}"
                )
        return super().__new__(cls)

    def __init__(self, peer: Peer, *, _book: Book | None = None) -> None:
        super().__init__(peer.target, peer.limits)
        self.inner = peer
        self.log = peer.log
        self.transport = peer.transport
        self._book = _book if _book is not None else self._new_book(peer)
        self.connection = self._book.new_connection()

    def _new_book(self, peer: Peer) -> Book:
        raise NotImplementedError

    @property  # type: ignore[override]
    def protocol_version(self) -> str | None:
        return self.inner.protocol_version

    @protocol_version.setter
    def protocol_version(self, value: str | None) -> None:
        self.inner.protocol_version = value

    @property
    def transcript(self) -> dict[str, Any]:
        return self._book.data

    def save(self, path: str | os.PathLike[str]) -> Path:
        return self._book.save(path)

    def send(self, message: Mapping[str, Any] | bytes, *, timeout: float | None = None) -> Reply:
        return self.inner.send(message, timeout=timeout)

    def collect(self, duration: float) -> list[Any]:
        return self.inner.collect(duration)

    def fresh(self) -> Recorder:
        return Recorder(self.inner.fresh(), _book=self._book)

    def close(self) -> None:
        self.inner.close()

    def describe(self) -> str:
        return f"recording {self.inner.describe()}"


class HttpRecorder(Recorder, HttpWire):
    inner: HttpPeer

    def __init__(self, peer: Peer, *, _book: Book | None = None) -> None:
        super().__init__(peer, _book=_book)
        self.inner.observers.append(self._on_exchange)

    def _new_book(self, peer: Peer) -> Book:
        assert isinstance(peer, HttpPeer)
        return Book("http", peer.target, {"url": peer.url})

    @property  # type: ignore[override]
    def session_id(self) -> str | None:
        return self.inner.session_id

    @session_id.setter
    def session_id(self, value: str | None) -> None:
        self.inner.session_id = value

    @property  # type: ignore[override]
    def url(self) -> str:
        return self.inner.url

    def http(self, method: str, **options: Any) -> Reply:  # type: ignore[override]
        return self.inner.http(method, **options)

    def _on_exchange(self, exchange: HttpExchange) -> None:
        response = None
        if exchange.status is not None:
            response = {
                "status": exchange.status,
                "headers": [
                    [name, value] for name, value in _redacted_pairs(exchange.response_headers)
                ],
                "body": pack(exchange.response_body),
            }
        self._book.add(
            {
                "connection": self.connection,
                "request": {
                    "method": exchange.method,
                    "url": exchange.url,
                    "headers": exchange.request_headers,
                    "body": pack(exchange.request_body),
                },
                "response": response,
                "error": exchange.error,
                "error_type": exchange.error_type,
                "timed_out": exchange.timed_out,
                "timeout": exchange.timeout,
            }
        )


def _redacted_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, redact_headers([(name, value)])[name.lower()]) for name, value in pairs]


class StdioRecorder(Recorder, StdioWire):
    inner: LinePeer

    def __init__(self, peer: Peer, *, _book: Book | None = None) -> None:
        super().__init__(peer, _book=_book)
        self._current: dict[str, Any] | None = None
        self.inner.observers.append(self._on_event)

    def _new_book(self, peer: Peer) -> Book:
        return Book("stdio", peer.target, {"argv": list(getattr(peer, "argv", []))})

    def _record(self, op: str, call: Callable[[], T], *, keep_result: bool = False) -> T:
        entry: dict[str, Any] = {"connection": self.connection, "op": op, "sent": None, "received": []}
        self._current = entry
        try:
            result = call()
        finally:
            self._current = None
        if keep_result:
            entry["result"] = result
        self._book.add(entry)
        return result

    def _on_event(self, kind: str, payload: Any) -> None:
        entry = self._current
        if entry is None:
            return
        if kind == "write":
            entry["sent"] = pack(payload)
        elif kind == "write-problem":
            entry["write_problem"] = payload
        elif kind == "line" and isinstance(payload, Line):
            if payload.cut:
                entry.setdefault("cut", []).append(len(entry["received"]))
            entry["received"].append(pack(payload.raw))
        elif kind == "end" and isinstance(payload, End):
            entry["end"] = {"reason": payload.reason, "code": payload.code}

    def send(self, message: Mapping[str, Any] | bytes, *, timeout: float | None = None) -> Reply:
        return self._record("send", lambda: self.inner.send(message, timeout=timeout))

    def collect(self, duration: float) -> list[Any]:
        return self._record("collect", lambda: self.inner.collect(duration))

    def write_raw(self, data: bytes) -> None:
        self._record("write_raw", lambda: self.inner.write_raw(data))

    def read_lines(self, duration: float) -> list[bytes]:
        return self._record("read_lines", lambda: self.inner.read_lines(duration))

    def stderr_text(self) -> str:
        return self._record("stderr_text", self.inner.stderr_text, keep_result=True)

    def close_stdin(self) -> None:
        self._record("close_stdin", self.inner.close_stdin)

    def wait_exit(self, timeout: float) -> int | None:
        return self._record("wait_exit", lambda: self.inner.wait_exit(timeout), keep_result=True)

    @property
    def stdout_noise(self) -> list[bytes]:
        return self.inner.stdout_noise
