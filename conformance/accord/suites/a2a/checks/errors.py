"""A2A errors: codes, HTTP statuses, error bodies and google.rpc.ErrorInfo details.

The checks that judge "every error" are observers: the engine runs them after the others, and they read
the wire logs of every peer of the run, keeping the exchanges with the binding under test that asked for
the run's A2A version. Each first provokes errors any agent must raise (an unknown task id, cancelling a
finished task, an unsupported A2A-Version, ...), so that it never judges nothing, and judges those
provoked answers by what the spec demands of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ....outcomes import Failure, NotApplicable
from ....peer import WireLog
from ....registry import check
from .. import wire
from ..bindings import ERROR_INFO, Answer
from ..card import PATCHES_1_0, declared_versions, declares, major_minor
from ..card import declared_patch as declared_patch_of
from ..context import A2aContext, set_aside

UNKNOWN_TASK = "00000000-0000-4000-8000-0000000a2a00"
"""A well-formed task id no agent hands out."""
ERROR_DOMAIN = "a2a-protocol.org"
UNSUPPORTED_VERSION = "99.0"
WEBHOOK_URL = "https://127.0.0.1:9/accord-never-called"
"""A push target for requests that must be refused before any notification is sent."""
A2A_CODES = frozenset(wire.NAME_BY_CODE)
REASON_BY_NAME = {name: reason for name, (_, reason, _) in wire.ERRORS.items()}
NAME_BY_REASON = {reason: name for name, reason in REASON_BY_NAME.items()}
HTTP_STATUS_BY_PATCH: dict[str, dict[str, int]] = {
    "1.0.0": {name: status for name, (_, _, status) in wire.ERRORS.items()},
    "1.0.1": {name: {"TaskNotFoundError": 404, "InvalidAgentResponseError": 500}.get(name, 400)
              for name in wire.ERRORS},
}
"""Section 5.4 per patch: 1.0.1 moved TaskNotCancelable (409), ContentTypeNotSupported (415) and
InvalidAgentResponse (502) to 400, 400 and 500."""
GRPC_STATUS_NAMES = frozenset({
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
    "PERMISSION_DENIED", "UNAUTHENTICATED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
    "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
})


@dataclass(frozen=True)
class PatchRules:
    """Which 1.0 patch judges the interface under test where 1.0.0 and 1.0.1 differ: the one its card
    protocolVersion names, else either."""

    declared: list[str]
    """The protocolVersion(s) the card gives the interface under test."""
    patch: str | None

    @property
    def patches(self) -> tuple[str, ...]:
        return (self.patch,) if self.patch else PATCHES_1_0

    def why(self) -> str:
        shown = " and ".join(repr(v) for v in self.declared) or "nothing"
        if self.patch:
            return f"the interface declares protocolVersion {shown}, so {self.patch}'s rule alone applies"
        return (f"the interface declares protocolVersion {shown}, which names no single known patch, so 1.0.0's "
                "and 1.0.1's rules are both accepted")


def declared_patch(ctx: A2aContext) -> str | None:
    """The 1.0 patch ("1.0.0" or "1.0.1") the interface under test declares, or None (see PatchRules)."""
    return patch_rules(ctx).patch


def patch_rules(ctx: A2aContext) -> PatchRules:
    interface = ctx.suite.interface
    if ctx.version != wire.V10 or interface is None:
        return PatchRules([], None)
    return PatchRules(declared_versions(ctx.card, interface), declared_patch_of(ctx.card, interface))


def allowed_statuses(name: str, patches: tuple[str, ...] = PATCHES_1_0) -> set[int]:
    """The HTTP statuses section 5.4 of ``patches`` gives the A2A error ``name``."""
    return {HTTP_STATUS_BY_PATCH[patch][name] for patch in patches}


def statuses_wanted(name: str, patches: tuple[str, ...]) -> str:
    """"409 (1.0.0) or 400 (1.0.1)": the status of ``name`` in each of ``patches``."""
    return " or ".join(f"{HTTP_STATUS_BY_PATCH[patch][name]} ({patch})" for patch in patches)


def listing(problems: list[str], wanted: str, *, limit: int = 4) -> None:
    """Fail with the first few ``problems`` and what the spec wants, if there are any."""
    if problems:
        more = f" (and {len(problems) - limit} more)" if len(problems) > limit else ""
        raise Failure("; ".join(problems[:limit]) + more + f". {wanted}")


# --- the traffic of the run ------------------------------------------------------------------------------------
@dataclass
class Exchange:
    """One HTTP request of the run and its answer, rebuilt from a peer's wire log."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    received: list[Any] = field(default_factory=list)
    """JSON values received: the body, or the data of each SSE event."""

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def streamed(self) -> bool:
        return self.content_type == "text/event-stream"

    @property
    def is_error(self) -> bool:
        return self.status is not None and not 200 <= self.status < 300

    def request_json(self) -> Any:
        try:
            return json.loads(self.request_body)
        except ValueError:
            return None

    def asked_version(self) -> str:
        """Major.Minor the request asked for (header, else query parameter); no value means 0.3."""
        value = self.request_headers.get("a2a-version")
        if value is None:
            query = {k.lower(): v for k, v in parse_qsl(urlsplit(self.url).query)}
            value = query.get("a2a-version")
        return major_minor(value.strip()) if value and value.strip() else wire.V03

    def line(self) -> str:
        query = urlsplit(self.url).query
        sent = self.request_body[:100] if self.method == "POST" and self.request_body else ""
        return f"{self.method} {self.path}{'?' + query if query else ''} {sent} -> HTTP {self.status}".replace("  ", " ")


