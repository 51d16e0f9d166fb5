"""The property checks (valid and invalid params) and the lifecycle state machine, against
fake servers correct and broken, and end to end against the reference server."""

from __future__ import annotations

import json
import sys
import time

import pytest

from accord.engine import run
from accord.outcomes import Outcome
from accord.peer import Limits
from accord.settings import RunSettings
from accord.specs import SpecRef, load_spec
from accord.suites.mcp.checks import properties, session_machine

from .fake_properties import PropertyServer

VALID = "mcp.properties.valid-params"
INVALID = "mcp.properties.invalid-params-rejected"
MACHINE = "mcp.lifecycle.state-machine"
ALL = {VALID, INVALID, MACHINE}


def messages(results) -> dict[str, str]:
    return {rid: f"{r.outcome.value}: {r.message}" for rid, r in results.items()}


@pytest.mark.parametrize("version", ["2025-11-25", "2025-06-18"])
def test_a_correct_server_passes(monkeypatch, version):
    server = PropertyServer()
    results = server.run(monkeypatch, ALL, version)
    assert all(results[rid].outcome is Outcome.PASS for rid in ALL), messages(results)
    sent = {method for method, _ in server.requests}
    assert sent >= {"ping", "tools/list", "resources/list", "resources/templates/list", "prompts/list",
                    "logging/setLevel", "completion/complete", "resources/read", "prompts/get", "tools/call",
                    "initialize"}
    valid_calls = [p for p in server.sent("tools/call") if isinstance(p, dict) and isinstance(p.get("name"), str)]
    assert {p["name"] for p in valid_calls} == {"echo"}  # the risky tool is never called
    assert len(valid_calls) <= properties.MAX_TOOL_CALLS


def test_generated_params_are_varied_and_drawn_from_listings(monkeypatch):
    server = PropertyServer()
    server.run(monkeypatch, {VALID}, max_examples=50)
    distinct = {json.dumps([m, p], sort_keys=True) for m, p in server.requests}
    assert len(distinct) >= 30
    assert len({p["level"] for p in server.sent("logging/setLevel")}) >= 2
    known = {"level", "uri", "name", "arguments", "ref", "argument", "cursor", "_meta", "context"}
    assert any(isinstance(p, dict) and set(p) - known for _, p in server.requests)  # extra properties are allowed
    assert {p["uri"] for p in server.sent("resources/read")} == {"fake://notes"}
    assert {p["name"] for p in server.sent("prompts/get")} <= {"greet", "plain"}


def broken_logging() -> PropertyServer:
    return PropertyServer(breaks=frozenset({"bad-result-on-extras"}), capabilities={"logging": {}})


def test_a_malformed_result_fails_valid_params_with_the_minimal_example(monkeypatch):
    result = broken_logging().run(monkeypatch, {VALID}, seed=3)[VALID]
    assert result.outcome is Outcome.FAIL
    assert "logging/setLevel" in result.message and "_meta" in result.message
    example = result.evidence.example
    assert example["method"] == "logging/setLevel"
    assert example["params"]["level"] == "debug" and len(example["params"]) == 2  # shrunk to one extra property
    assert result.evidence.seed == 3


def test_the_same_seed_gives_the_same_example(monkeypatch):
    runs = [broken_logging().run(monkeypatch, {VALID}, seed=11)[VALID] for _ in range(2)]
    assert runs[0].outcome is Outcome.FAIL
    assert runs[0].evidence.example == runs[1].evidence.example
    assert runs[0].message == runs[1].message


def test_an_unanswered_request_stops_the_check_at_once(monkeypatch):
    server = PropertyServer(breaks=frozenset({"silent-read"}))
    started = time.monotonic()
    result = server.run(monkeypatch, {VALID})[VALID]
    assert result.outcome is Outcome.FAIL
    assert "resources/read" in result.message and "no response" in result.message
    assert result.evidence.example["method"] == "resources/read"
    assert len(server.sent("resources/read")) == 1  # no retries, no shrinking against a stuck peer
    assert time.monotonic() - started < 20


def test_valid_params_needs_no_capability_but_uses_only_declared_ones(monkeypatch):
    server = PropertyServer(capabilities={})
    result = server.run(monkeypatch, {VALID})[VALID]
    assert result.outcome is Outcome.PASS
    assert {method for method, _ in server.requests} == {"initialize", "ping"}


