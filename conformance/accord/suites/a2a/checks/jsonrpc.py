"""The JSON-RPC binding: envelopes, content types, method names, streams and the standard JSON-RPC errors
(1.0 section 9; 0.3 sections 3.2.1, 6.11 and 8.1)."""

from __future__ import annotations

import json
from typing import Any

from ....outcomes import Failure, NotApplicable
from ....registry import check
from .. import wire
from ..bindings import Answer, JsonRpcBinding, stream_ends
from ..card import declares
from ..context import A2aContext, set_aside
from .errors import UNKNOWN_TASK, WEBHOOK_URL, binding_exchanges, invalid_send_requests, listing
from .versioning import judge_service_params_in_headers

NOT_JSON = b'{"jsonrpc": "2.0", "id": 1, "method": "GetTask", "params": {"id": '
NOT_A_REQUEST = b'{"accord": "valid JSON, not a JSON-RPC request"}'
"""Valid JSON from which no request id can be read."""
MISSING_METHOD = "accord/noSuchMethod"
CAPABILITY_OF = {
    "SendStreamingMessage": "streaming", "SubscribeToTask": "streaming",
    "CreateTaskPushNotificationConfig": "pushNotifications", "GetTaskPushNotificationConfig": "pushNotifications",
    "ListTaskPushNotificationConfigs": "pushNotifications", "DeleteTaskPushNotificationConfig": "pushNotifications",
}
"""Operations judged only when the card declares the capability they belong to."""


def rpc(ctx: A2aContext) -> JsonRpcBinding:
    assert isinstance(ctx.binding, JsonRpcBinding)
    return ctx.binding


def send_raw(ctx: A2aContext, body: bytes) -> Answer:
    return rpc(ctx).send("raw", None, body=body)


def send_envelope(ctx: A2aContext, envelope: dict[str, Any], operation: str = "raw") -> Answer:
    return rpc(ctx).send(operation, envelope, stop=stream_ends if operation in wire.STREAMING else None)


def only_response(answer: Answer) -> Any:
    return answer.reply.json if answer.reply.json is not None else (
        answer.reply.events[0].value if answer.reply.events else None)


def require_code(answer: Answer, code: int, sent: str, section: str) -> None:
    name = wire.STANDARD_CODES.get(code, str(code))
    if answer.error is None:
        raise Failure(f"{sent} got {answer.describe()[:240]}, not a JSON-RPC error {code} {name} ({section})")
    if answer.error.code != code:
        raise Failure(f"{sent} got {answer.error.describe()}, not {code} {name} ({section})")


def extended_card_capability(ctx: A2aContext) -> str:
    return "extendedAgentCard" if ctx.version == wire.V10 else "supportsAuthenticatedExtendedCard"


def method_probes(ctx: A2aContext) -> list[tuple[str, dict[str, Any]]]:
    """Each operation of this version with params that name an unknown task (the method must still be known)."""
    probes: list[tuple[str, dict[str, Any]]] = [
        ("SendMessage", {"message": ctx.message()}),
        ("GetTask", {"id": UNKNOWN_TASK}),
        ("ListTasks", {"pageSize": 1}),
        ("CancelTask", {"id": UNKNOWN_TASK}),
        ("SendStreamingMessage", {"message": ctx.message()}),
        ("SubscribeToTask", {"id": UNKNOWN_TASK}),
        ("CreateTaskPushNotificationConfig", {"taskId": UNKNOWN_TASK, "url": WEBHOOK_URL}),
        ("GetTaskPushNotificationConfig", {"taskId": UNKNOWN_TASK, "id": "accord-config"}),
        ("ListTaskPushNotificationConfigs", {"taskId": UNKNOWN_TASK}),
        ("DeleteTaskPushNotificationConfig", {"taskId": UNKNOWN_TASK, "id": "accord-config"}),
        ("GetExtendedAgentCard", {}),
    ]
    chosen = []
    for operation, params in probes:
        capability = CAPABILITY_OF.get(operation) or (
            extended_card_capability(ctx) if operation == "GetExtendedAgentCard" else None)
        if rpc(ctx).supports(operation) and (capability is None or declares(ctx.card, capability)):
            chosen.append((operation, params))
    return chosen


