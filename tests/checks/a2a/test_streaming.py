"""The streaming and subscription checks: they pass on the reference agent (both versions, both bindings), and
fail on agents that break them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from accord.results import Outcome
from accord.suites.a2a.context import PROBE_TEXT
from accord_fixtures.a2a_reference import make_app

from .judging import BINDINGS, VERSIONS, explain, faults_in_area, judge, require_fault_caught

SLOW = "a2a+asgi:tests.checks.a2a.test_streaming:slow_app"


class ProbeMadeSlow:
    """The reference agent, but the probe text asks it for its slow behaviour (a task that works ~1.5 s), so
    the checks that need a running task have one. Any agent with slow tasks would do the same."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks).replace(PROBE_TEXT.encode(), b"slow")
        headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
        scope = {**scope, "headers": headers + [(b"content-length", str(len(body)).encode())]}
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


slow_app = ProbeMadeSlow(make_app())


# --- small agents that break what no fault of the reference agent breaks ---------------------------------------

def _event(result: dict[str, Any]) -> bytes:
    return f"data: {json.dumps({'jsonrpc': '2.0', 'id': 1, 'result': result})}\n\n".encode()


def _task(state: str, timestamp: str) -> dict[str, Any]:
    return {"id": "t1", "contextId": "c1", "status": {"state": state, "timestamp": timestamp}}


def _update(state: str, timestamp: str) -> dict[str, Any]:
    return {"statusUpdate": {"taskId": "t1", "contextId": "c1", "status": {"state": state, "timestamp": timestamp}}}


SCENARIOS: dict[str, list[dict[str, Any]]] = {
    "message_then_more": [
        {"message": {"messageId": "m1", "role": "ROLE_AGENT", "parts": [{"text": "hi"}]}},
        _update("TASK_STATE_COMPLETED", "2026-01-01T00:00:01Z"),
    ],
    "backwards_in_time": [
        {"task": _task("TASK_STATE_WORKING", "2026-01-01T00:00:05Z")},
        _update("TASK_STATE_COMPLETED", "2026-01-01T00:00:01Z"),
    ],
    "stays_open": [
        {"task": _task("TASK_STATE_WORKING", "2026-01-01T00:00:01Z")},
        _update("TASK_STATE_COMPLETED", "2026-01-01T00:00:02Z"),
    ],
}
HOLD_OPEN_SECONDS = 6.0


def scripted_agent(scenario: str) -> Any:
    """A 1.0 JSON-RPC agent whose every SendStreamingMessage streams SCENARIOS[scenario]."""
    import asyncio

    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, StreamingResponse
    from starlette.routing import Route

    async def card(request: Request) -> JSONResponse:
        return JSONResponse({
            "name": "scripted", "description": "streams a fixed script", "version": "1",
            "supportedInterfaces": [{"url": f"{request.base_url}a2a", "protocolBinding": "JSONRPC",
                                     "protocolVersion": "1.0"}],
            "capabilities": {"streaming": True}, "defaultInputModes": ["text/plain"],
            "defaultOutputModes": ["text/plain"], "skills": [],
        })

    async def rpc(request: Request) -> Any:
        envelope = await request.json()
        if envelope.get("method") != "SendStreamingMessage":
            return JSONResponse({"jsonrpc": "2.0", "id": envelope.get("id"),
                                 "error": {"code": -32601, "message": "not here"}})

        async def body() -> Any:
            for event in SCENARIOS[scenario]:
                yield _event(event)
            if scenario == "stays_open":
                await asyncio.sleep(HOLD_OPEN_SECONDS)

        return StreamingResponse(body(), media_type="text/event-stream")

    return Starlette(routes=[Route("/.well-known/agent-card.json", card), Route("/a2a", rpc, methods=["POST"])])


message_then_more = scripted_agent("message_then_more")
backwards_in_time = scripted_agent("backwards_in_time")
stays_open = scripted_agent("stays_open")

AREA = ("a2a.stream.", "a2a.subscribe.")
ALWAYS_SEEN = ("a2a.stream.sse", "a2a.stream.event-valid", "a2a.stream.task-first", "a2a.stream.same-task",
               "a2a.stream.closes-at-terminal", "a2a.stream.order", "a2a.stream.terminal-task-rejected",
               "a2a.subscribe.not-found")
NEEDS_RUNNING_TASK = {"1.0": ("a2a.stream.multiple-subscribers", "a2a.stream.close-one-keeps-others",
                              "a2a.subscribe.first-event-task", "a2a.subscribe.closes-at-terminal"),
                      "0.3.0": ("a2a.subscribe.events-valid", "a2a.subscribe.closes-at-terminal")}


@pytest.mark.parametrize("binding", BINDINGS)
@pytest.mark.parametrize("version", VERSIONS)
def test_reference_agent_passes(version: str, binding: str) -> None:
    results = judge(list(AREA), version=version, binding=binding)
    assert results, "no streaming requirement was judged"
    for rid in ALWAYS_SEEN:
        assert results[rid].outcome == Outcome.PASS, explain(results)
    for result in results.values():
        assert result.outcome in (Outcome.PASS, Outcome.NOT_APPLICABLE), explain(results)
    for rid in NEEDS_RUNNING_TASK[version]:  # the probe task completes at once: nothing to subscribe to
        assert results[rid].outcome == Outcome.NOT_APPLICABLE and "too fast" in results[rid].message, explain(results)


@pytest.mark.parametrize(("version", "binding"), [("1.0", "jsonrpc"), ("0.3.0", "http-json")])
def test_running_task_checks_pass_when_the_task_works_a_while(version: str, binding: str) -> None:
    results = judge(list(NEEDS_RUNNING_TASK[version]), version=version, binding=binding, target=SLOW)
    assert set(results) == set(NEEDS_RUNNING_TASK[version])
    assert all(r.outcome == Outcome.PASS for r in results.values()), explain(results)


@pytest.mark.parametrize(("fault", "requirement"), faults_in_area(AREA))
def test_faults_fail(fault: str, requirement: str) -> None:
    require_fault_caught(fault, requirement)


@pytest.mark.parametrize(("app", "requirement", "words"), [
    ("message_then_more", "a2a.stream.message-only", "exactly one Message"),
    ("backwards_in_time", "a2a.stream.order", "earlier than"),
    ("stays_open", "a2a.stream.closes-at-terminal", "still open"),
])
def test_scripted_breakage_fails(app: str, requirement: str, words: str) -> None:
    results = judge(requirement, target=f"a2a+asgi:tests.checks.a2a.test_streaming:{app}#jsonrpc")
    assert results[requirement].outcome == Outcome.FAIL, explain(results)
    assert words in results[requirement].message
