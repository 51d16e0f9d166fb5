"""The reference A2A agent (accord_fixtures.a2a_reference): every operation in A2A 1.0 and 0.3 over JSON-RPC
and HTTP+JSON, schema-valid replies (specs/a2a/*/schema.json), error codes, task lifecycle, SSE streams and
push deliveries.

0.3 over HTTP+JSON exchanges the 0.3 proto's JSON (specs/a2a/0.3.0/ERRATA.md): each answer is checked to be in
that form, then read into the kind-object form with accord's own reader (wire.kind_result_03) and judged by the
0.3 schema like the JSON-RPC answers. Requests go out as accord writes them (proto form); the kind form the agent
also reads is sent in test_0_3_rest_reads_requests_in_both_forms."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Iterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from accord.schema import SchemaDocument
from accord.suites.a2a import wire
from accord_fixtures.a2a_reference import BEARER_TOKEN, FAULTS, app, make_app, parse_faults

SPECS = Path(__file__).resolve().parents[1] / "specs" / "a2a"
SCHEMA = {"1.0": SchemaDocument.load(SPECS / "1.0" / "schema.json"),
          "0.3": SchemaDocument.load(SPECS / "0.3.0" / "schema.json")}
BASE_URL = "http://a2a.test"
TEST_TIMEOUT = 20.0
COMBOS = [("1.0", "jsonrpc"), ("1.0", "rest"), ("0.3", "jsonrpc"), ("0.3", "rest")]
V03_STATE = {"submitted": "TASK_STATE_SUBMITTED", "working": "TASK_STATE_WORKING",
             "completed": "TASK_STATE_COMPLETED", "failed": "TASK_STATE_FAILED", "canceled": "TASK_STATE_CANCELED",
             "rejected": "TASK_STATE_REJECTED", "input-required": "TASK_STATE_INPUT_REQUIRED"}
JSONRPC_CODES = {"task-not-found": -32001, "not-cancelable": -32002, "unsupported": -32004,
                 "content-type": -32005, "invalid-params": -32602}
HTTP_STATUS = {"task-not-found": 404, "not-cancelable": 409, "unsupported": 400, "content-type": 415,
               "invalid-params": 400}
REASONS = {"task-not-found": "TASK_NOT_FOUND", "not-cancelable": "TASK_NOT_CANCELABLE",
           "unsupported": "UNSUPPORTED_OPERATION", "content-type": "CONTENT_TYPE_NOT_SUPPORTED"}


def assert_valid(version: str, name: str, instance: Any) -> None:
    errors = SCHEMA[version].errors(name, instance)
    assert not errors, f"not a valid {version} {name}: {errors}\n{json.dumps(instance, indent=1)[:2000]}"


def run_async(scenario: Callable[[], Awaitable[None]]) -> None:
    async def bounded() -> None:
        await asyncio.wait_for(scenario(), timeout=TEST_TIMEOUT)

    asyncio.run(bounded())


def sse_events(text: str) -> list[Any]:
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        data = [line[5:].lstrip() for line in block.split("\n") if line.startswith("data:")]
        if data:
            events.append(json.loads("\n".join(data)))
    return events


def text_part(version: str, text: str) -> dict[str, Any]:
    return {"text": text} if version == "1.0" else {"kind": "text", "text": text}


def message(version: str, *parts: dict[str, Any] | str, **extra: Any) -> dict[str, Any]:
    built = [text_part(version, part) if isinstance(part, str) else part for part in parts]
    if version == "1.0":
        return {"messageId": str(uuid.uuid4()), "role": "ROLE_USER", "parts": built, **extra}
    return {"kind": "message", "messageId": str(uuid.uuid4()), "role": "user", "parts": built, **extra}


def state_of(task: dict[str, Any]) -> str:
    state = task["status"]["state"]
    return V03_STATE.get(state, state)


PROTO_STATES_03 = frozenset(wire.PROTO_STATES_03)
PROTO_ROLES_03 = frozenset({"ROLE_USER", "ROLE_AGENT"})


def assert_proto_part_03(part: Any, where: str) -> None:
    assert isinstance(part, dict) and "kind" not in part, f"{where}: not a proto Part: {part}"
    members = [key for key in ("text", "file", "data") if key in part]
    assert len(members) == 1, f"{where}: a proto Part has one of text, file, data: {part}"
    if "file" in part:
        assert not {"uri", "bytes"} & set(part["file"]), f"{where}: a proto FilePart says fileWithUri/-Bytes: {part}"
        assert {"fileWithUri", "fileWithBytes"} & set(part["file"]), part
    if "data" in part:
        assert isinstance(part["data"], dict) and set(part["data"]) == {"data"}, f"{where}: proto DataPart: {part}"


def assert_proto_form_03(value: Any, where: str = "") -> None:
    """``value`` (a 0.3 HTTP+JSON answer or a part of one) is in the 0.3 proto's JSON, not the kind-object form:
    no ``kind``, messages with ROLE_* and ``content`` (never ``parts``), parts as {text} | {file} | {data: {data}},
    states TASK_STATE_*."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            assert_proto_form_03(item, f"{where}/{index}")
        return
    if not isinstance(value, dict):
        return
    assert "kind" not in value, f"{where or '/'} carries kind (the kind-object form): {value}"
    if "role" in value:
        assert value["role"] in PROTO_ROLES_03, f"{where}/role: {value['role']!r}"
        assert "parts" not in value and isinstance(value.get("content"), list), f"{where}: a message without content"
    for key in ("content", "parts"):
        if isinstance(value.get(key), list):
            for index, part in enumerate(value[key]):
                assert_proto_part_03(part, f"{where}/{key}/{index}")
    if isinstance(value.get("status"), dict):
        assert value["status"].get("state") in PROTO_STATES_03, f"{where}/status/state: {value['status']}"
    for key, item in value.items():
        if key not in ("metadata", "data", "content", "parts"):  # opaque members, and parts checked above
            assert_proto_form_03(item, f"{where}/{key}")


def assert_proto_task_03(task: Any) -> None:
    assert isinstance(task, dict) and task.get("id") and "status" in task, task
    assert_proto_form_03(task, "task")


