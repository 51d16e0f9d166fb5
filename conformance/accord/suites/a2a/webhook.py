"""A webhook receiver on 127.0.0.1 for push-notification checks: records every delivery, bounded."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

MAX_DELIVERIES = 500
MAX_BODY = 1024 * 1024


@dataclass(frozen=True)
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class WebhookReceiver:
    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = min(int(self.headers.get("content-length") or 0), MAX_BODY)
                body = self.rfile.read(length) if length else b""
                receiver._record(Delivery(self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic()))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_PUT = do_POST

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True,
                                        name="accord-a2a-webhook")
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def _record(self, delivery: Delivery) -> None:
        with self._changed:
            if len(self.deliveries) < MAX_DELIVERIES:
                self.deliveries.append(delivery)
            self._changed.notify_all()

    def received(self, path: str) -> list[Delivery]:
        with self._lock:
            return [d for d in self.deliveries if d.path.split("?")[0] == "/" + path.lstrip("/")]

    def wait_for(self, path: str, enough: Callable[[list[Delivery]], bool], timeout: float) -> list[Delivery]:
        """Deliveries to ``path`` once ``enough`` of them have come, or whatever came within ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                got = [d for d in self.deliveries if d.path.split("?")[0] == "/" + path.lstrip("/")]
                left = deadline - time.monotonic()
                if enough(got) or left <= 0:
                    return got
                self._changed.wait(min(left, 0.2))

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
