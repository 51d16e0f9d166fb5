"""Prompts (server/prompts): listing, getting, argument errors and message content."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from ....outcomes import Failure, Skip
from ....peer import Reply
from ....registry import check
from .. import offered_only_if_declared
from ..context import McpContext
from ..session import McpSession, no_response
from .pagination import pages_valid, walk
from .tools import is_base64, media_problems, unknown_name

MAX_GETS = 4
ARGUMENT_VALUE = "example"
"""What accord fills every required prompt argument with."""

_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S*")


def listed_prompts(ctx: McpContext) -> list[dict[str, Any]]:
    try:
        pages = walk(ctx.session, "prompts/list", "prompts")
    except Failure as failure:
        raise Skip(f"prompts/list did not work ({failure.message}); see mcp.prompts.list") from None
    return [p for p in pages.items if isinstance(p, dict) and isinstance(p.get("name"), str)]


def prompt_arguments(prompt: dict[str, Any]) -> list[dict[str, Any]]:
    arguments = prompt.get("arguments")
    if not isinstance(arguments, list):
        return []
    return [a for a in arguments if isinstance(a, dict) and isinstance(a.get("name"), str)]


def required_arguments(prompt: dict[str, Any]) -> list[str]:
    return [a["name"] for a in prompt_arguments(prompt) if a.get("required") is True]


def filled_arguments(prompt: dict[str, Any], leave_out: str | None = None) -> dict[str, str]:
    return {name: ARGUMENT_VALUE for name in required_arguments(prompt) if name != leave_out}


def get_prompt(session: McpSession, name: str, arguments: Any) -> Reply:
    params: dict[str, Any] = {"name": name}
    if arguments is not None:
        params["arguments"] = arguments
    return session.request("prompts/get", params)


def _ranked(prompts: list[dict[str, Any]], prefer: Sequence[str]) -> list[dict[str, Any]]:
    def rank(prompt: dict[str, Any]) -> tuple[bool, bool]:
        text = f"{prompt['name']} {prompt.get('description', '')}".lower()
        return (not any(word in text for word in prefer), bool(required_arguments(prompt)))

    return sorted(prompts, key=rank)


def gotten_messages(ctx: McpContext, prefer: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
    """(prompt name, message) for every message of up to MAX_GETS prompts gotten with required arguments filled."""
    found = []
    for prompt in _ranked(listed_prompts(ctx), prefer)[:MAX_GETS]:
        reply = get_prompt(ctx.session, prompt["name"], filled_arguments(prompt))
        result = (reply.response or {}).get("result")
        messages = result.get("messages") if isinstance(result, dict) else None
        if isinstance(messages, list):
            found.extend((prompt["name"], m) for m in messages if isinstance(m, dict))
    return found


def _error_code(reply: Reply) -> Any:
    error = (reply.response or {}).get("error")
    return error.get("code") if isinstance(error, dict) else None


# --- checks -------------------------------------------------------------------


@check("mcp.prompts.capability-declared", protocol="mcp")
def prompts_offered_only_with_capability(ctx: McpContext) -> None:
    reply = ctx.session.request("prompts/list")
    offered_only_if_declared(ctx.capabilities, "prompts", reply, "prompts/list", "mcp.prompts.list")


@check("mcp.prompts.list", protocol="mcp")
def prompts_list_pages_are_valid(ctx: McpContext) -> None:
    pages_valid(ctx, walk(ctx.session, "prompts/list", "prompts"), "ListPromptsResult")


@check("mcp.prompts.get", protocol="mcp")
def getting_a_prompt_gives_messages(ctx: McpContext) -> None:
    prompts = listed_prompts(ctx)
    ctx.require(prompts, "the server lists no prompts")
    inconclusive = []
    got = 0
    for prompt in _ranked(prompts, ())[:MAX_GETS]:
        arguments = filled_arguments(prompt)
        reply = get_prompt(ctx.session, prompt["name"], arguments)
        what = f"prompts/get {prompt['name']!r} with arguments {json.dumps(arguments)}"
        if reply.response is None:
            no_response(f"{what}", reply)
        result = reply.response.get("result")
        if isinstance(result, dict):
            ctx.validate("GetPromptResult", result, f"the result of {what}")
            got += 1
            continue
        if arguments:  # the server may reject accord's made-up values; that says nothing about the requirement
            inconclusive.append(f"{prompt['name']!r} (error {_error_code(reply)})")
            continue
        raise Failure(f"{what} (it has no required arguments) failed: {reply.describe()}")
    if not got:
        raise Skip("every prompt tried needs arguments and rejected accord's values: " + ", ".join(inconclusive))


@check("mcp.prompts.unknown-prompt", protocol="mcp")
def unknown_prompt_is_invalid_params(ctx: McpContext) -> None:
    name = unknown_name(ctx, {p["name"] for p in listed_prompts(ctx)}, "prompt")
    reply = get_prompt(ctx.session, name, None)
    if reply.response is None:
        no_response(f"prompts/get of the unlisted prompt {name!r}", reply)
    code = _error_code(reply)
    if code != -32602:
        raise Failure(f"prompts/get of the unlisted prompt {name!r} should get error -32602; got {reply.describe()}")


@check("mcp.prompts.missing-argument", protocol="mcp")
def missing_required_argument_is_invalid_params(ctx: McpContext) -> None:
    needing = [p for p in listed_prompts(ctx) if required_arguments(p)]
    ctx.require(needing, "no listed prompt has a required argument")
    prompt = needing[0]
    left_out = required_arguments(prompt)[0]
    arguments = filled_arguments(prompt, leave_out=left_out)
    reply = get_prompt(ctx.session, prompt["name"], arguments)
    what = f"prompts/get {prompt['name']!r} without its required argument {left_out!r}"
    if reply.response is None:
        no_response(f"{what}", reply)
    if _error_code(reply) != -32602:
        raise Failure(f"{what} should get error -32602; got {reply.describe()}", example=arguments)


@check("mcp.prompts.validate-arguments", protocol="mcp")
def non_string_arguments_are_rejected(ctx: McpContext) -> None:
    prompts = listed_prompts(ctx)
    ctx.require(prompts, "the server lists no prompts")
    with_arguments = [p for p in prompts if prompt_arguments(p)]
    prompt = with_arguments[0] if with_arguments else prompts[0]
    arguments: dict[str, Any] = dict(filled_arguments(prompt))
    target = prompt_arguments(prompt)[0]["name"] if with_arguments else "accord_argument"
    arguments[target] = 12345
    reply = get_prompt(ctx.opened(), prompt["name"], arguments)
    what = f"prompts/get {prompt['name']!r} with arguments {json.dumps(arguments)} (a number, not a string)"
    if reply.response is None:
        no_response(f"{what}", reply)
    if not isinstance(reply.response.get("error"), dict):
        raise Failure(f"{what} was rendered instead of rejected: {json.dumps(reply.response)[:300]}", example=arguments)


@check("mcp.prompts.image-audio-base64", protocol="mcp")
def prompt_media_is_base64_with_mime_type(ctx: McpContext) -> None:
    found = [(name, m["content"]) for name, m in gotten_messages(ctx, ("image", "audio", "asset", "media"))
             if isinstance(m.get("content"), dict) and m["content"].get("type") in ("image", "audio")]
    ctx.require(found, "no prompt message with image or audio content was observed")
    for name, block in found:
        problems = media_problems(block)
        if problems:
            raise Failure(f"prompt {name!r}: {block.get('type')} content: " + "; ".join(problems),
                          example={**block, "data": str(block.get("data"))[:200]})


def embedded_resource_problems(block: dict[str, Any]) -> list[str]:
    resource = block.get("resource")
    if not isinstance(resource, dict):
        return [f"resource is {resource!r}, not an object"]
    problems = []
    uri = resource.get("uri")
    if not isinstance(uri, str) or not _URI.fullmatch(uri):
        problems.append(f"uri {uri!r} is not a valid URI")
    if not isinstance(resource.get("mimeType"), str) or not resource["mimeType"]:
        problems.append("mimeType is missing")
    has_text = isinstance(resource.get("text"), str)
    has_blob = "blob" in resource
    if has_blob and not is_base64(resource.get("blob")):
        problems.append(f"blob is not valid base64: {str(resource.get('blob'))[:60]!r}")
    if has_text == has_blob:
        problems.append("it needs either text or blob content" if not has_text else "it has both text and blob")
    return problems


@check("mcp.prompts.embedded-resource-complete", protocol="mcp")
def prompt_embedded_resources_are_complete(ctx: McpContext) -> None:
    found = [(name, m["content"]) for name, m in gotten_messages(ctx, ("resource", "embed", "asset", "document"))
             if isinstance(m.get("content"), dict) and m["content"].get("type") == "resource"]
    ctx.require(found, "no prompt message with an embedded resource was observed")
    for name, block in found:
        problems = embedded_resource_problems(block)
        if problems:
            raise Failure(f"prompt {name!r}: embedded resource: " + "; ".join(problems), example=block)
