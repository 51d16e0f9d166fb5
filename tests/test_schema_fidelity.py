"""Our MCP schemas (specs/mcp/<version>/schema.json) against the official ones.

The official files are reference data in ../shared/upstream/mcp/<version>/ and
are only read here. For every version whose spec file exists we check that ours
is a well-formed 2020-12 schema, has the same definitions as upstream (minus the
deliberate differences listed below and in its top-level ``$comment``), and
accepts and rejects the same instances: generated ones (both directions, via
accord.strategies) and a hand-written set of realistic messages. Validators
treat ``format`` as an annotation (the 2020-12 default), so formats and the
members of the wide unions are also compared structurally.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from hypothesis import settings

from fidelity import (
    REPO, UPSTREAM_ROOT, Document, assert_generated_are_valid, assert_refs_resolve, assert_same_verdicts,
    assert_valid_2020_12, assert_verdict, fidelity_settings, formats, from_schema_or_skip,
)

SPECS = REPO / "specs" / "mcp"
UPSTREAM = UPSTREAM_ROOT / "mcp"
VERSIONS = ("2025-06-18", "2025-11-25")

# Deliberate differences from upstream: version -> {definition name: reason}.
# Each name listed here must also be named in that schema's top-level $comment.
ONLY_IN_OURS: dict[str, dict[str, str]] = {version: {} for version in VERSIONS}
ONLY_IN_UPSTREAM: dict[str, dict[str, str]] = {version: {} for version in VERSIONS}

# Generation is the expensive part (about 470 definition x direction pairs over both
# versions), so the example counts are kept small; raise them locally to dig deeper.
VALID_EXAMPLES = 10
INVALID_EXAMPLES = 5
FIDELITY_SETTINGS = fidelity_settings(VALID_EXAMPLES)
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")


def _missing_reason(version: str) -> str | None:
    if not (SPECS / version / "schema.json").is_file():
        return f"specs/mcp/{version}/schema.json is not written yet"
    if not (UPSTREAM / version / "schema.json").is_file():
        return f"upstream reference {UPSTREAM.resolve() / version / 'schema.json'} is absent"
    return None


@cache
def documents(version: str) -> tuple[Document, Document]:
    """(ours, upstream) for a version; skips the calling test when either file is absent."""
    reason = _missing_reason(version)
    if reason:
        pytest.skip(reason)
    ours = json.loads((SPECS / version / "schema.json").read_text(encoding="utf-8"))
    upstream = json.loads((UPSTREAM / version / "schema.json").read_text(encoding="utf-8"))
    return Document(ours, f"urn:accord:ours:mcp:{version}"), Document(upstream, f"urn:accord:upstream:mcp:{version}")


def _definition_cases() -> list[Any]:
    """(version, name) for every definition both files share, read at collection time."""
    cases: list[Any] = []
    for version in VERSIONS:
        reason = _missing_reason(version)
        if reason:
            cases.append(pytest.param(version, None, marks=pytest.mark.skip(reason=reason), id=f"{version}-absent"))
            continue
        ours = json.loads((SPECS / version / "schema.json").read_text(encoding="utf-8"))
        upstream = json.loads((UPSTREAM / version / "schema.json").read_text(encoding="utf-8"))
        ours_names = set(ours.get("$defs", {}))
        upstream_names = set(upstream.get("$defs", upstream.get("definitions", {})))
        cases.extend(pytest.param(version, name, id=f"{version}-{name}") for name in sorted(ours_names & upstream_names))
    return cases


DEFINITION_CASES = _definition_cases()


# 1. well-formed


@pytest.mark.parametrize("version", VERSIONS)
def test_ours_is_a_valid_2020_12_schema(version: str) -> None:
    ours, _ = documents(version)
    assert_valid_2020_12(ours.contents)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_ref_resolves(version: str) -> None:
    ours, _ = documents(version)
    assert_refs_resolve(ours, at_least=50, why="a full MCP schema refers between its definitions many times")


# 2. same definitions


@pytest.mark.parametrize("version", VERSIONS)
def test_same_definition_names_as_upstream(version: str) -> None:
    ours, upstream = documents(version)
    expected = (upstream.names - set(ONLY_IN_UPSTREAM[version])) | set(ONLY_IN_OURS[version])
    assert sorted(ours.names - expected) == [], "definitions upstream does not have"
    assert sorted(expected - ours.names) == [], "upstream definitions we lack"


@pytest.mark.parametrize("version", VERSIONS)
def test_deliberate_differences_are_documented(version: str) -> None:
    ours, _ = documents(version)
    comment = str(ours.contents.get("$comment", ""))
    for name in {**ONLY_IN_OURS[version], **ONLY_IN_UPSTREAM[version]}:
        assert name in comment, f"{name} differs from upstream on purpose; say so in the top-level $comment"


@pytest.mark.parametrize("version", VERSIONS)
def test_same_formats_on_the_same_properties(version: str) -> None:
    """Formats are annotations only in the validators below, so compare them here."""
    ours, upstream = documents(version)
    differences = {}
    for name in sorted(ours.names & upstream.names):
        mine = set(formats(ours.contents[ours.defs_key][name]))
        theirs = set(formats(upstream.contents[upstream.defs_key][name]))
        if mine != theirs:
            differences[name] = {"ours only": sorted(mine - theirs), "upstream only": sorted(theirs - mine)}
    assert any(formats(ours.contents)), "an MCP schema has uri formats"
    assert not differences, differences


def _union_members(schema: Any) -> set[str] | None:
    """Member names of a definition that is only an anyOf/oneOf of $refs, else None."""
    if not isinstance(schema, dict) or len(schema) != 1:
        return None
    (keyword, members), = schema.items()
    if keyword not in ("anyOf", "oneOf") or not all(isinstance(m, dict) and set(m) == {"$ref"} for m in members):
        return None
    return {m["$ref"].rsplit("/", 1)[-1] for m in members}


@pytest.mark.parametrize("version", VERSIONS)
def test_unions_have_the_same_members(version: str) -> None:
    """A missing member of a wide union is easy for a few generated examples to miss."""
    ours, upstream = documents(version)
    compared, differences = 0, {}
    for name in sorted(ours.names & upstream.names):
        theirs = _union_members(upstream.contents[upstream.defs_key][name])
        if theirs is None:
            continue
        compared += 1
        mine = _union_members(ours.contents[ours.defs_key][name])
        if mine != theirs:
            mine = mine or set()
            differences[name] = {"ours only": sorted(mine - theirs), "upstream only": sorted(theirs - mine)}
    assert compared >= 5, "ClientRequest, ServerRequest, ClientResult, ... are unions"
    assert not differences, differences


# 3. same instances, generated


@pytest.mark.parametrize(("version", "name"), DEFINITION_CASES)
@pytest.mark.parametrize("direction", ["ours-to-upstream", "upstream-to-ours"])
def test_generated_valid_instances_are_valid_under_both(version: str, name: str, direction: str) -> None:
    from_schema = from_schema_or_skip()
    ours, upstream = documents(version)
    source, target = (ours, upstream) if direction == "ours-to-upstream" else (upstream, ours)
    what = f"{name}: generated from {direction.split('-')[0]}"
    assert_generated_are_valid(from_schema(source.contents, name), target, name, FIDELITY_SETTINGS, what)


@pytest.mark.parametrize(("version", "name"), DEFINITION_CASES)
@pytest.mark.parametrize("direction", ["ours-to-upstream", "upstream-to-ours"])
def test_generated_invalid_instances_get_the_same_verdict(version: str, name: str, direction: str) -> None:
    from_schema = from_schema_or_skip()
    ours, upstream = documents(version)
    source, target = (ours, upstream) if direction == "ours-to-upstream" else (upstream, ours)
    what = f"{name} ({direction})"
    assert_same_verdicts(from_schema(source.contents, name, valid=False), (source, name), (target, name),
                         settings(FIDELITY_SETTINGS, max_examples=INVALID_EXAMPLES), what)


# 4. same verdicts on hand-written messages (independent of accord.strategies)

TEXT = {"type": "text", "text": "42 rows"}
IMAGE = {"type": "image", "data": "iVBORw0KGgo=", "mimeType": "image/png"}
AUDIO = {"type": "audio", "data": "UklGRiQAAABXQVZF", "mimeType": "audio/wav", "annotations": {"audience": ["user"]}}
RESOURCE_LINK = {"type": "resource_link", "uri": "file:///project/README.md", "name": "README.md", "mimeType": "text/markdown"}
TEXT_CONTENTS = {"uri": "file:///project/notes.txt", "mimeType": "text/plain", "text": "remember the milk"}
BLOB_CONTENTS = {"uri": "file:///project/logo.png", "mimeType": "image/png", "blob": "iVBORw0KGgo="}
EMBEDDED_TEXT = {"type": "resource", "resource": TEXT_CONTENTS, "annotations": {"priority": 0.5}}
EMBEDDED_BLOB = {"type": "resource", "resource": BLOB_CONTENTS}
WEATHER_TOOL = {
    "name": "get_weather",
    "title": "Weather",
    "description": "Current weather for a city",
    "inputSchema": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"city": {"type": "string"}, "units": {"type": "string", "enum": ["metric", "imperial"]}},
        "required": ["city"],
    },
    "outputSchema": {
        "type": "object",
        "properties": {"temperature": {"type": "number"}, "conditions": {"type": "string"}},
        "required": ["temperature"],
    },
    "annotations": {"readOnlyHint": True, "openWorldHint": True},
}
TASK = {
    "taskId": "task-7",
    "status": "working",
    "createdAt": "2025-11-25T10:00:00Z",
    "lastUpdatedAt": "2025-11-25T10:00:05Z",
    "ttl": 60000,
    "pollInterval": 1000,
}


def _initialize_request(version: str) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": version,
            "capabilities": {"roots": {"listChanged": True}, "sampling": {}, "elicitation": {}},
            "clientInfo": {"name": "accord", "version": "0.1.0"},
        },
    }


def _initialize_result(version: str) -> dict[str, Any]:
    return {
        "protocolVersion": version,
        "capabilities": {
            "tools": {"listChanged": True},
            "resources": {"subscribe": True, "listChanged": False},
            "prompts": {},
            "logging": {},
            "completions": {},
            "experimental": {"x-trace": {"level": 2}},
        },
        "serverInfo": {"name": "demo-server", "title": "Demo", "version": "1.2.3"},
        "instructions": "Call get_weather for forecasts.",
    }


# (label, definition or {version: definition}, instance or instance(version), expected verdict, versions)
Example = tuple[str, Any, Any, bool, tuple[str, ...]]
ERROR_RESPONSE = {"2025-06-18": "JSONRPCError", "2025-11-25": "JSONRPCErrorResponse"}
EXAMPLES: list[Example] = [
    ("initialize request", "InitializeRequest", _initialize_request, True, VERSIONS),
    ("initialize request as a client request", "ClientRequest", _initialize_request, True, VERSIONS),
    ("initialize request as a message", "JSONRPCMessage", _initialize_request, True, VERSIONS),
    ("initialize result", "InitializeResult", _initialize_result, True, VERSIONS),
    ("initialize result as a server result", "ServerResult", _initialize_result, True, VERSIONS),
    (
        "initialize response as a message",
        "JSONRPCMessage",
        lambda v: {"jsonrpc": "2.0", "id": 1, "result": _initialize_result(v)},
        True,
        VERSIONS,
    ),
    ("initialized notification", "InitializedNotification", {"jsonrpc": "2.0", "method": "notifications/initialized"}, True, VERSIONS),
    ("ping without params", "PingRequest", {"jsonrpc": "2.0", "id": "p-1", "method": "ping"}, True, VERSIONS),
    (
        "tools/list with cursor",
        "ListToolsRequest",
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {"cursor": "page-2"}},
        True,
        VERSIONS,
    ),
    ("tools/list result", "ListToolsResult", {"tools": [WEATHER_TOOL], "nextCursor": "page-3"}, True, VERSIONS),
    (
        "tools/call request",
        "CallToolRequest",
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "get_weather", "arguments": {"city": "Oslo"}, "_meta": {"progressToken": 9}}},
        True,
        VERSIONS,
    ),
    (
        "tools/call result with every content block type",
        "CallToolResult",
        {
            "content": [TEXT, IMAGE, AUDIO, RESOURCE_LINK, EMBEDDED_TEXT, EMBEDDED_BLOB],
            "structuredContent": {"temperature": 21.5, "conditions": "sunny"},
            "isError": False,
        },
        True,
        VERSIONS,
    ),
    ("tool error result", "CallToolResult", {"content": [{"type": "text", "text": "city not found"}], "isError": True}, True, VERSIONS),
    ("resources/read result", "ReadResourceResult", {"contents": [TEXT_CONTENTS, BLOB_CONTENTS]}, True, VERSIONS),
    (
        "prompts/get result",
        "GetPromptResult",
        {
            "description": "Review some code",
            "messages": [
                {"role": "user", "content": {"type": "text", "text": "Please review this"}},
                {"role": "assistant", "content": EMBEDDED_TEXT},
            ],
        },
        True,
        VERSIONS,
    ),
    (
        "method-not-found error",
        ERROR_RESPONSE,
        {"jsonrpc": "2.0", "id": 7, "error": {"code": -32601, "message": "Method not found"}},
        True,
        VERSIONS,
    ),
    (
        "error with data as a message",
        "JSONRPCMessage",
        {"jsonrpc": "2.0", "id": "x", "error": {"code": -32602, "message": "Invalid params", "data": {"field": "city"}}},
        True,
        VERSIONS,
    ),
    (
        "progress notification",
        "ProgressNotification",
        {"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": "abc", "progress": 50, "total": 100, "message": "half way"}},
        True,
        VERSIONS,
    ),
    (
        "cancelled notification",
        "ClientNotification",
        {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 3, "reason": "user gave up"}},
        True,
        VERSIONS,
    ),
    (
        "log message notification",
        "ServerNotification",
        {"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "warning", "logger": "db", "data": {"rows": 3}}},
        True,
        VERSIONS,
    ),
    (
        "resource updated notification",
        "ResourceUpdatedNotification",
        {"jsonrpc": "2.0", "method": "notifications/resources/updated", "params": {"uri": "file:///project/notes.txt"}},
        True,
        VERSIONS,
    ),
    ("tools list_changed notification", "ServerNotification", {"jsonrpc": "2.0", "method": "notifications/tools/list_changed"}, True, VERSIONS),
    (
        "sampling request",
        "CreateMessageRequest",
        {
            "jsonrpc": "2.0",
            "id": 11,
            "method": "sampling/createMessage",
            "params": {
                "messages": [{"role": "user", "content": {"type": "text", "text": "Summarise"}}],
                "modelPreferences": {"hints": [{"name": "claude"}], "costPriority": 0.2, "intelligencePriority": 0.9},
                "maxTokens": 200,
                "includeContext": "thisServer",
            },
        },
        True,
        VERSIONS,
    ),
    (
        "elicitation form request",
        "ElicitRequest",
        {
            "jsonrpc": "2.0",
            "id": 12,
            "method": "elicitation/create",
            "params": {
                "message": "Who are you?",
                "requestedSchema": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "minLength": 1},
                        "age": {"type": "integer", "minimum": 0},
                        "subscribe": {"type": "boolean", "default": False},
                    },
                    "required": ["name"],
                },
            },
        },
        True,
        VERSIONS,
    ),
    (
        "elicitation request as a server request",
        "ServerRequest",
        {"jsonrpc": "2.0", "id": 14, "method": "elicitation/create", "params": {"message": "Continue?", "requestedSchema": {"type": "object", "properties": {}}}},
        True,
        VERSIONS,
    ),
    ("elicitation accepted", "ElicitResult", {"action": "accept", "content": {"name": "Ada", "age": 36, "subscribe": True}}, True, VERSIONS),
    (
        "completion request",
        "CompleteRequest",
        {"jsonrpc": "2.0", "id": 13, "method": "completion/complete", "params": {"ref": {"type": "ref/prompt", "name": "review"}, "argument": {"name": "language", "value": "py"}}},
        True,
        VERSIONS,
    ),
    ("completion result", "CompleteResult", {"completion": {"values": ["python", "pyret"], "total": 2, "hasMore": False}}, True, VERSIONS),
    ("roots/list result", "ListRootsResult", {"roots": [{"uri": "file:///project", "name": "project"}]}, True, VERSIONS),
    (
        "tool with icons and execution",
        "Tool",
        {**WEATHER_TOOL, "icons": [{"src": "https://example.com/sun.png", "mimeType": "image/png", "sizes": ["48x48"], "theme": "light"}], "execution": {"taskSupport": "optional"}},
        True,
        ("2025-11-25",),
    ),
    ("tasks/get request", "ClientRequest", {"jsonrpc": "2.0", "id": 20, "method": "tasks/get", "params": {"taskId": "task-7"}}, True, ("2025-11-25",)),
    ("task created", "CreateTaskResult", {"task": TASK}, True, ("2025-11-25",)),
    ("task result with no ttl", "GetTaskResult", {**TASK, "ttl": None, "status": "completed"}, True, ("2025-11-25",)),
    (
        "task status notification",
        "ServerNotification",
        {"jsonrpc": "2.0", "method": "notifications/tasks/status", "params": {**TASK, "status": "input_required"}},
        True,
        ("2025-11-25",),
    ),
    (
        "sampling result with tool use",
        "CreateMessageResult",
        {"role": "assistant", "model": "m-1", "stopReason": "toolUse", "content": [{"type": "tool_use", "id": "t1", "name": "get_weather", "input": {"city": "Oslo"}}]},
        True,
        ("2025-11-25",),
    ),
    (
        "URL elicitation required error",
        "URLElicitationRequiredError",
        {
            "jsonrpc": "2.0",
            "id": 4,
            "error": {
                "code": -32042,
                "message": "Authorisation needed",
                "data": {"elicitations": [{"mode": "url", "message": "Sign in", "elicitationId": "e1", "url": "https://example.com/auth"}]},
            },
        },
        True,
        ("2025-11-25",),
    ),
    # rejected by both
    (
        "initialize without clientInfo",
        "InitializeRequest",
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}}},
        False,
        VERSIONS,
    ),
    ("initialize result without serverInfo", "InitializeResult", {"protocolVersion": "2025-06-18", "capabilities": {}}, False, VERSIONS),
    ("tool result without content", "CallToolResult", {"structuredContent": {"temperature": 3}}, False, VERSIONS),
    ("tool without inputSchema", "Tool", {"name": "get_weather"}, False, VERSIONS),
    ("tool inputSchema of type array", "Tool", {"name": "t", "inputSchema": {"type": "array"}}, False, VERSIONS),
    ("request with jsonrpc 1.0", "JSONRPCRequest", {"jsonrpc": "1.0", "id": 1, "method": "ping"}, False, VERSIONS),
    ("notification without jsonrpc", "JSONRPCNotification", {"method": "notifications/initialized"}, False, VERSIONS),
    # 2025-06-18 types its requests without the JSON-RPC envelope; 2025-11-25 includes it.
    ("ping with jsonrpc 1.0", "PingRequest", {"jsonrpc": "1.0", "id": 1, "method": "ping"}, False, ("2025-11-25",)),
    ("ping with a wrong method", "PingRequest", {"jsonrpc": "2.0", "id": 1, "method": "pong"}, False, VERSIONS),
    ("request with a null id", "JSONRPCRequest", {"jsonrpc": "2.0", "id": None, "method": "ping"}, False, VERSIONS),
    ("request with a fractional id", "JSONRPCRequest", {"jsonrpc": "2.0", "id": 1.5, "method": "ping"}, False, VERSIONS),
    ("content block with a wrong type", "ContentBlock", {"type": "txt", "text": "hi"}, False, VERSIONS),
    ("image without mimeType", "ImageContent", {"type": "image", "data": "iVBORw0KGgo="}, False, VERSIONS),
    ("misspelt initialized notification", "InitializedNotification", {"jsonrpc": "2.0", "method": "notifications/initialised"}, False, VERSIONS),
    (
        "log message with an unknown level",
        "LoggingMessageNotification",
        {"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "verbose", "data": "x"}},
        False,
        VERSIONS,
    ),
    ("progress without token", "ProgressNotification", {"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progress": 1}}, False, VERSIONS),
    ("priority above 1", "Annotations", {"priority": 1.5}, False, VERSIONS),
    ("error without message", ERROR_RESPONSE, {"jsonrpc": "2.0", "id": 7, "error": {"code": -32601}}, False, VERSIONS),
    ("error with a string code", ERROR_RESPONSE, {"jsonrpc": "2.0", "id": 7, "error": {"code": "oops", "message": "x"}}, False, VERSIONS),
    ("read result with a bare string", "ReadResourceResult", {"contents": ["remember the milk"]}, False, VERSIONS),
    ("task without ttl", "Task", {k: v for k, v in TASK.items() if k != "ttl"}, False, ("2025-11-25",)),
    ("task with an unknown status", "Task", {**TASK, "status": "paused"}, False, ("2025-11-25",)),
    ("icon with an unknown theme", "Icon", {"src": "https://example.com/a.png", "theme": "blue"}, False, ("2025-11-25",)),
    (
        "URL elicitation error with a wrong code",
        "URLElicitationRequiredError",
        {"jsonrpc": "2.0", "id": 4, "error": {"code": -32000, "message": "x", "data": {"elicitations": []}}},
        False,
        ("2025-11-25",),
    ),
    ("URL elicitation without url", "ElicitRequestURLParams", {"mode": "url", "message": "Sign in", "elicitationId": "e1"}, False, ("2025-11-25",)),
]


def _example_cases() -> list[Any]:
    cases = []
    for label, definition, instance, expected, versions in EXAMPLES:
        for version in versions:
            name = definition[version] if isinstance(definition, dict) else definition
            value = instance(version) if callable(instance) else instance
            verdict = "valid" if expected else "invalid"
            cases.append(pytest.param(version, name, value, expected, id=f"{version}-{verdict}-{label}"))
    return cases


@pytest.mark.parametrize(("version", "name", "instance", "expected"), _example_cases())
def test_hand_written_message_gets_the_same_verdict(version: str, name: str, instance: Any, expected: bool) -> None:
    ours, upstream = documents(version)
    for side, document in (("upstream", upstream), ("ours", ours)):
        assert_verdict(side, document, name, instance, expected)
