"""Session checks (acp.sessions.*) against the reference server, its broken variant, and toy servers (see
test_lifecycle.Toy): without sessions, serving only acp-sdk's /sessions/ route, or getting sessions wrong."""

from __future__ import annotations

from accord.outcomes import Outcome
from accord.suites.acp.checks.sessions import is_uri

from .judging import explain, judge
from .test_lifecycle import Toy, outcomes, toy_target

AREA_IDS = [
    "acp.sessions.id-kept", "acp.sessions.descriptor-accepted", "acp.sessions.get-ok",
    "acp.sessions.history-extends", "acp.sessions.unknown-not-found",
]

sessionless = Toy(sessions="none").app()
plural_only = Toy(session_prefixes=("/sessions/",)).app()
"""Serves GET /sessions/{id} only, as acp-sdk does (ERRATA.md, E3)."""
no_route = Toy(session_prefixes=()).app()
forgetful = Toy(sessions="other", unknown_session_status=200, history_step=0).app()
"""Runs report a new session id each time; every session id reads as an empty session."""


def test_history_entries_must_be_uris():
    assert is_uri("http://127.0.0.1:8000/resources/1") and is_uri("urn:example:x")
    assert not is_uri("just words") and not is_uri("/relative/path") and not is_uri(7)


def test_reference_echo_meets_every_session_requirement():
    results = judge(AREA_IDS)
    assert set(outcomes(results).values()) == {Outcome.PASS}, explain(results)


def test_history_is_compared_after_completed_runs_only():
    awaiter = judge("acp.sessions.history-extends", agent="awaiter")  # resumed once, then completed
    assert awaiter["acp.sessions.history-extends"].outcome is Outcome.PASS, explain(awaiter)
    failer = judge("acp.sessions.history-extends", agent="failer")
    assert failer["acp.sessions.history-extends"].outcome is Outcome.NOT_APPLICABLE, explain(failer)
    assert "ended failed" in failer["acp.sessions.history-extends"].message


def test_session_forgets_history_fails():
    results = judge("acp.sessions.history-extends", fault="session-forgets-history")
    assert results["acp.sessions.history-extends"].outcome is Outcome.FAIL, explain(results)
    assert "longer" in results["acp.sessions.history-extends"].message


def test_server_without_sessions_is_not_applicable():
    results = judge(AREA_IDS, target=toy_target(__name__, "sessionless"))
    assert set(outcomes(results).values()) == {Outcome.NOT_APPLICABLE}, explain(results)


def test_either_session_route_is_accepted():
    results = judge(AREA_IDS, target=toy_target(__name__, "plural_only"))
    assert set(outcomes(results).values()) == {Outcome.PASS}, explain(results)


def test_no_session_route_fails_get_and_names_both_paths():
    results = judge(["acp.sessions.get-ok", "acp.sessions.unknown-not-found"], target=toy_target(__name__, "no_route"))
    failed = results["acp.sessions.get-ok"]
    assert failed.outcome is Outcome.FAIL, explain(results)
    assert "/session/" in failed.message and "/sessions/" in failed.message
    assert results["acp.sessions.unknown-not-found"].outcome is Outcome.NOT_APPLICABLE


def test_sessions_gotten_wrong_fail():
    results = judge(AREA_IDS, target=toy_target(__name__, "forgetful"))
    got = outcomes(results)
    for rid in ("acp.sessions.id-kept", "acp.sessions.descriptor-accepted", "acp.sessions.history-extends",
                "acp.sessions.unknown-not-found"):
        assert got[rid] is Outcome.FAIL, explain(results)
    assert "HTTP 200" in results["acp.sessions.unknown-not-found"].message
