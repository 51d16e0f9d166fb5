"""Wire shapes (a2a.schema.*): what the agent sends validates against the version's schema, and the
rules a schema cannot say alone (camelCase names, enum names, UTC timestamps, REQUIRED members set, one
content per Part, kind discriminators absent in 1.0 and present in 0.3, the agent's role and ids).

The shape rules are observers: the engine runs them after every other check, so each judges every result,
stream event and push payload of the run (recorded by A2aContext.call, see context.remember), after a few
exchanges of its own. A failure names the answer that broke the rule ("GetTask result", "push delivery 0").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from ....outcomes import Failure, NotApplicable, Skip
from ....registry import check
from .. import wire
from ..bindings import Answer, send_as_is
from ..grpc_binding import UNKNOWN_FIELD_NUMBER, with_unknown_field
from ..card import declares
from ..context import (KIND_DEFINITIONS_V03, RESULT_DEFINITIONS, A2aContext, remembered, set_aside, tainted_tasks,
                       unwrapped_v03)

MAX_LISTED = 5
"""Problems quoted in one failure message."""


@dataclass(frozen=True)
class Payload:
    where: str
    """What carried it: "GetTask result", "SendStreamingMessage event 2", "push delivery 1"."""
    value: Any


@dataclass(frozen=True)
class Node:
    kind: str
    """task, status, message, part, file (0.3), artifact, statusUpdate or artifactUpdate."""
    path: str
    value: dict[str, Any]
    task_id: str | None
    """The id of the task this object belongs to, when it sits inside one (or an update event of one)."""

    @property
    def in_history(self) -> bool:
        return ".history[" in self.path

    @property
    def from_agent(self) -> bool:
        """A message the agent wrote: anything but a task's history, which holds the user's messages too."""
        return self.kind == "message" and not self.in_history


_KINDS_V03 = {"task": "task", "message": "message", "status-update": "statusUpdate", "artifact-update": "artifactUpdate"}
KIND_VALUES_V03 = {"task": "task", "message": "message", "statusUpdate": "status-update",
                   "artifactUpdate": "artifact-update"}
_CHILDREN: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "task": (("status", "status", False), ("history", "message", True), ("artifacts", "artifact", True)),
    "status": (("message", "message", False),),
    "message": (("parts", "part", True),),
    "artifact": (("parts", "part", True),),
    "statusUpdate": (("status", "status", False),),
    "artifactUpdate": (("artifact", "artifact", False),),
    "part": (("file", "file", False),),
    "file": (),
}
"""kind -> (member, the kind of what it holds, whether it is a list)."""


def root_kind(value: Any) -> tuple[str | None, Any, str]:
    """(kind, the object, path suffix) of a result or event: kind-tagged (0.3), wrapped in a one-member
    object ({"task": ...}), or a bare Task or Message."""
    if not isinstance(value, dict):
        return None, value, ""
    if value.get("kind") in _KINDS_V03:
        return _KINDS_V03[value["kind"]], value, ""
    present = [key for key in wire.EVENT_KEYS if key in value]
    if len(present) == 1 and isinstance(value[present[0]], dict):
        return present[0], value[present[0]], "." + present[0]
    if "id" in value and "status" in value:
        return "task", value, ""
    if "messageId" in value and "parts" in value:
        return "message", value, ""
    return None, value, ""


def nodes(value: Any, path: str = "") -> Iterator[Node]:
    """Every A2A object in a result or event, outermost first."""
    kind, inner, suffix = root_kind(value)
    if kind is not None:
        yield from _walk(kind, inner, path + suffix, None)


def _walk(kind: str, value: Any, path: str, task_id: str | None) -> Iterator[Node]:
    if not isinstance(value, dict):
        return
    if kind == "task" and isinstance(value.get("id"), str):
        task_id = value["id"]
    elif kind in ("statusUpdate", "artifactUpdate") and isinstance(value.get("taskId"), str):
        task_id = value["taskId"]
    yield Node(kind, path, value, task_id)
    for member, child, many in _CHILDREN[kind]:
        held = value.get(member)
        if many and isinstance(held, list):
            for index, item in enumerate(held):
                yield from _walk(child, item, f"{path}.{member}[{index}]", task_id)
        elif not many and held is not None:
            yield from _walk(child, held, f"{path}.{member}", task_id)


# --- what the run saw -------------------------------------------------------------------------------------------


def judged_answers(ctx: A2aContext) -> list[Answer]:
    """The run's recorded answers, less what echoes accord's deliberately invalid requests: answers about a
    task such a request made, and such tasks in a ListTasks result (see context.set_aside)."""
    tainted = tainted_tasks(ctx.suite)
    judged = []
    for answer in list(remembered(ctx.suite)):
        if not tainted:
            judged.append(answer)
            continue
        result = answer.result
        tasks = result.get("tasks") if answer.operation == "ListTasks" and isinstance(result, dict) else None
        if isinstance(tasks, list):
            kept = [t for t in tasks if not (isinstance(t, dict) and t.get("id") in tainted)]
            judged.append(answer if len(kept) == len(tasks) else replace(answer, result={**result, "tasks": kept}))
            continue
        task = answer.task()
        if isinstance(task, dict) and task.get("id") in tainted:
            continue
        judged.append(answer)
    return judged


def answer_payloads(answer: Answer) -> list[Payload]:
    found: list[Payload] = []
    if answer.result is not None:
        tasks = answer.result.get("tasks") if answer.operation == "ListTasks" and isinstance(answer.result, dict) else None
        if isinstance(tasks, list):
            found += [Payload(f"ListTasks result tasks[{i}]", t) for i, t in enumerate(tasks)]
        else:
            found.append(Payload(f"{answer.operation} result", answer.result))
    found += [Payload(f"{answer.operation} event {i}", e) for i, e in enumerate(answer.events)]
    return found


def deliveries(ctx: A2aContext) -> list[Payload]:
    """The JSON bodies of the push notifications the run's webhook received (none if it never made one)."""
    receiver = getattr(ctx.suite, "_webhook", None)  # ctx.webhook() would start a receiver just to look
    if receiver is None:
        return []
    return [Payload(f"push delivery {i} to {d.path}", d.json) for i, d in enumerate(list(receiver.deliveries))
            if d.json is not None]


