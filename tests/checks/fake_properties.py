"""A small in-memory MCP server with a real session lifecycle, for the property and
state-machine checks. Correct by default; each name in ``breaks`` breaks it in one way.
Every connection (FakePeer.fresh) has its own lifecycle state, as a real server's would."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import accord.suite
from accord.engine import run
from accord.peer import Limits
from accord.results import RequirementResult
from accord.settings import RunSettings
from accord.specs import SpecRef, load_spec

from fakes import FakePeer

VERSIONS = ("2025-11-25", "2025-06-18")
LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")
ALL_CAPABILITIES = {"tools": {}, "resources": {}, "prompts": {}, "completions": {}, "logging": {}}
TOOLS = [
    {"name": "echo", "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}},
                                     "required": ["text"]}},
    {"name": "delete_files", "description": "Deletes files.",
     "inputSchema": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}},
]
RESOURCES = [{"uri": "fake://notes", "name": "notes"}]
TEMPLATES = [{"uriTemplate": "fake://items/{item}", "name": "item"}]
PROMPTS = [{"name": "greet", "arguments": [{"name": "who", "required": True}]}, {"name": "plain"}]

BREAKS = frozenset({
    "bad-result-on-extras",  # logging/setLevel with any params but level gets a result whose _meta is not an object
    "silent-read",  # resources/read is never answered
    "accepts-bad-tool-name",  # tools/call whose name is there but not a string succeeds
    "accepts-missing-uri",  # resources/read without a uri succeeds
    "early-ping-garbage",  # a ping before initialize gets a response with a string result
    "version-changes",  # a second initialize is answered with another protocolVersion
    "answers-twice",  # a ping after initialized is answered twice
    "mute-after-initialized",  # after notifications/initialized nothing is answered any more
})


@dataclass
class PropertyServer:
    breaks: frozenset[str] = frozenset()
    capabilities: dict[str, Any] = field(default_factory=lambda: dict(ALL_CAPABILITIES))
    connections: int = 0
    requests: list[tuple[str, Any]] = field(default_factory=list)
    """(method, params) of every request received, across connections."""

    def __post_init__(self) -> None:
        assert not self.breaks - BREAKS, f"unknown breaks {self.breaks - BREAKS}"

    def sent(self, method: str) -> list[Any]:
        return [params for m, params in self.requests if m == method]

    def run(self, monkeypatch: Any, only: set[str], version: str = "2025-11-25",
            **settings: Any) -> dict[str, RequirementResult]:
        monkeypatch.setattr(accord.suite, "open_peer", lambda target, limits: ConnectionPeer(self, target, limits))
        settings.setdefault("limits", Limits(read_timeout=1.0))
        result = run(load_spec(SpecRef("mcp", version)), "fake:properties", RunSettings(only=frozenset(only), **settings))
        return {r.id: r for r in result.results}


class ConnectionPeer(FakePeer):
    def __init__(self, server: PropertyServer, target: str, limits: Any) -> None:
        server.connections += 1
        super().__init__(Connection(server).handle, target, limits)
        self.server = server

    def fresh(self) -> "ConnectionPeer":
        return ConnectionPeer(self.server, self.target, self.limits)


def ok(mid: Any, result: Any) -> list[Any]:
    return [{"jsonrpc": "2.0", "id": mid, "result": result}]


def error(mid: Any, code: int, message: str) -> list[Any]:
    return [{"jsonrpc": "2.0", "id": mid, "error": {"code": code, "message": message}}]


class Connection:
    def __init__(self, server: PropertyServer) -> None:
        self.server = server
        self.breaks = server.breaks
        self.version: str | None = None
        self.ready = False

    def handle(self, message: dict[str, Any]) -> list[Any]:
        method, mid = message.get("method"), message.get("id")
        if "id" not in message:
            if method == "notifications/initialized" and self.version:
                self.ready = True
            return []
        params = message.get("params", {})
        self.server.requests.append((method, params))
        if self.ready and "mute-after-initialized" in self.breaks:
            return []
        if not isinstance(params, dict):
            return error(mid, -32602, "params must be an object")
        if method == "initialize":
            return self.initialize(mid, params)
        if method == "ping":
            if self.version is None and "early-ping-garbage" in self.breaks:
                return ok(mid, "pong")
            if self.ready and "answers-twice" in self.breaks:
                return ok(mid, {}) + ok(mid, {})
            return ok(mid, {})
        if self.version is None:
            return error(mid, -32600, "not initialized")
        return self.operate(method, mid, params)

    def initialize(self, mid: Any, params: dict[str, Any]) -> list[Any]:
        if self.version is not None:
            if "version-changes" in self.breaks:
                other = next(v for v in VERSIONS if v != self.version)
                return ok(mid, {"protocolVersion": other, "capabilities": self.server.capabilities,
                                "serverInfo": {"name": "fake-properties", "version": "1"}})
            return error(mid, -32600, "already initialized")
        requested = params.get("protocolVersion")
        if not isinstance(requested, str):
            return error(mid, -32602, "protocolVersion must be a string")
        self.version = requested if requested in VERSIONS else VERSIONS[0]
        return ok(mid, {"protocolVersion": self.version, "capabilities": self.server.capabilities,
                        "serverInfo": {"name": "fake-properties", "version": "1"}})

    def operate(self, method: str, mid: Any, params: dict[str, Any]) -> list[Any]:
        lists = {"tools/list": ("tools", TOOLS), "resources/list": ("resources", RESOURCES),
                 "resources/templates/list": ("resourceTemplates", TEMPLATES), "prompts/list": ("prompts", PROMPTS)}
        if method in lists:
            if "cursor" in params:
                return error(mid, -32602, "invalid cursor")
            key, items = lists[method]
            return ok(mid, {key: items})
        if method == "tools/call":
            return self.call_tool(mid, params)
        if method == "resources/read":
            return self.read(mid, params)
        if method == "prompts/get":
            return self.get_prompt(mid, params)
        if method == "completion/complete":
            if not isinstance(params.get("ref"), dict) or not isinstance(params.get("argument"), dict):
                return error(mid, -32602, "ref and argument are required")
            return ok(mid, {"completion": {"values": ["alpha"]}})
        if method == "logging/setLevel":
            if params.get("level") not in LEVELS:
                return error(mid, -32602, "invalid level")
            if set(params) - {"level"} and "bad-result-on-extras" in self.breaks:
                return ok(mid, {"_meta": "not an object"})
            return ok(mid, {})
        return error(mid, -32601, "method not found")

    def call_tool(self, mid: Any, params: dict[str, Any]) -> list[Any]:
        name, arguments = params.get("name"), params.get("arguments", {})
        if "name" in params and not isinstance(name, str) and "accepts-bad-tool-name" in self.breaks:
            return ok(mid, {"content": []})
        if not isinstance(name, str) or not isinstance(arguments, dict):
            return error(mid, -32602, "malformed tools/call")
        if name == "delete_files":
            raise AssertionError("a check called the risky tool delete_files")
        if name != "echo":
            return error(mid, -32602, f"unknown tool {name}")
        if not isinstance(arguments.get("text"), str):
            return ok(mid, {"content": [{"type": "text", "text": "text is required"}], "isError": True})
        return ok(mid, {"content": [{"type": "text", "text": arguments["text"]}]})

    def read(self, mid: Any, params: dict[str, Any]) -> list[Any]:
        if "silent-read" in self.breaks:
            return []
        uri = params.get("uri")
        if uri is None and "accepts-missing-uri" in self.breaks:
            return ok(mid, {"contents": []})
        if not isinstance(uri, str):
            return error(mid, -32602, "uri must be a string")
        if uri != RESOURCES[0]["uri"]:
            return error(mid, -32002, "resource not found")
        return ok(mid, {"contents": [{"uri": uri, "mimeType": "text/plain", "text": "notes"}]})

    def get_prompt(self, mid: Any, params: dict[str, Any]) -> list[Any]:
        name, arguments = params.get("name"), params.get("arguments", {})
        prompt = next((p for p in PROMPTS if p["name"] == name), None)
        if prompt is None:
            return error(mid, -32602, "unknown prompt")
        if not isinstance(arguments, dict) or any(not isinstance(v, str) for v in arguments.values()):
            return error(mid, -32602, "arguments must be strings")
        if any(a.get("required") and a["name"] not in arguments for a in prompt.get("arguments", [])):
            return error(mid, -32602, "missing argument")
        return ok(mid, {"messages": [{"role": "user", "content": {"type": "text", "text": f"hello {arguments}"}}]})
