"""The gRPC binding (1.0 section 10): the A2AService methods, service parameters in metadata, server streaming,
and errors as gRPC statuses with google.rpc.ErrorInfo (sections 5.4 and 10.6). Runs of a gRPC interface only
(the requirements carry transport = grpc); the status table is the one of the patch the interface declares."""

from __future__ import annotations

from typing import Any

from ....outcomes import Failure, NotApplicable
from ....registry import check
from .. import wire
from ..bindings import Answer
from ..card import declares
from ..context import A2aContext, new_id, set_aside
from .errors import (NAME_BY_REASON, UNKNOWN_TASK, error_info, error_info_problems, grpc_calls, listing,
                     patch_rules, provoke, refused, successes)
from .versioning import judge_service_params_in_headers

def statuses(name: str, patches: tuple[str, ...]) -> set[str]:
    return {wire.GRPC_STATUS_BY_PATCH[patch][name] for patch in patches}


def unimplemented(answer: Answer) -> bool:
    """UNIMPLEMENTED with no A2A reason: gRPC's answer for a method the server does not have."""
    error = answer.error
    return error is not None and error.rpc_status == "UNIMPLEMENTED" and error.reason is None


def broken(answer: Answer) -> list[str]:
    """What is wrong with an answer on the wire: undecodable messages, a status without one, a stream cut off."""
    return list(answer.problems)


@check("a2a.grpc.service", protocol="a2a")
def every_method_answers_its_type(ctx: A2aContext) -> None:
    sent = ctx.send()
    task = sent.task() if sent.error is None else None
    task_id = str(task.get("id")) if task else UNKNOWN_TASK
    answers: dict[str, Answer] = {
        "SendMessage": sent,
        "GetTask": ctx.get_task(task_id),
        "CancelTask": ctx.cancel(UNKNOWN_TASK),
    }
    if ctx.binding.supports("ListTasks"):  # not in the 0.3 proto's service
        answers["ListTasks"] = ctx.call("ListTasks", {})
    if declares(ctx.card, "streaming"):
        answers["SendStreamingMessage"] = ctx.stream()
        answers["SubscribeToTask"] = ctx.subscribe(UNKNOWN_TASK)
    if declares(ctx.card, "pushNotifications") and task is not None:
        created = set_aside(ctx.suite, ctx.call("CreateTaskPushNotificationConfig",
                                                {"taskId": task_id, "url": ctx.webhook().url("/grpc-service")}))
        answers["CreateTaskPushNotificationConfig"] = created
        config_id = str((created.result or {}).get("id") or new_id()) if created.error is None else new_id()
        answers["GetTaskPushNotificationConfig"] = ctx.call("GetTaskPushNotificationConfig",
                                                            {"taskId": task_id, "id": config_id})
        answers["ListTaskPushNotificationConfigs"] = ctx.call("ListTaskPushNotificationConfigs", {"taskId": task_id})
        answers["DeleteTaskPushNotificationConfig"] = ctx.call("DeleteTaskPushNotificationConfig",
                                                               {"taskId": task_id, "id": config_id})
    if declares(ctx.card, "extendedAgentCard"):
        answers["GetExtendedAgentCard"] = ctx.call("GetExtendedAgentCard", {})
    problems = [f"{operation}: not implemented ({answer.describe()[:160]})"
                for operation, answer in answers.items() if unimplemented(answer)]
    problems += [f"{operation}: {'; '.join(broken(answer))[:200]}" for operation, answer in answers.items()
                 if broken(answer)]
    where = "the 1.0 proto (section 10.1)" if ctx.version == wire.V10 else "the 0.3 proto (0.3 section 3.2.2)"
    listing(problems, f"The endpoint implements the A2AService of {where}: every method the card's capabilities "
                      "call for answers with its declared message type or an A2A error.")


@check("a2a.grpc.metadata-params", protocol="a2a")
def service_parameters_read_from_metadata(ctx: A2aContext) -> None:
    judge_service_params_in_headers(ctx)