def probe(ctx: A2aContext) -> None:
    """A few ordinary exchanges of this check's own, so there is always something to judge: the probe
    message, the task it made (if any) read back, and the probe streamed when the card declares streaming."""
    answer = ctx.send()
    task = answer.task()
    if task is not None and isinstance(task.get("id"), str):
        ctx.get_task(task["id"])
    if declares(ctx.card, "streaming"):
        ctx.stream()


def seen(ctx: A2aContext) -> list[Payload]:
    """Every result, stream event and push payload of the run so far (this check's probes included)."""
    found: list[Payload] = []
    for answer in judged_answers(ctx):
        found += answer_payloads(answer)
    return found + deliveries(ctx)


def seen_nodes(ctx: A2aContext) -> list[tuple[Payload, Node]]:
    return [(payload, node) for payload in seen(ctx) for node in nodes(payload.value)]


def short(value: Any, width: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def problems_or_pass(problems: list[str], rule: str) -> None:
    """Fail with the first few ``problems`` (and how many there were), citing ``rule``."""
    problems = list(dict.fromkeys(problems))  # the same answer may be seen by several probes of the run
    if problems:
        more = f" (and {len(problems) - MAX_LISTED} more)" if len(problems) > MAX_LISTED else ""
        raise Failure("; ".join(problems[:MAX_LISTED]) + more + f". {rule}")


def judged_nodes(ctx: A2aContext, kinds: tuple[str, ...], nothing: str) -> list[tuple[Payload, Node]]:
    """This check's probes, then every node of ``kinds`` the run saw; NotApplicable(``nothing``) if none."""
    probe(ctx)
    found = [(payload, node) for payload, node in seen_nodes(ctx) if node.kind in kinds]
    if not found:
        raise NotApplicable(f"{nothing} in {len(seen(ctx))} results, events and push payloads of the run")
    return found


def at(payload: Payload, node: Node) -> str:
    return f"{payload.where} at {node.path or '(top)'}"


# --- a2a.schema.wire-valid --------------------------------------------------------------------------------------

_JUDGED_V03 = frozenset({"SendMessage", "SendStreamingMessage", "SubscribeToTask"}) | frozenset(
    RESULT_DEFINITIONS[wire.V03])


def answer_problems(ctx: A2aContext, answer: Answer) -> list[str]:
    """What in ``answer`` (result, events, error body) does not validate against this version's schema."""
    problems: list[str] = []
    if ctx.version == wire.V10 or answer.operation in _JUDGED_V03:
        problems += ctx.result_errors(answer)
    elif answer.operation == "ListTaskPushNotificationConfigs" and isinstance(answer.result, list):
        for index, item in enumerate(answer.result):
            problems += [f"[{index}] {p}" for p in ctx.errors("TaskPushNotificationConfig", item)]
    if answer.error is not None:
        body = answer.reply.json
        if (isinstance(body, dict) and "jsonrpc" in body) or answer.reply.content_type == "text/event-stream":
            problems += [f"error: {p}" for p in ctx.errors("JSONRPCError", answer.error.raw)]
        elif ctx.version == wire.V10 and body is not None:
            problems += [f"error body: {p}" for p in ctx.errors("HTTPErrorResponse", body)]
    return [f"{answer.operation} ({answer.reply.describe()[:80]}): {p}" for p in problems]


def delivery_problems(ctx: A2aContext, payload: Payload) -> list[str]:
    value = payload.value
    if ctx.version == wire.V10:
        found = ctx.errors("StreamResponse", value)
    else:
        value = unwrapped_v03(value)
        kind = value.get("kind") if isinstance(value, dict) else None
        found = ctx.errors(KIND_DEFINITIONS_V03.get(str(kind), "Task"), value)
    return [f"{payload.where}: {p}" for p in found]


@check("a2a.schema.wire-valid", protocol="a2a", kind="observer")
def everything_sent_validates(ctx: A2aContext) -> None:
    probe(ctx)
    answers = judged_answers(ctx)
    problems = [p for answer in answers for p in answer_problems(ctx, answer)]
    problems += [p for payload in deliveries(ctx) for p in delivery_problems(ctx, payload)]
    schema = "1.0 schema (spec section 4)" if ctx.version == wire.V10 else "0.3.0 schema (spec section 6)"
    problems_or_pass(problems, f"Judged {len(answers)} answers of the run; every response, event and push "
                               f"payload must validate against the {schema}")


# --- names and values (1.0) --------------------------------------------------------------------------------------

FREE_FORM = frozenset({"metadata", "data", "params", "history"})
"""Members holding arbitrary JSON (Struct / Value), or the client's own messages echoed back (a task's
history, where a client's unknown members may survive): their names are not the agent's."""
NAMED_MAPS = frozenset({"securitySchemes", "schemes", "scopes"})
"""Maps keyed by names the agent chose (scheme names, scopes): the keys are free, the values are not."""
SNAKE = re.compile(r"[a-z0-9]_[a-zA-Z0-9]")


def snake_members(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from snake_members(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or key.startswith("@"):
                continue
            if SNAKE.search(key):
                yield f"{path}.{key}"
            if key in NAMED_MAPS and isinstance(item, dict):
                for name, inner in item.items():
                    yield from snake_members(inner, f"{path}.{key}[{name!r}]")
            elif key not in FREE_FORM:
                yield from snake_members(item, f"{path}.{key}")


@check("a2a.schema.camel-case", protocol="a2a", kind="observer")
def member_names_are_camel_case(ctx: A2aContext) -> None:
    text_rule_on_grpc(ctx)
    probe(ctx)
    sources = [Payload("the agent card", ctx.card), *seen(ctx)]
    problems = [f"{payload.where}: member {path.lstrip('.')!r}" for payload in sources
                for path in snake_members(payload.value, "")]
    problems_or_pass(problems, "Spec 5.5: JSON member names MUST be camelCase (contextId, not context_id)")


@check("a2a.schema.enum-names", protocol="a2a", kind="observer")
def enums_are_proto_names(ctx: A2aContext) -> None:
    text_rule_on_grpc(ctx)
    enums = {("status", "state"): "TaskState", ("message", "role"): "Role"}
    found = judged_nodes(ctx, ("status", "message"), "no task status or message was seen")
    problems = []
    for payload, node in found:
        for (kind, member), definition in enums.items():
            names = ctx.schema.definitions[definition]["enum"]
            if node.kind == kind and member in node.value and node.value[member] not in names:
                problems.append(f"{at(payload, node)}.{member} is {node.value[member]!r}, not one of {', '.join(names)}")
    problems_or_pass(problems, "Spec 5.5: enum values MUST be their ProtoJSON names (TASK_STATE_COMPLETED, ROLE_AGENT)")


# --- timestamps (1.0) --------------------------------------------------------------------------------------------

UTC_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(\d{1,9}))?Z$")


def timestamps(ctx: A2aContext) -> list[tuple[str, Any]]:
    found = judged_nodes(ctx, ("status",), "no task status was seen")
    stamps = [(f"{at(payload, node)}.timestamp", node.value["timestamp"]) for payload, node in found
              if node.value.get("timestamp") is not None]
    if not stamps:
        raise NotApplicable(f"none of the {len(found)} task statuses seen carried a timestamp")
    return stamps


def utc_problem(stamp: Any) -> str | None:
    if not isinstance(stamp, str) or not UTC_STAMP.match(stamp):
        return "is not an ISO 8601 UTC date-time ending in Z"
    try:
        datetime.fromisoformat(stamp[:19])
    except ValueError:
        return "is not a real date and time"
    return None


def text_rule_on_grpc(ctx: A2aContext) -> None:
    """NotApplicable on gRPC for a rule of the JSON text (spellings, timestamp strings): there the agent sends
    binary protobuf, and the JSON judged is accord's own rendering of it, which cannot break such a rule."""
    if ctx.binding.name == "grpc":
        raise NotApplicable("a rule of the JSON text; over gRPC the agent sends binary protobuf (an enum as a "
                            "number, a Timestamp as seconds and nanos) and the JSON judged is accord's rendering")


@check("a2a.schema.timestamps-utc", protocol="a2a", kind="observer")
def timestamps_are_utc(ctx: A2aContext) -> None:
    text_rule_on_grpc(ctx)
    problems = [f"{where} {stamp!r} {problem}" for where, stamp in timestamps(ctx)
                if (problem := utc_problem(stamp)) is not None]
    problems_or_pass(problems, "Spec 5.6.1: timestamps MUST be ISO 8601 strings in UTC with a Z suffix, no other offset")


@check("a2a.schema.timestamps-millis", protocol="a2a", kind="observer")
def timestamps_carry_milliseconds(ctx: A2aContext) -> None:
    text_rule_on_grpc(ctx)
    problems = []
    for where, stamp in timestamps(ctx):
        match = UTC_STAMP.match(stamp) if isinstance(stamp, str) else None
        if match is None:
            continue  # not a UTC timestamp at all: a2a.schema.timestamps-utc's concern
        if match.group(1) is None or len(match.group(1)) < 3:
            problems.append(f"{where} {stamp!r} has {len(match.group(1) or '')} fractional digits")
    problems_or_pass(problems, "Spec 5.6.1: timestamps SHOULD carry millisecond precision (YYYY-MM-DDTHH:mm:ss.sssZ)")


# --- presence (1.0) ----------------------------------------------------------------------------------------------

NODE_DEFINITIONS = {"task": "Task", "status": "TaskStatus", "message": "Message", "artifact": "Artifact",
                    "statusUpdate": "TaskStatusUpdateEvent", "artifactUpdate": "TaskArtifactUpdateEvent"}


def unset(value: Any) -> bool:
    """Whether a REQUIRED member is absent in all but name: null, "", [], {} or an *_UNSPECIFIED enum."""
    return value is None or value in ("", [], {}) or (isinstance(value, str) and value.endswith("_UNSPECIFIED"))


@check("a2a.schema.required-fields", protocol="a2a", kind="observer")
def required_members_are_set(ctx: A2aContext) -> None:
    found = judged_nodes(ctx, tuple(NODE_DEFINITIONS), "no task, message, artifact or update was seen")
    problems = []
    for payload, node in found:
        for member in ctx.schema.definitions[NODE_DEFINITIONS[node.kind]].get("required", []):
            if member not in node.value:
                problems.append(f"{at(payload, node)}: REQUIRED {member!r} is missing")
            elif unset(node.value[member]):
                problems.append(f"{at(payload, node)}: REQUIRED {member!r} is {node.value[member]!r}")
    problems_or_pass(problems, "Spec 5.7: REQUIRED fields MUST be present and set; REQUIRED lists hold at least one element")


# --- requests the agent must refuse or tolerate (1.0) ------------------------------------------------------------


def is_validation_error(answer: Answer) -> bool:
    error = answer.error
    if error is None:
        return False
    if error.code in (-32602, -32600):
        return True
    return error.status == 400 and error.reason not in wire.CODE_BY_REASON  # not one of the specific A2A errors


@check("a2a.schema.missing-required-rejected", protocol="a2a")
def requests_missing_required_fields_are_refused(ctx: A2aContext) -> None:
    message = ctx.message()
    cases: list[tuple[str, str, dict[str, Any]]] = [
        (f"SendMessage without message.{member}", "SendMessage",
         {"message": {k: v for k, v in message.items() if k != member}})
        for member in ("messageId", "role", "parts")
    ]
    if ctx.binding.name == "jsonrpc":
        cases.append(("GetTask without id", "GetTask", {"historyLength": 1}))
    problems = []
    for what, operation, params in cases:
        answer = set_aside(ctx.suite, send_as_is(ctx.binding, operation, params))
        if not is_validation_error(answer):
            got = answer.describe() if answer.error or answer.problems else f"a success: {short(answer.result)}"
            problems.append(f"{what} ({short(params, 200)}) got {got}")
    problems_or_pass(problems, "Spec 5.7: a request lacking a REQUIRED field SHOULD be refused with a validation "
                               "error (JSON-RPC -32602 InvalidParams, HTTP 400)")


UNKNOWN = "accordUnknownMember"


@check("a2a.schema.unknown-fields-ignored", protocol="a2a")
def unknown_members_are_ignored(ctx: A2aContext) -> None:
    plain = ctx.send()
    if not plain.ok:
        raise Skip(f"the plain probe message already failed ({plain.describe()}); nothing to compare with")
    message = ctx.message()
    if ctx.binding.name == "grpc":  # protobuf's unknown member: a field number the proto does not define
        request = ctx.binding.request("SendMessage", {"message": message})  # type: ignore[attr-defined]
        params: Any = f"{short({'message': message}, 160)} plus the unknown field {UNKNOWN_FIELD_NUMBER}"
        extra = ctx.binding.send("SendMessage", request, raw=with_unknown_field(request))  # type: ignore[attr-defined]
    else:
        message[UNKNOWN] = {"note": "ignore me"}
        message["parts"] = [{**message["parts"][0], UNKNOWN: 1}]
        params = {"message": message, UNKNOWN: True}
        extra = ctx.call("SendMessage", params)
    if not extra.ok:
        raise Failure(f"SendMessage with unknown members ({short(params, 240)}) got {extra.describe()}, while the "
                      "same message without them succeeded. Spec 5.7: unrecognised fields SHOULD be ignored")
    kinds = (plain.canonical()[0], extra.canonical()[0])
    if kinds[0] != kinds[1]:
        raise Failure(f"the probe message was answered with a {kinds[0]}, the same with unknown members with a "
                      f"{kinds[1]}. Spec 5.7: unrecognised fields SHOULD be ignored")


# --- parts and discriminators ------------------------------------------------------------------------------------

CONTENTS_V10 = ("text", "raw", "url", "data")
CONTENT_OF_KIND_V03 = {"text": "text", "file": "file", "data": "data"}


def part_problem(version: str, part: dict[str, Any]) -> str | None:
    if version == wire.V10:
        held = [name for name in CONTENTS_V10 if name in part and (part[name] is not None or name == "data")]
        return None if len(held) == 1 else f"holds {len(held)} of text, raw, url and data ({', '.join(held) or 'none'})"
    kind = part.get("kind")
    if kind not in CONTENT_OF_KIND_V03:
        return f"has kind {kind!r}, not text, file or data"
    held = [name for name in CONTENT_OF_KIND_V03.values() if name in part]
    if held != [CONTENT_OF_KIND_V03[kind]]:
        return f"is a {kind} part holding {', '.join(held) or 'no content'}"
    if kind == "file":
        file = part["file"]
        sources = [name for name in ("bytes", "uri") if isinstance(file, dict) and name in file]
        if len(sources) != 1:
            return f"has a file holding {len(sources)} of bytes and uri ({', '.join(sources) or 'none'})"
    return None


@check("a2a.schema.part-oneof", protocol="a2a", kind="observer")
def parts_hold_one_content(ctx: A2aContext) -> None:
    found = judged_nodes(ctx, ("part",), "no part was seen")
    problems = [f"{at(payload, node)} {problem}" for payload, node in found
                if (problem := part_problem(ctx.version, node.value)) is not None]
    rule = ("Spec 4.1.6: a Part holds exactly one of text, raw, url and data" if ctx.version == wire.V10 else
            "Spec 6.5: a Part is exactly one of TextPart, FilePart and DataPart, a file exactly one of bytes and uri")
    problems_or_pass(problems, rule)


@check("a2a.schema.no-kind", protocol="a2a", kind="observer")
def no_kind_discriminators(ctx: A2aContext) -> None:
    text_rule_on_grpc(ctx)
    found = judged_nodes(ctx, tuple(_CHILDREN), "no A2A object was seen")
    problems = [f"{at(payload, node)} carries kind {node.value['kind']!r}" for payload, node in found
                if "kind" in node.value and node.kind != "file"]
    problems_or_pass(problems, "Spec A.2.1: 1.0 removed the kind discriminator; parts, tasks, messages and events "
                               "SHOULD not carry it")


@check("a2a.schema.kind-present", protocol="a2a", kind="observer")
def kind_discriminators_present(ctx: A2aContext) -> None:
    found = judged_nodes(ctx, ("task", "message", "part", "statusUpdate", "artifactUpdate"), "no A2A object was seen")
    problems = []
    for payload, node in found:
        kind = node.value.get("kind")
        if node.kind == "part":
            if kind not in CONTENT_OF_KIND_V03:
                problems.append(f"{at(payload, node)} (a part) has kind {kind!r}, not text, file or data")
        elif kind != KIND_VALUES_V03[node.kind]:
            problems.append(f"{at(payload, node)} (a {KIND_VALUES_V03[node.kind]}) has kind {kind!r}")
    problems_or_pass(problems, "Spec 6.5: 0.3 objects MUST carry their kind (task, message, status-update, "
                               "artifact-update, and text, file or data on parts)")


# --- what the agent's own objects say ------------------------------------------------------------------------------


@check("a2a.schema.artifact-id-unique", protocol="a2a", kind="observer")
def artifact_ids_unique_in_a_task(ctx: A2aContext) -> None:
    tasks = [(payload, node) for payload, node in judged_nodes(ctx, ("task",), "no task was seen")
             if isinstance(node.value.get("artifacts"), list) and len(node.value["artifacts"]) >= 2]
    if not tasks:
        raise NotApplicable("no task seen in this run held two or more artifacts; uniqueness cannot be judged")
    problems = []
    for payload, node in tasks:
        ids = [a.get("artifactId") for a in node.value["artifacts"] if isinstance(a, dict)]
        repeated = sorted({str(i) for i in ids if ids.count(i) > 1})
        if repeated:
            problems.append(f"{at(payload, node)}: artifactId {', '.join(repeated)} appears more than once")
    problems_or_pass(problems, "Spec 4.1.7: artifact ids SHOULD be unique within a task")


@check("a2a.schema.agent-role", protocol="a2a", kind="observer")
def agent_messages_have_agent_role(ctx: A2aContext) -> None:
    agent = "ROLE_AGENT" if ctx.version == wire.V10 else "agent"
    found = [(p, n) for p, n in judged_nodes(ctx, ("message",), "no message was seen") if n.from_agent]
    if not found:
        raise NotApplicable("no message written by the agent (a direct reply or a status message) was seen")
    problems = [f"{at(payload, node)} has role {node.value.get('role')!r}" for payload, node in found
                if node.value.get("role") != agent]
    problems_or_pass(problems, f"Messages the agent sends SHOULD have role {agent} "
                               f"(spec {'4.1.5' if ctx.version == wire.V10 else '6.4'})")


@check("a2a.schema.agent-message-context", protocol="a2a", kind="observer")
def agent_messages_carry_ids(ctx: A2aContext) -> None:
    found = [(p, n) for p, n in judged_nodes(ctx, ("message",), "no message was seen") if n.from_agent]
    if not found:
        raise NotApplicable("no message written by the agent (a direct reply or a status message) was seen")
    problems = []
    for payload, node in found:
        if not node.value.get("contextId"):
            problems.append(f"{at(payload, node)} has no contextId")
        if node.task_id is not None and node.value.get("taskId") != node.task_id:
            problems.append(f"{at(payload, node)} belongs to task {node.task_id!r} but has taskId "
                            f"{node.value.get('taskId')!r}")
    problems_or_pass(problems, "Spec 4.1.4: messages from the agent SHOULD carry a contextId, and the taskId "
                               "when a task exists")
