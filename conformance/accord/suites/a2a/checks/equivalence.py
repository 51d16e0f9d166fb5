"""Binding equivalence (a2a.equivalence.*): the bindings an agent declares are one agent.

Judged only when the card declares two or more bindings accord speaks (ctx.bindings); each check runs the
same operations on every one of them and compares the answers in binding-neutral terms: operations found
or not, results in their 1.0 form, A2A error types (a JSON-RPC code, an ErrorInfo reason, or, for an HTTP
error without a reason, every A2A error its status can stand for), credentials accepted or refused.
a2a.equivalence.method-mapping (0.3) judges the binding under test alone: the operations answer under
their standard names and routes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ....outcomes import Failure, NotApplicable
from ....registry import check
from .. import wire
from ..bindings import A2aError, Answer, Binding
from ..card import declares
from ..context import A2aContext, new_id, set_aside
from .push import flat_config, new_config

SETTLE_READS = 4
SETTLE_PAUSE = 0.25
INVALID_CREDENTIAL = {"Authorization": "Bearer accord-invalid-credential"}
HTTP_STANDARD_ERRORS = {400: {"ParseError", "InvalidRequest", "InvalidParams"}, 404: {"MethodNotFound"},
                        405: {"MethodNotFound"}, 422: {"InvalidParams"}, 500: {"InternalError"},
                        501: {"MethodNotFound", "UnsupportedOperationError"}}
"""What an HTTP error without an A2A ErrorInfo reason may stand for, besides the A2A errors of its status."""
GRPC_STANDARD_ERRORS = {"INVALID_ARGUMENT": {"ParseError", "InvalidRequest", "InvalidParams"},
                        "UNIMPLEMENTED": {"MethodNotFound"}, "INTERNAL": {"InternalError"}}
"""The same for a gRPC status without ErrorInfo (1.0 section 3.3.2 sets INVALID_ARGUMENT beside -32602)."""


def all_bindings(ctx: A2aContext) -> list[Binding]:
    """The binding under test first, then the other judged ones; NotApplicable with fewer than two."""
    judged = ctx.bindings
    if len(judged) < 2:
        raise NotApplicable(f"the card declares {len(judged)} binding accord judges "
                            f"({', '.join(judged) or 'none'}) for A2A {ctx.version}; equivalence needs two")
    return [ctx.binding, *(b for b in judged.values() if b is not ctx.binding)]


def error_types(error: A2aError) -> frozenset[str]:
    """The A2A error types ``error`` may be: one when it names itself (code or reason), else all its HTTP or
    gRPC status can stand for."""
    if error.rpc_status is not None and error.reason is None:
        names = {wire.NAME_BY_CODE[code] for code, statuses in wire.GRPC_STATUSES_BY_CODE.items()
                 if error.rpc_status in statuses} | GRPC_STANDARD_ERRORS.get(error.rpc_status, set())
        return frozenset(names or {f"gRPC {error.rpc_status}"})
    if error.code is not None:
        return frozenset({error.name or str(error.code)})
    names = {name for name, (_, _, status) in wire.ERRORS.items() if status == error.status}
    names |= HTTP_STANDARD_ERRORS.get(error.status or 0, set())
    return frozenset(names or {f"HTTP {error.status}"})


def outcome_of(answer: Answer) -> str | frozenset[str]:
    """"ok", "no answer", or the error types of an error answer."""
    if answer.error is not None:
        return error_types(answer.error)
    return "ok" if answer.ok else "no answer"


def same_outcome(a: str | frozenset[str], b: str | frozenset[str]) -> bool:
    if isinstance(a, frozenset) and isinstance(b, frozenset):
        return bool(a & b)
    return a == b


def shown(outcome: str | frozenset[str]) -> str:
    return outcome if isinstance(outcome, str) else " or ".join(sorted(outcome))


def compare(what: str, answers: dict[str, Answer]) -> list[str]:
    """The disagreements among the bindings' answers to ``what``, as readable lines."""
    outcomes = {name: outcome_of(answer) for name, answer in answers.items()}
    first, *rest = outcomes
    return [f"{what}: {first} gave {shown(outcomes[first])} ({answers[first].describe()[:100]}), {name} gave "
            f"{shown(outcomes[name])} ({answers[name].describe()[:100]})"
            for name in rest if not same_outcome(outcomes[first], outcomes[name])]


