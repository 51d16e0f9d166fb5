"""Property checks of POST /runs (spec/openapi.yaml#/components/schemas/RunCreateRequest).

acp.properties.valid-run-requests
    Run requests for the agent under test, valid for RunCreateRequest, with
    hypothesis choosing: roles (user, agent, agent/NAME), one to three parts
    per message of several content types, inline content (plain, with or
    without an explicit encoding, or base64) or a content_url (on loopback
    port 9, where nothing answers, should the agent fetch it), part names,
    citation and trajectory metadata drawn from the schema, message
    timestamps, and no session, a session_id, a session descriptor, or both.
    The mode is always sync, so every answer is one JSON reply. Each must be a
    2xx with a valid Run, or a 4xx/5xx with a valid Error, within the read
    timeout.

acp.properties.invalid-run-requests
    Bodies that break RunCreateRequest, drawn from the schema with
    valid=False (and kept only when accord's own validator refuses them),
    with agent_name set to the agent under test and mode to sync wherever
    those two members are themselves valid, so the one broken thing is what
    the server must notice. Each must get a 4xx with a valid Error: never a
    2xx, never a 5xx, never silence.

Every distinct body is sent once (answers are cached, so shrinking replays
cost nothing), at most REQUEST_BUDGET bodies or TIME_BUDGET seconds per check;
then the check ends with what it saw. A body left unanswered ends the check at
once with that body as the example. Failures carry the minimal body and the seed.
"""

from __future__ import annotations

import base64
import json
import string
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from ....outcomes import Skip
from ....peer import Reply
from ....properties import BudgetedSender, encodable, explore_property
from ....registry import check
from ....strategies import from_schema
from ..context import AcpContext, text_message
from .lifecycle import probe_messages, short

REQUEST_BUDGET = 100
TIME_BUDGET = 10.0
MAX_BODY_CHARS = 4000
PART_URL = "http://127.0.0.1:9/accord/part"
"""A content_url nothing answers on (loopback, the discard port): safe should an agent fetch it."""
CONTENT_TYPES = ("text/plain", "text/markdown", "application/json", "text/html", "image/png",
                 "application/octet-stream", "application/pdf")
_TEXT = st.text(string.ascii_letters + string.digits + " .,:;!?-_\u00e9\u4e2d", max_size=40)
_NAME = st.text(string.ascii_lowercase + string.digits + "-_", min_size=1, max_size=12)
_STAMP = st.sampled_from(["2025-08-21T10:00:00Z", "2025-08-21T10:00:01.250000+00:00"])
_UUIDS = st.uuids(version=4).map(str)


def small(body: Any) -> bool:
    return len(json.dumps(body, ensure_ascii=False)) <= MAX_BODY_CHARS


# --- valid requests ------------------------------------------------------------------------


def metadata_strategy(ctx: AcpContext) -> st.SearchStrategy[Any]:
    document = ctx.schema.document
    drawn = from_schema(document, "CitationMetadata") | from_schema(document, "TrajectoryMetadata")
    return drawn.map(encodable).filter(small)


@st.composite
def parts(draw: Callable[..., Any], ctx: AcpContext, metadata: st.SearchStrategy[Any]) -> dict[str, Any]:
    content_type = draw(st.sampled_from(CONTENT_TYPES))
    part: dict[str, Any] = {"content_type": content_type}
    carrier = draw(st.sampled_from(["plain", "explicit-plain", "base64", "url", "none"]))
    if carrier == "base64":
        part["content"] = base64.b64encode(draw(st.binary(max_size=48))).decode("ascii")
        part["content_encoding"] = "base64"
    elif carrier == "url":
        part["content_url"] = f"{PART_URL}/{draw(st.integers(0, 999))}"
    elif carrier != "none":
        part["content"] = draw(_TEXT) if content_type != "application/json" else json.dumps({"n": draw(st.integers())})
        if carrier == "explicit-plain":
            part["content_encoding"] = "plain"
    if draw(st.booleans()):
        part["name"] = draw(_NAME)
    if draw(st.integers(0, 3)) == 0:
        part["metadata"] = draw(metadata)
    return part


@st.composite
def messages(draw: Callable[..., Any], ctx: AcpContext, metadata: st.SearchStrategy[Any]) -> dict[str, Any]:
    role = draw(st.sampled_from(["user", "user", "agent", f"agent/{ctx.agent}"]))
    message: dict[str, Any] = {"role": role, "parts": draw(st.lists(parts(ctx, metadata), min_size=1, max_size=3))}
    for stamp in ("created_at", "completed_at"):
        if draw(st.booleans()):
            message[stamp] = draw(_STAMP)
    return message


@st.composite
def valid_requests(draw: Callable[..., Any], ctx: AcpContext) -> dict[str, Any]:
    metadata = metadata_strategy(ctx)
    body: dict[str, Any] = {
        "agent_name": ctx.agent,
        "input": draw(st.lists(messages(ctx, metadata), min_size=1, max_size=2)),
        "mode": "sync",
    }
    session = draw(st.sampled_from(["none", "id", "descriptor", "both"]))
    session_id = draw(_UUIDS)
    if session in ("id", "both"):
        body["session_id"] = session_id
    if session in ("descriptor", "both"):
        body["session"] = {"id": session_id, "history": []}
    return body


