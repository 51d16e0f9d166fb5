"""Run checks (acp.runs., but cancelling) against the reference server, its broken variants, and scripted
servers (see test_stream.py) that each get one thing about runs wrong that no fault covers."""

from __future__ import annotations

import uuid

import pytest

from accord.outcomes import Outcome
from accord.suites.acp.checks.runs import canonical, first_mismatch, is_uuid, parse_date_time
from accord_fixtures.acp_reference import FAULTS

from .judging import explain, judge
from .test_stream import HELLO, agent_message, run_event, script, scripted_app, target_of, text_part

CANCELLING = {"acp.runs.cancel-accepted", "acp.runs.cancel-two-step"}  # judged by another module
AREA_IDS = [
    "acp.runs.run-schema", "acp.runs.agent-name-matches", "acp.runs.run-id-unique", "acp.runs.mode-optional",
    "acp.runs.sync-final", "acp.runs.async-accepted", "acp.runs.stream-content-type", "acp.runs.get-ok",
    "acp.runs.get-consistent", "acp.runs.unknown-not-found", "acp.runs.bad-run-id-rejected",
    "acp.runs.unknown-agent-rejected", "acp.runs.invalid-request-rejected", "acp.runs.failed-has-error",
    "acp.runs.events-list-valid", "acp.runs.events-replay",
]
FIXED_RUN_ID = str(uuid.uuid4())
GOOD = script(HELLO)
FAILED = [run_event("created"), run_event("in-progress"),
          run_event("failed", error={"code": "server_error", "message": "scripted failure"})]

runs_app = scripted_app(
    {
        "good": GOOD,
        "failing": FAILED,
        "failing-silently": [*FAILED[:2], run_event("failed")],
        "bad-created-at": script(HELLO, created_at="yesterday"),
        "renamed": [{**e, "run": {**e["run"], "agent_name": "someone-else"}} if "run" in e else e for e in GOOD],
        "drifting": GOOD,
        "other-id": GOOD,
        "bad-list": GOOD,
        "short-list": GOOD,
    },
    read_back={
        "drifting": lambda run: {**run, "output": [agent_message(text_part("something else"))]},
        "other-id": lambda run: {**run, "run_id": str(uuid.uuid4())},
    },
    listed={"bad-list": lambda events: [*events, {"type": "run.thinking"}], "short-list": lambda events: events[:-1]},
)
same_ids = scripted_app({"good": GOOD}, run_ids=lambda: FIXED_RUN_ID)
mode_required = scripted_app({"good": GOOD}, default_mode=None)
images_only = scripted_app({"good": GOOD}, input_types=("image/png",))


def scripted(agent: str, app: str = "runs_app") -> str:
    return target_of(__name__, app, agent)


# --- helpers -------------------------------------------------------------------------------------------
def test_formats() -> None:
    assert is_uuid(FIXED_RUN_ID) and not is_uuid("run-1") and not is_uuid(FIXED_RUN_ID.replace("-", ""))
    assert parse_date_time("2025-08-21T10:00:00.5+02:00") is not None
    assert parse_date_time("2025-08-21t10:00:00Z") is not None
    for bad in ("2025-08-21", "2025-08-21 10:00:00Z", "2025-13-01T00:00:00Z", "2025-08-21T10:00:00", "yesterday"):
        assert parse_date_time(bad) is None, bad


def test_canonical_evens_out_only_what_the_spec_leaves_open() -> None:
    assert canonical({"a": None, "t": "2025-08-21T10:00:00Z"}) == canonical({"t": "2025-08-21T12:00:00+02:00"})
    assert canonical({"a": 1}) != canonical({"a": 2})
    assert canonical([1, 2]) != canonical([2, 1])


def test_first_mismatch_names_the_event() -> None:
    events = [{"type": "run.created"}, {"type": "run.completed"}]
    assert first_mismatch(events, events) is None
    assert "event 0" in (first_mismatch(events, events[::-1]) or "")