def exchanges_of(log: WireLog) -> list[Exchange]:
    found: list[Exchange] = []
    for event in log.since(0):
        data = event.data
        if event.direction == "sent" and event.channel == "http-request" and isinstance(data, dict):
            found.append(Exchange(str(data.get("method", "")), str(data.get("url", "")),
                                  dict(data.get("headers") or {}), str(data.get("body") or "")))
        elif found and event.direction == "received" and event.channel == "http-response" and isinstance(data, dict):
            found[-1].status = data.get("status")
            found[-1].headers = {str(k).lower(): str(v) for k, v in dict(data.get("headers") or {}).items()}
        elif found and event.direction == "received" and event.channel == "message":
            found[-1].received.append(data)
    return found


def binding_exchanges(ctx: A2aContext) -> list[Exchange]:
    """Every HTTP exchange of the run with the binding under test that asked for the run's A2A version (none when
    the binding is gRPC: see grpc_calls)."""
    if ctx.binding.name == "grpc":
        return []
    base = ctx.binding.path
    mine = []
    for peer in ctx.suite.peers:
        for exchange in exchanges_of(peer.log):
            at_binding = exchange.path.rstrip("/") == base if ctx.binding.name == "jsonrpc" else (
                exchange.path.startswith(base + "/"))
            if at_binding and exchange.asked_version() == ctx.version:
                mine.append(exchange)
    return mine


@dataclass
class GrpcCall:
    """One gRPC call of the run and its status, rebuilt from a gRPC peer's wire log."""

    method: str
    metadata: dict[str, str]
    request: Any
    code: str | None = None
    message: str = ""
    details: list[Any] = field(default_factory=list)

    def line(self) -> str:
        return f"{self.method.rsplit('/', 1)[-1]} {json.dumps(self.request)[:100]} -> {self.code}"


def grpc_calls(ctx: A2aContext) -> list[GrpcCall]:
    """Every gRPC call of the run with the binding under test that asked for the run's A2A version."""
    if ctx.binding.name != "grpc":
        return []
    calls: list[GrpcCall] = []
    for peer in ctx.suite.peers:
        pending: dict[Any, GrpcCall] = {}
        for event in peer.log.since(0):
            data = event.data if isinstance(event.data, dict) else {}
            if event.direction == "sent" and event.channel == "grpc-request":
                pending[data.get("call")] = GrpcCall(str(data.get("method", "")), dict(data.get("metadata") or {}),
                                                     data.get("message"))
            elif event.direction == "received" and event.channel == "grpc-response" and data.get("call") in pending:
                call = pending.pop(data.get("call"))
                call.code, call.message = data.get("code"), str(data.get("message") or "")
                call.details = list(data.get("details") or [])
                if call.metadata.get("a2a-version", "").strip() == ctx.version:
                    calls.append(call)
    return calls


def jsonrpc_errors(exchange: Exchange) -> Iterator[dict[str, Any]]:
    """The JSON-RPC error responses an exchange carried (one body, or SSE events)."""
    for value in exchange.received:
        if isinstance(value, dict) and "error" in value:
            yield value


def http_error(exchange: Exchange) -> dict[str, Any] | None:
    """The error object of an HTTP+JSON error body (the ``error`` member, or the body itself)."""
    if not exchange.is_error or len(exchange.received) != 1 or not isinstance(exchange.received[0], dict):
        return None
    body = exchange.received[0]
    return body["error"] if isinstance(body.get("error"), dict) else body


