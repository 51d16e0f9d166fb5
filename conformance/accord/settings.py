"""Everything one run is configured with, passed explicitly (no module globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .peer import Limits


@dataclass(frozen=True)
class RunSettings:
    seed: int = 0
    max_examples: int = 25
    """Hypothesis examples per property check."""
    limits: Limits = field(default_factory=Limits)
    only: frozenset[str] = frozenset()
    """Requirement ids (or id prefixes ending in '.') to run; empty: all."""
    exclude_tools: frozenset[str] = frozenset()
    """Tools accord must never call (say, one that fetches URLs)."""
    label: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    """HTTP headers sent with every request to the agent (credentials, for example), from --header."""
    agents: frozenset[str] = frozenset()
    """For servers of several agents (ACP): the ones to judge; empty: every one listed."""
    schema_path: Path | None = None
    record_path: Path | None = None

    def selects(self, requirement_id: str) -> bool:
        if not self.only:
            return True
        return any(requirement_id == o or (o.endswith(".") and requirement_id.startswith(o)) for o in self.only)
