"""Our ACP 0.2.0 schema (specs/acp/0.2.0/schema.json) against the official OpenAPI document.

The OpenAPI file is reference data in ../shared/upstream/acp/0.2.0/ and is only
read here. Its ``components.schemas`` are loaded as a 2020-12 document in two
readings:

- *strict*: the OpenAPI 3.0 keyword ``nullable`` is written in 2020-12 form
  (ERRATA E8) and ``$ref``s are pointed at ``$defs``; nothing else changes.
- *as read by accord*: strict, plus ERRATA E9 (the optional members listed in
  ``NULL_ALSO`` also accept null) and E10 (a null member counts as absent for
  the content/content_url rule of MessagePart).

Ours must have every upstream definition, accept and reject the same generated
instances as the "as read" upstream (both directions, via accord.strategies),
differ from the strict upstream exactly on the ``NULL_ALSO`` members, and judge a
hand-written set of realistic messages as the strict upstream does. Validators
treat ``format`` as an annotation (the 2020-12 default), so formats are compared
structurally.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from functools import cache
from typing import Any

import pytest
from hypothesis import settings

from accord.schema import SchemaDocument
from fidelity import (
    DATA_KEYWORDS, DRAFT_2020_12, REPO, UPSTREAM_ROOT, Document, assert_generated_are_valid, assert_refs_resolve,
    assert_same_verdicts, assert_valid_2020_12, assert_verdict, fidelity_settings, formats, from_schema_or_skip,
    object_parts,
)

SPEC_DIR = REPO / "specs" / "acp" / "0.2.0"
OURS_PATH = SPEC_DIR / "schema.json"
ERRATA_PATH = SPEC_DIR / "ERRATA.md"
UPSTREAM_PATH = UPSTREAM_ROOT / "acp" / "0.2.0" / "openapi.yaml"

# Upstream component name -> our definition name. The names are the same on purpose,
# so the mapping is the identity; a renamed definition would be listed here.
UPSTREAM_TO_OURS: dict[str, str] = {}

# Definitions only in ours, each named in the top-level $comment of schema.json.
ONLY_IN_OURS: dict[str, str] = {
    "ErrorCode": "the enum of Error.code, given a name",
    "Capability": "the item schema of Metadata.capabilities, inline upstream",
    "Annotations": "the schema of Metadata.annotations, inline upstream",
    "PingResponse": "the body of GET /ping, inline upstream",
    "MessageAwaitRequest": "acp-sdk's shape of an AwaitRequest (ERRATA E14)",
    "MessageAwaitResume": "acp-sdk's shape of an AwaitResume (ERRATA E14)",
}

# The interface the ACP checks rely on: every definition name of ours.
EXPECTED_NAMES = sorted(
    """
    AgentDependency AgentManifest AgentName AgentsListResponse Annotations AwaitRequest AwaitResume
    Capability CitationMetadata Error ErrorCode ErrorEvent Event GeneralSchema GenericEvent JsonSchema
    Link Message MessageAwaitRequest MessageAwaitResume MessageCompletedEvent MessageCreatedEvent
    MessagePart MessagePartEvent Metadata Person PingResponse Run RunAwaitingEvent RunCancelledEvent
    RunCompletedEvent RunCreateRequest RunCreatedEvent RunEventsListResponse RunFailedEvent RunId
    RunInProgressEvent RunMode RunResumeRequest RunStatus Session SessionId Status Tag Timestamp
    TrajectoryMetadata
    """.split()
)

EVENT_TYPES = {
    "MessageCreatedEvent": "message.created",
    "MessagePartEvent": "message.part",
    "MessageCompletedEvent": "message.completed",
    "RunCreatedEvent": "run.created",
    "RunInProgressEvent": "run.in-progress",
    "RunAwaitingEvent": "run.awaiting",
    "RunCompletedEvent": "run.completed",
    "RunCancelledEvent": "run.cancelled",
    "RunFailedEvent": "run.failed",
    "ErrorEvent": "error",
    "GenericEvent": "generic",
}

# ERRATA E9: optional members acp-sdk 1.0.3 writes as null, not nullable upstream.
# Metadata's list is checked against upstream (all of its members) in a test below.
METADATA_MEMBERS = (
    "annotations", "documentation", "license", "programming_language", "natural_languages", "framework",
    "capabilities", "domains", "tags", "created_at", "updated_at", "author", "contributors", "links",
    "dependencies", "recommended_models",
)
NULL_ALSO: dict[str, tuple[str, ...]] = {
    "Run": ("session_id", "finished_at"),
    "Message": ("created_at", "completed_at"),
    "MessagePart": ("name", "content", "content_encoding", "content_url"),
    "Session": ("state",),
    "RunCreateRequest": ("session_id", "session"),
    "Metadata": METADATA_MEMBERS,
    "Person": ("email", "url"),
}

VALID_EXAMPLES = 10
INVALID_EXAMPLES = 5
FIDELITY_SETTINGS = fidelity_settings(VALID_EXAMPLES)
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")


# --------------------------------------------------------------------------- loading upstream


def _strict_2020_12(node: Any) -> Any:
    """An OpenAPI 3.x schema object as plain 2020-12: refs into $defs, `nullable: true` as a null branch."""
    if isinstance(node, list):
        return [_strict_2020_12(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "example":  # OpenAPI 3.0's singular form; an annotation, dropped
            continue
        if key == "$ref" and isinstance(value, str):
            out[key] = value.replace("#/components/schemas/", "#/$defs/")
        elif key in DATA_KEYWORDS:
            out[key] = copy.deepcopy(value)
        else:
            out[key] = _strict_2020_12(value)
    if out.pop("nullable", False) is not True:
        return out
    if isinstance(out.get("type"), str) and not {"$ref", "oneOf", "anyOf", "allOf"} & set(out):
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return out
    return {"anyOf": [out, {"type": "null"}]}


def _as_read_by_accord(strict: dict[str, Any]) -> dict[str, Any]:
    """ERRATA E9 and E10 applied to the strict reading."""
    defs = copy.deepcopy(strict)
    for name, members in NULL_ALSO.items():
        properties = defs[name]["properties"]
        for member in members:
            properties[member] = {"anyOf": [properties[member], {"type": "null"}]}
    part = defs["MessagePart"]
    assert part["not"] == {"allOf": [{"required": ["content"]}, {"required": ["content_url"]}]}, "upstream changed"
    not_null = {"not": {"type": "null"}}
    part["not"] = {"required": ["content", "content_url"], "properties": {"content": not_null, "content_url": not_null}}
    return defs


@cache
def _upstream_text() -> str:
    if not UPSTREAM_PATH.is_file():
        pytest.skip(f"upstream reference {UPSTREAM_PATH.resolve()} is absent")
    return UPSTREAM_PATH.read_text(encoding="utf-8")


@cache
def upstream_openapi() -> dict[str, Any]:
    text = _upstream_text()
    yaml = pytest.importorskip("yaml", reason="PyYAML is needed to read the upstream OpenAPI document")
    return yaml.safe_load(text)


@cache
def ours() -> Document:
    return Document(json.loads(OURS_PATH.read_text(encoding="utf-8")), "urn:accord:ours:acp:0.2.0")


@cache
def upstream_strict() -> Document:
    schemas = upstream_openapi()["components"]["schemas"]
    contents = {"$schema": DRAFT_2020_12, "$defs": {name: _strict_2020_12(s) for name, s in schemas.items()}}
    return Document(contents, "urn:accord:upstream-strict:acp:0.2.0")


@cache
def upstream_as_read() -> Document:
    contents = {"$schema": DRAFT_2020_12, "$defs": _as_read_by_accord(upstream_strict().defs)}
    return Document(contents, "urn:accord:upstream-as-read:acp:0.2.0")


def _ours_name(upstream_name: str) -> str:
    return UPSTREAM_TO_OURS.get(upstream_name, upstream_name)


def _shared_names() -> list[str]:
    """Upstream component names, read at collection time (empty when the reference is absent)."""
    try:
        import yaml
    except ImportError:
        return []
    if not UPSTREAM_PATH.is_file():
        return []
    return sorted(yaml.safe_load(UPSTREAM_PATH.read_text(encoding="utf-8"))["components"]["schemas"])


SHARED_NAMES = _shared_names() or [pytest.param(None, marks=pytest.mark.skip(reason="upstream reference or PyYAML absent"))]


# --------------------------------------------------------------------------- 1. well-formed


def test_ours_is_a_valid_2020_12_schema() -> None:
    assert_valid_2020_12(ours().contents)


def test_every_ref_resolves() -> None:
    assert_refs_resolve(ours(), at_least=40, why="the ACP schema refers between its definitions often")


def test_accord_loads_it_and_builds_every_validator() -> None:
    loaded = SchemaDocument.load(OURS_PATH)
    assert loaded.sha256 == hashlib.sha256(OURS_PATH.read_bytes()).hexdigest()
    assert sorted(loaded.definitions) == EXPECTED_NAMES
    for name in EXPECTED_NAMES:
        assert loaded.validator(name) is loaded.validator(name)
    assert loaded.is_valid("RunStatus", "awaiting") and not loaded.is_valid("RunStatus", "paused")
    assert loaded.errors("MessagePart", {"content_type": "text/plain", "content": "a", "content_url": "https://example.com/a"})


# --------------------------------------------------------------------------- 2. same definitions


def test_every_upstream_component_has_a_definition() -> None:
    upstream = upstream_strict()
    expected = {_ours_name(name) for name in upstream.names} | set(ONLY_IN_OURS)
    assert sorted(expected - ours().names) == [], "upstream components we lack"
    assert sorted(ours().names - expected) == [], "definitions neither upstream nor listed in ONLY_IN_OURS"


def test_definitions_only_in_ours_are_documented() -> None:
    comment = str(ours().contents.get("$comment", ""))
    for name in ONLY_IN_OURS:
        assert name in comment, f"{name} is only in ours; say so in the top-level $comment"


def test_the_pin_in_errata_is_the_upstream_file() -> None:
    errata = ERRATA_PATH.read_text(encoding="utf-8")
    digest = hashlib.sha256(_upstream_text().encode("utf-8")).hexdigest()
    assert hashlib.sha256(UPSTREAM_PATH.read_bytes()).hexdigest() == digest
    assert digest in errata, "the upstream OpenAPI file is not the one ERRATA.md pins; review the errata"
    assert re.search(r"`[0-9a-f]{40}`", errata), "ERRATA.md pins an i-am-bee/acp commit"
    assert upstream_openapi()["info"]["version"] == "0.2.0"


def test_same_formats_on_the_same_properties() -> None:
    """Formats are annotations in the validators here, so compare them structurally."""
    upstream, mine = upstream_strict(), ours()
    differences = {}
    for name in sorted(upstream.names):
        theirs = set(formats(upstream.defs[name]))
        own = set(formats(mine.defs[_ours_name(name)]))
        if own != theirs:
            differences[name] = {"ours only": sorted(own - theirs), "upstream only": sorted(theirs - own)}
    assert not differences, differences
    assert set(formats(mine.defs["Run"])) == {(("created_at",), "date-time"), (("finished_at",), "date-time")}


def test_same_members_and_required_members() -> None:
    upstream, mine = upstream_strict(), ours()
    compared, differences = 0, {}
    for name in sorted(upstream.names):
        theirs = object_parts(upstream.defs[name])
        if theirs == (set(), set()):
            continue
        compared += 1
        own = object_parts(mine.defs[_ours_name(name)])
        if own != theirs:
            differences[name] = {"ours (required, members)": own, "upstream": theirs}
    assert compared >= 25
    assert not differences, differences


def test_event_union_has_the_eleven_event_types() -> None:
    upstream, mine = upstream_strict(), ours()
    members = [ref["$ref"].rsplit("/", 1)[-1] for ref in mine.defs["Event"]["oneOf"]]
    assert members == [ref["$ref"].rsplit("/", 1)[-1] for ref in upstream.defs["Event"]["oneOf"]]
    assert sorted(members) == sorted(EVENT_TYPES)
    for name, event_type in EVENT_TYPES.items():
        assert mine.defs[name]["properties"]["type"]["const"] == event_type
        assert upstream.defs[name]["properties"]["type"]["const"] == event_type


def test_enums_are_the_upstream_enums() -> None:
    upstream, mine = upstream_strict().defs, ours().defs
    assert mine["RunStatus"]["enum"] == upstream["RunStatus"]["enum"]
    assert mine["RunMode"]["enum"] == upstream["RunMode"]["enum"]
    assert mine["ErrorCode"]["enum"] == upstream["Error"]["properties"]["code"]["enum"]
    assert mine["Error"]["properties"]["code"] == {"$ref": "#/$defs/ErrorCode"}
    assert mine["Link"]["properties"]["type"]["enum"] == upstream["Link"]["properties"]["type"]["enum"]
    assert mine["AgentDependency"]["properties"]["type"]["enum"] == upstream["AgentDependency"]["properties"]["type"]["enum"]
    assert mine["MessagePart"]["properties"]["content_encoding"]["enum"] == [
        *upstream["MessagePart"]["properties"]["content_encoding"]["enum"], None
    ]
    assert mine["Tag"]["anyOf"][1]["enum"] == upstream["Tag"]["anyOf"][1]["enum"]


def test_metadata_null_list_is_all_of_its_members() -> None:
    assert set(METADATA_MEMBERS) == set(upstream_strict().defs["Metadata"]["properties"])
    assert len(METADATA_MEMBERS) == 16


# --------------------------------------------------------------------------- 3. the null erratum, member by member

RUN_ID = "5b0e8d52-6a3f-4d1e-9c57-2f8a1b9e0c44"
SESSION_ID = "0f6c1c2e-97d8-4b43-8e1a-3d5f7a9b2c10"
TS = "2025-08-21T07:28:53Z"
TEXT_PART = {"content_type": "text/plain", "content": "Howdy!"}
USER_MESSAGE = {"role": "user", "parts": [TEXT_PART]}

# A small valid instance of every upstream object definition (valid under all three readings).
MINIMAL: dict[str, dict[str, Any]] = {
    "AgentManifest": {"name": "echo", "description": "Echoes", "input_content_types": ["*/*"], "output_content_types": ["*/*"]},
    "Status": {},
    "Metadata": {},
    "Link": {"type": "homepage", "url": "https://example.com"},
    "Person": {"name": "Ada"},
    "AgentDependency": {},
    "AgentsListResponse": {"agents": []},
    "Error": {"code": "not_found", "message": "Agent zzz not found"},
    "CitationMetadata": {"kind": "citation"},
    "TrajectoryMetadata": {"kind": "trajectory"},
    "MessagePart": {"content_type": "text/plain"},
    "Message": USER_MESSAGE,
    "Session": {"id": SESSION_ID, "history": []},
    "RunCreateRequest": {"agent_name": "echo", "input": [USER_MESSAGE]},
    "RunResumeRequest": {"run_id": RUN_ID, "await_resume": {}, "mode": "sync"},
    "Run": {"agent_name": "echo", "run_id": RUN_ID, "status": "created", "output": [], "created_at": TS},
    "RunEventsListResponse": {"events": []},
    "MessageCreatedEvent": {"type": "message.created", "message": USER_MESSAGE},
    "MessagePartEvent": {"type": "message.part", "part": TEXT_PART},
    "MessageCompletedEvent": {"type": "message.completed", "message": USER_MESSAGE},
    "GenericEvent": {"type": "generic", "generic": {}},
    "ErrorEvent": {"type": "error", "error": {"code": "server_error", "message": "boom"}},
    **{
        name: {"type": event_type, "run": {"agent_name": "echo", "run_id": RUN_ID, "status": "created", "output": [], "created_at": TS}}
        for name, event_type in EVENT_TYPES.items()
        if event_type.startswith("run.")
    },
}


def _member_cases() -> list[Any]:
    """(definition, member) for every member of every definition in MINIMAL, from our schema."""
    defs = json.loads(OURS_PATH.read_text(encoding="utf-8"))["$defs"]
    return [
        pytest.param(name, member, id=f"{name}.{member}")
        for name in sorted(MINIMAL)
        for member in sorted(defs[name].get("properties", {}))
    ]


def test_minimal_instances_are_valid_everywhere() -> None:
    objects_upstream = {n for n, s in upstream_strict().defs.items() if s.get("type") == "object" and s.get("properties")}
    assert objects_upstream <= set(MINIMAL), "every upstream object definition with members needs a MINIMAL instance"
    for name, instance in MINIMAL.items():
        for side, document in (("ours", ours()), ("strict", upstream_strict()), ("as read", upstream_as_read())):
            assert not document.errors(name, instance), f"{side} rejects MINIMAL[{name}]"


@pytest.mark.parametrize(("name", "member"), _member_cases())
def test_null_is_accepted_exactly_where_upstream_or_the_erratum_says(name: str, member: str) -> None:
    instance = {**MINIMAL[name], member: None}
    strict = upstream_strict().is_valid(name, instance)
    erratum = member in NULL_ALSO.get(name, ())
    assert not (strict and erratum), f"{name}.{member} is nullable upstream already; drop it from NULL_ALSO"
    expected = strict or erratum
    assert ours().is_valid(name, instance) == expected, f"ours: {name}.{member} = null should be {'valid' if expected else 'invalid'}"
    assert upstream_as_read().is_valid(name, instance) == expected


def test_null_content_url_does_not_break_the_xor_rule() -> None:
    sdk_part = {"name": None, "content_type": "text/plain", "content": "hi", "content_encoding": "plain", "content_url": None, "metadata": None}
    assert ours().is_valid("MessagePart", sdk_part)
    assert upstream_as_read().is_valid("MessagePart", sdk_part)
    assert not upstream_strict().is_valid("MessagePart", sdk_part), "ERRATA E9/E10 would be moot"
    both = {"content_type": "image/png", "content": "iVBORw0KGgo=", "content_url": "https://example.com/a.png"}
    for document in (ours(), upstream_strict(), upstream_as_read()):
        assert not document.is_valid("MessagePart", both)


# --------------------------------------------------------------------------- 4. same instances, generated


def _pair(direction: str) -> tuple[Document, Document]:
    return (ours(), upstream_as_read()) if direction == "ours-to-upstream" else (upstream_as_read(), ours())


@pytest.mark.parametrize("name", SHARED_NAMES)
@pytest.mark.parametrize("direction", ["ours-to-upstream", "upstream-to-ours"])
def test_generated_valid_instances_are_valid_under_both(name: str, direction: str) -> None:
    from_schema = from_schema_or_skip()
    source, target = _pair(direction)
    source_name, target_name = (_ours_name(name), name) if source is ours() else (name, _ours_name(name))
    assert_generated_are_valid(from_schema(source.contents, source_name), target, target_name, FIDELITY_SETTINGS,
                               f"{name}: generated {direction}")


@pytest.mark.parametrize("name", SHARED_NAMES)
@pytest.mark.parametrize("direction", ["ours-to-upstream", "upstream-to-ours"])
def test_generated_invalid_instances_get_the_same_verdict(name: str, direction: str) -> None:
    from_schema = from_schema_or_skip()
    source, target = _pair(direction)
    source_name, target_name = (_ours_name(name), name) if source is ours() else (name, _ours_name(name))

    # Broken only in its format, an instance is valid to both: formats are annotations here.
    assert_same_verdicts(from_schema(source.contents, source_name, valid=False), (source, source_name),
                         (target, target_name), settings(FIDELITY_SETTINGS, max_examples=INVALID_EXAMPLES),
                         f"{name} ({direction})")


# --------------------------------------------------------------------------- 5. hand-written messages

IMAGE_PART = {
    "content_type": "image/png",
    "content": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    "content_encoding": "base64",
}
URL_ARTIFACT = {"name": "/report.pdf", "content_type": "application/pdf", "content_url": "https://files.example.com/report.pdf"}
CITED_PART = {
    "content_type": "text/plain",
    "content": "Oslo had 12 rainy days in May.",
    "metadata": {"kind": "citation", "url": "https://met.example.no/may", "title": "May report", "start_index": 0, "end_index": 4},
}
TRAJECTORY_PART = {
    "content_type": "text/plain",
    "content": "It is 14 degrees.",
    "metadata": {"kind": "trajectory", "tool_name": "weather", "tool_input": {"city": "Oslo"}, "tool_output": {"celsius": 14}},
}
AGENT_MESSAGE = {
    "role": "agent/echo",
    "parts": [TEXT_PART, IMAGE_PART, URL_ARTIFACT, CITED_PART, TRAJECTORY_PART],
    "created_at": TS,
    "completed_at": TS,
}
RUN = {"agent_name": "echo", "session_id": SESSION_ID, "run_id": RUN_ID, "status": "in-progress", "output": [], "created_at": TS}
COMPLETED_RUN = {**RUN, "status": "completed", "output": [AGENT_MESSAGE], "finished_at": TS}
AWAITING_RUN = {**RUN, "agent_name": "awaiter", "status": "awaiting", "await_request": {"type": "message", "message": {"role": "agent/awaiter", "parts": [{"content_type": "text/plain", "content": "Which city?"}]}}}
FAILED_RUN = {**RUN, "agent_name": "failer", "status": "failed", "error": {"code": "server_error", "message": "the model timed out"}, "finished_at": TS}
MANIFEST = {
    "name": "image-analyzer",
    "description": "Describes images",
    "input_content_types": ["image/png", "image/*"],
    "output_content_types": ["text/plain", "application/json"],
    "metadata": {
        "annotations": {"ui": {"type": "chat"}},
        "documentation": "# Image analyzer",
        "license": "Apache-2.0",
        "programming_language": "Python",
        "natural_languages": ["en", "cs"],
        "framework": "BeeAI",
        "capabilities": [{"name": "Captioning", "description": "Writes a caption for an image"}],
        "domains": ["media"],
        "tags": ["Chat", "vision"],
        "created_at": TS,
        "updated_at": TS,
        "author": {"name": "Ada", "email": "ada@example.com", "url": "https://example.com/ada"},
        "contributors": [{"name": "Grace"}],
        "links": [{"type": "source-code", "url": "https://example.com/repo.git"}],
        "dependencies": [{"type": "tool", "name": "ocr"}],
        "recommended_models": ["llama3.3"],
    },
    "status": {"avg_run_tokens": 512, "avg_run_time_seconds": 1.5, "success_rate": 99.5},
}
SESSION = {"id": SESSION_ID, "history": ["https://store.example.com/s/1/m/1", "https://store.example.com/s/1/m/2"], "state": "https://store.example.com/s/1/state"}

# (label, definition, instance, valid?) -- judged the same by ours and the strict upstream reading.
EXAMPLES: list[tuple[str, str, Any, bool]] = [
    ("full manifest", "AgentManifest", MANIFEST, True),
    ("agent list", "AgentsListResponse", {"agents": [MANIFEST, MINIMAL["AgentManifest"]]}, True),
    ("sync run request", "RunCreateRequest", {"agent_name": "echo", "input": [USER_MESSAGE], "mode": "sync"}, True),
    ("stream run request in a session", "RunCreateRequest", {"agent_name": "echo", "session_id": SESSION_ID, "session": SESSION, "input": [USER_MESSAGE, AGENT_MESSAGE], "mode": "stream"}, True),
    ("completed run with parts of every kind", "Run", COMPLETED_RUN, True),
    ("awaiting run", "Run", AWAITING_RUN, True),
    ("failed run with an error", "Run", FAILED_RUN, True),
    ("run with null error and await_request", "Run", {**RUN, "error": None, "await_request": None}, True),
    ("resume request", "RunResumeRequest", {"run_id": RUN_ID, "await_resume": {"type": "message", "message": USER_MESSAGE}, "mode": "stream"}, True),
    ("part with url and no content", "MessagePart", URL_ARTIFACT, True),
    ("part with neither content nor url", "MessagePart", {"content_type": "text/plain", "name": "/empty"}, True),
    ("part with null metadata", "MessagePart", {**TEXT_PART, "metadata": None}, True),
    ("error with data", "Error", {"code": "invalid_input", "message": "limit too large", "data": {"limit": 5000}}, True),
    ("session", "Session", SESSION, True),
    ("events of a whole run", "RunEventsListResponse", {"events": [
        {"type": "run.created", "run": {**RUN, "status": "created"}},
        {"type": "run.in-progress", "run": RUN},
        {"type": "message.created", "message": {"role": "agent/echo", "parts": [TEXT_PART]}},
        {"type": "message.part", "part": IMAGE_PART},
        {"type": "message.completed", "message": AGENT_MESSAGE},
        {"type": "generic", "generic": {"progress": 0.5}},
        {"type": "run.awaiting", "run": AWAITING_RUN},
        {"type": "run.completed", "run": COMPLETED_RUN},
    ]}, True),
    ("run.failed event", "Event", {"type": "run.failed", "run": FAILED_RUN}, True),
    ("run.cancelled event", "Event", {"type": "run.cancelled", "run": {**RUN, "status": "cancelled", "finished_at": TS}}, True),
    ("error event", "Event", {"type": "error", "error": {"code": "server_error", "message": "boom"}}, True),
    # rejected by both
    ("part with content and content_url", "MessagePart", {**URL_ARTIFACT, "content": "%PDF-1.7"}, False),
    ("role assistant", "Message", {"role": "assistant", "parts": [TEXT_PART]}, False),
    ("role agent/ with no name", "Message", {"role": "agent/", "parts": [TEXT_PART]}, False),
    ("message with no parts", "Message", {"role": "user", "parts": []}, False),
    ("message without role", "Message", {"parts": [TEXT_PART]}, False),
    ("part without content_type", "MessagePart", {"content": "Howdy!"}, False),
    ("part with gzip encoding", "MessagePart", {**TEXT_PART, "content_encoding": "gzip"}, False),
    ("part with unknown metadata kind", "MessagePart", {**TEXT_PART, "metadata": {"kind": "footnote"}}, False),
    ("agent name in upper case", "AgentName", "Echo", False),
    ("agent name ending in a hyphen", "AgentName", "echo-", False),
    ("agent name of 64 characters", "AgentName", "a" * 64, False),
    ("manifest without description", "AgentManifest", {k: v for k, v in MANIFEST.items() if k != "description"}, False),
    ("manifest with no input types", "AgentManifest", {**MANIFEST, "input_content_types": []}, False),
    ("manifest with a bad link type", "AgentManifest", {**MANIFEST, "metadata": {"links": [{"type": "blog", "url": "https://example.com"}]}}, False),
    ("success rate above 100", "Status", {"success_rate": 150}, False),
    ("run in an unknown state", "Run", {**RUN, "status": "running"}, False),
    ("run without created_at", "Run", {k: v for k, v in RUN.items() if k != "created_at"}, False),
    ("run with a string error", "Run", {**FAILED_RUN, "error": "boom"}, False),
    ("run request with empty input", "RunCreateRequest", {"agent_name": "echo", "input": []}, False),
    ("run request with mode batch", "RunCreateRequest", {"agent_name": "echo", "input": [USER_MESSAGE], "mode": "batch"}, False),
    ("resume request without run_id (ERRATA E4)", "RunResumeRequest", {"await_resume": {}, "mode": "sync"}, False),
    ("error code timeout", "Error", {"code": "timeout", "message": "too slow"}, False),
    ("error without message", "Error", {"code": "not_found"}, False),
    ("session without history", "Session", {"id": SESSION_ID}, False),
    ("event of an unknown type", "Event", {"type": "run.started", "run": RUN}, False),
    ("message.part event carrying a message", "Event", {"type": "message.part", "message": USER_MESSAGE}, False),
    ("generic event with a string", "Event", {"type": "generic", "generic": "hello"}, False),
    ("events not a list", "RunEventsListResponse", {"events": {"type": "run.created", "run": RUN}}, False),
]


@pytest.mark.parametrize(("name", "instance", "expected"), [pytest.param(n, i, e, id=f"{'valid' if e else 'invalid'}-{label}") for label, n, i, e in EXAMPLES])
def test_hand_written_message_gets_the_same_verdict(name: str, instance: Any, expected: bool) -> None:
    for side, document in (("upstream", upstream_strict()), ("ours", ours())):
        assert_verdict(side, document, name, instance, expected)


# What acp-sdk 1.0.3 sends (shapes recorded from its server): valid for accord, invalid under a strict reading.
SDK_PART = {"name": None, "content_type": "text/plain", "content": "hi", "content_encoding": "plain", "content_url": None, "metadata": None}
SDK_RUN = {
    "run_id": RUN_ID, "agent_name": "echo", "session_id": SESSION_ID, "status": "created", "await_request": None,
    "output": [], "error": None, "created_at": TS, "finished_at": None,
}
SDK_EXAMPLES: list[tuple[str, str, Any]] = [
    ("manifest with null metadata members", "AgentsListResponse", {"agents": [{
        "name": "echo", "description": "Echo", "metadata": dict.fromkeys(METADATA_MEMBERS), "input_content_types": ["*/*"], "output_content_types": ["*/*"],
    }]}),
    ("created run", "Run", SDK_RUN),
    ("completed run", "Run", {**SDK_RUN, "status": "completed", "output": [{"role": "agent/echo", "parts": [SDK_PART], "created_at": TS, "completed_at": TS}], "finished_at": TS}),
    ("session without state", "Session", {"id": SESSION_ID, "history": ["http://127.0.0.1:8000/resources/1"], "state": None}),
    ("message.part event", "Event", {"type": "message.part", "part": SDK_PART}),
    ("run request with null session", "RunCreateRequest", {"agent_name": "echo", "session_id": None, "session": None, "input": [{"role": "user", "parts": [SDK_PART]}]}),
]


@pytest.mark.parametrize(("name", "instance"), [pytest.param(n, i, id=label) for label, n, i in SDK_EXAMPLES])
def test_acp_sdk_shapes_are_valid_for_accord_only_by_the_null_erratum(name: str, instance: Any) -> None:
    assert not ours().errors(name, instance)
    assert not upstream_as_read().errors(name, instance)
    assert upstream_strict().errors(name, instance), "strictly valid already; this example shows nothing"
