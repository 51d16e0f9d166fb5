"""a2a.lifecycle.*: the reference agent passes (or is NotApplicable where it never shows the behaviour), the
faults of this area fail their check, and rewritten answers fail the checks no fault reaches."""

from __future__ import annotations

from typing import Any

import pytest

from accord.results import Outcome

from .judging import BINDINGS, VERSIONS, explain, judge
from .test_send import Rewrite, on

NOT_SHOWN = {
    "a2a.lifecycle.auth-required-status-message": "AUTH_REQUIRED",
    "a2a.lifecycle.auth-required-accepts-messages": "AUTH_REQUIRED",
    "a2a.lifecycle.auth-required-stream-kept": "AUTH_REQUIRED",
}


def target(name: str) -> str:
    return f"a2a+asgi:tests.checks.a2a.test_lifecycle:{name}#jsonrpc"


def _task_of(response: dict[str, Any]) -> dict[str, Any] | None:
    result = response.get("result")
    if isinstance(result, dict) and isinstance(result.get("task"), dict):
        return result["task"]
    return result if isinstance(result, dict) and "status" in result else None


def _every_task(change: Any) -> Rewrite:
    def rewrite(method: str, params: Any, response: dict[str, Any]) -> dict[str, Any]:
        task = _task_of(response)
        if task is not None:
            change(task)
        return response
    return Rewrite(rewrite)


def _mismatch_accepted(params: Any, response: dict[str, Any]) -> dict[str, Any]:
    error = response.get("error")
    if isinstance(error, dict) and "contextId" in str(error.get("message")):
        message = params["message"]
        return {"jsonrpc": "2.0", "id": response.get("id"), "result": {"task": {
            "id": message["taskId"], "contextId": message["contextId"], "status": {"state": "TASK_STATE_WORKING"}}}}
    return response


def _follow_up_refused(params: Any, response: dict[str, Any]) -> dict[str, Any]:
    if "result" in response and params["message"].get("taskId"):
        return {"jsonrpc": "2.0", "id": response.get("id"), "error": {"code": -32004, "message": "no follow-ups"}}
    return response


unknown_state = _every_task(lambda task: task["status"].update(state="TASK_STATE_DONE")
                            if task["status"]["state"] == "TASK_STATE_COMPLETED" else None)
context_drifts = on("GetTask", lambda params, response: (_task_of(response) or {}).update(contextId="drifted")
                    or response)
mismatch_accepted = on("SendMessage", _mismatch_accepted)
follow_up_refused = on("SendMessage", _follow_up_refused)
results_only_in_messages = _every_task(lambda task: task.pop("artifacts", None))


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("binding", BINDINGS)
def test_reference_agent_passes(version: str, binding: str) -> None:
    results = judge("a2a.lifecycle.", version=version, binding=binding)
    assert "a2a.lifecycle.state-machine" in results
    for result in results.values():
        if result.id in NOT_SHOWN:
            assert result.outcome is Outcome.NOT_APPLICABLE, explain({result.id: result})
            assert NOT_SHOWN[result.id] in result.message
        else:
            assert result.outcome is Outcome.PASS, explain({result.id: result})


@pytest.mark.parametrize(("fault", "requirement", "version"), [
    ("task-id-is-message-id", "a2a.lifecycle.task-id-unique", "1.0"),
    ("task-id-is-message-id", "a2a.lifecycle.task-id-unique", "0.3.0"),
    ("task-id-is-message-id", "a2a.lifecycle.state-machine", "1.0"),
    ("client-context-id-replaced", "a2a.lifecycle.context-id-rejected-not-replaced", "1.0"),
    ("terminal-task-accepts-message", "a2a.lifecycle.state-machine", "1.0"),
    ("terminal-task-accepts-message", "a2a.lifecycle.state-machine", "0.3.0"),
    ("cancel-completed-succeeds", "a2a.lifecycle.state-machine", "1.0"),
])
def test_fault_fails(fault: str, requirement: str, version: str) -> None:
    result = judge(requirement, version=version, fault=fault)[requirement]
    assert result.outcome is Outcome.FAIL, explain({requirement: result})


def test_replaced_context_is_not_counted_as_kept() -> None:
    requirement = "a2a.lifecycle.client-context-id"
    result = judge(requirement, fault="client-context-id-replaced")[requirement]
    assert result.outcome is Outcome.NOT_APPLICABLE, explain({requirement: result})


def test_state_machine_failure_carries_the_steps_and_seed() -> None:
    requirement = "a2a.lifecycle.state-machine"
    result = judge(requirement, fault="terminal-task-accepts-message")[requirement]
    assert "steps:" in result.message and "message to t1" in result.message
    assert result.evidence is not None and result.evidence.seed == 0


@pytest.mark.parametrize(("app", "requirement", "words"), [
    ("unknown_state", "a2a.lifecycle.state-valid", "TASK_STATE_DONE"),
    ("unknown_state", "a2a.lifecycle.state-machine", "TASK_STATE_DONE"),
    ("context_drifts", "a2a.lifecycle.context-id-returned", "drifted"),
    ("context_drifts", "a2a.lifecycle.state-machine", "keeps its contextId"),
    ("mismatch_accepted", "a2a.lifecycle.context-mismatch-rejected", "was accepted"),
    ("follow_up_refused", "a2a.lifecycle.input-required-continues", "UnsupportedOperation"),
    ("follow_up_refused", "a2a.lifecycle.context-inferred", "infers the contextId"),
    ("results_only_in_messages", "a2a.lifecycle.results-in-artifacts", "no artifact"),
])
def test_rewritten_answers_fail(app: str, requirement: str, words: str) -> None:
    result = judge(requirement, target=target(app))[requirement]
    assert result.outcome is Outcome.FAIL, explain({requirement: result})
    assert words in result.message
