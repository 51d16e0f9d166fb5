"""Property checks of SendMessage (message/send in 0.3) over the binding under test.

a2a.properties.valid-messages
    Requests drawn from the schema (SendMessageRequest in 1.0, MessageSendParams in 0.3) with valid=True,
    then made sendable: a fresh messageId on every send, role user, no taskId (an unknown task only earns
    TaskNotFound), every URL pointed at PART_URL (loopback port 9, where nothing answers, should the agent
    fetch it), lone surrogates dropped, at most MAX_BODY_CHARS. Hypothesis chooses the parts (text, raw,
    url and data; text, file and data in 0.3), metadata, extensions, reference ids and configuration;
    explicit examples try each part kind. Each must get a schema-valid Task or Message, or a well-formed
    A2A error (a JSON-RPC error object; an HTTP error status with a JSON error body): never silence, a
    broken envelope or a 5xx without an error body.

a2a.properties.invalid-rejected
    Requests drawn with valid=False, kept only when the breach is one a lenient parser may not forgive
    (ProtoJSON accepts snake_case names, enum numbers, integers as strings, null for absent; those are
    not counted), plus hand-made ones: no message, empty parts (1.0), a part with two contents, a part
    without kind (0.3), a file with both bytes and uri (0.3), a bad role, parts of the wrong type. Each
    must get an error, never a success; afterwards the agent must still answer the plain probe.

Every distinct body is sent once (shrinking replays cost nothing), at most REQUEST_BUDGET bodies or
TIME_BUDGET seconds per check. Failures carry the minimal body (messageId shown as FRESH_ID) and the seed.
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, example, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from ....outcomes import Failure, Skip
from ....registry import check
from ....strategies import from_schema
from .. import wire
from ..bindings import Answer, send_as_is
from ..context import PROBE_TEXT, A2aContext, new_id, remember, set_aside

REQUEST_BUDGET = 80
TIME_BUDGET = 12.0
MAX_BODY_CHARS = 3000
PART_URL = "http://127.0.0.1:9/accord/part"
"""A URL nothing answers on (loopback, the discard port): safe should an agent fetch it."""
FRESH_ID = "accord-fresh-message-id"
"""Stands for the messageId in a body; each send replaces it with a new UUID."""
URL_MEMBERS = frozenset({"url", "uri"})
SEND_DEFINITIONS = {wire.V10: "SendMessageRequest", wire.V03: "MessageSendParams"}
USER_ROLE = {wire.V10: "ROLE_USER", wire.V03: "user"}


def encodable(value: Any) -> Any:
    """``value`` without lone surrogates, which no UTF-8 body can carry."""
    if isinstance(value, str):
        return "".join(c for c in value if not 0xD800 <= ord(c) <= 0xDFFF)
    if isinstance(value, list):
        return [encodable(v) for v in value]
    if isinstance(value, dict):
        return {encodable(k): encodable(v) for k, v in value.items()}
    return value


def defanged(value: Any) -> Any:
    """``value`` with every string url / uri member (part urls, 0.3 file uris, push config urls) at PART_URL."""
    if isinstance(value, list):
        return [defanged(v) for v in value]
    if isinstance(value, dict):
        return {k: PART_URL if k in URL_MEMBERS and isinstance(v, str) else defanged(v) for k, v in value.items()}
    return value


def small(body: Any) -> bool:
    return len(json.dumps(body, ensure_ascii=False)) <= MAX_BODY_CHARS


def with_fresh_id(body: Any) -> Any:
    """What is sent: ``body`` with FRESH_ID replaced by a new UUID."""
    message = body.get("message") if isinstance(body, dict) else None
    if isinstance(message, dict) and message.get("messageId") == FRESH_ID:
        return {**body, "message": {**message, "messageId": new_id()}}
    return body


# --- valid requests ------------------------------------------------------------------------------------------


def sendable(ctx: A2aContext, body: Any) -> Any:
    """A generated valid body made safe and fresh: FRESH_ID, role user, no taskId, loopback URLs."""
    body = defanged(encodable(body))
    if isinstance(body, dict) and isinstance(body.get("message"), dict):
        message = {k: v for k, v in body["message"].items() if k != "taskId"}
        message.update(messageId=FRESH_ID, role=USER_ROLE[ctx.version])
        body = {**body, "message": message}
    return body


def valid_requests(ctx: A2aContext) -> st.SearchStrategy[Any]:
    definition = SEND_DEFINITIONS[ctx.version]
    drawn = from_schema(ctx.schema.document, definition, valid=True)
    return drawn.map(lambda body: sendable(ctx, body)).filter(
        lambda body: small(body) and ctx.schema.is_valid(definition, body))


def explicit_valid(ctx: A2aContext) -> list[Any]:
    """One request per kind of part, in the version's wire form, with metadata and extensions."""
    parts = [
        {"text": PROBE_TEXT},
        {"raw": "aGVsbG8sIGFjY29yZA==", "mediaType": "text/plain", "filename": "hello.txt"},
        {"url": f"{PART_URL}/notes.txt", "mediaType": "text/plain"},
        {"data": {"accord": True, "n": 1}, "metadata": {"source": "accord"}},
    ]
    bodies = []
    for part in parts:
        message = {"messageId": FRESH_ID, "role": "ROLE_USER", "parts": [{"text": PROBE_TEXT}, part] if "text" not in part else [part],
                   "metadata": {"accord": "property"}, "extensions": ["https://example.invalid/accord/ext/v1"]}
        bodies.append(wire.to_wire(ctx.version, "SendMessage", {"message": message, "metadata": {"probe": 1}}))
    return bodies


