"""accord is right both ways on its own A2A fixture: the reference agent meets every requirement judged, in
each version over each binding, and every deliberately broken variant is caught by the requirement it breaks
and by no unrelated MUST."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from accord.engine import run
from accord.outcomes import Outcome
from accord.peer import Limits
from accord.settings import RunSettings
from accord.specs import SpecRef, load_spec
from accord_fixtures.a2a_reference import FAULTS
from accord_fixtures.a2a_reference.variants import target_for
from accord_grpc import grpc_missing

pytestmark = pytest.mark.slow  # one run of the suite per case: 20 s for the reference, 10 s for a variant

REFERENCE = "a2a+asgi:accord_fixtures.a2a_reference:app"
GRPC_REFERENCE = "a2a+asgi:accord_fixtures.a2a_reference:grpc_app"
"""The reference serving the gRPC binding (A2A 1.0 and 0.3) too."""
VERSIONS = ("1.0", "0.3.0")
BINDINGS = ("jsonrpc", "http-json", "grpc")
REFERENCE_RUNS = [(version, binding) for version in VERSIONS for binding in ("jsonrpc", "http-json")] + [
    ("1.0", "grpc"), ("0.3.0", "grpc")]
NEEDS_GRPC = pytest.mark.skipif(grpc_missing() is not None, reason=str(grpc_missing()))
SPECS = Path(__file__).resolve().parents[1] / "specs" / "a2a"
NOT_JUDGED: set[tuple[str, str]] = set()
"""Runs the suite declines as a whole (every requirement skipped, with the reason): none since 0.3 over HTTP+JSON
is judged (specs/a2a/0.3.0/ERRATA.md)."""


def catalogue(version: str) -> dict[str, str]:
    """requirement id -> level"""
    with (SPECS / version / "requirements.toml").open("rb") as file:
        return {entry["id"]: entry["level"] for entry in tomllib.load(file)["requirement"]}


def catalogue_ids(version: str) -> frozenset[str]:
    return frozenset(catalogue(version))


def musts_and(version: str, requirement: str) -> frozenset[str]:
    """What a broken variant's run judges: every MUST of ``version`` and the requirement the fault breaks."""
    return frozenset(rid for rid, level in catalogue(version).items() if level == "MUST") | {requirement}


FAULT_RUNS: dict[str, tuple[tuple[str, str], ...]] = {
    "interface-undeclared": (("1.0", "jsonrpc"),),  # only the 1.0 card leaves the interface out
    "http-task-not-found-500": (("1.0", "http-json"), ("0.3.0", "http-json")),  # an HTTP+JSON fault
    "grpc-error-info-wrong-domain": (("1.0", "grpc"),),  # gRPC faults, judged over the 1.0 service
    "grpc-task-not-found-internal": (("1.0", "grpc"),),
    "grpc-metadata-version-ignored": (("1.0", "grpc"),),
}
"""The runs (version, binding) that judge a fault when not the default: over JSON-RPC, in each version whose
catalogue holds the requirement it breaks."""


def runs_of(fault: str) -> tuple[tuple[str, str], ...]:
    if fault in FAULT_RUNS:
        return FAULT_RUNS[fault]
    return tuple((version, "jsonrpc") for version in VERSIONS if FAULTS[fault] in catalogue_ids(version))


CASES = [pytest.param(fault, version, binding, id=f"{fault}-{version}-{binding}",
                      marks=[NEEDS_GRPC] if binding == "grpc" else [])
         for fault in sorted(FAULTS) for version, binding in runs_of(fault)]
VERSION_IGNORED = "it provokes VersionNotSupportedError with a2a-version 99.0 in the metadata, which is now ignored"

STREAM_REFUSED = "the card declares streaming, so a refused SendStreamingMessage fails every stream rule the check needs a stream for"
NOT_FOUND_CODE = "it demands TaskNotFoundError (-32001) on JSON-RPC for its own unknown id: the code map seen from that operation"
SCHEMA_SNAKE = "the schema forbids last_chunk through propertyNames (spec 5.5 written into the schema): the same rule"