def envelope_problems(response: Any, request_id: Any) -> list[str]:
    """What keeps ``response`` from being a JSON-RPC 2.0 response to the request with ``request_id``."""
    if not isinstance(response, dict):
        return [f"{json.dumps(response)[:100]} is not a JSON object"]
    problems = []
    if response.get("jsonrpc") != "2.0":
        problems.append(f"jsonrpc is {response.get('jsonrpc')!r}, not '2.0'")
    if "id" not in response:
        problems.append("no id")
    elif request_id is not None and response["id"] != request_id:
        problems.append(f"id {response['id']!r} is not the request's {request_id!r}")
    if ("result" in response) == ("error" in response):
        problems.append("both result and error" if "result" in response else "neither result nor error")
    return problems


# --- checks -----------------------------------------------------------------------------------------------------
@check("a2a.jsonrpc.envelope", protocol="a2a", kind="observer")
def responses_are_jsonrpc_envelopes(ctx: A2aContext) -> None:
    ctx.get_task(UNKNOWN_TASK)
    ctx.send()
    problems, judged = [], 0
    for exchange in binding_exchanges(ctx):
        if exchange.streamed or exchange.status is None:
            continue
        request = exchange.request_json()
        request_id = request.get("id") if isinstance(request, dict) and "method" in request else None
        judged += 1
        if len(exchange.received) != 1:
            problems.append(f"{exchange.line()}: the body is not a JSON value ({exchange.content_type or 'no type'})")
            continue
        found = envelope_problems(exchange.received[0], request_id)
        if found:
            problems.append(f"{exchange.line()} {json.dumps(exchange.received[0])[:120]}: {'; '.join(found)}")
    if not judged:
        raise NotApplicable("no non-streaming JSON-RPC answer was seen in the run")
    listing(problems, "A JSON-RPC response has jsonrpc '2.0', the request's id and exactly one of result and error "
                      "(JSON-RPC 2.0 section 5; A2A 1.0 section 9.3, 0.3 section 6.11.2).")


@check("a2a.jsonrpc.null-id-on-parse-error", protocol="a2a")
def unreadable_id_answered_with_null(ctx: A2aContext) -> None:
    problems = []
    for what, body in (("a body that is not JSON", NOT_JSON), ("a JSON object that is not a request", NOT_A_REQUEST)):
        answer = send_raw(ctx, body)
        response = only_response(answer)
        if not isinstance(response, dict) or "error" not in response:
            problems.append(f"{what} got {answer.describe()[:160]}, not a JSON-RPC error response")
        elif "id" not in response or response["id"] is not None:
            problems.append(f"{what} got an error response with id {response.get('id', '(missing)')!r}")
    listing(problems, "When the request id cannot be read, the error response has id null (0.3 section 6.11.2).")


@check("a2a.jsonrpc.content-type", protocol="a2a", kind="observer")
def jsonrpc_answers_are_application_json(ctx: A2aContext) -> None:
    ctx.get_task(UNKNOWN_TASK)
    ctx.send()
    send_raw(ctx, NOT_JSON)
    judged = [x for x in binding_exchanges(ctx) if x.status is not None and not x.streamed]
    if not judged:
        raise NotApplicable("no non-streaming JSON-RPC answer was seen in the run")
    problems = [f"{x.line()} with content type {x.content_type or '(none)'}" for x in judged
                if x.content_type != "application/json"]
    listing(problems, "Non-streaming JSON-RPC responses are application/json (1.0 section 9.1; 0.3 section 3.2.1).")


@check("a2a.jsonrpc.method-names", protocol="a2a")
def every_method_name_accepted(ctx: A2aContext) -> None:
    problems = []
    for operation, params in method_probes(ctx):
        answer = ctx.call(operation, params)
        method = rpc(ctx).method(operation)
        if answer.error is not None and answer.error.code == -32601:
            problems.append(f"{method} got {answer.error.describe()}")
        elif answer.error is None and answer.problems:
            problems.append(f"{method} got no JSON-RPC answer: {'; '.join(answer.problems)[:160]}")
    names = "PascalCase names (1.0 section 9.1)" if ctx.version == wire.V10 else \
        "category/action names (0.3 section 3.5.1)"
    listing(problems, f"Every method of the version is accepted by its {names}; features the card does not declare "
                      "were not probed.")


