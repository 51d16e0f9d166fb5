"""Sending messages (1.0 sections 3.1.1, 3.2.2, 3.4.2; 0.3 section 7.1), and the inputs the other task checks use.

A check never assumes what an agent does with a text. The inputs it sends are the probe text and the
examples the card's skills list (bounded); what a blocking send of each input settled in is learnt once
per run (``Learnt``), so a check that needs a task in some state (terminal, INPUT_REQUIRED, still working)
finds the input that leads there, and says NotApplicable, with what it saw, when none does.
"""

from __future__ import annotations

import base64
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ....outcomes import Failure, NotApplicable
from ....registry import check
from .. import wire
from ..bindings import Answer
from ..context import PROBE_TEXT, A2aContext, new_id, unwrapped_v03

if TYPE_CHECKING:
    from .. import A2aSuite

MAX_INPUTS = 6
"""Inputs tried: the probe text and at most this many minus one skill examples."""
BLOCKING = {"returnImmediately": False}
IMMEDIATE = {"returnImmediately": True}
SETTLED = wire.TERMINAL | wire.INTERRUPTED
VALID_STATES = {
    wire.V10: frozenset(wire.STATE_V03) - {"TASK_STATE_UNSPECIFIED"},
    wire.V03: frozenset(wire.STATE_V03.values()),
}
"""States an agent may report, as sent, per version (0.3 lists ``unknown`` among its states)."""
UNSUPPORTED_MEDIA_TYPE = "application/x-accord-unsupported-probe"


# --- inputs and what they lead to --------------------------------------------------------------------


@dataclass
class Learnt:
    """Per run: what a blocking send of each input ended in (a state, "message" or "error")."""

    settled: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        return "; ".join(f"{text[:40]!r} -> {outcome}" for text, outcome in self.settled.items()) or "nothing sent"


_LEARNT: "weakref.WeakKeyDictionary[A2aSuite, Learnt]" = weakref.WeakKeyDictionary()


def learnt(ctx: A2aContext) -> Learnt:
    return _LEARNT.setdefault(ctx.suite, Learnt())


def inputs(ctx: A2aContext) -> list[str]:
    """The probe text, then the examples of the card's skills, without repeats."""
    texts = [PROBE_TEXT]
    card = ctx.suite.card if isinstance(ctx.suite.card, dict) else {}
    for skill in card.get("skills") or []:
        examples = skill.get("examples") if isinstance(skill, dict) else None
        for example in examples if isinstance(examples, list) else []:
            if isinstance(example, str) and example.strip() and example not in texts:
                texts.append(example)
    return texts[:MAX_INPUTS]


def outcome_of(answer: Answer) -> str:
    if not answer.ok:
        return "error"
    task = answer.task()
    if task is not None:
        return wire.state_of(task) or "a task without a state"
    return "message" if answer.canonical()[0] == "message" else "no task or message"


def settled_task(ctx: A2aContext, wanted: frozenset[str]) -> tuple[dict[str, Any], str] | None:
    """A task a blocking send left in one of the ``wanted`` states, and the input that led there."""
    memo = learnt(ctx)
    texts = inputs(ctx)
    ordered = sorted(texts, key=lambda t: 0 if memo.settled.get(t) in wanted else 1 if t not in memo.settled else 2)
    for text in ordered:
        if text in memo.settled and memo.settled[text] not in wanted:
            continue
        answer = ctx.send(text, configuration=BLOCKING)
        memo.settled[text] = outcome_of(answer)
        task = answer.task() if answer.ok else None
        if task is not None and wire.state_of(task) in wanted:
            return task, text
    return None


def require_settled(ctx: A2aContext, wanted: frozenset[str], what: str) -> tuple[dict[str, Any], str]:
    found = settled_task(ctx, wanted)
    if found is None:
        raise NotApplicable(f"no input led to {what} (blocking sends: {learnt(ctx).summary()})")
    return found


def terminal_task(ctx: A2aContext) -> tuple[dict[str, Any], str]:
    return require_settled(ctx, wire.TERMINAL, "a task in a terminal state")


def running_tasks(ctx: A2aContext) -> Iterator[tuple[dict[str, Any], str]]:
    """Tasks a returnImmediately (0.3: blocking false) send answered in a non-terminal state, one input at a time."""
    memo = learnt(ctx)
    for text in inputs(ctx):
        if memo.settled.get(text) in ("message", "error"):
            continue
        answer = ctx.send(text, configuration=IMMEDIATE)
        task = answer.task() if answer.ok else None
        if task is not None and wire.state_of(task) not in wire.TERMINAL:
            yield task, text