def valid_reply_problem(ctx: AcpContext, body: Any, reply: Reply) -> str | None:
    sent = f"POST /runs with the valid body {short(body)}"
    if reply.status is not None and 200 <= reply.status < 300:
        problems = ctx.errors("Run", reply.json)
        return None if not problems else (
            f"{sent} got HTTP {reply.status} with a body that is not a valid Run: {'; '.join(problems)[:300]}")
    if reply.status is not None and reply.status >= 400:
        return None  # whether the body is a well-formed Error is acp.errors.*'s concern
    return f"{sent} got {reply.describe()}; a valid request gets a Run, or else an Error"


# --- invalid requests ----------------------------------------------------------------------

URL_MEMBERS = frozenset({"content_url", "state"})


def defanged(value: Any) -> Any:
    """``value`` with every URL string an agent might fetch (content_url, session history and state)
    pointed at PART_URL; non-string values, which break the schema by type, stay."""
    if isinstance(value, list):
        return [defanged(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in URL_MEMBERS and isinstance(item, str):
            out[key] = PART_URL
        elif key == "history" and isinstance(item, list):
            out[key] = [f"{PART_URL}/{i}" if isinstance(entry, str) else entry for i, entry in enumerate(item)]
        else:
            out[key] = defanged(item)
    return out



def aimed(ctx: AcpContext, body: Any) -> Any:
    """``body`` with agent_name and mode set to the agent under test and sync, where they are valid already."""
    if not isinstance(body, dict):
        return body
    aimed_body = dict(body)
    if "agent_name" in body and not ctx.errors("AgentName", body["agent_name"]):
        aimed_body["agent_name"] = ctx.agent
    if "mode" in body and not ctx.errors("RunMode", body["mode"]):
        aimed_body["mode"] = "sync"
    return aimed_body


def invalid_requests(ctx: AcpContext) -> st.SearchStrategy[Any]:
    drawn = from_schema(ctx.schema.document, "RunCreateRequest", valid=False)
    return drawn.map(lambda body: aimed(ctx, defanged(encodable(body)))).filter(
        lambda body: small(body) and bool(ctx.errors("RunCreateRequest", body)))


def obvious_invalid(ctx: AcpContext) -> list[Any]:
    """Broken bodies sent before any generated one, so each kind of breach is tried."""
    message = text_message()
    return [
        {"agent_name": ctx.agent, "input": [], "mode": "sync"},
        {"agent_name": ctx.agent, "mode": "sync"},
        {"input": [message], "mode": "sync"},
        {"agent_name": ctx.agent, "input": [{**message, "role": "robot"}], "mode": "sync"},
        {"agent_name": ctx.agent, "input": [message], "mode": "sometime"},
        {"agent_name": ctx.agent, "input": [{"role": "user", "parts": [
            {"content_type": "text/plain", "content": "x", "content_url": PART_URL}]}], "mode": "sync"},
        [message],
    ]


def invalid_reply_problem(ctx: AcpContext, body: Any, reply: Reply) -> str | None:
    problems = ctx.errors("RunCreateRequest", body)
    sent = f"POST /runs with a body that is not a valid RunCreateRequest ({'; '.join(problems)[:200]}): {short(body)}"
    if reply.status is not None and 400 <= reply.status < 500:
        return None  # whether the body is a well-formed Error is acp.errors.*'s concern
    return f"{sent} got {reply.describe()}; an invalid request must get a 4xx Error"


# --- running a property ----------------------------------------------------------------------


def sender_for(ctx: AcpContext) -> BudgetedSender[Any, Reply]:
    """Each distinct body POSTed once, within the budgets; nothing new after a body went unanswered."""
    return BudgetedSender(ctx.settings, ctx.post_run, requests=REQUEST_BUDGET, seconds=TIME_BUDGET,
                          silent=lambda reply: reply.status is None)


def run_property(ctx: AcpContext, strategy: st.SearchStrategy[Any], explicit: list[Any],
                 judge: Callable[[AcpContext, Any, Reply], str | None],
                 sender: BudgetedSender[Any, Reply] | None = None) -> None:
    sender = sender or sender_for(ctx)
    explore_property(sender, strategy, explicit, sender.judge_answers(lambda body, reply: judge(ctx, body, reply)),
                     unsatisfiable="hypothesis found no body on the intended side of RunCreateRequest")


@check("acp.properties.valid-run-requests", protocol="acp", kind="property")
def valid_run_requests_get_a_run_or_an_error(ctx: AcpContext) -> None:
    plain = {"agent_name": ctx.agent, "input": probe_messages(ctx), "mode": "sync"}
    sender = sender_for(ctx)
    first = sender.send(plain)
    assert first is not None
    if first.status is not None and 200 <= first.status < 300 and ctx.errors("Run", first.json):
        raise Skip(f"the Run answering the plain probe request is already invalid ({'; '.join(ctx.errors('Run', first.json))[:200]}); "
                   "see acp.runs.run-schema, acp.messages.* and acp.parts.*")
    generated = valid_requests(ctx).filter(lambda body: small(body) and not ctx.errors("RunCreateRequest", body))
    run_property(ctx, generated, [plain], valid_reply_problem, sender)


@check("acp.properties.invalid-run-requests", protocol="acp", kind="property")
def invalid_run_requests_get_a_4xx_error(ctx: AcpContext) -> None:
    run_property(ctx, invalid_requests(ctx), obvious_invalid(ctx), invalid_reply_problem)
