"""Base-protocol checks (jsonrpc, transport.utf8, schema, lifecycle, cancellation, progress) against fake servers."""

from __future__ import annotations

import pytest

from accord.outcomes import Outcome
from accord.suites.mcp.checks.schema_wire import META_KEY

from .fake_base import FakeBaseServer

AREAS = {"mcp.jsonrpc.", "mcp.schema.", "mcp.lifecycle.", "mcp.cancellation.", "mcp.progress.", "mcp.transport."}
NOT_JUDGED_ON_FAKES = {
    "mcp.lifecycle.state-machine",  # another engineer's check
    "mcp.transport.utf8",  # the in-memory peer has no bytes to decode
    "mcp.cancellation.no-response-after-cancel",  # needs a stdio process
    "mcp.progress.message-informative",  # untested by design
}


@pytest.mark.parametrize("version", ["2025-11-25", "2025-06-18"])
def test_a_correct_server_passes_every_judged_requirement(monkeypatch, version):
    results = FakeBaseServer().run(monkeypatch, AREAS, version)
    outcomes = {rid: r.outcome for rid, r in results.items() if rid not in NOT_JUDGED_ON_FAKES}
    not_passing = {rid: (o, results[rid].message) for rid, o in outcomes.items() if o is not Outcome.PASS}
    # the fake sends no requests and no cancellations of its own: nothing to judge there;
    # and accord knows no MCP version older than 2025-06-18 to negotiate
    expected = {"mcp.jsonrpc.server-request-id-unique", "mcp.cancellation.server-cancels-own-requests-only"}
    if version == "2025-06-18":
        expected.add("mcp.lifecycle.negotiated-version-respected")
    assert set(not_passing) == expected, not_passing
    assert all(o is Outcome.NOT_APPLICABLE for o, _ in not_passing.values()), not_passing
    assert results["mcp.transport.utf8"].outcome is Outcome.SKIP


TRAFFIC = {"mcp.ping.response", "mcp.schema.meta-tolerated", "mcp.jsonrpc.method-not-found"}
"""Probes run beside an observer so that it has traffic to observe (observers run last)."""

BROKEN = [
    ("mcp.jsonrpc.version-field", "jsonrpc-1.0"),
    ("mcp.jsonrpc.id-echoed", "wrong-id"),
    ("mcp.jsonrpc.request-answered", "ignores-unknown-method"),
    ("mcp.jsonrpc.id-not-null", "null-id-request"),
    ("mcp.jsonrpc.server-request-id-unique", "reused-request-id"),
    ("mcp.jsonrpc.notification-no-id", "notification-with-id"),
    ("mcp.jsonrpc.result-xor-error", "result-and-error"),
    ("mcp.jsonrpc.result-is-object", "result-not-object"),
    ("mcp.jsonrpc.error-object-shape", "string-code"),
    ("mcp.jsonrpc.error-code-integer", "string-code"),
    ("mcp.jsonrpc.error-message-concise", "multiline-message"),
    ("mcp.jsonrpc.parse-error", "no-parse-error"),
    ("mcp.jsonrpc.parse-error", "parse-error-with-id"),
    ("mcp.jsonrpc.invalid-request", "string-code"),
    ("mcp.jsonrpc.method-not-found", "wrong-not-found-code"),
    ("mcp.jsonrpc.invalid-params", "string-code"),
    ("mcp.jsonrpc.no-response-to-notification", "answers-notifications"),
    ("mcp.schema.wire-valid", "invalid-result"),
    ("mcp.schema.wire-valid", "no-server-info"),
    ("mcp.schema.meta-key-format", "bad-meta-key"),
    ("mcp.schema.meta-tolerated", "meta-rejected"),
    ("mcp.lifecycle.initialize-result", "no-server-info"),
    ("mcp.lifecycle.server-info", "no-server-info"),
    ("mcp.lifecycle.capabilities", "flag-not-bool"),
    ("mcp.lifecycle.version-fallback", "echo-unknown-version"),
    ("mcp.lifecycle.version-fallback", "bare-version-error"),
    ("mcp.lifecycle.version-latest", "offers-old-version"),
    ("mcp.lifecycle.initialized-accepted", "answers-notifications"),
    ("mcp.lifecycle.negotiated-capabilities-only", "sampling-request"),
    ("mcp.cancellation.unknown-request-ignored", "ping-dies-after-cancel"),
    ("mcp.cancellation.malformed-ignored", "answers-notifications"),
    ("mcp.cancellation.race-handled", "ping-dies-after-cancel"),
    ("mcp.cancellation.server-cancels-own-requests-only", "cancel-foreign"),
    ("mcp.progress.token-matches", "progress-unknown-token"),
    ("mcp.progress.increasing", "progress-decreasing"),
    ("mcp.progress.stops-after-completion", "progress-late"),
]