# --- which operations each binding has -------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    state: str
    """present, missing (method not found / no such route), or unknown (an HTTP 404 for an invented id)."""
    answer: Answer


def found(answer: Answer, *, invented_id: bool = False) -> Found:
    error = answer.error
    if not answer.reply.answered:
        return Found("missing", answer)
    if error is not None and error.code == -32601:
        return Found("missing", answer)
    if error is not None and error.rpc_status == "UNIMPLEMENTED" and error.reason is None:
        return Found("missing", answer)
    if error is not None and error.code is None and error.status in (404, 405, 501):
        return Found("unknown" if invented_id and error.status == 404 else "missing", answer)
    return Found("present", answer)


def operations(ctx: A2aContext, binding: Binding) -> dict[str, Found]:
    """Each operation the agent must or declares it can do, tried once on ``binding``."""
    table: dict[str, Found] = {}
    sent = ctx.send(binding=binding)
    table["SendMessage"] = found(sent)
    task = sent.task()
    invented = task is None or not isinstance(task.get("id"), str)
    task_id = new_id() if invented else str(task["id"])  # type: ignore[index]
    table["GetTask"] = found(ctx.get_task(task_id, binding=binding), invented_id=invented)
    table["CancelTask"] = found(ctx.cancel(task_id, binding=binding), invented_id=invented)
    if ctx.version == wire.V10:  # 0.3 JSON-RPC has no ListTasks
        table["ListTasks"] = found(ctx.call("ListTasks", {"pageSize": 1}, binding=binding))
    if declares(ctx.card, "streaming"):
        table["SendStreamingMessage"] = found(ctx.stream(binding=binding))
    if declares(ctx.card, "pushNotifications"):
        table.update(push_operations(ctx, binding, task_id, invented))
    card_flag = "extendedAgentCard" if ctx.version == wire.V10 else "supportsAuthenticatedExtendedCard"
    if declares(ctx.card, card_flag):
        table["GetExtendedAgentCard"] = found(ctx.call("GetExtendedAgentCard", {}, binding=binding))
    return table


def push_operations(ctx: A2aContext, binding: Binding, task_id: str, invented: bool) -> dict[str, Found]:
    config = {"taskId": task_id, **new_config(ctx, ctx.webhook().url(f"accord/equivalence/{new_id()}"))}
    created = ctx.call("CreateTaskPushNotificationConfig", config, binding=binding)
    made = flat_config(created.result) if created.ok else None
    config_id = str(made.get("id")) if made and made.get("id") else config.get("id") or new_id()
    invented = invented or not made
    ids = {"taskId": task_id, "id": config_id}
    return {
        "CreateTaskPushNotificationConfig": found(created, invented_id=invented),
        "GetTaskPushNotificationConfig": found(ctx.call("GetTaskPushNotificationConfig", ids, binding=binding),
                                               invented_id=invented),
        "ListTaskPushNotificationConfigs": found(ctx.call("ListTaskPushNotificationConfigs", {"taskId": task_id},
                                                          binding=binding), invented_id=invented),
        "DeleteTaskPushNotificationConfig": found(ctx.call("DeleteTaskPushNotificationConfig", ids, binding=binding),
                                                  invented_id=invented),
    }


@check("a2a.equivalence.same-operations", protocol="a2a")
def same_operations_on_every_binding(ctx: A2aContext) -> None:
    tables = {binding.name: operations(ctx, binding) for binding in all_bindings(ctx)}
    problems = []
    for operation in dict.fromkeys(op for table in tables.values() for op in table):
        states = {name: table[operation] for name, table in tables.items() if operation in table}
        judged = {name: f for name, f in states.items() if f.state != "unknown"}
        if len({f.state for f in judged.values()}) > 1:
            problems.append(f"{operation}: " + ", ".join(
                f"{name} {f.state} ({f.answer.describe()[:80]})" for name, f in judged.items()))
    if problems:
        raise Failure("; ".join(problems) + ". Spec 5.1: every declared binding MUST provide the same operations")