def well_formed_error(ctx: A2aContext, answer: Answer) -> str | None:
    """Why the error in ``answer`` is not a well-formed A2A error, or None."""
    assert answer.error is not None
    body = answer.reply.json
    if isinstance(body, dict) and "jsonrpc" in body:
        problems = ctx.errors("JSONRPCError", answer.error.raw)
        return f"a malformed JSON-RPC error ({'; '.join(problems)[:200]})" if problems else None
    if not isinstance(body, dict):
        return f"HTTP {answer.reply.status} without a JSON error body"
    if ctx.version == wire.V10:
        problems = ctx.errors("HTTPErrorResponse", body)
        return f"HTTP {answer.reply.status} with a malformed error body ({'; '.join(problems)[:200]})" if problems else None
    return None


def valid_answer_problem(ctx: A2aContext, body: Any, answer: Answer) -> str | None:
    sent = f"SendMessage with a valid request {short(body)}"
    if answer.problems:
        return f"{sent} got {answer.describe()}; a valid request gets a Task or a Message, or else an A2A error"
    if answer.error is not None:
        problem = well_formed_error(ctx, answer)
        return None if problem is None else f"{sent} got {problem}; an error must be a well-formed A2A error"
    problems = ctx.result_errors(answer)
    if problems:
        return f"{sent} got a result that is not a valid Task or Message: {'; '.join(problems)[:300]}"
    return None


# --- invalid requests ----------------------------------------------------------------------------------------

DIGITS = re.compile(r"-?\d+")


def forgiven(error: Any) -> bool:
    """Whether a lenient (ProtoJSON) parser may accept what broke this schema rule."""
    instance, schema = error.instance, error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "propertyNames":
        return True  # snake_case spellings of the fields
    if instance is None and error.absolute_path:
        return True  # null stands for an absent field
    if error.validator in ("type", "enum") and "enum" in schema and isinstance(instance, int):
        return True  # an enum by number
    if error.validator == "type" and schema.get("type") in ("integer", "number"):
        return (isinstance(instance, str) and DIGITS.fullmatch(instance) is not None) or (
            isinstance(instance, float) and instance.is_integer())
    return error.validator == "pattern" and schema.get("format") == "date-time"


def firm_breaches(ctx: A2aContext, body: Any) -> list[str]:
    validator = ctx.schema.validator(SEND_DEFINITIONS[ctx.version])
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:100]}"
            for e in validator.iter_errors(body) if not forgiven(e)]


def unsendable_fixed(body: Any) -> Any:
    body = defanged(encodable(body))
    message = body.get("message") if isinstance(body, dict) else None
    if isinstance(message, dict):
        message = {k: v for k, v in message.items() if k != "taskId"}
        if isinstance(message.get("messageId"), str):
            message["messageId"] = FRESH_ID
        body = {**body, "message": message}
    return body


def invalid_requests(ctx: A2aContext) -> st.SearchStrategy[Any]:
    drawn = from_schema(ctx.schema.document, SEND_DEFINITIONS[ctx.version], valid=False)
    return drawn.map(unsendable_fixed).filter(lambda body: small(body) and bool(firm_breaches(ctx, body)))


def explicit_invalid(ctx: A2aContext) -> list[Any]:
    if ctx.version == wire.V10:
        message: dict[str, Any] = {"messageId": FRESH_ID, "role": "ROLE_USER", "parts": [{"text": PROBE_TEXT}]}
        broken_parts = [[], [{"text": PROBE_TEXT, "data": {"n": 1}}], "text"]
        bad_role = "ROLE_ROBOT"
    else:
        message = {"kind": "message", "messageId": FRESH_ID, "role": "user",
                   "parts": [{"kind": "text", "text": PROBE_TEXT}]}
        broken_parts = [[{"text": PROBE_TEXT}], [{"kind": "file", "file": {"bytes": "aGk=", "uri": PART_URL}}], "text"]
        bad_role = "robot"
    return [{}, *({"message": {**message, "parts": parts}} for parts in broken_parts),
            {"message": {**message, "role": bad_role}}]


