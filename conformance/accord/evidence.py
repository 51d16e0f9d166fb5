"""Turning wire events into evidence a person can read: redacted and cut to size."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

from .peer import WireEvent

SECRET_KEY = re.compile(r"(authorization|cookie|token|secret|password|api[-_]?key)", re.IGNORECASE)
MAX_EVENTS_HEAD = 24
MAX_EVENTS_TAIL = 8
MAX_TEXT = 2000


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: ("[redacted]" if isinstance(k, str) and SECRET_KEY.search(k) and isinstance(v, str) else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def cut(value: Any) -> Any:
    """Keep the structure of small payloads; render big ones as a shortened text."""
    try:
        text = json.dumps(value, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) <= MAX_TEXT:
        return value
    return text[:MAX_TEXT] + f"… [{len(text) - MAX_TEXT} more characters]"


def render_events(events: list[WireEvent]) -> list[dict[str, Any]]:
    rendered = [{**e.render(), "data": cut(redact(e.data))} for e in events]
    if len(rendered) <= MAX_EVENTS_HEAD + MAX_EVENTS_TAIL:
        return rendered
    skipped = len(rendered) - MAX_EVENTS_HEAD - MAX_EVENTS_TAIL
    marker = {"direction": "note", "channel": "evidence", "data": f"[{skipped} events left out]"}
    return rendered[:MAX_EVENTS_HEAD] + [marker] + rendered[-MAX_EVENTS_TAIL:]


def reproducer(target: str, spec: str, requirement_id: str, seed: int, schema: str | None = None) -> str:
    line = f"accord run --target {shlex.quote(target)} --spec {spec} --only {requirement_id} --seed {seed}"
    if schema:
        line += f" --schema {shlex.quote(schema)}"
    return line
