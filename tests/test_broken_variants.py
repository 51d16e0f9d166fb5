"""accord is right both ways on its own fixtures: the reference server meets every
requirement judged, over stdio and HTTP, in both versions; and every deliberately
broken variant is caught by the requirement it breaks and by no unrelated MUST."""

from __future__ import annotations

import contextlib
import shlex
import sys
import time
from collections.abc import Iterator

import pytest

from accord.engine import run
from accord.outcomes import Outcome
from accord.settings import RunSettings
from accord.specs import SpecRef, load_spec
from accord_fixtures.mcp_reference import FAULT_REQUIREMENTS, FAULT_TRANSPORTS, FAULTS
from accord_fixtures.peers import serve_command

PYTHON = shlex.quote(sys.executable)
VERSIONS = ("2025-06-18", "2025-11-25")

# A fault that breaks one spec sentence can break others that restate it; each extra
# MUST failure allowed here names why it is the same breach, not an unrelated one.
MALFORMED_ANSWER = {
    "mcp.properties.valid-params": "its property is that every answer to valid params is a well-formed, schema-valid frame",
    "mcp.lifecycle.state-machine": "its invariant is that every request gets one well-formed answer",
}
SAME_BREACH: dict[str, dict[str, str]] = {
    "bad-input-schema": {
        **MALFORMED_ANSWER,
        "mcp.schema.wire-valid": "a tool whose inputSchema is not an object schema makes tools/list schema-invalid",
        "mcp.tools.list": "the tools/list result is schema-invalid for the same reason",
        "mcp.tools.input-schema-valid": "type 'string' is not the object schema the spec requires",
        "mcp.pagination.all-pages-reachable": "every page must be a valid result; that page is not",
    },
    "missing-server-info": {
        **MALFORMED_ANSWER,
        "mcp.schema.wire-valid": "serverInfo is a required member of InitializeResult",
        "mcp.lifecycle.initialize-result": "the initialize result is schema-invalid without serverInfo",
    },
    "http-origin-allowed": {
        "mcp.http.origin-validated": "2025-11-25 demands both that Origin is validated and that an invalid one gets 403",
    },
    "wrong-jsonrpc-version": {
        **MALFORMED_ANSWER,
        "mcp.schema.wire-valid": "jsonrpc is the const '2.0' in every message definition",
    },
    "result-and-error": {
        **MALFORMED_ANSWER,
        "mcp.schema.wire-valid": "no message definition allows both result and error",
    },
    "string-error-code": {
        **MALFORMED_ANSWER,
        "mcp.schema.wire-valid": "the error code is an integer in the schema",
        "mcp.jsonrpc.error-object-shape": "the error object's code must be an integer: the same sentence",
    },
    "null-id": {
        **MALFORMED_ANSWER,
        "mcp.schema.wire-valid": "RequestId is a string or an integer in the schema, never null",
    },
    "answers-notifications": {
        **MALFORMED_ANSWER,
        "mcp.schema.wire-valid": "the unasked answer {id: null, result: {}} fits no message definition",
        "mcp.jsonrpc.id-not-null": "that unasked answer is a result with a null id, which JSON-RPC never allows",
        "mcp.cancellation.race-handled": "notifications/cancelled is a notification, and it gets answered too",
    },
}


@contextlib.contextmanager
def http_reference(*faults: str) -> Iterator[str]:
    def argv(port: int) -> list[str]:
        return [sys.executable, "-m", "accord_fixtures.mcp_reference", "--http", "--port", str(port),
                *[arg for fault in faults for arg in ("--fault", fault)]]

    with serve_command(argv, "the reference HTTP server") as url:
        yield "mcp+" + url


@contextlib.contextmanager
def reference(transport: str, *faults: str) -> Iterator[str]:
    if transport == "http":
        with http_reference(*faults) as target:
            yield target
    else:
        yield f"mcp+stdio:{PYTHON} -m accord_fixtures.mcp_reference --stdio" + "".join(f" --fault {f}" for f in faults)


