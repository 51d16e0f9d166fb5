"""Tests for accord.strategies: generated instances land on the intended side of the schema."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import urllib.parse
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accord.strategies import (
    FORMAT_CHECKER,
    from_schema,
    params_strategy,
    request_strategy,
    validator_for,
)

REPO = Path(__file__).resolve().parents[1]
UPSTREAM_MCP = REPO / ".." / "shared" / "upstream" / "mcp"
DRAFT7 = "http://json-schema.org/draft-07/schema#"
DRAFT2020 = "https://json-schema.org/draft/2020-12/schema"


def draw_many(strategy: st.SearchStrategy[Any], count: int = 30) -> list[Any]:
    """`count` deterministic examples (generation only, no shrinking)."""
    seen: list[Any] = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None, phases=[Phase.generate])
    @given(strategy)
    def collect(instance: Any) -> None:
        seen.append(instance)

    collect()
    assert seen, "the strategy produced nothing"
    return seen


def independent_validator(document: dict[str, Any], definition: str | None = None) -> Any:
    """A validator built here, without the module's cache, to check its output."""
    cls = jsonschema.validators.validator_for(document)
    schema = document
    if definition is not None:
        key = "$defs" if "$defs" in document else "definitions"
        schema = {**document, "$ref": f"#/{key}/{definition}"}
        for keyword in [k for k in document if k not in (key, "$schema", "$id")]:
            schema.pop(keyword)
    return cls(schema, format_checker=FORMAT_CHECKER)


def check_both_sides(document: dict[str, Any], definition: str | None = None, count: int = 30) -> tuple[list, list]:
    good = draw_many(from_schema(document, definition), count)
    bad = draw_many(from_schema(document, definition, valid=False), count)
    judge = independent_validator(document, definition)
    for instance in good:
        assert judge.is_valid(instance), f"generated as valid but is not: {instance!r}"
    for instance in bad:
        assert not judge.is_valid(instance), f"generated as invalid but validates: {instance!r}"
    return good, bad


def doc(schema: dict[str, Any], draft: str = DRAFT2020) -> dict[str, Any]:
    return {"$schema": draft, **schema}


# --------------------------------------------------------------------------- keywords


def test_type_lists_and_wrong_types() -> None:
    good, bad = check_both_sides(doc({"type": ["string", "null"]}))
    assert {type(v) for v in good} == {str, type(None)}
    assert any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in bad)
    assert any(isinstance(v, (list, dict)) for v in bad)


def test_const_and_enum() -> None:
    good, bad = check_both_sides(doc({"$defs": {"c": {"const": "tools/call"}, "e": {"enum": ["a", 1, None]}}}), "c")
    assert set(good) == {"tools/call"}
    assert any(isinstance(v, str) for v in bad)
    good, bad = check_both_sides(doc({"$defs": {"e": {"enum": ["a", 1, None]}}}), "e")
    assert set(map(json.dumps, good)) == {'"a"', "1", "null"}
    assert all(v not in ("a", 1, None) or isinstance(v, bool) for v in bad)


def test_numbers_bounds_and_multiples() -> None:
    schema = doc({"type": "integer", "minimum": 3, "exclusiveMaximum": 30, "multipleOf": 3})
    good, bad = check_both_sides(schema, count=40)
    assert all(3 <= v < 30 and v % 3 == 0 for v in good)
    assert {v for v in bad if isinstance(v, int) and not isinstance(v, bool)} >= {2, 30}
    assert 1.5 in bad or 2.5 in bad or any(isinstance(v, float) for v in bad)
    good, bad = check_both_sides(doc({"type": "number", "exclusiveMinimum": 0, "maximum": 1}), count=40)
    assert all(0 < v <= 1 for v in good)
    assert any(isinstance(v, float) and not v.is_integer() for v in good)
    assert 0 in bad and any(isinstance(v, (int, float)) and v > 1 for v in bad)


def test_strings_lengths_and_pattern() -> None:
    good, bad = check_both_sides(doc({"type": "string", "minLength": 2, "maxLength": 5}))
    assert all(2 <= len(v) <= 5 for v in good)
    assert any(isinstance(v, str) and len(v) < 2 for v in bad)
    assert any(isinstance(v, str) and len(v) > 5 for v in bad)
    good, bad = check_both_sides(doc({"type": "string", "pattern": "^[a-z]+-[0-9]{2}$"}))
    assert all(re.fullmatch("[a-z]+-[0-9]{2}", v) for v in good)
    assert any(isinstance(v, str) for v in bad)


