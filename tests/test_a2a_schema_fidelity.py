"""Our A2A schemas (specs/a2a/<version>/schema.json) against the official sources.

Reference data in ../shared/upstream/a2a/ is only read here:

- 0.3.0: the official draft-07 JSON schema (``definitions``). Ours must have the
  same definition names, members and required members, and accept and reject
  the same generated instances in both directions (via accord.strategies).
- 1.0: the normative proto (``1.0.0/a2a.proto``), parsed below by a small regex
  reader. Every message and enum must be a definition of ours with the same
  fields in their ProtoJSON (lowerCamelCase) spelling, ``required`` exactly the
  fields marked REQUIRED, the enum value names, and a ``oneOf`` per proto oneof.
  The official JSON bundle (``1.0.0/a2a.json``, non-normative, title-keyed, with
  unresolved per-message ``$ref``s) is registered as upstream documents and, read
  with its objects opened (unknown members ignored, spec 5.7), must accept every
  instance generated from ours.

Both versions also judge a hand-written set of realistic messages. Validators
treat ``format`` as an annotation (the 2020-12 default).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Iterator

import pytest
from hypothesis import settings

from accord.schema import SchemaDocument
from fidelity import (
    DRAFT_2020_12, REPO, UPSTREAM_ROOT, Document, absent, assert_generated_are_valid, assert_refs_resolve,
    assert_same_verdicts, assert_valid_2020_12, fidelity_settings, from_schema_or_skip, object_parts, require,
)

SPECS = REPO / "specs" / "a2a"
UPSTREAM = UPSTREAM_ROOT / "a2a"
VERSIONS = ("0.3.0", "1.0")
UPSTREAM_JSON_03 = UPSTREAM / "0.3.0" / "a2a.json"
UPSTREAM_PROTO_10 = UPSTREAM / "1.0.0" / "a2a.proto"
UPSTREAM_BUNDLE_10 = UPSTREAM / "1.0.0" / "a2a.json"
BUNDLE_BASE = "https://bundle.a2a.invalid/"

# 1.0 definitions that are not proto messages or enums; each is named in the top-level $comment.
METHODS_10 = (
    "SendMessage", "SendStreamingMessage", "GetTask", "ListTasks", "CancelTask", "SubscribeToTask",
    "CreateTaskPushNotificationConfig", "GetTaskPushNotificationConfig", "ListTaskPushNotificationConfigs",
    "GetExtendedAgentCard", "DeleteTaskPushNotificationConfig",
)
A2A_ERRORS_10 = {  # name: (JSON-RPC code, ErrorInfo reason), spec sections 5.4 and 9.5
    "TaskNotFoundError": (-32001, "TASK_NOT_FOUND"),
    "TaskNotCancelableError": (-32002, "TASK_NOT_CANCELABLE"),
    "PushNotificationNotSupportedError": (-32003, "PUSH_NOTIFICATION_NOT_SUPPORTED"),
    "UnsupportedOperationError": (-32004, "UNSUPPORTED_OPERATION"),
    "ContentTypeNotSupportedError": (-32005, "CONTENT_TYPE_NOT_SUPPORTED"),
    "InvalidAgentResponseError": (-32006, "INVALID_AGENT_RESPONSE"),
    "ExtendedAgentCardNotConfiguredError": (-32007, "EXTENDED_AGENT_CARD_NOT_CONFIGURED"),
    "ExtensionSupportRequiredError": (-32008, "EXTENSION_SUPPORT_REQUIRED"),
    "VersionNotSupportedError": (-32009, "VERSION_NOT_SUPPORTED"),
}
STANDARD_ERRORS = {"JSONParseError": -32700, "InvalidRequestError": -32600, "MethodNotFoundError": -32601,
                   "InvalidParamsError": -32602, "InternalError": -32603}
ONLY_IN_OURS_10 = {
    "Struct", "Value", "Timestamp", "Empty",
    "JSONRPCRequest", "JSONRPCSuccessResponse", "JSONRPCErrorResponse", "JSONRPCResponse", "JSONRPCError", "A2ARequest",
    *(f"{m}JSONRPC{s}" for m in METHODS_10 for s in ("Request", "SuccessResponse", "Response")),
    *STANDARD_ERRORS, *A2A_ERRORS_10, "A2AError", "A2AErrorReason", "ErrorInfo", "ErrorDetail",
    "HTTPErrorResponse", "HTTPError",
}
# Required repeated fields that may be empty after all (named in the $comment).
MAY_BE_EMPTY_10 = {("ListTasksResponse", "tasks")}

VALID_EXAMPLES = 6
INVALID_EXAMPLES = 4
FIDELITY_SETTINGS = fidelity_settings(VALID_EXAMPLES)
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")


@cache
def ours(version: str) -> Document:
    path = SPECS / version / "schema.json"
    return Document(json.loads(path.read_text(encoding="utf-8")), f"urn:accord:ours:a2a:{version}")


@cache
def upstream_03() -> Document:
    require(UPSTREAM_JSON_03)
    return Document(json.loads(UPSTREAM_JSON_03.read_text(encoding="utf-8")), "urn:accord:upstream:a2a:0.3.0")


# --------------------------------------------------------------------------- the 1.0 proto, read by regex


@dataclass
class ProtoField:
    name: str
    type: str
    label: str  # "", "optional", "repeated" or "map"
    required: bool
    oneof: str | None

    @property
    def json_name(self) -> str:
        return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), self.name)


@dataclass
class ProtoMessage:
    name: str
    fields: list[ProtoField] = field(default_factory=list)

    def oneofs(self) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for f in self.fields:
            if f.oneof:
                groups.setdefault(f.oneof, []).append(f.json_name)
        return groups


_FIELD = re.compile(
    r"^\s*(?P<label>optional\s+|repeated\s+)?(?P<type>map\s*<[^>]+>|[\w.]+)\s+(?P<name>\w+)\s*=\s*\d+\s*(?P<options>\[[^\]]*\])?\s*;",
    re.MULTILINE,
)


def _block(text: str, start: int) -> tuple[str, int]:
    """The text between the brace at or after ``start`` and its match, and the index after it."""
    opening = text.index("{", start)
    depth = 0
    for index in range(opening, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return text[opening + 1 : index], index + 1
    raise ValueError("unbalanced braces in the proto")


def _fields(body: str, oneof: str | None) -> list[ProtoField]:
    found = []
    for match in _FIELD.finditer(body):
        label = (match["label"] or "").strip()
        if match["type"].startswith("map"):
            label = "map"
        required = bool(match["options"]) and "REQUIRED" in match["options"]
        found.append(ProtoField(match["name"], match["type"], label, required, oneof))
    return found


@cache
def proto_10() -> tuple[dict[str, ProtoMessage], dict[str, list[str]]]:
    """(messages, enums) of the 1.0 proto; top-level only (it has no nested types)."""
    require(UPSTREAM_PROTO_10)
    text = re.sub(r"//[^\n]*", "", UPSTREAM_PROTO_10.read_text(encoding="utf-8"))
    messages: dict[str, ProtoMessage] = {}
    enums: dict[str, list[str]] = {}
    for match in re.finditer(r"^(message|enum)\s+(\w+)\s*\{", text, re.MULTILINE):
        body, _ = _block(text, match.start())
        if match[1] == "enum":
            enums[match[2]] = re.findall(r"^\s*([A-Z][A-Z0-9_]*)\s*=\s*\d+\s*;", body, re.MULTILINE)
            continue
        message = ProtoMessage(match[2])
        rest, position = "", 0
        for group in re.finditer(r"\boneof\s+(\w+)\s*\{", body):
            if group.start() < position:
                continue
            inner, end = _block(body, group.start())
            message.fields.extend(_fields(inner, group[1]))
            rest += body[position : group.start()]
            position = end
        message.fields.extend(_fields(rest + body[position:], None))
        messages[message.name] = message
    return messages, enums


def test_the_proto_reader_reads_the_proto() -> None:
    messages, enums = proto_10()
    assert len(messages) >= 40 and set(enums) == {"TaskState", "Role"}
    assert enums["Role"] == ["ROLE_UNSPECIFIED", "ROLE_USER", "ROLE_AGENT"]
    part = messages["Part"]
    assert part.oneofs() == {"content": ["text", "raw", "url", "data"]}
    assert [f.json_name for f in part.fields if not f.oneof] == ["metadata", "filename", "mediaType"]
    card = {f.name: f for f in messages["AgentCard"].fields}
    assert card["supported_interfaces"].label == "repeated" and card["supported_interfaces"].required
    assert card["security_schemes"].label == "map" and not card["security_schemes"].required
    assert card["icon_url"].label == "optional"
    assert [f.json_name for f in messages["OAuth2SecurityScheme"].fields] == ["description", "flows", "oauth2MetadataUrl"]
    declared = len(re.findall(r"^message\s", UPSTREAM_PROTO_10.read_text(encoding="utf-8"), re.MULTILINE))
    assert len(messages) == declared
    field_lines = re.findall(r"=\s*\d+\s*(?:\[[^\]]*\])?\s*;", re.sub(r"//[^\n]*", "", UPSTREAM_PROTO_10.read_text(encoding="utf-8")))
    assert sum(len(m.fields) for m in messages.values()) + sum(map(len, enums.values())) == len(field_lines)


# --------------------------------------------------------------------------- the 1.0 JSON bundle


def _bundle_name(title: str) -> str:
    return title.replace(" ", "")


def _bundle_uri(name: str) -> str:
    package = "google.protobuf" if name in ("Struct", "Timestamp", "Value") else "lf.a2a.v1"
    return f"{BUNDLE_BASE}{package}.{name}.jsonschema.json"


def _opened(node: Any) -> Any:
    """A bundle schema with ``additionalProperties: false`` dropped: unknown members are ignored (spec 5.7)."""
    if isinstance(node, dict):
        return {k: _opened(v) for k, v in node.items() if not (k == "additionalProperties" and v is False)}
    if isinstance(node, list):
        return [_opened(v) for v in node]
    return node


@cache
def upstream_bundle_10(opened: bool) -> Document:
    """The bundle as a document with ``$defs`` keyed by proto name; its per-message refs resolve via the registry."""
    require(UPSTREAM_BUNDLE_10)
    bundle = json.loads(UPSTREAM_BUNDLE_10.read_text(encoding="utf-8"))
    defs = {_bundle_name(s["title"]): (_opened(s) if opened else copy.deepcopy(s)) for s in bundle["definitions"].values()}
    extra = {_bundle_uri(name): schema for name, schema in defs.items()}
    contents = {"$schema": DRAFT_2020_12, "$defs": {name: {"$ref": _bundle_uri(name)} for name in defs}}
    return Document(contents, f"{BUNDLE_BASE}{'opened' if opened else 'strict'}.json", extra)


def test_bundle_titles_are_the_proto_names() -> None:
    messages, _ = proto_10()
    names = upstream_bundle_10(False).names
    assert names == set(messages) | {"Struct", "Timestamp", "Value"}


# --------------------------------------------------------------------------- 1. well-formed, loadable


@pytest.mark.parametrize("version", VERSIONS)
def test_ours_is_a_valid_2020_12_schema(version: str) -> None:
    assert_valid_2020_12(ours(version).contents)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_ref_resolves(version: str) -> None:
    assert_refs_resolve(ours(version), at_least=80, why="an A2A schema refers between its definitions often")


@pytest.mark.parametrize("version", VERSIONS)
def test_accord_loads_it_and_builds_every_validator(version: str) -> None:
    path = SPECS / version / "schema.json"
    loaded = SchemaDocument.load(path)
    assert loaded.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert loaded.defs_key == "$defs" and len(loaded.definitions) > 90
    for name in loaded.definitions:
        assert loaded.validator(name) is loaded.validator(name)
    expected = {"0.3.0": {"message/send", "message/stream", "tasks/get", "tasks/cancel", "tasks/resubscribe",
                          "tasks/pushNotificationConfig/set", "tasks/pushNotificationConfig/get",
                          "tasks/pushNotificationConfig/list", "tasks/pushNotificationConfig/delete",
                          "agent/getAuthenticatedExtendedCard"},
                "1.0": set(METHODS_10)}[version]
    assert set(loaded.request_methods) == expected


# --------------------------------------------------------------------------- 2. 0.3.0: same definitions as the official schema


def _union_members(schema: Any) -> set[str] | None:
    members = schema.get("anyOf") if isinstance(schema, dict) else None
    if not members or not all(isinstance(m, dict) and set(m) == {"$ref"} for m in members):
        return None
    return {m["$ref"].rsplit("/", 1)[-1] for m in members}


def test_03_same_definition_names_as_upstream() -> None:
    assert sorted(upstream_03().names - ours("0.3.0").names) == [], "upstream definitions we lack"
    assert sorted(ours("0.3.0").names - upstream_03().names) == [], "definitions upstream does not have"


def test_03_same_members_required_members_and_unions() -> None:
    upstream, mine = upstream_03(), ours("0.3.0")
    differences = {}
    for name in sorted(upstream.names):
        theirs, own = upstream.defs[name], mine.defs[name]
        if object_parts(theirs) != object_parts(own):
            differences[name] = {"ours": object_parts(own), "upstream": object_parts(theirs)}
        if _union_members(theirs) != _union_members(own):
            differences[f"{name} (union)"] = {"ours": _union_members(own), "upstream": _union_members(theirs)}
    assert not differences, differences


def _consts(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(node, dict):
        for key in ("const", "enum"):
            if key in node:
                yield path, json.dumps(node[key])
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for prop, sub in value.items():
                    yield from _consts(sub, path + (prop,))
            elif key not in ("const", "enum", "default", "examples"):
                yield from _consts(value, path)
    elif isinstance(node, list):
        for value in node:
            yield from _consts(value, path)


def test_03_same_consts_and_enums() -> None:
    """Method names, part kinds, scheme types, error codes and the TaskState values, compared member by member."""
    upstream, mine = upstream_03(), ours("0.3.0")
    differences = {n: (set(_consts(mine.defs[n])), set(_consts(upstream.defs[n]))) for n in upstream.names}
    assert {n: d for n, d in differences.items() if d[0] != d[1]} == {}
    assert mine.defs["TaskNotFoundError"]["properties"]["code"]["const"] == -32001
    assert mine.defs["AuthenticatedExtendedCardNotConfiguredError"]["properties"]["code"]["const"] == -32007


def test_03_comment_says_there_is_no_deliberate_difference() -> None:
    assert "no deliberate differences" in ours("0.3.0").contents["$comment"]


# --------------------------------------------------------------------------- 3. 1.0: same messages as the proto


def test_10_every_proto_message_and_enum_has_a_definition() -> None:
    messages, enums = proto_10()
    expected = set(messages) | set(enums) | ONLY_IN_OURS_10
    assert sorted(expected - ours("1.0").names) == [], "proto messages or enums we lack"
    assert sorted(ours("1.0").names - expected) == [], "definitions neither in the proto nor in ONLY_IN_OURS_10"


def test_10_definitions_only_in_ours_are_documented() -> None:
    comment = ours("1.0").contents["$comment"]
    methods_named = "<Method>JSONRPCRequest" in comment and "<Method>JSONRPCSuccessResponse" in comment
    for name in ONLY_IN_OURS_10:
        generic = methods_named and re.fullmatch(rf"({'|'.join(METHODS_10)})JSONRPC\w+", name)
        assert generic or name in comment, f"{name} is only in ours; say so in the top-level $comment"


def _message_cases() -> list[Any]:
    if not UPSTREAM_PROTO_10.is_file():
        return absent(UPSTREAM_PROTO_10)
    return [pytest.param(name, id=name) for name in sorted(proto_10()[0])]


MESSAGE_CASES = _message_cases()


@pytest.mark.parametrize("name", MESSAGE_CASES)
def test_10_members_are_the_proto_fields_in_camel_case(name: str) -> None:
    message = proto_10()[0][name]
    schema = ours("1.0").defs[name]
    assert schema["type"] == "object"
    assert list(schema["properties"]) == [f.json_name for f in message.fields]


@pytest.mark.parametrize("name", MESSAGE_CASES)
def test_10_required_is_exactly_the_proto_required_fields(name: str) -> None:
    message = proto_10()[0][name]
    schema = ours("1.0").defs[name]
    assert schema.get("required", []) == [f.json_name for f in message.fields if f.required]


@pytest.mark.parametrize("name", MESSAGE_CASES)
def test_10_oneof_groups_are_one_of_required_members(name: str) -> None:
    groups = proto_10()[0][name].oneofs()
    assert len(groups) <= 1, "a second oneof in one message needs an allOf of oneOfs"
    schema = ours("1.0").defs[name]
    expected = [{"required": [member]} for members in groups.values() for member in members]
    assert schema.get("oneOf", []) == expected


@pytest.mark.parametrize("name", MESSAGE_CASES)
def test_10_snake_case_spellings_are_refused(name: str) -> None:
    fields = proto_10()[0][name].fields
    snake = sorted(f.name for f in fields if f.name != f.json_name)
    schema = ours("1.0").defs[name]
    assert schema.get("propertyNames", {}).get("not", {}).get("enum", []) == snake


_SCALARS = {"string": "string", "bool": "boolean", "int32": "integer", "bytes": "string"}


@pytest.mark.parametrize("name", MESSAGE_CASES)
def test_10_member_types_follow_the_proto(name: str) -> None:
    messages, enums = proto_10()
    defs = ours("1.0").defs
    for f in messages[name].fields:
        member = defs[name]["properties"][f.json_name]
        where = f"{name}.{f.json_name}"
        if f.label == "map":
            value_type = re.match(r"map\s*<\s*\w+\s*,\s*([\w.]+)\s*>", f.type)[1]
            assert member["type"] == "object", where
            member, value_label = member["additionalProperties"], value_type
        elif f.label == "repeated":
            assert member["type"] == "array", where
            wants_one = f.required and (name, f.json_name) not in MAY_BE_EMPTY_10
            assert member.get("minItems", 0) == (1 if wants_one else 0), where
            member, value_label = member["items"], f.type
        else:
            value_label = f.type
        short = value_label.rsplit(".", 1)[-1]
        if value_label in _SCALARS:
            assert member["type"] == _SCALARS[value_label], where
        else:
            assert member["$ref"] == f"#/$defs/{short}", where
            assert short in messages or short in enums or short in ("Struct", "Value", "Timestamp"), where


@pytest.mark.parametrize("name", ["TaskState", "Role"])
def test_10_enums_are_the_proto_value_names(name: str) -> None:
    assert ours("1.0").defs[name] == {"type": "string", "enum": proto_10()[1][name]}


def test_10_required_enum_members_refuse_unspecified() -> None:
    defs = ours("1.0").defs
    assert defs["TaskStatus"]["properties"]["state"]["not"] == {"const": "TASK_STATE_UNSPECIFIED"}
    assert defs["Message"]["properties"]["role"]["not"] == {"const": "ROLE_UNSPECIFIED"}
    assert "not" not in defs["ListTasksRequest"]["properties"]["status"], "a list filter may be unspecified"


def test_10_error_codes_and_reasons() -> None:
    defs = ours("1.0").defs
    for name, code in STANDARD_ERRORS.items():
        assert defs[name]["properties"]["code"]["const"] == code
    for name, (code, reason) in A2A_ERRORS_10.items():
        schema = defs[name]
        assert schema["properties"]["code"]["const"] == code and "data" in schema["required"]
        assert schema["properties"]["data"]["contains"]["properties"]["reason"]["const"] == reason
    assert defs["A2AErrorReason"]["enum"] == [reason for _, reason in A2A_ERRORS_10.values()]
    assert _union_members(defs["A2AError"]) == set(STANDARD_ERRORS) | set(A2A_ERRORS_10)


# --------------------------------------------------------------------------- 4. same instances, generated


def _cases_03() -> list[Any]:
    if not UPSTREAM_JSON_03.is_file():
        return absent(UPSTREAM_JSON_03)
    return [pytest.param(name, id=name) for name in sorted(json.loads(UPSTREAM_JSON_03.read_text(encoding="utf-8"))["definitions"])]


CASES_03 = _cases_03()


def _pair_03(direction: str) -> tuple[Document, Document]:
    return (ours("0.3.0"), upstream_03()) if direction == "ours-to-upstream" else (upstream_03(), ours("0.3.0"))


@pytest.mark.parametrize("name", CASES_03)
@pytest.mark.parametrize("direction", ["ours-to-upstream", "upstream-to-ours"])
def test_03_generated_valid_instances_are_valid_under_both(name: str, direction: str) -> None:
    from_schema = from_schema_or_skip()
    source, target = _pair_03(direction)
    assert_generated_are_valid(from_schema(source.contents, name), target, name, FIDELITY_SETTINGS,
                               f"{name}: generated {direction}")


@pytest.mark.parametrize("name", CASES_03)
@pytest.mark.parametrize("direction", ["ours-to-upstream", "upstream-to-ours"])
def test_03_generated_invalid_instances_get_the_same_verdict(name: str, direction: str) -> None:
    from_schema = from_schema_or_skip()
    source, target = _pair_03(direction)
    assert_same_verdicts(from_schema(source.contents, name, valid=False), (source, name), (target, name),
                         settings(FIDELITY_SETTINGS, max_examples=INVALID_EXAMPLES), f"{name} ({direction})")


def _cases_10() -> list[Any]:
    if not (UPSTREAM_BUNDLE_10.is_file() and UPSTREAM_PROTO_10.is_file()):
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"upstream reference {UPSTREAM.resolve() / '1.0.0'} is absent"))]
    messages, _ = proto_10()
    return [pytest.param(name, id=name) for name in sorted(messages)]


@pytest.mark.parametrize("name", _cases_10())
def test_10_generated_instances_are_valid_under_the_opened_bundle(name: str) -> None:
    """Ours is the canonical ProtoJSON subset of what the bundle accepts (objects opened, spec 5.7)."""
    from_schema = from_schema_or_skip()
    upstream = upstream_bundle_10(True)

    assert_generated_are_valid(from_schema(ours("1.0").contents, name), upstream, name, FIDELITY_SETTINGS,
                               f"{name}: generated from ours (by the bundle)")


# --------------------------------------------------------------------------- 5. hand-written messages, 0.3.0

TEXT_03 = {"kind": "text", "text": "Find a bread recipe"}
USER_03 = {"kind": "message", "messageId": "m-1", "role": "user", "parts": [TEXT_03]}
TASK_03 = {"kind": "task", "id": "t-1", "contextId": "c-1", "status": {"state": "working", "timestamp": "2025-08-21T07:28:53Z"}}
ARTIFACT_03 = {"artifactId": "a-1", "name": "recipe", "parts": [{"kind": "data", "data": {"flour_g": 500}}]}
CARD_03 = {
    "protocolVersion": "0.3.0", "name": "Recipe Agent", "description": "Helps with recipes", "url": "https://agent.example.com/a2a/v1",
    "preferredTransport": "JSONRPC", "additionalInterfaces": [{"url": "https://agent.example.com/a2a/rest", "transport": "HTTP+JSON"}],
    "version": "1.0.0", "capabilities": {"streaming": True, "pushNotifications": False},
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                        "oauth": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://auth.example.com/token", "scopes": {"read": "Read"}}}}},
    "security": [{"bearer": []}, {"oauth": ["read"]}],
    "defaultInputModes": ["text/plain"], "defaultOutputModes": ["text/plain", "application/json"],
    "skills": [{"id": "bake", "name": "Baking", "description": "Bread and cakes", "tags": ["cooking"]}],
}
EXAMPLES_03: list[tuple[str, str, Any, bool]] = [
    ("agent card", "AgentCard", CARD_03, True),
    ("message/send request", "SendMessageRequest", {"jsonrpc": "2.0", "id": 1, "method": "message/send", "params": {"message": USER_03, "configuration": {"blocking": True, "acceptedOutputModes": ["text/plain"]}}}, True),
    ("task result", "SendMessageResponse", {"jsonrpc": "2.0", "id": 1, "result": {**TASK_03, "artifacts": [ARTIFACT_03], "history": [USER_03]}}, True),
    ("message result", "SendMessageSuccessResponse", {"jsonrpc": "2.0", "id": "r", "result": {**USER_03, "role": "agent", "messageId": "m-2"}}, True),
    ("status-update stream event", "SendStreamingMessageResponse", {"jsonrpc": "2.0", "id": 1, "result": {"kind": "status-update", "taskId": "t-1", "contextId": "c-1", "status": {"state": "completed"}, "final": True}}, True),
    ("artifact-update stream event", "SendStreamingMessageSuccessResponse", {"jsonrpc": "2.0", "id": 1, "result": {"kind": "artifact-update", "taskId": "t-1", "contextId": "c-1", "artifact": ARTIFACT_03, "lastChunk": True}}, True),
    ("file parts by bytes and uri", "Message", {**USER_03, "parts": [{"kind": "file", "file": {"bytes": "aGk=", "mimeType": "text/plain"}}, {"kind": "file", "file": {"uri": "https://x.example/a.pdf"}}]}, True),
    ("tasks/get with history length", "GetTaskRequest", {"jsonrpc": "2.0", "id": 2, "method": "tasks/get", "params": {"id": "t-1", "historyLength": 5}}, True),
    ("task not found error", "GetTaskResponse", {"jsonrpc": "2.0", "id": 2, "error": {"code": -32001, "message": "Task not found"}}, True),
    ("error response with null id", "JSONRPCErrorResponse", {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Invalid JSON payload"}}, True),
    ("push config set", "SetTaskPushNotificationConfigRequest", {"jsonrpc": "2.0", "id": 3, "method": "tasks/pushNotificationConfig/set", "params": {"taskId": "t-1", "pushNotificationConfig": {"url": "https://hook.example.com", "authentication": {"schemes": ["Bearer"]}}}}, True),
    ("push config delete result", "DeleteTaskPushNotificationConfigSuccessResponse", {"jsonrpc": "2.0", "id": 4, "result": None}, True),
    ("extended card request", "GetAuthenticatedExtendedCardRequest", {"jsonrpc": "2.0", "id": 5, "method": "agent/getAuthenticatedExtendedCard"}, True),
    # rejected by both
    ("card without url", "AgentCard", {k: v for k, v in CARD_03.items() if k != "url"}, False),
    ("skill without tags", "AgentSkill", {"id": "bake", "name": "Baking", "description": "Bread"}, False),
    ("api key scheme in body", "SecurityScheme", {"type": "apiKey", "name": "X-Key", "in": "body"}, False),
    ("message without kind", "Message", {k: v for k, v in USER_03.items() if k != "kind"}, False),
    ("role assistant", "Message", {**USER_03, "role": "assistant"}, False),
    ("part of unknown kind", "Part", {"kind": "image", "text": "x"}, False),
    ("task in a 1.0 state", "Task", {**TASK_03, "status": {"state": "TASK_STATE_WORKING"}}, False),
    ("status-update without final", "TaskStatusUpdateEvent", {"kind": "status-update", "taskId": "t-1", "contextId": "c-1", "status": {"state": "working"}}, False),
    ("1.0 method name", "A2ARequest", {"jsonrpc": "2.0", "id": 1, "method": "SendMessage", "params": {"message": USER_03}}, False),
    ("request without id", "GetTaskRequest", {"jsonrpc": "2.0", "method": "tasks/get", "params": {"id": "t-1"}}, False),
    ("jsonrpc 1.0", "CancelTaskRequest", {"jsonrpc": "1.0", "id": 1, "method": "tasks/cancel", "params": {"id": "t-1"}}, False),
    ("error without message", "JSONRPCErrorResponse", {"jsonrpc": "2.0", "id": 1, "error": {"code": -32001}}, False),
    ("wrong code for task not found", "TaskNotFoundError", {"code": -32002, "message": "Task not found"}, False),
    ("file part with neither bytes nor uri", "FilePart", {"kind": "file", "file": {"name": "a.txt"}}, False),
]


@pytest.mark.parametrize(("name", "instance", "expected"), [pytest.param(n, i, e, id=f"{'valid' if e else 'invalid'}-{label}") for label, n, i, e in EXAMPLES_03])
def test_03_hand_written_message_gets_the_same_verdict(name: str, instance: Any, expected: bool) -> None:
    for side, document in (("upstream", upstream_03()), ("ours", ours("0.3.0"))):
        errors = document.errors(name, instance)
        assert not errors if expected else errors, f"{side}: {name} should be {'valid' if expected else 'invalid'}: {errors}"


# --------------------------------------------------------------------------- 6. hand-written messages, 1.0

TS = "2025-10-28T10:30:00.000Z"
USER_10 = {"messageId": "m-1", "role": "ROLE_USER", "parts": [{"text": "Find restaurants near me"}]}
TASK_10 = {"id": "t-1", "contextId": "c-1", "status": {"state": "TASK_STATE_WORKING", "timestamp": TS}}
ARTIFACT_10 = {"artifactId": "a-1", "parts": [{"data": {"stops": 3}, "mediaType": "application/json"}]}
CARD_10 = {
    "name": "Route Planner", "description": "Plans routes",
    "supportedInterfaces": [{"url": "https://agent.example.com/a2a/v1", "protocolBinding": "JSONRPC", "protocolVersion": "1.0"},
                            {"url": "https://agent.example.com/a2a/json", "protocolBinding": "HTTP+JSON", "protocolVersion": "1.0", "tenant": "acme"}],
    "provider": {"organization": "Example Inc.", "url": "https://example.com"},
    "version": "1.2.0", "capabilities": {"streaming": True, "pushNotifications": False, "extendedAgentCard": True,
                                         "extensions": [{"uri": "https://example.com/ext/geo/v1", "required": False}]},
    "securitySchemes": {"google": {"openIdConnectSecurityScheme": {"openIdConnectUrl": "https://accounts.google.com/.well-known/openid-configuration"}},
                        "key": {"apiKeySecurityScheme": {"location": "header", "name": "X-API-Key"}},
                        "oauth": {"oauth2SecurityScheme": {"flows": {"deviceCode": {"deviceAuthorizationUrl": "https://auth.example.com/device", "tokenUrl": "https://auth.example.com/token", "scopes": {}}}}}},
    "securityRequirements": [{"schemes": {"google": {"list": ["openid", "profile"]}}}],
    "defaultInputModes": ["text/plain"], "defaultOutputModes": ["application/json"],
    "skills": [{"id": "route", "name": "Routes", "description": "Optimal routes", "tags": ["maps"], "inputModes": ["application/json"]}],
    "signatures": [{"protected": "eyJhbGciOiJFUzI1NiJ9", "signature": "QFdkNLNszlGj3z3u0YQGt_T9"}],
    "iconUrl": "https://agent.example.com/icon.png",
}
ERROR_INFO = {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "TASK_NOT_FOUND", "domain": "a2a-protocol.org",
              "metadata": {"taskId": "t-9", "timestamp": TS}}


def _rpc(method: str, params: Any = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "method": method, **({} if params is None else {"params": params})}


def _ok(result: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "result": result}


# (label, definition, instance, ours valid?, strict bundle valid? -- None where the bundle has no such definition)
EXAMPLES_10: list[tuple[str, str, Any, bool, bool | None]] = [
    ("agent card", "AgentCard", CARD_10, True, True),
    ("send message over REST", "SendMessageRequest", {"message": USER_10, "configuration": {"acceptedOutputModes": ["text/plain"], "historyLength": 0, "returnImmediately": True}}, True, True),
    ("task payload", "SendMessageResponse", {"task": {**TASK_10, "artifacts": [ARTIFACT_10], "history": [USER_10]}}, True, True),
    ("message payload", "SendMessageResponse", {"message": {**USER_10, "messageId": "m-2", "role": "ROLE_AGENT", "contextId": "c-1"}}, True, True),
    ("parts of every kind", "Message", {**USER_10, "parts": [{"text": "hi"}, {"raw": "aGVsbG8=", "filename": "a.txt", "mediaType": "text/plain"}, {"url": "https://x.example/a.pdf"}, {"data": [1, "two", None]}, {"data": None}]}, True, True),
    ("status update in a stream", "StreamResponse", {"statusUpdate": {"taskId": "t-1", "contextId": "c-1", "status": {"state": "TASK_STATE_INPUT_REQUIRED", "message": {**USER_10, "role": "ROLE_AGENT"}}}}, True, True),
    ("artifact update in a stream", "StreamResponse", {"artifactUpdate": {"taskId": "t-1", "contextId": "c-1", "artifact": ARTIFACT_10, "append": False, "lastChunk": True}}, True, True),
    ("list tasks, last page", "ListTasksResponse", {"tasks": [TASK_10], "nextPageToken": "", "pageSize": 50, "totalSize": 1}, True, True),
    ("list tasks, nothing matched", "ListTasksResponse", {"tasks": [], "nextPageToken": "", "pageSize": 50, "totalSize": 0}, True, True),
    ("push config", "TaskPushNotificationConfig", {"taskId": "t-1", "url": "https://hook.example.com", "authentication": {"scheme": "Bearer", "credentials": "s3cret"}}, True, True),
    ("JSON-RPC SendMessage", "SendMessageJSONRPCRequest", _rpc("SendMessage", {"message": USER_10}), True, None),
    ("JSON-RPC ListTasks", "A2ARequest", _rpc("ListTasks", {"contextId": "c-1", "status": "TASK_STATE_WORKING", "pageSize": 50, "pageToken": "cursor"}), True, None),
    ("JSON-RPC GetExtendedAgentCard without params", "GetExtendedAgentCardJSONRPCRequest", _rpc("GetExtendedAgentCard"), True, None),
    ("JSON-RPC GetTask result", "GetTaskJSONRPCResponse", _ok({**TASK_10, "status": {"state": "TASK_STATE_COMPLETED"}}), True, None),
    ("JSON-RPC stream event", "SubscribeToTaskJSONRPCSuccessResponse", _ok({"task": TASK_10}), True, None),
    ("JSON-RPC delete result", "DeleteTaskPushNotificationConfigJSONRPCSuccessResponse", _ok({}), True, None),
    ("task not found with ErrorInfo", "GetTaskJSONRPCResponse", {"jsonrpc": "2.0", "id": 2, "error": {"code": -32001, "message": "Task not found", "data": [ERROR_INFO]}}, True, None),
    ("task not found, specific", "TaskNotFoundError", {"code": -32001, "message": "Task not found", "data": [{"@type": "type.googleapis.com/google.rpc.DebugInfo"}, ERROR_INFO]}, True, None),
    ("method not found with object data", "MethodNotFoundError", {"code": -32601, "message": "Method not found", "data": {"method": "invalid/method"}}, True, None),
    ("HTTP error body", "HTTPErrorResponse", {"error": {"code": 404, "status": "NOT_FOUND", "message": "no such task", "details": [ERROR_INFO]}}, True, None),
    ("unknown members are ignored", "Task", {**TASK_10, "x-vendor": {"trace": "abc"}}, True, False),
    ("the spec's sample card keeps 0.3 members", "AgentCapabilities", {"streaming": True, "stateTransitionHistory": False}, True, False),
    ("a 0.3 text part reads as a 1.0 text part", "Part", {"kind": "text", "text": "hi"}, True, False),
    # rejected by ours
    ("0.3 task state spelling", "TaskStatus", {"state": "completed"}, False, False),
    ("0.3 role spelling", "Message", {**USER_10, "role": "user"}, False, False),
    ("enum as a number", "TaskStatus", {"state": 3}, False, True),
    ("unspecified state", "Task", {**TASK_10, "status": {"state": "TASK_STATE_UNSPECIFIED"}}, False, True),
    ("snake_case member", "Task", {"id": "t-1", "context_id": "c-1", "status": {"state": "TASK_STATE_WORKING"}}, False, True),
    ("task without status", "Task", {"id": "t-1"}, False, True),
    ("message without parts", "Message", {"messageId": "m-1", "role": "ROLE_USER"}, False, True),
    ("message with empty parts", "Message", {**USER_10, "parts": []}, False, True),
    ("0.3 file part", "Part", {"kind": "file", "file": {"uri": "https://x.example/a.pdf"}}, False, False),
    ("part with text and url", "Part", {"text": "hi", "url": "https://x.example/a"}, False, True),
    ("part with no content", "Part", {"mediaType": "text/plain"}, False, True),
    ("raw that is not base64", "Part", {"raw": "not base64!"}, False, False),
    ("timestamp with an offset", "TaskStatus", {"state": "TASK_STATE_WORKING", "timestamp": "2025-10-28T12:30:00+02:00"}, False, True),
    ("int32 as a string", "GetTaskRequest", {"id": "t-1", "historyLength": "10"}, False, True),
    ("both payloads", "SendMessageResponse", {"task": TASK_10, "message": USER_10}, False, True),
    ("0.3 security scheme", "SecurityScheme", {"type": "http", "scheme": "bearer"}, False, False),
    ("two security schemes in one", "SecurityScheme", {"apiKeySecurityScheme": {"location": "header", "name": "k"}, "mtlsSecurityScheme": {}}, False, True),
    ("card without supported interfaces", "AgentCard", {k: v for k, v in CARD_10.items() if k != "supportedInterfaces"}, False, True),
    ("list response without nextPageToken", "ListTasksResponse", {"tasks": [], "pageSize": 50, "totalSize": 0}, False, True),
    ("0.3 method name", "A2ARequest", _rpc("message/send", {"message": USER_10}), False, None),
    ("GetTask without params", "GetTaskJSONRPCRequest", _rpc("GetTask"), False, None),
    ("A2A error without ErrorInfo", "TaskNotFoundError", {"code": -32001, "message": "Task not found"}, False, None),
    ("ErrorInfo with the wrong reason", "TaskNotFoundError", {"code": -32001, "message": "Task not found", "data": [{**ERROR_INFO, "reason": "TASK_NOT_CANCELABLE"}]}, False, None),
    ("ErrorInfo in another domain", "TaskNotFoundError", {"code": -32001, "message": "Task not found", "data": [{**ERROR_INFO, "domain": "example.com"}]}, False, None),
    ("delete result null", "DeleteTaskPushNotificationConfigJSONRPCSuccessResponse", _ok(None), False, None),
]


@pytest.mark.parametrize(
    ("name", "instance", "expected", "bundle"),
    [pytest.param(n, i, e, b, id=f"{'valid' if e else 'invalid'}-{label}") for label, n, i, e, b in EXAMPLES_10],
)
def test_10_hand_written_message_gets_the_expected_verdict(name: str, instance: Any, expected: bool, bundle: bool | None) -> None:
    errors = ours("1.0").errors(name, instance)
    assert not errors if expected else errors, f"ours: {name} should be {'valid' if expected else 'invalid'}: {errors}"
    if bundle is not None:
        assert upstream_bundle_10(False).is_valid(name, instance) == bundle, f"the strict bundle's verdict on {name} changed"
        if expected:
            assert upstream_bundle_10(True).is_valid(name, instance), "ours accepts what even the opened bundle rejects"