@check("a2a.equivalence.method-mapping", protocol="a2a")
def operations_under_standard_names(ctx: A2aContext) -> None:
    table = operations(ctx, ctx.binding)
    missing = [(op, f) for op, f in table.items() if f.state == "missing"]
    if missing:
        where = {op: route(ctx.binding, op) for op, _ in missing}
        raise Failure("; ".join(f"{op} at {where[op]} got {f.answer.describe()[:120]}" for op, f in missing)
                      + ". Spec 3.5.6: each transport exposes the operations under the standard method names and paths")


def route(binding: Binding, operation: str) -> str:
    method = getattr(binding, "method", None)
    if callable(method):
        return f"JSON-RPC method {method(operation)}"
    verb, template = wire.REST_ROUTES[operation]
    return f"{verb} {getattr(binding, 'prefix', '')}{template}"


# --- the same request, the same result ------------------------------------------------------------------------


def settled(ctx: A2aContext, answer: Answer, binding: Binding) -> tuple[str | None, str | None]:
    """(task|message, the task's state once it stops moving, within a bounded number of reads)."""
    kind, _ = answer.canonical()
    task = answer.task()
    if task is None:
        return kind, None
    state = wire.state_of(task)
    for _ in range(SETTLE_READS):
        if state in wire.TERMINAL | wire.INTERRUPTED:
            break
        time.sleep(SETTLE_PAUSE)
        state = wire.state_of(ctx.get_task(str(task.get("id")), binding=binding).task()) or state
    return "task", state


def without_empty(value: Any) -> Any:
    """``value`` without members that are empty strings, lists or objects: on a binary (gRPC) wire they are the
    same as absent ones, so they cannot tell two bindings apart."""
    if isinstance(value, dict):
        return {k: without_empty(v) for k, v in value.items() if v not in ("", [], {})}
    if isinstance(value, list):
        return [without_empty(v) for v in value]
    return value


def projection(task: dict[str, Any] | None, *, history: bool = True) -> dict[str, Any] | None:
    """What must read the same through every binding: ids, state, status message, artifacts, history ids (not
    the history when a 0.3 gRPC read is among them: its GetTaskRequest.history_length has no presence, so
    "all of it" and "none" are the same request there)."""
    if task is None:
        return None
    status = task.get("status") if isinstance(task.get("status"), dict) else {}
    message = status.get("message") if isinstance(status.get("message"), dict) else {}
    return {
        "id": task.get("id"), "contextId": task.get("contextId"), "state": wire.state_of(task),
        "statusMessage": message.get("messageId"),
        "artifacts": [(a.get("artifactId"), without_empty(a.get("parts"))) for a in task.get("artifacts") or []
                      if isinstance(a, dict)],
        "history": [m.get("messageId") for m in task.get("history") or [] if isinstance(m, dict)] if history else None,
    }


@check("a2a.equivalence.same-results", protocol="a2a")
def same_results_on_every_binding(ctx: A2aContext) -> None:
    bindings = all_bindings(ctx)
    problems = []
    answers = {b.name: ctx.send(binding=b) for b in bindings}
    for name, answer in answers.items():
        if not answer.ok:
            problems.append(f"the probe message on {name} got {answer.describe()}")
    summaries = {b.name: settled(ctx, answers[b.name], b) for b in bindings if answers[b.name].ok}
    if len({s[0] for s in summaries.values()}) > 1 or (
            all(s[1] in wire.TERMINAL | wire.INTERRUPTED for s in summaries.values())
            and len({s[1] for s in summaries.values()}) > 1):
        problems.append("the same probe message was answered differently: " + ", ".join(
            f"{name}: {kind}{' ' + state if state else ''}" for name, (kind, state) in summaries.items()))
    created = next((a.task() for a in answers.values() if a.task() is not None), None)
    if created is not None:
        problems += read_through(ctx, bindings, str(created.get("id")))
    if problems:
        raise Failure("; ".join(problems) + ". Spec 5.1: every binding MUST return semantically equivalent results")


def read_through(ctx: A2aContext, bindings: list[Binding], task_id: str) -> list[str]:
    """A task read through each binding (the first read again last) must read the same, once it stopped moving."""
    order = [*bindings, bindings[0]]
    reads = [(b.name, ctx.get_task(task_id, binding=b)) for b in order]
    history = not any(b.name == "grpc" and b.version == wire.V03 for b in bindings)
    views = [(name, projection(answer.task(), history=history)) for name, answer in reads]
    problems = [f"GetTask {task_id} on {name} got {answer.describe()}" for name, answer in reads if answer.task() is None]
    if problems:
        return problems
    if views[0][1] != views[-1][1]:
        return []  # the task changed between the reads; nothing fair to compare
    return [f"task {task_id} reads differently on {name}: {view} vs {views[0][0]}: {views[0][1]}"
            for name, view in views[1:-1] if view != views[0][1]]


