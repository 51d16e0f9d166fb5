"""A small in-memory MCP server with resources and tasks, correct unless told to break in named ways.

``FakeMcp(broken={"name", ...})`` switches on one breakage per name (see BREAKAGES); each breaks one
requirement. Tasks live on the server (shared by all connections) and advance without clocks: a task
is working until it has been polled ``steps`` times, and tasks/result finishes it at once (the
in-memory stand-in for blocking until the task is done).
"""

from __future__ import annotations

import base64
import itertools
import secrets
from dataclasses import dataclass, field
from typing import Any

import accord.suite
from accord.engine import run
from accord.settings import RunSettings
from accord.specs import SpecRef, load_spec

from fakes import FakePeer

RELATED = "io.modelcontextprotocol/related-task"
STAMP = "2025-11-25T10:30:00Z"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n not really").decode()

BREAKAGES = {
    # resources
    "undeclared-resources", "resource-without-name", "text-and-blob", "no-templates", "unknown-empty",
    "unknown-invalid-params", "malformed-uri-served", "bad-blob", "uri-with-space", "bad-template",
    "bad-audience", "bad-priority", "bad-last-modified", "subscribe-nonempty", "unsubscribe-fails",
    "updates-unsubscribed",
    # tasks
    "creates-undeclared", "forbidden-accepted", "required-plain-ok", "result-not-task", "created-completed",
    "same-id", "sequential-ids", "get-fails", "bad-timestamp", "bad-ttl", "reopens", "result-error",
    "result-early", "result-no-meta", "get-with-meta", "meta-picks-task", "unknown-task-internal-error",
    "failed-no-message", "is-error-completed", "status-with-meta", "progress-other-token", "list-omits",
    "cursor-accepted", "cancel-keeps-working", "cancel-terminal-ok",
}


def ok(result: dict[str, Any]) -> dict[str, Any]:
    return {"result": result}


def fail(code: int, message: str = "error") -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def default_tools() -> list[dict[str, Any]]:
    return [
        {"name": "slow_job", "description": "Counts to n in the background.", "execution": {"taskSupport": "optional"},
         "inputSchema": {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1, "maximum": 3}},
                         "required": ["n"]}},
        {"name": "divide", "description": "Divides a by b.", "execution": {"taskSupport": "optional"},
         "inputSchema": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                         "required": ["a", "b"]}},
        {"name": "batch_report", "description": "Builds a report; only as a task.",
         "execution": {"taskSupport": "required"}, "inputSchema": {"type": "object", "additionalProperties": False}},
        {"name": "server_status", "description": "Says the server is up.",
         "inputSchema": {"type": "object", "additionalProperties": False}},
    ]


def default_resources() -> list[dict[str, Any]]:
    return [
        {"uri": "fake://docs/readme.md", "name": "readme.md", "mimeType": "text/markdown",
         "annotations": {"audience": ["user", "assistant"], "priority": 0.5, "lastModified": STAMP}},
        {"uri": "fake://docs/pixel.png", "name": "pixel.png", "mimeType": "image/png"},
    ]


@dataclass
class Task:
    task: dict[str, Any]
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    polls: int = 0
    token: Any = None
    ends_failed: bool = False