def open_tasks(ctx: A2aContext) -> Iterator[tuple[dict[str, Any], str]]:
    """Tasks that take follow-up messages: an interrupted one first (it stays put), then running ones."""
    found = settled_task(ctx, wire.INTERRUPTED)
    if found is not None:
        yield found
    yield from running_tasks(ctx)


def new_task(ctx: A2aContext, what: str, text: str = PROBE_TEXT, **kwargs: Any) -> tuple[dict[str, Any], Answer]:
    """A task created by a blocking send (Skip when the agent answers with a Message)."""
    answer = ctx.send(text, configuration={**BLOCKING, **kwargs.pop("configuration", {})}, **kwargs)
    return ctx.created_task(answer, what), answer


def fetched(ctx: A2aContext, task_id: str, what: str, history_length: int | None = None) -> dict[str, Any]:
    answer = ctx.get_task(task_id, history_length)
    task = answer.task() if answer.ok else None
    if task is None:
        raise Failure(f"GetTask of task {task_id!r} ({what}) gave {answer.describe()}; 3.1.3 returns the Task")
    return task


def raw_states(value: Any, limit: int = 500) -> list[Any]:
    """Every ``status.state`` in a result or event, as sent."""
    found: list[Any] = []
    stack = [value]
    while stack and len(stack) < limit:
        item = stack.pop()
        if isinstance(item, dict):
            status = item.get("status")
            if isinstance(status, dict) and "state" in status:
                found.append(status["state"])
            stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend(item)
    return found


def invalid_states(ctx: A2aContext, answer: Answer) -> list[Any]:
    valid = VALID_STATES[ctx.version]
    return [s for s in raw_states([answer.result, answer.events]) if s not in valid]


def short(value: Any, limit: int = 240) -> str:
    return str(value)[:limit]


# --- checks ------------------------------------------------------------------------------------------


@check("a2a.send.returns-task-or-message", protocol="a2a")
def returns_task_or_message(ctx: A2aContext) -> None:
    answer = ctx.send()
    ctx.require_ok(answer, "SendMessage with the probe text")
    if ctx.version == wire.V10:
        members = [k for k in ("task", "message") if isinstance(answer.result, dict) and k in answer.result]
        if len(members) != 1:
            raise Failure(f"SendMessage answered {short(answer.result)}: a SendMessageResponse holds exactly one of "
                          f"task and message (3.1.1), this holds {members or 'neither'}")
    else:
        kind = unwrapped_v03(answer.result).get("kind") if isinstance(answer.result, dict) else None
        if kind not in ("task", "message"):
            raise Failure(f"message/send answered {short(answer.result)}: the result is a Task (kind task) or a "
                          "Message (kind message) (0.3 section 7.1)")
    problems = ctx.result_errors(answer)
    if problems:
        raise Failure(f"SendMessage answered {short(answer.result)}, which the schema refuses: {'; '.join(problems[:4])}")


@check("a2a.send.blocking-waits", protocol="a2a")
def blocking_waits(ctx: A2aContext) -> None:
    memo = learnt(ctx)
    judged = []
    for text in inputs(ctx):
        # 1.0: blocking is the default, so nothing is set; 0.3 asks for it with blocking true
        answer = ctx.send(text, configuration=None if ctx.version == wire.V10 else BLOCKING)
        memo.settled.setdefault(text, outcome_of(answer))
        task = answer.task() if answer.ok else None
        if task is None:
            continue
        state = wire.state_of(task)
        judged.append(text)
        if state not in SETTLED:
            how = "without returnImmediately" if ctx.version == wire.V10 else "with configuration.blocking true"
            raise Failure(f"SendMessage of {text!r} {how} returned task {task.get('id')!r} in state {state}; a blocking "
                          "send waits for a terminal or interrupted state (COMPLETED, FAILED, CANCELED, REJECTED, "
                          "INPUT_REQUIRED, AUTH_REQUIRED) before answering (3.2.2)")
    if not judged:
        raise NotApplicable(f"no input was answered with a Task ({memo.summary()})")


@check("a2a.send.blocking-complete", protocol="a2a")
def blocking_complete(ctx: A2aContext) -> None:
    task, text = require_settled(ctx, SETTLED, "a task from a blocking send")
    state = wire.state_of(task)
    now = fetched(ctx, str(task.get("id")), "right after the blocking send")
    if state in wire.TERMINAL and wire.state_of(now) != state:
        raise Failure(f"a blocking SendMessage of {text!r} returned task {task.get('id')!r} in {state}, yet GetTask right "
                      f"after shows {wire.state_of(now)}; the response carries the latest state (3.2.2)")
    if state not in wire.TERMINAL:
        return
    sent = {a.get("artifactId") for a in task.get("artifacts") or [] if isinstance(a, dict)}
    missing = [a.get("artifactId") for a in now.get("artifacts") or [] if isinstance(a, dict)
               and a.get("artifactId") not in sent]
    if missing:
        raise Failure(f"a blocking SendMessage of {text!r} returned task {task.get('id')!r} ({state}) without artifacts "
                      f"{missing[:3]} that GetTask right after shows; the response includes all artifacts (3.2.2)")