@pytest.mark.parametrize(
    ("fmt", "looks_right"),
    [
        ("uri", lambda s: bool(urllib.parse.urlsplit(s).scheme) and " " not in s),
        ("uri-reference", lambda s: " " not in s and "\\" not in s),
        ("date-time", lambda s: dt.datetime.fromisoformat(s.replace("Z", "+00:00")).tzinfo is not None),
        ("email", lambda s: re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", s) is not None),
        ("byte", lambda s: base64.b64encode(base64.b64decode(s, validate=True)).decode() == s),
    ],
)
def test_formats_look_like_the_format(fmt: str, looks_right: Any) -> None:
    good, bad = check_both_sides(doc({"type": "string", "format": fmt}))
    assert all(looks_right(v) for v in good), good
    assert any(isinstance(v, str) for v in bad), "a broken format should still be a string"


def test_object_keywords() -> None:
    schema = doc(
        {
            "type": "object",
            "properties": {"name": {"type": "string"}, "size": {"type": "integer", "minimum": 0}},
            "required": ["name"],
            "additionalProperties": False,
        }
    )
    good, bad = check_both_sides(schema, count=50)
    assert all(set(v) <= {"name", "size"} and "name" in v for v in good)
    assert any("size" in v for v in good)
    bad_objects = [v for v in bad if isinstance(v, dict)]
    assert any("name" not in v for v in bad_objects), "missing required property"
    assert any(set(v) - {"name", "size"} for v in bad_objects), "extra property"
    assert any(not isinstance(v.get("name", ""), str) for v in bad_objects), "wrong property type"
    assert any(not isinstance(v, dict) for v in bad), "wrong type"


def test_pattern_properties_property_names_and_min_properties() -> None:
    schema = doc(
        {
            "type": "object",
            "patternProperties": {"^x-[a-z]+$": {"type": "integer"}},
            "propertyNames": {"maxLength": 6},
            "additionalProperties": False,
            "minProperties": 1,
        }
    )
    good, bad = check_both_sides(schema)
    assert all(v and all(re.fullmatch("x-[a-z]+", k) and len(k) <= 6 for k in v) for v in good)
    assert {} in bad or any(isinstance(v, dict) and any(len(k) > 6 for k in v) for v in bad)


def test_open_objects_and_additional_property_schemas() -> None:
    good, bad = check_both_sides(doc({"type": "object", "additionalProperties": {"type": "boolean"}}))
    assert all(all(isinstance(x, bool) for x in v.values()) for v in good)
    assert any(v for v in good)
    assert any(isinstance(v, dict) and any(not isinstance(x, bool) for x in v.values()) for v in bad)


def test_arrays_2020_12() -> None:
    schema = doc(
        {"type": "array", "prefixItems": [{"const": "head"}], "items": {"type": "integer"},
         "minItems": 1, "maxItems": 3, "uniqueItems": True}
    )
    good, bad = check_both_sides(schema)
    assert all(v[0] == "head" and all(isinstance(i, int) for i in v[1:]) and 1 <= len(v) <= 3 for v in good)
    assert any(len(v) > 1 for v in good)
    bad_lists = [v for v in bad if isinstance(v, list)]
    assert any(len(v) > 3 or len(v) < 1 for v in bad_lists)
    assert any(v and v[0] != "head" for v in bad_lists)


def test_arrays_draft_07_items_list_and_additional_items() -> None:
    schema = doc(
        {"type": "array", "items": [{"type": "string"}, {"type": "boolean"}], "additionalItems": False},
        draft=DRAFT7,
    )
    good, bad = check_both_sides(schema)
    assert all(len(v) <= 2 for v in good)
    assert any(len(v) == 2 and isinstance(v[1], bool) for v in good)
    assert any(isinstance(v, list) and len(v) > 2 for v in bad)


@pytest.mark.parametrize("draft", [DRAFT7, DRAFT2020])
def test_refs_with_pointer_escapes_in_both_drafts(draft: str) -> None:
    key = "definitions" if draft == DRAFT7 else "$defs"
    schema = doc(
        {
            key: {
                "a/b": {"type": "string", "minLength": 1},
                "c~d": {"$ref": f"#/{key}/a~1b"},
                "Holder": {"type": "object", "properties": {"v": {"$ref": f"#/{key}/c~0d"}}, "required": ["v"]},
            }
        },
        draft=draft,
    )
    good, bad = check_both_sides(schema, "Holder")
    assert all(isinstance(v["v"], str) and v["v"] for v in good)
    expected = jsonschema.Draft7Validator if draft == DRAFT7 else jsonschema.Draft202012Validator
    assert isinstance(validator_for(schema, "Holder"), expected)


def test_recursive_schema_terminates_and_nests() -> None:
    schema = doc(
        {
            "$defs": {
                "Tree": {
                    "type": "object",
                    "properties": {
                        "value": {"type": "integer"},
                        "children": {"type": "array", "items": {"$ref": "#/$defs/Tree"}},
                    },
                    "required": ["value"],
                    "additionalProperties": False,
                }
            }
        }
    )

    def depth(tree: dict[str, Any]) -> int:
        return 1 + max((depth(c) for c in tree.get("children", [])), default=0)

    good, bad = check_both_sides(schema, "Tree", count=60)
    assert max(map(depth, good)) >= 2
    assert max(map(depth, good)) <= 8
    assert any(isinstance(v, dict) and "children" in v for v in bad)


def test_one_of_with_overlapping_branches() -> None:
    schema = doc({"oneOf": [{"type": "integer"}, {"type": "number", "maximum": 10}]})
    good, bad = check_both_sides(schema, count=40)
    assert all(not (isinstance(v, int) and v <= 10) for v in good), "an int <= 10 matches both branches"
    assert any(isinstance(v, int) for v in good) and any(isinstance(v, float) for v in good)
    assert any(isinstance(v, int) and not isinstance(v, bool) and v <= 10 for v in bad), "matching both branches"


def test_any_of_all_of_not() -> None:
    schema = doc(
        {
            "allOf": [
                {"type": "object", "properties": {"kind": {"enum": ["a", "b"]}}, "required": ["kind"]},
                {"anyOf": [{"properties": {"kind": {"const": "a"}, "n": {"type": "integer"}}, "required": ["n"]},
                           {"properties": {"kind": {"const": "b"}}}]},
                {"not": {"required": ["forbidden"]}},
            ]
        }
    )
    good, bad = check_both_sides(schema, count=40)
    assert {v["kind"] for v in good} == {"a", "b"}
    assert all("forbidden" not in v for v in good)
    assert any(isinstance(v, dict) and "forbidden" in v for v in bad)


def test_if_then_else() -> None:
    schema = doc(
        {
            "type": "object",
            "properties": {"mode": {"enum": ["file", "url"]}},
            "required": ["mode"],
            "if": {"properties": {"mode": {"const": "file"}}},
            "then": {"required": ["path"], "properties": {"path": {"type": "string"}}},
            "else": {"required": ["url"], "properties": {"url": {"type": "string", "format": "uri"}}},
        }
    )
    good, _ = check_both_sides(schema, count=40)
    assert {v["mode"] for v in good} == {"file", "url"}
    assert all(("path" in v) if v["mode"] == "file" else ("url" in v) for v in good)


def test_boolean_schemas() -> None:
    document = doc({"$defs": {"F": False, "T": True}})
    assert from_schema(document, "F").is_empty
    assert len(draw_many(from_schema(document, "F", valid=False), 10)) == 10
    assert from_schema(document, "T", valid=False).is_empty
    assert len({json.dumps(v) for v in draw_many(from_schema(document, "T"), 20)}) > 5


def test_nullable_is_ignored() -> None:
    good, _ = check_both_sides(doc({"type": "string", "nullable": True}))
    assert all(isinstance(v, str) for v in good)


# --------------------------------------------------------------------------- validator_for


def test_validator_for_is_cached_and_asserts_formats() -> None:
    document = doc({"$defs": {"When": {"type": "string", "format": "date-time"}}})
    first = validator_for(document, "When")
    assert validator_for(document, "When") is first
    assert validator_for(document) is validator_for(document)
    assert first.is_valid("2025-06-18T12:00:00Z")
    assert not first.is_valid("2025-06-18 noon")
    with pytest.raises(KeyError):
        validator_for(document, "Missing")


def test_malformed_schemas_fail_when_the_strategy_is_built() -> None:
    with pytest.raises(jsonschema.SchemaError):
        from_schema(doc({"type": "string", "pattern": "[unclosed"}))
    with pytest.raises(Exception, match="Nope"):
        from_schema(doc({"$ref": "#/$defs/Nope"}))
    good, _ = check_both_sides(doc({"type": "object", "properties": {"pattern": {"type": "string"}}}), count=10)
    assert all(isinstance(v.get("pattern", ""), str) for v in good)


# --------------------------------------------------------------------------- MCP schemas


def _schema_files() -> list[tuple[str, Path, int]]:
    """(label, path, examples per definition) for every MCP schema we can read."""
    found = []
    for version, examples in (("2025-06-18", 2), ("2025-11-25", 2), ("2024-11-05", 1), ("2026-07-28", 1)):
        found.append((f"upstream-{version}", UPSTREAM_MCP / version / "schema.json", examples))
    for path in sorted((REPO / "specs" / "mcp").glob("*/schema.json")):
        found.append((f"specs-{path.parent.name}", path, 1))
    return found


_DOCUMENTS: dict[Path, dict[str, Any]] = {}


def _load(path: Path) -> dict[str, Any]:
    if path not in _DOCUMENTS:
        _DOCUMENTS[path] = json.loads(path.read_text(encoding="utf-8"))
    return _DOCUMENTS[path]


CHUNK = 12  # definitions per hypothesis run: one run per definition costs more in overhead than in generation


def _definition_cases() -> list[Any]:
    cases = []
    for label, path, examples in _schema_files():
        if not path.is_file():
            cases.append(pytest.param(label, path, [], examples, id=f"{label}-absent"))
            continue
        try:
            document = _load(path)
        except (OSError, ValueError):
            cases.append(pytest.param(label, path, [], examples, id=f"{label}-unreadable"))
            continue
        names = list(document.get("$defs") or document.get("definitions") or {})
        for start in range(0, len(names), CHUNK):
            chunk = names[start:start + CHUNK]
            cases.append(pytest.param(label, path, chunk, examples, id=f"{label}-{chunk[0]}..{chunk[-1]}"))
    return cases


@pytest.mark.parametrize(("label", "path", "definitions", "examples"), _definition_cases())
def test_mcp_definitions_both_sides(label: str, path: Path, definitions: list[str], examples: int) -> None:
    """For every definition: generated valid instances validate, generated invalid ones do not."""
    if not path.is_file():
        pytest.skip(f"{path} is absent (the upstream reference data or the project's spec is not here)")
    try:
        document = _load(path)
    except (OSError, ValueError) as exc:
        pytest.skip(f"{path} is not readable JSON yet: {exc}")
    assert definitions, f"{label} has no definitions"
    judges = {name: validator_for(document, name) for name in definitions}

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.data())
    def run(data: st.DataObject) -> None:
        for name, judge in judges.items():
            instance = data.draw(from_schema(document, name), label=f"valid {name}")
            assert judge.is_valid(instance), f"{label} {name}: generated as valid but is not"
            broken = data.draw(from_schema(document, name, valid=False), label=f"invalid {name}")
            assert not judge.is_valid(broken), f"{label} {name}: generated as invalid but validates"

    run()


