"""REST peer: HTTP requests to resource paths under one base URL (ACP; A2A's HTTP+JSON binding).

Targets ``<protocol>+http://HOST:PORT[/BASE]`` (``acp+http://127.0.0.1:8000``);
the URL's fragment is left to the protocol suite (it names one agent of a
server that serves several), never sent.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from accord.peer import NO_BODY, Limits, Reply, RestPeer, StopWhen, TargetError

from .exchange import HttpConnection, _Expect
from .peer import check_reachable

ACCEPT_REST = "application/json, text/event-stream"


def base_url_of(target: str) -> str:
    """``acp+http://host:8000/base#agent`` -> ``http://host:8000/base``, checked."""
    scheme, plus, rest = target.partition("+")
    hint = f"write it as {scheme or 'acp'}+http://HOST:PORT, for example acp+http://127.0.0.1:8000"
    if not plus or not rest.startswith(("http://", "https://")):
        raise TargetError(f"cannot read target {target!r}; {hint}")
    url = rest.split("#", 1)[0]
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise TargetError(f"{target!r} is not a valid URL ({exc}); {hint}") from None
    if not parsed.host:
        raise TargetError(f"{target!r} has no host; {hint}")
    if parsed.query:
        raise TargetError(f"{target!r} has a query string; give only the base URL. {hint}")
    return url.rstrip("/")


class RestHttpPeer(HttpConnection, RestPeer):
    transport = "http"

    def __init__(
        self,
        target: str,
        limits: Limits,
        base_url: str,
        *,
        transport_factory: Callable[[], httpx.BaseTransport] | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        RestPeer.__init__(self, target, limits)
        HttpConnection.__init__(self, limits, self.log, transport_factory)
        self.base_url = base_url
        self.default_headers = dict(default_headers or {})
        """Sent with every request unless overridden (e.g. a protocol version header)."""

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = NO_BODY,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        stop: StopWhen | None = None,
    ) -> Reply:
        chosen = {"Accept": ACCEPT_REST, **self.default_headers}
        if json is not NO_BODY:
            body = jsonlib.dumps(json, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            chosen["Content-Type"] = "application/json"
            self.log.add("sent", "message", json)
        for name, value in (headers or {}).items():
            for existing in [k for k in chosen if k.lower() == name.lower()]:
                del chosen[existing]
            chosen[name] = value
        url = self.base_url + (path if path.startswith("/") else "/" + path)
        return self._exchange(
            method.upper(), url, chosen, body, timeout, _Expect("end", stop=stop), params=params
        )

    def fresh(self) -> RestHttpPeer:
        return RestHttpPeer(
            self.target, self.limits, self.base_url,
            transport_factory=self._transport_factory, default_headers=self.default_headers,
        )

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.close_client()

    def describe(self) -> str:
        return f"http peer {self.base_url}"


def open_peer(target: str, limits: Limits) -> RestHttpPeer:
    base_url = base_url_of(target)
    check_reachable(base_url, limits.start_timeout)
    return RestHttpPeer(target, limits, base_url)
