"""Running A2A checks against the reference agent (or one of its broken variants, or any target), in process."""

from __future__ import annotations

from accord.engine import run
from accord.peer import Limits
from accord.results import RequirementResult
from accord.settings import RunSettings
from accord.specs import SpecRef, load_spec

REFERENCE = "a2a+asgi:accord_fixtures.a2a_reference:app"
VERSIONS = ("1.0", "0.3.0")
BINDINGS = ("jsonrpc", "http-json")


def judge(
    ids: str | list[str],
    *,
    version: str = "1.0",
    binding: str = "jsonrpc",
    fault: str | None = None,
    target: str | None = None,
    max_examples: int = 10,
    timeout: float = 5.0,
) -> dict[str, RequirementResult]:
    """Judge requirement ``ids`` (or id prefixes ending in '.') of A2A ``version`` over ``binding`` of the
    reference agent, or of its variant with ``fault``, or of ``target``; results by id."""
    chosen = [ids] if isinstance(ids, str) else ids
    if target is None:
        if fault:
            from accord_fixtures.a2a_reference.variants import target_for

            target = target_for(fault)
        else:
            target = REFERENCE
    if "#" not in target:
        target = f"{target}#{binding}"
    settings = RunSettings(seed=0, max_examples=max_examples, only=frozenset(chosen), limits=Limits(read_timeout=timeout))
    result = run(load_spec(SpecRef("a2a", version)), target, settings)
    return {r.id: r for r in result.results}


def explain(results: dict[str, RequirementResult]) -> str:
    return "\n".join(f"{r.id}: {r.outcome.value} {r.message[:300]}" for r in results.values())


def faults_in_area(area: str) -> list[tuple[str, str]]:
    """(fault, requirement) of every reference fault whose requirement id starts with ``area``."""
    from accord_fixtures.a2a_reference.faults import FAULTS

    return sorted((name, rid) for name, rid in FAULTS.items() if rid.startswith(area))


def require_fault_caught(fault: str, requirement: str) -> None:
    """The variant with ``fault`` fails ``requirement`` in every version whose catalogue holds it (one at least)."""
    from accord.outcomes import Outcome

    judged = 0
    for version in VERSIONS:
        results = judge(requirement, version=version, fault=fault)
        if requirement in results:
            judged += 1
            assert results[requirement].outcome == Outcome.FAIL, explain(results)
    assert judged, f"{requirement} is in no catalogue"