@check("a2a.send.return-immediately", protocol="a2a")
def return_immediately(ctx: A2aContext) -> None:
    judged = False
    for text in inputs(ctx):
        started = time.monotonic()
        answer = ctx.send(text, configuration=IMMEDIATE)
        took = time.monotonic() - started
        if not answer.ok:
            raise Failure(f"SendMessage of {text!r} with returnImmediately true gave {answer.describe()}")
        task = answer.task()
        if task is None:
            continue  # returnImmediately has no effect on a direct Message (3.2.2)
        judged = True
        started = time.monotonic()
        now = ctx.get_task(str(task.get("id")))
        round_trip = time.monotonic() - started
        if not now.ok or now.task() is None or now.task().get("id") != task.get("id"):
            raise Failure(f"SendMessage with returnImmediately true returned task {task.get('id')!r}, but GetTask of it "
                          f"gave {now.describe()}; the task can be read once it exists (3.2.2)")
        if wire.state_of(task) in SETTLED and took > 1.0 + 5 * round_trip:
            raise Failure(f"SendMessage of {text!r} with returnImmediately true took {took:.2f} s (GetTask takes "
                          f"{round_trip:.2f} s) and returned the task {wire.state_of(task)}: it waited for processing "
                          "instead of returning once the task existed (3.2.2)")
    if not judged:
        raise NotApplicable("every input was answered with a Message, where returnImmediately has no effect")


@check("a2a.send.terminal-task-rejected", protocol="a2a")
def terminal_task_rejected(ctx: A2aContext) -> None:
    task, text = terminal_task(ctx)
    task_id, state = str(task.get("id")), wire.state_of(task)
    answer = ctx.send(task_id=task_id, context_id=task.get("contextId"), configuration=IMMEDIATE)
    what = f"a message to task {task_id!r} (in {state} after {text!r})"
    if ctx.version == wire.V10:
        ctx.require_error(answer, -32004, f"{what}; 3.1.1 refuses it with UnsupportedOperationError")
    elif answer.error is None:
        raise Failure(f"{what} was accepted ({short(answer.result)}); a task in a terminal state cannot be restarted "
                      "(0.3 section 6.1)")
    after = wire.state_of(fetched(ctx, task_id, "after the refused message"))
    if after != state:
        raise Failure(f"{what} was refused, yet GetTask then shows {after}: the task was restarted")


@check("a2a.send.unknown-task", protocol="a2a")
def unknown_task(ctx: A2aContext) -> None:
    operations = ["SendMessage"]
    if ctx.version == wire.V10 and declares_streaming(ctx):
        operations.append("SendStreamingMessage")
    for operation in operations:
        task_id = new_id()
        params = {"message": ctx.message(task_id=task_id)}
        if operation == "SendMessage":
            params["configuration"] = IMMEDIATE
        answer = ctx.call(operation, params)
        ctx.require_error(answer, -32001, f"{operation} of a message with taskId {task_id!r}, which names no task "
                                          "(3.4.2: TaskNotFoundError)")
        after = ctx.get_task(task_id)
        if after.error is None:
            raise Failure(f"{operation} with the unknown taskId {task_id!r} was refused, yet GetTask of that id now "
                          f"returns {short(after.result)}: a task was created under a client-chosen id (3.4.2)")


def declares_streaming(ctx: A2aContext) -> bool:
    capabilities = (ctx.suite.card or {}).get("capabilities")
    return isinstance(capabilities, dict) and capabilities.get("streaming") is True


def file_message(ctx: A2aContext, media_type: str) -> dict[str, Any]:
    message = ctx.message()
    message["parts"].append({"raw": base64.b64encode(b"accord probe bytes").decode(), "mediaType": media_type,
                             "filename": "probe.bin"})
    return message


def accepted_media_type(ctx: A2aContext) -> str:
    modes = (ctx.suite.card or {}).get("defaultInputModes")
    for mode in modes if isinstance(modes, list) else []:
        if isinstance(mode, str) and "/" in mode and "*" not in mode:
            return mode
    return "text/plain"