def assert_proto_push_config_03(config: Any, task_id: str) -> None:
    """A 0.3 proto TaskPushNotificationConfig: the task named in the resource name, not in taskId."""
    assert isinstance(config, dict) and "taskId" not in config and "kind" not in config, config
    inner = config["pushNotificationConfig"]
    assert config["name"] == f"tasks/{task_id}/pushNotificationConfigs/{inner['id']}", config


def read_rest_answer_03(operation: str, body: Any, task_id: str | None = None) -> Any:
    """A 0.3 HTTP+JSON answer, after checking it is the proto form, read into the kind form as accord reads it."""
    if operation in ("SendMessage", "SendStreamingMessage", "SubscribeToTask"):
        assert isinstance(body, dict) and len(body) == 1, body
        (key, payload), = body.items()
        assert key in ("task", "message", "statusUpdate", "artifactUpdate"), body
        if key == "task":
            assert_proto_task_03(payload)
        assert_proto_form_03(payload, key)
    elif operation in ("GetTask", "CancelTask"):
        assert_proto_task_03(body)
    elif operation == "ListTasks":
        assert isinstance(body, list), body
        for task in body:
            assert_proto_task_03(task)
    elif operation in ("CreateTaskPushNotificationConfig", "GetTaskPushNotificationConfig"):
        assert task_id is not None
        assert_proto_push_config_03(body, task_id)
    elif operation == "ListTaskPushNotificationConfigs":
        assert task_id is not None
        assert isinstance(body, dict) and set(body) == {"configs"}, body
        for config in body["configs"]:
            assert_proto_push_config_03(config, task_id)
    else:
        raise AssertionError(f"no proto-form check for {operation}")
    return wire.kind_result_03(operation, body)


class Peer:
    """One client of the agent speaking one version over one binding, checking every reply against the schema.

    Over 0.3 HTTP+JSON, answers are checked to be the 0.3 proto's JSON and returned in the kind-object form;
    requests are written in the proto form (``proto_requests``) or, if not, in the kind-object form."""

    def __init__(self, client: httpx.AsyncClient, version: str, binding: str, *, proto_requests: bool = True) -> None:
        self.client, self.version, self.binding = client, version, binding
        self.headers = {"A2A-Version": version}
        self.prefix = "/a2a/rest" if version == "1.0" else "/a2a/rest/v1"
        self.rest_03 = version == "0.3" and binding == "rest"
        self.proto_requests = self.rest_03 and proto_requests

    def send_body(self, params: dict[str, Any]) -> dict[str, Any]:
        return wire.proto_send_params_03(params) if self.proto_requests else params

    async def rpc(self, method: str, params: dict[str, Any] | None = None, **headers: str) -> httpx.Response:
        body: dict[str, Any] = {"jsonrpc": "2.0", "id": str(uuid.uuid4()), "method": method}
        if params is not None:
            body["params"] = params
        return await self.client.post("/a2a/jsonrpc", json=body, headers={**self.headers, **headers})

    async def rest(self, method: str, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.client.request(method, self.prefix + path, json=body, headers=headers, **kwargs)

    def rest_result(self, response: httpx.Response, operation: str, task_id: str | None = None) -> Any:
        """A successful HTTP+JSON answer; over 0.3, checked to be the proto form and read into the kind form."""
        assert response.status_code == 200, response.text
        if self.version == "1.0":
            return response.json()
        return read_rest_answer_03(operation, response.json(), task_id)

    def rpc_result(self, response: httpx.Response, schema_name: str) -> Any:
        assert response.status_code == 200, response.text
        body = response.json()
        assert "result" in body, body
        assert_valid(self.version, schema_name, body)
        return body["result"]

    # --- operations, returning the payload in this version's shape -------------------------------------------

    async def send(self, msg: dict[str, Any], configuration: dict[str, Any] | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"message": msg}
        if configuration is not None:
            params["configuration"] = configuration
        if self.binding == "jsonrpc":
            if self.version == "1.0":
                return self.rpc_result(await self.rpc("SendMessage", params), "SendMessageJSONRPCSuccessResponse")["task"]
            task = self.rpc_result(await self.rpc("message/send", params), "SendMessageSuccessResponse")
            assert task["kind"] == "task"
            return task
        response = await self.rest("POST", "/message:send", self.send_body(params))
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"task"}
        if self.version == "1.0":
            assert_valid("1.0", "SendMessageResponse", body)
            return body["task"]
        task = read_rest_answer_03("SendMessage", body)
        assert task["kind"] == "task"
        assert_valid("0.3", "Task", task)
        return task

    async def send_raw(self, msg: dict[str, Any], configuration: dict[str, Any] | None = None) -> httpx.Response:
        params: dict[str, Any] = {"message": msg, **({"configuration": configuration} if configuration else {})}
        if self.binding == "jsonrpc":
            return await self.rpc("SendMessage" if self.version == "1.0" else "message/send", params)
        return await self.rest("POST", "/message:send", self.send_body(params))

    async def get_task(self, task_id: str, history_length: int | None = None) -> dict[str, Any]:
        if self.binding == "jsonrpc":
            params: dict[str, Any] = {"id": task_id}
            if history_length is not None:
                params["historyLength"] = history_length
            if self.version == "1.0":
                return self.rpc_result(await self.rpc("GetTask", params), "GetTaskJSONRPCSuccessResponse")
            return self.rpc_result(await self.rpc("tasks/get", params), "GetTaskSuccessResponse")
        query = {} if history_length is None else {"historyLength": str(history_length)}
        task = self.rest_result(await self.rest("GET", f"/tasks/{task_id}", params=query), "GetTask")
        assert_valid(self.version, "Task", task)
        return task

    async def get_task_raw(self, task_id: str) -> httpx.Response:
        if self.binding == "jsonrpc":
            return await self.rpc("GetTask" if self.version == "1.0" else "tasks/get", {"id": task_id})
        return await self.rest("GET", f"/tasks/{task_id}")

    async def cancel_raw(self, task_id: str) -> httpx.Response:
        if self.binding == "jsonrpc":
            return await self.rpc("CancelTask" if self.version == "1.0" else "tasks/cancel", {"id": task_id})
        body = wire.proto_request_03("CancelTask", {"id": task_id}) if self.proto_requests else {}
        return await self.rest("POST", f"/tasks/{task_id}:cancel", body)

    async def subscribe_raw(self, task_id: str) -> httpx.Response:
        if self.binding == "jsonrpc":
            return await self.rpc("SubscribeToTask" if self.version == "1.0" else "tasks/resubscribe", {"id": task_id})
        body = wire.proto_request_03("SubscribeToTask", {"id": task_id}) if self.proto_requests else None
        return await self.rest("POST", f"/tasks/{task_id}:subscribe", body)

    # --- push notification configs ---------------------------------------------------------------------------

    async def create_push(self, task_id: str, url: str, token: str | None = None) -> httpx.Response:
        if self.version == "1.0":
            config: dict[str, Any] = {"url": url, **({"token": token} if token else {})}
            if self.binding == "jsonrpc":
                return await self.rpc("CreateTaskPushNotificationConfig", {"taskId": task_id, **config})
            return await self.rest("POST", f"/tasks/{task_id}/pushNotificationConfigs", config)
        inner = {"url": url, **({"token": token} if token else {})}
        if self.proto_requests:
            return await self.rest("POST", f"/tasks/{task_id}/pushNotificationConfigs",
                                   wire.proto_request_03("CreateTaskPushNotificationConfig", {"taskId": task_id, **inner}))
        if self.binding == "jsonrpc":
            return await self.rpc("tasks/pushNotificationConfig/set",
                                  {"taskId": task_id, "pushNotificationConfig": inner})
        return await self.rest("POST", f"/tasks/{task_id}/pushNotificationConfigs",
                               {"config": {"taskId": task_id, "pushNotificationConfig": inner}})

    async def get_push(self, task_id: str, config_id: str) -> httpx.Response:
        if self.binding == "rest":
            return await self.rest("GET", f"/tasks/{task_id}/pushNotificationConfigs/{config_id}")
        if self.version == "1.0":
            return await self.rpc("GetTaskPushNotificationConfig", {"taskId": task_id, "id": config_id})
        return await self.rpc("tasks/pushNotificationConfig/get", {"id": task_id, "pushNotificationConfigId": config_id})

    async def list_push(self, task_id: str) -> httpx.Response:
        if self.binding == "rest":
            return await self.rest("GET", f"/tasks/{task_id}/pushNotificationConfigs")
        if self.version == "1.0":
            return await self.rpc("ListTaskPushNotificationConfigs", {"taskId": task_id})
        return await self.rpc("tasks/pushNotificationConfig/list", {"id": task_id})

    async def delete_push(self, task_id: str, config_id: str) -> httpx.Response:
        if self.binding == "rest":
            return await self.rest("DELETE", f"/tasks/{task_id}/pushNotificationConfigs/{config_id}")
        if self.version == "1.0":
            return await self.rpc("DeleteTaskPushNotificationConfig", {"taskId": task_id, "id": config_id})
        return await self.rpc("tasks/pushNotificationConfig/delete",
                              {"id": task_id, "pushNotificationConfigId": config_id})

    # --- errors ----------------------------------------------------------------------------------------------

    def assert_error(self, response: httpx.Response, kind: str) -> None:
        if self.binding == "jsonrpc":
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["error"]["code"] == JSONRPC_CODES[kind], body
            assert_valid(self.version, "JSONRPCErrorResponse", body)
            if self.version == "1.0" and kind in REASONS:
                name = {"task-not-found": "TaskNotFoundError", "not-cancelable": "TaskNotCancelableError",
                        "unsupported": "UnsupportedOperationError",
                        "content-type": "ContentTypeNotSupportedError"}[kind]
                assert_valid("1.0", name, body["error"])
            return
        assert response.status_code == HTTP_STATUS[kind], response.text
        body = response.json()
        assert_valid("1.0", "HTTPErrorResponse", body)
        assert body["error"]["code"] == HTTP_STATUS[kind]
        if kind in REASONS:
            infos = [d for d in body["error"]["details"] if d["@type"].endswith("google.rpc.ErrorInfo")]
            assert infos and infos[0]["reason"] == REASONS[kind] and infos[0]["domain"] == "a2a-protocol.org"
            assert_valid("1.0", "ErrorInfo", infos[0])


