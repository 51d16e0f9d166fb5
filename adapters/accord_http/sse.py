"""Incremental Server-Sent Events parser (the WHATWG event-stream format).

Bytes go in as they arrive, complete events come out; nothing is buffered
beyond the current unfinished line and event, so the caller's byte limit
bounds memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_EOL = re.compile(rb"\r\n|\r|\n")
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class SseEvent:
    data: str
    event: str = "message"
    id: str | None = None
    retry: int | None = None


class SseParser:
    def __init__(self) -> None:
        self._buffer = bytearray()
        self._search_from = 0
        self._started = False
        self._data: list[str] = []
        self._event = ""
        self._id: str | None = None
        self._retry: int | None = None
        self._pending = False

    def feed(self, chunk: bytes) -> list[SseEvent]:
        self._buffer.extend(chunk)
        if not self._started:
            if len(self._buffer) < len(_BOM) and _BOM.startswith(bytes(self._buffer)):
                return []
            if self._buffer.startswith(_BOM):
                del self._buffer[: len(_BOM)]
            self._started = True
        events: list[SseEvent] = []
        position = 0
        while True:
            match = _EOL.search(self._buffer, max(position, self._search_from))
            if match is None:
                break
            if match.group() == b"\r" and match.end() == len(self._buffer):
                break  # may be the first half of a CRLF split across chunks
            line = bytes(self._buffer[position : match.start()])
            position = match.end()
            self._search_from = 0
            event = self._line(line.decode("utf-8", errors="replace"))
            if event is not None:
                events.append(event)
        del self._buffer[:position]
        self._search_from = max(0, len(self._buffer) - 1)
        return events

    @property
    def unfinished(self) -> bool:
        """True if the stream stopped inside an event (it is then discarded)."""
        return self._pending or bool(self._buffer.strip())

    def _line(self, line: str) -> SseEvent | None:
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        self._pending = True
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> SseEvent | None:
        event = None
        if self._data or self._pending:
            event = SseEvent(
                data="\n".join(self._data),
                event=self._event or "message",
                id=self._id,
                retry=self._retry,
            )
        self._data, self._event, self._retry, self._pending = [], "", None, False
        return event
