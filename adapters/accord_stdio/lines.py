"""Newline-delimited JSON-RPC over a byte channel: the part of the stdio peer
that does not care where the lines come from (a process, or a replayed
transcript).

Lines arrive in an :class:`Inbox` (bounded in lines and bytes; a full inbox
makes the producer wait, which back-pressures a flooding process through its
pipe). ``send`` and ``collect`` consume from it, each bounded by the limits.

What ``send`` waits for:

* a mapping that is a request (``method`` and ``id``): the response with that
  id, up to ``timeout`` (default ``limits.read_timeout``); no response is a
  problem on the Reply;
* any other mapping (notification, response): nothing, it returns once written;
* raw bytes ending in a newline: the first response-like message (a message
  with ``id`` and ``result``/``error``; the one matching the id when the bytes
  parse as a request), up to ``timeout``; silence is *not* a problem here, the
  caller judges it (pass a short ``timeout`` when silence is expected);
* raw bytes without a final newline: nothing (the peer cannot have a
  complete line to answer yet).

For raw sends ``Reply.response`` is the first response-like message when the
bytes do not parse as a request (for example the ``id: null`` answer to a
parse error).
"""

from __future__ import annotations

import json
import threading
import time
from abc import abstractmethod
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from accord.peer import Limits, MessagePeer, Reply, StdioWire

NOISE_KEPT = 200
NOISE_CHARS = 1000


class _NotJson:
    def __repr__(self) -> str:
        return "NOT_JSON"


NOT_JSON: Any = _NotJson()


@dataclass(frozen=True)
class Line:
    raw: bytes
    """The line without its newline (cut at the byte limit when ``cut``)."""
    cut: bool
    value: Any
    """The parsed JSON value, or NOT_JSON."""


@dataclass(frozen=True)
class End:
    """The channel ended: nothing more will arrive."""

    reason: str
    code: int | None = None


