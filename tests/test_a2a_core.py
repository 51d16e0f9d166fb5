"""The A2A suite's own machinery: reading cards, 0.3 <-> 1.0 shapes, the bindings' answers, the webhook receiver."""

from __future__ import annotations

import httpx
import pytest

from accord.specs import SpecRef, load_spec
from accord.suites.a2a import wire
from accord.suites.a2a.bindings import HttpJsonBinding, JsonRpcBinding
from accord.suites.a2a.card import declares, interfaces
from accord.suites.a2a.webhook import WebhookReceiver
from accord_http.rest import RestHttpPeer
from accord.peer import Limits

CARD_10 = {
    "name": "x", "supportedInterfaces": [
        {"url": "http://127.0.0.1:1/rpc", "protocolBinding": "JSONRPC", "protocolVersion": "1.0"},
        {"url": "http://127.0.0.1:1/rest", "protocolBinding": "HTTP+JSON", "protocolVersion": "1.0"},
        {"url": "http://127.0.0.1:1/rpc03", "protocolBinding": "JSONRPC", "protocolVersion": "0.3"},
        {"url": "http://127.0.0.1:2", "protocolBinding": "GRPC", "protocolVersion": "1.0"},
    ],
    "capabilities": {"streaming": True, "pushNotifications": False},
}
CARD_03 = {"name": "y", "url": "http://127.0.0.1:1/rpc", "preferredTransport": "JSONRPC", "protocolVersion": "0.3.0",
           "additionalInterfaces": [{"url": "http://127.0.0.1:1/rpc", "transport": "JSONRPC"},
                                    {"url": "http://127.0.0.1:1/v", "transport": "HTTP+JSON"}],
           "supportsAuthenticatedExtendedCard": True, "capabilities": {}}


def test_interfaces_are_read_per_version_in_order_without_repeats():
    assert [(i.binding, i.path) for i in interfaces(CARD_10, "1.0")] == [("jsonrpc", "/rpc"), ("http-json", "/rest"), ("grpc", "")]
    assert [(i.binding, i.path) for i in interfaces(CARD_10, "0.3")] == [("jsonrpc", "/rpc03")]
    assert [(i.binding, i.path) for i in interfaces(CARD_03, "0.3")] == [("jsonrpc", "/rpc"), ("http-json", "/v")]
    assert interfaces(CARD_03, "1.0") == [] and interfaces("not a card", "1.0") == []


def test_capabilities_are_read_where_each_version_puts_them():
    assert declares(CARD_10, "streaming") and not declares(CARD_10, "pushNotifications")
    assert declares(CARD_03, "supportsAuthenticatedExtendedCard") and not declares(CARD_03, "streaming")


def test_params_go_to_0_3_and_answers_come_back_to_1_0_form():
    message = wire.text_message("hi", message_id="m1", task_id="t1")
    sent = wire.to_wire(wire.V03, "SendMessage", {"message": message, "configuration": {"returnImmediately": True}})
    assert sent["message"] == {"messageId": "m1", "taskId": "t1", "kind": "message", "role": "user",
                               "parts": [{"kind": "text", "text": "hi"}]}
    assert sent["configuration"] == {"blocking": False}
    assert wire.to_wire(wire.V03, "GetTaskPushNotificationConfig", {"taskId": "t", "id": "c"}) == {
        "id": "t", "pushNotificationConfigId": "c"}
    assert wire.to_wire(wire.V10, "SendMessage", {"message": message}) == {"message": message}
    task03 = {"kind": "task", "id": "t", "contextId": "c", "status": {"state": "input-required"},
              "history": [{"kind": "message", "messageId": "m", "role": "agent",
                           "parts": [{"kind": "file", "file": {"uri": "http://x/y", "mimeType": "text/plain"}}]}]}
    kind, task = wire.canonical_event(task03)
    assert kind == "task" and wire.state_of(task) == "TASK_STATE_INPUT_REQUIRED"
    assert task["history"][0]["role"] == "ROLE_AGENT"
    assert task["history"][0]["parts"] == [{"url": "http://x/y", "mediaType": "text/plain"}]
    assert wire.canonical_event({"statusUpdate": {"taskId": "t", "status": {"state": "TASK_STATE_WORKING"}}})[0] == "statusUpdate"
    assert wire.canonical_event({"task": {}, "message": {}}) == (None, {"task": {}, "message": {}})


def _peer(handler) -> RestHttpPeer:
    return RestHttpPeer("a2a+http://test", Limits(read_timeout=2), "http://test",
                        transport_factory=lambda: httpx.MockTransport(handler))


