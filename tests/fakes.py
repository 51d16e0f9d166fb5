"""An in-memory peer driven by a Python handler, for unit tests of the core and of checks."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from accord.peer import Limits, MessagePeer, Peer, Reply

Handler = Callable[[dict[str, Any]], list[Any]]
"""Takes one message the harness sent; returns the messages the agent sends back."""


class FakePeer(MessagePeer):
    transport = "fake"

    def __init__(self, handler: Handler, target: str = "fake:", limits: Limits | None = None):
        super().__init__(target, limits or Limits(read_timeout=1.0))
        self.handler = handler
        self.closed = False

    def send(self, message: Mapping[str, Any] | bytes, *, timeout: float | None = None) -> Reply:
        started = time.monotonic()
        if isinstance(message, bytes):
            self.log.add("sent", "raw", message.decode(errors="replace"))
            try:
                parsed = json.loads(message)
            except json.JSONDecodeError:
                parsed = {"__malformed__": message.decode(errors="replace")}
        else:
            parsed = dict(message)
            self.log.add("sent", "message", parsed)
        answers = self.handler(parsed)
        reply = Reply(elapsed=time.monotonic() - started)
        for answer in answers:
            self.log.add("received", "message", answer)
            reply.messages.append(answer)
            if isinstance(answer, dict) and "id" in parsed and answer.get("id") == parsed.get("id") and "method" not in answer:
                reply.response = answer
        if "id" in parsed and "method" in parsed and reply.response is None:
            reply.problems.append("no response within the time limit")
        return reply

    def collect(self, duration: float) -> list[Any]:
        return []

    def fresh(self) -> "FakePeer":
        return FakePeer(self.handler, self.target, self.limits)

    def close(self) -> None:
        self.closed = True
