"""Interfaces, core operations, capabilities and extensions (a2a.interfaces., a2a.operations.,
a2a.capabilities., a2a.extensions.) against the reference agent, its faults, and patched versions of it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.requests import Request

from accord.outcomes import Outcome
from accord_fixtures.a2a_reference import FAULTS
from accord_fixtures.a2a_reference.card import JSONRPC_PATH

from .judging import BINDINGS, VERSIONS, explain, judge
from .test_errors import rewriting
from .test_card import PatchedAgent

AREA = ["a2a.interfaces.", "a2a.operations.", "a2a.capabilities.", "a2a.extensions."]
HERE = "a2a+asgi:tests.checks.a2a.test_capabilities"
STREAMING = {"SendStreamingMessage", "SubscribeToTask"}
PUSH = {"CreateTaskPushNotificationConfig", "GetTaskPushNotificationConfig", "ListTaskPushNotificationConfigs",
        "DeleteTaskPushNotificationConfig"}
EXTENSION = "https://example.org/extensions/accord-test/v1"
UNUSED_NA = {"a2a.capabilities.streaming-undeclared", "a2a.capabilities.push-undeclared",
             "a2a.capabilities.extended-card-undeclared", "a2a.capabilities.extension-required"}


# --- card patches and refusals ---------------------------------------------------------------------------
def no_optional_capabilities(card: dict[str, Any], version: str | None) -> dict[str, Any]:
    card["capabilities"] = {}
    card.pop("supportsAuthenticatedExtendedCard", None)
    return card


def refuse_optional(operation: str, request: Request) -> str | None:
    if operation in STREAMING or operation == "GetExtendedAgentCard":
        return "unsupported-operation"
    return "push-not-supported" if operation in PUSH else None


def requiring_extension(card: dict[str, Any], version: str | None) -> dict[str, Any]:
    card["capabilities"]["extensions"] = [{"uri": EXTENSION, "required": True}]
    return card


def refuse_without_extension(operation: str, request: Request) -> str | None:
    named = request.headers.get("a2a-extensions", "")
    if operation == "SendMessage" and EXTENSION not in named:
        return "extension-support-required"
    return None


def refuse_unknown_extension(operation: str, request: Request) -> str | None:
    named = [n.strip() for n in request.headers.get("a2a-extensions", "").split(",") if n.strip()]
    return "extension-support-required" if operation == "SendMessage" and named else None


def refuse_push(operation: str, request: Request) -> str | None:
    return "push-not-supported" if operation == "CreateTaskPushNotificationConfig" else None


def refuse_cancel(operation: str, request: Request) -> str | None:
    return "method-not-found" if operation == "CancelTask" else None


def refuse_v03_on_jsonrpc(operation: str, request: Request) -> str | None:
    if request.url.path == JSONRPC_PATH and request.headers.get("a2a-version", "") in ("", "0.3"):
        return "version-not-supported"
    return None


def odd_interfaces(card: dict[str, Any], version: str | None) -> dict[str, Any]:
    """Lower-case binding names, a patch number, and HTTP+JSON claimed at the JSON-RPC URL."""
    if version == "1.0":
        first = card["supportedInterfaces"][0]
        card["supportedInterfaces"] = [{**entry, "protocolBinding": entry["protocolBinding"].lower(),
                                        "protocolVersion": entry["protocolVersion"] + ".0"}
                                       for entry in card["supportedInterfaces"]]
        card["supportedInterfaces"].append({**first, "protocolBinding": "HTTP+JSON"})
    else:
        card["additionalInterfaces"] = [{"url": card["url"], "transport": "HTTP+JSON"},
                                        {"url": card["url"], "transport": "rest"}]
    return card


def wrong_preferred_transport(card: dict[str, Any], version: str | None) -> dict[str, Any]:
    card["preferredTransport"] = "HTTP+JSON"
    return card


no_capabilities = PatchedAgent(no_optional_capabilities, refuse_optional)
capabilities_hidden = PatchedAgent(no_optional_capabilities)
extension_enforced = PatchedAgent(requiring_extension, refuse_without_extension)
extension_unenforced = PatchedAgent(requiring_extension)
unknown_extension_refused = PatchedAgent(refuse=refuse_unknown_extension)
push_refused = PatchedAgent(refuse=refuse_push)
cancel_missing = PatchedAgent(refuse=refuse_cancel)
v03_refused_on_jsonrpc = PatchedAgent(refuse=refuse_v03_on_jsonrpc)
interfaces_odd = PatchedAgent(odd_interfaces)
preferred_wrong = PatchedAgent(wrong_preferred_transport)


def outcomes(attr: str, rids: list[str], version: str = "1.0", binding: str = "jsonrpc") -> dict[str, Outcome]:
    results = judge(rids, version=version, binding=binding, target=f"{HERE}:{attr}")
    print(explain(results))
    return {rid: results[rid].outcome for rid in rids}


# --- the reference agent and its faults ----------------------------------------------------------------------
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("binding", BINDINGS)
def test_reference_agent_passes(version: str, binding: str) -> None:
    results = judge(AREA, version=version, binding=binding)
    for rid, result in results.items():
        if result.outcome is Outcome.SKIP:
            assert "not judged by accord" in result.message, explain(results)
        elif rid in UNUSED_NA:
            assert result.outcome is Outcome.NOT_APPLICABLE, explain(results)
        else:
            assert result.outcome is Outcome.PASS, explain(results)


AREA_FAULTS = sorted(f for f, rid in FAULTS.items() if rid.split(".")[1] in
                     ("interfaces", "operations", "capabilities", "extensions"))


@pytest.mark.parametrize("fault", AREA_FAULTS)
@pytest.mark.parametrize("version", VERSIONS)
def test_area_faults_fail(fault: str, version: str) -> None:
    rid = FAULTS[fault]
    results = judge(rid, version=version, binding="jsonrpc", fault=fault)
    if fault == "interface-undeclared" and version == "0.3.0":
        assert results[rid].outcome is Outcome.PASS, explain(results)  # the fault drops the 1.0 declaration only
    elif rid in results:
        assert results[rid].outcome is Outcome.FAIL, explain(results)


# --- capabilities ---------------------------------------------------------------------------------------------
UNDECLARED = ["a2a.capabilities.streaming-undeclared", "a2a.capabilities.push-undeclared",
              "a2a.capabilities.extended-card-undeclared"]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("binding", BINDINGS)
def test_undeclared_capabilities_refused_pass(version: str, binding: str) -> None:
    found = outcomes("no_capabilities", UNDECLARED + ["a2a.capabilities.declared-streaming-served"], version, binding)
    assert all(found[rid] is Outcome.PASS for rid in UNDECLARED), found
    assert found["a2a.capabilities.declared-streaming-served"] is Outcome.NOT_APPLICABLE


@pytest.mark.parametrize("version", VERSIONS)
def test_undeclared_capabilities_served_fail(version: str) -> None:
    found = outcomes("capabilities_hidden", UNDECLARED, version, "http-json")
    # 0.3 asks only for "an error and no card": the reference agent's 401 without credentials is one
    failing = UNDECLARED if version == "1.0" else UNDECLARED[:2]
    assert all(found[rid] is Outcome.FAIL for rid in failing), found


@pytest.mark.parametrize("version", VERSIONS)
def test_declared_push_refused_fails(version: str) -> None:
    found = outcomes("push_refused", ["a2a.capabilities.declared-push-served"], version)
    assert found["a2a.capabilities.declared-push-served"] is Outcome.FAIL


@pytest.mark.parametrize("binding", BINDINGS)
def test_required_extension(binding: str) -> None:
    rids = ["a2a.capabilities.extension-required", "a2a.extensions.unsupported-ignored"]
    assert set(outcomes("extension_enforced", rids, "1.0", binding).values()) == {Outcome.PASS}
    assert outcomes("extension_unenforced", rids[:1], "1.0", binding)[rids[0]] is Outcome.FAIL


def test_unknown_extension_refused_fails() -> None:
    rid = "a2a.extensions.unsupported-ignored"
    assert outcomes("unknown_extension_refused", [rid], "1.0", "http-json")[rid] is Outcome.FAIL


# --- operations and interfaces ----------------------------------------------------------------------------------
@pytest.mark.parametrize("version", VERSIONS)
def test_missing_cancel_fails(version: str) -> None:
    rid = "a2a.operations.core-implemented"
    assert outcomes("cancel_missing", [rid], version)[rid] is Outcome.FAIL


def test_version_refused_on_declared_interface_fails() -> None:
    rid = "a2a.interfaces.version-served"
    assert outcomes("v03_refused_on_jsonrpc", [rid], "1.0", "http-json")[rid] is Outcome.FAIL


def test_odd_interface_declarations_fail_1_0() -> None:
    rids = ["a2a.interfaces.binding-identifier", "a2a.interfaces.protocol-version-format",
            "a2a.interfaces.url-and-binding"]
    found = outcomes("interfaces_odd", rids, "1.0", "http-json")
    assert all(found[rid] is Outcome.FAIL for rid in rids), found


def test_odd_interface_declarations_fail_0_3() -> None:
    rids = ["a2a.interfaces.binding-identifier", "a2a.interfaces.url-and-binding", "a2a.interfaces.no-conflicts",
            "a2a.interfaces.includes-main"]
    found = outcomes("interfaces_odd", rids, "0.3.0", "jsonrpc")
    assert all(found[rid] is Outcome.FAIL for rid in rids), found


def test_preferred_transport_not_served_fails() -> None:
    rid = "a2a.interfaces.preferred-transport"
    assert outcomes("preferred_wrong", [rid], "0.3.0", "http-json")[rid] is Outcome.FAIL


# --- 0.3 over HTTP+JSON names its errors by HTTP status only ----------------------------------------------------
def status_only_0_3_rest_errors(scope: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Any:
    """0.3 HTTP+JSON errors as a bare JSON 404 (no ErrorInfo), as @a2a-js/sdk answers them; ``plain``: not JSON."""
    if scope["path"].startswith("/a2a/rest/v1/") and status == 404:
        return 404, [(b"content-type", b"application/json")], json.dumps({"message": "Task not found"}).encode()
    return status, headers, body


def plain_0_3_rest_404(scope: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Any:
    if scope["path"].startswith("/a2a/rest/v1/") and status == 404:
        return 404, [(b"content-type", b"text/plain")], b"Not Found"
    return status, headers, body


status_only_0_3_rest = rewriting(answer=status_only_0_3_rest_errors)
plain_0_3_rest = rewriting(answer=plain_0_3_rest_404)


@pytest.mark.parametrize(("version", "rid"), [("0.3.0", "a2a.interfaces.url-and-binding"),
                                              ("1.0", "a2a.interfaces.version-served")])
def test_0_3_rest_not_found_by_status_passes(version: str, rid: str) -> None:
    assert outcomes("status_only_0_3_rest", [rid], version)[rid] is Outcome.PASS
    assert outcomes("plain_0_3_rest", [rid], version)[rid] is Outcome.FAIL
