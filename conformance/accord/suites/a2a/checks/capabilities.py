"""What the agent serves against what its card declares: interfaces (bindings, URLs, versions), the core
operations, optional capabilities declared or not, and extensions.

A capability the card declares that does not work is a failure; a capability it does not declare must be
refused with the error the spec names. Interfaces are probed with GetTask on a task id no agent has, which
touches nothing and which only an A2A endpoint answers with TaskNotFoundError.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from ....outcomes import Failure, NotApplicable, Skip
from ....peer import RestPeer, TargetError
from ....registry import check
from ....targets import open_peer
from .. import wire
from ..bindings import BINDING_NAMES, BINDINGS, Answer, Binding, HttpJsonBinding
from ..card import Interface, declares, interfaces
from ..context import A2aContext
from ..grpc_binding import open_grpc_binding
from .auth import shown, without_credentials
from .card import fail_all, items, served_card

STANDARD_BINDINGS = ("JSONRPC", "GRPC", "HTTP+JSON")
SPOKEN = ("JSONRPC", "HTTP+JSON")
BINDING_LOOKALIKES = {"REST", "HTTP", "HTTPJSON", "HTTP_JSON", "HTTP-JSON", "JSON", "JSON-RPC", "JSON_RPC", "JSONRPC2",
                      "JSON-RPC2", "G-RPC", "GRPC-WEB"}
MAJOR_MINOR = re.compile(r"[0-9]+\.[0-9]+")
UNKNOWN_EXTENSION = "urn:accord:conformance:extension-no-agent-supports:v1"
EXTENSIONS_HEADER = "A2A-Extensions"


def missing_task_id() -> str:
    return f"accord-no-such-task-{uuid.uuid4().hex[:12]}"


# --- bindings at declared places ------------------------------------------------------------------------
class Endpoints:
    """Bindings of this run's version at any URL, on peers opened once per origin and closed by the suite."""

    def __init__(self, ctx: A2aContext) -> None:
        self.ctx = ctx
        self.peers: dict[str, RestPeer] = {}
        for binding in ctx.bindings.values():
            if isinstance(binding.peer, RestPeer):
                self.peers.setdefault(_origin(binding.peer.base_url), binding.peer)

    def binding(self, declared: str, url: str, version: str | None = None) -> Binding | None:
        if declared.upper() == "GRPC":
            try:
                return open_grpc_binding(self.ctx.suite, url, version or self.ctx.version)
            except TargetError:
                return None
        kind = BINDINGS.get(declared.upper())
        if kind is None or not url.lower().startswith(("http://", "https://")):
            return None
        interface = Interface(BINDING_NAMES.get(declared.upper(), declared.lower()), declared, url, version or self.ctx.version)
        peer = self.peers.get(interface.origin)
        if peer is None:
            opened = open_peer(f"a2a+{interface.origin}", self.ctx.limits)
            if not isinstance(opened, RestPeer):
                opened.close()
                return None
            opened.default_headers = {"A2A-Version": self.ctx.version}  # type: ignore[attr-defined]
            self.ctx.suite.peers.append(opened)
            peer = self.peers[interface.origin] = opened
        return kind(peer, interface.path, interface.version)


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def probe(ctx: A2aContext, binding: Binding, version: str | None = None) -> Answer:
    headers = {"A2A-Version": version} if version else None
    return binding.call("GetTask", {"id": missing_task_id()}, headers=headers, timeout=ctx.limits.read_timeout)


def speaks_a2a(answer: Answer) -> bool:
    """Whether an answer to the GetTask probe came from an A2A endpoint of the binding asked."""
    return answer.error is not None and answer.error.is_(-32001)


def answers_task_not_found(answer: Answer, binding: Binding) -> bool:
    """Whether the GetTask probe on a declared interface got TaskNotFoundError as that binding spells it: 0.3
    over HTTP+JSON names errors only by HTTP status (0.3 section 3.2.3; 404 for an unknown task; its error body
    has no form of its own, specs/a2a/0.3.0/ERRATA.md), so there a JSON 404 is enough."""
    if speaks_a2a(answer):
        return True
    zero_three_rest = isinstance(binding, HttpJsonBinding) and binding.version == wire.V03
    return zero_three_rest and answer.error is not None and answer.error.status == 404 and answer.reply.json is not None


