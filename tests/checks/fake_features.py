"""A small in-memory MCP server for the feature checks (tools, prompts, completion, logging, pagination).

Correct by default; each test breaks it in one way by replacing what it offers or how it
answers one method (``answer``: method -> function(params, default answer) -> answer).
Each connection (FakePeer.fresh) gets its own session state, as a real server would.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import accord.suite
from accord.engine import run
from accord.settings import RunSettings
from accord.specs import SpecRef, load_spec

from fakes import FakePeer

LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")
PIXEL = base64.b64encode(b"\x89PNG\r\n\x1a\n fake image").decode()

Answer = dict[str, Any]
"""{"result": ...} or {"error": {...}}, plus optional "before": [messages sent ahead of the response];
{"silent": True} sends nothing at all."""


def ok(result: dict[str, Any]) -> Answer:
    return {"result": result}


def fail(code: int, message: str = "error") -> Answer:
    return {"error": {"code": code, "message": message}}


def default_tools() -> list[dict[str, Any]]:
    return [
        {"name": "echo", "description": "Returns its text.",
         "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}},
        {"name": "add", "description": "Adds two numbers.",
         "inputSchema": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                         "required": ["a", "b"]},
         "outputSchema": {"type": "object", "properties": {"sum": {"type": "number"}}, "required": ["sum"]}},
        {"name": "picture", "description": "An image, an audio clip and an embedded resource.",
         "inputSchema": {"type": "object", "additionalProperties": False}},
        {"name": "log_levels", "description": "Emits log messages at every level the client allows.",
         "inputSchema": {"type": "object", "additionalProperties": False}},
        {"name": "delete_everything", "description": "Deletes all files.",
         "inputSchema": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}},
    ]


def default_prompts() -> list[dict[str, Any]]:
    return [
        {"name": "greet", "arguments": [{"name": "who", "required": True}, {"name": "language"}]},
        {"name": "assets", "description": "An image and an embedded resource."},
    ]


@dataclass
class FakeServer:
    version: str = "2025-11-25"
    capabilities: dict[str, Any] = field(default_factory=lambda: {
        "tools": {}, "prompts": {}, "resources": {}, "completions": {}, "logging": {}})
    tools: list[dict[str, Any]] = field(default_factory=default_tools)
    prompts: list[dict[str, Any]] = field(default_factory=default_prompts)
    templates: list[dict[str, Any]] = field(default_factory=lambda: [
        {"uriTemplate": "fake://items/{item}", "name": "item"}])
    page_size: int = 2
    answer: dict[str, Callable[[dict[str, Any], Answer], Answer]] = field(default_factory=dict)
    calls: list[dict[str, Any]] = field(default_factory=list)
    """Every tools/call params received, across connections."""

    # --- wiring into the engine ---------------------------------------------
    def peer(self, target: str = "fake:", limits: Any = None) -> "FakeServerPeer":
        return FakeServerPeer(self, target, limits)

    def run(self, monkeypatch: Any, only: set[str], version: str | None = None, **settings: Any) -> dict[str, Any]:
        monkeypatch.setattr(accord.suite, "open_peer", lambda target, limits: self.peer(target, limits))
        spec = load_spec(SpecRef("mcp", version or self.version))
        result = run(spec, "fake:features", RunSettings(only=frozenset(only), **settings))
        return {r.id: r for r in result.results}

    # --- behaviour ------------------------------------------------------------
    def handle(self, state: dict[str, Any], message: dict[str, Any]) -> list[Any]:
        method, mid = message.get("method"), message.get("id")
        if "id" not in message:
            return []
        params = message.get("params") or {}
        default = self.default_answer(state, method, params)
        custom = self.answer.get(method)
        answer = custom(params, default) if custom else default
        if answer.get("silent"):
            return []
        response: dict[str, Any] = {"jsonrpc": "2.0", "id": mid}
        response.update({k: v for k, v in answer.items() if k in ("result", "error")})
        return [*answer.get("before", []), response]

    def default_answer(self, state: dict[str, Any], method: str, params: dict[str, Any]) -> Answer:
        if method == "initialize":
            return ok({"protocolVersion": self.version, "capabilities": self.capabilities,
                       "serverInfo": {"name": "fake-features", "version": "1.0"}})
        if method == "ping":
            return ok({})
        lists = {"tools/list": ("tools", self.tools), "prompts/list": ("prompts", self.prompts),
                 "resources/list": ("resources", []), "resources/templates/list": ("resourceTemplates", self.templates)}
        if method in lists:
            key, items = lists[method]
            return self.page(key, items, params.get("cursor"))
        if method == "tools/call":
            self.calls.append(params)
            return self.call_tool(state, params)
        if method == "prompts/get":
            return self.get_prompt(params)
        if method == "completion/complete":
            return self.complete(params)
        if method == "logging/setLevel":
            if params.get("level") not in LEVELS:
                return fail(-32602, "invalid level")
            state["level"] = params["level"]
            return ok({})
        return fail(-32601, "method not found")

    def page(self, key: str, items: list[dict[str, Any]], cursor: Any) -> Answer:
        start = 0
        if cursor is not None:
            if not (isinstance(cursor, str) and cursor.startswith("page-") and cursor[5:].isdigit()):
                return fail(-32602, "invalid cursor")
            start = int(cursor[5:])
        result: dict[str, Any] = {key: items[start:start + self.page_size]}
        if start + self.page_size < len(items):
            result["nextCursor"] = f"page-{start + self.page_size}"
        return ok(result)

    def call_tool(self, state: dict[str, Any], params: dict[str, Any]) -> Answer:
        name, arguments = params.get("name"), params.get("arguments", {})
        if not isinstance(name, str) or not isinstance(arguments, dict):
            return fail(-32602, "malformed tools/call")
        tool = next((t for t in self.tools if t["name"] == name), None)
        if tool is None:
            return fail(-32602, f"unknown tool {name}")
        missing = [r for r in tool["inputSchema"].get("required", []) if r not in arguments]
        wrong = [k for k, v in arguments.items()
                 if tool["inputSchema"].get("properties", {}).get(k, {}).get("type") == "string" and not isinstance(v, str)]
        wrong += [k for k, v in arguments.items()
                  if tool["inputSchema"].get("properties", {}).get(k, {}).get("type") == "number"
                  and (isinstance(v, bool) or not isinstance(v, (int, float)))]
        if missing or wrong:
            if self.version >= "2025-11-25":
                return ok({"content": [{"type": "text", "text": f"invalid arguments: {missing + wrong}"}], "isError": True})
            return fail(-32602, f"invalid arguments: {missing + wrong}")
        if name == "echo":
            return ok({"content": [{"type": "text", "text": arguments["text"]}]})
        if name == "add":
            total = {"sum": arguments["a"] + arguments["b"]}
            return ok({"content": [{"type": "text", "text": json.dumps(total)}], "structuredContent": total})
        if name == "picture":
            return ok({"content": [
                {"type": "image", "data": PIXEL, "mimeType": "image/png"},
                {"type": "audio", "data": PIXEL, "mimeType": "audio/wav"},
                {"type": "resource", "resource": {"uri": "fake://notes", "mimeType": "text/plain", "text": "notes"}},
            ]})
        if name == "log_levels":
            threshold = LEVELS.index(state.get("level", "debug"))
            before = [{"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": level, "data": level}}
                      for level in LEVELS[threshold:]]
            return {**ok({"content": [{"type": "text", "text": "logged"}]}), "before": before}
        raise AssertionError(f"the checks called {name} with generated arguments")

    def get_prompt(self, params: dict[str, Any]) -> Answer:
        prompt = next((p for p in self.prompts if p["name"] == params.get("name")), None)
        if prompt is None:
            return fail(-32602, "unknown prompt")
        arguments = params.get("arguments", {})
        if not isinstance(arguments, dict) or any(not isinstance(v, str) for v in arguments.values()):
            return fail(-32602, "arguments must be strings")
        if any(a.get("required") and a["name"] not in arguments for a in prompt.get("arguments", [])):
            return fail(-32602, "missing argument")
        if prompt["name"] == "assets":
            return ok({"messages": [
                {"role": "user", "content": {"type": "image", "data": PIXEL, "mimeType": "image/png"}},
                {"role": "user", "content": {"type": "resource", "resource": {
                    "uri": "fake://notes", "mimeType": "text/plain", "text": "notes"}}},
            ]})
        return ok({"messages": [{"role": "user", "content": {"type": "text", "text": f"hello {arguments}"}}]})

    def complete(self, params: dict[str, Any]) -> Answer:
        ref, argument = params.get("ref"), params.get("argument")
        if not isinstance(ref, dict) or not isinstance(argument, dict):
            return fail(-32602, "ref and argument are required")
        if ref.get("type") == "ref/prompt":
            if not any(p["name"] == ref.get("name") for p in self.prompts):
                return fail(-32602, "unknown prompt")
        elif ref.get("type") != "ref/resource":
            return fail(-32602, "unknown ref type")
        return ok({"completion": {"values": ["alpha", "beta"], "total": 2, "hasMore": False}})


class FakeServerPeer(FakePeer):
    def __init__(self, server: FakeServer, target: str = "fake:", limits: Any = None):
        self.server = server
        state: dict[str, Any] = {}
        super().__init__(lambda message: server.handle(state, message), target, limits)

    def fresh(self) -> "FakeServerPeer":
        return FakeServerPeer(self.server, self.target, self.limits)


def with_result(change: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any], Answer], Answer]:
    """An ``answer`` override that edits the default result in place (when there is one)."""

    def answer(params: dict[str, Any], default: Answer) -> Answer:
        if "result" in default:
            change(default["result"])
        return default

    return answer