SAME_BREACH: dict[str, dict[str, str]] = {
    "grpc-metadata-version-ignored": {
        "a2a.versioning.unsupported-version": VERSION_IGNORED,
        "a2a.versioning.missing-header-is-0-3": "a call without a2a-version is served as 1.0 instead of refused: "
                                                "the same metadata never read",
        "a2a.errors.grpc-status-map": VERSION_IGNORED,
        "a2a.errors.grpc-error-info": VERSION_IGNORED,
    },
    "artifact-update-snake-case": {
        "a2a.schema.wire-valid": SCHEMA_SNAKE,
        "a2a.stream.event-valid": SCHEMA_SNAKE,
        "a2a.push.delivery-payload": SCHEMA_SNAKE + " (deliveries are StreamResponses too)",
        "a2a.jsonrpc.stream-envelope": SCHEMA_SNAKE + " (each result must be a valid StreamResponse)",
    },
    "cancel-completed-succeeds": {
        "a2a.lifecycle.state-machine": "its model holds the cancel rule of a terminal task and drives that cancel",
        "a2a.errors.jsonrpc-code-map": "it provokes TaskNotCancelableError by cancelling a completed task, which now succeeds",
    },
    "terminal-task-accepts-message": {
        "a2a.lifecycle.state-machine": "its model holds the rule that a terminal task takes no message and sends one",
    },
    "task-id-is-message-id": {
        "a2a.lifecycle.state-machine": "its model checks that every task id is the server's own, on every send",
    },
    "stream-events-after-terminal": {
        "a2a.stream.final-flag": "in 0.3 the terminal status update carries final true, so the repeat follows a final event",
    },
    "streaming-declared-unserved": {
        **{rid: STREAM_REFUSED for rid in (
            "a2a.stream.sse", "a2a.stream.event-valid", "a2a.stream.message-only", "a2a.stream.task-first",
            "a2a.stream.same-task", "a2a.stream.closes-at-terminal", "a2a.stream.order", "a2a.stream.final-flag",
            "a2a.jsonrpc.stream-envelope")},
        "a2a.send.unknown-task": "its SendStreamingMessage half is refused before any task lookup, as streaming is",
    },
    "task-not-found-wrong-code": {
        **{rid: NOT_FOUND_CODE for rid in (
            "a2a.tasks.get-not-found", "a2a.cancel.not-found", "a2a.send.unknown-task", "a2a.subscribe.not-found",
            "a2a.push.unknown-task", "a2a.push.get-missing-fails", "a2a.equivalence.same-errors")},
        **{rid: "it recognises an interface as serving A2A by the TaskNotFoundError (-32001) its GetTask of an unknown "
                "id must get; the wrong code is what it sees" for rid in (
            "a2a.interfaces.url-and-binding", "a2a.interfaces.version-served", "a2a.interfaces.preferred-transport",
            "a2a.interfaces.at-least-one")},
    },
    "unsupported-version-served": {
        "a2a.errors.jsonrpc-code-map": "it provokes VersionNotSupportedError (-32009) with A2A-Version 99.0, which is served",
        "a2a.jsonrpc.service-params-headers": "it shows the header is read by an unsupported A2A-Version being refused",
    },
}
"""Extra MUST failures a fault may cause, each with why it is the same breach, not an unrelated one."""


def judged(target: str, version: str, max_examples: int = 5, only: frozenset[str] = frozenset()):
    settings = RunSettings(seed=0, max_examples=max_examples, only=only, limits=Limits(read_timeout=5.0))
    return run(load_spec(SpecRef("a2a", version)), target, settings)


@pytest.mark.parametrize(("version", "binding"), [
    pytest.param(v, b, marks=[NEEDS_GRPC] if b == "grpc" else []) for v, b in REFERENCE_RUNS])
def test_reference_agent_meets_every_requirement_judged(version: str, binding: str) -> None:
    reference = GRPC_REFERENCE if binding == "grpc" else REFERENCE
    result = judged(f"{reference}#{binding}", version, max_examples=25)  # as many examples as `accord run` makes
    bad = [f"{r.id} {r.outcome.value}: {r.message[:300]}" for r in result.results
           if r.outcome in (Outcome.FAIL, Outcome.ERROR)]
    assert not bad, "\n".join(bad)
    assert result.exit_code == 0
    counts = result.counts()
    if (version, binding) in NOT_JUDGED:
        assert set(counts) == {"skip"}, counts
    else:
        assert counts.get("pass", 0) >= 60, counts


def test_every_fault_is_judged_where_it_shows() -> None:
    assert set(FAULT_RUNS) <= set(FAULTS)
    for fault, requirement in FAULTS.items():
        assert runs_of(fault), f"{fault} is judged nowhere"
        for version, binding in runs_of(fault):
            assert requirement in catalogue_ids(version), f"{fault}: {requirement} is not in the {version} catalogue"
            assert binding in BINDINGS
    assert set(SAME_BREACH) <= set(FAULTS)


@pytest.mark.parametrize(("fault", "version", "binding"), CASES)
def test_broken_variant_is_caught_by_its_requirement_and_no_unrelated_must(fault: str, version: str, binding: str) -> None:
    broken = FAULTS[fault]
    result = judged(target_for(fault, binding), version, only=musts_and(version, broken))
    outcomes = {r.id: r for r in result.results}
    caught = outcomes[broken]
    assert caught.outcome is Outcome.FAIL, f"{fault} not caught by {broken}: {caught.outcome.value} {caught.message}"
    assert caught.evidence is not None and caught.evidence.reproducer
    allowed = set(SAME_BREACH.get(fault, {})) | {broken}
    unrelated = {
        r.id: r.message[:200] for r in result.results
        if r.level == "MUST" and r.outcome in (Outcome.FAIL, Outcome.ERROR) and r.id not in allowed
    }
    assert not unrelated, f"{fault} also failed unrelated MUSTs:\n" + "\n".join(f"{k}: {v}" for k, v in unrelated.items())
    assert not [r.id for r in result.results if r.outcome is Outcome.ERROR]
