"""Result models: what a run found, per requirement, with its evidence."""

from __future__ import annotations

import json
import platform
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from . import __version__
from .catalogue import Level
from .outcomes import Outcome


class Evidence(BaseModel):
    exchanges: list[dict[str, Any]] = Field(default_factory=list)
    """What crossed the wire during the check (secrets redacted, long payloads cut)."""
    seed: int | None = None
    example: Any = None
    """The minimal input hypothesis found, for property checks."""
    reproducer: str = ""
    stderr: str | None = None


class RequirementResult(BaseModel):
    id: str
    level: Level
    outcome: Outcome
    summary: str
    section: str
    message: str = ""
    check: str | None = None
    duration: float = 0.0
    evidence: Evidence | None = None
    baselined: bool = False
    """A failure listed in the baseline: known, and not counted for the exit code."""


class Implementation(BaseModel):
    name: str = "unknown"
    version: str = ""


class RunMeta(BaseModel):
    accord_version: str = __version__
    protocol: str
    spec_version: str
    schema_sha256: str
    schema_source: str
    target: str
    transport: str
    implementation: Implementation = Field(default_factory=Implementation)
    label: str = ""
    """A short name for the column in a matrix (defaults to the implementation name)."""
    sent: int = 0
    """Requests (HTTP) or messages (stdio) accord sent to the agent in the run."""
    agent: str = ""
    """The agent judged, when the server hosts several (ACP); part of the column name."""
    seed: int
    max_examples: int
    started_at: str
    duration: float = 0.0
    python: str = Field(default_factory=lambda: sys.version.split()[0])
    platform: str = Field(default_factory=platform.platform)
    baseline: str | None = None


class RunResult(BaseModel):
    meta: RunMeta
    results: list[RequirementResult] = Field(default_factory=list)
    stale_baseline: list[str] = Field(default_factory=list)
    """Baseline entries whose requirement now passes: the baseline should drop them."""

    def counts(self) -> dict[str, int]:
        return dict(Counter(r.outcome.value for r in self.results))

    def blocking(self) -> list[RequirementResult]:
        """MUST requirements that failed or could not be judged, not excused by the baseline."""
        return [
            r
            for r in self.results
            if r.level == "MUST" and r.outcome in (Outcome.FAIL, Outcome.ERROR) and not r.baselined
        ]

    @property
    def exit_code(self) -> int:
        return 1 if self.blocking() else 0

    @property
    def column(self) -> str:
        name = self.meta.label or self.meta.implementation.name
        return f"{name} #{self.meta.agent}" if self.meta.agent and self.meta.agent != name else name

    def save(self, path: Path) -> None:
        path.write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "RunResult":
        return cls.model_validate(json.loads(path.read_text(encoding="utf-8")))
