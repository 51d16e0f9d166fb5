"""Keeping secrets out of evidence: header values that carry credentials."""

from __future__ import annotations

from collections.abc import Iterable

REDACTED = "<redacted>"
_SECRET_NAMES = {"authorization", "proxy-authorization", "cookie", "set-cookie"}
_SECRET_PARTS = ("token", "secret", "password", "api-key", "apikey", "auth")


def is_secret_header(name: str) -> bool:
    lowered = name.lower()
    return lowered in _SECRET_NAMES or any(part in lowered for part in _SECRET_PARTS)


def redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Header pairs as a dict (names lower-cased, repeats joined) with secrets hidden."""
    result: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        shown = REDACTED if is_secret_header(key) else value
        result[key] = f"{result[key]}, {shown}" if key in result else shown
    return result
