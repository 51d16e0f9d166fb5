"""a2a.equivalence.*: the reference agent (two bindings) is one agent on both; a toy with one binding is
not-applicable; toys whose HTTP+JSON binding differs from their JSON-RPC one fail the matching rule."""

from __future__ import annotations

import pytest

from accord.outcomes import Outcome
from accord.suites.a2a.bindings import A2aError
from accord.suites.a2a.checks.equivalence import error_types, same_outcome

from .judging import BINDINGS, VERSIONS, explain, judge
from .test_schema import toy_target


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("binding", BINDINGS)
def test_reference_agent_is_equivalent_on_both_bindings(version, binding):
    results = judge("a2a.equivalence.", version=version, binding=binding)
    assert len(results) == (4 if version == "1.0" else 5)  # 0.3 also has a2a.equivalence.method-mapping
    assert {r.outcome for r in results.values()} == {Outcome.PASS}, explain(results)


def test_one_binding_is_not_applicable():
    results = judge("a2a.equivalence.", target=toy_target("one_binding"))
    assert {r.outcome for r in results.values()} == {Outcome.NOT_APPLICABLE}, explain(results)
    assert all("equivalence needs two" in r.message for r in results.values())


def test_the_toy_with_two_bindings_passes():
    results = judge("a2a.equivalence.", target=toy_target("good"))
    assert {r.outcome for r in results.values()} == {Outcome.PASS}, explain(results)


@pytest.mark.parametrize(("defect", "requirement", "words"), [
    ("rest_no_cancel", "a2a.equivalence.same-operations", "CancelTask"),
    ("rest_reads_differ", "a2a.equivalence.same-results", "reads differently on"),
    ("rest_errors_differ", "a2a.equivalence.same-errors", "GetTask of an unknown task"),
    ("rest_refuses_bearer", "a2a.equivalence.same-auth", "invalid bearer token"),
])
@pytest.mark.parametrize("binding", BINDINGS)
def test_a_binding_that_differs_fails(defect, requirement, words, binding):
    results = judge(requirement, target=toy_target(defect, binding))
    assert results[requirement].outcome is Outcome.FAIL, explain(results)
    assert words in results[requirement].message, results[requirement].message


def test_error_types_compare_across_bindings():
    rpc = A2aError(-32001, "gone", 200, "TASK_NOT_FOUND", {})
    http_plain_404 = A2aError(None, None, 404, None, None)
    http_400 = A2aError(None, None, 400, "INVALID_ARGUMENT", None)
    assert same_outcome(error_types(rpc), error_types(http_plain_404))
    assert not same_outcome(error_types(rpc), error_types(http_400))
    assert same_outcome(error_types(A2aError(-32602, "bad", 200, None, {})), error_types(http_400))
    assert not same_outcome("ok", error_types(rpc))