def details_of(error: Any, key: str) -> list[Any] | None:
    value = error.get(key) if isinstance(error, dict) else None
    return value if isinstance(value, list) else None


def error_info(details: list[Any] | None) -> dict[str, Any] | None:
    for item in details or []:
        if isinstance(item, dict) and (item.get("@type") == ERROR_INFO or "reason" in item):
            return item
    return None


def untyped_items(exchange: Exchange, where: str, items: Any) -> list[str]:
    """What keeps ``items`` (error.data, error.details) from being an array of objects that each carry @type."""
    if not isinstance(items, list):
        return [f"{exchange.line()}: {where} is {json.dumps(items)[:120]}, not an array"]
    untyped = [item for item in items if not isinstance(item, dict) or not isinstance(item.get("@type"), str)]
    return [f"{exchange.line()}: {where} item(s) without @type: {json.dumps(untyped)[:160]}"] if untyped else []


def error_info_problems(details: list[Any] | None, name: str) -> list[str]:
    """What keeps ``details`` from carrying the ErrorInfo of A2A error ``name`` (sections 9.5, 11.6)."""
    info = error_info(details)
    if info is None:
        return [f"no google.rpc.ErrorInfo among the details {json.dumps(details)[:160] if details else '(none)'}"]
    problems = []
    if info.get("@type") != ERROR_INFO:
        problems.append(f"@type {info.get('@type')!r}, not {ERROR_INFO!r}")
    if info.get("reason") != REASON_BY_NAME[name]:
        problems.append(f"reason {info.get('reason')!r}, not {REASON_BY_NAME[name]!r}")
    if info.get("domain") != ERROR_DOMAIN:
        problems.append(f"domain {info.get('domain')!r}, not {ERROR_DOMAIN!r}")
    return problems


# --- errors every agent must raise --------------------------------------------------------------------------
@dataclass
class Provoked:
    expected: str
    """The A2A error name the request must get (a key of wire.ERRORS)."""
    sent: str
    answer: Answer

    def describe(self) -> str:
        return f"{self.sent} got {self.answer.describe()[:200]}"


def finished_task(ctx: A2aContext) -> dict[str, Any] | None:
    """A task of the agent in a terminal state (from one probe message and a few polls), or None."""
    answer = ctx.send()
    task = answer.task() if answer.error is None else None
    for _ in range(4):
        if task is None or wire.state_of(task) in wire.TERMINAL:
            break
        if wire.state_of(task) in wire.INTERRUPTED:
            return None
        polled = ctx.get_task(str(task.get("id")))
        task = polled.task() if polled.error is None else None
    return task if task is not None and wire.state_of(task) in wire.TERMINAL else None


def provoke(ctx: A2aContext) -> list[Provoked]:
    """Requests that must be refused with a known A2A error, and their answers."""
    found = [
        Provoked("TaskNotFoundError", f"GetTask of the unknown task {UNKNOWN_TASK!r}", ctx.get_task(UNKNOWN_TASK)),
        Provoked("TaskNotFoundError", f"CancelTask of the unknown task {UNKNOWN_TASK!r}", ctx.cancel(UNKNOWN_TASK)),
    ]
    if ctx.version == wire.V10:
        found.append(Provoked("VersionNotSupportedError", f"GetTask with A2A-Version: {UNSUPPORTED_VERSION}",
                              ctx.call("GetTask", {"id": UNKNOWN_TASK}, headers={"A2A-Version": UNSUPPORTED_VERSION})))
    task = finished_task(ctx)
    if task is not None:
        task_id = str(task.get("id"))
        found.append(Provoked("TaskNotCancelableError",
                              f"CancelTask of task {task_id!r} in the terminal state {wire.state_of(task)}",
                              ctx.cancel(task_id)))
        if not declares(ctx.card, "pushNotifications"):
            found.append(Provoked(
                "PushNotificationNotSupportedError",
                f"CreateTaskPushNotificationConfig for task {task_id!r} (the card does not declare pushNotifications)",
                ctx.call("CreateTaskPushNotificationConfig", {"taskId": task_id, "url": WEBHOOK_URL})))
    return found


def refused(provoked: list[Provoked]) -> list[Provoked]:
    return [p for p in provoked if p.answer.error is not None]


def successes(provoked: list[Provoked]) -> list[str]:
    return [f"{p.sent} succeeded ({p.answer.describe()[:160]}) where {p.expected} was due"
            for p in provoked if p.answer.error is None]


