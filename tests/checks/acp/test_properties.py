"""Property checks of POST /runs (acp.properties.*) against the reference server, its broken variant, and
toy servers (see test_lifecycle.Toy) that accept anything or answer some valid requests with a broken Run."""

from __future__ import annotations

import json

from hypothesis import given, settings

from accord.outcomes import Outcome
from accord.specs import SpecRef, load_spec
from accord.strategies import from_schema
from accord.suites.acp.checks.properties import PART_URL, aimed, defanged, encodable

from .judging import explain, judge
from .test_lifecycle import Toy, outcomes, toy_target

VALID = "acp.properties.valid-run-requests"
INVALID = "acp.properties.invalid-run-requests"
SCHEMA = load_spec(SpecRef("acp", "0.2.0")).schema

accepts_anything = Toy(accepts_anything=True).app()
breaks_on_base64 = Toy(bad_run_for_base64=True).app()
"""Valid, except that a request with a base64 part gets a Run whose output message is invalid."""


class Aim:
    agent = "toy"
    errors = staticmethod(SCHEMA.errors)


@settings(max_examples=40, deadline=None, database=None)
@given(from_schema(SCHEMA.document, "RunCreateRequest", valid=False))
def test_aimed_bodies_stay_invalid_and_fetch_nothing(body):
    prepared = aimed(Aim, defanged(encodable(body)))
    json.dumps(prepared, ensure_ascii=False).encode("utf-8")  # a body accord can send
    text = json.dumps(prepared)
    assert "example.com" not in text and "example.org" not in text
    if isinstance(prepared, dict) and isinstance(prepared.get("agent_name"), str) and not SCHEMA.errors("AgentName", prepared["agent_name"]):
        assert prepared["agent_name"] == "toy"


def test_defanged_points_every_url_at_loopback():
    body = {"input": [{"parts": [{"content_url": "https://example.com/x"}]}],
            "session": {"id": "s", "history": ["https://example.com/h", 3], "state": "https://example.com/s"}}
    out = defanged(body)
    assert out["input"][0]["parts"][0]["content_url"] == PART_URL
    assert out["session"]["history"] == [f"{PART_URL}/0", 3] and out["session"]["state"] == PART_URL


def test_reference_agents_meet_both_properties():
    for agent in ("echo", "failer"):
        results = judge([VALID, INVALID], agent=agent, max_examples=8)
        assert set(outcomes(results).values()) == {Outcome.PASS}, explain(results)


def test_accepts_invalid_run_fails_with_a_minimal_example():
    results = judge(INVALID, fault="accepts-invalid-run")
    failed = results[INVALID]
    assert failed.outcome is Outcome.FAIL, explain(results)
    assert failed.evidence.seed == 0 and failed.evidence.example is not None
    assert "must get a 4xx" in failed.message


def test_server_accepting_anything_fails_and_valid_bodies_still_pass():
    results = judge([VALID, INVALID], target=toy_target(__name__, "accepts_anything"), max_examples=8)
    assert outcomes(results) == {VALID: Outcome.PASS, INVALID: Outcome.FAIL}, explain(results)


def test_broken_run_for_some_valid_request_is_found_and_shrunk():
    results = judge(VALID, target=toy_target(__name__, "breaks_on_base64"), max_examples=30)
    failed = results[VALID]
    assert failed.outcome is Outcome.FAIL, explain(results)
    example = failed.evidence.example
    parts = [p for m in example["input"] for p in m["parts"]]
    assert any(p.get("content_encoding") == "base64" for p in parts)
    assert len(example["input"]) == 1 and len(parts) == 1, example  # shrunk to one message of one part
    assert "not a valid Run" in failed.message
