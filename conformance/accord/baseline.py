"""Known failures: a baseline excuses them from the exit code, and reports entries that now pass."""

from __future__ import annotations

import json
from pathlib import Path

from .outcomes import Outcome
from .results import RunResult


class BaselineError(ValueError):
    pass


def load_baseline(path: Path) -> set[str]:
    """Requirement ids from a text file (one per line, '#' comments) or a JSON file:
    a list of ids, {"expected_failures": [...]}, or an earlier results.json (its failures)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BaselineError(f"baseline {path} is not valid JSON: {exc}") from None
        if isinstance(data, list):
            return {str(i) for i in data}
        if isinstance(data, dict) and isinstance(data.get("expected_failures"), list):
            return {str(i) for i in data["expected_failures"]}
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            return {r["id"] for r in data["results"] if r.get("outcome") in ("fail", "error")}
        raise BaselineError(f"baseline {path}: expected a list of ids, {{'expected_failures': [...]}} or a results.json")
    return {line.split("#", 1)[0].strip() for line in text.splitlines()} - {""}


def apply_baseline(run: RunResult, expected: set[str], source: str) -> None:
    run.meta.baseline = source
    for result in run.results:
        if result.id in expected and result.outcome in (Outcome.FAIL, Outcome.ERROR):
            result.baselined = True
    run.stale_baseline = sorted(r.id for r in run.results if r.id in expected and r.outcome is Outcome.PASS)
