"""Await/resume checks (acp.await.*) against the reference server, its broken variants, and toy servers
(see test_lifecycle.Toy) that await and then get one thing wrong."""

from __future__ import annotations

from accord.outcomes import Outcome

from .judging import explain, judge
from .test_lifecycle import Toy, outcomes, toy_target

AREA_IDS = [
    "acp.await.request-present", "acp.await.resume-response", "acp.await.resume-continues",
    "acp.await.resume-invalid-rejected", "acp.await.cancel-while-awaiting",
]

awaits_well = Toy(awaits=True).app()
no_request = Toy(awaits=True, await_request=None).app()
"""Awaiting runs carry await_request null."""
lax = Toy(awaits=True, lax_resume=True, async_resume_status=200).app()
"""Resumes anything, goes from awaiting straight to completed, answers an async resume with 200."""
cancels_at_once = Toy(awaits=True, cancel_reply="cancelled").app()


def test_reference_awaiter_meets_every_await_requirement():
    results = judge("acp.await.", agent="awaiter")
    assert {rid: outcomes(results)[rid] for rid in AREA_IDS} == {rid: Outcome.PASS for rid in AREA_IDS}, explain(results)
    skipped = results["acp.await.timeout-fails"]
    assert skipped.outcome is Outcome.SKIP and "not judged" in skipped.message


def test_agents_that_never_await_are_not_applicable_and_observed_once():
    results = judge(AREA_IDS, agent="echo")
    for rid in AREA_IDS:
        assert results[rid].outcome is Outcome.NOT_APPLICABLE, explain(results)
        assert "ended completed without awaiting" in results[rid].message
    durations = sorted(results[rid].duration or 0.0 for rid in AREA_IDS)
    assert durations[-2] <= 0.001 < durations[-1], durations  # one check ran the agent, the others remembered


def test_cancel_one_step_breaks_cancel_while_awaiting():
    results = judge("acp.await.cancel-while-awaiting", agent="awaiter", fault="cancel-one-step")
    assert results["acp.await.cancel-while-awaiting"].outcome is Outcome.FAIL, explain(results)
    assert "'cancelled'" in results["acp.await.cancel-while-awaiting"].message


def test_toy_that_awaits_well_passes():
    results = judge(AREA_IDS, target=toy_target(__name__, "awaits_well"))
    assert set(outcomes(results).values()) == {Outcome.PASS}, explain(results)


def test_awaiting_without_await_request_fails():
    results = judge("acp.await.request-present", target=toy_target(__name__, "no_request"))
    assert results["acp.await.request-present"].outcome is Outcome.FAIL, explain(results)


def test_lax_resumes_fail_their_requirements():
    results = judge(AREA_IDS, target=toy_target(__name__, "lax"))
    got = outcomes(results)
    for rid in ("acp.await.resume-response", "acp.await.resume-continues", "acp.await.resume-invalid-rejected"):
        assert got[rid] is Outcome.FAIL, explain(results)
    assert "HTTP 202" in results["acp.await.resume-response"].message
    assert "back to in-progress" in results["acp.await.resume-continues"].message
    assert "without await_resume" in results["acp.await.resume-invalid-rejected"].message
    assert got["acp.await.request-present"] is Outcome.PASS
    assert got["acp.await.cancel-while-awaiting"] is Outcome.PASS


def test_cancel_of_an_awaiting_run_in_one_step_fails():
    results = judge("acp.await.cancel-while-awaiting", target=toy_target(__name__, "cancels_at_once"))
    assert results["acp.await.cancel-while-awaiting"].outcome is Outcome.FAIL, explain(results)
