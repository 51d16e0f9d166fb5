"""Reading and writing transcript files (the format is described in the package docstring)."""

from __future__ import annotations

import base64
import json
import os
import tempfile
import threading
from collections import deque
from pathlib import Path
from typing import Any

from accord.peer import TargetError

FORMAT = "accord-transcript"
VERSION = 1

Packed = str | dict[str, str]


def pack(data: bytes) -> Packed:
    """Bytes as JSON: the text when it is UTF-8, else ``{"base64": ...}``."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode("ascii")}


def unpack(value: Packed | None) -> bytes:
    if value is None:
        return b""
    if isinstance(value, str):
        return value.encode("utf-8")
    return base64.b64decode(value["base64"])


class Book:
    """The transcript being recorded; shared by a recorder and its fresh() copies."""

    def __init__(self, transport: str, target: str, details: dict[str, Any]) -> None:
        self.data: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "transport": transport,
            "target": target,
            **details,
            "exchanges": [],
        }
        self._connections = 0
        self._lock = threading.Lock()

    def new_connection(self) -> int:
        with self._lock:
            self._connections += 1
            return self._connections - 1

    def add(self, exchange: dict[str, Any]) -> None:
        with self._lock:
            self.data["exchanges"].append(exchange)

    def save(self, path: str | os.PathLike[str]) -> Path:
        target = Path(path)
        with self._lock:
            text = json.dumps(self.data, indent=1, ensure_ascii=False)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, target)
        return target


def load(path: str) -> dict[str, Any]:
    hint = "record one by wrapping a peer in accord_replay.Recorder and calling save(path)"
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TargetError(f"no transcript file at {path!r}; {hint}") from None
    except (OSError, ValueError) as exc:
        raise TargetError(f"cannot read the transcript {path!r} ({exc}); {hint}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise TargetError(f"{path!r} is not an accord transcript (no \"format\": {FORMAT!r}); {hint}")
    if data.get("version") != VERSION:
        raise TargetError(f"{path!r} is transcript version {data.get('version')!r}; this accord reads {VERSION}")
    if data.get("transport") not in ("http", "stdio") or not isinstance(data.get("exchanges"), list):
        raise TargetError(f"{path!r} has no usable transport or exchanges list")
    return data


class Queues:
    """Recorded exchanges by key, each key served in recorded order."""

    def __init__(self) -> None:
        self._queues: dict[Any, deque[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def add(self, key: Any, exchange: dict[str, Any]) -> None:
        self._queues.setdefault(key, deque()).append(exchange)

    def take(self, key: Any) -> dict[str, Any] | None:
        with self._lock:
            queue = self._queues.get(key)
            return queue.popleft() if queue else None