def declared_urls(card: dict[str, Any]) -> list[str]:
    """Every URL any interface of the card names, whatever its version."""
    urls = [e.get("url") for e in items(card.get("supportedInterfaces")) + items(card.get("additionalInterfaces"))
            if isinstance(e, dict)] + [card.get("url")]
    return list(dict.fromkeys(u.rstrip("/") for u in urls if isinstance(u, str) and u))


# --- interfaces -------------------------------------------------------------------------------------------
@check("a2a.interfaces.all-declared", protocol="a2a")
def served_bindings_are_declared(ctx: A2aContext) -> None:
    declared = interfaces(ctx.card, ctx.version)
    tested = ctx.suite.interface
    if tested is None or not any(i.url.rstrip("/") == tested.url.rstrip("/") and i.binding == tested.binding
                                 for i in declared):
        raise Failure(f"the binding under test is not among the card's interfaces for A2A {ctx.version}")
    endpoints = Endpoints(ctx)
    undeclared = []
    for url in declared_urls(ctx.card):
        have = {i.declared.upper() for i in declared if i.url.rstrip("/") == url}
        for name in SPOKEN:
            if name in have:
                continue
            binding = endpoints.binding(name, url)
            if binding is not None and speaks_a2a(probe(ctx, binding)):
                undeclared.append(f"{name} at {url}")
    fail_all(undeclared, f"the agent answers A2A {ctx.version} on bindings its card does not declare for that "
                         "version (GetTask of an unknown id answered TaskNotFoundError); agents declare every "
                         "supported protocol (5.2 / 0.3 5.6)")


@check("a2a.interfaces.url-and-binding", protocol="a2a")
def declared_interfaces_answer(ctx: A2aContext) -> None:
    endpoints = Endpoints(ctx)
    unspoken, wrong = [], []
    entries = interfaces(ctx.card, ctx.version)
    if ctx.version == wire.V03:
        main = (str(ctx.card.get("url") or "").rstrip("/"), str(ctx.card.get("preferredTransport") or "JSONRPC"))
        entries = [i for i in entries if (i.url.rstrip("/"), i.declared) != main] or entries
    for interface in entries:
        binding = endpoints.binding(interface.declared, interface.url)
        if binding is None:
            unspoken.append(f"{interface.declared} at {interface.url}")
            continue
        answer = probe(ctx, binding)
        if not answers_task_not_found(answer, binding):
            wrong.append(f"{interface.declared} at {interface.url}: GetTask of an unknown id answered {shown(answer)}")
    fail_all(wrong, "declared interfaces do not answer A2A requests with their binding (TaskNotFoundError expected)")
    if unspoken and len(unspoken) == len(entries):
        raise Skip(f"accord speaks none of the declared interfaces: {', '.join(unspoken)}")


@check("a2a.interfaces.binding-identifier", protocol="a2a")
def binding_names_are_standard(ctx: A2aContext) -> None:
    card = served_card(ctx)
    if ctx.version == wire.V10:
        names = [(f"supportedInterfaces[{i}].protocolBinding", e.get("protocolBinding"))
                 for i, e in enumerate(items(card.get("supportedInterfaces"))) if isinstance(e, dict)]
    else:
        names = [("preferredTransport", card.get("preferredTransport"))] + [
            (f"additionalInterfaces[{i}].transport", e.get("transport"))
            for i, e in enumerate(items(card.get("additionalInterfaces"))) if isinstance(e, dict)]
    problems = []
    for where, name in names:
        if name is None and where == "preferredTransport":
            continue
        if not isinstance(name, str) or not name.strip() or re.search(r"\s", name):
            problems.append(f"{where} is {name!r}, not an identifier")
        elif name in STANDARD_BINDINGS:
            continue
        elif name.upper() in STANDARD_BINDINGS or name.upper() in BINDING_LOOKALIKES:
            problems.append(f"{where} is {name!r}; the standard names are {', '.join(STANDARD_BINDINGS)}")
        elif ctx.version == wire.V03 and ":" not in name:
            problems.append(f"{where} is {name!r}, neither a core transport nor a namespaced identifier")
    fail_all(problems, "interfaces name their binding with non-standard identifiers")


