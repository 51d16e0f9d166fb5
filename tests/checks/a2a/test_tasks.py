"""a2a.history.*, a2a.tasks.*, a2a.list.*, a2a.cancel.*: the reference agent passes on every binding and version
(the list checks only where ListTasks exists), the faults of this area fail their check, and rewritten answers
fail the checks no fault reaches."""

from __future__ import annotations

from typing import Any

import pytest

from accord.results import Outcome

from .judging import BINDINGS, VERSIONS, explain, judge
from .test_send import Rewrite, _recode, on

AREAS = ["a2a.history.", "a2a.tasks.", "a2a.list.", "a2a.cancel."]


def target(name: str) -> str:
    return f"a2a+asgi:tests.checks.a2a.test_tasks:{name}#jsonrpc"


def _list(change: Any) -> Rewrite:
    def rewrite(params: Any, response: dict[str, Any]) -> dict[str, Any]:
        if isinstance(response.get("result"), dict):
            change(response["result"])
        return response
    return on("ListTasks", rewrite)


STRANGER = {"id": "stranger", "contextId": "elsewhere",
            "status": {"state": "TASK_STATE_FAILED", "timestamp": "2000-01-01T00:00:00Z"}}


def _validation_ignored(params: Any, response: dict[str, Any]) -> dict[str, Any]:
    if "error" in response:
        return {"jsonrpc": "2.0", "id": response.get("id"),
                "result": {"tasks": [], "nextPageToken": "", "pageSize": 50, "totalSize": 0}}
    return response


def _history_shouted(params: Any, response: dict[str, Any]) -> dict[str, Any]:
    for message in (response.get("result") or {}).get("history") or []:
        for part in message.get("parts", []):
            if "text" in part:
                part["text"] = part["text"].upper()
    return response


def _always_submitted(params: Any, response: dict[str, Any]) -> dict[str, Any]:
    if isinstance(response.get("result"), dict):
        response["result"]["status"]["state"] = "TASK_STATE_SUBMITTED"
    return response


list_adds_stranger = _list(lambda result: result["tasks"].append(dict(STRANGER)))
list_token_left_out = _list(lambda result: result.pop("nextPageToken") if result.get("nextPageToken") == "" else None)
list_never_artifacts = _list(lambda result: [t.pop("artifacts", None) for t in result["tasks"]])
list_accepts_anything = on("ListTasks", _validation_ignored)
history_altered = on("GetTask", _history_shouted)
get_stale = on("GetTask", _always_submitted)
cancel_answers_nothing = on("CancelTask", lambda params, response: {**response, "result": {}}
                            if "result" in response else response)
not_cancelable_as_internal = Rewrite(_recode(-32002, -32603))
not_found_as_invalid_params = Rewrite(_recode(-32001, -32602))


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("binding", BINDINGS)
def test_reference_agent_passes(version: str, binding: str) -> None:
    results = judge(AREAS, version=version, binding=binding)
    assert "a2a.cancel.returns-task" in results
    for result in results.values():
        assert result.outcome is Outcome.PASS, explain({result.id: result})


@pytest.mark.parametrize(("fault", "requirement", "version"), [
    ("history-length-ignored", "a2a.history.limit", "1.0"),
    ("history-length-ignored", "a2a.history.limit", "0.3.0"),
    ("list-oldest-first", "a2a.list.sorted", "1.0"),
    ("list-includes-artifacts", "a2a.list.artifacts-omitted", "1.0"),
    ("cancel-completed-succeeds", "a2a.cancel.terminal-not-cancelable", "1.0"),
    ("cancel-completed-succeeds", "a2a.cancel.terminal-not-cancelable", "0.3.0"),
])
def test_fault_fails(fault: str, requirement: str, version: str) -> None:
    result = judge(requirement, version=version, fault=fault)[requirement]
    assert result.outcome is Outcome.FAIL, explain({requirement: result})


@pytest.mark.parametrize(("app", "failing"), [
    ("list_adds_stranger", ["a2a.list.filter-context", "a2a.list.filter-status", "a2a.list.filter-timestamp",
                            "a2a.list.page-size"]),
    ("list_token_left_out", ["a2a.list.next-page-token", "a2a.list.response-valid"]),
    ("list_never_artifacts", ["a2a.list.artifacts-included"]),
    ("list_accepts_anything", ["a2a.list.page-size-invalid"]),
    ("history_altered", ["a2a.history.content-matches"]),
    ("get_stale", ["a2a.tasks.get-current"]),
    ("cancel_answers_nothing", ["a2a.cancel.returns-task"]),
    ("not_cancelable_as_internal", ["a2a.cancel.terminal-not-cancelable", "a2a.cancel.idempotent"]),
    ("not_found_as_invalid_params", ["a2a.tasks.get-not-found", "a2a.cancel.not-found"]),
])
def test_rewritten_answers_fail(app: str, failing: list[str]) -> None:
    results = judge(failing, target=target(app))
    for requirement in failing:
        assert results[requirement].outcome is Outcome.FAIL, explain({requirement: results[requirement]})


@pytest.mark.parametrize("binding", BINDINGS)
def test_list_checks_do_not_apply_without_list_tasks(binding: str) -> None:
    results = judge("a2a.tasks.get-not-found", version="0.3.0", binding=binding)
    assert not any(r.startswith("a2a.list.") for r in results), "0.3 has no a2a.list requirement"