@pytest.mark.parametrize(("breaks", "method"), [("accepts-bad-tool-name", "tools/call"),
                                                ("accepts-missing-uri", "resources/read")])
def test_accepting_broken_params_fails_invalid_params(monkeypatch, breaks, method):
    result = PropertyServer(breaks=frozenset({breaks})).run(monkeypatch, {INVALID})[INVALID]
    assert result.outcome is Outcome.FAIL
    assert method in result.message and "succeeded" in result.message
    example = result.evidence.example
    assert example["method"] == method
    key = "name" if method == "tools/call" else "uri"
    assert not isinstance(example.get("params", {}).get(key), str)


def test_invalid_params_sends_only_what_servers_must_reject(monkeypatch):
    server = PropertyServer()
    server.run(monkeypatch, {INVALID})
    broken = [(m, p) for m, p in server.requests if m in properties.KEY_FIELDS]
    assert len(broken) > 10
    for method, params in broken:
        key = properties.KEY_FIELDS[method][0]
        assert not isinstance(params, dict) or not isinstance(params.get(key), str), (method, params)


def test_invalid_params_not_applicable_without_the_capabilities(monkeypatch):
    result = PropertyServer(capabilities={"logging": {}}).run(monkeypatch, {INVALID})[INVALID]
    assert result.outcome is Outcome.NOT_APPLICABLE


@pytest.mark.parametrize(("breaks", "words"), [
    ("early-ping-garbage", "ping before initialize"),
    ("version-changes", "negotiated version changed"),
    ("answers-twice", "answered a second time"),
])
def test_a_broken_lifecycle_fails_the_state_machine(monkeypatch, breaks, words):
    server = PropertyServer(breaks=frozenset({breaks}))
    result = server.run(monkeypatch, {MACHINE})[MACHINE]
    assert result.outcome is Outcome.FAIL, result.message
    assert words in result.message
    assert result.evidence.example["steps"]
    assert result.evidence.seed == 0
    assert server.connections <= 1 + session_machine.OTHER_CONNECTIONS


def test_a_server_that_stops_answering_ends_the_state_machine_at_once(monkeypatch):
    server = PropertyServer(breaks=frozenset({"mute-after-initialized"}))
    result = server.run(monkeypatch, {MACHINE})[MACHINE]
    assert result.outcome is Outcome.FAIL
    assert "no response" in result.message
    assert result.evidence.example["steps"][-2:] == ["notifications/initialized", "ping (initialized)"]
    assert server.connections == 2  # the run's own and the scripted sequence's: no retries


def test_the_state_machine_stays_within_its_connection_budget(monkeypatch):
    server = PropertyServer()
    result = server.run(monkeypatch, {MACHINE}, max_examples=100)[MACHINE]
    assert result.outcome is Outcome.PASS
    assert 3 <= server.connections <= 1 + session_machine.OTHER_CONNECTIONS
    versions = [p.get("protocolVersion") for p in server.sent("initialize")]
    assert session_machine.UNSUPPORTED_VERSION in versions


# --- end to end against the reference server ---------------------------------------------

REFERENCE_STDIO = f"mcp+stdio:{sys.executable} -m accord_fixtures.mcp_reference --stdio"


def reference_run(target: str, only: set[str], read_timeout: float = 10.0) -> dict:
    pytest.importorskip("accord_fixtures.mcp_reference")
    settings = RunSettings(only=frozenset(only), max_examples=10, limits=Limits(read_timeout=read_timeout))
    result = run(load_spec(SpecRef("mcp", "2025-11-25")), target, settings)
    return {r.id: r for r in result.results}


@pytest.mark.slow
@pytest.mark.parametrize("target", [REFERENCE_STDIO, "asgi:accord_fixtures.mcp_reference:app"])
def test_the_reference_server_passes(target):
    results = reference_run(target, ALL)
    assert all(results[rid].outcome is Outcome.PASS for rid in ALL), messages(results)


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["hang-on-tools-call", "flood"])
def test_reference_faults_are_caught_in_bounded_time(fault):
    started = time.monotonic()
    results = reference_run(f"{REFERENCE_STDIO} --fault {fault}", {VALID}, read_timeout=2.0)
    assert results[VALID].outcome is Outcome.FAIL
    assert "no response" in results[VALID].message
    assert time.monotonic() - started < 30
