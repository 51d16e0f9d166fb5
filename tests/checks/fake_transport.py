"""A small Streamable HTTP MCP server whose transport behaviour is set by knobs,
for tests of the transport and auth checks. Correct by default; each knob
breaks (or varies within the spec) one thing.

Served in-process by accord_asgi.AsgiServer; ``serve(knobs)`` patches the
engine's open_peer so a run talks to it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26")


@dataclass
class Knobs:
    sessions: bool = True
    session_id: Callable[[int], str] = lambda n: uuid.uuid4().hex
    require_session: bool = True
    delete_status: int = 200
    forget_deleted: bool = True
    after_delete_status: int = 404
    version_check: bool = True
    require_version_header: bool = False
    origin_status: int | None = 403
    accept_check: bool = True
    notification_status: int = 202
    notification_body: bytes = b""
    json_content_type: str = "application/json"
    sse: bool = False
    """Answer every request but initialize with an SSE stream."""
    priming: bool = True
    event_ids: str = "unique"  # "unique" | "repeat" | "none"
    include_response: bool = True
    retry_before_close: bool = True
    get_mode: str = "405"  # "405" | "sse" | "html"
    get_messages: list[Any] = field(default_factory=list)
    broadcast: bool = False
    resume: str = "none"  # "none" | "own" | "all"
    auth: dict[str, Any] | None = None
    """{"challenge": WWW-Authenticate value, "metadata": document or None, "well_known": bool}"""


LOG = {"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": "fake log"}}


class FakeTransportServer:
    def __init__(self, knobs: Knobs) -> None:
        self.knobs = knobs
        self.sessions: dict[str, list[list[tuple[str, Any]]]] = {}  # id -> streams -> (event id, message)
        self.deleted: set[str] = set()
        self.count = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                event = await receive()
                await send({"type": event["type"] + ".complete"})
                if event["type"] == "lifespan.shutdown":
                    return
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        k = self.knobs
        headers = request.headers
        if request.url.path.startswith("/.well-known/oauth-protected-resource"):
            if k.auth and k.auth.get("metadata") is not None and (
                    k.auth.get("well_known") or request.url.path.endswith("/mcp")):
                return json_response(k.auth["metadata"])
            return Response(status_code=404)
        if k.auth is not None:
            if headers.get("authorization") != "Bearer good":
                extra = {"www-authenticate": k.auth["challenge"]} if k.auth.get("challenge") else {}
                return Response(status_code=401, headers=extra)
        origin = headers.get("origin")
        if origin and "127.0.0.1" not in origin and k.origin_status is not None:
            return Response(status_code=k.origin_status)
        if request.method == "GET":
            return self.get(request)
        session = headers.get("mcp-session-id")
        if request.method == "DELETE":
            if k.delete_status == 405:
                return Response(status_code=405)
            if session and k.forget_deleted:
                self.deleted.add(session)
                self.sessions.pop(session, None)
            return Response(status_code=k.delete_status)
        if k.accept_check and "text/event-stream" not in headers.get("accept", ""):
            return Response(status_code=406)
        message = json.loads(await request.body())
        if k.version_check and message.get("method") != "initialize":
            version = headers.get("mcp-protocol-version")
            if version is not None and version not in VERSIONS:
                return Response(status_code=400)
            if version is None and k.require_version_header:
                return Response(status_code=400)
        if message.get("method") == "initialize":
            return self.initialize(message)
        if session in self.deleted:
            return Response(status_code=k.after_delete_status)
        if k.sessions and session not in self.sessions:
            if session is not None:
                return Response(status_code=404)
            if k.require_session:
                return Response(status_code=400)
        if "method" not in message or "id" not in message:
            return Response(k.notification_body, status_code=k.notification_status)
        response = {"jsonrpc": "2.0", "id": message["id"], "result": {}}
        if message["method"] == "tools/list":
            response["result"] = {"tools": []}
        if not k.sse:
            return Response(json.dumps(response), media_type=k.json_content_type)
        return self.stream(session, [LOG, response])

    def initialize(self, message: dict[str, Any]) -> Response:
        self.count += 1
        result = {"protocolVersion": message["params"]["protocolVersion"], "capabilities": {},
                  "serverInfo": {"name": "fake-transport", "version": "1"}}
        headers = {}
        if self.knobs.sessions:
            session = self.knobs.session_id(self.count)
            self.sessions[session] = []
            headers["mcp-session-id"] = session
        return json_response({"jsonrpc": "2.0", "id": message["id"], "result": result}, headers)

    def stream(self, session: str | None, messages: list[Any]) -> Response:
        k = self.knobs
        streams = self.sessions.setdefault(session or "", [])
        number = len(streams) + 1
        events: list[tuple[str, Any]] = []
        if k.priming:
            events.append((f"{number}-0", None))
        for position, message in enumerate(messages, start=1):
            if message.get("id") is not None and "method" not in message and not k.include_response:
                continue
            events.append((f"{number}-{position}", message))
        streams.append(events)
        text = ""
        for event_id, message in events:
            text += sse_event(event_id if k.event_ids == "unique" else ("1" if k.event_ids == "repeat" else None),
                              message)
        if not k.include_response and k.retry_before_close:
            text += "retry: 100\n\n"
        return Response(text, media_type="text/event-stream")

    def get(self, request: Request) -> Response:
        k = self.knobs
        if k.get_mode == "405":
            return Response(status_code=405)
        if k.get_mode == "html":
            return Response("<html></html>", media_type="text/html")
        last = request.headers.get("last-event-id")
        if last is not None:
            return self.replay(request.headers.get("mcp-session-id") or "", last)
        messages = list(k.get_messages) + ([LOG] if k.broadcast else [])
        return Response("".join(sse_event(None, m) for m in messages) or ": open\n\n", media_type="text/event-stream")

    def replay(self, session: str, last: str) -> Response:
        if self.knobs.resume == "none":
            return Response(status_code=405)
        streams = self.sessions.get(session, [])
        text = ""
        for events in streams:
            ids = [event_id for event_id, _ in events]
            if last in ids:
                text += "".join(sse_event(i, m) for i, m in events[ids.index(last) + 1:] if m is not None)
            elif self.knobs.resume == "all":
                text += "".join(sse_event(i, m) for i, m in events if m is not None)
        return Response(text or ": nothing\n\n", media_type="text/event-stream")


def sse_event(event_id: str | None, message: Any) -> str:
    lines = [f"id: {event_id}"] if event_id is not None else []
    lines.append("data: " + ("" if message is None else json.dumps(message)))
    return "\n".join(lines) + "\n\n"


def json_response(document: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(document), media_type="application/json", headers=headers)