@check("a2a.interfaces.protocol-version-format", protocol="a2a")
def protocol_versions_are_major_minor(ctx: A2aContext) -> None:
    card = served_card(ctx)
    found = [(i, e.get("protocolVersion")) for i, e in enumerate(items(card.get("supportedInterfaces")))
             if isinstance(e, dict)]
    fail_all([f"supportedInterfaces[{i}].protocolVersion is {v!r}" for i, v in found
              if not (isinstance(v, str) and MAJOR_MINOR.fullmatch(v))],
             "interface protocolVersion should be Major.Minor, such as 1.0, without a patch number (3.6)")


@check("a2a.interfaces.version-served", protocol="a2a")
def declared_versions_are_served(ctx: A2aContext) -> None:
    endpoints = Endpoints(ctx)
    problems, judged = [], 0
    for entry in items(ctx.card.get("supportedInterfaces")):
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            continue
        version = str(entry.get("protocolVersion") or "")
        major_minor = ".".join(version.split(".")[:2])
        if major_minor not in wire.SPEC_VERSIONS.values():
            continue
        binding = endpoints.binding(str(entry.get("protocolBinding") or ""), entry["url"], major_minor)
        if binding is None:
            continue
        judged += 1
        answer = probe(ctx, binding, major_minor)
        if not answers_task_not_found(answer, binding):
            problems.append(f"{entry.get('protocolBinding')} at {entry['url']} with A2A-Version {major_minor}: "
                            f"GetTask ({'GetTask' if major_minor == wire.V10 else 'tasks/get'}) of an unknown id "
                            f"answered {shown(answer)}")
    fail_all(problems, "interfaces do not serve the A2A version they declare (3.6.2); TaskNotFoundError expected")
    if not judged:
        raise Skip("no declared interface is one accord speaks in a version it knows")


@check("a2a.interfaces.preferred-transport", protocol="a2a")
def main_url_serves_preferred_transport(ctx: A2aContext) -> None:
    preferred, url = ctx.card.get("preferredTransport"), ctx.card.get("url")
    if not isinstance(preferred, str) or not preferred:
        raise Failure(f"the card's preferredTransport is {preferred!r}; 0.3 5.6.1 makes it REQUIRED")
    if not isinstance(url, str) or not url:
        raise Failure(f"the card's main url is {url!r}")
    binding = Endpoints(ctx).binding(preferred, url)
    if binding is None:
        raise Skip(f"accord does not speak the preferred transport {preferred!r}")
    answer = probe(ctx, binding)
    if not speaks_a2a(answer):
        raise Failure(f"the main url {url} does not serve the preferred transport {preferred}: GetTask of an unknown "
                      f"id answered {shown(answer)} (TaskNotFoundError expected)")


@check("a2a.interfaces.includes-main", protocol="a2a")
def additional_interfaces_include_main(ctx: A2aContext) -> None:
    card = served_card(ctx)
    extra = card.get("additionalInterfaces")
    if not extra:
        raise NotApplicable("the card gives no additionalInterfaces")
    main = (str(card.get("url") or "").rstrip("/"), str(card.get("preferredTransport") or "JSONRPC"))
    listed = [(str(e.get("url") or "").rstrip("/"), str(e.get("transport"))) for e in items(extra) if isinstance(e, dict)]
    if main not in listed:
        raise Failure(f"additionalInterfaces {listed} has no entry for the main url {main[0]} with the preferred "
                      f"transport {main[1]} (0.3 5.6.4)")


@check("a2a.interfaces.no-conflicts", protocol="a2a")
def interface_declarations_agree(ctx: A2aContext) -> None:
    card = served_card(ctx)
    main_url = str(card.get("url") or "").rstrip("/")
    preferred = str(card.get("preferredTransport") or "JSONRPC")
    endpoints = Endpoints(ctx)
    problems = []
    for index, entry in enumerate(items(card.get("additionalInterfaces"))):
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            continue
        transport = str(entry.get("transport"))
        if entry["url"].rstrip("/") == main_url and transport != preferred:
            binding = endpoints.binding(transport, entry["url"])
            if binding is None or not speaks_a2a(probe(ctx, binding)):
                problems.append(f"additionalInterfaces[{index}] declares {transport} at the main url, where the "
                                f"card's preferredTransport is {preferred} and {transport} is not served")
    fail_all(problems, "interface declarations contradict each other (0.3 5.6.4)")


