"""The requirement catalogue: what a spec version demands, as data.

Levels, sections and summaries live only in ``specs/<protocol>/<version>/
requirements.toml``; checks refer to requirements by id alone.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

Level = Literal["MUST", "SHOULD", "MAY"]

ALLOWED_SOURCES: tuple[str, ...] = ("schema", "must", "lifecycle", "should", "prose", "may")
"""Values of a requirement's ``source`` (specs without RFC 2119 levels, such as ACP): enforced by the
OpenAPI schema, the word "must"/"should"/"may" in the prose, the run lifecycle diagram, or behaviour
the prose describes without any modal word (weaker than "must": a SHOULD)."""


def level_for_source(source: str) -> Level:
    """The level a requirement has because of its source; the only place this rule is written."""
    if source in ("schema", "must", "lifecycle"):
        return "MUST"
    if source in ("should", "prose"):
        return "SHOULD"
    if source == "may":
        return "MAY"
    raise CatalogueError(f"unknown requirement source {source!r}; expected one of {', '.join(ALLOWED_SOURCES)}")


class CatalogueError(ValueError):
    """A requirements file is unreadable or malformed."""


class Requirement(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9]+(\.[a-z0-9][a-z0-9-]*)+$")
    level: Level
    section: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    capability: str | None = None
    transport: str | None = None
    untested: str | None = Field(default=None, min_length=1)
    source: str | None = None
    """Where the requirement's force comes from, for specs without RFC 2119 words."""
    url: str = ""


class Catalogue:
    def __init__(self, protocol: str, version: str, spec_url: str, requirements: list[Requirement]):
        self.protocol = protocol
        self.version = version
        self.spec_url = spec_url
        self.requirements = requirements
        self._by_id = {r.id: r for r in requirements}
        if len(self._by_id) != len(requirements):
            seen: set[str] = set()
            dupes = sorted({r.id for r in requirements if r.id in seen or seen.add(r.id)})
            raise CatalogueError(f"duplicate requirement ids: {', '.join(dupes)}")

    def __iter__(self):
        return iter(self.requirements)

    def __len__(self) -> int:
        return len(self.requirements)

    def __contains__(self, requirement_id: object) -> bool:
        return requirement_id in self._by_id

    def get(self, requirement_id: str) -> Requirement:
        try:
            return self._by_id[requirement_id]
        except KeyError:
            raise KeyError(f"{requirement_id} is not in the {self.protocol} {self.version} catalogue") from None

    @classmethod
    def load(cls, path: Path) -> "Catalogue":
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise CatalogueError(f"cannot read requirements file {path}: {exc}") from None
        meta = data.get("meta") or {}
        spec_url = str(meta.get("spec_url", "")).rstrip("/")
        requirements = []
        for index, raw in enumerate(data.get("requirement", [])):
            try:
                requirement = Requirement(**raw)
            except (ValidationError, TypeError) as exc:
                raise CatalogueError(f"{path}: requirement #{index + 1} ({raw.get('id', '?')}): {exc}") from None
            url = f"{spec_url}/{requirement.section}" if spec_url else requirement.section
            requirements.append(requirement.model_copy(update={"url": url}))
        return cls(str(meta.get("protocol", "")), str(meta.get("version", "")), spec_url, requirements)
