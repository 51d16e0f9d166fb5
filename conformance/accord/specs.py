"""Finding the bundled specs: ``specs/<protocol>/<version>/{schema.json,requirements.toml}``.

From a source checkout or an editable install the folder is the repository's
``specs/``; a wheel carries it inside the package as ``accord/_specs``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .catalogue import Catalogue
from .schema import SchemaDocument


class SpecNotFound(ValueError):
    """The user named a spec accord does not have."""


def specs_root() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "_specs", here.parent.parent / "specs"):
        if candidate.is_dir():
            return candidate
    raise SpecNotFound(f"accord's specs folder is missing (looked in {here / '_specs'} and {here.parent.parent / 'specs'})")


@dataclass(frozen=True, order=True)
class SpecRef:
    protocol: str
    version: str

    def __str__(self) -> str:
        return f"{self.protocol}@{self.version}"

    @classmethod
    def parse(cls, text: str) -> "SpecRef":
        match = re.fullmatch(r"\s*([a-z0-9]+)@([A-Za-z0-9._-]+)\s*", text)
        if not match:
            raise SpecNotFound(f"--spec {text!r} is not PROTOCOL@VERSION; for example mcp@2025-11-25 (see `accord list`)")
        ref = cls(match.group(1), match.group(2))
        if ref not in available():
            known = ", ".join(str(r) for r in available() if r.protocol == ref.protocol) or "none"
            raise SpecNotFound(f"accord has no spec {ref}; available for {ref.protocol}: {known}")
        return ref

    @property
    def folder(self) -> Path:
        return specs_root() / self.protocol / self.version


@cache
def available() -> tuple[SpecRef, ...]:
    root = specs_root()
    found = [
        SpecRef(p.parent.name, p.name)
        for p in root.glob("*/*")
        if (p / "requirements.toml").is_file() and (p / "schema.json").is_file()
    ]
    return tuple(sorted(found))


def latest(protocol: str) -> SpecRef:
    versions = [r for r in available() if r.protocol == protocol]
    if not versions:
        raise SpecNotFound(f"accord has no spec for protocol {protocol!r}")
    return versions[-1]


@dataclass
class Spec:
    ref: SpecRef
    schema: SchemaDocument
    catalogue: Catalogue
    schema_overridden: bool = False


@cache
def _bundled(ref: SpecRef) -> tuple[SchemaDocument, Catalogue]:
    return SchemaDocument.load(ref.folder / "schema.json"), Catalogue.load(ref.folder / "requirements.toml")


def load_spec(ref: SpecRef, schema_path: Path | None = None) -> Spec:
    schema, catalogue = _bundled(ref)
    if schema_path is not None:
        return Spec(ref, SchemaDocument.load(schema_path), catalogue, schema_overridden=True)
    return Spec(ref, schema, catalogue)