def invalid_send_requests(ctx: A2aContext, context_id: str) -> list[tuple[str, dict[str, Any]]]:
    """SendMessage params (1.0 form) that break the request schema, each naming ``context_id`` (over gRPC, ones a
    protobuf message can carry: a wrong JSON type cannot cross a binary wire)."""
    message = ctx.message(context_id=context_id)
    if ctx.binding.name == "grpc":
        empty_parts = [("SendMessage whose message has no parts", {"message": {**message, "parts": []}})] \
            if ctx.version == wire.V10 else []  # 0.3 allows an empty parts list
        return [
            *empty_parts,
            ("SendMessage whose message.role is ROLE_UNSPECIFIED", {"message": {**message, "role": "ROLE_UNSPECIFIED"}}),
            ("SendMessage without a message", {"metadata": {"contextId": context_id}}),
        ]
    return [
        ("SendMessage whose message.parts is a string", {"message": {**message, "parts": "not a list of parts"}}),
        ("SendMessage whose message.role is not a Role", {"message": {**message, "role": "ROLE_ACCORD_INVALID"}}),
        ("SendMessage without a message", {"metadata": {"contextId": context_id}}),
    ]


# --- checks -----------------------------------------------------------------------------------------------------
@check("a2a.errors.code-and-message", protocol="a2a", kind="observer")
def errors_carry_code_and_message(ctx: A2aContext) -> None:
    provoke(ctx)
    problems, judged = [], 0
    for exchange in binding_exchanges(ctx):
        if ctx.binding.name == "jsonrpc":
            for response in jsonrpc_errors(exchange):
                judged += 1
                error = response["error"]
                code = error.get("code") if isinstance(error, dict) else None
                message = error.get("message") if isinstance(error, dict) else None
                if not isinstance(code, int) or isinstance(code, bool):
                    problems.append(f"{exchange.line()}: error code {code!r} is not an integer")
                if not isinstance(message, str) or (ctx.version == wire.V10 and not message.strip()):
                    problems.append(f"{exchange.line()}: error message {message!r} is not a non-empty string")
        elif exchange.is_error:
            judged += 1
            error = http_error(exchange)
            message = error.get("message") if error is not None else None
            if not isinstance(message, str) or not message.strip():
                problems.append(f"{exchange.line()}: no human-readable message in the body "
                                f"{json.dumps(exchange.received[0])[:160] if exchange.received else '(not JSON)'}")
    for call in grpc_calls(ctx):
        if call.code not in (None, "OK"):
            judged += 1
            if not call.message.strip():
                problems.append(f"{call.line()}: status {call.code} without a message (grpc-message)")
    if not judged:
        raise NotApplicable("no error answer was seen in the run, not even to requests that must be refused")
    listing(problems, "Every error carries a machine-readable code and a human-readable message (1.0 section 3.3.2; "
                      "0.3 section 6.12).")


@check("a2a.errors.jsonrpc-code-map", protocol="a2a", kind="observer")
def jsonrpc_errors_use_their_codes(ctx: A2aContext) -> None:
    provoked = provoke(ctx)
    problems = successes(provoked)
    for p in refused(provoked):
        code = wire.ERRORS[p.expected][0]
        if p.answer.error is not None and not p.answer.error.is_(code):
            problems.append(f"{p.describe()}, not {p.expected} ({code})")
    for exchange in binding_exchanges(ctx):
        for response in jsonrpc_errors(exchange):
            error = response["error"] if isinstance(response["error"], dict) else {}
            info = error_info(details_of(error, "data"))
            name = NAME_BY_REASON.get(str(info.get("reason"))) if info else None
            if name and error.get("code") != wire.ERRORS[name][0]:
                problems.append(f"{exchange.line()}: reason {info.get('reason')} with code {error.get('code')!r}, "  # type: ignore[union-attr]
                                f"not {wire.ERRORS[name][0]}")
    listing(problems, "Each A2A error has its JSON-RPC code (1.0 section 5.4; 0.3 section 8.2).")