@check("a2a.send.content-type-unsupported", protocol="a2a")
def content_type_unsupported(ctx: A2aContext) -> None:
    declared = accepted_media_type(ctx)
    baseline = ctx.call("SendMessage", {"message": file_message(ctx, declared), "configuration": IMMEDIATE})
    if not baseline.ok:
        raise NotApplicable(f"a message with a {declared} file part (a media type the card accepts) was refused "
                            f"({baseline.describe()}), so a refusal for the media type alone cannot be told apart")
    answer = ctx.call("SendMessage", {"message": file_message(ctx, UNSUPPORTED_MEDIA_TYPE), "configuration": IMMEDIATE})
    if answer.error is None:
        raise NotApplicable(f"the agent accepted a file part of media type {UNSUPPORTED_MEDIA_TYPE}; it refused no "
                            "message for its media type")
    if not answer.error.is_(-32005):
        raise Failure(f"the same message was accepted with a {declared} file part and refused with a "
                      f"{UNSUPPORTED_MEDIA_TYPE} one, as {answer.error.describe()}; a refusal for a part's media type "
                      "is ContentTypeNotSupportedError (-32005)")


def media_type_of(part: Any) -> str | None:
    if not isinstance(part, dict):
        return None
    if isinstance(part.get("mediaType"), str) and part["mediaType"]:  # proto3: an empty string is unset
        return part["mediaType"]
    if "text" in part:
        return "text/plain"
    if "data" in part:
        return "application/json"
    return None


def agent_parts(kind: str | None, payload: Any) -> list[Any]:
    """The parts an agent produced in a SendMessage answer (1.0 form): artifacts and agent messages."""
    if not isinstance(payload, dict):
        return []
    if kind == "message":
        return list(payload.get("parts") or [])
    parts: list[Any] = []
    for artifact in payload.get("artifacts") or []:
        if isinstance(artifact, dict):
            parts += artifact.get("parts") or []
    messages = list(payload.get("history") or [])
    status = payload.get("status")
    if isinstance(status, dict) and isinstance(status.get("message"), dict):
        messages.append(status["message"])
    for message in messages:
        if isinstance(message, dict) and message.get("role") == "ROLE_AGENT":
            parts += message.get("parts") or []
    return parts


def mode_accepts(modes: list[str], media_type: str) -> bool:
    base = media_type.split(";")[0].strip().lower()
    return any(m == base or (m.endswith("/*") and base.startswith(m[:-1])) or m == "*/*" for m in modes)


@check("a2a.send.accepted-output-modes", protocol="a2a")
def accepted_output_modes(ctx: A2aContext) -> None:
    modes = ["text/plain"]
    answer = ctx.send(configuration={**BLOCKING, "acceptedOutputModes": modes})
    if answer.error is not None and answer.error.is_(-32005):
        raise NotApplicable(f"the agent refused acceptedOutputModes {modes} with ContentTypeNotSupportedError: it "
                            "cannot answer in those media types")
    ctx.require_ok(answer, f"SendMessage with acceptedOutputModes {modes}")
    kind, payload = answer.canonical()
    parts = agent_parts(kind, payload)
    typed = [(p, media_type_of(p)) for p in parts if media_type_of(p)]
    if not typed:
        raise NotApplicable("the answer holds no agent part whose media type is known")
    wrong = [t for _, t in typed if t and not mode_accepts(modes, t)]
    if wrong:
        raise Failure(f"SendMessage with acceptedOutputModes {modes} was answered with parts of media type "
                      f"{sorted(set(wrong))}; parts should use the accepted output modes (3.2.2)")


@check("a2a.send.message-response-valid", protocol="a2a")
def message_response_valid(ctx: A2aContext) -> None:
    memo = learnt(ctx)
    for text in inputs(ctx):
        if memo.settled.get(text) not in (None, "message"):
            continue
        answer = ctx.send(text, configuration=IMMEDIATE)
        if not answer.ok:
            continue
        kind, message = answer.canonical()
        if kind != "message":
            continue
        raw = answer.result.get("message", answer.result) if isinstance(answer.result, dict) else answer.result
        if ctx.version == wire.V03 and isinstance(raw, dict) and raw.get("kind") != "message":
            raise Failure(f"the Message answering {text!r} has kind {raw.get('kind')!r}, not 'message' (0.3 section 6.4)")
        problems = []
        if not isinstance(message.get("messageId"), str) or not message.get("messageId"):
            problems.append("no messageId")
        wanted_role = ("ROLE_AGENT",) if ctx.version == wire.V03 else ("ROLE_AGENT", "ROLE_USER")
        if message.get("role") not in wanted_role:
            problems.append(f"role {raw.get('role') if isinstance(raw, dict) else None!r}")
        if not isinstance(message.get("parts"), list) or not message["parts"]:
            problems.append("no part")
        if problems:
            raise Failure(f"the direct Message answering {text!r} has {', '.join(problems)}: {short(raw)}; a Message "
                          "has a messageId, a role (agent) and at least one part")
        return
    raise NotApplicable(f"no input was answered with a direct Message ({memo.summary()})")

