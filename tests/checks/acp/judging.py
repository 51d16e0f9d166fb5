"""Running ACP checks against the reference server or one of its broken variants, in process."""

from __future__ import annotations

from accord.engine import run
from accord.outcomes import Outcome
from accord.peer import Limits
from accord.results import RequirementResult
from accord.settings import RunSettings
from accord.specs import SpecRef, load_spec
from accord_fixtures.acp_reference.variants import target_for

REFERENCE = "acp+asgi:accord_fixtures.acp_reference:app"
SPEC = SpecRef("acp", "0.2.0")


def judge(
    ids: str | list[str],
    *,
    agent: str = "echo",
    fault: str | None = None,
    target: str | None = None,
    max_examples: int = 10,
    timeout: float = 5.0,
) -> dict[str, RequirementResult]:
    """Judge requirement ``ids`` (or id prefixes ending in '.') against one agent of the
    reference server, or of the variant with ``fault``, or of ``target``; results by id."""
    chosen = [ids] if isinstance(ids, str) else ids
    if target is None:
        target = target_for(fault, agent) if fault else f"{REFERENCE}#{agent}"
    settings = RunSettings(
        seed=0, max_examples=max_examples, only=frozenset(chosen), limits=Limits(read_timeout=timeout)
    )
    result = run(load_spec(SPEC), target, settings)
    return {r.id: r for r in result.results}


def outcome(results: dict[str, RequirementResult], requirement: str) -> Outcome:
    return results[requirement].outcome


def explain(results: dict[str, RequirementResult]) -> str:
    return "\n".join(f"{r.id}: {r.outcome.value} {r.message[:300]}" for r in results.values())
