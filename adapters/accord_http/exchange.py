"""Bounded HTTP exchanges shared by every HTTP peer (MCP Streamable HTTP, REST).

Each exchange runs in a short-lived worker thread that streams the response
and parses it as it arrives (JSON body or SSE events); the calling thread
waits at most the timeout and then takes whatever has arrived, so a server
that hangs or dribbles cannot hold the harness past its limits. A worker
left behind ends on its own at its next read or read timeout.
"""

from __future__ import annotations

import functools
import json
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from accord.peer import Limits, Reply, StreamEvent, WireLog

from .redact import redact_headers
from .sse import SseEvent, SseParser

LOG_BODY_CHARS = 65536
WORKER_MARGIN = 1.0
"""The worker's own per-read timeout exceeds the caller's deadline by this much,
so the caller's deadline decides, and a worker left behind still ends soon after."""


def _is_response(value: Any) -> bool:
    return isinstance(value, dict) and "id" in value and "method" not in value and (
        "result" in value or "error" in value
    )


def _same_id(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b and isinstance(a, str) == isinstance(b, str)


@dataclass(frozen=True)
class _Expect:
    """When to stop reading: at the response to ``request_id``, at any response, or at the end."""

    kind: str  # "id" | "any" | "end"
    request_id: Any = None
    stop: Callable[[StreamEvent], bool] | None = None
    """For "end": an SSE event after which reading stops early."""

    def satisfied_by(self, value: Any) -> bool:
        if self.kind == "id":
            return _is_response(value) and _same_id(value["id"], self.request_id)
        return self.kind == "any" and _is_response(value)


def _expectation(parsed: Any) -> _Expect:
    if isinstance(parsed, dict) and "method" in parsed and "id" in parsed:
        return _Expect("id", parsed["id"])
    if isinstance(parsed, dict) and "method" in parsed:
        return _Expect("end")
    return _Expect("any")


def _parse_json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None


@dataclass
class HttpExchange:
    """One HTTP request and what came back, for observers such as the replay recorder."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: bytes
    status: int | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: bytes = b""
    error: str | None = None
    """Transport failure before any status arrived: the exception's text..."""
    error_type: str | None = None
    """...and its class name (an httpx exception)."""
    timed_out: bool = False
    """The caller stopped waiting after ``timeout`` seconds (body is then partial)."""
    timeout: float = 0.0


class _Inflight:
    """State shared between the waiting caller and the worker reading the response."""

    def __init__(self, peer: HttpConnection, expect: _Expect) -> None:
        self.peer = peer
        self.limits = peer.limits
        self.expect = expect
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.abandoned = False
        self.status: int | None = None
        self.header_pairs: list[tuple[str, str]] = []
        self.content_type = ""
        self.body = bytearray()
        self.messages: list[Any] = []
        self.stream_events: list[StreamEvent] = []
        self.json_value: Any = None
        self.response: dict[str, Any] | None = None
        self.problems: list[str] = []
        self.exception: Exception | None = None
        self.events = 0
        self.bad_events: list[str] = []
        self.stream_unfinished = False

    def head(self, status: int, pairs: list[tuple[str, str]]) -> bool:
        with self.lock:
            if self.abandoned:
                return False
            self.status, self.header_pairs = status, pairs
            self.content_type = dict((k.lower(), v) for k, v in pairs).get("content-type", "")
            self.content_type = self.content_type.split(";")[0].strip().lower()
            self.peer.log.add(
                "received", "http-response", {"status": status, "headers": redact_headers(pairs)}
            )
            return True

    def add_bytes(self, chunk: bytes) -> bool:
        """Keep ``chunk`` as evidence; False once reading must stop."""
        with self.lock:
            if self.abandoned:
                return False
            room = self.limits.max_bytes - len(self.body)
            self.body.extend(chunk[: max(room, 0)])
            if len(chunk) > room:
                self.problems.append(
                    f"reply exceeds {self.limits.max_bytes} bytes; stopped reading"
                )
                return False
            return True

    def add_event(self, event: SseEvent) -> bool:
        """One SSE event; False once reading must stop."""
        with self.lock:
            if self.abandoned:
                return False
            self.events += 1
            if self.events > self.limits.max_events:
                self.problems.append(
                    f"more than {self.limits.max_events} SSE events; stopped reading"
                )
                return False
        if event.data == "":
            return True  # priming or keep-alive event: no message in it
        value = _parse_json(event.data.encode("utf-8"))
        received = StreamEvent(event.event, event.data, event.id, value)
        with self.lock:
            self.stream_events.append(received)
            if value is None and event.data.strip() != "null":
                self.bad_events.append(event.data[:200])
                return True
        if not self.add_message(value):
            return False
        return not (self.expect.stop is not None and self.expect.stop(received))

    def add_message(self, value: Any) -> bool:
        with self.lock:
            if self.abandoned:
                return False
            self.messages.append(value)
            self.peer.log.add("received", "message", value)
            if self.expect.satisfied_by(value):
                self.response = value
                return False
            return True

    def fail(self, problem: str, *, cause: Exception | None = None) -> None:
        with self.lock:
            if not self.abandoned:
                self.problems.append(problem)
                if cause is not None and self.status is None:
                    self.exception = cause

    def finish(self, timed_out: bool, timeout: float, started: float) -> Reply:
        with self.lock:
            self.abandoned = True
            problems = list(self.problems)
            if self.bad_events:
                problems.append(
                    f"{len(self.bad_events)} SSE event(s) with data that is not JSON, "
                    f"first: {self.bad_events[0]!r}"
                )
            waiting_for_id = self.expect.kind == "id" and self.response is None
            if timed_out:
                if self.status is None:
                    problems.append(f"no HTTP response within {timeout:g}s")
                elif waiting_for_id:
                    problems.append(
                        f"no response with id {self.expect.request_id!r} within {timeout:g}s"
                    )
                else:
                    problems.append(f"reply still streaming after {timeout:g}s; stopped reading")
            elif waiting_for_id and self.status is not None and 200 <= self.status < 300:
                if not problems:
                    where = "stream ended" if self.content_type == "text/event-stream" else "reply has"
                    problems.append(f"{where} no response with id {self.expect.request_id!r}")
            if self.stream_unfinished and not timed_out:
                problems.append("SSE stream ended in the middle of an event")
            return Reply(
                messages=list(self.messages),
                response=self.response,
                status=self.status,
                headers=_joined(self.header_pairs),
                body=bytes(self.body),
                problems=problems,
                elapsed=time.monotonic() - started,
                json=self.json_value,
                events=list(self.stream_events),
            )


def _joined(pairs: list[tuple[str, str]]) -> dict[str, str]:
    result: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        result[key] = f"{result[key]}, {value}" if key in result else value
    return result


def _transport_problem(exc: Exception, timeout: float) -> str:
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed: {exc}"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {timeout:g}s ({type(exc).__name__})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"HTTP protocol error: {exc}"
    return f"transport error: {exc or type(exc).__name__}"


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """httpx's default TLS settings, built once: building them costs ~50 ms per client."""
    return httpx.create_ssl_context()


class HttpConnection:
    """An httpx client whose every exchange is bounded by ``limits`` and logged to ``log``."""

    def __init__(
        self,
        limits: Limits,
        log: WireLog,
        transport_factory: Callable[[], httpx.BaseTransport] | None = None,
    ) -> None:
        self.limits = limits
        self.log = log
        self.observers: list[Callable[[HttpExchange], None]] = []
        """Called after every exchange (the replay recorder listens here)."""
        self._transport_factory = transport_factory
        transport = transport_factory() if transport_factory is not None else None
        self._client = httpx.Client(transport=transport, follow_redirects=False, verify=shared_ssl_context())
        del self._client.headers["accept"]  # our Accept is per request, or left out on purpose
        self._closed = False

    def close_client(self) -> None:
        try:
            self._client.close()
        except Exception:  # noqa: BLE001 - a worker may still hold a connection
            pass

    def _exchange(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes | None,
        timeout: float | None,
        expect: _Expect,
        *,
        allow_closed: bool = False,
        params: Any = None,
    ) -> Reply:
        started = time.monotonic()
        limit = self.limits.read_timeout if timeout is None else timeout
        if self._closed and not allow_closed:
            return Reply(problems=["peer is closed"])
        omitted = [name for name, value in headers.items() if value == ""]
        try:
            request = self._client.build_request(
                method,
                url,
                params=params,
                headers={k: v for k, v in headers.items() if v != ""},
                content=body,
                timeout=httpx.Timeout(limit + WORKER_MARGIN),
            )
        except (httpx.HTTPError, ValueError, TypeError) as exc:
            return Reply(problems=[f"cannot build the request: {exc}"])
        for name in omitted:
            if name in request.headers:
                del request.headers[name]
        self.log.add(
            "sent",
            "http-request",
            {
                "method": method,
                "url": str(request.url),
                "headers": redact_headers(request.headers.multi_items()),
                "body": (body or b"").decode("utf-8", errors="replace")[:LOG_BODY_CHARS],
            },
        )
        state = _Inflight(self, expect)
        worker = threading.Thread(
            target=self._read_response, args=(request, state, limit), daemon=True,
            name="accord-http-exchange",
        )
        worker.start()
        finished = state.done.wait(limit)
        reply = state.finish(not finished, limit, started)
        if reply.body and not reply.messages:
            self.log.add("received", "raw", reply.body.decode("utf-8", errors="replace")[:LOG_BODY_CHARS])
        for problem in reply.problems:
            self.log.add("note", "problem", problem)
        self._tell_observers(
            HttpExchange(
                method=method,
                url=str(request.url),
                request_headers=redact_headers(request.headers.multi_items()),
                request_body=body or b"",
                status=reply.status,
                response_headers=list(state.header_pairs),
                response_body=reply.body,
                error=None if state.exception is None else str(state.exception),
                error_type=None if state.exception is None else type(state.exception).__name__,
                timed_out=not finished,
                timeout=limit,
            )
        )
        return reply

    def _tell_observers(self, exchange: HttpExchange) -> None:
        for observer in list(self.observers):
            observer(exchange)

    def _read_response(self, request: httpx.Request, state: _Inflight, timeout: float) -> None:
        try:
            try:
                response = self._client.send(request, stream=True)
            except Exception as exc:  # noqa: BLE001 - any failure becomes a problem
                state.fail(_transport_problem(exc, timeout), cause=exc)
                return
            try:
                if not state.head(response.status_code, list(response.headers.multi_items())):
                    return
                if state.content_type == "text/event-stream":
                    self._read_sse(response, state)
                else:
                    self._read_body(response, state)
            except Exception as exc:  # noqa: BLE001
                state.fail(_transport_problem(exc, timeout))
            finally:
                response.close()
        finally:
            state.done.set()

    @staticmethod
    def _read_sse(response: httpx.Response, state: _Inflight) -> None:
        parser = SseParser()
        for chunk in response.iter_bytes():
            if not state.add_bytes(chunk):
                return
            for event in parser.feed(chunk):
                if not state.add_event(event):
                    return
        state.stream_unfinished = parser.unfinished

    @staticmethod
    def _read_body(response: httpx.Response, state: _Inflight) -> None:
        for chunk in response.iter_bytes():
            if not state.add_bytes(chunk):
                return
        with state.lock:
            body = bytes(state.body)
            json_expected = state.content_type == "application/json" or state.content_type.endswith("+json")
        if not body.strip():
            return
        if not json_expected:
            if 200 <= (state.status or 0) < 300 and state.expect.kind == "id":
                state.fail(f"unexpected content type {state.content_type or '(none)'!r} for a reply")
            return
        try:
            value = json.loads(body)
        except ValueError as exc:
            state.fail(f"response body is not valid JSON: {exc}")
            return
        with state.lock:
            state.json_value = value
        state.add_message(value)


