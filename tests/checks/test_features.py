"""The tools, pagination, prompts, completion and logging checks against a fake server, correct and broken."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from accord.outcomes import Outcome
from accord.suites.mcp.checks.completion import template_variables
from accord.suites.mcp.checks.tools import invalid_arguments, is_risky, schema_problems

from .fake_features import PIXEL, FakeServer, fail, ok, with_result

AREAS = {"mcp.tools.", "mcp.pagination.", "mcp.prompts.", "mcp.completion.", "mcp.logging."}
NOT_JUDGED = {"mcp.tools.list-changed", "mcp.tools.security-controls", "mcp.prompts.list-changed",
              "mcp.prompts.injection-safe", "mcp.completion.relevance-order", "mcp.completion.security-controls",
              "mcp.logging.no-sensitive-data"}


@pytest.mark.parametrize("version", ["2025-11-25", "2025-06-18"])
def test_a_correct_server_passes_every_judged_requirement(monkeypatch, version):
    server = FakeServer(version=version)
    results = server.run(monkeypatch, AREAS)
    outcomes = {rid: r.outcome for rid, r in results.items() if rid not in NOT_JUDGED}
    expected_na = {"mcp.completion.not-supported"}
    if version == "2025-06-18":  # no tool of the fake fails on valid arguments, and broken ones are protocol errors
        expected_na.add("mcp.tools.is-error-result")
    assert {rid for rid, o in outcomes.items() if o is not Outcome.PASS} == expected_na, {
        rid: results[rid].message for rid, o in outcomes.items() if o is not Outcome.PASS}
    assert all(results[rid].outcome is Outcome.SKIP for rid in NOT_JUDGED if rid in results)
    assert "mcp.tools.invalid-arguments-protocol-error" in results if version == "2025-06-18" \
        else "mcp.tools.input-validation-error" in results


def test_risky_and_excluded_tools_are_never_called_with_generated_arguments(monkeypatch):
    server = FakeServer()
    server.run(monkeypatch, AREAS)
    assert {c.get("name") for c in server.calls} >= {"echo", "add", "picture", "log_levels"}
    assert "delete_everything" not in {c.get("name") for c in server.calls}

    excluded = FakeServer()
    results = excluded.run(monkeypatch, {"mcp.tools."}, exclude_tools=frozenset({"echo", "add", "picture", "log_levels"}))
    called = {c.get("name") for c in excluded.calls}
    assert not called & {"echo", "add", "picture", "log_levels"}
    assert results["mcp.tools.call-result"].outcome is Outcome.NOT_APPLICABLE
    # the risky tool is used only with arguments that break its schema
    for params in excluded.calls:
        if params.get("name") == "delete_everything":
            assert not isinstance(params.get("arguments", {}).get("path"), str)


def _tools(change: Callable[[list[dict[str, Any]]], None]) -> list[dict[str, Any]]:
    tools = FakeServer().tools
    change(tools)
    return tools


def _set(items: list[dict[str, Any]], name: str, key: str, value: Any) -> None:
    next(item for item in items if item["name"] == name)[key] = value


def _on_call(tool: str, change: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]:
    def answer(params: dict[str, Any], default: dict[str, Any]) -> dict[str, Any]:
        if params.get("name") == tool and "result" in default and not default["result"].get("isError"):
            change(default["result"])
        return default

    return answer


def _on_assets(change: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]:
    def answer(params: dict[str, Any], default: dict[str, Any]) -> dict[str, Any]:
        if params.get("name") == "assets":
            change(default["result"])
        return default

    return answer


def _repeat_cursor_gives_new_page() -> Callable[..., dict[str, Any]]:
    counter = itertools.count()

    def answer(params: dict[str, Any], default: dict[str, Any]) -> dict[str, Any]:
        if params.get("cursor") and "result" in default:
            default["result"]["tools"] = [{"name": f"t{next(counter)}", "inputSchema": {"type": "object"}}]
        return default

    return answer


def _accepts_any_cursor(params: dict[str, Any], default: dict[str, Any]) -> dict[str, Any]:
    if "error" in default:
        return ok({"tools": []})
    return default


def _silent_on_bad_cursor(params: dict[str, Any], default: dict[str, Any]) -> dict[str, Any]:
    return {"silent": True} if "error" in default else default


def _no_validation(params: dict[str, Any], default: dict[str, Any]) -> dict[str, Any]:
    if default.get("result", {}).get("isError") or "error" in default:
        return ok({"content": [{"type": "text", "text": "done anyway"}]})
    return default


BROKEN: list[tuple[str, dict[str, Any], Outcome]] = [
    # pagination
    ("mcp.pagination.all-pages-reachable",
     {"answer": {"tools/list": lambda p, d: fail(-32603) if p.get("cursor") == "page-2" else d}}, Outcome.FAIL),
    ("mcp.pagination.all-pages-reachable", {"page_size": 100}, Outcome.NOT_APPLICABLE),
    ("mcp.pagination.cursor-terminates",
     {"answer": {"tools/list": with_result(lambda r: r.setdefault("nextCursor", "page-0"))}}, Outcome.FAIL),
    ("mcp.pagination.stable-cursors", {"answer": {"tools/list": _repeat_cursor_gives_new_page()}}, Outcome.FAIL),
    ("mcp.pagination.invalid-cursor-graceful", {"answer": {"tools/list": _silent_on_bad_cursor}}, Outcome.FAIL),
    ("mcp.pagination.invalid-cursor", {"answer": {"tools/list": _accepts_any_cursor}}, Outcome.FAIL),
    ("mcp.pagination.invalid-cursor", {"page_size": 100}, Outcome.NOT_APPLICABLE),
    # tools
    ("mcp.tools.capability-declared", {"capabilities": {"prompts": {}}}, Outcome.FAIL),
    ("mcp.tools.capability-declared",
     {"capabilities": {"prompts": {}}, "answer": {"tools/list": lambda p, d: fail(-32601)}}, Outcome.NOT_APPLICABLE),
    ("mcp.tools.list", {"tools": _tools(lambda t: t[0].pop("inputSchema"))}, Outcome.FAIL),
    ("mcp.tools.call-result", {"answer": {"tools/call": lambda p, d: ok({"content": "not a list"})}}, Outcome.FAIL),
    ("mcp.tools.input-schema-object", {"tools": _tools(lambda t: _set(t, "echo", "inputSchema", {"type": "string"}))},
     Outcome.FAIL),
    ("mcp.tools.input-schema-valid",
     {"tools": _tools(lambda t: _set(t, "echo", "inputSchema", {"type": "object", "properties": {"x": {"type": "strang"}}}))},
     Outcome.FAIL),
    ("mcp.tools.output-schema-object", {"tools": _tools(lambda t: _set(t, "add", "outputSchema", {"type": "array"}))},
     Outcome.FAIL),
    ("mcp.tools.output-schema-object", {"tools": _tools(lambda t: t[1].pop("outputSchema"))}, Outcome.NOT_APPLICABLE),
    ("mcp.tools.output-schema-valid",
     {"tools": _tools(lambda t: _set(t, "add", "outputSchema", {"type": "object", "required": "sum"}))}, Outcome.FAIL),
    ("mcp.tools.name-format", {"tools": _tools(lambda t: _set(t, "picture", "name", "a picture!"))}, Outcome.FAIL),
    ("mcp.tools.name-unique", {"tools": _tools(lambda t: _set(t, "picture", "name", "echo"))}, Outcome.FAIL),
    ("mcp.tools.unknown-tool-error",
     {"answer": {"tools/call": lambda p, d: ok({"content": []}) if p.get("name", "").startswith("accord-") else d}},
     Outcome.FAIL),
    ("mcp.tools.malformed-call-error",
     {"answer": {"tools/call": lambda p, d: ok({"content": []}) if "name" not in p else d}}, Outcome.FAIL),
    ("mcp.tools.input-validation-error",
     {"answer": {"tools/call": lambda p, d: fail(-32602) if d.get("result", {}).get("isError") else d}}, Outcome.FAIL),
    ("mcp.tools.invalid-arguments-protocol-error",
     {"version": "2025-06-18", "answer": {"tools/call": lambda p, d: ok({"content": [{"type": "text", "text": "bad"}],
                                                                          "isError": True}) if "error" in d else d}},
     Outcome.FAIL),
    ("mcp.tools.validate-inputs", {"answer": {"tools/call": _no_validation}}, Outcome.FAIL),
    ("mcp.tools.validate-inputs", {"version": "2025-06-18", "answer": {"tools/call": _no_validation}}, Outcome.FAIL),
    ("mcp.tools.is-error-result",
     {"answer": {"tools/call": lambda p, d: ok({"content": [], "isError": True}) if d.get("result", {}).get("isError") else d}},
     Outcome.FAIL),
    ("mcp.tools.is-error-result", {"version": "2025-06-18"}, Outcome.NOT_APPLICABLE),
    ("mcp.tools.structured-content-valid",
     {"answer": {"tools/call": _on_call("add", lambda r: r.update(structuredContent={"sum": "0"}))}}, Outcome.FAIL),
    ("mcp.tools.structured-content-valid",
     {"answer": {"tools/call": _on_call("add", lambda r: r.pop("structuredContent"))}}, Outcome.FAIL),
    ("mcp.tools.structured-content-valid", {"tools": _tools(lambda t: t[1].pop("outputSchema"))}, Outcome.NOT_APPLICABLE),
    ("mcp.tools.structured-content-with-text",
     {"answer": {"tools/call": _on_call("add", lambda r: r.update(content=[{"type": "text", "text": "the sum"}]))}},
     Outcome.FAIL),
    ("mcp.tools.content-base64",
     {"answer": {"tools/call": _on_call("picture", lambda r: r["content"][0].update(data="not base64!"))}}, Outcome.FAIL),
    ("mcp.tools.content-base64",
     {"answer": {"tools/call": _on_call("picture", lambda r: r["content"][1].pop("mimeType"))}}, Outcome.FAIL),
    ("mcp.tools.content-base64", {"tools": _tools(lambda t: t.pop(2))}, Outcome.NOT_APPLICABLE),
    ("mcp.tools.embedded-resources-capability", {"capabilities": {"tools": {}, "prompts": {}}}, Outcome.FAIL),
    # prompts
    ("mcp.prompts.capability-declared", {"capabilities": {"tools": {}}}, Outcome.FAIL),
    ("mcp.prompts.list", {"prompts": [{"arguments": []}]}, Outcome.FAIL),
    ("mcp.prompts.get",
     {"answer": {"prompts/get": with_result(lambda r: r["messages"][0].update(role="system"))}}, Outcome.FAIL),
    ("mcp.prompts.unknown-prompt", {"answer": {"prompts/get": lambda p, d: fail(-32603) if "error" in d else d}},
     Outcome.FAIL),
    ("mcp.prompts.missing-argument",
     {"answer": {"prompts/get": lambda p, d: ok({"messages": []}) if "error" in d else d}}, Outcome.FAIL),
    ("mcp.prompts.missing-argument", {"prompts": [{"name": "plain"}]}, Outcome.NOT_APPLICABLE),
    ("mcp.prompts.validate-arguments",
     {"answer": {"prompts/get": lambda p, d: ok({"messages": []}) if "error" in d else d}}, Outcome.FAIL),
    ("mcp.prompts.image-audio-base64",
     {"answer": {"prompts/get": _on_assets(lambda r: r["messages"][0]["content"].pop("mimeType"))}}, Outcome.FAIL),
    ("mcp.prompts.image-audio-base64", {"prompts": [{"name": "plain"}]}, Outcome.NOT_APPLICABLE),
    ("mcp.prompts.embedded-resource-complete",
     {"answer": {"prompts/get": _on_assets(lambda r: r["messages"][-1]["content"]["resource"].pop("mimeType"))}},
     Outcome.FAIL),
    # completion
    ("mcp.completion.capability-declared", {"capabilities": {"prompts": {}}}, Outcome.FAIL),
    ("mcp.completion.complete",
     {"answer": {"completion/complete": with_result(lambda r: r["completion"].update(values=[1, 2]))}}, Outcome.FAIL),
    ("mcp.completion.complete", {"prompts": [{"name": "plain"}], "templates": []}, Outcome.NOT_APPLICABLE),
    ("mcp.completion.max-values",
     {"answer": {"completion/complete": with_result(lambda r: r["completion"].update(values=["v"] * 101))}},
     Outcome.FAIL),
    ("mcp.completion.not-supported",
     {"capabilities": {"prompts": {}}, "answer": {"completion/complete": lambda p, d: fail(-32602)}}, Outcome.FAIL),
    ("mcp.completion.not-supported",
     {"capabilities": {"prompts": {}}, "answer": {"completion/complete": lambda p, d: fail(-32601)}}, Outcome.PASS),
    ("mcp.completion.unknown-prompt",
     {"answer": {"completion/complete": lambda p, d: ok({"completion": {"values": []}})}}, Outcome.FAIL),
    ("mcp.completion.validate-inputs",
     {"answer": {"completion/complete": lambda p, d: ok({"completion": {"values": []}}) if "ref" not in p else d}},
     Outcome.FAIL),
    # logging
    ("mcp.logging.capability-declared",
     {"capabilities": {"tools": {}}, "answer": {"tools/list": lambda p, d: {**d, "before": [
         {"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": "x"}}]}}},
     Outcome.FAIL),
    ("mcp.logging.capability-declared", {"tools": _tools(lambda t: t.pop(3))}, Outcome.SKIP),
    ("mcp.logging.message-valid",
     {"answer": {"tools/list": lambda p, d: {**d, "before": [
         {"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "verbose", "data": "x"}}]}}},
     Outcome.FAIL),
    ("mcp.logging.set-level", {"answer": {"logging/setLevel": lambda p, d: ok({"level": p.get("level")})}}, Outcome.FAIL),
    ("mcp.logging.invalid-level", {"answer": {"logging/setLevel": lambda p, d: ok({})}}, Outcome.FAIL),
    ("mcp.logging.level-respected",
     {"answer": {"tools/call": lambda p, d: {**d, "before": [
         {"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "debug", "data": "x"}}]}}},
     Outcome.FAIL),
    ("mcp.logging.level-respected", {"tools": _tools(lambda t: t.pop(3))}, Outcome.SKIP),
]


@pytest.mark.parametrize(("requirement", "server", "expected"), BROKEN,
                         ids=[f"{rid}-{expected.value}-{i}" for i, (rid, _, expected) in enumerate(BROKEN)])
def test_a_server_broken_in_one_way_is_judged(monkeypatch, requirement, server, expected):
    fake = FakeServer(**server)
    results = fake.run(monkeypatch, {requirement, "mcp.tools.list"})  # observers need traffic to observe
    result = results[requirement]
    assert result.outcome is expected, result.message
    if expected is Outcome.FAIL:
        assert result.evidence is not None
        assert result.evidence.exchanges or result.evidence.example  # observers show the offending message


def test_observer_checks_see_logs_from_the_other_checks(monkeypatch):
    results = FakeServer().run(monkeypatch, {"mcp.logging."})
    assert results["mcp.logging.message-valid"].outcome is Outcome.PASS
    assert results["mcp.logging.capability-declared"].outcome is Outcome.PASS


def test_risky_tools_are_recognised():
    assert is_risky({"name": "fetchUrl"})
    assert is_risky({"name": "send_message"})
    assert is_risky({"name": "x", "description": "Downloads a file."})
    assert is_risky({"name": "zip", "inputSchema": {"type": "object", "properties": {"url": {"type": "string"}}}})
    assert not is_risky({"name": "emit_logs", "description": "Sends one notification per log level."})
    assert not is_risky({"name": "rewrite_text", "description": "Returns the text in upper case."})


def test_schema_dialects():
    assert schema_problems({"type": "object"}, "2025-11-25") == []
    assert schema_problems({"type": "object", "items": [{}]}, "2025-11-25")  # array items is not 2020-12
    assert schema_problems({"type": "object", "items": [{}]}, "2025-06-18") == []  # draft-07 accepts it
    draft7 = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "items": [{}]}
    assert schema_problems(draft7, "2025-11-25") == []
    assert schema_problems({"$schema": "https://example.com/my-dialect", "type": "object"}, "2025-11-25") is None
    assert schema_problems({"type": "object", "properties": {"p": {"pattern": "^\\p{L}+$"}}}, "2025-11-25") == []


def test_invalid_arguments_break_the_schema_in_one_way():
    schema = {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "string"}}, "required": ["a"]}
    broken = invalid_arguments(schema, {"a": 1, "b": "x"})
    assert [args for args, _ in broken] == [{"b": "x"}, {"a": "not-a-number", "b": "x"}]
    assert invalid_arguments({"type": "object"}, {}) == []


def test_template_variables():
    assert template_variables("file:///{path}") == ["path"]
    assert template_variables("x://{+base}/items{?page,size}/{id*}") == ["base", "page", "size", "id"]
