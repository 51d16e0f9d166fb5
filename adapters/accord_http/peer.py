"""MCP Streamable HTTP peer (transport of MCP 2025-11-25) over a sync httpx client.

Each exchange runs in a short-lived worker thread that streams the response
and parses it as it arrives (JSON body or SSE events); the calling thread
waits at most the timeout and then takes whatever has arrived, so a server
that hangs or dribbles cannot hold the harness past its limits. A worker
left behind ends on its own at its next read or read timeout.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from accord.peer import HttpWire, Limits, Peer, PeerUnavailable, Reply, TargetError

from .redact import redact_headers
from .sse import SseParser

ACCEPT_BOTH = "application/json, text/event-stream"
LOG_BODY_CHARS = 65536
CLOSE_TIMEOUT = 2.0
WORKER_MARGIN = 1.0
"""The worker's own per-read timeout exceeds the caller's deadline by this much,
so the caller's deadline decides, and a worker left behind still ends soon after."""
_SCHEMES = {"http": 80, "https": 443}


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

    def __init__(self, peer: HttpPeer, expect: _Expect) -> None:
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

    def add_event(self, data: str) -> bool:
        """One SSE event's data; False once reading must stop."""
        with self.lock:
            if self.abandoned:
                return False
            self.events += 1
            if self.events > self.limits.max_events:
                self.problems.append(
                    f"more than {self.limits.max_events} SSE events; stopped reading"
                )
                return False
        if data == "":
            return True  # priming or keep-alive event: no message in it
        value = _parse_json(data.encode("utf-8"))
        if value is None and data.strip() != "null":
            with self.lock:
                self.bad_events.append(data[:200])
            return True
        return self.add_message(value)

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


class HttpPeer(Peer, HttpWire):
    """A Streamable HTTP connection to one MCP endpoint."""

    transport = "http"

    def __init__(
        self,
        target: str,
        limits: Limits,
        url: str,
        *,
        transport_factory: Callable[[], httpx.BaseTransport] | None = None,
    ) -> None:
        """``transport_factory`` makes the httpx transport for this peer's client
        (and again for each ``fresh()`` one); None means httpx's own."""
        super().__init__(target, limits)
        self.url = url
        self.session_id: str | None = None
        self.observers: list[Callable[[HttpExchange], None]] = []
        """Called after every exchange (the replay recorder listens here)."""
        self._transport_factory = transport_factory
        transport = transport_factory() if transport_factory is not None else None
        self._client = httpx.Client(transport=transport, follow_redirects=False)
        del self._client.headers["accept"]  # our Accept is per request, or left out on purpose
        self._closed = False

    # --- Peer -----------------------------------------------------------
    def send(self, message: Mapping[str, Any] | bytes, *, timeout: float | None = None) -> Reply:
        if isinstance(message, (bytes, bytearray)):
            body = bytes(message)
            parsed = _parse_json(body)
        else:
            parsed = dict(message)
            body = json.dumps(parsed, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            self.log.add("sent", "message", parsed)
        reply = self._exchange("POST", self._headers(body=True), body, timeout, _expectation(parsed))
        session = reply.headers.get("mcp-session-id")
        is_initialize = isinstance(parsed, dict) and parsed.get("method") == "initialize"
        if is_initialize and session and reply.status is not None and reply.status < 300:
            self.session_id = session
        return reply

    def collect(self, duration: float) -> list[Any]:
        return []  # no stream is kept open between exchanges

    def fresh(self) -> HttpPeer:
        return HttpPeer(self.target, self.limits, self.url, transport_factory=self._transport_factory)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if self.session_id:
                self._exchange(
                    "DELETE", self._headers(body=False), None, min(self.limits.read_timeout, CLOSE_TIMEOUT),
                    _Expect("end"), allow_closed=True,
                )
        except Exception:  # noqa: BLE001 - close never raises
            pass
        try:
            self._client.close()
        except Exception:  # noqa: BLE001 - a worker may still hold a connection
            pass

    def describe(self) -> str:
        return f"http peer {self.url}"

    # --- HttpWire -------------------------------------------------------
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
        chosen = self._headers(
            body=body is not None,
            defaults=default_headers,
            session=with_session,
            version=with_version,
        )
        for name, value in (headers or {}).items():
            for existing in [k for k in chosen if k.lower() == name.lower()]:
                del chosen[existing]
            chosen[name] = value
        expect = _expectation(_parse_json(body)) if body else _Expect("end")
        return self._exchange(method.upper(), chosen, body, timeout, expect)

    # --- internals ------------------------------------------------------
    def _headers(
        self, *, body: bool, defaults: bool = True, session: bool = True, version: bool = True
    ) -> dict[str, str]:
        headers: dict[str, str] = {}
        if defaults:
            headers["Accept"] = ACCEPT_BOTH
            if body:
                headers["Content-Type"] = "application/json"
        if session and self.session_id:
            headers["MCP-Session-Id"] = self.session_id
        if version and self.protocol_version:
            headers["MCP-Protocol-Version"] = self.protocol_version
        return headers

    def _exchange(
        self,
        method: str,
        headers: dict[str, str],
        body: bytes | None,
        timeout: float | None,
        expect: _Expect,
        *,
        allow_closed: bool = False,
    ) -> Reply:
        started = time.monotonic()
        limit = self.limits.read_timeout if timeout is None else timeout
        if self._closed and not allow_closed:
            return Reply(problems=["peer is closed"])
        omitted = [name for name, value in headers.items() if value == ""]
        try:
            request = self._client.build_request(
                method,
                self.url,
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
                if not state.add_event(event.data):
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
        state.add_message(value)


# --- target parsing and opening ------------------------------------------
def url_from_target(target: str) -> str:
    """``mcp+http://host:port/path`` -> ``http://host:port/path``, checked."""
    url = target[len("mcp+"):] if target.startswith("mcp+") else target
    hint = "write it as mcp+http://HOST:PORT/PATH or mcp+https://HOST/PATH"
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise TargetError(f"{target!r} is not a valid URL ({exc}); {hint}") from None
    if parsed.scheme not in _SCHEMES:
        raise TargetError(f"{target!r} has scheme {parsed.scheme or '(none)'!r}; {hint}")
    if not parsed.host:
        raise TargetError(f"{target!r} has no host; {hint}")
    return url


def check_reachable(url: str, timeout: float) -> None:
    """One TCP connect to the URL's host and port (no HTTP request is sent)."""
    parsed = httpx.URL(url)
    port = parsed.port or _SCHEMES[parsed.scheme]
    try:
        with socket.create_connection((parsed.host, port), timeout=timeout):
            pass
    except OSError as exc:
        raise PeerUnavailable(
            f"cannot connect to {parsed.host}:{port} ({exc}); is the server running there?"
        ) from None


def open_peer(target: str, limits: Limits) -> HttpPeer:
    url = url_from_target(target)
    check_reachable(url, limits.start_timeout)
    return HttpPeer(target, limits, url)