@pytest.mark.parametrize(("requirement", "broken"), BROKEN)
def test_a_server_broken_in_one_way_fails_that_requirement(monkeypatch, requirement, broken):
    results = FakeBaseServer(frozenset({broken})).run(monkeypatch, {requirement} | TRAFFIC)
    result = results[requirement]
    assert result.outcome is Outcome.FAIL, (result.outcome, result.message)
    assert result.evidence is not None and result.message


def test_ids_not_echoed_are_left_to_id_echoed_not_blamed_on_other_requirements(monkeypatch):
    results = FakeBaseServer(frozenset({"wrong-id"})).run(monkeypatch, {"mcp.jsonrpc.request-answered", "mcp.ping.response"})
    for requirement in ("mcp.jsonrpc.request-answered", "mcp.ping.response"):
        assert results[requirement].outcome is Outcome.SKIP, results[requirement]
        assert "mcp.jsonrpc.id-echoed" in results[requirement].message


def test_a_supported_version_is_echoed_and_an_unsupported_one_is_not_applicable(monkeypatch):
    results = FakeBaseServer(versions=("2025-06-18",)).run(monkeypatch, {"mcp.lifecycle.version-echo"})
    assert results["mcp.lifecycle.version-echo"].outcome is Outcome.NOT_APPLICABLE
    assert "2025-06-18" in results["mcp.lifecycle.version-echo"].message


def test_an_error_listing_supported_versions_is_an_accepted_fallback(monkeypatch):
    class ListsVersions(FakeBaseServer):
        pass

    server = ListsVersions(frozenset({"bare-version-error"}))
    original = server.handler

    def handler():
        handle = original()

        def wrapped(message):
            answers = handle(message)
            for answer in answers:
                if isinstance(answer, dict) and "error" in answer and message.get("method") == "initialize":
                    answer["error"]["data"] = {"supported": ["2025-11-25"], "requested": "1999-01-01"}
            return answers

        return wrapped

    server.handler = handler  # type: ignore[method-assign]
    results = server.run(monkeypatch, {"mcp.lifecycle.version-fallback", "mcp.lifecycle.version-latest"})
    assert results["mcp.lifecycle.version-fallback"].outcome is Outcome.PASS
    assert results["mcp.lifecycle.version-latest"].outcome is Outcome.NOT_APPLICABLE


def test_a_server_without_progress_is_not_applicable_never_a_pass(monkeypatch):
    class NoProgress(FakeBaseServer):
        pass

    server = NoProgress()
    original = server.handler

    def handler():
        handle = original()
        return lambda message: [m for m in handle(message) if m.get("method") != "notifications/progress"]

    server.handler = handler  # type: ignore[method-assign]
    results = server.run(monkeypatch, {"mcp.progress."})
    for rid in ("mcp.progress.token-matches", "mcp.progress.increasing", "mcp.progress.stops-after-completion"):
        assert results[rid].outcome is Outcome.NOT_APPLICABLE
        assert "no progress notifications" in results[rid].message


def test_a_parse_error_with_null_id_is_not_held_against_the_server(monkeypatch):
    results = FakeBaseServer().run(monkeypatch, {"mcp.jsonrpc.parse-error", "mcp.jsonrpc.id-not-null", "mcp.schema.wire-valid"},
                                   "2025-06-18")
    assert {r.outcome for r in results.values()} == {Outcome.PASS}


@pytest.mark.parametrize("key", ["", "name", "com.example/name", "a/b", "io.github.x-y/n_a.m-e", "x1/2"])
def test_well_formed_meta_keys(key):
    assert META_KEY.fullmatch(key)


@pytest.mark.parametrize("key", ["-a/x", "1com/x", "com./x", "com.example/-x", "a/b/c", "name-", "com..x/y"])
def test_malformed_meta_keys(key):
    assert not META_KEY.fullmatch(key)
