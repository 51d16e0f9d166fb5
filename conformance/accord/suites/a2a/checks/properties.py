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
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from ....outcomes import Failure, Skip
from ....properties import BudgetedSender, encodable, explore_property
from ....registry import check
from ....strategies import from_schema
from .. import wire
from ..bindings import Answer, send_as_is
from ..context import PROBE_TEXT, A2aContext, new_id, remember, set_aside
from ..grpc_binding import Unexpressible

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
    if ctx.binding.name == "grpc":  # a status of the server's own; UNKNOWN is what a crashed handler leaves
        status = answer.error.rpc_status
        return None if status not in (None, "UNKNOWN") else f"gRPC {status or 'no status'} ({answer.describe()[:120]})"
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
    if error.validator == "propertyNames" or "propertyNames" in error.absolute_schema_path:
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
    return drawn.map(unsendable_fixed).filter(
        lambda body: small(body) and bool(firm_breaches(ctx, body)) and bool(firm_breaches(ctx, as_read(ctx, body))))


# --- what the binding carries ---------------------------------------------------------------------------------


def on_the_wire(ctx: A2aContext, body: Any) -> Any:
    """A generated body (the version's JSON-RPC form) as the binding under test writes it: 0.3 HTTP+JSON and 0.3
    gRPC speak the 0.3 proto's JSON (specs/a2a/0.3.0/ERRATA.md); the others take it as it is (1.0 gRPC encodes the
    1.0 form)."""
    if ctx.binding.name in ("http-json", "grpc") and ctx.version == wire.V03:
        return wire.proto_send_params_03(body)
    return body


def as_read(ctx: A2aContext, body: Any) -> Any:
    """What an agent reads of a body once written for the binding, back in the version's JSON-RPC form: an
    invalid body whose breach the binding's form cannot carry (a 0.3 part without kind becomes a proto part)
    is no invalid request there."""
    sent = on_the_wire(ctx, body)
    if sent is body or not isinstance(sent, dict) or not isinstance(sent.get("message"), dict):
        return body
    return {**body, "message": wire.kind_message_03(sent["message"])}


def transmit(ctx: A2aContext, body: Any, keep: Callable[[Any, Answer], Answer]) -> Answer | None:
    """Send ``body`` over the binding under test; None when the binding cannot carry it (gRPC: a value that is no
    protobuf message, such as parts given as a string; it is not sent, and not judged)."""
    try:
        answer = send_as_is(ctx.binding, "SendMessage", on_the_wire(ctx, with_fresh_id(body)))
    except Unexpressible:
        return None
    return keep(ctx.suite, answer)


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
    unset_role = [{"message": {**message, "role": "ROLE_UNSPECIFIED"}}] if ctx.version == wire.V10 else []
    return [{}, *({"message": {**message, "parts": parts}} for parts in broken_parts),
            {"message": {**message, "role": bad_role}}, *unset_role]


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


class Sender(BudgetedSender[Any, Answer]):
    """Sends each distinct body once over the binding under test, within the budgets; nothing new after a
    body went unanswered. Failures name the seed in their message too."""

    def __init__(self, ctx: A2aContext, *, invalid: bool = False):
        """``invalid``: the bodies are deliberately invalid (their answers are set aside, see context.set_aside)."""
        keep = set_aside if invalid else remember
        super().__init__(ctx.settings, lambda body: transmit(ctx, body, keep), requests=REQUEST_BUDGET,
                         seconds=TIME_BUDGET, silent=lambda answer: answer is not None and not answer.reply.answered)

    @property
    def judged(self) -> int:
        """How many distinct bodies were sent and judged (not those the binding cannot carry)."""
        return sum(answer is not None for answer in self.answers.values())

    def failure_for(self, body: Any, problem: str) -> Failure:
        return Failure(f"{problem} (seed {self.run.seed})", example=body, seed=self.run.seed)


def run_property(ctx: A2aContext, strategy: st.SearchStrategy[Any], explicit: list[Any],
                 judge: Callable[[A2aContext, Any, Answer], str | None], sender: Sender) -> None:
    explore_property(sender, strategy, explicit, sender.judge_answers(lambda body, answer: judge(ctx, body, answer)),
                     unsatisfiable=f"hypothesis found no request on the intended side of {SEND_DEFINITIONS[ctx.version]}")
    if not sender.judged:
        raise Skip(f"none of the {len(sender.answers)} requests tried can be written for the {ctx.binding.name} "
                   "binding, so none was sent")


def short(value: Any, width: int = 240) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


@check("a2a.properties.valid-messages", protocol="a2a", kind="property")
def valid_messages_get_a_task_message_or_error(ctx: A2aContext) -> None:
    run_property(ctx, valid_requests(ctx), explicit_valid(ctx), valid_answer_problem, Sender(ctx))


@check("a2a.properties.invalid-rejected", protocol="a2a", kind="property")
def invalid_messages_get_an_error(ctx: A2aContext) -> None:
    sender = Sender(ctx, invalid=True)
    explicit = [body for body in copy.deepcopy(explicit_invalid(ctx)) if firm_breaches(ctx, as_read(ctx, body))]
    run_property(ctx, invalid_requests(ctx), explicit, invalid_answer_problem, sender)
    after = ctx.send()
    if not after.reply.answered or (after.error is None and after.problems):
        raise Failure(f"after {len(sender.answers)} invalid requests the agent no longer answers the plain probe "
                      f"message: {after.describe()}; it must keep serving", seed=ctx.settings.seed)