@check("a2a.interfaces.at-least-one", protocol="a2a")
def some_transport_declared_and_served(ctx: A2aContext) -> None:
    declared = interfaces(ctx.card, ctx.version)
    if not declared:
        raise Failure("the card declares no transport (url/preferredTransport or additionalInterfaces)")
    answer = probe(ctx, ctx.binding)
    if not speaks_a2a(answer):
        raise Failure(f"the declared {ctx.suite.interface.declared if ctx.suite.interface else ''} interface does not "
                      f"serve A2A: GetTask of an unknown id answered {shown(answer)}")


# --- core operations ----------------------------------------------------------------------------------------
def not_implemented(answer: Answer) -> bool:
    """Method not found, a missing route, or UNIMPLEMENTED: the operation is not there."""
    if answer.error is not None and answer.error.code == -32601:
        return True
    status = answer.reply.status
    if status in (405, 501):
        return True
    if status == 404 and (answer.error is None or answer.error.code is None):
        return not isinstance(answer.reply.json, dict)
    raw = answer.error.raw if answer.error is not None else None
    return isinstance(raw, dict) and isinstance(raw.get("error"), dict) and raw["error"].get("status") == "UNIMPLEMENTED" \
        and answer.error is not None and answer.error.code is None


@check("a2a.operations.core-implemented", protocol="a2a")
def core_operations_exist(ctx: A2aContext) -> None:
    core = ["SendMessage", "GetTask", "CancelTask"] + (["ListTasks"] if ctx.version == wire.V10 else [])
    missing = []
    for name, binding in ctx.bindings.items():
        sent = ctx.send(binding=binding)
        task = sent.task()
        task_id = str(task["id"]) if task and task.get("id") else missing_task_id()
        answers = {"SendMessage": sent, "GetTask": ctx.get_task(task_id, binding=binding),
                   "CancelTask": ctx.cancel(task_id, binding=binding)}
        if "ListTasks" in core and binding.supports("ListTasks"):
            answers["ListTasks"] = ctx.call("ListTasks", {"pageSize": 1}, binding=binding)
        for operation in core:
            answer = answers.get(operation)
            if answer is None:
                missing.append(f"{operation} on {name}: the binding has no such method")
            elif not_implemented(answer) or (operation == "SendMessage" and answer.problems):
                missing.append(f"{operation} on {name}: {answer.describe()}")
    fail_all(missing, "core operations are not implemented on every declared binding (3.1 / 0.3 11.1.2)")


# --- capabilities --------------------------------------------------------------------------------------------
def task_or_none(ctx: A2aContext) -> str | None:
    """The id of a task the probe message creates, or None when the agent answers with a Message."""
    task = ctx.send().task()
    return str(task["id"]) if task and task.get("id") else None


def expect_refusal(answer: Answer, code: int, sent: str) -> str | None:
    if answer.error is not None and answer.error.is_(code):
        return None
    return f"{sent} answered {shown(answer)}"


def require_undeclared(ctx: A2aContext, capability: str, where: str = "capabilities.") -> None:
    if declares(ctx.card, capability):
        raise NotApplicable(f"the card declares {where}{capability}; see the declared-* requirements")


@check("a2a.capabilities.streaming-undeclared", protocol="a2a")
def undeclared_streaming_refused(ctx: A2aContext) -> None:
    require_undeclared(ctx, "streaming")
    problems = [expect_refusal(ctx.stream(), -32004, "SendStreamingMessage")]
    task_id = task_or_none(ctx)
    if task_id is not None:
        problems.append(expect_refusal(ctx.subscribe(task_id), -32004, f"SubscribeToTask on task {task_id}"))
    fail_all([p for p in problems if p], "the card does not declare streaming, so streaming operations are refused "
                                         "with UnsupportedOperationError (-32004) (3.3.4)")


@check("a2a.capabilities.push-undeclared", protocol="a2a")
def undeclared_push_refused(ctx: A2aContext) -> None:
    require_undeclared(ctx, "pushNotifications")
    task_id = task_or_none(ctx) or missing_task_id()
    config_id = f"accord-config-{uuid.uuid4().hex[:8]}"
    calls = {
        "CreateTaskPushNotificationConfig": {"taskId": task_id, "url": "http://127.0.0.1:9/accord-push"},
        "GetTaskPushNotificationConfig": {"taskId": task_id, "id": config_id},
        "ListTaskPushNotificationConfigs": {"taskId": task_id},
        "DeleteTaskPushNotificationConfig": {"taskId": task_id, "id": config_id},
    }
    problems = [expect_refusal(ctx.call(op, params), -32003, op) for op, params in calls.items()
                if ctx.binding.supports(op)]
    fail_all([p for p in problems if p], "the card does not declare pushNotifications, so push notification config "
                                         "operations are refused with PushNotificationNotSupportedError (-32003)")


