"""`accord spec lint`: is a draft schema usable by the suites, and how does it differ from ours?"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import referencing.exceptions

from .schema import SchemaDocument


@dataclass
class LintReport:
    metaschema_errors: list[str] = field(default_factory=list)
    unresolved_refs: list[str] = field(default_factory=list)
    missing_needed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.metaschema_errors or self.unresolved_refs or self.missing_needed)

    def lines(self) -> list[str]:
        out = [f"metaschema: {e}" for e in self.metaschema_errors]
        out += [f"unresolvable $ref: {r}" for r in self.unresolved_refs]
        out += [f"missing definition the suites need: {d}" for d in self.missing_needed]
        out += [f"new definition (not in the released version): {d}" for d in self.added]
        out += [f"definition removed (present in the released version): {d}" for d in self.removed]
        return out


def lint(draft: SchemaDocument, released: SchemaDocument | None, needed: set[str]) -> LintReport:
    report = LintReport()
    for error in draft.cls(draft.cls.META_SCHEMA).iter_errors(draft.document):
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        report.metaschema_errors.append(f"{where}: {error.message[:200]}")
    resolver = draft.registry.resolver(base_uri=draft.document.get("$id", "urn:accord:schema"))
    for pointer, ref in _refs(draft.document, ""):
        try:
            resolver.lookup(ref)
        except referencing.exceptions.Unresolvable:
            report.unresolved_refs.append(f"{ref} (at {pointer or '/'})")
    names = set(draft.definitions)
    report.missing_needed = sorted(needed - names)
    if released is not None:
        report.added = sorted(names - set(released.definitions))
        report.removed = sorted(set(released.definitions) - names)
    return report


def _refs(node: Any, pointer: str):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield pointer, ref
        for key, value in node.items():
            if key in ("enum", "const", "examples", "default"):
                continue
            yield from _refs(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _refs(value, f"{pointer}/{index}")