def test_jsonrpc_answers_errors_with_their_error_info_and_envelope_problems():
    def handler(request: httpx.Request) -> httpx.Response:
        body = __import__("json").loads(request.content)
        if body["method"] == "GetTask":
            return httpx.Response(200, json={"jsonrpc": "2.0", "id": body["id"], "error": {
                "code": -32001, "message": "no", "data": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                                           "reason": "TASK_NOT_FOUND", "domain": "a2a-protocol.org"}]}})
        return httpx.Response(200, json={"jsonrpc": "2.0", "id": 999, "result": {"task": {"id": "t"}}})

    binding = JsonRpcBinding(_peer(handler), "/rpc", wire.V10)
    missing = binding.call("GetTask", {"id": "x"})
    assert missing.error is not None and missing.error.code == -32001 and missing.error.reason == "TASK_NOT_FOUND"
    assert missing.error.name == "TaskNotFoundError" and not missing.ok
    wrong_id = binding.call("SendMessage", {"message": {}})
    assert any("is not the request's" in p for p in wrong_id.problems) and not wrong_id.ok
    assert not JsonRpcBinding(_peer(handler), "", wire.V03).supports("ListTasks")


def test_http_json_routes_and_maps_errors_by_reason():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path, dict(request.url.params)))
        if request.url.path.endswith(":cancel"):
            return httpx.Response(409, json={"error": {"code": 409, "status": "FAILED_PRECONDITION", "message": "done",
                                                       "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                                                    "reason": "TASK_NOT_CANCELABLE"}]}})
        return httpx.Response(200, json={"id": "t1", "status": {"state": "TASK_STATE_COMPLETED"}})

    binding = HttpJsonBinding(_peer(handler), "/a2a", wire.V10)
    got = binding.call("GetTask", {"id": "t 1", "historyLength": 2})
    assert got.ok and got.task()["id"] == "t1"
    assert seen[-1] == ("GET", "/a2a/tasks/t 1", {"historyLength": "2"})  # the id is quoted on the wire
    refused = binding.call("CancelTask", {"id": "t1"})
    assert refused.error.code == -32002 and refused.error.status == 409
    old = HttpJsonBinding(_peer(handler), "/a2a", wire.V03)
    assert old.route("GetExtendedAgentCard", {})[1] == "/a2a/v1/card"
    assert old.route("GetTaskPushNotificationConfig", {"taskId": "t", "id": "c"})[:2] == (
        "GET", "/a2a/v1/tasks/t/pushNotificationConfigs/c")


def test_webhook_receiver_records_deliveries_and_waits_bounded():
    receiver = WebhookReceiver()
    try:
        httpx.post(receiver.url("hook-1"), json={"a": 1}, headers={"X-A2A-Notification-Token": "tok"}, timeout=5)
        got = receiver.wait_for("hook-1", lambda d: len(d) >= 1, 2.0)
        assert got[0].json == {"a": 1} and got[0].headers["x-a2a-notification-token"] == "tok"
        assert receiver.wait_for("hook-2", lambda d: len(d) >= 1, 0.3) == []
    finally:
        receiver.close()


@pytest.mark.parametrize("version", ["1.0", "0.3.0"])
def test_result_definitions_exist_in_each_schema(version):
    from accord.suites.a2a.context import KIND_DEFINITIONS_V03, RESULT_DEFINITIONS

    schema = load_spec(SpecRef("a2a", version)).schema
    names = set(RESULT_DEFINITIONS[wire.SPEC_VERSIONS[version]].values())
    if version == "0.3.0":
        names |= set(KIND_DEFINITIONS_V03.values())
    else:
        names.add("StreamResponse")
    assert all(schema.has(name) for name in names), [n for n in names if not schema.has(n)]


def test_a2a_0_3_over_http_json_is_judged():
    from accord.engine import run
    from accord.outcomes import Outcome
    from accord.settings import RunSettings

    result = run(load_spec(SpecRef("a2a", "0.3.0")), "a2a+asgi:accord_fixtures.a2a_reference:app#http-json",
                 RunSettings(seed=0, only=frozenset({"a2a.send.", "a2a.http-json."})))
    outcomes = {r.id: r.outcome for r in result.results}
    assert outcomes["a2a.http-json.json-bodies"] is Outcome.PASS
    assert Outcome.SKIP not in {outcomes[rid] for rid in outcomes if rid.startswith("a2a.http-json.")}
    assert Outcome.FAIL not in set(outcomes.values())
