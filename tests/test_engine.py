"""The engine's outcomes, evidence and exit codes, against in-memory fake agents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import accord.suite
from accord.baseline import apply_baseline, load_baseline
from accord.catalogue import Catalogue
from accord.engine import run
from accord.outcomes import Outcome
from accord.registry import REGISTRY, CheckSpec
from accord.settings import RunSettings
from accord.specs import Spec, SpecRef, load_spec

from fakes import FakePeer

CATALOGUE = """
[meta]
protocol = "mcp"
version = "2025-11-25"
spec_url = "https://modelcontextprotocol.io/specification/2025-11-25"

[[requirement]]
id = "mcp.ping.response"
level = "MUST"
section = "basic/utilities/ping"
summary = "ping is answered with an empty result"

[[requirement]]
id = "mcp.test.gated"
level = "SHOULD"
section = "server/tools"
summary = "needs tools"
capability = "tools"

[[requirement]]
id = "mcp.test.untested"
level = "MAY"
section = "basic"
summary = "cannot be seen"
untested = "only visible inside the server"

[[requirement]]
id = "mcp.test.broken-check"
level = "MUST"
section = "basic"
summary = "its check has a bug"

[[requirement]]
id = "mcp.test.lazy-check"
level = "MUST"
section = "basic"
summary = "its check looks at nothing"
"""


def server(ping_result: Any = None, capabilities: dict | None = None, answer_ping: bool = True):
    def handle(message: dict[str, Any]) -> list[Any]:
        method, mid = message.get("method"), message.get("id")
        if method == "initialize":
            return [{"jsonrpc": "2.0", "id": mid, "result": {
                "protocolVersion": "2025-11-25", "capabilities": capabilities or {},
                "serverInfo": {"name": "fake", "version": "1.0"}}}]
        if method == "ping" and answer_ping:
            return [{"jsonrpc": "2.0", "id": mid, "result": {} if ping_result is None else ping_result}]
        return []

    return handle


@pytest.fixture
def spec(tmp_path: Path) -> Spec:
    path = tmp_path / "requirements.toml"
    path.write_text(CATALOGUE)
    bundled = load_spec(SpecRef("mcp", "2025-11-25")) if (SpecRef("mcp", "2025-11-25").folder / "requirements.toml").exists() else None
    from accord.schema import SchemaDocument

    schema = bundled.schema if bundled else SchemaDocument.load(SpecRef("mcp", "2025-11-25").folder / "schema.json")
    return Spec(SpecRef("mcp", "2025-11-25"), schema, Catalogue.load(path))


@pytest.fixture(autouse=True)
def test_checks():
    def broken(ctx):
        raise ZeroDivisionError("oops")

    def lazy(ctx):
        return None

    def gated(ctx):
        ctx.session.call("ping")

    for rid, func in (("mcp.test.broken-check", broken), ("mcp.test.lazy-check", lazy), ("mcp.test.gated", gated)):
        REGISTRY.register(CheckSpec(rid, "mcp", func, "probe"))
    yield
    for rid in ("mcp.test.broken-check", "mcp.test.lazy-check", "mcp.test.gated"):
        REGISTRY._checks.pop(("mcp", rid), None)


def run_against(spec: Spec, handler, monkeypatch, **settings) -> dict[str, Any]:
    monkeypatch.setattr(accord.suite, "open_peer", lambda target, limits: FakePeer(handler, target, limits))
    result = run(spec, "fake:agent", RunSettings(**settings))
    return result, {r.id: r for r in result.results}


def test_outcomes_of_a_correct_agent(spec, monkeypatch):
    result, by_id = run_against(spec, server(), monkeypatch)
    assert by_id["mcp.ping.response"].outcome is Outcome.PASS
    assert by_id["mcp.test.gated"].outcome is Outcome.NOT_APPLICABLE
    assert "tools" in by_id["mcp.test.gated"].message
    assert by_id["mcp.test.untested"].outcome is Outcome.SKIP
    assert "only visible inside the server" in by_id["mcp.test.untested"].message
    assert result.meta.implementation.name == "fake"


def test_a_harness_defect_is_an_error_and_does_not_stop_the_run(spec, monkeypatch):
    result, by_id = run_against(spec, server(), monkeypatch)
    broken = by_id["mcp.test.broken-check"]
    assert broken.outcome is Outcome.ERROR and "ZeroDivisionError" in broken.message
    assert [r.id for r in result.results] == [r.id for r in spec.catalogue]


def test_a_check_that_observes_nothing_cannot_pass(spec, monkeypatch):
    _, by_id = run_against(spec, server(), monkeypatch)
    lazy = by_id["mcp.test.lazy-check"]
    assert lazy.outcome is Outcome.ERROR and "without exchanging anything" in lazy.message


def test_declared_capability_makes_the_check_run(spec, monkeypatch):
    _, by_id = run_against(spec, server(capabilities={"tools": {}}), monkeypatch)
    assert by_id["mcp.test.gated"].outcome is Outcome.PASS


def test_failure_carries_evidence_and_a_reproducer(spec, monkeypatch):
    result, by_id = run_against(spec, server(ping_result={"unexpected": 1}), monkeypatch, seed=7)
    ping = by_id["mcp.ping.response"]
    assert ping.outcome is Outcome.FAIL
    assert "unexpected" in ping.message
    assert ping.evidence is not None
    sent = [e for e in ping.evidence.exchanges if e["direction"] == "sent"]
    received = [e for e in ping.evidence.exchanges if e["direction"] == "received"]
    assert sent[0]["data"]["method"] == "ping"
    assert received[0]["data"]["result"] == {"unexpected": 1}
    assert ping.evidence.reproducer == "accord run --target fake:agent --spec mcp@2025-11-25 --only mcp.ping.response --seed 7"
    assert result.exit_code == 1


def test_silence_is_a_failure_not_a_hang(spec, monkeypatch):
    _, by_id = run_against(spec, server(answer_ping=False), monkeypatch)
    assert by_id["mcp.ping.response"].outcome is Outcome.FAIL
    assert "no response" in by_id["mcp.ping.response"].message


def test_only_selects_requirements(spec, monkeypatch):
    result, _ = run_against(spec, server(), monkeypatch, only=frozenset({"mcp.ping.response", "mcp.test."}))
    assert {r.id for r in result.results} == {"mcp.ping.response", "mcp.test.gated", "mcp.test.untested", "mcp.test.broken-check", "mcp.test.lazy-check"}
    result, _ = run_against(spec, server(), monkeypatch, only=frozenset({"mcp.ping.response"}))
    assert [r.id for r in result.results] == ["mcp.ping.response"]


def test_baseline_excuses_known_failures_and_reports_stale_entries(spec, monkeypatch, tmp_path):
    result, _ = run_against(spec, server(ping_result={"x": 1}), monkeypatch)
    assert result.exit_code == 1
    baseline = tmp_path / "baseline.txt"
    baseline.write_text("# known\nmcp.ping.response\nmcp.test.broken-check\nmcp.test.lazy-check\n")
    apply_baseline(result, load_baseline(baseline), str(baseline))
    assert result.exit_code == 0
    fixed, _ = run_against(spec, server(), monkeypatch)
    apply_baseline(fixed, load_baseline(baseline), str(baseline))
    assert fixed.stale_baseline == ["mcp.ping.response"]