@check("a2a.errors.jsonrpc-error-info", protocol="a2a", kind="observer")
def jsonrpc_errors_carry_error_info(ctx: A2aContext) -> None:
    provoke(ctx)
    problems, judged = [], 0
    for exchange in binding_exchanges(ctx):
        for response in jsonrpc_errors(exchange):
            error = response["error"] if isinstance(response["error"], dict) else {}
            name = wire.NAME_BY_CODE.get(error.get("code"))  # type: ignore[arg-type]
            if name is None:
                continue
            judged += 1
            found = error_info_problems(details_of(error, "data"), name)
            if found:
                problems.append(f"{exchange.line()}: {name} ({error.get('code')}): {'; '.join(found)}")
    if not judged:
        raise NotApplicable("no A2A-specific error (-32001..-32009) was seen in the run, not even to requests that "
                            "must be refused")
    rules = patch_rules(ctx)
    level = {"1.0.0": "MUST", "1.0.1": "SHOULD"}
    listing(problems, f"A2A errors carry in error.data a google.rpc.ErrorInfo with the error's reason and domain "
                      f"{ERROR_DOMAIN!r} (section 9.5: {', '.join(f'{level[p]} in {p}' for p in rules.patches)}; "
                      f"{rules.why()}).")


@check("a2a.errors.jsonrpc-data-typed", protocol="a2a", kind="observer")
def jsonrpc_error_data_is_typed(ctx: A2aContext) -> None:
    provoke(ctx)
    problems, judged = [], 0
    for exchange in binding_exchanges(ctx):
        for response in jsonrpc_errors(exchange):
            error = response["error"] if isinstance(response["error"], dict) else {}
            if "data" not in error:
                continue
            judged += 1
            problems += untyped_items(exchange, "error.data", error["data"])
    if not judged:
        raise NotApplicable("no JSON-RPC error of the run carried error.data")
    listing(problems, "error.data is an array of objects, each with an @type key (ProtoJSON Any, section 9.5).")


@check("a2a.errors.custom-code-range", protocol="a2a", kind="observer")
def server_error_codes_in_range(ctx: A2aContext) -> None:
    provoke(ctx)
    problems, judged = [], 0
    for exchange in binding_exchanges(ctx):
        for response in jsonrpc_errors(exchange):
            error = response["error"] if isinstance(response["error"], dict) else {}
            code = error.get("code")
            if not isinstance(code, int) or code in wire.STANDARD_CODES:
                continue
            judged += 1
            if not -32099 <= code <= -32000:
                problems.append(f"{exchange.line()}: error code {code}")
    if not judged:
        raise NotApplicable("no JSON-RPC error with a server-defined code was seen in the run")
    listing(problems, "Server-defined error codes lie in -32000..-32099 (0.3 section 8.2).")


@check("a2a.errors.http-status-map", protocol="a2a", kind="observer")
def http_errors_use_their_status(ctx: A2aContext) -> None:
    provoked = provoke(ctx)
    problems = successes(provoked)
    rules = patch_rules(ctx)
    for p in refused(provoked):
        status = p.answer.error.status if p.answer.error else None
        if ctx.version == wire.V10:
            if status not in allowed_statuses(p.expected, rules.patches):
                problems.append(f"{p.describe()}: {p.expected} must come with HTTP "
                                f"{statuses_wanted(p.expected, rules.patches)}")
        elif status not in ({404} if p.expected == "TaskNotFoundError" else set(range(400, 500))):
            problems.append(f"{p.describe()}: {p.expected} must come with HTTP "
                            f"{404 if p.expected == 'TaskNotFoundError' else 'a 4xx status'}")
    if ctx.version == wire.V10:
        for exchange in binding_exchanges(ctx):
            info = error_info(details_of(http_error(exchange), "details"))
            name = NAME_BY_REASON.get(str(info.get("reason"))) if info else None
            if name and exchange.status not in allowed_statuses(name, rules.patches):
                problems.append(f"{exchange.line()}: reason {REASON_BY_NAME[name]} with HTTP {exchange.status}, not "
                                f"{statuses_wanted(name, rules.patches)}")
    wanted = (f"HTTP+JSON errors use the status of section 5.4; {rules.why()}" if ctx.version == wire.V10 else
              "HTTP+JSON errors use a fitting 4xx/5xx status, 404 for an unknown task (0.3 section 3.2.3)")
    listing(problems, wanted + ".")