@contextlib.asynccontextmanager
async def client_for(asgi_app: Any = None, base_url: str = BASE_URL) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=asgi_app or make_app()) if base_url == BASE_URL else None
    async with httpx.AsyncClient(transport=transport, base_url=base_url, timeout=10.0) as client:
        yield client


def ids(combos: list[tuple[str, str]]) -> list[str]:
    return [f"{version}-{binding}" for version, binding in combos]


# --- the agent card and version selection ---------------------------------------------------------------------

def test_card_shape_follows_the_requested_version() -> None:
    async def scenario() -> None:
        async with client_for() as client:
            both = (await client.get("/.well-known/agent-card.json")).json()
            assert_valid("1.0", "AgentCard", both)
            assert_valid("0.3", "AgentCard", both)
            assert both["protocolVersion"] == "0.3.0" and both["preferredTransport"] == "JSONRPC"

            response = await client.get("/.well-known/agent-card.json", headers={"A2A-Version": "1.0"})
            v10 = response.json()
            assert_valid("1.0", "AgentCard", v10)
            assert "url" not in v10 and "protocolVersion" not in v10
            assert v10["capabilities"] == {"streaming": True, "pushNotifications": True, "extendedAgentCard": True}
            declared = {(i["protocolBinding"], i["protocolVersion"], i["url"]) for i in v10["supportedInterfaces"]}
            assert declared == {(binding, version, BASE_URL + path) for binding, path in
                                (("JSONRPC", "/a2a/jsonrpc"), ("HTTP+JSON", "/a2a/rest")) for version in ("1.0", "0.3")}
            assert v10["supportedInterfaces"][0]["protocolVersion"] == "1.0"
            assert v10["securitySchemes"]["bearer"]["httpAuthSecurityScheme"]["scheme"] == "Bearer"
            assert response.headers["etag"] and "max-age" in response.headers["cache-control"]

            v03 = (await client.get("/.well-known/agent-card.json", headers={"A2A-Version": "0.3"})).json()
            assert_valid("0.3", "AgentCard", v03)
            assert "supportedInterfaces" not in v03 and v03["protocolVersion"] == "0.3.0"
            assert v03["url"] == BASE_URL + "/a2a/jsonrpc" and v03["supportsAuthenticatedExtendedCard"] is True
            assert {(i["transport"], i["url"]) for i in v03["additionalInterfaces"]} == {
                ("JSONRPC", BASE_URL + "/a2a/jsonrpc"), ("HTTP+JSON", BASE_URL + "/a2a/rest")}

            patch = (await client.get("/.well-known/agent-card.json?A2A-Version=1.0.3")).json()
            assert "supportedInterfaces" in patch and "url" not in patch
            bad = await client.get("/.well-known/agent-card.json", headers={"A2A-Version": "0.5"})
            assert bad.status_code == 400
            assert bad.json()["error"]["details"][0]["reason"] == "VERSION_NOT_SUPPORTED"

    run_async(scenario)