def judged(target: str, version: str, only: frozenset[str] = frozenset(), timeout: float | None = None):
    settings = RunSettings(seed=0, max_examples=5, only=only)
    if timeout is not None:
        from accord.peer import Limits

        settings = RunSettings(seed=0, max_examples=5, only=only, limits=Limits(read_timeout=timeout))
    return run(load_spec(SpecRef("mcp", version)), target, settings)


@pytest.mark.parametrize("transport", ["stdio", "http"])
@pytest.mark.parametrize("version", VERSIONS)
def test_reference_meets_every_requirement_judged(transport, version):
    with reference(transport) as target:
        result = judged(target, version)
    bad = [(r.id, r.outcome.value, r.message[:200]) for r in result.results if r.outcome in (Outcome.FAIL, Outcome.ERROR)]
    assert not bad
    counts = result.counts()
    assert counts.get("pass", 0) >= 90, counts
    assert result.exit_code == 0


DISABLING = {"hang-on-tools-call", "flood"}
"""Faults that make a whole part of the server unusable (it never answers tools/call; it buries
every answer under 10,000 notifications): every check that needs that part fails, rightly."""


def fault_cases():
    for fault in FAULTS:
        if fault in DISABLING:
            continue
        transport = "http" if FAULT_TRANSPORTS[fault] == "http" else "stdio"
        marks = [pytest.mark.slow] if fault == "stdio-no-exit" else []
        yield pytest.param(fault, transport, id=fault, marks=marks)


@pytest.mark.slow
@pytest.mark.parametrize("fault", sorted(DISABLING))
def test_a_hanging_or_flooding_server_fails_checks_in_bounded_time_without_harness_errors(fault):
    started = time.monotonic()
    with reference("stdio", fault) as target:
        result = judged(target, "2025-11-25", timeout=3.0)
    elapsed = time.monotonic() - started
    failed = {r.id: r for r in result.results if r.outcome is Outcome.FAIL}
    assert "mcp.properties.valid-params" in failed or "mcp.ping.response" in failed
    assert all(r.evidence and r.evidence.reproducer for r in failed.values())
    assert not [r.id for r in result.results if r.outcome is Outcome.ERROR]
    assert result.exit_code == 1
    assert elapsed < 300, f"the run against {fault} took {elapsed:.0f}s"


@pytest.mark.parametrize("fault, transport", list(fault_cases()))
def test_broken_variant_is_caught_by_its_requirement_and_no_unrelated_must(fault, transport):
    version = "2025-11-25"
    catalogue = load_spec(SpecRef("mcp", version)).catalogue
    broken = FAULT_REQUIREMENTS[fault]
    musts = {r.id for r in catalogue if r.level == "MUST"}
    only = frozenset(musts | ({broken} if broken else set()))
    started = time.monotonic()
    with reference(transport, fault) as target:
        result = judged(target, version, only, timeout=5.0)
    elapsed = time.monotonic() - started
    outcomes = {r.id: r for r in result.results}
    if broken is not None:
        caught = outcomes[broken]
        assert caught.outcome is Outcome.FAIL, f"{fault} not caught by {broken}: {caught.outcome.value} {caught.message}"
        evidence = caught.evidence
        assert evidence is not None and evidence.reproducer
        assert evidence.exchanges or evidence.example is not None, "a failure must carry the messages that show it"
    allowed = set(SAME_BREACH.get(fault, {})) | ({broken} if broken else set())
    unrelated = {
        r.id: r.message[:200] for r in result.results
        if r.level == "MUST" and r.outcome in (Outcome.FAIL, Outcome.ERROR) and r.id not in allowed
    }
    assert not unrelated, f"{fault} also failed unrelated MUSTs: {unrelated}"
    errors = {r.id: r.message[:200] for r in result.results if r.outcome is Outcome.ERROR}
    assert not errors
    assert elapsed < 240, f"a run against {fault} took {elapsed:.0f}s: the harness must stay bounded"