@check("a2a.jsonrpc.stream-envelope", protocol="a2a")
def stream_events_are_jsonrpc_responses(ctx: A2aContext) -> None:
    binding = rpc(ctx)
    params = wire.to_wire(ctx.version, "SendStreamingMessage", {"message": ctx.message()})
    envelope = binding.request(str(binding.method("SendStreamingMessage")), params)
    answer = send_envelope(ctx, envelope, "SendStreamingMessage")
    reply = answer.reply
    if reply.content_type != "text/event-stream":
        if answer.error is not None:
            raise Failure(f"SendStreamingMessage (the card declares streaming) was refused: {answer.describe()[:240]}")
        raise Failure(f"SendStreamingMessage got {reply.content_type or 'no content type'}, not text/event-stream: "
                      f"{reply.describe()[:200]}")
    problems = []
    for index, event in enumerate(reply.events):
        found = envelope_problems(event.value, envelope["id"])
        result = event.value.get("result") if isinstance(event.value, dict) else None
        if not found and result is not None:
            if ctx.version == wire.V10:
                found = [f"result: {p}" for p in ctx.errors("StreamResponse", result)[:2]]
            elif not isinstance(result, dict) or result.get("kind") not in ("task", "message", "status-update",
                                                                              "artifact-update"):
                found = [f"result {json.dumps(result)[:100]} has no event kind"]
        if found:
            problems.append(f"event {index} {event.data[:120]}: {'; '.join(found)}")
    if not reply.events:
        problems.append("the stream carried no event")
    listing(problems, "Each SSE data of a JSON-RPC stream is a JSON-RPC response with the request's id"
                      + (" whose result is a StreamResponse (section 9.4.2)." if ctx.version == wire.V10 else
                         " (0.3 section 3.3.1)."))


@check("a2a.jsonrpc.service-params-headers", protocol="a2a")
def jsonrpc_service_params_in_headers(ctx: A2aContext) -> None:
    judge_service_params_in_headers(ctx)


@check("a2a.jsonrpc.parse-error", protocol="a2a")
def parse_error_answered(ctx: A2aContext) -> None:
    answer = send_raw(ctx, NOT_JSON)
    require_code(answer, -32700, "a body that is not valid JSON", "JSON-RPC 2.0 section 5.1")
    response = only_response(answer)
    if ctx.version == wire.V10 and isinstance(response, dict) and response.get("id", "missing") is not None:
        raise Failure(f"the parse error came with id {response.get('id', '(missing)')!r}, not null (section 9.5)")
    after = ctx.get_task(UNKNOWN_TASK)
    if after.error is None and after.problems:
        raise Failure(f"after the parse error, GetTask got no JSON-RPC answer: {after.describe()[:200]}; the endpoint "
                      "must keep serving")


@check("a2a.jsonrpc.invalid-request", protocol="a2a")
def invalid_request_answered(ctx: A2aContext) -> None:
    method = str(rpc(ctx).method("GetTask"))
    for what, envelope in (
        ("a request without method", {"jsonrpc": "2.0", "id": 7301, "params": {"id": UNKNOWN_TASK}}),
        ('a request with jsonrpc "1.0"', {"jsonrpc": "1.0", "id": 7302, "method": method, "params": {"id": UNKNOWN_TASK}}),
    ):
        require_code(send_envelope(ctx, envelope), -32600, what, "JSON-RPC 2.0 section 5.1")


@check("a2a.jsonrpc.method-not-found", protocol="a2a")
def unknown_method_answered(ctx: A2aContext) -> None:
    envelope = rpc(ctx).request(MISSING_METHOD, {"id": UNKNOWN_TASK})
    require_code(send_envelope(ctx, envelope), -32601, f"the unknown method {MISSING_METHOD!r}", "JSON-RPC 2.0 section 5.1")


@check("a2a.jsonrpc.invalid-params", protocol="a2a")
def invalid_params_answered(ctx: A2aContext) -> None:
    problems = []
    for what, params in invalid_send_requests(ctx, ctx.message()["messageId"]):
        answer = set_aside(ctx.suite, ctx.call("SendMessage", params))
        if answer.error is None or answer.error.code != -32602:
            problems.append(f"{what} got {answer.describe()[:160]}")
    listing(problems, "Params that break the method's schema get -32602 Invalid params (JSON-RPC 2.0 section 5.1; "
                      "A2A 1.0 section 9.5, 0.3 section 8.1).")