@dataclass
class FakeMcp:
    version: str = "2025-11-25"
    broken: set[str] = field(default_factory=set)
    tasks_declared: bool = True
    subscribe_declared: bool = True
    steps: int = 2
    tools: list[dict[str, Any]] = field(default_factory=default_tools)
    resources: list[dict[str, Any]] = field(default_factory=default_resources)
    tasks: dict[str, Task] = field(default_factory=dict)
    counter: Any = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        unknown = self.broken - BREAKAGES
        assert not unknown, f"unknown breakages {unknown}"

    # --- wiring -------------------------------------------------------------------
    def capabilities(self) -> dict[str, Any]:
        caps: dict[str, Any] = {"tools": {}}
        if "undeclared-resources" not in self.broken:
            caps["resources"] = {"subscribe": True} if self.subscribe_declared else {}
        if self.tasks_declared and self.version >= "2025-11-25":
            caps["tasks"] = {"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}}
        return caps

    def peer(self, target: str = "fake:", limits: Any = None) -> FakePeer:
        state: dict[str, Any] = {"subscribed": set()}
        peer = FakePeer(lambda message: self.handle(state, message), target, limits)
        peer.fresh = lambda: self.peer(target, limits)  # type: ignore[method-assign]
        return peer

    def run(self, monkeypatch: Any, only: set[str], **settings: Any) -> dict[str, Any]:
        monkeypatch.setattr(accord.suite, "open_peer", lambda target, limits: self.peer(target, limits))
        spec = load_spec(SpecRef("mcp", self.version))
        result = run(spec, "fake:resources-tasks", RunSettings(only=frozenset(only), **settings))
        return {r.id: r for r in result.results}

    def handle(self, state: dict[str, Any], message: dict[str, Any]) -> list[Any]:
        if "id" not in message:
            return []
        params = message.get("params") or {}
        answer = self.answer(state, str(message.get("method")), params)
        response = {"jsonrpc": "2.0", "id": message["id"], **{k: v for k, v in answer.items() if k in ("result", "error")}}
        return [*answer.get("before", []), response]

    def answer(self, state: dict[str, Any], method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "initialize":
            return ok({"protocolVersion": self.version, "capabilities": self.capabilities(),
                       "serverInfo": {"name": "fake-resources-tasks", "version": "1"}})
        if method == "ping":
            return ok({})
        if method == "tools/list":
            return ok({"tools": self.tools})
        if method.startswith("resources/"):
            return self.resource_answer(state, method, params)
        if method == "tools/call":
            return self.call(params)
        if method.startswith("tasks/"):
            return self.task_answer(method, params)
        return fail(-32601, "method not found")

    # --- resources -------------------------------------------------------------------
    def listed(self) -> list[dict[str, Any]]:
        resources = [dict(r) for r in self.resources]
        if not resources:
            return resources
        if "resource-without-name" in self.broken:
            del resources[0]["name"]
        if "uri-with-space" in self.broken:
            resources[0]["uri"] = "my readme.md"
        annotations = resources[0].get("annotations")
        if isinstance(annotations, dict):
            annotations = resources[0]["annotations"] = dict(annotations)
            if "bad-audience" in self.broken:
                annotations["audience"] = ["robot"]
            if "bad-priority" in self.broken:
                annotations["priority"] = 2
            if "bad-last-modified" in self.broken:
                annotations["lastModified"] = "yesterday"
        return resources

    def contents(self, uri: str) -> dict[str, Any] | None:
        for resource in self.listed():
            if resource["uri"] == uri:
                if resource.get("mimeType") == "image/png":
                    return {"uri": uri, "mimeType": "image/png", "blob": "not base64!" if "bad-blob" in self.broken else PNG}
                item: dict[str, Any] = {"uri": uri, "mimeType": "text/markdown", "text": "# fake"}
                if "text-and-blob" in self.broken:
                    item["blob"] = PNG
                return item
        return None

    def resource_answer(self, state: dict[str, Any], method: str, params: dict[str, Any]) -> dict[str, Any]:
        uri = params.get("uri")
        if method == "resources/list":
            return ok({"resources": self.listed()})
        if method == "resources/templates/list":
            if "no-templates" in self.broken:
                return fail(-32601, "method not found")
            template = "fake://docs/{name" if "bad-template" in self.broken else "fake://items/{id}{?lang,page}"
            return ok({"resourceTemplates": [{"uriTemplate": template, "name": "item"}]})
        if not isinstance(uri, str):
            return fail(-32602, "uri must be a string")
        if method == "resources/read":
            contents = self.contents(uri)
            if contents is not None:
                return ok({"contents": [contents]})
            if " " in uri and "malformed-uri-served" in self.broken:
                return ok({"contents": [{"uri": uri, "text": "served anyway"}]})
            if "unknown-empty" in self.broken:
                return ok({"contents": []})
            return fail(-32602 if "unknown-invalid-params" in self.broken else -32002, "resource not found")
        if method == "resources/subscribe":
            state["subscribed"].add(uri)
            before = []
            if "updates-unsubscribed" in self.broken:
                before = [{"jsonrpc": "2.0", "method": "notifications/resources/updated",
                           "params": {"uri": "fake://docs/other.txt"}}]
            return {**ok({"ok": True} if "subscribe-nonempty" in self.broken else {}), "before": before}
        if method == "resources/unsubscribe":
            if "unsubscribe-fails" in self.broken:
                return fail(-32603, "internal error")
            # an update for a subscribed sub-resource, just before the subscription ends
            update = {"jsonrpc": "2.0", "method": "notifications/resources/updated", "params": {"uri": uri + "#part"}}
            state["subscribed"].discard(uri)
            return {**ok({}), "before": [update]}
        return fail(-32601, "method not found")

    # --- tools and tasks ---------------------------------------------------------------
    def run_tool(self, name: str, arguments: Any) -> dict[str, Any]:
        tool = next((t for t in self.tools if t["name"] == name), None)
        if tool is None:
            return fail(-32602, f"unknown tool {name}")
        missing = [r for r in tool["inputSchema"].get("required", []) if r not in (arguments or {})]
        if missing or not isinstance(arguments, dict):
            return ok({"content": [{"type": "text", "text": f"missing {missing}"}], "isError": True})
        if name == "divide":
            if not isinstance(arguments["a"], (int, float)) or not isinstance(arguments["b"], (int, float)) \
                    or arguments["b"] == 0:
                return ok({"content": [{"type": "text", "text": "cannot divide"}], "isError": True})
            return ok({"content": [{"type": "text", "text": str(arguments["a"] / arguments["b"])}]})
        return ok({"content": [{"type": "text", "text": f"{name} done"}]})

    def new_id(self) -> str:
        if "same-id" in self.broken:
            return "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
        if "sequential-ids" in self.broken:
            return f"task-{next(self.counter)}"
        return secrets.token_hex(16)

    def call(self, params: dict[str, Any]) -> dict[str, Any]:
        name, arguments = params.get("name"), params.get("arguments", {})
        tool = next((t for t in self.tools if t["name"] == name), None)
        mode = (tool or {}).get("execution", {}).get("taskSupport", "forbidden")
        declared = self.tasks_declared and self.version >= "2025-11-25"
        wants_task = isinstance(params.get("task"), dict) and (declared or "creates-undeclared" in self.broken)
        if not wants_task:
            if declared and mode == "required" and "required-plain-ok" not in self.broken:
                return fail(-32601, "this tool needs a task")
            return self.run_tool(str(name), arguments)
        if mode == "forbidden" and "forbidden-accepted" not in self.broken and declared:
            return fail(-32601, "this tool does not run as a task")
        outcome = self.run_tool(str(name), arguments)
        if "result-not-task" in self.broken:
            return outcome
        task = {"taskId": self.new_id(), "status": "working", "createdAt": STAMP, "lastUpdatedAt": STAMP,
                "ttl": params["task"].get("ttl", 60000), "pollInterval": 10}
        if "bad-timestamp" in self.broken:
            task["createdAt"] = "yesterday"
        if "bad-ttl" in self.broken:
            task["ttl"] = "60s"
        meta = params.get("_meta") if isinstance(params.get("_meta"), dict) else {}
        record = Task(task, outcome.get("result"), outcome.get("error"), token=meta.get("progressToken"))
        record.ends_failed = bool((record.result or {}).get("isError")) and "is-error-completed" not in self.broken
        self.tasks[task["taskId"]] = record
        if "created-completed" in self.broken:
            self.finish(record)
        return ok({"task": dict(task)})

    def finish(self, record: Task, status: str | None = None) -> None:
        if record.task["status"] in ("completed", "failed", "cancelled"):
            return
        record.task["status"] = status or ("failed" if record.ends_failed or record.error else "completed")
        if record.task["status"] == "failed" and "failed-no-message" not in self.broken:
            record.task["statusMessage"] = "the tool reported an error"

    def status_notice(self, record: Task) -> dict[str, Any]:
        params = dict(record.task)
        if "status-with-meta" in self.broken:
            params["_meta"] = {RELATED: {"taskId": record.task["taskId"]}}
        return {"jsonrpc": "2.0", "method": "notifications/tasks/status", "params": params}

    def task_answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "tasks/list":
            cursor = params.get("cursor")
            if cursor is not None and "cursor-accepted" not in self.broken:
                return fail(-32602, "invalid cursor")
            listed = [] if "list-omits" in self.broken else [dict(r.task) for r in self.tasks.values()]
            return ok({"tasks": listed})
        task_id = params.get("taskId")
        meta = params.get("_meta") if isinstance(params.get("_meta"), dict) else {}
        if "meta-picks-task" in self.broken and isinstance(meta.get(RELATED), dict):
            task_id = meta[RELATED].get("taskId")
        record = self.tasks.get(task_id) if isinstance(task_id, str) else None
        if record is None:
            return fail(-32603 if "unknown-task-internal-error" in self.broken else -32602, "no such task")
        before: list[Any] = []
        if method == "tasks/get":
            if "get-fails" in self.broken:
                return fail(-32603, "internal error")
            terminal = record.task["status"] in ("completed", "failed", "cancelled")
            if terminal and "reopens" in self.broken:
                record.task["status"] = "working"
                return ok(dict(record.task))
            record.polls += 1
            if not terminal:
                if record.token is not None:
                    token = "someone-else" if "progress-other-token" in self.broken else record.token
                    before.append({"jsonrpc": "2.0", "method": "notifications/progress",
                                   "params": {"progressToken": token, "progress": record.polls}})
                if record.polls >= self.steps:
                    self.finish(record)
                    before.append(self.status_notice(record))
            result = dict(record.task)
            if "get-with-meta" in self.broken:
                result["_meta"] = {RELATED: {"taskId": record.task["taskId"]}}
            return {**ok(result), "before": before}
        if method == "tasks/result":
            if "result-early" not in self.broken:
                self.finish(record)
            elif record.task["status"] == "working":
                return ok({"content": [{"type": "text", "text": "not yet"}]})
            if record.error is not None or "result-error" in self.broken:
                return {"error": record.error or {"code": -32603, "message": "lost the result"}}
            result = dict(record.result or {})
            if "result-no-meta" not in self.broken:
                result["_meta"] = {RELATED: {"taskId": record.task["taskId"]}}
            return ok(result)
        if method == "tasks/cancel":
            if record.task["status"] in ("completed", "failed", "cancelled") and "cancel-terminal-ok" not in self.broken:
                return fail(-32602, "task already terminal")
            if "cancel-keeps-working" not in self.broken:
                record.task["status"] = "cancelled"
            return ok(dict(record.task))
        return fail(-32601, "method not found")
