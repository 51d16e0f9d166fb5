"""Tools (server/tools): listing, schemas, names, calls, errors and results.

Tool calls have side effects in a real server, so calls are few (at most
MAX_CALLS per check), use arguments generated valid for the tool's inputSchema
(or broken on purpose for the validation checks), never touch excluded tools,
and never call a tool that looks like it reaches beyond the server (see
:func:`is_risky`) with generated arguments.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import jsonschema.validators
from hypothesis import HealthCheck, Phase, given, seed, settings

from ....outcomes import CheckOutcome, Failure, NotApplicable, Skip
from ....peer import Reply
from ....registry import check
from .. import declares, offered_only_if_declared
from ..context import McpContext
from ..session import McpSession, no_response
from .pagination import pages_valid, walk

MAX_CALLS = 3
"""Tool calls with generated arguments one check may make."""

TOOL_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,128}")

_RISKY_STEMS = ("fetch", "http", "https", "url", "download", "delete", "remove", "write", "exec", "execute",
                "shell", "email", "mail", "upload")
_RISKY_NAME_STEMS = _RISKY_STEMS + ("send",)
"""A tool *named* send_* is risky; a description saying it 'sends a notification' is not by itself."""


def _risk_pattern(stems: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z])(" + "|".join(stems) + r")(s|es|ed|d|ing)?(?![a-z])", re.IGNORECASE)


_RISKY_NAME = _risk_pattern(_RISKY_NAME_STEMS)
_RISKY_TEXT = _risk_pattern(_RISKY_STEMS)


def _words(name: str) -> str:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return re.sub(r"[^A-Za-z0-9]+", " ", spaced).lower()


def is_risky(tool: dict[str, Any]) -> bool:
    """Whether a tool's name, description or input schema suggests effects beyond the server
    (network, files, processes, messages to people)."""
    name = tool.get("name")
    if isinstance(name, str) and _RISKY_NAME.search(_words(name)):
        return True
    description = tool.get("description")
    if isinstance(description, str) and _RISKY_TEXT.search(description):
        return True
    schema = tool.get("inputSchema")
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if isinstance(properties, dict):
        for prop, sub in properties.items():
            text = _words(str(prop)) + " " + (str(sub.get("description", "")) if isinstance(sub, dict) else "")
            if _RISKY_TEXT.search(text):
                return True
    return False


# --- listing ---------------------------------------------------------------


def listed_tools(ctx: McpContext) -> list[dict[str, Any]]:
    """Every tool on every page of tools/list (fetched by this check, so its evidence shows it)."""
    try:
        pages = walk(ctx.session, "tools/list", "tools")
    except Failure as failure:
        raise Skip(f"tools/list did not work ({failure.message}); see mcp.tools.list") from None
    return [tool for tool in pages.items if isinstance(tool, dict)]


def callable_tools(ctx: McpContext, tools: list[dict[str, Any]], *, allow_risky: bool = False,
                   prefer: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Tools accord may call: not excluded, not task-only, with an object inputSchema; safe ones
    first (risky ones only when ``allow_risky``), those mentioning a ``prefer`` word before others."""
    usable = []
    for tool in tools:
        if not isinstance(tool.get("name"), str) or tool["name"] in ctx.settings.exclude_tools:
            continue
        if not isinstance(tool.get("inputSchema"), dict):
            continue
        execution = tool.get("execution")
        if isinstance(execution, dict) and execution.get("taskSupport") == "required":
            continue
        risky = is_risky(tool)
        if risky and not allow_risky:
            continue
        text = f"{_words(tool['name'])} {tool.get('description', '')}".lower()
        preferred = any(word in text for word in prefer)
        usable.append(((risky, not preferred), tool))
    usable.sort(key=lambda pair: pair[0])  # stable: listing order within a rank
    return [tool for _, tool in usable]


# --- arguments ---------------------------------------------------------------


def schema_validator(schema: dict[str, Any]) -> Any:
    """A validator for an instance against ``schema`` in its declared dialect (2020-12 by default); None if unknown."""
    if isinstance(schema.get("$schema"), str):
        cls = jsonschema.validators.validator_for(schema, default=None)
    else:
        cls = jsonschema.Draft202012Validator
    if cls is None:
        return None
    try:
        return cls(schema)
    except Exception:
        return None


