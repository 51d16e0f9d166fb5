"""A small in-memory MCP server for the base-protocol checks (jsonrpc, schema, lifecycle,
cancellation, progress). Correct by default; each name in ``breaks`` breaks it in one way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import accord.suite
from accord.engine import run
from accord.settings import RunSettings
from accord.specs import SpecRef, load_spec

from fakes import FakePeer

SUPPORTED = ("2025-11-25", "2025-06-18")
COUNT_TOOL = {"name": "count", "description": "Counts up, reporting progress.",
              "inputSchema": {"type": "object", "properties": {"steps": {"type": "integer", "minimum": 2, "maximum": 3}},
                              "required": ["steps"]}}

BREAKS = frozenset({
    "jsonrpc-1.0", "wrong-id", "null-id-request", "result-and-error", "string-code", "multiline-message",
    "no-parse-error", "wrong-not-found-code", "answers-notifications", "echo-unknown-version", "bare-version-error",
    "no-server-info", "flag-not-bool", "sampling-request", "result-not-object", "invalid-result",
    "bad-meta-key", "meta-rejected", "progress-decreasing", "progress-late", "progress-unknown-token",
    "cancel-foreign", "reused-request-id", "notification-with-id", "ping-dies-after-cancel", "offers-old-version",
    "parse-error-with-id", "ignores-unknown-method",
})


@dataclass
class FakeBaseServer:
    breaks: frozenset[str] = frozenset()
    versions: tuple[str, ...] = SUPPORTED
    connections: list["Connection"] = field(default_factory=list)

    def __post_init__(self) -> None:
        unknown = self.breaks - BREAKS
        assert not unknown, f"unknown breaks {unknown}"

    def handler(self) -> Any:
        connection = Connection(self)
        self.connections.append(connection)
        return connection.handle

    def run(self, monkeypatch: Any, only: set[str], version: str = "2025-11-25") -> dict[str, Any]:
        monkeypatch.setattr(accord.suite, "open_peer", lambda target, limits: LivePeer(self, target, limits))
        spec = load_spec(SpecRef("mcp", version))
        result = run(spec, "fake:base", RunSettings(only=frozenset(only)))
        return {r.id: r for r in result.results}


class LivePeer(FakePeer):
    """A FakePeer whose every fresh connection gets its own server state."""

    def __init__(self, server: FakeBaseServer, target: str, limits: Any) -> None:
        super().__init__(server.handler(), target, limits)
        self.server = server

    def fresh(self) -> "LivePeer":
        return LivePeer(self.server, self.target, self.limits)


class Connection:
    def __init__(self, server: FakeBaseServer) -> None:
        self.server = server
        self.breaks = server.breaks
        self.server_ids = 0
        self.dead = False
        self.method = ""

    def envelope(self, request_id: Any, body: dict[str, Any]) -> dict[str, Any]:
        message = {"jsonrpc": "1.0" if "jsonrpc-1.0" in self.breaks else "2.0", "id": request_id, **body}
        if "wrong-id" in self.breaks and request_id is not None and self.method != "initialize":
            message["id"] = f"{request_id}-x"
        return message

    def error(self, request_id: Any, code: int, text: str) -> dict[str, Any]:
        error: dict[str, Any] = {"code": str(code) if "string-code" in self.breaks else code,
                                 "message": text + ("\nsecond line" if "multiline-message" in self.breaks else "")}
        body: dict[str, Any] = {"error": error}
        if "result-and-error" in self.breaks:
            body["result"] = {}
        return self.envelope(request_id, body)

    def ok(self, request_id: Any, result: Any) -> dict[str, Any]:
        return self.envelope(request_id, {"result": result})

    def handle(self, message: dict[str, Any]) -> list[Any]:
        if "__malformed__" in message:
            code = -32600 if "no-parse-error" in self.breaks else -32700
            return [self.error(1 if "parse-error-with-id" in self.breaks else None, code, "Parse error")]
        if "method" not in message:
            return []
        method, request_id = message["method"], message.get("id")
        self.method = method
        if "id" not in message:
            if method == "notifications/cancelled" and "ping-dies-after-cancel" in self.breaks:
                self.dead = True
            return [{"jsonrpc": "2.0", "id": None, "result": {}}] if "answers-notifications" in self.breaks else []
        if self.dead:
            return []
        if message.get("jsonrpc") != "2.0" or not isinstance(method, str):
            return [self.error(request_id, -32600, "Invalid request")]
        before = self.before(method)
        params = message.get("params") or {}
        meta = params.get("_meta") if isinstance(params, dict) else None
        if "meta-rejected" in self.breaks and isinstance(meta, dict) and any(k != "progressToken" for k in meta):
            return before + [self.error(request_id, -32602, "Unexpected _meta")]
        answer = self.answer(method, params, request_id)
        if "ignores-unknown-method" in self.breaks and answer.get("error", (0,))[0] == -32601:
            return before
        if "error" in answer:
            return before + [self.error(request_id, *answer["error"])]
        progress = answer.pop("progress", [])
        response = self.ok(request_id, answer["result"])
        if "progress-late" in self.breaks:
            return before + [response] + progress
        return before + progress + [response]

    def before(self, method: str) -> list[Any]:
        extra: list[Any] = []
        if "null-id-request" in self.breaks and method != "initialize":
            extra.append({"jsonrpc": "2.0", "id": None, "method": "ping"})
        if "reused-request-id" in self.breaks and method != "initialize":
            extra.append({"jsonrpc": "2.0", "id": 1, "method": "ping"})
        if "sampling-request" in self.breaks and method == "tools/list":
            extra.append({"jsonrpc": "2.0", "id": "s1", "method": "sampling/createMessage",
                          "params": {"messages": [], "maxTokens": 5}})
        if "cancel-foreign" in self.breaks and method == "tools/list":
            extra.append({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "never-sent"}})
        if method == "tools/list":
            notification: dict[str, Any] = {"jsonrpc": "2.0", "method": "notifications/message",
                                            "params": {"level": "info", "data": "listing tools"}}
            if "notification-with-id" in self.breaks:
                notification["id"] = 99
            extra.append(notification)
        return extra

    def answer(self, method: str, params: dict[str, Any], request_id: Any) -> dict[str, Any]:
        if method == "initialize":
            return self.initialize(params)
        if method == "ping":
            return {"result": {}}
        if method == "tools/list":
            if "result-not-object" in self.breaks:
                return {"result": [COUNT_TOOL]}
            if "invalid-result" in self.breaks:
                return {"result": {"tools": [{"description": "no name"}]}}
            result: dict[str, Any] = {"tools": [COUNT_TOOL]}
            if "bad-meta-key" in self.breaks:
                result["_meta"] = {"-bad-/name": 1}
            else:
                result["_meta"] = {"com.example/listed": 1}
            return {"result": result}
        if method == "tools/call":
            if not isinstance(params.get("name"), str):
                return {"error": (-32602, "Missing tool name")}
            token = (params.get("_meta") or {}).get("progressToken")
            steps = (params.get("arguments") or {}).get("steps", 2)
            values = list(range(1, steps + 1))
            if "progress-decreasing" in self.breaks:
                values.reverse()
            if "progress-unknown-token" in self.breaks:
                token = "someone-else"
            progress = [] if token is None else [
                {"jsonrpc": "2.0", "method": "notifications/progress",
                 "params": {"progressToken": token, "progress": v, "total": steps}} for v in values]
            return {"result": {"content": [{"type": "text", "text": "counted"}]}, "progress": progress}
        code = -32600 if "wrong-not-found-code" in self.breaks else -32601
        return {"error": (code, "Method not found")}

    def initialize(self, params: dict[str, Any]) -> dict[str, Any]:
        requested = params.get("protocolVersion")
        if not isinstance(requested, str):
            return {"error": (-32602, "protocolVersion is required")}
        if requested in self.server.versions or "echo-unknown-version" in self.breaks:
            version = requested
        elif "bare-version-error" in self.breaks:
            return {"error": (-32602, "Unsupported protocol version")}
        else:
            version = self.server.versions[-1] if "offers-old-version" in self.breaks else self.server.versions[0]
        capabilities: dict[str, Any] = {"tools": {"listChanged": "yes" if "flag-not-bool" in self.breaks else True},
                                        "logging": {}}
        result: dict[str, Any] = {"protocolVersion": version, "capabilities": capabilities}
        if "no-server-info" not in self.breaks:
            result["serverInfo"] = {"name": "fake-base", "version": "1.0"}
        return {"result": result}
