"""A2A 0.3 over HTTP+JSON (specs/a2a/0.3.0/ERRATA.md): accord sends the 0.3 proto's JSON and reads answers in
that form or in the kind-object form, into the kind-object form, which the 0.3 schema then judges."""

from __future__ import annotations

import copy

import pytest

from accord.peer import Reply
from accord.specs import SpecRef, load_spec
from accord.suites.a2a import wire
from accord.suites.a2a.bindings import HttpJsonBinding
from accord_fixtures.a2a_reference import rest as reference_rest

SCHEMA_03 = load_spec(SpecRef("a2a", "0.3.0")).schema

# What a2a-sdk 1.3.0 and @a2a-js/sdk 1.3.0 answer on their 0.3 HTTP+JSON routes (proto JSON: no kind, ROLE_*,
# TASK_STATE_*, Message.content, false and empty members left out).
PROTO_TASK = {
    "id": "t1", "contextId": "c1",
    "status": {"state": "TASK_STATE_INPUT_REQUIRED", "timestamp": "2026-01-01T00:00:00Z",
               "message": {"messageId": "m2", "role": "ROLE_AGENT", "content": [{"text": "more?"}]}},
    "artifacts": [{"artifactId": "a1", "name": "echo", "parts": [
        {"text": "echo"}, {"file": {"fileWithUri": "http://127.0.0.1:9/f", "mimeType": "text/plain", "name": "f"}},
        {"file": {"fileWithBytes": "aGk="}}, {"data": {"data": {"n": 1}}}]}],
    "history": [{"messageId": "m1", "contextId": "c1", "taskId": "t1", "role": "ROLE_USER",
                 "content": [{"text": "hello"}]}],
}
PROTO_STATUS_UPDATE = {"taskId": "t1", "contextId": "c1", "status": {"state": "TASK_STATE_WORKING"}}
PROTO_ARTIFACT_UPDATE = {"taskId": "t1", "contextId": "c1", "lastChunk": True,
                         "artifact": {"artifactId": "a1", "parts": [{"text": "x"}]}}
PROTO_PUSH_CONFIG = {"name": "tasks/t1/pushNotificationConfigs/p1",
                     "pushNotificationConfig": {"id": "p1", "url": "http://127.0.0.1:9/hook", "token": "tok",
                                                "authentication": {"schemes": ["Bearer"]}}}


def valid(definition: str, value: object) -> list[str]:
    return SCHEMA_03.errors(definition, value)


# --- answers: proto JSON -> kind objects ----------------------------------------------------------------------
def test_a_proto_send_answer_reads_as_a_valid_kind_task() -> None:
    task = wire.kind_result_03("SendMessage", {"task": PROTO_TASK})
    assert valid("Task", task) == []
    assert task["kind"] == "task" and task["status"]["state"] == "input-required"
    assert task["status"]["message"] == {"kind": "message", "messageId": "m2", "role": "agent",
                                         "parts": [{"kind": "text", "text": "more?"}]}
    assert task["history"][0]["role"] == "user" and "content" not in task["history"][0]
    assert task["artifacts"][0]["parts"] == [
        {"kind": "text", "text": "echo"},
        {"kind": "file", "file": {"uri": "http://127.0.0.1:9/f", "mimeType": "text/plain", "name": "f"}},
        {"kind": "file", "file": {"bytes": "aGk="}},
        {"kind": "data", "data": {"n": 1}},
    ]


def test_stream_events_read_as_kind_events_and_a_left_out_final_is_false() -> None:
    status = wire.kind_result_03("SendStreamingMessage", {"statusUpdate": PROTO_STATUS_UPDATE})
    assert status == {"kind": "status-update", "taskId": "t1", "contextId": "c1",
                      "status": {"state": "working"}, "final": False}
    assert valid("TaskStatusUpdateEvent", status) == []
    artifact = wire.kind_result_03("SubscribeToTask", {"artifactUpdate": PROTO_ARTIFACT_UPDATE})
    assert artifact["kind"] == "artifact-update" and artifact["artifact"]["parts"] == [{"kind": "text", "text": "x"}]
    assert valid("TaskArtifactUpdateEvent", artifact) == []
    message = wire.kind_result_03("SendMessage", {"message": {"messageId": "m", "role": "ROLE_AGENT",
                                                               "content": [{"text": "hi"}]}})
    assert valid("Message", message) == [] and message["kind"] == "message"


def test_the_proto_spelling_of_canceled_and_an_empty_content() -> None:
    task = wire.kind_result_03("GetTask", {"id": "t", "contextId": "c", "status": {"state": "TASK_STATE_CANCELLED"}})
    assert task["status"]["state"] == "canceled" and valid("Task", task) == []
    message = wire.kind_message_03({"messageId": "m", "role": "ROLE_AGENT"})
    assert message["parts"] == []  # proto3 JSON leaves an empty repeated field out


def test_push_configs_read_as_kind_configs() -> None:
    config = wire.kind_result_03("GetTaskPushNotificationConfig", PROTO_PUSH_CONFIG)
    assert config == {"taskId": "t1", "pushNotificationConfig": PROTO_PUSH_CONFIG["pushNotificationConfig"]}
    assert valid("TaskPushNotificationConfig", config) == []
    listed = wire.kind_result_03("ListTaskPushNotificationConfigs", {"configs": [PROTO_PUSH_CONFIG]})
    assert listed == [config]
    assert wire.kind_result_03("ListTaskPushNotificationConfigs", {}) == []