def argument_examples(schema: dict[str, Any], run_seed: int, count: int = MAX_CALLS) -> list[dict[str, Any]]:
    """Up to ``count`` distinct argument objects valid for ``schema``, the same for the same seed."""
    try:
        from ....strategies import from_schema

        strategy = from_schema(schema)
    except Exception:
        return []
    validator = schema_validator(schema)
    found: list[dict[str, Any]] = []

    @seed(run_seed)
    @settings(database=None, max_examples=max(count * 4, 8), phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(instance: Any) -> None:
        if isinstance(instance, dict) and instance not in found and len(found) < count:
            if validator is None or validator.is_valid(instance):
                found.append(instance)

    try:
        collect()
    except Exception:
        pass
    return found


_WRONG_VALUES: dict[str, Any] = {
    "string": 12345, "number": "not-a-number", "integer": "not-an-integer", "boolean": "not-a-boolean",
    "array": "not-an-array", "object": "not-an-object", "null": "not-null",
}


def invalid_arguments(schema: dict[str, Any], valid: dict[str, Any] | None) -> list[tuple[dict[str, Any], str]]:
    """Argument objects that break ``schema`` in one plain way each, with what each breaks:
    a required property left out, a typed property given a value of another type."""
    validator = schema_validator(schema)
    if validator is None:
        return []
    base = dict(valid or {})
    broken: list[tuple[dict[str, Any], str]] = []
    required = [r for r in schema.get("required", []) if isinstance(r, str)] \
        if isinstance(schema.get("required"), list) else []
    if required:
        arguments = {k: v for k, v in base.items() if k != required[0]}
        broken.append((arguments, f"required property {required[0]!r} left out"))
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for name, sub in properties.items():
            declared = sub.get("type") if isinstance(sub, dict) else None
            if isinstance(declared, str) and declared in _WRONG_VALUES:
                arguments = {**base, name: _WRONG_VALUES[declared]}
                broken.append((arguments, f"property {name!r} (type {declared}) given {_WRONG_VALUES[declared]!r}"))
                break
    return [(arguments, how) for arguments, how in broken if not validator.is_valid(arguments)]


# --- calls -------------------------------------------------------------------


@dataclass
class ToolCall:
    tool: str
    arguments: Any
    reply: Reply

    @property
    def response(self) -> dict[str, Any] | None:
        return self.reply.response

    @property
    def result(self) -> dict[str, Any] | None:
        result = (self.response or {}).get("result")
        return result if isinstance(result, dict) else None

    @property
    def error(self) -> dict[str, Any] | None:
        error = (self.response or {}).get("error")
        return error if isinstance(error, dict) else None

    @property
    def is_error(self) -> bool:
        return self.result is not None and self.result.get("isError") is True

    @property
    def succeeded(self) -> bool:
        """A result that is not flagged as an error."""
        return self.result is not None and not self.is_error

    def describe(self) -> str:
        return f"tools/call {self.tool!r} with arguments {json.dumps(self.arguments)[:200]}"


def call_tool(session: McpSession, name: str, arguments: Any) -> ToolCall:
    return ToolCall(name, arguments, session.request("tools/call", {"name": name, "arguments": arguments}))


def valid_calls(ctx: McpContext, tools: list[dict[str, Any]], *, limit: int = MAX_CALLS, per_tool: int = 1,
                prefer: Sequence[str] = (), session: McpSession | None = None) -> Iterator[ToolCall]:
    """Calls of safe tools with arguments generated valid for their inputSchema, at most ``limit``.
    Stops after a call that got no response (the server may be stuck)."""
    session = session or ctx.session
    made = 0
    for tool in callable_tools(ctx, tools, prefer=prefer):
        for arguments in argument_examples(tool["inputSchema"], ctx.settings.seed, per_tool):
            if made >= limit:
                return
            made += 1
            call = call_tool(session, tool["name"], arguments)
            yield call
            if call.response is None:
                return


def invalid_calls(ctx: McpContext, tools: list[dict[str, Any]], *, limit: int = 2,
                  session: McpSession | None = None) -> Iterator[tuple[ToolCall, str]]:
    """Calls with arguments that break the tool's inputSchema (safe tools first; others only as a last
    resort, since a conforming server rejects the arguments before the tool runs)."""
    session = session or ctx.session
    made = 0
    for tool in callable_tools(ctx, tools, allow_risky=True):
        valid = argument_examples(tool["inputSchema"], ctx.settings.seed, 1)
        for arguments, how in invalid_arguments(tool["inputSchema"], valid[0] if valid else None):
            if made >= limit:
                return
            made += 1
            yield call_tool(session, tool["name"], arguments), how
        if made:
            return  # one tool is enough


def first_invalid_call(ctx: McpContext) -> tuple[ToolCall, str]:
    tools = listed_tools(ctx)
    for call, how in invalid_calls(ctx, tools, limit=1):
        return call, how
    raise NotApplicable("no callable tool has an inputSchema with a required or typed property to break")


def no_answer(call: ToolCall) -> CheckOutcome:
    """What to raise for a call left unanswered (see session.no_response)."""
    try:
        no_response(call.describe(), call.reply)
    except Failure as failure:
        failure.example = call.arguments
        return failure
    except CheckOutcome as outcome:
        return outcome


def unknown_name(ctx: McpContext, taken: set[str], kind: str) -> str:
    digest = hashlib.sha256(f"accord-{kind}-{ctx.settings.seed}".encode()).hexdigest()[:12]
    name = f"accord-no-such-{kind}-{digest}"
    while name in taken:
        name += "x"
    return name


# --- checks: capability and listing --------------------------------------------


@check("mcp.tools.capability-declared", protocol="mcp")
def tools_offered_only_with_capability(ctx: McpContext) -> None:
    reply = ctx.session.request("tools/list")
    offered_only_if_declared(ctx.capabilities, "tools", reply, "tools/list", "mcp.tools.list")


@check("mcp.tools.list", protocol="mcp")
def tools_list_pages_are_valid(ctx: McpContext) -> None:
    pages_valid(ctx, walk(ctx.session, "tools/list", "tools"), "ListToolsResult")


def _tools_or_not_applicable(ctx: McpContext) -> list[dict[str, Any]]:
    tools = listed_tools(ctx)
    ctx.require(tools, "the server lists no tools")
    return tools


@check("mcp.tools.input-schema-object", protocol="mcp")
def input_schemas_are_object_schemas(ctx: McpContext) -> None:
    for tool in _tools_or_not_applicable(ctx):
        schema = tool.get("inputSchema")
        if not isinstance(schema, dict) or schema.get("type") != "object":
            raise Failure(f"tool {tool.get('name')!r} has inputSchema {json.dumps(schema)[:300]}, "
                          'not an object schema with "type": "object"', example=tool)


def schema_problems(schema: dict[str, Any], version: str) -> list[str] | None:
    """What makes ``schema`` an invalid JSON Schema under its dialect; None if the dialect is unknown."""
    declared = schema.get("$schema")
    if declared is not None and not isinstance(declared, str):
        return [f"$schema is {declared!r}, not a URI string"]
    if isinstance(declared, str):
        cls = jsonschema.validators.validator_for(schema, default=None)
        candidates = [cls] if cls is not None else []
    elif version >= "2025-11-25":
        candidates = [jsonschema.Draft202012Validator]
    else:  # 2025-06-18 names no default dialect: any of the two common ones will do
        candidates = [jsonschema.Draft202012Validator, jsonschema.Draft7Validator]
    if not candidates:
        return None
    problems: list[str] = []
    for cls in candidates:
        # structural validity against the metaschema; formats (such as "regex", whose flavour
        # differs between ECMA-262 and Python) are not asserted
        errors = sorted(cls(cls.META_SCHEMA).iter_errors(schema), key=lambda e: list(e.absolute_path))
        if not errors:
            return []
        dialect = cls.META_SCHEMA.get("$id") or cls.META_SCHEMA.get("id")
        problems.extend(f"under {dialect}: at /{'/'.join(map(str, e.absolute_path))}: {e.message}"[:300]
                        for e in errors[:3])
    return problems


def _judge_schemas(ctx: McpContext, key: str) -> None:
    tools = _tools_or_not_applicable(ctx)
    judged = 0
    unknown: list[str] = []
    for tool in tools:
        schema = tool.get(key)
        if not isinstance(schema, dict):
            continue
        problems = schema_problems(schema, ctx.version)
        if problems is None:
            unknown.append(f"{tool.get('name')!r} ({schema.get('$schema')})")
            continue
        judged += 1
        if problems:
            raise Failure(f"tool {tool.get('name')!r}: {key} is not a valid JSON Schema: " + "; ".join(problems),
                          example=schema)
    if not judged:
        if unknown:
            raise Skip(f"every {key} names a dialect accord does not know: {', '.join(unknown)}")
        raise NotApplicable(f"no listed tool has an object {key}")


@check("mcp.tools.input-schema-valid", protocol="mcp")
def input_schemas_are_valid_json_schemas(ctx: McpContext) -> None:
    _judge_schemas(ctx, "inputSchema")


@check("mcp.tools.output-schema-object", protocol="mcp")
def output_schemas_are_object_schemas(ctx: McpContext) -> None:
    with_output = [t for t in _tools_or_not_applicable(ctx) if "outputSchema" in t]
    ctx.require(with_output, "no listed tool declares an outputSchema")
    for tool in with_output:
        schema = tool["outputSchema"]
        if not isinstance(schema, dict) or schema.get("type") != "object":
            raise Failure(f"tool {tool.get('name')!r} has outputSchema {json.dumps(schema)[:300]}, "
                          'not an object schema with "type": "object"', example=tool)


@check("mcp.tools.output-schema-valid", protocol="mcp")
def output_schemas_are_valid_json_schemas(ctx: McpContext) -> None:
    _judge_schemas(ctx, "outputSchema")


@check("mcp.tools.name-format", protocol="mcp")
def tool_names_follow_the_naming_rules(ctx: McpContext) -> None:
    names = [t.get("name") for t in _tools_or_not_applicable(ctx) if isinstance(t.get("name"), str)]
    ctx.require(names, "no listed tool has a string name")
    bad = [name for name in names if not TOOL_NAME.fullmatch(name)]
    if bad:
        raise Failure("tool names outside 1-128 characters of A-Z a-z 0-9 _ - . : "
                      + ", ".join(repr(n[:140]) for n in bad[:5]), example=bad)


@check("mcp.tools.name-unique", protocol="mcp")
def tool_names_are_unique(ctx: McpContext) -> None:
    try:
        pages = walk(ctx.session, "tools/list", "tools")
    except Failure as failure:
        raise Skip(f"tools/list did not work ({failure.message}); see mcp.tools.list") from None
    if pages.loop is not None or pages.broken or pages.truncated:
        raise Skip("the complete tools/list could not be fetched (its cursor chain cycles, breaks off or is too long); "
                   "see mcp.pagination.cursor-terminates")
    names = [t.get("name") for t in pages.items if isinstance(t, dict) and isinstance(t.get("name"), str)]
    ctx.require(len(names) >= 2, "fewer than two tools are listed: no two names can clash")
    twice = sorted(name for name, count in Counter(names).items() if count > 1)
    if twice:
        raise Failure(f"tools/list (all pages) lists these names more than once: {', '.join(map(repr, twice[:5]))}")


# --- checks: calls and errors -----------------------------------------------------


@check("mcp.tools.call-result", protocol="mcp")
def calling_a_tool_gives_a_call_tool_result(ctx: McpContext) -> None:
    tools = _tools_or_not_applicable(ctx)
    calls = 0
    for call in valid_calls(ctx, tools, prefer=("status", "echo", "get", "list", "read")):
        calls += 1
        if call.response is None:
            raise no_answer(call)
        if call.result is not None:
            ctx.validate("CallToolResult", call.result, f"the result of {call.describe()}")
            return
        if call.error is None:
            raise Failure(f"{call.describe()} got a response with neither a result object nor an error: "
                          f"{json.dumps(call.response)[:300]}")
    if not calls:
        raise NotApplicable("no listed tool can be called safely with generated arguments "
                            "(excluded, task-only, risky, or no valid arguments could be generated)")
    # every call was answered with a JSON-RPC error, which the requirement allows


@check("mcp.tools.unknown-tool-error", protocol="mcp")
def unknown_tool_gets_an_error(ctx: McpContext) -> None:
    taken = {t.get("name") for t in listed_tools(ctx)}
    name = unknown_name(ctx, {n for n in taken if isinstance(n, str)}, "tool")
    call = call_tool(ctx.session, name, {})
    if call.response is None:
        raise no_answer(call)
    if call.error is None:
        raise Failure(f"tools/call of the unlisted tool {name!r} got a result instead of a JSON-RPC error: "
                      f"{json.dumps(call.response)[:300]}")


@check("mcp.tools.malformed-call-error", protocol="mcp")
def malformed_call_gets_an_error(ctx: McpContext) -> None:
    tools = listed_tools(ctx)
    variants: list[tuple[str, dict[str, Any]]] = [
        ("name missing", {"arguments": {}}),
        ("name not a string", {"name": 12345, "arguments": {}}),
    ]
    usable = callable_tools(ctx, tools)
    if usable:
        variants.append(("arguments not an object", {"name": usable[0]["name"], "arguments": "not-an-object"}))
    session = ctx.opened()
    for what, params in variants:
        reply = session.request("tools/call", params)
        if reply.response is None:
            no_response(f"tools/call with {what} ({json.dumps(params)})", reply)
        if not isinstance(reply.response.get("error"), dict):
            raise Failure(f"tools/call with {what} ({json.dumps(params)}) got no JSON-RPC error: "
                          f"{json.dumps(reply.response)[:300]}", example=params)


@check("mcp.tools.input-validation-error", protocol="mcp")
def invalid_arguments_are_a_tool_execution_error(ctx: McpContext) -> None:
    call, how = first_invalid_call(ctx)
    if call.response is None:
        raise no_answer(call)
    if call.error is not None:
        raise Failure(f"{call.describe()} ({how}) got a JSON-RPC error {call.error} instead of a result with "
                      "isError true (input validation errors are tool execution errors)", example=call.arguments)
    if not call.is_error:
        raise Failure(f"{call.describe()} ({how}) succeeded instead of returning isError true",
                      example=call.arguments)
    ctx.validate("CallToolResult", call.result, f"the isError result of {call.describe()}")


@check("mcp.tools.invalid-arguments-protocol-error", protocol="mcp")
def invalid_arguments_are_a_protocol_error(ctx: McpContext) -> None:
    call, how = first_invalid_call(ctx)
    if call.response is None:
        raise no_answer(call)
    if call.error is None:
        raise Failure(f"{call.describe()} ({how}) got a result instead of a JSON-RPC error: "
                      f"{json.dumps(call.response)[:300]}", example=call.arguments)


@check("mcp.tools.validate-inputs", protocol="mcp")
def invalid_arguments_never_succeed(ctx: McpContext) -> None:
    calls = list(invalid_calls(ctx, listed_tools(ctx), limit=2))
    ctx.require(calls, "no callable tool has an inputSchema with a required or typed property to break")
    for call, how in calls:
        if call.response is None:
            raise no_answer(call)
        if call.succeeded:
            raise Failure(f"{call.describe()} ({how}) succeeded: the arguments were not validated",
                          example=call.arguments)
        if call.result is None and call.error is None:
            raise Failure(f"{call.describe()} ({how}) got neither a result nor an error: "
                          f"{json.dumps(call.response)[:300]}")


@check("mcp.tools.is-error-result", protocol="mcp")
def tool_failures_are_well_formed_error_results(ctx: McpContext) -> None:
    tools = listed_tools(ctx)
    seen: list[ToolCall] = []
    if ctx.version >= "2025-11-25":  # there, broken arguments make a tool execution error
        seen.extend(call for call, _ in invalid_calls(ctx, tools, limit=1))
    if not any(call.is_error for call in seen):
        seen.extend(valid_calls(ctx, tools, limit=2, prefer=("error", "fail", "invalid", "zero")))
    failed = [call for call in seen if call.is_error]
    ctx.require(failed, "no tool call made here produced a result with isError true")
    for call in failed:
        ctx.validate("CallToolResult", call.result, f"the isError result of {call.describe()}")
        content = call.result.get("content") if call.result else None
        if not content:
            raise Failure(f"{call.describe()} returned isError true with no content explaining the failure")


# --- checks: results ------------------------------------------------------------


def _successful_calls(ctx: McpContext, tools: list[dict[str, Any]], *, prefer: Sequence[str] = (),
                      limit: int = MAX_CALLS, per_tool: int = 1) -> list[ToolCall]:
    return [call for call in valid_calls(ctx, tools, prefer=prefer, limit=limit, per_tool=per_tool)
            if call.succeeded]


@check("mcp.tools.structured-content-valid", protocol="mcp")
def structured_content_matches_output_schema(ctx: McpContext) -> None:
    tools = [t for t in _tools_or_not_applicable(ctx) if isinstance(t.get("outputSchema"), dict)]
    ctx.require(tools, "no listed tool declares an outputSchema")
    schemas = {t["name"]: t["outputSchema"] for t in tools}
    calls = _successful_calls(ctx, tools, per_tool=2)
    if not calls:
        raise Skip("no call of a tool with an outputSchema succeeded (no safe tool, or every call failed)")
    for call in calls:
        assert call.result is not None
        structured = call.result.get("structuredContent")
        if structured is None:
            raise Failure(f"{call.describe()} succeeded without structuredContent although the tool declares "
                          "an outputSchema", example=call.arguments)
        validator = schema_validator(schemas[call.tool])
        if validator is None:
            raise Skip(f"the outputSchema of {call.tool!r} names a dialect accord does not know")
        errors = [e.message for e in validator.iter_errors(structured)][:3]
        if errors:
            raise Failure(f"{call.describe()}: structuredContent does not match the outputSchema: "
                          + "; ".join(errors), example={"arguments": call.arguments, "structuredContent": structured})


@check("mcp.tools.structured-content-with-text", protocol="mcp")
def structured_content_is_also_text(ctx: McpContext) -> None:
    tools = _tools_or_not_applicable(ctx)
    with_output = [t for t in tools if isinstance(t.get("outputSchema"), dict)]
    calls = [c for c in _successful_calls(ctx, with_output or tools, prefer=("structured",))
             if c.result is not None and "structuredContent" in c.result]
    ctx.require(calls, "no tool result with structuredContent was observed")
    for call in calls:
        assert call.result is not None
        texts = [b.get("text") for b in call.result.get("content") or [] if isinstance(b, dict) and b.get("type") == "text"]
        if not any(_same_json(text, call.result["structuredContent"]) for text in texts):
            raise Failure(f"{call.describe()} returned structuredContent but no text block holding the same JSON",
                          example=call.result)


def _same_json(text: Any, value: Any) -> bool:
    if not isinstance(text, str):
        return False
    try:
        return json.loads(text) == value
    except ValueError:
        return False


def is_base64(data: Any) -> bool:
    if not isinstance(data, str) or len(data) % 4:
        return False
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def media_problems(block: dict[str, Any]) -> list[str]:
    """What is wrong with an image or audio content block (empty when nothing)."""
    problems = []
    if not is_base64(block.get("data")):
        problems.append(f"data is not valid base64: {str(block.get('data'))[:60]!r}")
    mime = block.get("mimeType")
    if not isinstance(mime, str) or "/" not in mime:
        problems.append(f"mimeType is {mime!r}")
    return problems


def content_blocks(calls: list[ToolCall], kinds: tuple[str, ...]) -> list[tuple[ToolCall, dict[str, Any]]]:
    return [(call, block) for call in calls if call.result is not None
            for block in call.result.get("content") or [] if isinstance(block, dict) and block.get("type") in kinds]


@check("mcp.tools.content-base64", protocol="mcp")
def media_content_is_base64_with_mime_type(ctx: McpContext) -> None:
    calls = _successful_calls(ctx, _tools_or_not_applicable(ctx),
                              prefer=("image", "audio", "media", "picture", "sound", "png"))
    blocks = content_blocks(calls, ("image", "audio"))
    ctx.require(blocks, "no tool result with image or audio content was observed")
    for call, block in blocks:
        problems = media_problems(block)
        if problems:
            raise Failure(f"{call.describe()}: {block.get('type')} content: " + "; ".join(problems),
                          example={**block, "data": str(block.get("data"))[:200]})


@check("mcp.tools.embedded-resources-capability", protocol="mcp")
def embedded_resources_come_with_resources_capability(ctx: McpContext) -> None:
    calls = _successful_calls(ctx, _tools_or_not_applicable(ctx), prefer=("resource", "embed", "media"))
    blocks = content_blocks(calls, ("resource",))
    ctx.require(blocks, "no tool result with an embedded resource was observed")
    if not declares(ctx.capabilities, "resources"):
        call, block = blocks[0]
        raise Failure(f"{call.describe()} embeds a resource but the server does not declare the resources capability",
                      example=block)
