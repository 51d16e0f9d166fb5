"""accord adapter for an in-process ASGI app: targets ``asgi:MODULE:ATTR[/PATH]``
(an MCP server; ``mcp+asgi:`` is the same) and ``acp+asgi:MODULE:ATTR[/BASE]`` (a REST agent).

``MODULE:ATTR`` names the app as uvicorn does (``ATTR()`` calls a factory);
``/PATH`` is the MCP endpoint, ``/mcp`` by default; for REST, ``/BASE`` is the
prefix of every resource path, none by default. The app is served by
uvicorn on 127.0.0.1 on a free port, in a background thread, with lifespan
"auto"; the peer is then the ordinary :class:`accord_http.HttpPeer` on that
URL. A real server rather than ``httpx.ASGITransport`` because the latter
buffers whole responses and so cannot bound an SSE stream that never ends.

Peers made by ``fresh()`` share the server; it stops when the last of them
closes.
"""

from __future__ import annotations

import importlib
import os
import socket
import sys
import threading
import time
from typing import Any

import uvicorn

from accord.peer import Limits, PeerUnavailable, TargetError
from accord_http import HttpPeer
from accord_http.rest import RestHttpPeer

DEFAULT_PATH = "/mcp"
STOP_WAIT = 3.0
_USAGE = "write it as asgi:MODULE:ATTR or asgi:MODULE:ATTR/PATH, for example asgi:my_server.app:app/mcp"


def parse_target(target: str, default_path: str = DEFAULT_PATH) -> tuple[str, str, str]:
    """``asgi:pkg.mod:app/mcp`` -> ("pkg.mod", "app", "/mcp")."""
    scheme, colon, rest = target.partition(":")
    if not colon or not scheme.endswith("asgi"):
        rest = target
    spec, slash, path = rest.partition("/")
    module, colon, attr = spec.partition(":")
    if not colon or not module or not attr or ":" in attr:
        raise TargetError(f"cannot read {target!r}; {_USAGE}")
    return module, attr, "/" + path if slash else default_path


def load_app(module_name: str, attr: str) -> Any:
    if os.getcwd() not in sys.path:
        sys.path.append(os.getcwd())  # as uvicorn does, the current directory is searched
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - any import failure is the target's fault
        raise TargetError(
            f"cannot import {module_name!r} ({type(exc).__name__}: {exc}); "
            "install it or run from the folder that holds it"
        ) from None
    factory = attr.endswith("()")
    obj: Any = module
    for part in attr.removesuffix("()").split("."):
        if not hasattr(obj, part):
            raise TargetError(f"{module_name!r} has no attribute {attr.removesuffix('()')!r}; {_USAGE}")
        obj = getattr(obj, part)
    if factory:
        try:
            obj = obj()
        except Exception as exc:  # noqa: BLE001
            raise TargetError(f"calling {module_name}:{attr} failed ({type(exc).__name__}: {exc})") from None
    if not callable(obj):
        raise TargetError(f"{module_name}:{attr} is not an ASGI app (it is not callable)")
    return obj


class AsgiServer:
    """uvicorn serving one app on 127.0.0.1 in a daemon thread, shared by reference count."""

    def __init__(self, app: Any, limits: Limits) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, lifespan="auto", log_config=None, access_log=False, timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True,
            name=f"accord-asgi-{self.port}",
        )
        self._users = 0
        self._lock = threading.Lock()
        self._stopped = False
        self._thread.start()
        self._wait_started(limits.start_timeout)

    def _wait_started(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                self.stop()
                raise PeerUnavailable("the ASGI app's server stopped during startup (see its log above)")
            if time.monotonic() > deadline:
                self.stop()
                raise PeerUnavailable(f"the ASGI app did not start within {timeout:g}s")
            time.sleep(0.01)

    def acquire(self) -> None:
        with self._lock:
            if self._stopped:
                raise PeerUnavailable("the in-process ASGI server was already stopped")
            self._users += 1

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            last = self._users <= 0
        if last:
            self.stop()

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._stopped

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
        self._server.should_exit = True
        self._thread.join(STOP_WAIT)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(STOP_WAIT)
        try:
            self._sock.close()
        except OSError:
            pass


class _OnSharedServer:
    """Holds one reference to the shared server for as long as the peer is open."""

    server: AsgiServer

    def _attach(self, server: AsgiServer) -> None:
        server.acquire()
        self.server = server
        self._released = False

    def _detach(self) -> None:
        if not self._released:
            self._released = True
            self.server.release()


class AsgiPeer(_OnSharedServer, HttpPeer):
    """The MCP HTTP peer, pointed at an in-process server it shares with its fresh() copies."""

    def __init__(self, target: str, limits: Limits, server: AsgiServer, path: str) -> None:
        self._attach(server)
        super().__init__(target, limits, server.base_url + path)
        self._path = path

    def fresh(self) -> AsgiPeer:
        return AsgiPeer(self.target, self.limits, self.server, self._path)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._detach()

    def describe(self) -> str:
        return f"asgi peer {self.target} at {self.url}"


class AsgiRestPeer(_OnSharedServer, RestHttpPeer):
    """The REST peer, pointed at an in-process server it shares with its fresh() copies."""

    def __init__(self, target: str, limits: Limits, server: AsgiServer, base: str) -> None:
        self._attach(server)
        super().__init__(target, limits, server.base_url + base)
        self._base = base

    def fresh(self) -> AsgiRestPeer:
        copy = AsgiRestPeer(self.target, self.limits, self.server, self._base)
        copy.default_headers = dict(self.default_headers)
        return copy

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._detach()

    def describe(self) -> str:
        return f"asgi peer {self.target} at {self.base_url}"


def _served(target: str, limits: Limits, default_path: str, make_peer: Any) -> Any:
    """Start the target's app and hand the server to ``make_peer(server, path)``; stop it if that fails."""
    module, attr, path = parse_target(target.split("#", 1)[0], default_path)
    server = AsgiServer(load_app(module, attr), limits)
    try:
        return make_peer(server, path)
    except BaseException:
        server.stop()
        raise


def open_peer(target: str, limits: Limits) -> AsgiPeer:
    return _served(target, limits, DEFAULT_PATH, lambda server, path: AsgiPeer(target, limits, server, path))


def open_rest_peer(target: str, limits: Limits) -> AsgiRestPeer:
    return _served(target, limits, "", lambda server, base: AsgiRestPeer(target, limits, server, base.rstrip("/")))


__all__ = ["DEFAULT_PATH", "AsgiPeer", "AsgiRestPeer", "AsgiServer", "load_app", "open_peer", "open_rest_peer", "parse_target"]
