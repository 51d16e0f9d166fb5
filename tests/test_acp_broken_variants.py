"""accord is right both ways on its own ACP fixtures: every agent of the reference server meets
every requirement judged, and every deliberately broken variant is caught by the requirement it
breaks and by no unrelated MUST."""

from __future__ import annotations

import pytest

from accord.engine import run
from accord.outcomes import Outcome
from accord.peer import Limits
from accord.settings import RunSettings
from accord.specs import SpecRef, load_spec
from accord_fixtures.acp_reference import FAULTS
from accord_fixtures.acp_reference.variants import target_for

SPEC = SpecRef("acp", "0.2.0")
REFERENCE = "acp+asgi:accord_fixtures.acp_reference:app"
AGENTS = ("echo", "awaiter", "slow", "failer")

FAULT_AGENT = {
    "cancel-one-step": "slow",
    "cancel-completed-run": "echo",
    "failed-run-no-error": "failer",
    "resume-completed-run": "awaiter",
}
"""The agent whose behaviour shows the fault (echo unless named here)."""

SAME_BREACH: dict[str, dict[str, str]] = {
    "accepts-invalid-run": {
        "acp.properties.invalid-run-requests": "its property is that invalid run requests are refused: the same rule, generated",
    },
    "resume-completed-run": {
        "acp.lifecycle.terminal-stays-terminal": "resuming a completed run is one of the moves a final run must refuse",
    },
    "stream-two-closing-events": {
        "acp.runs.events-replay": "the run's event list carries the second closing event too, which the stream read stopped before",
    },
    "unknown-agent-500": {
        "acp.runs.unknown-agent-rejected": "POST /runs for an unknown agent goes through the same failing agent lookup",
    },
    "part-content-and-url": {
        **{rid: "the schema's MessagePart forbids content with content_url, so every Run and event with that part is invalid"
           for rid in ("acp.runs.run-schema", "acp.runs.mode-optional", "acp.runs.get-ok", "acp.runs.events-list-valid",
                       "acp.stream.events-valid")},
    },
    "role-bad": {
        **{rid: "the schema's Message role pattern is the same rule, so every Run and event with that message is invalid"
           for rid in ("acp.runs.run-schema", "acp.runs.mode-optional", "acp.runs.get-ok", "acp.runs.events-list-valid",
                       "acp.stream.events-valid", "acp.messages.output-role-agent")},
    },
    "stream-no-created-event": {
        "acp.lifecycle.starts-created": "a run's first status event, in its stream, is run.created: the same sentence",
    },
}
"""Extra MUST failures a fault may cause, each with why it is the same breach, not an unrelated one."""


def judged(target: str, only: frozenset[str] = frozenset(), max_examples: int = 10):
    settings = RunSettings(seed=0, max_examples=max_examples, only=only, limits=Limits(read_timeout=5.0))
    return run(load_spec(SPEC), target, settings)


@pytest.mark.parametrize("agent", AGENTS)
def test_reference_agent_meets_every_requirement_judged(agent):
    result = judged(f"{REFERENCE}#{agent}", max_examples=25)  # as many examples as `accord run` makes
    bad = [(r.id, r.outcome.value, r.message[:300]) for r in result.results if r.outcome in (Outcome.FAIL, Outcome.ERROR)]
    assert not bad
    assert result.counts().get("pass", 0) >= 40, result.counts()
    assert result.exit_code == 0


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_broken_variant_is_caught_by_its_requirement_and_no_unrelated_must(fault):
    broken = FAULTS[fault]
    result = judged(target_for(fault, FAULT_AGENT.get(fault, "echo")))
    outcomes = {r.id: r for r in result.results}
    caught = outcomes[broken]
    assert caught.outcome is Outcome.FAIL, f"{fault} not caught by {broken}: {caught.outcome.value} {caught.message}"
    assert caught.evidence is not None and caught.evidence.reproducer
    assert caught.evidence.exchanges or caught.evidence.example is not None
    allowed = set(SAME_BREACH.get(fault, {})) | {broken}
    unrelated = {
        r.id: r.message[:200] for r in result.results
        if r.level == "MUST" and r.outcome in (Outcome.FAIL, Outcome.ERROR) and r.id not in allowed
    }
    assert not unrelated, f"{fault} also failed unrelated MUSTs: {unrelated}"
    assert not [r.id for r in result.results if r.outcome is Outcome.ERROR]
