"""A protocol's JSON Schema document, with validators built once per definition.

Handles both layouts found in the wild: draft 2020-12 with ``$defs`` and
draft-07 with ``definitions`` (the upstream MCP files use each), so a spec
author's draft can stand in for ours.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema
import referencing
import referencing.jsonschema
from jsonschema.protocols import Validator

DRAFT_07 = "http://json-schema.org/draft-07/schema"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


class SchemaError(ValueError):
    """A schema file is unreadable or not usable; the message says why."""


def validator_class(document: dict[str, Any]) -> type[Validator]:
    dialect = str(document.get("$schema", DRAFT_2020_12)).rstrip("#")
    if dialect == DRAFT_07:
        return jsonschema.Draft7Validator
    if dialect == DRAFT_2020_12:
        return jsonschema.Draft202012Validator
    try:
        return jsonschema.validators.validator_for(document)
    except Exception as exc:  # jsonschema raises several types for unknown dialects
        raise SchemaError(f"unknown JSON Schema dialect {dialect!r}") from exc


def definitions_key(document: dict[str, Any]) -> str:
    if "$defs" in document:
        return "$defs"
    if "definitions" in document:
        return "definitions"
    return "$defs"


class SchemaDocument:
    """One schema file; ``validator(name)`` gives a cached validator for a definition."""

    def __init__(self, document: dict[str, Any], source: str = "<memory>"):
        if not isinstance(document, dict):
            raise SchemaError(f"{source}: a schema document must be a JSON object")
        self.document = document
        self.source = source
        self.cls = validator_class(document)
        self.defs_key = definitions_key(document)
        self._validators: dict[str | None, Validator] = {}
        spec = referencing.jsonschema.specification_with(
            str(document.get("$schema", DRAFT_2020_12)), default=referencing.jsonschema.DRAFT202012
        )
        resource = referencing.Resource.from_contents(document, default_specification=spec)
        self._uri = str(document.get("$id", "urn:accord:schema"))
        self.registry = referencing.Registry().with_resource(self._uri, resource)

    @classmethod
    def load(cls, path: Path) -> "SchemaDocument":
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise SchemaError(f"cannot read schema {path}: {exc.strerror or exc}") from None
        try:
            document = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise SchemaError(f"schema {path} is not valid JSON: {exc}") from None
        self = cls(document, str(path))
        self.__dict__["sha256"] = hashlib.sha256(raw).hexdigest()
        return self

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.document, sort_keys=True).encode()).hexdigest()

    @property
    def definitions(self) -> dict[str, Any]:
        defs = self.document.get(self.defs_key, {})
        return defs if isinstance(defs, dict) else {}

    def has(self, name: str) -> bool:
        return name in self.definitions

    def validator(self, name: str | None = None) -> Validator:
        """A validator for definition ``name`` (None: the document root), built once."""
        cached = self._validators.get(name)
        if cached is None:
            if name is None:
                subschema: Any = self.document
            else:
                if name not in self.definitions:
                    raise SchemaError(f"{self.source} has no definition {name!r}")
                subschema = {"$ref": f"{self._uri}#/{self.defs_key}/{name}"}
            # `format` stays an annotation, as 2020-12 says by default: which formats jsonschema
            # enforces depends on optional packages, and results must not depend on the machine.
            cached = self.cls(subschema, registry=self.registry)
            self._validators[name] = cached
        return cached

    def errors(self, name: str, instance: Any, limit: int = 5) -> list[str]:
        """Readable validation errors of ``instance`` against ``name`` (empty: valid)."""
        found = []
        for error in self.validator(name).iter_errors(instance):
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            found.append(f"{where}: {_shorten(error.message)}")
            if len(found) >= limit:
                break
        return found

    def is_valid(self, name: str, instance: Any) -> bool:
        return self.validator(name).is_valid(instance)

    @cached_property
    def request_methods(self) -> dict[str, str]:
        """Request method -> its request definition name (from the method const)."""
        methods: dict[str, str] = {}
        for name, definition in self.definitions.items():
            if not (name.endswith("Request") and isinstance(definition, dict)):
                continue
            method = (definition.get("properties") or {}).get("method", {})
            if isinstance(method, dict) and isinstance(method.get("const"), str):
                methods[method["const"]] = name
        return methods

    @cached_property
    def notification_methods(self) -> dict[str, str]:
        methods: dict[str, str] = {}
        for name, definition in self.definitions.items():
            if not (name.endswith("Notification") and isinstance(definition, dict)):
                continue
            method = (definition.get("properties") or {}).get("method", {})
            if isinstance(method, dict) and isinstance(method.get("const"), str):
                methods[method["const"]] = name
        return methods


def _shorten(text: str, width: int = 300) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
