"""The HTTP+JSON binding: URL patterns, JSON bodies, media types, query parameters and SSE
(1.0 section 11; 0.3 sections 3.2.3 and 3.3.3)."""

from __future__ import annotations

import json
from typing import Any

from ....outcomes import Failure, NotApplicable, Skip
from ....registry import check
from .. import wire
from ..bindings import Answer, HttpJsonBinding
from ..card import declares
from ..context import A2aContext, set_aside, unwrapped_v03
from .errors import UNKNOWN_TASK, WEBHOOK_URL, binding_exchanges, invalid_send_requests, listing, patch_rules
from .jsonrpc import extended_card_capability
from .versioning import judge_service_params_in_headers

JSON_TYPE_BY_PATCH = {"1.0.0": "application/json", "1.0.1": "application/a2a+json"}
"""Section 11.1: 1.0.0 names application/json for requests and responses; 1.0.1 says application/a2a+json
SHOULD be used."""
JSON_TYPE_V03 = "application/json"
NOT_ROUTED = (404, 405, 501)


def rest(ctx: A2aContext) -> HttpJsonBinding:
    assert isinstance(ctx.binding, HttpJsonBinding)
    return ctx.binding


def a_task(ctx: A2aContext) -> dict[str, Any]:
    return ctx.created_task(ctx.send(), "SendMessage with the probe text")


def route_line(ctx: A2aContext, operation: str, params: dict[str, Any]) -> str:
    verb, path, _ = rest(ctx).route(operation, params)
    return f"{verb} {path}"


def unrouted(answer: Answer, *, real_task: bool) -> bool:
    """An answer that says no operation lives at this path and verb: 405 or 501, or a 404 that is not
    TaskNotFound (for an unknown task id: a 404 without a JSON error body)."""
    error = answer.error
    if error is None or error.status not in NOT_ROUTED:
        return False
    if error.status != 404 or error.reason == "TASK_NOT_FOUND":
        return error.status != 404
    return real_task or not isinstance(error.raw, dict)


def probe_task_id(ctx: A2aContext) -> tuple[str, Answer]:
    """The id of a task the agent made for the probe text, else an unknown id; and the SendMessage answer."""
    sent = ctx.send()
    task = sent.task() if sent.error is None else None
    return (str(task["id"]) if task and isinstance(task.get("id"), str) else UNKNOWN_TASK), sent


# --- checks -----------------------------------------------------------------------------------------------------
@check("a2a.http-json.url-patterns", protocol="a2a")
def operations_answer_at_their_paths(ctx: A2aContext) -> None:
    task_id, sent = probe_task_id(ctx)
    real_task = task_id != UNKNOWN_TASK
    probes: list[tuple[str, dict[str, Any]]] = [("GetTask", {"id": task_id}), ("CancelTask", {"id": task_id})]
    if ctx.version == wire.V10:
        probes.append(("ListTasks", {"pageSize": 1}))
    if declares(ctx.card, "streaming"):
        probes += [("SendStreamingMessage", {"message": ctx.message()}), ("SubscribeToTask", {"id": task_id})]
    if declares(ctx.card, "pushNotifications"):
        probes += [("CreateTaskPushNotificationConfig", {"taskId": task_id, "url": WEBHOOK_URL}),
                   ("ListTaskPushNotificationConfigs", {"taskId": task_id})]
    if declares(ctx.card, extended_card_capability(ctx)):
        probes.append(("GetExtendedAgentCard", {}))
    problems = []
    if unrouted(sent, real_task=True):
        problems.append(f"SendMessage at {route_line(ctx, 'SendMessage', {})} got {sent.describe()[:160]}")
    problems = []
    for operation, params in probes:
        answer = ctx.call(operation, params)
        if unrouted(answer, real_task=real_task) or (answer.error is None and answer.problems and not answer.events):
            problems.append(f"{operation} at {route_line(ctx, operation, params)} got {answer.describe()[:160]}")
        if operation == "CreateTaskPushNotificationConfig" and answer.ok and isinstance(answer.result, dict):
            config_id = answer.result.get("id") or (answer.result.get("pushNotificationConfig") or {}).get("id")
            if isinstance(config_id, str):
                for follow in ("GetTaskPushNotificationConfig", "DeleteTaskPushNotificationConfig"):
                    followed = ctx.call(follow, {"taskId": task_id, "id": config_id})
                    if unrouted(followed, real_task=True):
                        problems.append(f"{follow} at {route_line(ctx, follow, {'taskId': task_id, 'id': config_id})} "
                                        f"got {followed.describe()[:160]}")
    where = "1.0 section 11.3" if ctx.version == wire.V10 else "0.3 section 3.2.3, /v1 paths"
    listing(problems, f"Each operation answers at its path and verb ({where}); 404 without TASK_NOT_FOUND, 405 or "
                      "501 means it does not.")