@check("a2a.grpc.server-streaming", protocol="a2a")
def streams_are_server_streaming(ctx: A2aContext) -> None:
    def judge(answer: Answer, what: str) -> None:
        if answer.error is not None:
            raise Failure(f"{what}: {answer.describe()}; the card declares capabilities.streaming")
        if answer.problems or not answer.events:
            raise Failure(f"{what}: {'; '.join(answer.problems) or 'no message'}; the RPC streams StreamResponse "
                          "messages (section 10.7)")

    judge(ctx.stream(), "SendStreamingMessage with the probe text")
    task = ctx.created_task(ctx.send(text="slow", configuration={"returnImmediately": True}),
                            "SendMessage 'slow' with returnImmediately")
    if wire.state_of(task) in wire.TERMINAL:
        return
    answer = ctx.subscribe(str(task.get("id")))
    if answer.error is not None and answer.error.is_(wire.ERRORS["UnsupportedOperationError"][0]):
        return  # the task ended in between: a terminal task cannot be subscribed to
    judge(answer, f"SubscribeToTask {task.get('id')!r}")


@check("a2a.grpc.invalid-argument", protocol="a2a")
def invalid_requests_get_invalid_argument(ctx: A2aContext) -> None:
    message = ctx.message()
    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("SendMessage without a message", "SendMessage", {}),
        ("SendMessage whose message has no parts", "SendMessage", {"message": {**message, "parts": []}}),
        ("GetTask without an id", "GetTask", {}),
    ]
    problems = []
    for what, operation, params in cases:
        answer = set_aside(ctx.suite, ctx.call(operation, params))
        if answer.error is None or answer.error.rpc_status != "INVALID_ARGUMENT":
            got = answer.describe() if answer.error or answer.problems else "a success"
            problems.append(f"{what} got {got[:160]}")
    listing(problems, "A request that breaks the request schema SHOULD get INVALID_ARGUMENT (sections 3.3.2, 10.6).")


@check("a2a.errors.grpc-status-map", protocol="a2a", kind="observer")
def errors_use_their_grpc_status(ctx: A2aContext) -> None:
    rules = patch_rules(ctx)
    provoked = provoke(ctx)
    problems = successes(provoked)
    for p in refused(provoked):
        if ctx.version == wire.V03 and p.expected != "TaskNotFoundError":
            continue  # 0.3 gives no status table; an unknown task's NOT_FOUND is the one mapping held to
        wanted = statuses(p.expected, rules.patches)
        if p.answer.error is not None and p.answer.error.rpc_status not in wanted:
            problems.append(f"{p.describe()}: {p.expected} must come with gRPC {' or '.join(sorted(wanted))}")
    for call in grpc_calls(ctx) if ctx.version == wire.V10 else []:
        info = error_info(call.details)
        name = NAME_BY_REASON.get(str(info.get("reason"))) if info else None
        if name and call.code not in statuses(name, rules.patches):
            problems.append(f"{call.line()}: reason {info.get('reason')} with status {call.code}, not "
                            f"{' or '.join(sorted(statuses(name, rules.patches)))}")
    wanted = f"the status of section 5.4 ({rules.why()})" if ctx.version == wire.V10 else \
        "NOT_FOUND for an unknown task (0.3 section 3.2.2 maps errors to fitting statuses without a table)"
    listing(list(dict.fromkeys(problems)), f"gRPC errors use {wanted}.")


@check("a2a.errors.grpc-error-info", protocol="a2a", kind="observer")
def errors_carry_error_info(ctx: A2aContext) -> None:
    provoked = refused(provoke(ctx))
    if not provoked:
        raise NotApplicable("no request that must be refused was refused; a2a.errors.grpc-status-map says which")
    problems = []
    for p in provoked:
        error = p.answer.error
        details = error.raw.get("details") if error is not None and isinstance(error.raw, dict) else None
        found = error_info_problems(details, p.expected)
        if found:
            problems.append(f"{p.describe()}: {'; '.join(found)}")
    listing(problems, "A2A errors over gRPC carry a google.rpc.ErrorInfo in the status details, reason in "
                      "UPPER_SNAKE_CASE and domain a2a-protocol.org (section 10.6).")
