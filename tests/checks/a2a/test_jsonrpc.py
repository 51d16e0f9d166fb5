"""The JSON-RPC binding checks: pass on the reference agent; fail on agents whose JSON-RPC is wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest

from accord.outcomes import Outcome
from accord_fixtures.a2a_reference.faults import FAULTS

from .judging import VERSIONS, explain, judge
from .test_errors import Answer, Scope, edit_json, error_objects, rewriting

PREFIX = "a2a.jsonrpc."
HERE = "a2a+asgi:tests.checks.a2a.test_jsonrpc"


def ids_for(version: str) -> list[str]:
    import tomllib
    from pathlib import Path

    catalogue = Path(__file__).resolve().parents[3] / "specs" / "a2a" / version / "requirements.toml"
    return [e["id"] for e in tomllib.loads(catalogue.read_text())["requirement"] if e["id"].startswith(PREFIX)]


def recode(old: int, new: int) -> Any:
    def edit(scope: Scope, status: int, value: Any) -> Any:
        for error in error_objects(value):
            if error.get("code") == old:
                error["code"] = new
        return value

    return edit_json(edit)


def echo_id_on_parse_error(scope: Scope, status: int, value: Any) -> Any:
    if isinstance(value, dict) and value.get("id") is None and "error" in value:
        value["id"] = 1
    return value


def text_plain(scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Answer:
    if not scope["path"].startswith("/a2a/"):
        return status, headers, body  # the card stays readable
    kept = [(k, v) for k, v in headers if k.lower() != b"content-type"]
    if any(k.lower() == b"content-type" and v.startswith(b"text/event-stream") for k, v in headers):
        return status, headers, body
    return status, kept + [(b"content-type", b"text/plain")], body


def no_cancel_method(scope: Scope, body: bytes) -> tuple[Scope, bytes]:
    value = json.loads(body) if body.strip().startswith(b"{") else None
    if isinstance(value, dict) and value.get("method") in ("CancelTask", "tasks/cancel"):
        value["method"] = "accord/gone"
        body = json.dumps(value).encode()
    return scope, body


parse_error_internal = rewriting(answer=recode(-32700, -32603))
invalid_request_as_params = rewriting(answer=recode(-32600, -32602))
unknown_method_as_request = rewriting(answer=recode(-32601, -32600))
invalid_params_as_internal = rewriting(answer=recode(-32602, -32603))
parse_error_with_id = rewriting(answer=edit_json(echo_id_on_parse_error))
plain_text = rewriting(answer=text_plain)
cancel_missing = rewriting(request=no_cancel_method)


@pytest.mark.parametrize("version", VERSIONS)
def test_reference_agent_passes(version: str) -> None:
    ids = ids_for(version)
    results = judge(ids, version=version, binding="jsonrpc")
    assert ids and all(results[i].outcome is Outcome.PASS for i in ids), explain(results)


@pytest.mark.parametrize("version", VERSIONS)
def test_not_applicable_on_http_json(version: str) -> None:
    results = judge(PREFIX, version=version, binding="http-json")
    mine = [r for r in results.values() if r.id.startswith(PREFIX)]
    assert mine and all(r.outcome is Outcome.NOT_APPLICABLE for r in mine), explain(results)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("fault", sorted(f for f, rid in FAULTS.items() if rid.startswith(PREFIX)))
def test_faults_fail(fault: str, version: str) -> None:
    rid = FAULTS[fault]
    results = judge(rid, version=version, binding="jsonrpc", fault=fault)
    assert results[rid].outcome is Outcome.FAIL, explain(results)


@pytest.mark.parametrize(("attr", "version", "rid", "said"), [
    ("parse_error_internal", "1.0", "a2a.jsonrpc.parse-error", "not -32700"),
    ("parse_error_with_id", "1.0", "a2a.jsonrpc.parse-error", "not null"),
    ("parse_error_with_id", "0.3.0", "a2a.jsonrpc.null-id-on-parse-error", "with id 1"),
    ("invalid_request_as_params", "0.3.0", "a2a.jsonrpc.invalid-request", "not -32600"),
    ("unknown_method_as_request", "1.0", "a2a.jsonrpc.method-not-found", "not -32601"),
    ("invalid_params_as_internal", "0.3.0", "a2a.jsonrpc.invalid-params", "InternalError"),
    ("plain_text", "1.0", "a2a.jsonrpc.content-type", "text/plain"),
    ("cancel_missing", "1.0", "a2a.jsonrpc.method-names", "CancelTask got MethodNotFound"),
    ("cancel_missing", "0.3.0", "a2a.jsonrpc.method-names", "tasks/cancel got MethodNotFound"),
])
def test_broken_jsonrpc_fails(attr: str, version: str, rid: str, said: str) -> None:
    results = judge(rid, version=version, binding="jsonrpc", target=f"{HERE}:{attr}")
    assert results[rid].outcome is Outcome.FAIL, explain(results)
    assert said in results[rid].message


def test_service_params_fail_when_the_version_header_is_ignored() -> None:
    rid = "a2a.jsonrpc.service-params-headers"
    results = judge(rid, version="1.0", binding="jsonrpc", fault="unsupported-version-served")
    assert results[rid].outcome is Outcome.FAIL, explain(results)
