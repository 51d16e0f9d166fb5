"""accord against real MCP implementations no one here wrote (mcp SDK, fastmcp,
server-everything), over stdio and Streamable HTTP on 127.0.0.1.

The committed matrix in reports/real-peers/ is the record: a fresh run must find exactly the
failures recorded there (each reviewed as genuine, see reports/real-peers/FINDINGS.md), and the
harness itself must never error. Regenerate with
    .venv/bin/python -m accord_fixtures.peers.matrix --out reports/real-peers
"""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.outcomes import Outcome
from accord.results import RunResult
from accord.specs import SpecRef
from accord_fixtures.peers import PEER_NAMES, get_peer
from accord_fixtures.peers.matrix import TRANSPORTS, run_peer

REPORTS = Path(__file__).resolve().parents[1] / "reports" / "real-peers"
VERSION = "2025-11-25"


@pytest.mark.peers
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("name", PEER_NAMES)
def test_real_peer_failures_match_the_reviewed_record(name, transport):
    peer = get_peer(name)
    if not peer.available:
        pytest.skip(peer.unavailable_reason)
    recorded_path = REPORTS / f"{name}-{VERSION}-{transport}" / "results.json"
    recorded = RunResult.load(recorded_path)
    result = run_peer(name, transport, SpecRef("mcp", VERSION), None)
    assert result.meta.implementation.name != "unknown", "the peer did not initialize"
    errors = {r.id: r.message[:300] for r in result.results if r.outcome is Outcome.ERROR}
    assert not errors
    failed = {r.id for r in result.results if r.outcome is Outcome.FAIL}
    expected = {r.id for r in recorded.results if r.outcome is Outcome.FAIL}
    assert failed == expected, f"new failures: {sorted(failed - expected)}; no longer failing: {sorted(expected - failed)}"
    for r in result.results:
        if r.outcome is Outcome.FAIL:
            assert r.evidence is not None and r.evidence.reproducer
    assert sum(r.outcome is Outcome.PASS for r in result.results) >= 40
