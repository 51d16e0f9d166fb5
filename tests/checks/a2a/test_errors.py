"""The A2A error checks: they pass on the reference agent, and fail on agents whose errors are wrong.

The broken agents are the reference agent behind ``rewriting``: an ASGI wrapper that edits requests
(headers, path, query, body) on the way in and buffered JSON answers (status, headers, body) on the way out.
The other A2A test modules of this area use it too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from accord.outcomes import Outcome
from accord_fixtures.a2a_reference import app as reference_app
from accord_fixtures.a2a_reference.faults import FAULTS

from .judging import BINDINGS, VERSIONS, explain, judge

Scope = dict[str, Any]
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
RequestEdit = Callable[[Scope, bytes], tuple[Scope, bytes]]
AnswerEdit = Callable[[Scope, int, list[tuple[bytes, bytes]], bytes], Answer]
ERRORS_PREFIX = "a2a.errors."


def rewriting(request: RequestEdit | None = None, answer: AnswerEdit | None = None, inner: Any = reference_app) -> Any:
    """``inner`` with ``request`` applied to each HTTP request and ``answer`` to each non-stream answer
    (stream answers pass through; ``answer`` then sees only their status and headers, with an empty body)."""

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await inner(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if request is not None:
            scope, body = request(dict(scope), body)
        delivered = False

        async def replay() -> dict[str, Any]:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        streaming = False

        async def capture(message: dict[str, Any]) -> None:
            nonlocal streaming
            if message["type"] == "http.response.start":
                start.update(message)
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                streaming = b"text/event-stream" in headers.get(b"content-type", b"")
                if streaming:
                    status, edited, _ = answer(scope, message["status"], list(message.get("headers", [])), b"") \
                        if answer else (message["status"], list(message.get("headers", [])), b"")
                    await send({**message, "status": status, "headers": edited})
                return
            if streaming:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            status, headers, out = start["status"], list(start.get("headers", [])), b"".join(chunks)
            if answer is not None:
                status, headers, out = answer(scope, status, headers, out)
            headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(out)).encode()))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": out})

        await inner(scope, replay, capture)

    return app


def edit_json(edit: Callable[[Scope, int, Any], Any]) -> AnswerEdit:
    """An answer edit that rewrites JSON bodies with ``edit(scope, status, value)``."""

    def answer(scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Answer:
        try:
            value = json.loads(body)
        except ValueError:
            return status, headers, body
        return status, headers, json.dumps(edit(scope, status, value)).encode()

    return answer


def error_objects(value: Any) -> list[dict[str, Any]]:
    """The JSON-RPC error object or the HTTP+JSON ``error`` object of a body."""
    if isinstance(value, dict) and isinstance(value.get("error"), dict):
        return [value["error"]]
    return []


def each_error(change: Callable[[dict[str, Any]], None]) -> AnswerEdit:
    def edit(scope: Scope, status: int, value: Any) -> Any:
        for error in error_objects(value):
            change(error)
        return value

    return edit_json(edit)


def blank_message(error: dict[str, Any]) -> None:
    error["message"] = ""


def untyped_details(error: dict[str, Any]) -> None:
    for key in ("data", "details"):
        for item in error.get(key) or []:
            if isinstance(item, dict):
                item.pop("@type", None)


def wrong_status_code(error: dict[str, Any]) -> None:
    if "status" in error:
        error["code"] = 200


def out_of_range(error: dict[str, Any]) -> None:
    if error.get("code") == -32001:
        error["code"] = -31001


def wrong_domain(error: dict[str, Any]) -> None:
    for key in ("data", "details"):
        for item in error.get(key) or []:
            if isinstance(item, dict) and "reason" in item:
                item["domain"] = "example.com"


def cancel_of_finished_succeeds(scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Answer:
    """TaskNotCancelable becomes a success (an empty result, HTTP 200)."""
    value = json.loads(body) if body.strip().startswith(b"{") else None
    errors = error_objects(value)
    if errors and errors[0].get("code") in (-32002, 409):
        value = {"jsonrpc": "2.0", "id": value.get("id"), "result": {}} if "jsonrpc" in value else {}
        return 200, headers, json.dumps(value).encode()
    return status, headers, body


def repair_invalid_send(scope: Scope, body: bytes) -> tuple[Scope, bytes]:
    """Makes a SendMessage with a broken message valid before the agent sees it: an agent that accepts it."""
    try:
        value = json.loads(body)
    except ValueError:
        return scope, body
    params = value.get("params") if isinstance(value, dict) and "jsonrpc" in value else value
    message = params.get("message") if isinstance(params, dict) else None
    if isinstance(message, dict):
        v03 = "kind" in message
        if not isinstance(message.get("parts"), list):
            message["parts"] = [{"kind": "text", "text": "repaired"} if v03 else {"text": "repaired"}]
        if message.get("role") not in ("user", "ROLE_USER"):
            message["role"] = "user" if v03 else "ROLE_USER"
    elif isinstance(params, dict) and "metadata" in params and "message" not in params:
        context_id = (params.get("metadata") or {}).get("contextId")
        params["message"] = {"messageId": "repaired", "role": "ROLE_USER", "parts": [{"text": "repaired"}],
                             "contextId": context_id}
    return scope, json.dumps(value).encode()


no_message = rewriting(answer=each_error(blank_message))
untyped = rewriting(answer=each_error(untyped_details))
status_code_mismatch = rewriting(answer=each_error(wrong_status_code))
codes_out_of_range = rewriting(answer=each_error(out_of_range))
foreign_domain = rewriting(answer=each_error(wrong_domain))
cancel_finished_ok = rewriting(answer=cancel_of_finished_succeeds)
accepts_invalid = rewriting(request=repair_invalid_send)
HERE = "a2a+asgi:tests.checks.a2a.test_errors"


def ids_for(version: str, binding: str) -> list[str]:
    import tomllib
    from pathlib import Path

    catalogue = Path(__file__).resolve().parents[3] / "specs" / "a2a" / version / "requirements.toml"
    entries = tomllib.loads(catalogue.read_text())["requirement"]
    return [e["id"] for e in entries if e["id"].startswith(ERRORS_PREFIX) and "untested" not in e
            and e.get("transport") in (None, binding)]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("binding", BINDINGS)
def test_reference_agent_passes(version: str, binding: str) -> None:
    ids = ids_for(version, binding)
    results = judge(ids, version=version, binding=binding)
    assert ids and all(results[i].outcome is Outcome.PASS for i in ids), explain(results)


def test_grpc_checks_skip_with_the_reason() -> None:
    from accord.outcomes import Skip
    from accord.registry import REGISTRY
    from accord.suites.a2a import grpc_unavailable

    if grpc_unavailable() is None:
        pytest.skip("gRPC can be spoken here: tests/checks/a2a/test_grpc.py judges these checks")
    checks = REGISTRY.for_protocol("a2a")
    for rid in ("a2a.errors.grpc-status-map", "a2a.errors.grpc-error-info", "a2a.grpc.service"):
        with pytest.raises(Skip) as raised:
            checks[rid].func(None)
        assert raised.value.message == grpc_unavailable()


@pytest.mark.parametrize("fault", sorted(f for f, rid in FAULTS.items()
                                         if rid.startswith(ERRORS_PREFIX) and "grpc" not in rid))  # test_grpc.py
def test_faults_fail(fault: str) -> None:
    rid = FAULTS[fault]
    binding = "http-json" if "http" in rid else "jsonrpc"
    results = judge(rid, version="1.0", binding=binding, fault=fault)
    assert results[rid].outcome is Outcome.FAIL, explain(results)


@pytest.mark.parametrize(("attr", "version", "binding", "rid", "said"), [
    ("no_message", "1.0", "jsonrpc", "a2a.errors.code-and-message", "not a non-empty string"),
    ("no_message", "1.0", "http-json", "a2a.errors.code-and-message", "no human-readable message"),
    ("untyped", "1.0", "jsonrpc", "a2a.errors.jsonrpc-data-typed", "without @type"),
    ("untyped", "1.0", "http-json", "a2a.errors.http-details-typed", "without @type"),
    ("untyped", "1.0", "jsonrpc", "a2a.errors.jsonrpc-error-info", "@type None"),
    ("foreign_domain", "1.0", "http-json", "a2a.errors.http-error-info", "domain 'example.com'"),
    ("status_code_mismatch", "1.0", "http-json", "a2a.errors.http-body-format", "is not the HTTP status"),
    ("codes_out_of_range", "0.3.0", "jsonrpc", "a2a.errors.custom-code-range", "error code -31001"),
    ("codes_out_of_range", "0.3.0", "jsonrpc", "a2a.errors.jsonrpc-code-map", "not TaskNotFoundError (-32001)"),
    ("cancel_finished_ok", "1.0", "jsonrpc", "a2a.errors.jsonrpc-code-map", "succeeded"),
    ("cancel_finished_ok", "0.3.0", "http-json", "a2a.errors.http-status-map", "TaskNotCancelableError was due"),
    ("accepts_invalid", "1.0", "jsonrpc", "a2a.errors.validation", "was accepted"),
    ("accepts_invalid", "1.0", "http-json", "a2a.errors.validation", "named only by the refused requests"),
    ("accepts_invalid", "0.3.0", "jsonrpc", "a2a.errors.validation", "was accepted"),
])
def test_broken_errors_fail(attr: str, version: str, binding: str, rid: str, said: str) -> None:
    results = judge(rid, version=version, binding=binding, target=f"{HERE}:{attr}")
    assert results[rid].outcome is Outcome.FAIL, explain(results)
    assert said in results[rid].message


# --- the 1.0 patch an interface declares picks the HTTP status table ---------------------------------------------
CARD_PATH = "/.well-known/agent-card.json"
STATUS_1_0_1_BY_REASON = {"TASK_NOT_CANCELABLE": 400, "CONTENT_TYPE_NOT_SUPPORTED": 400, "INVALID_AGENT_RESPONSE": 500}
"""Spec 1.0.1 section 5.4, where it differs from 1.0.0 (409, 415, 502), written out here, not taken from accord."""


def chain(*edits: AnswerEdit) -> AnswerEdit:
    def answer(scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Answer:
        for edit in edits:
            status, headers, body = edit(scope, status, headers, body)
        return status, headers, body

    return answer


def declaring(patch: str) -> AnswerEdit:
    """The card's 1.0 interfaces declare protocolVersion ``patch`` instead of 1.0."""

    def edit(scope: Scope, status: int, value: Any) -> Any:
        if scope["path"] == CARD_PATH and isinstance(value, dict):
            for entry in value.get("supportedInterfaces") or []:
                if entry.get("protocolVersion") == "1.0":
                    entry["protocolVersion"] = patch
        return value

    return edit_json(edit)