@check("a2a.http-json.json-bodies", protocol="a2a")
def bodies_are_proto_shaped_json(ctx: A2aContext) -> None:
    sent = ctx.send()
    answers = [sent]
    task = sent.task()
    if task is not None and isinstance(task.get("id"), str):
        answers.append(ctx.get_task(task["id"]))
    if ctx.version == wire.V10:
        answers.append(ctx.call("ListTasks", {"pageSize": 1}))
    served = [a for a in answers if a.error is None]
    if not served:
        raise Skip(f"no answer to judge: SendMessage with the probe text got {sent.describe()[:200]}")
    problems = []
    for answer in served:
        body = answer.result
        if not isinstance(body, dict):
            problems.append(f"{answer.operation} answered {json.dumps(body)[:120]}, not a JSON object")
            continue
        found = ctx.result_errors(answer)
        if found:
            problems.append(f"{answer.operation} {json.dumps(body)[:120]}: {'; '.join(found[:2])}")
    wanted = "structurally the proto messages (1.0 section 11.4)" if ctx.version == wire.V10 else \
        "structurally the A2A data objects (0.3 section 3.2.3)"
    listing(problems, f"Response bodies are JSON objects shaped as {wanted}.")


@check("a2a.http-json.content-type", protocol="a2a", kind="observer")
def answers_declare_json(ctx: A2aContext) -> None:
    ctx.send()
    ctx.get_task(UNKNOWN_TASK)
    judged = [x for x in binding_exchanges(ctx) if x.status is not None and not x.streamed and x.status != 204]
    if not judged:
        raise NotApplicable("no non-streaming HTTP+JSON answer was seen in the run")
    rules = patch_rules(ctx)
    allowed = {JSON_TYPE_BY_PATCH[p] for p in rules.patches} if ctx.version == wire.V10 else {JSON_TYPE_V03}
    problems = [f"{x.line()} with content type {x.content_type or '(none)'}" for x in judged
                if x.content_type not in allowed]
    where = (" or ".join(f"{JSON_TYPE_BY_PATCH[p]} ({p})" for p in rules.patches) + f", section 11.1; {rules.why()}"
             if ctx.version == wire.V10 else f"{JSON_TYPE_V03} (0.3 section 3.2.3)")
    listing(problems, f"Responses declare a JSON media type: {where}.")


