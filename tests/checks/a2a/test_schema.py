"""a2a.schema.*: the reference agent passes (both versions, both bindings), its camel-case fault fails, and a
toy 1.0 agent (defined here; test_properties and test_equivalence use it too) with one defect switched on at a
time fails exactly the rule that defect breaks. The toy: JSON-RPC at /rpc, HTTP+JSON at /rest."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from accord.specs import SpecRef, load_spec

SCHEMA = load_spec(SpecRef("a2a", "1.0")).schema
NOT_FOUND = (-32001, "TASK_NOT_FOUND", 404, "NOT_FOUND")
INVALID = (-32602, None, 400, "INVALID_ARGUMENT")


class Refused(Exception):
    def __init__(self, kind: tuple[int, str | None, int, str], message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class Toy:
    defects: frozenset[str] = frozenset()
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)

    def has(self, defect: str) -> bool:
        return defect in self.defects

    # --- behaviour -----------------------------------------------------------------------------------------
    def task_for(self, message: dict[str, Any]) -> dict[str, Any]:
        task_id, context_id = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = "2025-10-28T10:30:00Z" if self.has("seconds-timestamp") else (
            "2025-10-28T10:30:00.000+01:00" if self.has("offset-timestamp") else "2025-10-28T10:30:00.000Z")
        reply = {"messageId": str(uuid.uuid4()), "role": "ROLE_USER" if self.has("user-role") else "ROLE_AGENT",
                 "parts": [{"text": "done"}], "taskId": task_id}
        if not self.has("no-context"):
            reply["contextId"] = context_id
        part: dict[str, Any] = {"text": "echo", "data": {"n": 1}} if self.has("two-contents") else {"text": "echo"}
        artifacts = [{"artifactId": "a1", "parts": [part]}]
        if self.has("duplicate-artifacts"):
            artifacts.append({"artifactId": "a1", "parts": [{"text": "again"}]})
        task: dict[str, Any] = {"id": task_id, "contextId": context_id,
                                "status": {"state": "TASK_STATE_COMPLETED", "timestamp": stamp, "message": reply},
                                "artifacts": artifacts, "history": [message]}
        if self.has("snake-case"):
            task["context_id"] = task.pop("contextId")
        if self.has("numeric-enum"):
            task["status"]["state"] = 3
        if self.has("missing-artifact-id"):
            del artifacts[0]["artifactId"]
        if self.has("kind"):
            task["kind"] = "task"
        self.tasks[task_id] = task
        return task

    def send(self, params: Any, headers: Any, binding: str) -> Any:
        if self.has("rest-refuses-bearer") and binding == "rest" and headers.get("authorization"):
            raise Refused((-32000, "UNAUTHENTICATED", 401, "UNAUTHENTICATED"), "bad credentials")
        if self.has("reject-unknown") and isinstance(params, dict) and set(params) - {"message", "configuration", "metadata"}:
            raise Refused(INVALID, "unknown member")
        if not self.has("accept-invalid") and not SCHEMA.is_valid("SendMessageRequest", params):
            if not (self.has("accept-missing") and isinstance(params, dict) and isinstance(params.get("message"), dict)):
                raise Refused(INVALID, "invalid SendMessageRequest")
        message = params.get("message") if isinstance(params, dict) else None
        parts = message.get("parts") if isinstance(message, dict) else None
        if self.has("crash-on-data") and isinstance(parts, list) and any(isinstance(p, dict) and "data" in p for p in parts):
            raise RuntimeError("data parts break this toy")
        return {"task": self.task_for(message if isinstance(message, dict) else {})}

    def get(self, task_id: Any, binding: str) -> Any:
        if not isinstance(task_id, str):
            raise Refused(INVALID, "id is required")
        if task_id not in self.tasks:
            if self.has("rest-errors-differ") and binding == "rest":
                raise Refused(INVALID, "no such task")
            raise Refused(NOT_FOUND, f"task {task_id!r} not found")
        task = self.tasks[task_id]
        if self.has("rest-reads-differ") and binding == "rest":
            return {**task, "status": {**task["status"], "state": "TASK_STATE_FAILED"}}
        return task

    def cancel(self, task_id: Any, binding: str) -> Any:
        self.get(task_id, binding)
        raise Refused((-32002, "TASK_NOT_CANCELABLE", 409, "FAILED_PRECONDITION"), "task is terminal")

    # --- wire ---------------------------------------------------------------------------------------------
    async def card(self, request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        interfaces = [{"url": f"{base}/rpc", "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}]
        if not self.has("one-binding"):
            interfaces.append({"url": f"{base}/rest", "protocolBinding": "HTTP+JSON", "protocolVersion": "1.0"})
        return JSONResponse({"name": "toy", "description": "a toy agent", "version": "1", "supportedInterfaces": interfaces,
                             "capabilities": {}, "defaultInputModes": ["text/plain"], "defaultOutputModes": ["text/plain"],
                             "skills": [{"id": "echo", "name": "echo", "description": "echoes", "tags": ["echo"]}]})

    async def rpc(self, request: Request) -> Response:
        envelope = await request.json()
        handlers = {"SendMessage": lambda p: self.send(p, request.headers, "rpc"),
                    "GetTask": lambda p: self.get(p.get("id") if isinstance(p, dict) else None, "rpc"),
                    "CancelTask": lambda p: self.cancel(p.get("id") if isinstance(p, dict) else None, "rpc"),
                    "ListTasks": lambda p: {"tasks": list(self.tasks.values())[:1], "nextPageToken": "", "pageSize": 1,
                                            "totalSize": len(self.tasks)}}
        handler = handlers.get(envelope.get("method"))
        try:
            if handler is None:
                raise Refused((-32601, None, 404, "NOT_FOUND"), "method not found")
            return JSONResponse({"jsonrpc": "2.0", "id": envelope.get("id"), "result": handler(envelope.get("params"))})
        except Refused as refused:
            code, reason, status, _ = refused.kind
            error: dict[str, Any] = {"code": code, "message": str(refused)}
            if reason:
                error["data"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
                                  "domain": "a2a-protocol.org"}]
            return JSONResponse({"jsonrpc": "2.0", "id": envelope.get("id"), "error": error},
                                status_code=status if status == 401 else 200)
        except RuntimeError:
            return PlainTextResponse("Internal Server Error", status_code=500)

    async def rest(self, request: Request) -> Response:
        path, verb = request.path_params["rest"], request.method
        try:
            if verb == "POST" and path == "message:send":
                return JSONResponse(self.send(await request.json(), request.headers, "rest"))
            if verb == "GET" and path == "tasks":
                return JSONResponse({"tasks": [], "nextPageToken": "", "pageSize": 1, "totalSize": 0})
            if verb == "GET" and path.startswith("tasks/"):
                return JSONResponse(self.get(path.removeprefix("tasks/"), "rest"))
            if verb == "POST" and path.startswith("tasks/") and path.endswith(":cancel") and not self.has("rest-no-cancel"):
                return JSONResponse(self.cancel(path.removeprefix("tasks/").removesuffix(":cancel"), "rest"))
            return PlainTextResponse("Not Found", status_code=404)
        except Refused as refused:
            _, reason, status, name = refused.kind
            body: dict[str, Any] = {"code": status, "status": name, "message": str(refused)}
            if reason:
                body["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
                                    "domain": "a2a-protocol.org"}]
            return JSONResponse({"error": body}, status_code=status)
        except RuntimeError:
            return PlainTextResponse("Internal Server Error", status_code=500)

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/.well-known/agent-card.json", self.card, methods=["GET"]),
            Route("/rpc", self.rpc, methods=["POST"]),
            Route("/rest/{rest:path}", self.rest, methods=["GET", "POST", "DELETE"]),
        ])


def toy(*defects: str) -> Starlette:
    return Toy(frozenset(defects)).app()


def toy_target(name: str, binding: str = "jsonrpc") -> str:
    return f"a2a+asgi:tests.checks.a2a.test_schema:{name}#{binding}"


good = toy()
snake_case = toy("snake-case")
numeric_enum = toy("numeric-enum")
offset_timestamp = toy("offset-timestamp")
seconds_timestamp = toy("seconds-timestamp")
missing_artifact_id = toy("missing-artifact-id")
two_contents = toy("two-contents")
kind = toy("kind")
duplicate_artifacts = toy("duplicate-artifacts")
user_role = toy("user-role")
no_context = toy("no-context")
accept_missing = toy("accept-missing")
reject_unknown = toy("reject-unknown")
accept_invalid = toy("accept-invalid")
crash_on_data = toy("crash-on-data")
one_binding = toy("one-binding")
rest_errors_differ = toy("rest-errors-differ")
rest_no_cancel = toy("rest-no-cancel")
rest_reads_differ = toy("rest-reads-differ")
rest_refuses_bearer = toy("rest-refuses-bearer")


# --- the tests ---------------------------------------------------------------------------------------------------

import pytest  # noqa: E402

from accord.outcomes import Outcome  # noqa: E402
from accord.suites.a2a.checks.schema import nodes, part_problem, snake_members  # noqa: E402

from .judging import BINDINGS, VERSIONS, explain, judge  # noqa: E402

ONLY_1_0 = {"a2a.schema.camel-case", "a2a.schema.enum-names", "a2a.schema.timestamps-utc",
            "a2a.schema.timestamps-millis", "a2a.schema.required-fields", "a2a.schema.missing-required-rejected",
            "a2a.schema.unknown-fields-ignored", "a2a.schema.no-kind", "a2a.schema.artifact-id-unique",
            "a2a.schema.agent-message-context"}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("binding", BINDINGS)
def test_reference_agent_passes(version, binding):
    results = judge("a2a.schema.", version=version, binding=binding)
    expected = ONLY_1_0 | {"a2a.schema.wire-valid", "a2a.schema.part-oneof", "a2a.schema.agent-role"} \
        if version == "1.0" else {"a2a.schema.wire-valid", "a2a.schema.part-oneof", "a2a.schema.agent-role",
                                  "a2a.schema.kind-present"}
    assert set(results) == expected
    for result in results.values():
        if result.id == "a2a.schema.artifact-id-unique":  # the reference makes one artifact per task
            assert result.outcome is Outcome.NOT_APPLICABLE and "two or more artifacts" in result.message
        else:
            assert result.outcome is Outcome.PASS, explain(results)


@pytest.mark.parametrize("binding", BINDINGS)
def test_snake_case_fault_fails_camel_case_and_wire_valid(binding):
    results = judge(["a2a.schema.camel-case", "a2a.schema.wire-valid"], binding=binding,
                    fault="artifact-update-snake-case")
    assert results["a2a.schema.camel-case"].outcome is Outcome.FAIL, explain(results)
    assert "last_chunk" in results["a2a.schema.camel-case"].message
    assert results["a2a.schema.wire-valid"].outcome is Outcome.FAIL, explain(results)


def test_the_toy_passes_the_rules_it_keeps():
    results = judge("a2a.schema.", target=toy_target("good"))
    failing = {i: r for i, r in results.items() if r.outcome not in (Outcome.PASS, Outcome.NOT_APPLICABLE)}
    assert not failing, explain(failing)


@pytest.mark.parametrize(("defect", "requirement", "words"), [
    ("snake_case", "a2a.schema.camel-case", "context_id"),
    ("numeric_enum", "a2a.schema.enum-names", "is 3"),
    ("offset_timestamp", "a2a.schema.timestamps-utc", "+01:00"),
    ("seconds_timestamp", "a2a.schema.timestamps-millis", "0 fractional digits"),
    ("missing_artifact_id", "a2a.schema.required-fields", "'artifactId' is missing"),
    ("two_contents", "a2a.schema.part-oneof", "holds 2 of"),
    ("kind", "a2a.schema.no-kind", "carries kind 'task'"),
    ("duplicate_artifacts", "a2a.schema.artifact-id-unique", "a1"),
    ("user_role", "a2a.schema.agent-role", "ROLE_USER"),
    ("no_context", "a2a.schema.agent-message-context", "no contextId"),
    ("accept_missing", "a2a.schema.missing-required-rejected", "without message.messageId"),
    ("reject_unknown", "a2a.schema.unknown-fields-ignored", "unknown members"),
    ("numeric_enum", "a2a.schema.wire-valid", "state"),
])
def test_each_toy_defect_fails_its_rule(defect, requirement, words):
    results = judge(requirement, target=toy_target(defect))
    assert results[requirement].outcome is Outcome.FAIL, explain(results)
    assert words in results[requirement].message, results[requirement].message


def test_walk_finds_objects_in_both_versions():
    v03 = {"kind": "task", "id": "t", "status": {"state": "completed", "message": {
        "kind": "message", "role": "agent", "messageId": "m", "parts": [{"kind": "file", "file": {"uri": "u"}}]}}}
    kinds = [n.kind for n in nodes(v03)]
    assert kinds == ["task", "status", "message", "part", "file"]
    wrapped = [n.path for n in nodes({"statusUpdate": {"taskId": "t", "status": {"state": "TASK_STATE_WORKING"}}})]
    assert wrapped == [".statusUpdate", ".statusUpdate.status"]
    assert all(n.task_id == "t" for n in nodes(v03))


def test_part_and_name_rules():
    assert part_problem("1.0", {"text": "x"}) is None and part_problem("1.0", {"data": None}) is None
    assert "holds 2" in part_problem("1.0", {"text": "x", "url": "u"})
    assert "bytes and uri" in part_problem("0.3", {"kind": "file", "file": {"bytes": "aGk=", "uri": "u"}})
    assert "text part holding text, data" in part_problem("0.3", {"kind": "text", "text": "x", "data": {}})
    found = list(snake_members({"a_b": 1, "metadata": {"c_d": 1}, "securitySchemes": {"my_scheme": {"e_f": 1}}}, ""))
    assert found == [".a_b", ".securitySchemes['my_scheme'].e_f"]


# --- what the shape observers leave out ----------------------------------------------------------------------
SHAPE_OBSERVERS = ["a2a.schema.wire-valid", "a2a.schema.enum-names", "a2a.schema.no-kind", "a2a.schema.required-fields"]


def test_answers_to_other_versions_are_not_judged_as_this_one():
    # the versioning probe without A2A-Version is served in 0.3 form (kind, 'completed'); not a 1.0 answer
    rids = ["a2a.versioning.missing-header-is-0-3", *SHAPE_OBSERVERS]
    results = judge(rids, version="1.0", binding="jsonrpc")
    assert all(results[r].outcome is Outcome.PASS for r in rids), explain(results)


def test_echoes_of_invalid_requests_are_judged_by_the_check_that_sent_them():
    # the toy accepts the invalid requests of a2a.errors.validation and echoes them (role ROLE_ACCORD_INVALID,
    # parts a string) in the tasks it makes and lists: that is a2a.errors.validation's failure, no shape rule's
    results = judge(["a2a.errors.validation", *SHAPE_OBSERVERS], target=toy_target("accept_invalid"))
    assert results["a2a.errors.validation"].outcome is Outcome.FAIL, explain(results)
    assert all(results[r].outcome is Outcome.PASS for r in SHAPE_OBSERVERS), explain(results)
