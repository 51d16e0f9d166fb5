"""MCP Streamable HTTP peer (transport of MCP 2025-11-25); exchanges are bounded by :mod:`.exchange`."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from accord.peer import HttpWire, Limits, MessagePeer, PeerUnavailable, Reply, TargetError

from .exchange import HttpConnection, _Expect, _expectation, _parse_json

ACCEPT_BOTH = "application/json, text/event-stream"
CLOSE_TIMEOUT = 2.0
_SCHEMES = {"http": 80, "https": 443}


class HttpPeer(HttpConnection, MessagePeer, HttpWire):
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
        MessagePeer.__init__(self, target, limits)
        HttpConnection.__init__(self, limits, self.log, transport_factory)
        self.url = url
        self.session_id: str | None = None

    # --- Peer -----------------------------------------------------------
    def send(self, message: Mapping[str, Any] | bytes, *, timeout: float | None = None) -> Reply:
        if isinstance(message, (bytes, bytearray)):
            body = bytes(message)
            parsed = _parse_json(body)
        else:
            parsed = dict(message)
            body = json.dumps(parsed, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            self.log.add("sent", "message", parsed)
        reply = self._exchange("POST", self.url, self._headers(body=True), body, timeout, _expectation(parsed))
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
                    "DELETE", self.url, self._headers(body=False), None, min(self.limits.read_timeout, CLOSE_TIMEOUT),
                    _Expect("end"), allow_closed=True,
                )
        except Exception:  # noqa: BLE001 - close never raises
            pass
        self.close_client()

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
        return self._exchange(method.upper(), self.url, chosen, body, timeout, expect)

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