def parse_line(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:  # includes UnicodeDecodeError
        return NOT_JSON


def is_response(value: Any) -> bool:
    return isinstance(value, dict) and "id" in value and "method" not in value and (
        "result" in value or "error" in value
    )


def same_id(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b and isinstance(a, str) == isinstance(b, str)


def encode_message(message: Mapping[str, Any]) -> bytes:
    return json.dumps(dict(message), separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n"


class Inbox:
    """Lines waiting to be consumed; the producer waits while it is full."""

    def __init__(self, max_lines: int, max_bytes: int) -> None:
        self._lines: deque[Line] = deque()
        self._bytes = 0
        self._max_lines = max(1, max_lines)
        self._max_bytes = max(1, max_bytes)
        self._cond = threading.Condition()
        self._end: End | None = None
        self._closed = False

    def put(self, line: Line) -> bool:
        """Queue a line; False if the inbox was closed (the producer should stop)."""
        with self._cond:
            while not self._closed and self._lines and (
                len(self._lines) >= self._max_lines
                or self._bytes + len(line.raw) > self._max_bytes
            ):
                self._cond.wait(0.5)
            if self._closed:
                return False
            self._lines.append(line)
            self._bytes += len(line.raw)
            self._cond.notify_all()
            return True

    def end(self, end: End) -> None:
        with self._cond:
            if self._end is None:
                self._end = end
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            if self._end is None:
                self._end = End("peer is closed")
            self._cond.notify_all()

    def get(self, timeout: float) -> Line | End | None:
        """The next line, the (sticky) end, or None when ``timeout`` passes first."""
        deadline = time.monotonic() + max(timeout, 0.0)
        with self._cond:
            while not self._lines and self._end is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
            if self._lines:
                line = self._lines.popleft()
                self._bytes -= len(line.raw)
                self._cond.notify_all()
                return line
            return self._end


class LinePeer(MessagePeer, StdioWire):
    """Peer logic over an inbox of lines; subclasses provide the channel."""

    transport = "stdio"
    idle_ends_wait = False
    """True when nothing more can arrive unless this side writes (replay):
    waits end as soon as the inbox is empty instead of running out the clock."""

    def __init__(self, target: str, limits: Limits) -> None:
        super().__init__(target, limits)
        self.inbox = Inbox(limits.max_events, limits.max_bytes)
        self.observers: list[Callable[[str, Any], None]] = []
        """Called with ("write", bytes), ("write-problem", str), ("line", Line),
        ("end", End) as this side writes and consumes (the recorder listens)."""
        self._noise: list[bytes] = []
        self._noise_lock = threading.Lock()
        self._closed = False
        self._sent_ids: set[str] = set()

    # --- the channel, provided by subclasses ---------------------------
    @abstractmethod
    def _write(self, data: bytes, timeout: float) -> str | None:
        """Write ``data``; a problem text if that failed or did not finish in time."""

    @abstractmethod
    def _close_input(self) -> None: ...

    # --- receiving (called by the producer) ----------------------------
    def receive_line(self, raw: bytes, cut: bool) -> bool:
        """Parse, log and queue one line; False once the inbox is closed."""
        value = NOT_JSON if cut else parse_line(raw)
        if value is NOT_JSON:
            if not cut:  # a cut line is reported as cut, not judged as JSON
                with self._noise_lock:
                    if len(self._noise) < NOISE_KEPT:
                        self._noise.append(raw[:NOISE_CHARS])
            text = raw[:NOISE_CHARS].decode("utf-8", errors="replace")
            self.log.add("received", "raw", text + (" ...[cut]" if cut or len(raw) > NOISE_CHARS else ""))
        else:
            self.log.add("received", "message", value)
        return self.inbox.put(Line(raw, cut, value))

    # --- Peer -----------------------------------------------------------
    def send(self, message: Mapping[str, Any] | bytes, *, timeout: float | None = None) -> Reply:
        started = time.monotonic()
        limit = self.limits.read_timeout if timeout is None else timeout
        if self._closed:
            return Reply(problems=["peer is closed"])
        if isinstance(message, (bytes, bytearray)):
            data = bytes(message)
            parsed = parse_line(data)
            self.log.add("sent", "raw", data.decode("utf-8", errors="replace")[:NOISE_CHARS * 64])
            if not data.endswith(b"\n"):
                wait = "none"
            elif isinstance(parsed, dict) and "method" in parsed and "id" in parsed:
                wait = "id"
            else:
                wait = "any"
        else:
            parsed = dict(message)
            data = encode_message(parsed)
            self.log.add("sent", "message", parsed)
            wait = "id" if "method" in parsed and "id" in parsed else "none"
        problem = self._write_observed(data, limit)
        if problem:
            return Reply(problems=[problem], elapsed=time.monotonic() - started)
        if wait == "none":
            return Reply(elapsed=time.monotonic() - started)
        request_id = parsed["id"] if wait == "id" else None
        if wait == "id":
            self._sent_ids.add(json.dumps(request_id, sort_keys=True))
        return self._await_reply(wait, request_id, started + limit, limit, started)

    def collect(self, duration: float) -> list[Any]:
        return [line.value for line in self._drain(duration) if line.value is not NOT_JSON]

    # --- StdioWire ------------------------------------------------------
    def write_raw(self, data: bytes) -> None:
        self.log.add("sent", "raw", data.decode("utf-8", errors="replace")[:NOISE_CHARS * 64])
        problem = self._write_observed(data, self.limits.read_timeout)
        if problem:
            self.log.add("note", "problem", problem)

    def read_lines(self, duration: float) -> list[bytes]:
        return [line.raw for line in self._drain(duration)]

    def close_stdin(self) -> None:
        self.log.add("note", "raw", "stdin closed")
        self._close_input()

    @property
    def stdout_noise(self) -> list[bytes]:
        with self._noise_lock:
            return list(self._noise)

    # --- consuming ------------------------------------------------------
    def _write_observed(self, data: bytes, timeout: float) -> str | None:
        self._observe("write", data)
        problem = self._write(data, timeout)
        if problem:
            self._observe("write-problem", problem)
            self.log.add("note", "problem", problem)
        return problem

    def _observe(self, kind: str, payload: Any) -> None:
        for observer in list(self.observers):
            observer(kind, payload)

    def _next(self, deadline: float) -> Line | End | None:
        wait = 0.0 if self.idle_ends_wait else deadline - time.monotonic()
        item = self.inbox.get(wait)
        if item is not None:
            self._observe("line" if isinstance(item, Line) else "end", item)
        return item

    def _drain(self, duration: float) -> list[Line]:
        deadline = time.monotonic() + max(duration, 0.0)
        lines: list[Line] = []
        size = 0
        while len(lines) < self.limits.max_events and size < self.limits.max_bytes:
            item = self._next(deadline)
            if not isinstance(item, Line):
                break
            lines.append(item)
            size += len(item.raw) + 1
        return lines

    def _await_reply(
        self, wait: str, request_id: Any, deadline: float, limit: float, started: float
    ) -> Reply:
        reply = Reply()
        body = bytearray()
        noise: list[bytes] = []
        cut_lines = 0
        count = 0
        while True:
            item = self._next(deadline)
            if item is None:
                if wait == "id":
                    reply.problems.append(f"no response with id {request_id!r} within {limit:g}s")
                break
            if isinstance(item, End):
                reply.problems.append(item.reason)
                break
            count += 1
            room = self.limits.max_bytes - len(body)
            body.extend((item.raw + b"\n")[: max(room, 0)])
            full = len(body) >= self.limits.max_bytes
            if item.cut:
                cut_lines += 1
            elif item.value is NOT_JSON:
                noise.append(item.raw)
            else:
                reply.messages.append(item.value)
                if self._answers(wait, request_id, item.value):
                    reply.response = item.value
                    break
                if wait == "id" and self._answers_nothing_sent(item.value):
                    # a response under an id never sent: the server does not echo ids, and
                    # waiting out the whole timeout for ours would only cost time
                    deadline = min(deadline, time.monotonic() + self.limits.quiet_period)
            if count >= self.limits.max_events:
                reply.problems.append(
                    f"{count} lines without the response (limit {self.limits.max_events}); stopped reading"
                )
                break
            if full:
                reply.problems.append(f"reply exceeds {self.limits.max_bytes} bytes; stopped reading")
                break
        if cut_lines:
            reply.problems.insert(0, f"{cut_lines} stdout line(s) longer than {self.limits.max_bytes} bytes were cut")
        if noise:
            first = noise[0][:200].decode("utf-8", errors="replace")
            reply.problems.insert(0, f"{len(noise)} stdout line(s) not JSON, first: {first!r}")
        reply.body = bytes(body)
        reply.elapsed = time.monotonic() - started
        return reply

    def _answers_nothing_sent(self, value: Any) -> bool:
        return is_response(value) and json.dumps(value["id"], sort_keys=True) not in self._sent_ids

    @staticmethod
    def _answers(wait: str, request_id: Any, value: Any) -> bool:
        if wait == "id":
            return is_response(value) and same_id(value["id"], request_id)
        return is_response(value)