def test_version_selection_on_both_bindings() -> None:
    async def scenario() -> None:
        async with client_for() as client:
            v03, v10 = Peer(client, "0.3", "jsonrpc"), Peer(client, "1.0", "jsonrpc")
            unversioned = await client.post("/a2a/jsonrpc", json={"jsonrpc": "2.0", "id": 1, "method": "GetTask",
                                                                    "params": {"id": "x"}})
            assert unversioned.json()["error"]["code"] == -32601  # no header: 0.3, which has no GetTask
            assert (await v10.rpc("tasks/get", {"id": "x"})).json()["error"]["code"] == -32601
            assert (await v03.rpc("tasks/get", {"id": "x"})).json()["error"]["code"] == -32001
            assert (await v10.rpc("GetTask", {"id": "x"}, **{"A2A-Version": "1.0.1"})).json()["error"]["code"] == -32001
            for wrong in ("2.0", "0.2", "one"):
                body = (await v10.rpc("GetTask", {"id": "x"}, **{"A2A-Version": wrong})).json()
                assert_valid("1.0", "JSONRPCErrorResponse", body)
                assert_valid("1.0", "VersionNotSupportedError", body["error"])
                response = await client.get("/a2a/rest/tasks/x", headers={"A2A-Version": wrong})
                assert response.status_code == 400
                assert_valid("1.0", "HTTPErrorResponse", response.json())
                assert response.json()["error"]["status"] == "UNIMPLEMENTED"
                assert response.json()["error"]["details"][0]["reason"] == "VERSION_NOT_SUPPORTED"

    run_async(scenario)


# --- sending messages -----------------------------------------------------------------------------------------

def file_part(version: str) -> dict[str, Any]:
    if version == "1.0":
        return {"raw": "aGVsbG8=", "filename": "hello.txt", "mediaType": "text/plain"}
    return {"kind": "file", "file": {"bytes": "aGVsbG8=", "name": "hello.txt", "mimeType": "text/plain"}}


def data_part(version: str) -> dict[str, Any]:
    return {"data": {"n": 1}} if version == "1.0" else {"kind": "data", "data": {"n": 1}}


@pytest.mark.parametrize(("version", "binding"), COMBOS, ids=ids(COMBOS))
def test_default_message_completes_with_echo_artifact(version: str, binding: str) -> None:
    async def scenario() -> None:
        async with client_for() as client:
            peer = Peer(client, version, binding)
            parts = [text_part(version, "hello"), file_part(version), data_part(version)]
            task = await peer.send(message(version, *parts))
            assert state_of(task) == "TASK_STATE_COMPLETED"
            assert [artifact["parts"] for artifact in task["artifacts"]] == [parts]
            reply = task["status"]["message"]
            assert reply["role"] == ("ROLE_AGENT" if version == "1.0" else "agent") and reply["parts"]
            assert task["history"][0]["parts"] == parts and task["history"][-1] == reply
            assert task["contextId"] and task["history"][0]["contextId"] == task["contextId"]

            again = await peer.send(message(version, "hello"))
            assert again["id"] != task["id"] and again["contextId"] != task["contextId"]
            same_context = await peer.send(message(version, "hello", contextId=task["contextId"]))
            assert same_context["contextId"] == task["contextId"] and same_context["id"] != task["id"]

            fetched = await peer.get_task(task["id"])
            assert fetched["id"] == task["id"] and state_of(fetched) == "TASK_STATE_COMPLETED"

    run_async(scenario)


@pytest.mark.parametrize(("version", "binding"), COMBOS, ids=ids(COMBOS))
def test_behaviours_and_lifecycle_errors(version: str, binding: str) -> None:
    async def scenario() -> None:
        async with client_for() as client:
            peer = Peer(client, version, binding)
            assert state_of(await peer.send(message(version, "fail"))) == "TASK_STATE_FAILED"
            assert state_of(await peer.send(message(version, "reject"))) == "TASK_STATE_REJECTED"

            waiting = await peer.send(message(version, "input"))
            assert state_of(waiting) == "TASK_STATE_INPUT_REQUIRED"
            mismatch = await peer.send_raw(message(version, "x", taskId=waiting["id"], contextId="another"))
            peer.assert_error(mismatch, "invalid-params")
            done = await peer.send(message(version, "the rest", taskId=waiting["id"]))
            assert done["id"] == waiting["id"] and done["contextId"] == waiting["contextId"]
            assert state_of(done) == "TASK_STATE_COMPLETED"
            assert done["artifacts"][-1]["parts"] == [text_part(version, "the rest")]

            peer.assert_error(await peer.send_raw(message(version, "more", taskId=done["id"])), "unsupported")
            peer.assert_error(await peer.send_raw(message(version, "hi", taskId="no-such-task")), "task-not-found")
            peer.assert_error(await peer.get_task_raw("no-such-task"), "task-not-found")
            peer.assert_error(await peer.cancel_raw(done["id"]), "not-cancelable")
            peer.assert_error(await peer.subscribe_raw(done["id"]), "unsupported")
            odd = ({"raw": "AAAA", "mediaType": "video/mp4"} if version == "1.0"
                   else {"kind": "file", "file": {"bytes": "AAAA", "mimeType": "video/mp4"}})
            peer.assert_error(await peer.send_raw(message(version, "hi", odd)), "content-type")
            agent_role = {**message(version, "hi"), "role": "ROLE_AGENT" if version == "1.0" else "agent"}
            peer.assert_error(await peer.send_raw(agent_role), "invalid-params")
            no_parts = {**message(version, "hi"), "parts": []}
            peer.assert_error(await peer.send_raw(no_parts), "invalid-params")

    run_async(scenario)