def statuses_of_1_0_1(scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Answer:
    """HTTP+JSON A2A errors come with the 1.0.1 statuses (the reference agent answers with 1.0.0's)."""
    value = json.loads(body) if scope["path"].startswith("/a2a/rest") and body.strip().startswith(b"{") else None
    for error in error_objects(value):
        reasons = [d.get("reason") for d in error.get("details") or [] if isinstance(d, dict)]
        moved = next((STATUS_1_0_1_BY_REASON[r] for r in reasons if r in STATUS_1_0_1_BY_REASON), None)
        if moved is not None:
            error["code"] = status = moved
            return status, headers, json.dumps(value).encode()
    return status, headers, body


def statuses_of_neither(scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Answer:
    """TaskNotCancelableError comes with HTTP 403, a status neither patch gives it."""
    if scope["path"].startswith("/a2a/rest") and status == 409:
        value = json.loads(body)
        value["error"]["code"] = 403
        return 403, headers, json.dumps(value).encode()
    return status, headers, body


declares_1_0_0 = rewriting(answer=declaring("1.0.0"))
declares_1_0_1 = rewriting(answer=declaring("1.0.1"))
declares_1_0_0_answers_1_0_1 = rewriting(answer=chain(declaring("1.0.0"), statuses_of_1_0_1))
declares_1_0_1_answers_1_0_1 = rewriting(answer=chain(declaring("1.0.1"), statuses_of_1_0_1))
declares_1_0_answers_1_0_1 = rewriting(answer=statuses_of_1_0_1)
declares_1_0_answers_neither = rewriting(answer=statuses_of_neither)


def test_declared_patch_read_from_the_interface_entry() -> None:
    from accord.suites.a2a.card import declared_patch, interfaces

    def card(*versions: str) -> dict[str, Any]:
        return {"supportedInterfaces": [{"url": "http://a/rpc", "protocolBinding": "JSONRPC", "protocolVersion": v}
                                        for v in versions]
                + [{"url": "http://a/rest", "protocolBinding": "HTTP+JSON", "protocolVersion": "1.0.1"}]}

    def patch_of(value: dict[str, Any]) -> str | None:
        rpc = next(i for i in interfaces(value, "1.0") if i.binding == "jsonrpc")
        return declared_patch(value, rpc)

    assert patch_of(card("1.0")) is None
    assert patch_of(card("1.0.0")) == "1.0.0"
    assert patch_of(card("1.0.1")) == "1.0.1"
    assert patch_of(card("1.0.7")) is None  # a patch accord knows no rules for
    assert patch_of(card("1.0.0", "1.0.1")) is None  # two claims for one interface
    assert patch_of(card("1.0", "1.0.1")) is None


@pytest.mark.parametrize("attr", ["declares_1_0_0", "declares_1_0_1_answers_1_0_1", "declares_1_0_answers_1_0_1"])
def test_statuses_of_the_declared_patch_pass(attr: str) -> None:
    rid = "a2a.errors.http-status-map"
    results = judge(rid, binding="http-json", target=f"{HERE}:{attr}")
    assert results[rid].outcome is Outcome.PASS, explain(results)


@pytest.mark.parametrize(("attr", "said"), [
    ("declares_1_0_0_answers_1_0_1", ["-> HTTP 400", "must come with HTTP 409 (1.0.0)", "protocolVersion '1.0.0'",
                                      "1.0.0's rule alone"]),
    ("declares_1_0_1", ["-> HTTP 409", "must come with HTTP 400 (1.0.1)", "protocolVersion '1.0.1'"]),
    ("declares_1_0_answers_neither", ["-> HTTP 403", "409 (1.0.0) or 400 (1.0.1)", "protocolVersion '1.0'",
                                      "both accepted"]),
])
def test_statuses_of_the_other_patch_fail(attr: str, said: list[str]) -> None:
    rid = "a2a.errors.http-status-map"
    results = judge(rid, binding="http-json", target=f"{HERE}:{attr}")
    assert results[rid].outcome is Outcome.FAIL, explain(results)
    message = results[rid].message
    assert "TaskNotCancelableError" in message and all(s in message for s in said), message
    assert "TaskNotFoundError must" not in message  # 404 in both patches: never flagged


def _no_error_info_declaring_1_0_0() -> Any:
    from accord_fixtures.a2a_reference import make_app

    return rewriting(answer=declaring("1.0.0"), inner=make_app(faults=frozenset({"jsonrpc-no-error-info"})))


no_error_info_1_0_0 = _no_error_info_declaring_1_0_0()


@pytest.mark.parametrize(("target", "level"), [
    (None, "MUST in 1.0.0, SHOULD in 1.0.1"), (f"{HERE}:no_error_info_1_0_0", "MUST in 1.0.0;")])
def test_jsonrpc_error_info_failure_names_the_patch_level(target: str | None, level: str) -> None:
    rid = "a2a.errors.jsonrpc-error-info"
    results = judge(rid, target=target, fault=None if target else "jsonrpc-no-error-info")
    assert results[rid].outcome is Outcome.FAIL, explain(results)
    assert level in results[rid].message
