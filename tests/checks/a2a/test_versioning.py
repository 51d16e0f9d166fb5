"""The A2A-Version checks: pass on the reference agent; fail on agents that negotiate the version wrongly."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

from accord.outcomes import Outcome
from accord_fixtures.a2a_reference.faults import FAULTS

from .judging import BINDINGS, explain, judge
from .test_errors import Scope, rewriting

PREFIX = "a2a.versioning."
IDS = ["a2a.versioning.missing-header-is-0-3", "a2a.versioning.unsupported-version",
       "a2a.versioning.requested-semantics", "a2a.versioning.patch-ignored", "a2a.versioning.query-parameter",
       "a2a.versioning.header-case-insensitive"]
HERE = "a2a+asgi:tests.checks.a2a.test_versioning"


def with_version(change: Any) -> Any:
    """A request edit that maps the A2A-Version header value (None: absent) through ``change``."""

    def request(scope: Scope, body: bytes) -> tuple[Scope, bytes]:
        if not scope["path"].startswith("/a2a/"):
            return scope, body  # the card keeps its own negotiation
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"a2a-version"]
        given = next((v.decode() for k, v in scope["headers"] if k.lower() == b"a2a-version"), None)
        value = change(given)
        if value is not None:
            headers.append((b"a2a-version", value.encode()))
        scope["headers"] = headers
        return scope, body

    return request


def drop_version_query(scope: Scope, body: bytes) -> tuple[Scope, bytes]:
    query = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode()) if k.lower() != "a2a-version"]
    scope["query_string"] = urlencode(query).encode()
    return scope, body


refuses_patch = rewriting(request=with_version(lambda v: "99.0" if v == "1.0.0" else v))
missing_is_1_0 = rewriting(request=with_version(lambda v: "1.0" if v is None else v))
serves_0_3 = rewriting(request=with_version(lambda v: "0.3" if v == "1.0" else v))
ignores_query = rewriting(request=drop_version_query)


@pytest.mark.parametrize("binding", BINDINGS)
def test_reference_agent_passes(binding: str) -> None:
    results = judge(IDS, version="1.0", binding=binding)
    assert all(results[i].outcome is Outcome.PASS for i in IDS), explain(results)


def test_not_in_the_0_3_catalogue() -> None:
    results = judge(PREFIX, version="0.3.0")
    assert not [r for r in results if r.startswith(PREFIX)]


@pytest.mark.parametrize("binding", BINDINGS)
@pytest.mark.parametrize("fault", sorted(f for f, rid in FAULTS.items() if rid.startswith(PREFIX)))
def test_faults_fail(fault: str, binding: str) -> None:
    rid = FAULTS[fault]
    results = judge(rid, version="1.0", binding=binding, fault=fault)
    assert results[rid].outcome is Outcome.FAIL, explain(results)


@pytest.mark.parametrize(("attr", "binding", "rid", "said"), [
    ("refuses_patch", "jsonrpc", "a2a.versioning.patch-ignored", "A2A-Version: 1.0.0 was not served"),
    ("refuses_patch", "http-json", "a2a.versioning.patch-ignored", "VersionNotSupportedError"),
    ("missing_is_1_0", "jsonrpc", "a2a.versioning.missing-header-is-0-3", "without A2A-Version"),
    ("missing_is_1_0", "http-json", "a2a.versioning.missing-header-is-0-3", "without A2A-Version"),
    ("serves_0_3", "http-json", "a2a.versioning.requested-semantics", "was not served"),
    ("serves_0_3", "jsonrpc", "a2a.versioning.requested-semantics", "was not served"),
    ("serves_0_3", "http-json", "a2a.versioning.header-case-insensitive", "was not served"),
    ("ignores_query", "jsonrpc", "a2a.versioning.query-parameter", "?A2A-Version=1.0"),
    ("ignores_query", "http-json", "a2a.versioning.query-parameter", "?A2A-Version=1.0"),
])
def test_wrong_negotiation_fails(attr: str, binding: str, rid: str, said: str) -> None:
    results = judge(rid, version="1.0", binding=binding, target=f"{HERE}:{attr}")
    assert results[rid].outcome is Outcome.FAIL, explain(results)
    assert said in results[rid].message


def refuse_headerless_rest(scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Any:
    """A validation error for every HTTP+JSON request without A2A-Version (a 0.3 body form it does not take)."""
    headerless = not any(k.lower() == b"a2a-version" for k, _ in scope["headers"])
    if scope["path"].startswith("/a2a/rest") and headerless:
        refusal = {"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": "Validation failed"}}
        return 400, [(b"content-type", b"application/json")], json.dumps(refusal).encode()
    return status, headers, body


refuses_headerless_rest = rewriting(answer=refuse_headerless_rest)


def test_refusing_a_headerless_0_3_body_over_http_json_fails() -> None:
    # accord sends 0.3 over HTTP+JSON in the 0.3 proto's JSON, the form both SDKs take (specs/a2a/0.3.0/ERRATA.md):
    # refusing it where the card declares 0.3 HTTP+JSON is a failure; the JSON-RPC binding is unaffected
    rid = "a2a.versioning.missing-header-is-0-3"
    results = judge(rid, version="1.0", binding="http-json", target=f"{HERE}:refuses_headerless_rest")
    assert results[rid].outcome is Outcome.FAIL, explain(results)
    assert "without A2A-Version" in results[rid].message
    results = judge(rid, version="1.0", binding="jsonrpc", target=f"{HERE}:refuses_headerless_rest")
    assert results[rid].outcome is Outcome.PASS, explain(results)