@pytest.mark.parametrize(("version", "binding"), COMBOS, ids=ids(COMBOS))
def test_history_length_is_honoured(version: str, binding: str) -> None:
    async def scenario() -> None:
        async with client_for() as client:
            peer = Peer(client, version, binding)
            task = await peer.send(message(version, "hello"), {"historyLength": 0})
            assert "history" not in task
            assert len((await peer.get_task(task["id"]))["history"]) == 2
            assert "history" not in await peer.get_task(task["id"], 0)
            last = (await peer.get_task(task["id"], 1))["history"]
            assert len(last) == 1 and last[0] == task["status"]["message"]
            assert len((await peer.get_task(task["id"], 50))["history"]) == 2

    run_async(scenario)


@pytest.mark.parametrize(("version", "binding"), COMBOS, ids=ids(COMBOS))
def test_cancel_a_working_task(version: str, binding: str) -> None:
    async def scenario() -> None:
        async with client_for() as client:
            peer = Peer(client, version, binding)
            config = {"returnImmediately": True} if version == "1.0" else {"blocking": False}
            task = await peer.send(message(version, "slow"), config)
            assert state_of(task) in ("TASK_STATE_SUBMITTED", "TASK_STATE_WORKING")
            await asyncio.sleep(0.3)
            assert state_of(await peer.get_task(task["id"])) == "TASK_STATE_WORKING"
            response = await peer.cancel_raw(task["id"])
            canceled = (peer.rpc_result(response, "CancelTaskJSONRPCSuccessResponse" if version == "1.0"
                                        else "CancelTaskSuccessResponse")
                        if binding == "jsonrpc" else peer.rest_result(response, "CancelTask"))
            assert state_of(canceled) == "TASK_STATE_CANCELED"
            await asyncio.sleep(0.3)
            assert state_of(await peer.get_task(task["id"])) == "TASK_STATE_CANCELED"  # stays terminal
            peer.assert_error(await peer.cancel_raw(task["id"]), "not-cancelable")

    run_async(scenario)


def test_0_3_rest_reads_requests_in_both_forms() -> None:
    """0.3 HTTP+JSON takes a send in the proto form (as the SDKs and accord write it) and in the kind-object form
    of 0.3 JSON-RPC, and answers both in the proto form."""
    async def scenario() -> None:
        async with client_for() as client:
            proto, kind = Peer(client, "0.3", "rest"), Peer(client, "0.3", "rest", proto_requests=False)
            parts = [text_part("0.3", "hello"), file_part("0.3"), data_part("0.3")]
            sent = message("0.3", *parts)
            assert "content" in proto.send_body({"message": sent})["message"]
            assert "parts" in kind.send_body({"message": sent})["message"]
            by_proto, by_kind = await proto.send(sent), await kind.send(message("0.3", *parts))
            for task in (by_proto, by_kind):
                assert state_of(task) == "TASK_STATE_COMPLETED"
                assert task["history"][0]["parts"] == parts and task["history"][0]["role"] == "user"
                assert [artifact["parts"] for artifact in task["artifacts"]] == [parts]

            waiting = await kind.send(message("0.3", "input"), {"blocking": True})
            created = kind.rest_result(await kind.create_push(waiting["id"], "http://127.0.0.1:9/hook", "tok"),
                                       "CreateTaskPushNotificationConfig", waiting["id"])
            assert created["taskId"] == waiting["id"] and created["pushNotificationConfig"]["token"] == "tok"
            kind.assert_error(await kind.send_raw({**message("0.3", "hi"), "parts": []}), "invalid-params")
            proto.assert_error(await proto.send_raw({**message("0.3", "hi"), "parts": []}), "invalid-params")

    run_async(scenario)


# --- listing tasks (1.0) --------------------------------------------------------------------------------------

@pytest.mark.parametrize("binding", ["jsonrpc", "rest"])
def test_list_tasks_filters_orders_and_pages(binding: str) -> None:
    async def scenario() -> None:
        async with client_for() as client:
            peer = Peer(client, "1.0", binding)
            first = await peer.send(message("1.0", "hello"))
            context = first["contextId"]
            for text in ("hello", "fail", "hello", "fail"):
                await peer.send(message("1.0", text, contextId=context))
            await peer.send(message("1.0", "hello"))

            async def list_tasks(**params: Any) -> dict[str, Any]:
                if binding == "jsonrpc":
                    return peer.rpc_result(await peer.rpc("ListTasks", params), "ListTasksJSONRPCSuccessResponse")
                query = {key: str(value).lower() if isinstance(value, bool) else str(value)
                         for key, value in params.items()}
                response = await peer.rest("GET", "/tasks", params=query)
                assert response.status_code == 200, response.text
                assert_valid("1.0", "ListTasksResponse", response.json())
                return response.json()

            everything = await list_tasks()
            assert everything["totalSize"] == 6 and everything["nextPageToken"] == ""
            stamps = [task["status"]["timestamp"] for task in everything["tasks"]]
            assert stamps == sorted(stamps, reverse=True)
            assert all("artifacts" not in task for task in everything["tasks"])
            assert any("artifacts" in task for task in (await list_tasks(includeArtifacts=True))["tasks"])
            assert all("history" not in task for task in (await list_tasks(historyLength=0))["tasks"])

            in_context = await list_tasks(contextId=context)
            assert in_context["totalSize"] == 5
            assert {task["contextId"] for task in in_context["tasks"]} == {context}
            failed = await list_tasks(contextId=context, status="TASK_STATE_FAILED")
            assert failed["totalSize"] == 2 and all(state_of(t) == "TASK_STATE_FAILED" for t in failed["tasks"])

            seen, token, pages = [], "", 0
            while pages < 10:
                page = await list_tasks(pageSize=2, **({"pageToken": token} if token else {}))
                assert len(page["tasks"]) <= 2 and page["totalSize"] == 6 and page["pageSize"] == 2
                seen += [task["id"] for task in page["tasks"]]
                token, pages = page["nextPageToken"], pages + 1
                if not token:
                    break
            assert pages == 3 and seen == [task["id"] for task in everything["tasks"]]

            later = await list_tasks(statusTimestampAfter=stamps[0])
            assert everything["tasks"][0]["id"] in [task["id"] for task in later["tasks"]]

            for bad in ({"pageSize": 101}, {"pageSize": -1}, {"pageToken": "nonsense"}, {"historyLength": -1},
                        {"status": "TASK_STATE_SLEEPING"}):
                if binding == "jsonrpc":
                    assert (await peer.rpc("ListTasks", bad)).json()["error"]["code"] == -32602
                else:
                    response = await peer.rest("GET", "/tasks", params={k: str(v) for k, v in bad.items()})
                    assert response.status_code == 400 and response.json()["error"]["status"] == "INVALID_ARGUMENT"

    run_async(scenario)


