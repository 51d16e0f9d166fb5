"""A2A-Version negotiation (1.0 section 3.6): which version's semantics a request gets.

Each probe states its A2A-Version explicitly (``headers={"A2A-Version": ...}`` overrides the binding's
default; an empty value leaves the header out). Which semantics an answer has is read from its spelling:
0.3 tags objects with ``kind`` and writes states and roles in lower case, 1.0 writes TASK_STATE_* and ROLE_*.
"""

from __future__ import annotations

from typing import Any

from ....outcomes import Failure, NotApplicable, Skip
from ....registry import check
from .. import wire
from ..bindings import Answer, Binding, HttpJsonBinding, JsonRpcBinding
from ..grpc_binding import GrpcBinding
from ..card import interfaces
from ..context import A2aContext
from .errors import UNKNOWN_TASK

STATES_V03 = frozenset(wire.STATE_V03.values())
ROLES_V03 = frozenset(wire.ROLE_V03.values())
KINDS_V03 = frozenset({"task", "message", "status-update", "artifact-update", "text", "file", "data"})
OPAQUE = frozenset({"metadata", "data"})
"""Members whose content is the agent's or the user's own, not protocol spelling."""
VERSION_NOT_SUPPORTED = wire.ERRORS["VersionNotSupportedError"][0]


