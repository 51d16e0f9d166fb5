"""Folding runs into one matrix: requirements by implementation x version x transport."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .outcomes import Outcome
from .results import RequirementResult, RunResult

LEVEL_ORDER = {"MUST": 0, "SHOULD": 1, "MAY": 2}


@dataclass(frozen=True)
class Column:
    implementation: str
    version: str
    transport: str
    protocol: str

    def title(self) -> str:
        return f"{self.implementation} {self.protocol}@{self.version} {self.transport}"


@dataclass
class Matrix:
    columns: list[Column] = field(default_factory=list)
    rows: dict[str, dict[Column, RequirementResult]] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)
    summaries: dict[str, str] = field(default_factory=dict)
    runs: list[RunResult] = field(default_factory=list)

    @classmethod
    def from_runs(cls, runs: list[RunResult]) -> "Matrix":
        matrix = cls(runs=runs)
        for run in runs:
            column = Column(run.column, run.meta.spec_version, run.meta.transport, run.meta.protocol)
            if column in matrix.columns:  # the same column twice: a later shard; merge into it
                pass
            else:
                matrix.columns.append(column)
            for r in run.results:
                matrix.rows.setdefault(r.id, {})[column] = r
                matrix.levels.setdefault(r.id, r.level)
                matrix.summaries.setdefault(r.id, r.summary)
        return matrix

    def ordered_ids(self) -> list[str]:
        return sorted(self.rows, key=lambda i: (LEVEL_ORDER.get(self.levels[i], 9), i))

    def cell(self, requirement_id: str, column: Column) -> str:
        result = self.rows[requirement_id].get(column)
        if result is None:
            return ""
        return cell_text(result)

    def failures(self) -> list[tuple[Column, RequirementResult]]:
        return [
            (column, result)
            for rid in self.ordered_ids()
            for column, result in self.rows[rid].items()
            if result.outcome in (Outcome.FAIL, Outcome.ERROR)
        ]


def cell_text(result: RequirementResult) -> str:
    text = {
        Outcome.PASS: "pass",
        Outcome.FAIL: "FAIL",
        Outcome.NOT_APPLICABLE: "n/a",
        Outcome.SKIP: "skip",
        Outcome.ERROR: "ERROR",
    }[result.outcome]
    return f"{text} (baseline)" if result.baselined else text


def load_runs(paths: list[Path]) -> list[RunResult]:
    """Every results.json under the given files or folders."""
    runs = []
    for path in paths:
        files = [path] if path.is_file() else sorted(path.rglob("results.json"))
        runs.extend(RunResult.load(f) for f in files)
    return runs