def test_task_listing_in_0_3() -> None:
    async def scenario() -> None:
        async with client_for() as client:
            peer = Peer(client, "0.3", "rest")
            task = await peer.send(message("0.3", "hello"))
            assert (await Peer(client, "0.3", "jsonrpc").rpc("tasks/list", {})).json()["error"]["code"] == -32601
            listed = peer.rest_result(await peer.rest("GET", "/tasks"), "ListTasks")
            assert [item["id"] for item in listed] == [task["id"]]
            assert listed[0]["kind"] == "task" and state_of(listed[0]) == "TASK_STATE_COMPLETED"
            assert_valid("0.3", "Task", listed[0])

    run_async(scenario)


# --- push notification configs --------------------------------------------------------------------------------

@pytest.mark.parametrize(("version", "binding"), COMBOS, ids=ids(COMBOS))
def test_push_config_operations(version: str, binding: str) -> None:
    async def scenario() -> None:
        async with client_for() as client:
            peer = Peer(client, version, binding)
            task = await peer.send(message(version, "input"))
            url = "http://127.0.0.1:9/hook"

            def result(response: httpx.Response, name10: str, name03: str, operation: str) -> Any:
                if binding == "jsonrpc":
                    return peer.rpc_result(response, name10 if version == "1.0" else name03)
                return peer.rest_result(response, operation, task["id"])

            created = result(await peer.create_push(task["id"], url, "tok"),
                             "CreateTaskPushNotificationConfigJSONRPCSuccessResponse",
                             "SetTaskPushNotificationConfigSuccessResponse", "CreateTaskPushNotificationConfig")
            assert_valid(version, "TaskPushNotificationConfig", created)
            inner = created if version == "1.0" else created["pushNotificationConfig"]
            assert created["taskId"] == task["id"] and inner["url"] == url and inner["token"] == "tok"
            config_id = inner["id"]
            assert config_id

            fetched = result(await peer.get_push(task["id"], config_id),
                             "GetTaskPushNotificationConfigJSONRPCSuccessResponse",
                             "GetTaskPushNotificationConfigSuccessResponse", "GetTaskPushNotificationConfig")
            assert fetched == created
            listed = result(await peer.list_push(task["id"]), "ListTaskPushNotificationConfigsJSONRPCSuccessResponse",
                            "ListTaskPushNotificationConfigSuccessResponse", "ListTaskPushNotificationConfigs")
            if version == "1.0":
                assert_valid("1.0", "ListTaskPushNotificationConfigsResponse", listed)
                listed = listed["configs"]
            assert listed == [created]

            for _ in range(2):  # deleting is idempotent
                response = await peer.delete_push(task["id"], config_id)
                assert response.status_code == 200
                if binding == "jsonrpc":
                    peer.rpc_result(response, "DeleteTaskPushNotificationConfigJSONRPCSuccessResponse"
                                    if version == "1.0" else "DeleteTaskPushNotificationConfigSuccessResponse")
            peer.assert_error(await peer.get_push(task["id"], config_id), "task-not-found")
            peer.assert_error(await peer.list_push("no-such-task"), "task-not-found")
            peer.assert_error(await peer.create_push("no-such-task", url), "task-not-found")
            peer.assert_error(await peer.create_push(task["id"], "http://example.com/hook"), "invalid-params")

    run_async(scenario)


# --- extended agent card --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("version", "binding"), COMBOS, ids=ids(COMBOS))
def test_extended_card_needs_the_bearer_token(version: str, binding: str) -> None:
    async def scenario() -> None:
        async with client_for() as client:
            peer = Peer(client, version, binding)

            async def fetch(token: str | None) -> httpx.Response:
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                if binding == "jsonrpc":
                    method = "GetExtendedAgentCard" if version == "1.0" else "agent/getAuthenticatedExtendedCard"
                    return await peer.rpc(method, None, **headers)
                return await peer.rest("GET", "/extendedAgentCard" if version == "1.0" else "/card", headers=headers)

            for token in (None, "wrong"):
                response = await fetch(token)
                assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer")
                if binding == "jsonrpc":
                    assert_valid(version, "JSONRPCErrorResponse", response.json())
                else:
                    assert_valid("1.0", "HTTPErrorResponse", response.json())
            response = await fetch(BEARER_TOKEN)
            assert response.status_code == 200, response.text
            extended = response.json()["result"] if binding == "jsonrpc" else response.json()
            assert_valid(version, "AgentCard", extended)
            assert "echo-extended" in {skill["id"] for skill in extended["skills"]}

    run_async(scenario)


# --- envelopes and malformed requests -------------------------------------------------------------------------

def test_jsonrpc_envelope_errors() -> None:
    async def scenario() -> None:
        async with client_for() as client:
            async def post(content: str, version: str = "1.0") -> dict[str, Any]:
                response = await client.post("/a2a/jsonrpc", content=content, headers={
                    "A2A-Version": version, "Content-Type": "application/json"})
                assert response.status_code == 200
                assert_valid(version, "JSONRPCErrorResponse", response.json())
                return response.json()

            assert (await post("{not json"))["error"]["code"] == -32700
            assert (await post("{not json"))["id"] is None
            assert (await post("[]"))["error"]["code"] == -32600
            assert (await post('{"jsonrpc": "2.0", "method": "GetTask", "params": {"id": "x"}}'))["error"]["code"] == -32600
            body = await post('{"jsonrpc": "1.0", "id": 7, "method": "GetTask"}')
            assert body["error"]["code"] == -32600 and body["id"] == 7
            assert (await post('{"jsonrpc": "2.0", "id": 7, "method": "GetTask", "params": []}'))["error"]["code"] == -32602
            assert (await post('{"jsonrpc": "2.0", "id": 7, "method": "GetTask", "params": {}}'))["error"]["code"] == -32602
            assert (await post('{"jsonrpc": "2.0", "id": 7, "method": "Nope"}'))["error"]["code"] == -32601
            old = await post('{"jsonrpc": "2.0", "id": "a", "method": "tasks/get", "params": {"id": "x"}}', "0.3")
            assert old["error"]["code"] == -32001 and "data" not in old["error"]

    run_async(scenario)


