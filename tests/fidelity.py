"""What the schema fidelity tests (MCP, ACP, A2A) share: where the upstream reference files are, a schema
document with one cached validator per definition, and the comparisons made the same way for each protocol."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import jsonschema
import pytest
import referencing
import referencing.jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from referencing.exceptions import Unresolvable

REPO = Path(__file__).resolve().parents[1]
UPSTREAM_ROOT = REPO / ".." / "shared" / "upstream"
"""Official schema files, read as reference data only (never copied into the project)."""
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
DATA_KEYWORDS = ("const", "enum", "default", "examples", "example")
"""Keywords whose values are instances, not schemas: not searched for refs or formats."""


def fidelity_settings(max_examples: int) -> settings:
    """Derandomized (the same examples on every run), unstored, without deadline or size health checks."""
    return settings(
        max_examples=max_examples, derandomize=True, database=None, deadline=None, print_blob=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )


class Document:
    """A schema document registered once (with any extra resources), one cached validator per definition."""

    def __init__(self, contents: dict[str, Any], uri: str, extra: dict[str, Any] | None = None) -> None:
        self.contents = contents
        self.uri = uri
        self.defs_key = "$defs" if "$defs" in contents else "definitions"
        self.validator_class = jsonschema.validators.validator_for(contents)
        spec = referencing.jsonschema.specification_with(str(contents.get("$schema", DRAFT_2020_12)))
        resources = [(uri, referencing.Resource.from_contents(contents, default_specification=spec))]
        for extra_uri, schema in (extra or {}).items():
            resources.append((extra_uri, referencing.Resource.from_contents(schema, default_specification=spec)))
        self.registry: referencing.Registry = referencing.Registry().with_resources(resources).crawl()
        self._validators: dict[str, Any] = {}

    @property
    def defs(self) -> dict[str, Any]:
        return self.contents[self.defs_key]

    @property
    def names(self) -> set[str]:
        return set(self.defs)

    def validator(self, name: str) -> Any:
        if name not in self._validators:
            self._validators[name] = self.validator_class({"$ref": f"{self.uri}#/{self.defs_key}/{name}"}, registry=self.registry)
        return self._validators[name]

    def errors(self, name: str, instance: Any) -> list[str]:
        return sorted(error.message for error in self.validator(name).iter_errors(instance))

    def is_valid(self, name: str, instance: Any) -> bool:
        return self.validator(name).is_valid(instance)


def require(path: Path) -> None:
    """Skip the calling test when the upstream reference file ``path`` is absent."""
    if not path.is_file():
        pytest.skip(f"upstream reference {path.resolve()} is absent")


def absent(path: Path) -> list[Any]:
    """The one parameter a test parametrized over an absent upstream file gets: skipped, saying why."""
    return [pytest.param(None, marks=pytest.mark.skip(reason=f"upstream reference {path.resolve()} is absent"))]


def from_schema_or_skip() -> Any:
    strategies = pytest.importorskip("accord.strategies", reason="accord.strategies is not available")
    return strategies.from_schema


# --- well-formed


def assert_valid_2020_12(contents: dict[str, Any]) -> None:
    assert contents.get("$schema") == DRAFT_2020_12
    assert "$defs" in contents and "definitions" not in contents
    jsonschema.Draft202012Validator.check_schema(contents)


def refs(node: Any, where: str = "#") -> Iterator[tuple[str, str]]:
    """(JSON pointer, $ref) pairs of a schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield where, value
            elif key not in DATA_KEYWORDS:
                yield from refs(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from refs(value, f"{where}/{index}")


def assert_refs_resolve(document: Document, *, at_least: int, why: str) -> None:
    resolver = document.registry.resolver(base_uri=document.uri)
    found = list(refs(document.contents))
    assert len(found) > at_least, why
    unresolved = []
    for where, ref in found:
        try:
            resolver.lookup(ref)
        except Unresolvable:
            unresolved.append(f"{where}: {ref}")
    assert not unresolved, "unresolvable $ref:\n" + "\n".join(unresolved)


# --- same definitions


def formats(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """(property path, format) pairs; combinators and items do not add to the path."""
    if isinstance(node, dict):
        if isinstance(node.get("format"), str):
            yield path, node["format"]
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for prop, sub in value.items():
                    yield from formats(sub, path + (prop,))
            elif key not in DATA_KEYWORDS:
                yield from formats(value, path)
    elif isinstance(node, list):
        for value in node:
            yield from formats(value, path)


def object_parts(schema: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(required members, members) of an object definition."""
    return set(schema.get("required", [])), set(schema.get("properties", {}))


# --- same instances


def assert_generated_are_valid(instances: st.SearchStrategy[Any], target: Document, name: str, config: settings,
                               what: str) -> None:
    """Every instance drawn is valid for ``name`` of ``target``; ``what`` says where they come from."""

    @config
    @given(instances)
    def check(instance: Any) -> None:
        errors = target.errors(name, instance)
        assert not errors, f"{what}, rejected by the other: {errors}\n{instance!r}"

    check()


def assert_same_verdicts(instances: st.SearchStrategy[Any], source: tuple[Document, str], target: tuple[Document, str],
                         config: settings, what: str) -> None:
    """Source and target (each a document and a definition name) judge every instance drawn alike."""

    @config
    @given(instances)
    def check(instance: Any) -> None:
        source_valid, target_valid = source[0].is_valid(source[1], instance), target[0].is_valid(target[1], instance)
        assert source_valid == target_valid, f"{what}: source valid={source_valid}, other valid={target_valid}\n{instance!r}"

    check()


def assert_verdict(side: str, document: Document, name: str, instance: Any, expected: bool) -> None:
    """``document`` judges a hand-written ``instance`` of ``name`` valid exactly when ``expected``."""
    errors = document.errors(name, instance)
    if expected:
        assert not errors, f"{side} rejects a valid {name}: {errors}"
    else:
        assert errors, f"{side} accepts an invalid {name}"