@pytest.mark.parametrize("version", ["2025-06-18", "2025-11-25"])
def test_params_strategy_keeps_the_envelope_well_formed(version: str) -> None:
    path = UPSTREAM_MCP / version / "schema.json"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    document = _load(path)
    params_schema_of = {
        "2025-06-18": lambda: {**document, "$ref": "#/definitions/CallToolRequest/properties/params"},
        "2025-11-25": lambda: {**document, "$ref": "#/$defs/CallToolRequestParams"},
    }[version]()
    params_judge = jsonschema.validators.validator_for(document)(params_schema_of, format_checker=FORMAT_CHECKER)
    request_judge = validator_for(document, "CallToolRequest")
    envelope_judge = validator_for(document, "JSONRPCRequest")

    for params in draw_many(params_strategy(document, "CallToolRequest"), 20):
        assert params_judge.is_valid(params)
        assert isinstance(params["name"], str)
    broken = draw_many(params_strategy(document, "CallToolRequest", valid=False), 30)
    assert all(isinstance(p, dict) and not params_judge.is_valid(p) for p in broken)
    assert any("name" not in p for p in broken) and any(not isinstance(p.get("name", ""), str) for p in broken)

    for request in draw_many(request_strategy(document, "CallToolRequest"), 15):
        assert request["method"] == "tools/call" and request["jsonrpc"] == "2.0"
        assert envelope_judge.is_valid(request)
        if version != "2025-06-18":  # draft-07-era request definitions carry no jsonrpc/id
            assert request_judge.is_valid(request)
    for request in draw_many(request_strategy(document, "CallToolRequest", valid=False), 15):
        assert isinstance(request["id"], (int, str)) and isinstance(request["params"], dict)
        assert not request_judge.is_valid(request)


def test_params_strategy_rejects_definitions_without_params() -> None:
    document = doc({"$defs": {"Ping": {"type": "object", "properties": {"method": {"const": "ping"}}}}})
    with pytest.raises(ValueError):
        params_strategy(document, "Ping")