def test_rest_routing_errors() -> None:
    async def scenario() -> None:
        async with client_for() as client:
            headers = {"A2A-Version": "1.0"}
            missing = await client.get("/a2a/rest/nothing/here", headers=headers)
            assert missing.status_code == 404 and missing.json()["error"]["status"] == "NOT_FOUND"
            wrong_method = await client.delete("/a2a/rest/message:send", headers=headers)
            assert wrong_method.status_code == 405
            broken = await client.post("/a2a/rest/message:send", content="{", headers=headers)
            assert broken.status_code == 400 and broken.json()["error"]["status"] == "INVALID_ARGUMENT"
            for response in (missing, wrong_method, broken):
                assert_valid("1.0", "HTTPErrorResponse", response.json())

    run_async(scenario)


def test_faults_are_named_and_checked() -> None:
    assert FAULTS and all(requirement.startswith("a2a.") for requirement in FAULTS.values())
    assert parse_faults("") == frozenset()
    assert parse_faults(" , ".join(sorted(FAULTS)[:2])) == frozenset(sorted(FAULTS)[:2])
    with pytest.raises(ValueError):
        make_app(frozenset({"no-such-fault"}))
    assert app is not None


# --- streams (a real server: ASGITransport buffers whole responses) -------------------------------------------

@contextlib.contextmanager
def serve_in_thread(asgi_app: Any) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(asgi_app, log_level="warning", timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10.0
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=5.0)
        sock.close()


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with serve_in_thread(make_app()) as url:
        yield url


