"""The push-notification checks: config operations and webhook deliveries on the reference agent (both
versions, both bindings), and the faults that break them."""

from __future__ import annotations

import pytest

from accord.results import Outcome

from .judging import BINDINGS, VERSIONS, explain, judge
from .test_streaming import SLOW

AREA = "a2a.push."
ALWAYS_SEEN = ("a2a.push.create-returns-config", "a2a.push.get-returns-config", "a2a.push.get-missing-fails",
               "a2a.push.list-all", "a2a.push.delete-removes", "a2a.push.unknown-task", "a2a.push.config-in-send",
               "a2a.push.delivery-at-least-once", "a2a.push.delivery-payload", "a2a.push.delivery-auth")


@pytest.mark.parametrize("binding", BINDINGS)
@pytest.mark.parametrize("version", VERSIONS)
def test_reference_agent(version: str, binding: str) -> None:
    results = judge(AREA, version=version, binding=binding)
    for rid in ALWAYS_SEEN:
        assert results[rid].outcome == Outcome.PASS, explain(results)
    for rid, result in results.items():
        if result.message.startswith("not judged by accord"):
            assert result.outcome == Outcome.SKIP
        elif rid == "a2a.push.no-delivery-after-delete":  # the probe task is over before a delete can land
            assert result.outcome == Outcome.NOT_APPLICABLE and "before the config" in result.message, explain(results)
        else:
            assert result.outcome == Outcome.PASS, explain(results)
    if version == "0.3.0":
        assert results["a2a.push.delivery-token"].outcome == Outcome.PASS


@pytest.mark.parametrize("version", VERSIONS)
def test_no_delivery_after_delete_on_a_task_that_works_a_while(version: str) -> None:
    rid = "a2a.push.no-delivery-after-delete"
    results = judge(rid, version=version, target=SLOW)
    if version == "0.3.0":
        assert rid not in results  # 1.0 only
    else:
        assert results[rid].outcome == Outcome.PASS, explain(results)


def _faults_in_area() -> list[tuple[str, str]]:
    from accord_fixtures.a2a_reference.faults import FAULTS

    return sorted((name, getattr(f, "requirement", f)) for name, f in FAULTS.items()
                  if str(getattr(f, "requirement", f)).startswith(AREA))


@pytest.mark.parametrize(("fault", "requirement"), _faults_in_area())
def test_faults_fail(fault: str, requirement: str) -> None:
    judged = 0
    for version in VERSIONS:
        results = judge(requirement, version=version, fault=fault)
        if requirement in results:
            judged += 1
            assert results[requirement].outcome == Outcome.FAIL, explain(results)
    assert judged, f"{requirement} is in no catalogue"