def test_kind_answers_are_kept_as_they_are() -> None:
    kind_task = {"kind": "task", "id": "t", "contextId": "c", "status": {"state": "completed"}}
    assert wire.kind_result_03("SendMessage", kind_task) == kind_task
    assert wire.kind_result_03("SendMessage", {"task": kind_task}) == kind_task
    assert wire.kind_result_03("GetTask", kind_task) == kind_task
    kind_config = {"taskId": "t", "pushNotificationConfig": {"url": "http://127.0.0.1:9/h"}}
    assert wire.kind_result_03("CreateTaskPushNotificationConfig", kind_config) == kind_config
    assert wire.kind_result_03("ListTaskPushNotificationConfigs", [kind_config]) == [kind_config]


def test_what_is_neither_form_is_left_for_the_validator() -> None:
    odd = {"task": {}, "message": {}}
    assert wire.kind_result_03("SendMessage", odd) == odd
    assert wire.kind_result_03("SendMessage", "text") == "text"
    broken = wire.kind_result_03("GetTask", {"id": "t", "contextId": "c", "status": {"state": "TASK_STATE_DONE"}})
    assert valid("Task", broken)  # an unknown state stays unknown


def test_a_proto_card_reads_as_a_0_3_card() -> None:
    card = {"name": "a", "securitySchemes": {
        "bearer": {"httpAuthSecurityScheme": {"scheme": "bearer"}},
        "key": {"apiKeySecurityScheme": {"location": "header", "name": "X-Key"}}},
        "security": [{"schemes": {"bearer": {"list": ["read"]}}}]}
    read = wire.kind_result_03("GetExtendedAgentCard", card)
    assert read["securitySchemes"] == {"bearer": {"type": "http", "scheme": "bearer"},
                                       "key": {"type": "apiKey", "in": "header", "name": "X-Key"}}
    assert read["security"] == [{"bearer": ["read"]}]


# --- requests: 1.0-form params -> the 0.3 proto's JSON ----------------------------------------------------------
def test_a_send_request_goes_out_in_the_proto_form() -> None:
    message = {"messageId": "m", "role": "ROLE_USER", "contextId": "c", "metadata": {"k": 1}, "parts": [
        {"text": "hi"}, {"url": "http://127.0.0.1:9/f", "mediaType": "text/plain", "filename": "f"},
        {"raw": "aGk="}, {"data": {"n": 1}}]}
    body = wire.proto_request_03("SendMessage", {"message": message, "configuration": {
        "returnImmediately": True, "historyLength": 2,
        "taskPushNotificationConfig": {"url": "http://127.0.0.1:9/h", "token": "t"}}})
    assert body["message"] == {"messageId": "m", "role": "ROLE_USER", "contextId": "c", "metadata": {"k": 1},
                               "content": [{"text": "hi"},
                                           {"file": {"fileWithUri": "http://127.0.0.1:9/f", "mimeType": "text/plain",
                                                     "name": "f"}},
                                           {"file": {"fileWithBytes": "aGk="}}, {"data": {"data": {"n": 1}}}]}
    assert body["configuration"] == {"historyLength": 2, "blocking": False,
                                     "pushNotification": {"url": "http://127.0.0.1:9/h", "token": "t"}}


def test_task_requests_name_the_task_and_a_push_config_carries_both_readings() -> None:
    assert wire.proto_request_03("CancelTask", {"id": "t1"}) == {"name": "tasks/t1"}
    body = wire.proto_request_03("CreateTaskPushNotificationConfig",
                                 {"taskId": "t1", "id": "p1", "url": "http://127.0.0.1:9/h"})
    inner = {"id": "p1", "url": "http://127.0.0.1:9/h"}
    assert body["parent"] == "tasks/t1" and body["configId"] == "p1"
    assert body["config"] == {"name": "tasks/t1/pushNotificationConfigs/p1", "pushNotificationConfig": inner}
    assert body["name"] == body["config"]["name"] and body["pushNotificationConfig"] == inner


@pytest.mark.parametrize("value", [PROTO_TASK, {**PROTO_TASK, "status": {"state": "TASK_STATE_CANCELLED"}}])
def test_the_reference_proto_form_and_accords_reading_agree(value) -> None:
    # two independent converters: accord's reading of proto JSON and the reference agent's writing of it
    kind = wire.kind_result_03("GetTask", copy.deepcopy(value))
    assert reference_rest.proto_03(kind) == value
    assert reference_rest.send_request_in("0.3", {"message": value["history"][0]})["message"] == kind["history"][0]


# --- errors and the version asked ----------------------------------------------------------------------------------
def answer(status: int, body: object, headers: dict[str, str] | None = None, operation: str = "GetTask"):
    reply = Reply(status=status, headers={"content-type": "application/json"}, json=body)
    return HttpJsonBinding(None, "", wire.V03).answer(operation, reply, headers=headers)  # type: ignore[arg-type]


def test_0_3_errors_are_named_by_error_info_reason_or_json_rpc_code() -> None:
    info = {"error": {"code": 404, "status": "NOT_FOUND", "message": "Task not found", "details": [
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "TASK_NOT_FOUND"}]}}
    assert answer(404, info).error.code == -32001
    assert answer(404, {"code": -32001, "message": "Task not found: t"}).error.code == -32001
    assert answer(404, {"error": {"code": -32001, "message": "x"}}).error.code == -32001
    assert answer(404, {"error": {"code": 404, "message": "x"}}).error.code is None  # an HTTP status, not a code


def test_an_answer_to_a_request_asking_1_0_is_not_read_as_0_3() -> None:
    one_oh = {"task": {"id": "t", "contextId": "c", "status": {"state": "TASK_STATE_COMPLETED"}}}
    assert answer(200, one_oh, {"A2A-Version": "1.0"}, "SendMessage").result == one_oh
    assert answer(200, one_oh, {"A2A-Version": ""}, "SendMessage").result["status"]["state"] == "completed"