# --- the reference server ------------------------------------------------------------------------------
@pytest.mark.parametrize("agent", ["echo", "awaiter", "failer"])
def test_reference_agents_pass(agent: str) -> None:
    results = {rid: r for rid, r in judge("acp.runs.", agent=agent).items() if rid not in CANCELLING}
    assert sorted(results) == sorted(AREA_IDS), explain(results)
    not_applicable = set() if agent == "failer" else {"acp.runs.failed-has-error"}
    for rid, result in results.items():
        expected = Outcome.NOT_APPLICABLE if rid in not_applicable else Outcome.PASS
        assert result.outcome is expected, explain(results)


MY_FAULTS = sorted(f for f, rid in FAULTS.items() if rid.startswith("acp.runs.") and rid not in CANCELLING)


@pytest.mark.parametrize("fault", MY_FAULTS)
def test_each_fault_fails_its_requirement(fault: str) -> None:
    requirement = FAULTS[fault]
    agent = "failer" if requirement == "acp.runs.failed-has-error" else "echo"
    results = judge(requirement, fault=fault, agent=agent)
    assert results[requirement].outcome is Outcome.FAIL, explain(results)


def test_an_unknown_agent_answered_500_breaks_the_run_refusal_too() -> None:
    results = judge("acp.runs.unknown-agent-rejected", fault="unknown-agent-500")
    assert results["acp.runs.unknown-agent-rejected"].outcome is Outcome.FAIL, explain(results)


@pytest.mark.parametrize(("fault", "requirement"), [
    ("error-code-outside-enum", "acp.runs.unknown-not-found"),
    ("error-body-not-error", "acp.runs.bad-run-id-rejected"),
])
def test_a_malformed_error_body_is_left_to_the_error_requirements(fault: str, requirement: str) -> None:
    """The refusal has the right status; its body's shape and code are judged by acp.errors.* alone."""
    results = judge(requirement, fault=fault)
    assert results[requirement].outcome is Outcome.PASS, explain(results)


# --- scripted servers ----------------------------------------------------------------------------------
SCRIPTED = [
    # (agent, app, the requirement it breaks)
    ("bad-created-at", "runs_app", "acp.runs.run-schema"),
    ("renamed", "runs_app", "acp.runs.agent-name-matches"),
    ("good", "same_ids", "acp.runs.run-id-unique"),
    ("good", "mode_required", "acp.runs.mode-optional"),
    ("other-id", "runs_app", "acp.runs.get-ok"),
    ("drifting", "runs_app", "acp.runs.get-consistent"),
    ("failing-silently", "runs_app", "acp.runs.failed-has-error"),
    ("bad-list", "runs_app", "acp.runs.events-list-valid"),
    ("short-list", "runs_app", "acp.runs.events-replay"),
    ("good", "runs_app", "acp.runs.invalid-request-rejected"),  # it runs whatever it is sent
]


@pytest.mark.parametrize(("agent", "app", "requirement"), SCRIPTED)
def test_scripted_server_fails(agent: str, app: str, requirement: str) -> None:
    results = judge(requirement, target=scripted(agent, app))
    assert results[requirement].outcome is Outcome.FAIL, explain(results)


def test_scripted_good_agents_pass() -> None:
    checked = [rid for rid in AREA_IDS if rid != "acp.runs.invalid-request-rejected"]
    results = judge(checked, target=scripted("good"))
    assert all(results[rid].outcome is Outcome.PASS for rid in checked if rid != "acp.runs.failed-has-error"), \
        explain(results)
    assert results["acp.runs.failed-has-error"].outcome is Outcome.NOT_APPLICABLE, explain(results)
    failing = judge("acp.runs.failed-has-error", target=scripted("failing"))
    assert failing["acp.runs.failed-has-error"].outcome is Outcome.PASS, explain(failing)


def test_agent_taking_no_text_is_not_applicable() -> None:
    results = judge(["acp.runs.sync-final", "acp.messages.role-pattern"], target=scripted("good", "images_only"))
    assert all(r.outcome is Outcome.NOT_APPLICABLE and "image/png" in r.message for r in results.values()), \
        explain(results)
