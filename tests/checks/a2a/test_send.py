"""a2a.send.*: the reference agent passes (1.0 and 0.3, JSON-RPC and HTTP+JSON); each fault of this area and
each rewritten answer below fails the check it breaks.

``Rewrite`` wraps the reference agent and rewrites its A2A 1.0 JSON-RPC answers, for failures no fault shows;
the lifecycle and tasks tests use it too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from accord.results import Outcome
from accord_fixtures.a2a_reference import JSONRPC_PATH, make_app

from .judging import BINDINGS, VERSIONS, explain, judge

Change = Callable[[str, Any, dict[str, Any]], dict[str, Any]]
"""(JSON-RPC method, its params, the reference's response) -> the response to send instead."""


class Rewrite:
    """The reference agent, with plain (not streamed) JSON-RPC responses passed through ``change``."""

    def __init__(self, change: Change):
        self.inner = make_app()
        self.change = change

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != JSONRPC_PATH:
            await self.inner(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.inner(scope, replay, capture)
        raw = b"".join(chunks)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        if b"json" in dict(headers).get(b"content-type", b""):
            request = json.loads(body)
            raw = json.dumps(self.change(request.get("method", ""), request.get("params"), json.loads(raw))).encode()
        await send({**start, "headers": headers + [(b"content-length", str(len(raw)).encode())]})
        await send({"type": "http.response.body", "body": raw})


def target(name: str) -> str:
    return f"a2a+asgi:tests.checks.a2a.test_send:{name}#jsonrpc"


def on(method: str, change: Callable[[Any, dict[str, Any]], dict[str, Any]]) -> Rewrite:
    return Rewrite(lambda m, params, response: change(params, response) if m == method else response)


def _recode(code: int, to: int) -> Change:
    def change(method: str, params: Any, response: dict[str, Any]) -> dict[str, Any]:
        if isinstance(response.get("error"), dict) and response["error"].get("code") == code:
            response["error"] = {**response["error"], "code": to, "data": None}
        return response
    return change


def _both_members(params: Any, response: dict[str, Any]) -> dict[str, Any]:
    result = response.get("result")
    if isinstance(result, dict) and "task" in result:
        result["message"] = {"messageId": "m1", "role": "ROLE_AGENT", "parts": [{"text": "also"}]}
    return response


def _empty_message(params: Any, response: dict[str, Any]) -> dict[str, Any]:
    if "result" in response:
        response["result"] = {"message": {"messageId": "m1", "role": "ROLE_AGENT", "parts": []}}
    return response


def _no_artifacts(params: Any, response: dict[str, Any]) -> dict[str, Any]:
    task = (response.get("result") or {}).get("task")
    if isinstance(task, dict):
        task.pop("artifacts", None)
    return response


def _json_artifact(params: Any, response: dict[str, Any]) -> dict[str, Any]:
    task = (response.get("result") or {}).get("task")
    if isinstance(task, dict):
        task.setdefault("artifacts", []).append({"artifactId": "extra", "parts": [{"data": {"answer": 42}}]})
    return response


not_found_as_invalid_params = Rewrite(_recode(-32001, -32602))
content_type_as_invalid_params = Rewrite(_recode(-32005, -32602))
task_and_message = on("SendMessage", _both_members)
message_without_parts = on("SendMessage", _empty_message)
blocking_without_artifacts = on("SendMessage", _no_artifacts)
json_despite_text_only = on("SendMessage", _json_artifact)
stream_not_found_as_invalid_params = on("SendStreamingMessage", lambda params, response: _recode(-32001, -32602)(
    "", params, response))


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("binding", BINDINGS)
def test_reference_agent_passes(version: str, binding: str) -> None:
    results = judge("a2a.send.", version=version, binding=binding)
    assert results, "no a2a.send requirement was judged"
    for result in results.values():
        if result.id == "a2a.send.message-response-valid":
            assert result.outcome is Outcome.NOT_APPLICABLE, explain({result.id: result})
            assert "no input was answered with a direct Message" in result.message
        else:
            assert result.outcome is Outcome.PASS, explain({result.id: result})


@pytest.mark.parametrize(("fault", "requirement", "version"), [
    ("blocking-send-returns-early", "a2a.send.blocking-waits", "1.0"),
    ("blocking-send-returns-early", "a2a.send.blocking-waits", "0.3.0"),
    ("terminal-task-accepts-message", "a2a.send.terminal-task-rejected", "1.0"),
    ("terminal-task-accepts-message", "a2a.send.terminal-task-rejected", "0.3.0"),
])
def test_fault_fails(fault: str, requirement: str, version: str) -> None:
    result = judge(requirement, version=version, fault=fault)[requirement]
    assert result.outcome is Outcome.FAIL, explain({requirement: result})


@pytest.mark.parametrize(("app", "requirement", "words"), [
    ("task_and_message", "a2a.send.returns-task-or-message", "exactly one of task and message"),
    ("message_without_parts", "a2a.send.message-response-valid", "no part"),
    ("blocking_without_artifacts", "a2a.send.blocking-complete", "without artifacts"),
    ("json_despite_text_only", "a2a.send.accepted-output-modes", "application/json"),
    ("not_found_as_invalid_params", "a2a.send.unknown-task", "TaskNotFoundError"),
    ("content_type_as_invalid_params", "a2a.send.content-type-unsupported", "ContentTypeNotSupportedError"),
])
def test_rewritten_answers_fail(app: str, requirement: str, words: str) -> None:
    result = judge(requirement, target=target(app))[requirement]
    assert result.outcome is Outcome.FAIL, explain({requirement: result})
    assert words in result.message


def test_unknown_task_is_judged_on_streams_too() -> None:
    requirement = "a2a.send.unknown-task"
    result = judge(requirement, target=target("stream_not_found_as_invalid_params"))[requirement]
    assert result.outcome is Outcome.FAIL, explain({requirement: result})
    assert result.message.startswith("SendStreamingMessage")
