"""Completion (server/utilities/completion): completion/complete for prompt arguments and template variables."""

from __future__ import annotations

import json
import re
from typing import Any

from ....outcomes import Failure, NotApplicable, Skip
from ....peer import Reply
from ....registry import check
from .. import declares, offered_only_if_declared
from ..context import McpContext
from ..session import McpSession, no_response
from .pagination import walk
from .prompts import prompt_arguments
from .tools import unknown_name

MAX_REFS = 3
MAX_VALUES = 100

_EXPRESSION = re.compile(r"\{([^{}]*)\}")


def template_variables(template: str) -> list[str]:
    """Variable names of an RFC 6570 URI template (operators and modifiers dropped)."""
    names = []
    for expression in _EXPRESSION.findall(template):
        expression = expression.lstrip("+#./;?&=,!@|")
        for spec in expression.split(","):
            name = re.sub(r"(\*|:\d+)$", "", spec.strip())
            if name:
                names.append(name)
    return names


def completion_targets(ctx: McpContext, failed: list[str] | None = None) -> list[tuple[dict[str, Any], str]]:
    """(ref, argument name) pairs to complete: arguments of listed prompts, variables of listed templates.
    List methods that fail are appended to ``failed``."""
    targets: list[tuple[dict[str, Any], str]] = []
    sources = (("prompts", "prompts/list", "prompts"), ("resources", "resources/templates/list", "resourceTemplates"))
    for capability, method, key in sources:
        if not declares(ctx.capabilities, capability):
            continue
        try:
            items = walk(ctx.session, method, key).items
        except Failure:
            if failed is not None:
                failed.append(method)
            continue
        for item in items:
            if not isinstance(item, dict):
                continue
            if key == "prompts" and isinstance(item.get("name"), str):
                for argument in prompt_arguments(item)[:1]:
                    targets.append(({"type": "ref/prompt", "name": item["name"]}, argument["name"]))
            elif key == "resourceTemplates" and isinstance(item.get("uriTemplate"), str):
                for variable in template_variables(item["uriTemplate"])[:1]:
                    targets.append(({"type": "ref/resource", "uri": item["uriTemplate"]}, variable))
    return targets


def complete(session: McpSession, ref: dict[str, Any], argument: str, value: str = "") -> Reply:
    return session.request("completion/complete", {"ref": ref, "argument": {"name": argument, "value": value}})


def _what(ref: dict[str, Any], argument: str) -> str:
    return f"completion/complete for argument {argument!r} of {json.dumps(ref)}"


def _targets_or_not_applicable(ctx: McpContext) -> list[tuple[dict[str, Any], str]]:
    failed: list[str] = []
    targets = completion_targets(ctx, failed)
    if not targets and failed:
        raise Skip(f"{' and '.join(failed)} did not work, so there is nothing known to complete")
    ctx.require(targets, "the server lists no prompt with arguments and no resource template with variables")
    return targets[:MAX_REFS]


def completed_results(ctx: McpContext) -> list[tuple[str, dict[str, Any]]]:
    """(description, result) of completing up to MAX_REFS targets with an empty value; Failure on no response."""
    results = []
    errors = []
    for ref, argument in _targets_or_not_applicable(ctx):
        reply = complete(ctx.session, ref, argument)
        what = _what(ref, argument)
        if reply.response is None:
            no_response(f"{what}", reply)
        result = reply.response.get("result")
        if isinstance(result, dict):
            results.append((what, result))
        else:
            errors.append(f"{what}: {reply.describe()}")
    if not results:
        raise Failure("completion/complete failed for every listed prompt argument and template variable: "
                      + " | ".join(errors)[:800])
    return results


# --- checks ---------------------------------------------------------------------


@check("mcp.completion.capability-declared", protocol="mcp")
def completion_offered_only_with_capability(ctx: McpContext) -> None:
    targets = completion_targets(ctx)
    ref, argument = targets[0] if targets else ({"type": "ref/prompt", "name": "accord-example"}, "value")
    reply = complete(ctx.session, ref, argument)
    offered_only_if_declared(ctx.capabilities, "completions", reply, _what(ref, argument), "mcp.completion.complete")