async def read_stream(client: httpx.AsyncClient, method: str, url: str, body: Any, version: str,
                      on_event: Callable[[Any], Awaitable[None]] | None = None) -> list[Any]:
    events: list[Any] = []
    async with client.stream(method, url, json=body, headers={"A2A-Version": version}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        buffer = ""
        async for chunk in response.aiter_text():
            buffer += chunk
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                for event in sse_events(block + "\n\n"):
                    events.append(event)
                    if on_event is not None:
                        await on_event(event)
    return events


def stream_request(version: str, binding: str, text: str) -> tuple[str, str, Any]:
    params: dict[str, Any] = {"message": message(version, text)}
    if version == "0.3" and binding == "rest":
        params = wire.proto_send_params_03(params)
    if binding == "jsonrpc":
        method = "SendStreamingMessage" if version == "1.0" else "message/stream"
        return "POST", "/a2a/jsonrpc", {"jsonrpc": "2.0", "id": 5, "method": method, "params": params}
    return "POST", "/a2a/rest/message:stream" if version == "1.0" else "/a2a/rest/v1/message:stream", params


def unwrap(version: str, binding: str, event: Any) -> tuple[str, dict[str, Any]]:
    """(kind, object) of one stream event, after checking it against the schema."""
    if binding == "jsonrpc":
        assert_valid(version, "SendStreamingMessageJSONRPCSuccessResponse" if version == "1.0"
                     else "SendStreamingMessageSuccessResponse", event)
        assert event["id"] == 5
        event = event["result"]
        if version == "0.3":
            return event["kind"], event
    if version == "0.3":
        read = read_rest_answer_03("SendStreamingMessage", event)
        name = {"task": "Task", "status-update": "TaskStatusUpdateEvent", "artifact-update": "TaskArtifactUpdateEvent"}
        assert_valid("0.3", name[read["kind"]], read)
        return read["kind"], read
    assert_valid("1.0", "StreamResponse", event)
    (key, payload), = event.items()
    return {"task": "task", "statusUpdate": "status-update", "artifactUpdate": "artifact-update"}[key], payload


def test_streams_start_with_the_task_and_end_at_the_final_status(served: str) -> None:
    async def one(client: httpx.AsyncClient, version: str, binding: str) -> None:
        events = [unwrap(version, binding, event)
                  for event in await read_stream(client, *stream_request(version, binding, "slow"), version)]
        kinds = [kind for kind, _ in events]
        assert kinds[0] == "task" and kinds[-2:] == ["artifact-update", "status-update"]
        task_id = events[0][1]["id"]
        assert all(payload["taskId"] == task_id for _, payload in events[1:])
        states = [state_of(payload) for kind, payload in events if kind == "status-update"]
        assert states[-1] == "TASK_STATE_COMPLETED" and set(states[:-1]) == {"TASK_STATE_WORKING"}
        assert len(states) >= 7  # a progress update every 0.2 s
        if version == "0.3":
            finals = [payload["final"] for kind, payload in events if kind == "status-update"]
            assert finals == [False] * (len(finals) - 1) + [True]
        stamps = [payload["status"]["timestamp"] for kind, payload in events if kind == "status-update"]
        assert stamps == sorted(stamps)

    async def scenario() -> None:
        async with client_for(base_url=served) as client:
            await asyncio.gather(*(one(client, version, binding) for version, binding in COMBOS))
            for version, binding in COMBOS:  # an interrupted state ends the stream too
                events = [unwrap(version, binding, event)
                          for event in await read_stream(client, *stream_request(version, binding, "input"), version)]
                assert state_of(events[-1][1]) == "TASK_STATE_INPUT_REQUIRED"

    run_async(scenario)


def test_every_subscriber_gets_the_same_events(served: str) -> None:
    async def scenario() -> None:
        async with client_for(base_url=served) as client:
            peer = Peer(client, "1.0", "jsonrpc")
            task = await peer.send(message("1.0", "slow"), {"returnImmediately": True})
            subscriptions = [
                ("1.0", "jsonrpc", "/a2a/jsonrpc",
                 {"jsonrpc": "2.0", "id": 5, "method": "SubscribeToTask", "params": {"id": task["id"]}}),
                ("1.0", "rest", f"/a2a/rest/tasks/{task['id']}:subscribe", None),
                ("1.0", "jsonrpc", "/a2a/jsonrpc",
                 {"jsonrpc": "2.0", "id": 5, "method": "SubscribeToTask", "params": {"id": task["id"]}}),
                ("0.3", "jsonrpc", "/a2a/jsonrpc",
                 {"jsonrpc": "2.0", "id": 5, "method": "tasks/resubscribe", "params": {"id": task["id"]}}),
            ]
            streams = await asyncio.gather(*(read_stream(client, "POST", url, body, version)
                                             for version, _, url, body in subscriptions))
            unwrapped = [[unwrap(version, binding, event) for event in stream]
                         for (version, binding, _, _), stream in zip(subscriptions, streams)]
            for events in unwrapped:
                assert events[0][0] == "task" and events[0][1]["id"] == task["id"]
                assert state_of(events[-1][1]) == "TASK_STATE_COMPLETED"
            tails = [[payload for _, payload in events[1:]] for events in unwrapped[:3]]
            shortest = min(len(tail) for tail in tails)
            assert shortest >= 3
            assert tails[0][-shortest:] == tails[1][-shortest:] == tails[2][-shortest:]
            assert [state_of(p) for k, p in unwrapped[3][1:] if k == "status-update"][-1] == "TASK_STATE_COMPLETED"

    run_async(scenario)


def test_cancel_ends_the_stream(served: str) -> None:
    async def scenario() -> None:
        async with client_for(base_url=served) as client:
            peer = Peer(client, "1.0", "rest")
            canceled: list[str] = []

            async def cancel_after_first_update(event: Any) -> None:
                if "statusUpdate" in event and not canceled:
                    canceled.append(event["statusUpdate"]["taskId"])
                    response = await peer.cancel_raw(canceled[0])
                    assert response.status_code == 200, response.text

            events = await read_stream(client, *stream_request("1.0", "rest", "slow"), "1.0",
                                       on_event=cancel_after_first_update)
            assert state_of(events[-1]["statusUpdate"]) == "TASK_STATE_CANCELED"
            assert not any("artifactUpdate" in event for event in events)

    run_async(scenario)


# --- push deliveries ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def webhook() -> Iterator[tuple[str, list[tuple[dict[str, str], Any]]]]:
    received: list[tuple[dict[str, str], Any]] = []
    lock = threading.Lock()

    async def hook(request: Request) -> JSONResponse:
        body = await request.json()
        with lock:
            received.append((dict(request.headers), body))
        return JSONResponse({})

    with serve_in_thread(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        yield url + "/hook", received


async def deliveries(received: list[tuple[dict[str, str], Any]], token: str, count: int) -> list[tuple[dict[str, str], Any]]:
    deadline = time.monotonic() + 8.0
    while time.monotonic() < deadline:
        mine = [item for item in list(received) if item[0].get("x-a2a-notification-token") == token]
        if len(mine) >= count:
            await asyncio.sleep(0.2)  # nothing more should follow
            return [item for item in list(received) if item[0].get("x-a2a-notification-token") == token]
        await asyncio.sleep(0.05)
    return [item for item in list(received) if item[0].get("x-a2a-notification-token") == token]


def test_push_delivery_1_0(webhook: tuple[str, list[Any]]) -> None:
    url, received = webhook

    async def scenario() -> None:
        async with client_for() as client:
            peer = Peer(client, "1.0", "jsonrpc")
            token = str(uuid.uuid4())
            push = {"url": url, "token": token, "authentication": {"scheme": "Bearer", "credentials": "secret"}}
            task = await peer.send(message("1.0", "hello"), {"taskPushNotificationConfig": push})
            got = await deliveries(received, token, 3)
            bodies = [body for _, body in got]
            for headers, body in got:
                assert_valid("1.0", "StreamResponse", body)
                assert headers["authorization"] == "Bearer secret"
            assert [next(iter(body)) for body in bodies] == ["statusUpdate", "artifactUpdate", "statusUpdate"]
            assert [body["statusUpdate"]["status"]["state"] for body in bodies if "statusUpdate" in body] == [
                "TASK_STATE_WORKING", "TASK_STATE_COMPLETED"]
            assert all(next(iter(body.values()))["taskId"] == task["id"] for body in bodies)

            waiting = await peer.send(message("1.0", "input"))
            kept, dropped = str(uuid.uuid4()), str(uuid.uuid4())
            peer.rpc_result(await peer.create_push(waiting["id"], url, kept),
                            "CreateTaskPushNotificationConfigJSONRPCSuccessResponse")
            doomed = peer.rpc_result(await peer.create_push(waiting["id"], url, dropped),
                                     "CreateTaskPushNotificationConfigJSONRPCSuccessResponse")
            peer.rpc_result(await peer.delete_push(waiting["id"], doomed["id"]),
                            "DeleteTaskPushNotificationConfigJSONRPCSuccessResponse")
            await peer.send(message("1.0", "go on", taskId=waiting["id"]))
            states = [body["statusUpdate"]["status"]["state"]
                      for _, body in await deliveries(received, kept, 3) if "statusUpdate" in body]
            assert states == ["TASK_STATE_WORKING", "TASK_STATE_COMPLETED"]
            assert await deliveries(received, dropped, 1) == []

    run_async(scenario)


def test_push_delivery_0_3(webhook: tuple[str, list[Any]]) -> None:
    url, received = webhook

    async def scenario() -> None:
        async with client_for() as client:
            peer = Peer(client, "0.3", "rest")
            token = str(uuid.uuid4())
            task = await peer.send(message("0.3", "input"), {"pushNotificationConfig": {"url": url, "token": token}})
            await peer.send(message("0.3", "more", taskId=task["id"]))
            got = await deliveries(received, token, 4)
            # A 0.3 config gets the kind-object Task of 0.3 section 9.5 (push.py), whichever binding set it up:
            # the proto form is only what the HTTP+JSON answers use.
            for _, body in got:
                assert body["kind"] == "task" and "content" not in body["status"].get("message", {})
                assert_valid("0.3", "Task", body)
                assert body["id"] == task["id"]
            assert [body["status"]["state"] for _, body in got] == ["working", "input-required", "working",
                                                                    "completed"]

    run_async(scenario)


# --- the command line -----------------------------------------------------------------------------------------

def test_command_line_serves_on_loopback() -> None:
    process = subprocess.Popen([sys.executable, "-m", "accord_fixtures.a2a_reference", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:"), line
        card = httpx.get(line.removeprefix("listening on ") + "/.well-known/agent-card.json",
                         headers={"A2A-Version": "1.0"}, timeout=5.0).json()
        assert_valid("1.0", "AgentCard", card)
    finally:
        process.terminate()
        process.wait(timeout=10)
