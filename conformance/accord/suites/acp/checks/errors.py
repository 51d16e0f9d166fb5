"""Error bodies, error codes and JSON content types, judged over every HTTP exchange of the run.

These are observers: the engine runs them after every other check, so they see all the traffic
of the run. Each first makes a few requests of its own (ones that must be refused, and ones every
server answers), so that it never judges nothing. Error bodies are judged in shape here and in
code in acp.errors.code-enum, so a code outside the enum breaks only that requirement.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ....outcomes import NotApplicable
from ....registry import check
from ..context import AcpContext, Exchange
from .discovery import fail_listing, missing_agent_name

MISSING_RUN = "00000000-0000-4000-8000-00000000acc0"
"""A well-formed run id no server hands out."""
JSON = "application/json"


def provoke_errors(ctx: AcpContext) -> None:
    """Requests that must be refused: an unknown agent, an unknown run, a run body that is not a RunCreateRequest."""
    ctx.peer.request("GET", f"/agents/{missing_agent_name(ctx)}")
    ctx.peer.request("GET", f"/runs/{MISSING_RUN}")
    ctx.post_run({"agent_name": ctx.agent, "input": "not a list of messages", "mode": "async"})


def provoke_answers(ctx: AcpContext) -> None:
    """Requests every server answers in JSON: ping, the listing, the manifest, an async run and its events."""
    ctx.peer.request("GET", "/ping")
    ctx.peer.request("GET", "/agents")
    ctx.peer.request("GET", f"/agents/{ctx.agent}")
    trace = ctx.start_run("async")
    if trace.run_id is not None:
        ctx.get_run(trace.run_id)
        ctx.run_events(trace.run_id)


def is_error_status(exchange: Exchange) -> bool:
    return exchange.status is not None and not 200 <= exchange.status < 300


def content_type(exchange: Exchange) -> str:
    return exchange.headers.get("content-type", "").split(";")[0].strip().lower()


def sent_line(exchange: Exchange) -> str:
    query = exchange.url.partition("?")[2]
    return f"{exchange.method} {exchange.path}{'?' + query if query else ''} -> HTTP {exchange.status}"


def body_text(exchange: Exchange) -> str:
    return json.dumps(exchange.received[0], ensure_ascii=False)[:160] if exchange.received else "(no JSON body)"


def error_body_problems(ctx: AcpContext, exchange: Exchange) -> list[str]:
    """What is wrong with the body of one error response, as an Error (its code's value aside)."""
    if content_type(exchange) != JSON:
        return [f"content type {content_type(exchange) or '(none)'}, not {JSON}"]
    if len(exchange.received) != 1:
        return ["the body is not JSON"]
    body = exchange.received[0]
    if not isinstance(body, dict):
        return [f"the body {body_text(exchange)} is not an Error object"]
    problems = []
    for error in ctx.schema.validator("Error").iter_errors(body):
        if list(error.absolute_path) == ["code"] and isinstance(body.get("code"), str):
            continue  # a string code outside the enum: acp.errors.code-enum
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        problems.append(f"{where}: {error.message[:120]}")
    return problems[:2]


@check("acp.errors.body-valid", protocol="acp", kind="observer")
def error_responses_carry_error_objects(ctx: AcpContext) -> None:
    provoke_errors(ctx)
    errors = [x for x in ctx.exchanges() if is_error_status(x)]
    if not errors:
        raise NotApplicable("no response of the run had an error status, not even to requests that must be refused")
    problems = [
        f"{sent_line(x)} {body_text(x)}: {'; '.join(found)}"
        for x in errors if (found := error_body_problems(ctx, x))
    ]
    fail_listing(
        problems,
        "an error response must be application/json with an Error object (string code, string message, "
        "data an object or null)",
    )


def error_objects(value: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every Error inside a run, an event or a list of events: Run.error and the error of an error event."""
    if not isinstance(value, dict):
        return
    if "run_id" in value and isinstance(value.get("error"), dict):
        yield f"{where} run.error", value["error"]
    if value.get("type") == "error" and isinstance(value.get("error"), dict):
        yield f"{where} error event", value["error"]
    if isinstance(value.get("run"), dict):
        yield from error_objects(value["run"], f"{where} {value.get('type', 'event')}")
    for item in value.get("events") if isinstance(value.get("events"), list) else []:
        yield from error_objects(item, where)


def errors_of(exchange: Exchange) -> Iterator[tuple[str, dict[str, Any]]]:
    where = sent_line(exchange)
    for value in exchange.received:
        if is_error_status(exchange):
            if isinstance(value, dict):
                yield f"{where} error body", value
        else:
            yield from error_objects(value, where)


@check("acp.errors.code-enum", protocol="acp", kind="observer")
def error_codes_from_enum(ctx: AcpContext) -> None:
    provoke_errors(ctx)
    found = [(where, error) for x in ctx.exchanges() for where, error in errors_of(x)]
    coded = [(where, error["code"]) for where, error in found if isinstance(error.get("code"), str)]
    if not coded:
        raise NotApplicable("no error with a string code was seen in the run, not even for requests that must be refused")
    problems = [f"{where}: code {code!r}" for where, code in coded if ctx.errors("ErrorCode", code)]
    fail_listing(problems, "every Error code must be server_error, invalid_input or not_found")


def is_run_stream(exchange: Exchange) -> bool:
    """A successful answer to a run request that asked for a stream (acp.runs.stream-content-type judges those)."""
    asked_stream = isinstance(exchange.sent, dict) and exchange.sent.get("mode") == "stream"
    return exchange.method == "POST" and asked_stream and not is_error_status(exchange)


def is_resource(exchange: Exchange) -> bool:
    """Content a message part points at (acp-sdk serves /resources/{id}): any media type, not an ACP response."""
    return "/resources/" in exchange.path


@check("acp.http.json-content-type", protocol="acp", kind="observer")
def responses_are_json(ctx: AcpContext) -> None:
    provoke_answers(ctx)
    provoke_errors(ctx)
    judged = [x for x in ctx.exchanges() if x.status is not None and not is_run_stream(x) and not is_resource(x)]
    problems = []
    for x in judged:
        if content_type(x) != JSON:
            problems.append(f"{sent_line(x)} with content type {content_type(x) or '(none)'}")
        elif len(x.received) != 1:
            problems.append(f"{sent_line(x)} with a body that does not parse as JSON")
    fail_listing(problems, f"every response other than a run stream must be {JSON} with a JSON body")