@check("a2a.capabilities.extended-card-undeclared", protocol="a2a")
def undeclared_extended_card_refused(ctx: A2aContext) -> None:
    if ctx.version == wire.V10:
        require_undeclared(ctx, "extendedAgentCard")
    else:
        require_undeclared(ctx, "supportsAuthenticatedExtendedCard", where="")
    answer = ctx.call("GetExtendedAgentCard", {}, headers=without_credentials(ctx))
    if ctx.version == wire.V10:
        problem = expect_refusal(answer, -32004, "GetExtendedAgentCard")
        if problem:
            raise Failure(f"the card does not declare capabilities.extendedAgentCard, yet {problem}; the answer is "
                          "UnsupportedOperationError (-32004) (3.3.4)")
    elif answer.error is None and not answer.problems:
        raise Failure(f"the card does not declare supportsAuthenticatedExtendedCard, yet the extended card call "
                      f"returned {shown(answer)}; it should return an error and no card (0.3 7.10)")


@check("a2a.capabilities.declared-streaming-served", protocol="a2a")
def declared_streaming_works(ctx: A2aContext) -> None:
    answer = ctx.stream()
    if answer.error is not None or not answer.events:
        raise Failure(f"the card declares capabilities.streaming, but SendStreamingMessage answered {answer.describe()}"
                      f" ({answer.reply.content_type or 'no content type'}); a declared capability opens a stream")


@check("a2a.capabilities.declared-push-served", protocol="a2a")
def declared_push_works(ctx: A2aContext) -> None:
    task_id = task_or_none(ctx)
    if task_id is None:
        raise Skip("the probe message was answered with a Message, not a Task: there is no task to configure")
    url = ctx.webhook().url(f"/accord-push-{uuid.uuid4().hex[:8]}")
    answer = ctx.call("CreateTaskPushNotificationConfig", {"taskId": task_id, "url": url})
    if not answer.ok:
        raise Failure(f"the card declares capabilities.pushNotifications, but CreateTaskPushNotificationConfig for "
                      f"task {task_id} answered {answer.describe()}")


@check("a2a.capabilities.extension-required", protocol="a2a")
def required_extension_enforced(ctx: A2aContext) -> None:
    extensions = items((ctx.card.get("capabilities") or {}).get("extensions"))
    required = [e.get("uri") for e in extensions if isinstance(e, dict) and e.get("required") is True]
    if not required:
        raise NotApplicable("the card lists no extension with required true")
    answer = ctx.call("SendMessage", {"message": ctx.message()}, headers={EXTENSIONS_HEADER: ""})
    problem = expect_refusal(answer, -32008, "SendMessage naming no extension")
    if problem:
        raise Failure(f"the card requires extension(s) {required}, yet {problem}; the answer is "
                      "ExtensionSupportRequiredError (-32008) (3.3.4)")


@check("a2a.extensions.unsupported-ignored", protocol="a2a")
def unknown_extension_ignored(ctx: A2aContext) -> None:
    extensions = items((ctx.card.get("capabilities") or {}).get("extensions"))
    required = [str(e.get("uri")) for e in extensions if isinstance(e, dict) and e.get("required") is True]
    named = ",".join(required + [UNKNOWN_EXTENSION])
    answer = ctx.call("SendMessage", {"message": ctx.message()}, headers={EXTENSIONS_HEADER: named})
    if answer.ok:
        return
    plain = ctx.call("SendMessage", {"message": ctx.message()},
                     headers={EXTENSIONS_HEADER: ",".join(required)} if required else None)
    if not plain.ok:
        raise Skip(f"SendMessage fails even without the unknown extension ({plain.describe()})")
    raise Failure(f"SendMessage with {EXTENSIONS_HEADER}: {named} answered {answer.describe()}, while the same "
                  "message without the unsupported extension succeeds; an agent ignores extensions it does not "
                  "support (4.6.3)")