# --- the same failing request, the same error -------------------------------------------------------------------


def proto_json_03(binding: Binding) -> bool:
    """Whether ``binding`` speaks 0.3 in the 0.3 proto's form (HTTP+JSON, gRPC): there a message without parts is
    one with an empty ``content`` (proto3 leaves empty lists out), which the 0.3 schema allows, so a message
    "without parts" cannot be sent (specs/a2a/0.3.0/ERRATA.md, entry 5)."""
    return binding.name in ("http-json", "grpc") and binding.version == wire.V03


@check("a2a.equivalence.same-errors", protocol="a2a")
def same_errors_on_every_binding(ctx: A2aContext) -> None:
    bindings = all_bindings(ctx)
    unknown = f"accord-no-such-task-{new_id()}"
    no_parts = {"message": {"messageId": new_id(), "role": "ROLE_USER"}}
    cases = [
        ("GetTask of an unknown task", "GetTask", {"id": unknown}),
        ("CancelTask of an unknown task", "CancelTask", {"id": unknown}),
        ("SendMessage without parts", "SendMessage", no_parts),
    ]
    problems, failing = [], 0
    for what, operation, params in cases:
        sayable = [b for b in bindings if params is not no_parts or not proto_json_03(b)]
        if len(sayable) < 2:
            continue
        answers = {b.name: ctx.call(operation, params, binding=b) for b in sayable}
        if params is no_parts:  # deliberately invalid: what an agent echoes of it is no shape rule's concern
            answers = {name: set_aside(ctx.suite, answer) for name, answer in answers.items()}
        if any(a.error is not None for a in answers.values()):
            failing += 1
            problems += compare(what, answers)
    if not failing:
        raise NotApplicable("none of the failing requests (unknown task, message without parts) failed on any binding")
    if problems:
        raise Failure("; ".join(problems) + ". Spec 5.1/5.4: the same error MUST map to the same A2A error type on "
                                            "every binding")


# --- the same credentials, the same verdict ----------------------------------------------------------------------


def auth_outcome(answer: Answer) -> str | frozenset[str]:
    error = answer.error
    if error is not None and (error.status in (401, 403) or error.reason in ("UNAUTHENTICATED", "PERMISSION_DENIED")
                              or error.rpc_status in ("UNAUTHENTICATED", "PERMISSION_DENIED")):
        return "refused"
    return outcome_of(answer)


@check("a2a.equivalence.same-auth", protocol="a2a")
def same_credentials_on_every_binding(ctx: A2aContext) -> None:
    bindings = all_bindings(ctx)
    cases: list[tuple[str, str, dict[str, Any], dict[str, str] | None]] = [
        ("SendMessage with the run's credentials", "SendMessage", {"message": ctx.message()}, None),
        ("SendMessage with an invalid bearer token", "SendMessage", {"message": ctx.message()}, INVALID_CREDENTIAL),
    ]
    card_flag = "extendedAgentCard" if ctx.version == wire.V10 else "supportsAuthenticatedExtendedCard"
    if declares(ctx.card, card_flag):
        cases.append(("GetExtendedAgentCard with an invalid bearer token", "GetExtendedAgentCard", {},
                      INVALID_CREDENTIAL))
    problems = []
    for what, operation, params, headers in cases:
        outcomes = {}
        for binding in bindings:
            fresh = {**params, "message": ctx.message()} if "message" in params else params
            answer = ctx.call(operation, fresh, binding=binding, headers=headers)
            outcomes[binding.name] = (auth_outcome(answer), answer)
        first, *rest = outcomes
        problems += [f"{what}: {first} {shown(outcomes[first][0])} ({outcomes[first][1].describe()[:80]}), {name} "
                     f"{shown(outcomes[name][0])} ({outcomes[name][1].describe()[:80]})"
                     for name in rest if not same_outcome(outcomes[first][0], outcomes[name][0])]
    if problems:
        raise Failure("; ".join(problems) + ". Spec 5.1: every binding MUST accept and refuse the same credentials")