def invalid_answer_problem(ctx: A2aContext, body: Any, answer: Answer) -> str | None:
    if answer.error is not None:
        return None  # which error, and its form, are a2a.errors.*'s concern
    breaches = firm_breaches(ctx, body) or ["a rule of the spec the schema cannot say (see the check's notes)"]
    sent = f"SendMessage with an invalid request ({'; '.join(breaches)[:200]}): {short(body)}"
    if answer.problems:
        return f"{sent} got {answer.describe()}; an invalid request must get an error"
    return f"{sent} got a success ({short(answer.result if answer.result is not None else answer.events)}); " \
           "an invalid request must get an error"


# --- running a property --------------------------------------------------------------------------------------


class Broken(AssertionError):
    """One body broke the property (hypothesis shrinks it)."""


class Sender:
    """Sends each distinct body once over the binding under test, within the budgets; remembers the
    failure of the last body that broke the property (the smallest so far while shrinking)."""

    def __init__(self, ctx: A2aContext, *, invalid: bool = False):
        self.ctx = ctx
        self.invalid = invalid
        """Whether the bodies are deliberately invalid (their answers are set aside, see context.set_aside)."""
        self.answers: dict[str, Answer] = {}
        self.started = time.monotonic()
        self.failure: Failure | None = None
        self.silent: Any = None

    def send(self, body: Any) -> Answer | None:
        """The answer to ``body``; None once a budget ran out or the agent stopped answering."""
        key = json.dumps(body, sort_keys=True)
        if key not in self.answers:
            spent = len(self.answers) >= REQUEST_BUDGET or time.monotonic() - self.started > TIME_BUDGET
            if spent or self.silent is not None:
                return None
            answer = send_as_is(self.ctx.binding, "SendMessage", with_fresh_id(body))
            self.answers[key] = (set_aside if self.invalid else remember)(self.ctx.suite, answer)
            if answer.reply.status is None:
                self.silent = body
        return self.answers[key]

    def broke(self, body: Any, problem: str) -> None:
        self.failure = Failure(f"{problem} (seed {self.ctx.settings.seed})", example=body, seed=self.ctx.settings.seed)
        raise Broken(problem)


def run_property(ctx: A2aContext, strategy: st.SearchStrategy[Any], explicit: list[Any],
                 judge: Callable[[A2aContext, Any, Answer], str | None], sender: Sender) -> None:
    def holds(body: Any) -> None:
        answer = sender.send(body)
        if answer is None:
            return
        problem = judge(ctx, body, answer)
        if problem is not None:
            sender.broke(body, problem)

    test = given(strategy)(holds)
    for body in reversed(explicit):
        test = example(body)(test)
    test = settings(
        max_examples=max(1, ctx.settings.max_examples), derandomize=False, database=None, deadline=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink), report_multiple_bugs=False, verbosity=Verbosity.quiet,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )(test)
    test = seed(ctx.settings.seed)(test)
    try:
        test()
    except Unsatisfiable:
        if sender.failure is None:
            raise Skip(f"hypothesis found no request on the intended side of {SEND_DEFINITIONS[ctx.version]}") from None
    except Exception:  # Broken, or a replay that passes once a budget ran out
        if sender.failure is None:
            raise
    if sender.failure is not None:
        raise sender.failure


def short(value: Any, width: int = 240) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


@check("a2a.properties.valid-messages", protocol="a2a", kind="property")
def valid_messages_get_a_task_message_or_error(ctx: A2aContext) -> None:
    run_property(ctx, valid_requests(ctx), explicit_valid(ctx), valid_answer_problem, Sender(ctx))


@check("a2a.properties.invalid-rejected", protocol="a2a", kind="property")
def invalid_messages_get_an_error(ctx: A2aContext) -> None:
    sender = Sender(ctx, invalid=True)
    run_property(ctx, invalid_requests(ctx), copy.deepcopy(explicit_invalid(ctx)), invalid_answer_problem, sender)
    after = ctx.send()
    if after.reply.status is None or (after.error is None and after.problems):
        raise Failure(f"after {len(sender.answers)} invalid requests the agent no longer answers the plain probe "
                      f"message: {after.describe()}; it must keep serving", seed=ctx.settings.seed)