@check("a2a.errors.http-body-format", protocol="a2a", kind="observer")
def http_error_bodies_are_status_objects(ctx: A2aContext) -> None:
    provoke(ctx)
    errors = [x for x in binding_exchanges(ctx) if x.is_error]
    if not errors:
        raise NotApplicable("no HTTP+JSON error answer was seen in the run, not even to requests that must be refused")
    problems, shapes = [], set()
    for exchange in errors:
        body = exchange.received[0] if len(exchange.received) == 1 else None
        if not isinstance(body, dict):
            problems.append(f"{exchange.line()}: the body is not a JSON object "
                            f"({exchange.content_type or 'no content type'})")
            continue
        if ctx.version == wire.V10:
            found = ctx.errors("HTTPErrorResponse", body)
            error = body.get("error") if isinstance(body.get("error"), dict) else {}
            if error.get("code") != exchange.status:
                found.append(f"error.code {error.get('code')!r} is not the HTTP status {exchange.status}")
            if error.get("status") not in GRPC_STATUS_NAMES:
                found.append(f"error.status {error.get('status')!r} is not a google.rpc.Code name")
            if found:
                problems.append(f"{exchange.line()} {json.dumps(body)[:160]}: {'; '.join(found[:3])}")
        else:
            error = http_error(exchange) or {}
            shapes.add("wrapped in error" if isinstance(body.get("error"), dict) else "flat")
            identified = error_info(details_of(error, "details")) is not None or any(
                isinstance(error.get(key), (int, str)) and not isinstance(error.get(key), bool)
                for key in ("code", "reason", "status", "type"))
            if not identified:
                problems.append(f"{exchange.line()} {json.dumps(body)[:160]}: nothing identifies the error type")
    if len(shapes) > 1:
        problems.append(f"the error bodies mix shapes: {', '.join(sorted(shapes))}")
    wanted = ("HTTP+JSON errors are google.rpc.Status JSON: {error: {code = the HTTP status, status, message, "
              "details}} (section 11.6)" if ctx.version == wire.V10 else
              "HTTP+JSON errors come as one consistent JSON shape that identifies the error (0.3 section 3.2.3)")
    listing(problems, wanted + ".")


@check("a2a.errors.http-error-info", protocol="a2a", kind="observer")
def http_errors_carry_error_info(ctx: A2aContext) -> None:
    provoked = provoke(ctx)
    problems = successes(provoked)
    for p in refused(provoked):
        raw = p.answer.error.raw if p.answer.error else None
        error = raw.get("error") if isinstance(raw, dict) and isinstance(raw.get("error"), dict) else raw
        found = error_info_problems(details_of(error, "details"), p.expected)
        if found:
            problems.append(f"{p.describe()}: {'; '.join(found)}")
    for exchange in binding_exchanges(ctx):
        info = error_info(details_of(http_error(exchange), "details"))
        name = NAME_BY_REASON.get(str(info.get("reason"))) if info else None
        if name and (found := error_info_problems([info], name)):
            problems.append(f"{exchange.line()}: {'; '.join(found)}")
    listing(problems, f"HTTP+JSON A2A errors carry in error.details a google.rpc.ErrorInfo with @type, the error's "
                      f"reason and domain {ERROR_DOMAIN!r} (section 11.6).")


@check("a2a.errors.http-details-typed", protocol="a2a", kind="observer")
def http_error_details_are_typed(ctx: A2aContext) -> None:
    provoke(ctx)
    problems, judged = [], 0
    for exchange in binding_exchanges(ctx):
        error = http_error(exchange)
        if error is None or "details" not in error:
            continue
        judged += 1
        problems += untyped_items(exchange, "error.details", error["details"])
    if not judged:
        raise NotApplicable("no HTTP+JSON error of the run carried error.details")
    listing(problems, "Every object in error.details carries an @type key (section 11.6).")


@check("a2a.errors.validation", protocol="a2a")
def invalid_requests_refused_without_effect(ctx: A2aContext) -> None:
    context_id = f"accord-invalid-{UNKNOWN_TASK[-8:]}-{ctx.message()['messageId'][:8]}"
    problems = []
    for what, params in invalid_send_requests(ctx, context_id):
        answer = set_aside(ctx.suite, ctx.call("SendMessage", params))
        if answer.error is None:
            problems.append(f"{what} was accepted: {answer.describe()[:200]}")
    if ctx.version == wire.V10 and ctx.binding.supports("ListTasks"):
        listed = ctx.call("ListTasks", {"contextId": context_id})
        tasks = listed.result.get("tasks") if listed.ok and isinstance(listed.result, dict) else None
        if isinstance(tasks, list) and tasks:
            problems.append(f"ListTasks of context {context_id!r} (named only by the refused requests) lists "
                            f"{len(tasks)} task(s): {json.dumps(tasks)[:160]}")
    listing(problems, "Requests with invalid parameters are refused with an error before any processing: no task, "
                      "no side effect (1.0 section 3.3.2; 0.3 section 10.2).")