def spellings(value: Any, depth: int = 0) -> set[str]:
    """The A2A versions whose spelling shows in an answer: "0.3" (kind, lower-case states and roles), "1.0"."""
    found: set[str] = set()
    if depth > 8:
        return found
    if isinstance(value, list):
        for item in value[:50]:
            found |= spellings(item, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in OPAQUE:
                continue
            if key == "kind" and item in KINDS_V03:
                found.add(wire.V03)
            elif key == "state" and isinstance(item, str):
                found |= {wire.V10} if item.startswith("TASK_STATE_") else {wire.V03} if item in STATES_V03 else set()
            elif key == "role" and isinstance(item, str):
                found |= {wire.V10} if item.startswith("ROLE_") else {wire.V03} if item in ROLES_V03 else set()
            else:
                found |= spellings(item, depth + 1)
    return found


def has_1_0_message(value: Any, depth: int = 0) -> bool:
    """Whether a Message in 1.0 form (ROLE_* role and parts) shows in an answer: the 0.3 JSON-RPC form writes
    roles in lower case, the 0.3 proto's JSON names the parts ``content``."""
    if depth > 8:
        return False
    if isinstance(value, list):
        return any(has_1_0_message(item, depth + 1) for item in value[:50])
    if not isinstance(value, dict):
        return False
    if "messageId" in value and "parts" in value and str(value.get("role", "")).startswith("ROLE_"):
        return True
    return any(has_1_0_message(item, depth + 1) for key, item in value.items() if key not in OPAQUE)


def payload(answer: Answer) -> Any:
    return answer.result if answer.result is not None else answer.events


def require_served_as_1_0(answer: Answer, sent: str) -> None:
    """The answer is a success written in 1.0 spelling (section 3.6.2)."""
    if answer.error is not None or answer.problems or payload(answer) in (None, []):
        raise Failure(f"{sent} was not served: {answer.describe()[:240]}; A2A-Version 1.0 must get 1.0 semantics "
                      "(section 3.6.2)")
    shown = spellings(payload(answer))
    if shown != {wire.V10}:
        what = "0.3 spelling (kind, lower-case states or roles)" if wire.V03 in shown else "no 1.0 enum spelling"
        raise Failure(f"{sent} was answered with {what}: {str(payload(answer))[:240]}; A2A-Version 1.0 must get 1.0 "
                      "semantics: ProtoJSON enum names, no kind discriminators (section 3.6.2)")


def send_with(ctx: A2aContext, headers: dict[str, str], *, binding: Binding | None = None) -> Answer:
    return ctx.call("SendMessage", {"message": ctx.message()}, headers=headers, binding=binding)


def require_version_refused(ctx: A2aContext, version: str, sent: str) -> None:
    answer = ctx.call("GetTask", {"id": UNKNOWN_TASK}, headers={"A2A-Version": version})
    ctx.require_error(answer, VERSION_NOT_SUPPORTED, f"{sent} (section 3.6.2)")
    if isinstance(ctx.binding, HttpJsonBinding) and answer.error is not None and answer.error.status != 400:
        raise Failure(f"{sent} got VersionNotSupportedError with HTTP {answer.error.status}, not 400 (section 5.4)")


def declares_0_3_here(ctx: A2aContext) -> bool:
    """Whether the card declares a 0.3 interface of this binding at the URL under test."""
    here = ctx.suite.interface
    return here is not None and any(
        i.binding == here.binding and i.url.rstrip("/") == here.url.rstrip("/") for i in interfaces(ctx.card, wire.V03))


def binding_for_0_3(ctx: A2aContext) -> Binding:
    """The binding under test, speaking 0.3 shapes: at the same URL (HTTP+JSON: the 1.0 paths unless the card
    declares 0.3 here, in which case the 0.3 /v1 paths)."""
    if ctx.binding.name == "grpc":
        if declares_0_3_here(ctx):
            return GrpcBinding(ctx.binding.grpc, "", wire.V03)  # type: ignore[attr-defined]  # the 0.3 service
        return ctx.binding  # the 1.0 service, asked without a version: VersionNotSupported is due
    kind = type(ctx.binding)
    binding = kind(ctx.binding.peer, ctx.binding.path, wire.V03)
    if isinstance(binding, HttpJsonBinding) and not declares_0_3_here(ctx):
        return _Unprefixed(ctx.binding.peer, ctx.binding.path, wire.V03)
    return binding


class _Unprefixed(HttpJsonBinding):
    @property
    def prefix(self) -> str:
        return self.path


def required_extensions(card: dict[str, Any]) -> list[str]:
    capabilities = card.get("capabilities") if isinstance(card.get("capabilities"), dict) else {}
    return [e["uri"] for e in capabilities.get("extensions") or []
            if isinstance(e, dict) and e.get("required") is True and isinstance(e.get("uri"), str)]


def judge_service_params_in_headers(ctx: A2aContext) -> None:
    """A2A-Version (and A2A-Extensions, when the card requires an extension) are read from HTTP headers."""
    require_served_as_1_0(send_with(ctx, {"A2A-Version": "1.0"}), "SendMessage with the header A2A-Version: 1.0")
    require_version_refused(ctx, "99.0", "GetTask with the header A2A-Version: 99.0")
    needed = required_extensions(ctx.card)
    if needed:
        without = send_with(ctx, {"A2A-Extensions": ""})
        code = wire.ERRORS["ExtensionSupportRequiredError"][0]
        ctx.require_error(without, code, f"SendMessage without A2A-Extensions (the card requires {needed})")
        declared = send_with(ctx, {"A2A-Extensions": ",".join(needed)})
        if declared.error is not None and declared.error.is_(code):
            raise Failure(f"SendMessage with the header A2A-Extensions: {','.join(needed)} still got "
                          f"{declared.error.describe()}: the header must be read (sections 9.2, 11.2)")


# --- checks -----------------------------------------------------------------------------------------------------
@check("a2a.versioning.missing-header-is-0-3", protocol="a2a")
def missing_version_is_0_3(ctx: A2aContext) -> None:
    binding = binding_for_0_3(ctx)
    answer = send_with(ctx, {"A2A-Version": ""}, binding=binding)
    sent = "SendMessage in 0.3 form without A2A-Version"
    if declares_0_3_here(ctx):
        if answer.error is not None or answer.problems:
            raise Failure(f"{sent} (the card declares 0.3 at this URL) got {answer.describe()[:240]}; "
                          "a request without A2A-Version must be served as 0.3 (section 3.6.2)")
    elif answer.error is not None:
        if not answer.error.is_(VERSION_NOT_SUPPORTED):
            raise Failure(f"{sent} (the card declares no 0.3 interface here) got {answer.error.describe()}, not "
                          f"VersionNotSupportedError ({VERSION_NOT_SUPPORTED}) (section 3.6.2)")
        return
    shown = spellings(payload(answer))
    as_sent = answer.reply.json if answer.reply.json is not None else [e.value for e in answer.reply.events]
    if shown != {wire.V03} or has_1_0_message(as_sent):  # as sent: a 0.3 HTTP+JSON answer is read into kind form
        raise Failure(f"{sent} was answered without 0.3 semantics: {str(as_sent)[:240]}; a missing "
                      "A2A-Version means 0.3 (section 3.6.2)")


@check("a2a.versioning.unsupported-version", protocol="a2a")
def unsupported_version_refused(ctx: A2aContext) -> None:
    for version in ("99.0", "0.5"):
        require_version_refused(ctx, version, f"GetTask of an unknown task with A2A-Version: {version}")


@check("a2a.versioning.requested-semantics", protocol="a2a")
def version_1_0_gets_1_0_semantics(ctx: A2aContext) -> None:
    answer = send_with(ctx, {"A2A-Version": "1.0"})
    require_served_as_1_0(answer, "SendMessage with A2A-Version: 1.0")
    task = answer.task()
    if task is not None and isinstance(task.get("id"), str):
        polled = ctx.call("GetTask", {"id": task["id"]}, headers={"A2A-Version": "1.0"})
        require_served_as_1_0(polled, f"GetTask of task {task['id']!r} with A2A-Version: 1.0")


@check("a2a.versioning.patch-ignored", protocol="a2a")
def patch_number_ignored(ctx: A2aContext) -> None:
    require_served_as_1_0(send_with(ctx, {"A2A-Version": "1.0.0"}), "SendMessage with A2A-Version: 1.0.0")


@check("a2a.versioning.query-parameter", protocol="a2a")
def version_query_parameter_honoured(ctx: A2aContext) -> None:
    sent = "SendMessage with ?A2A-Version=1.0 and no A2A-Version header"
    if ctx.binding.name == "grpc":
        raise NotApplicable("a gRPC call has no query string; A2A-Version travels in its metadata (section 10.2, "
                            "judged by a2a.grpc.metadata-params)")
    if isinstance(ctx.binding, JsonRpcBinding):
        queried = JsonRpcBinding(ctx.binding.peer, ctx.binding.path + "?A2A-Version=1.0", ctx.version)
        answer = send_with(ctx, {"A2A-Version": ""}, binding=queried)
    else:
        binding = ctx.binding
        assert isinstance(binding, HttpJsonBinding)
        verb, path, rest = binding.route("SendMessage", {"message": ctx.message()})
        reply = binding.peer.request(verb, path, json=rest, params={"A2A-Version": "1.0"}, headers={"A2A-Version": ""})
        answer = binding.answer("SendMessage", reply)
    require_served_as_1_0(answer, sent)


@check("a2a.versioning.header-case-insensitive", protocol="a2a")
def version_header_name_case_insensitive(ctx: A2aContext) -> None:
    if ctx.binding.name == "grpc":
        raise NotApplicable("gRPC metadata keys are lower case by definition (section 10.2); there is no other "
                            "spelling to send")
    for name in ("a2a-version", "A2A-VERSION"):
        require_served_as_1_0(send_with(ctx, {name: "1.0"}), f"SendMessage with the header {name}: 1.0")