@check("a2a.http-json.query-params", protocol="a2a")
def get_takes_camel_case_query(ctx: A2aContext) -> None:
    first = a_task(ctx)
    context_id = str(first.get("contextId") or "")
    if not context_id:
        raise Failure(f"the task {json.dumps(first)[:160]} has no contextId")
    other = a_task(ctx)
    listed = ctx.call("ListTasks", {"contextId": context_id})
    if listed.error is not None:
        if listed.error.status in (400, 501) and listed.error.reason == "UNSUPPORTED_OPERATION":
            raise Skip(f"GET /tasks is refused as unsupported ({listed.error.describe()}); the query cannot be judged")
        raise Failure(f"GET /tasks?contextId={context_id} got {listed.describe()[:200]}")
    tasks = listed.result.get("tasks") if isinstance(listed.result, dict) else None
    if not isinstance(tasks, list):
        raise Failure(f"GET /tasks?contextId={context_id} answered {json.dumps(listed.result)[:160]}, no tasks array")
    strays = [t.get("id") for t in tasks if isinstance(t, dict) and t.get("contextId") != context_id]
    if strays:
        raise Failure(f"GET /tasks?contextId={context_id} listed tasks of other contexts {strays[:3]}: the camelCase "
                      "query parameter contextId was not applied (section 11.5)")
    if not any(isinstance(t, dict) and t.get("id") == first.get("id") for t in tasks):
        raise Failure(f"GET /tasks?contextId={context_id} did not list task {first.get('id')!r} of that context")
    paged = ctx.call("ListTasks", {"pageSize": 1})
    page = paged.result.get("tasks") if paged.ok and isinstance(paged.result, dict) else None
    if not isinstance(page, list) or len(page) > 1:
        raise Failure(f"GET /tasks?pageSize=1 (at least tasks {first.get('id')!r} and {other.get('id')!r} exist) got "
                      f"{paged.describe()[:200]}: pageSize must bound the page (section 11.5)")
    history = ctx.get_task(str(first.get("id")), history_length=1)
    kept = history.task().get("history") if history.ok and history.task() else None
    if isinstance(kept, list) and len(kept) > 1:
        raise Failure(f"GET /tasks/{first.get('id')}?historyLength=1 returned {len(kept)} history messages "
                      "(section 11.5)")


@check("a2a.http-json.service-params-headers", protocol="a2a")
def http_service_params_in_headers(ctx: A2aContext) -> None:
    judge_service_params_in_headers(ctx)


def read_03(answer: Answer, index: int, value: Any) -> Any:
    """Stream event ``index`` as the binding read it (0.3: in the kind-object form, from either 0.3 form)."""
    return answer.events[index] if index < len(answer.events) else value


@check("a2a.http-json.sse", protocol="a2a")
def streams_are_plain_sse(ctx: A2aContext) -> None:
    answer = ctx.stream()
    reply = answer.reply
    if reply.content_type != "text/event-stream":
        raise Failure(f"POST {rest(ctx).route('SendStreamingMessage', {})[1]} (the card declares streaming) got "
                      f"{reply.describe()[:200]}, not text/event-stream (section 11.7)")
    problems = []
    for index, event in enumerate(reply.events):
        value = event.value
        if not isinstance(value, dict):
            problems.append(f"event {index} data {event.data[:100]!r} is not a JSON object")
        elif "jsonrpc" in value:
            problems.append(f"event {index} is wrapped in a JSON-RPC envelope: {event.data[:100]}")
        elif ctx.version == wire.V10 and (found := ctx.errors("StreamResponse", value)):
            problems.append(f"event {index} {event.data[:100]}: {found[0]}")
        elif ctx.version == wire.V03 and not isinstance(unwrapped_v03(read_03(answer, index, value)).get("kind"), str):
            problems.append(f"event {index} {event.data[:100]}: no event kind")
    if not reply.events:
        problems.append("the stream carried no event")
    listing(problems, "Each SSE data line is one " + ("StreamResponse JSON object without a JSON-RPC envelope "
                                                      "(section 11.7)." if ctx.version == wire.V10 else
                                                      "JSON object (0.3 section 3.3.3)."))


@check("a2a.http-json.invalid-params-400", protocol="a2a")
def invalid_requests_get_400(ctx: A2aContext) -> None:
    problems = []
    for what, params in invalid_send_requests(ctx, ctx.message()["messageId"]):
        answer = set_aside(ctx.suite, ctx.call("SendMessage", params))
        if answer.error is None or answer.error.status != 400:
            problems.append(f"{what} got {answer.describe()[:160]}")
    listing(problems, "A body or query that breaks the request schema gets 400 Bad Request (section 3.3.2).")