@check("mcp.completion.complete", protocol="mcp")
def completion_returns_string_values(ctx: McpContext) -> None:
    for what, result in completed_results(ctx):
        ctx.validate("CompleteResult", result, f"the result of {what}")


@check("mcp.completion.max-values", protocol="mcp")
def completion_values_are_bounded(ctx: McpContext) -> None:
    for what, result in completed_results(ctx):
        completion = result.get("completion")
        if not isinstance(completion, dict) or not isinstance(completion.get("values"), list):
            raise Failure(f"{what}: the result has no completion.values array: {json.dumps(result)[:300]}")
        values = completion["values"]
        if len(values) > MAX_VALUES:
            raise Failure(f"{what}: completion.values holds {len(values)} items, more than {MAX_VALUES}")
        total = completion.get("total")
        if "total" in completion and (not isinstance(total, int) or isinstance(total, bool)):
            raise Failure(f"{what}: completion.total is {total!r}, not an integer")
        if "hasMore" in completion and not isinstance(completion["hasMore"], bool):
            raise Failure(f"{what}: completion.hasMore is {completion['hasMore']!r}, not a boolean")


@check("mcp.completion.not-supported", protocol="mcp")
def undeclared_completion_is_method_not_found(ctx: McpContext) -> None:
    if declares(ctx.capabilities, "completions"):
        raise NotApplicable("the server declares the completions capability")
    targets = completion_targets(ctx)
    ref, argument = targets[0] if targets else ({"type": "ref/prompt", "name": "accord-example"}, "value")
    reply = complete(ctx.session, ref, argument)
    if reply.response is None:
        no_response(f"{_what(ref, argument)}", reply)
    error = reply.response.get("error")
    code = error.get("code") if isinstance(error, dict) else None
    if code != -32601:
        raise Failure(f"{_what(ref, argument)} to a server without the completions capability should get "
                      f"error -32601; got {reply.describe()}")


@check("mcp.completion.unknown-prompt", protocol="mcp")
def completion_of_unknown_prompt_is_invalid_params(ctx: McpContext) -> None:
    taken: set[str] = set()
    if declares(ctx.capabilities, "prompts"):
        try:
            taken = {p.get("name") for p in walk(ctx.session, "prompts/list", "prompts").items if isinstance(p, dict)}
        except Failure:
            pass
    ref = {"type": "ref/prompt", "name": unknown_name(ctx, {n for n in taken if isinstance(n, str)}, "prompt")}
    reply = complete(ctx.session, ref, "value")
    what = _what(ref, "value")
    if reply.response is None:
        no_response(f"{what}", reply)
    error = reply.response.get("error")
    if not isinstance(error, dict) or error.get("code") != -32602:
        raise Failure(f"{what} (no such prompt) should get error -32602; got {reply.describe()}")


@check("mcp.completion.validate-inputs", protocol="mcp")
def malformed_completion_requests_get_errors(ctx: McpContext) -> None:
    targets = completion_targets(ctx)
    ref, argument = targets[0] if targets else ({"type": "ref/prompt", "name": "accord-example"}, "value")
    variants: list[tuple[str, dict[str, Any]]] = [
        ("ref missing", {"argument": {"name": argument, "value": ""}}),
        ("argument missing", {"ref": ref}),
        ("unknown ref type", {"ref": {"type": "ref/accord-unknown", "name": "x"}, "argument": {"name": argument, "value": ""}}),
    ]
    session = ctx.opened()
    for what, params in variants:
        reply = session.request("completion/complete", params)
        if reply.response is None:
            no_response(f"completion/complete with {what}", reply)
        if not isinstance(reply.response.get("error"), dict):
            raise Failure(f"completion/complete with {what} ({json.dumps(params)}) got no error response: "
                          f"{json.dumps(reply.response)[:300]}", example=params)
