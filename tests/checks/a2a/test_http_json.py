"""The HTTP+JSON binding checks: pass on the reference agent; fail on agents whose HTTP+JSON is wrong."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from accord.outcomes import Outcome

from .judging import VERSIONS, explain, judge
from .test_errors import accepts_invalid  # noqa: F401  (a target here)
from .test_errors import Answer, Scope, chain, declaring, rewriting

PREFIX = "a2a.http-json."
HERE = "a2a+asgi:tests.checks.a2a.test_http_json"
CANCEL = re.compile(r"/a2a/rest(/v1)?/tasks/[^/]+:cancel")
GET_TASK = re.compile(r"/a2a/rest(/v1)?/tasks/[^/:]+")


def ids_for(version: str) -> list[str]:
    import tomllib
    from pathlib import Path

    catalogue = Path(__file__).resolve().parents[3] / "specs" / "a2a" / version / "requirements.toml"
    return [e["id"] for e in tomllib.loads(catalogue.read_text())["requirement"] if e["id"].startswith(PREFIX)]


def on_binding(scope: Scope) -> bool:
    return scope["path"].startswith("/a2a/rest")


def no_cancel_route(scope: Scope, body: bytes) -> tuple[Scope, bytes]:
    if CANCEL.fullmatch(scope["path"]):
        scope["path"] = "/a2a/rest/nowhere"
        scope["raw_path"] = b"/a2a/rest/nowhere"
    return scope, body


def drop_query(scope: Scope, body: bytes) -> tuple[Scope, bytes]:
    if on_binding(scope):
        scope["query_string"] = b""
    return scope, body


def with_type(wanted: bytes, *, streams: bool) -> Any:
    def answer(scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Answer:
        is_stream = any(k.lower() == b"content-type" and v.startswith(b"text/event-stream") for k, v in headers)
        if not on_binding(scope) or is_stream != streams:
            return status, headers, body
        return status, [(k, v) for k, v in headers if k.lower() != b"content-type"] + [(b"content-type", wanted)], body

    return answer


def task_in_a_list(scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Answer:
    if scope["method"] == "GET" and GET_TASK.fullmatch(scope["path"]) and status == 200:
        return status, headers, json.dumps([json.loads(body)]).encode()
    return status, headers, body


cancel_unrouted = rewriting(request=no_cancel_route)
query_ignored = rewriting(request=drop_query)
plain_text = rewriting(answer=with_type(b"text/plain", streams=False))
stream_as_json = rewriting(answer=with_type(b"application/json", streams=True))
listed_task = rewriting(answer=task_in_a_list)


@pytest.mark.parametrize("version", VERSIONS)
def test_reference_agent_passes(version: str) -> None:
    ids = ids_for(version)
    results = judge(ids, version=version, binding="http-json")
    assert ids and all(results[i].outcome is Outcome.PASS for i in ids), explain(results)


def test_not_applicable_on_jsonrpc() -> None:
    results = judge(PREFIX, version="1.0", binding="jsonrpc")
    mine = [r for r in results.values() if r.id.startswith(PREFIX)]
    assert mine and all(r.outcome is Outcome.NOT_APPLICABLE for r in mine), explain(results)


@pytest.mark.parametrize(("attr", "version", "rid", "said"), [
    ("cancel_unrouted", "1.0", "a2a.http-json.url-patterns", "CancelTask at POST /a2a/rest/tasks/"),
    ("cancel_unrouted", "0.3.0", "a2a.http-json.url-patterns", "CancelTask at POST /a2a/rest/v1/tasks/"),
    ("query_ignored", "1.0", "a2a.http-json.query-params", "other contexts"),
    ("plain_text", "1.0", "a2a.http-json.content-type", "text/plain"),
    ("plain_text", "0.3.0", "a2a.http-json.content-type", "text/plain"),
    ("stream_as_json", "1.0", "a2a.http-json.sse", "not text/event-stream"),
    ("listed_task", "1.0", "a2a.http-json.json-bodies", "not a JSON object"),
    ("listed_task", "0.3.0", "a2a.http-json.json-bodies", "not a JSON object"),
    ("accepts_invalid", "1.0", "a2a.http-json.invalid-params-400", "got HTTP 200"),
])
def test_broken_http_json_fails(attr: str, version: str, rid: str, said: str) -> None:
    results = judge(rid, version=version, binding="http-json", target=f"{HERE}:{attr}")
    assert results[rid].outcome is Outcome.FAIL, explain(results)
    assert said in results[rid].message


def test_service_params_fail_when_the_version_header_is_ignored() -> None:
    rid = "a2a.http-json.service-params-headers"
    results = judge(rid, version="1.0", binding="http-json", fault="unsupported-version-served")
    assert results[rid].outcome is Outcome.FAIL, explain(results)


# --- the 1.0 patch an interface declares picks the media type (11.1) ----------------------------------------------
A2A_JSON = b"application/a2a+json"
declares_1_0_0_json = rewriting(answer=declaring("1.0.0"))
declares_1_0_0_a2a_json = rewriting(answer=chain(declaring("1.0.0"), with_type(A2A_JSON, streams=False)))
declares_1_0_1_json = rewriting(answer=declaring("1.0.1"))
declares_1_0_1_a2a_json = rewriting(answer=chain(declaring("1.0.1"), with_type(A2A_JSON, streams=False)))
declares_1_0_a2a_json = rewriting(answer=with_type(A2A_JSON, streams=False))


@pytest.mark.parametrize("attr", ["declares_1_0_0_json", "declares_1_0_1_a2a_json", "declares_1_0_a2a_json"])
def test_media_type_of_the_declared_patch_passes(attr: str) -> None:
    rid = "a2a.http-json.content-type"
    results = judge(rid, version="1.0", binding="http-json", target=f"{HERE}:{attr}")
    assert results[rid].outcome is Outcome.PASS, explain(results)


@pytest.mark.parametrize(("attr", "said"), [
    ("declares_1_0_0_a2a_json", ["content type application/a2a+json", "application/json (1.0.0), section 11.1",
                                 "protocolVersion '1.0.0'"]),
    ("declares_1_0_1_json", ["content type application/json", "application/a2a+json (1.0.1), section 11.1",
                             "protocolVersion '1.0.1'"]),
])
def test_media_type_of_the_other_patch_fails(attr: str, said: list[str]) -> None:
    rid = "a2a.http-json.content-type"
    results = judge(rid, version="1.0", binding="http-json", target=f"{HERE}:{attr}")
    assert results[rid].outcome is Outcome.FAIL, explain(results)
    assert all(s in results[rid].message for s in said), results[rid].message


def test_media_type_of_neither_patch_names_both() -> None:
    rid = "a2a.http-json.content-type"
    results = judge(rid, version="1.0", binding="http-json", target=f"{HERE}:plain_text")
    message = results[rid].message
    assert "application/json (1.0.0) or application/a2a+json (1.0.1)" in message and "both accepted" in message
