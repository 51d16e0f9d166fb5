"""The push-notification checks: config operations and webhook deliveries on the reference agent (both
versions, both bindings), and the faults that break them."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import httpx
import pytest

from accord.results import Outcome
from accord.suites.a2a.checks.push import RETRY_WINDOW
from accord_fixtures.a2a_reference import make_app
from accord_fixtures.a2a_reference.push import PushDispatcher, delivery_headers

from .judging import BINDINGS, VERSIONS, explain, faults_in_area, judge, require_fault_caught
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


@pytest.mark.parametrize(("fault", "requirement"), faults_in_area(AREA))
def test_faults_fail(fault: str, requirement: str) -> None:
    require_fault_caught(fault, requirement)


# --- retries of a failed delivery -------------------------------------------------------------------------------
class ScriptedRetries(PushDispatcher):
    """The reference agent's deliveries, but a failed one is tried again after exactly ``delays`` (seconds)."""

    def __init__(self, delays: tuple[float, ...]) -> None:
        super().__init__()
        self.delays = delays

    async def _deliver(self, config: Any, payload: dict[str, Any]) -> None:
        async with httpx.AsyncClient(timeout=5.0, trust_env=False) as client:
            for delay in (0.0, *self.delays):
                await asyncio.sleep(delay)
                response = await client.post(config.url, json=payload, headers=delivery_headers(config))
                if response.status_code < 500:
                    return


def retrying_after(*delays: float) -> Any:
    app = make_app()
    app.state.a2a.agent.push = ScriptedRetries(delays)
    return app


never_retries = retrying_after()
retries_sooner_and_sooner = retrying_after(0.6, 0.1)
retries_late_backing_off = retrying_after(1.5, 3.0)
RETRY = "a2a.push.delivery-retry"
HERE = "a2a+asgi:tests.checks.a2a.test_push"


def test_no_retry_fails_after_watching_the_whole_window() -> None:
    started = time.monotonic()
    results = judge(RETRY, target=f"{HERE}:never_retries", timeout=5.0)
    assert results[RETRY].outcome == Outcome.FAIL, explain(results)
    message = results[RETRY].message
    assert "none a repeat" in message and "answered HTTP 503" in message, message
    assert re.search(r"watched it for 5\.\ds after the first attempt \(up to 5s", message), message  # the read timeout
    assert time.monotonic() - started < 5.0 + 3.0 + 5.0  # window + the wait for a first delivery + the run


def test_shrinking_waits_fail() -> None:
    results = judge(RETRY, target=f"{HERE}:retries_sooner_and_sooner")
    assert results[RETRY].outcome == Outcome.FAIL, explain(results)
    assert "attempted 3 times" in results[RETRY].message and "shrink" in results[RETRY].message


def test_a_late_first_retry_that_backs_off_passes() -> None:
    assert RETRY_WINDOW >= 1.5 + 3.0
    results = judge(RETRY, target=f"{HERE}:retries_late_backing_off", timeout=RETRY_WINDOW)
    assert results[RETRY].outcome == Outcome.PASS, explain(results)
