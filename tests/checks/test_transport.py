"""The transport and auth checks (mcp.http.*, mcp.auth.*, mcp.stdio.*), end to end.

Against the reference server (asgi and stdio, correct and with each transport
fault) and against a knob-driven fake Streamable HTTP server for what the
reference server cannot show (SSE variants, GET streams, resumption, auth).
"""

from __future__ import annotations

import sys

import pytest

import accord.suite
import accord_asgi
from accord.engine import run
from accord.outcomes import Outcome
from accord.peer import Limits
from accord.settings import RunSettings
from accord.specs import SpecRef, load_spec

from .fake_transport import LOG, FakeTransportServer, Knobs

LIMITS = Limits(read_timeout=3.0, start_timeout=10.0)
AREA = frozenset({"mcp.http.", "mcp.auth.", "mcp.stdio."})
REFERENCE_ASGI = "asgi:accord_fixtures.mcp_reference:app"
REFERENCE_STDIO = f"mcp+stdio:{sys.executable} -m accord_fixtures.mcp_reference --stdio"


def outcomes(target: str, only: frozenset[str], version: str = "2025-11-25",
             limits: Limits = LIMITS) -> dict[str, tuple[Outcome, str]]:
    """Outcome and message per requirement judged (only the selected ones: the engine adds
    mcp.lifecycle.initialize-result when initialization fails)."""
    result = run(load_spec(SpecRef("mcp", version)), target, RunSettings(only=only, limits=limits))
    return {r.id: (r.outcome, r.message) for r in result.results
            if r.id in only or any(o.endswith(".") and r.id.startswith(o) for o in only)}


def failed(results: dict[str, tuple[Outcome, str]]) -> set[str]:
    return {rid for rid, (outcome, _) in results.items() if outcome is Outcome.FAIL}


def assert_no_errors(results: dict[str, tuple[Outcome, str]]) -> None:
    errors = {rid: message for rid, (outcome, message) in results.items() if outcome is Outcome.ERROR}
    assert not errors


@pytest.fixture
def reference_with(monkeypatch):
    """Set the reference app's faults (ACCORD_FAULT, read when the lazily built app is first used)."""
    import accord_fixtures.mcp_reference as package

    def use(fault: str = "") -> str:
        monkeypatch.setenv("ACCORD_FAULT", fault)
        monkeypatch.setattr(package, "_app", None)
        return REFERENCE_ASGI

    yield use
    monkeypatch.setattr(package, "_app", None)


@pytest.fixture
def fake(monkeypatch):
    """Run the engine against a FakeTransportServer with the given knobs; returns outcomes by id."""

    def judge(knobs: Knobs, *ids: str, version: str = "2025-11-25") -> dict[str, tuple[Outcome, str]]:
        server = accord_asgi.AsgiServer(FakeTransportServer(knobs), LIMITS)

        def open_peer(target: str, limits: Limits) -> accord_asgi.AsgiPeer:
            return accord_asgi.AsgiPeer(target, limits, server, "/mcp")

        monkeypatch.setattr(accord.suite, "open_peer", open_peer)
        try:
            results = outcomes("asgi:fake_transport:app", frozenset(ids), version)
        finally:
            server.stop()
        assert_no_errors(results)
        return results

    return judge


def outcome_of(results: dict[str, tuple[Outcome, str]], rid: str) -> Outcome:
    return results[rid][0]


# --- the reference server ---------------------------------------------------
EXPECTED_PASS_HTTP = {
    "mcp.http.json-or-sse", "mcp.http.notification-202", "mcp.http.unaccepted-input-error-status",
    "mcp.http.accept-406", "mcp.http.sse-response-included", "mcp.http.get-sse-or-405", "mcp.http.event-id-unique",
    "mcp.http.session-id-issued", "mcp.http.session-id-visible-ascii", "mcp.http.session-id-unique",
    "mcp.http.session-id-required", "mcp.http.session-terminated-404", "mcp.http.delete-session",
    "mcp.http.protocol-version-header", "mcp.http.protocol-version-absent", "mcp.http.origin-validated",
}


def test_reference_server_over_http_meets_every_transport_requirement(reference_with):
    results = outcomes(reference_with(""), AREA)
    assert_no_errors(results)
    assert failed(results) == set()
    assert results["mcp.http.authentication"][0] is Outcome.SKIP  # catalogued as untested, with the reason
    passed = {rid for rid, (outcome, _) in results.items() if outcome is Outcome.PASS}
    assert EXPECTED_PASS_HTTP | {"mcp.http.sse-priming-event", "mcp.http.origin-forbidden"} <= passed
    assert "does not require authorization" in results["mcp.auth.unauthorized-401"][1]
    assert outcome_of(results, "mcp.http.resume-supported") is Outcome.NOT_APPLICABLE
    assert outcome_of(results, "mcp.stdio.exit-on-stdin-close") is Outcome.NOT_APPLICABLE


def test_reference_server_over_http_2025_06_18(reference_with):
    only = frozenset({"mcp.http.sse-not-closed-early", "mcp.http.origin-validated", "mcp.http.sse-response-included",
                      "mcp.auth.resource-metadata-discovery"})
    results = outcomes(reference_with(""), only, "2025-06-18")
    assert_no_errors(results)
    assert {rid for rid, (o, _) in results.items() if o is Outcome.PASS} == only - {"mcp.auth.resource-metadata-discovery"}


HTTP_FAULTS = {
    "http-no-session-enforcement": ("mcp.http.session-id-required", {
        "mcp.http.session-terminated-404", "mcp.http.delete-session", "mcp.http.unaccepted-input-error-status"}),
    "http-notification-200": ("mcp.http.notification-202", {"mcp.http.unaccepted-input-error-status",
                                                            "mcp.http.json-or-sse"}),
    "http-origin-allowed": ("mcp.http.origin-forbidden", {"mcp.http.origin-validated"}),
    "http-protocol-version-ignored": ("mcp.http.protocol-version-header", {
        "mcp.http.protocol-version-absent", "mcp.http.unaccepted-input-error-status"}),
}


@pytest.mark.parametrize("fault", sorted(HTTP_FAULTS))
def test_reference_http_fault_is_caught_by_its_requirement(reference_with, fault):
    named, neighbours = HTTP_FAULTS[fault]
    results = outcomes(reference_with(fault), frozenset({named} | neighbours))
    assert_no_errors(results)
    # A server that ignores Origin breaks both Origin MUSTs of 2025-11-25 (validate; 403 when invalid).
    expected = {named, "mcp.http.origin-validated"} if fault == "http-origin-allowed" else {named}
    assert failed(results) == expected


def test_origin_fault_is_caught_in_2025_06_18(reference_with):
    results = outcomes(reference_with("http-origin-allowed"), frozenset({"mcp.http.origin-validated"}), "2025-06-18")
    assert failed(results) == {"mcp.http.origin-validated"}


def test_reference_server_over_stdio():
    results = outcomes(REFERENCE_STDIO, AREA)
    assert_no_errors(results)
    assert {rid for rid, (o, _) in results.items() if o is Outcome.PASS} == {
        "mcp.stdio.stdout-only-jsonrpc", "mcp.stdio.newline-delimited", "mcp.stdio.stderr-tolerated",
        "mcp.stdio.exit-on-stdin-close"}
    assert "http transport only" in results["mcp.http.json-or-sse"][1]


@pytest.mark.parametrize("fault, named", [("stdio-log-on-stdout", "mcp.stdio.stdout-only-jsonrpc"),
                                          ("stdio-no-exit", "mcp.stdio.exit-on-stdin-close")])
def test_reference_stdio_fault_is_caught_by_its_requirement(fault, named):
    results = outcomes(f"{REFERENCE_STDIO} --fault {fault}", frozenset({"mcp.stdio."}))
    assert_no_errors(results)
    assert failed(results) == {named}


PRETTY_PRINTING_SERVER = r"""
import json, sys
for line in sys.stdin:
    message = json.loads(line)
    if "id" not in message:
        continue
    result = {"protocolVersion": "2025-11-25", "capabilities": {}, "serverInfo": {"name": "pretty", "version": "1"}}
    print(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result if message["method"] == "initialize" else {}}, indent=2), flush=True)
"""


def test_pretty_printed_stdout_breaks_newline_delimiting_only(tmp_path):
    script = tmp_path / "pretty.py"
    script.write_text(PRETTY_PRINTING_SERVER)
    only = frozenset({"mcp.stdio.stdout-only-jsonrpc", "mcp.stdio.newline-delimited"})
    results = outcomes(f"mcp+stdio:{sys.executable} {script}", only, limits=Limits(read_timeout=0.5))
    assert_no_errors(results)
    assert outcome_of(results, "mcp.stdio.newline-delimited") is Outcome.FAIL
    assert outcome_of(results, "mcp.stdio.stdout-only-jsonrpc") is not Outcome.PASS


# --- the knob-driven fake: what the reference server cannot show -----------------
def test_fake_defaults_pass_what_they_exercise(fake):
    results = fake(Knobs(), *EXPECTED_PASS_HTTP, "mcp.http.origin-forbidden")
    assert {rid for rid, (o, _) in results.items() if o is not Outcome.PASS} == {"mcp.http.sse-response-included",
                                                                               "mcp.http.event-id-unique"}
    assert "no request was answered with an SSE stream" in results["mcp.http.event-id-unique"][1]


@pytest.mark.parametrize("knobs, rid, outcome", [
    (Knobs(json_content_type="text/plain"), "mcp.http.json-or-sse", Outcome.FAIL),
    (Knobs(notification_body=b"ok"), "mcp.http.notification-202", Outcome.FAIL),
    (Knobs(notification_status=302), "mcp.http.unaccepted-input-error-status", Outcome.FAIL),
    (Knobs(sessions=False, version_check=False), "mcp.http.unaccepted-input-error-status", Outcome.NOT_APPLICABLE),
    (Knobs(accept_check=False), "mcp.http.accept-406", Outcome.NOT_APPLICABLE),
    (Knobs(sessions=False), "mcp.http.session-id-issued", Outcome.NOT_APPLICABLE),
    (Knobs(sessions=False), "mcp.http.session-id-required", Outcome.NOT_APPLICABLE),
    (Knobs(session_id=lambda n: f"séance {n}"), "mcp.http.session-id-visible-ascii", Outcome.FAIL),
    (Knobs(session_id=lambda n: "same-session-id"), "mcp.http.session-id-unique", Outcome.FAIL),
    (Knobs(session_id=lambda n: str(1000 + n)), "mcp.http.session-id-unique", Outcome.FAIL),
    (Knobs(delete_status=405), "mcp.http.session-terminated-404", Outcome.NOT_APPLICABLE),
    (Knobs(delete_status=405), "mcp.http.delete-session", Outcome.PASS),
    (Knobs(after_delete_status=400), "mcp.http.session-terminated-404", Outcome.FAIL),
    (Knobs(forget_deleted=False), "mcp.http.delete-session", Outcome.FAIL),
    (Knobs(delete_status=500), "mcp.http.delete-session", Outcome.FAIL),
    (Knobs(version_check=False), "mcp.http.protocol-version-header", Outcome.FAIL),
    (Knobs(origin_status=400), "mcp.http.origin-validated", Outcome.PASS),
    (Knobs(origin_status=400), "mcp.http.origin-forbidden", Outcome.FAIL),
    (Knobs(origin_status=None), "mcp.http.origin-validated", Outcome.FAIL),
    (Knobs(get_mode="sse"), "mcp.http.get-sse-or-405", Outcome.PASS),
    (Knobs(get_mode="html"), "mcp.http.get-sse-or-405", Outcome.FAIL),
])
def test_fake_variant(fake, knobs, rid, outcome):
    results = fake(knobs, rid)
    assert outcome_of(results, rid) is outcome, results[rid][1]


def test_missing_version_header_refused_in_a_session_fails(fake):
    results = fake(Knobs(require_version_header=True), "mcp.http.protocol-version-absent")
    assert outcome_of(results, "mcp.http.protocol-version-absent") is Outcome.FAIL


SSE_IDS = ("mcp.http.sse-priming-event", "mcp.http.sse-response-included", "mcp.http.sse-retry-before-close",
           "mcp.http.sse-closed-after-response", "mcp.http.event-id-unique")


def test_sse_stream_correct(fake):
    results = fake(Knobs(sse=True), *SSE_IDS)
    assert {rid: o for rid, (o, _) in results.items()} == {
        "mcp.http.sse-priming-event": Outcome.PASS, "mcp.http.sse-response-included": Outcome.PASS,
        "mcp.http.sse-retry-before-close": Outcome.NOT_APPLICABLE, "mcp.http.sse-closed-after-response": Outcome.SKIP,
        "mcp.http.event-id-unique": Outcome.PASS}
    assert outcome_of(fake(Knobs(sse=True), "mcp.http.sse-not-closed-early", version="2025-06-18"),
                      "mcp.http.sse-not-closed-early") is Outcome.PASS


@pytest.mark.parametrize("knobs, rid, outcome", [
    (Knobs(sse=True, priming=False), "mcp.http.sse-priming-event", Outcome.FAIL),
    (Knobs(sse=True, event_ids="repeat"), "mcp.http.event-id-unique", Outcome.FAIL),
    (Knobs(sse=True, event_ids="none", priming=False), "mcp.http.event-id-unique", Outcome.NOT_APPLICABLE),
    (Knobs(sse=True, include_response=False), "mcp.http.sse-response-included", Outcome.FAIL),
    (Knobs(sse=True, include_response=False), "mcp.http.sse-retry-before-close", Outcome.PASS),
    (Knobs(sse=True, include_response=False, retry_before_close=False), "mcp.http.sse-retry-before-close",
     Outcome.FAIL),
])
def test_sse_variant(fake, knobs, rid, outcome):
    results = fake(knobs, rid)
    assert outcome_of(results, rid) is outcome, results[rid][1]


def test_sse_closed_early_fails_in_2025_06_18(fake):
    results = fake(Knobs(sse=True, include_response=False), "mcp.http.sse-not-closed-early", version="2025-06-18")
    assert outcome_of(results, "mcp.http.sse-not-closed-early") is Outcome.FAIL


def test_get_stream(fake):
    notice = {"jsonrpc": "2.0", "method": "notifications/tools/list_changed"}
    good = fake(Knobs(sse=True, get_mode="sse", get_messages=[notice]),
                "mcp.http.get-stream-no-responses", "mcp.http.no-broadcast")
    assert {rid: o for rid, (o, _) in good.items()} == {
        "mcp.http.get-stream-no-responses": Outcome.PASS, "mcp.http.no-broadcast": Outcome.PASS}
    leaky = fake(Knobs(get_mode="sse", get_messages=[{"jsonrpc": "2.0", "id": 1, "result": {}}]),
                 "mcp.http.get-stream-no-responses")
    assert outcome_of(leaky, "mcp.http.get-stream-no-responses") is Outcome.FAIL
    loud = fake(Knobs(sse=True, get_mode="sse", broadcast=True), "mcp.http.no-broadcast")
    assert outcome_of(loud, "mcp.http.no-broadcast") is Outcome.FAIL
    assert LOG["method"] in loud["mcp.http.no-broadcast"][1]


def test_resumption(fake):
    ids = ("mcp.http.resume-supported", "mcp.http.resume-no-foreign-replay")
    own = fake(Knobs(sse=True, get_mode="sse", resume="own"), *ids)
    assert {rid: o for rid, (o, _) in own.items()} == dict.fromkeys(ids, Outcome.PASS)
    everything = fake(Knobs(sse=True, get_mode="sse", resume="all"), *ids)
    assert outcome_of(everything, "mcp.http.resume-no-foreign-replay") is Outcome.FAIL
    refused = fake(Knobs(sse=True, get_mode="sse", resume="none"), *ids)
    assert {rid: o for rid, (o, _) in refused.items()} == dict.fromkeys(ids, Outcome.NOT_APPLICABLE)


AUTH_IDS = ("mcp.auth.unauthorized-401", "mcp.auth.resource-metadata-discovery",
            "mcp.auth.protected-resource-metadata", "mcp.auth.scope-in-challenge")
METADATA = {"resource": "http://127.0.0.1/mcp", "authorization_servers": ["https://auth.example"]}


def challenge(url: str | None = None, scope: bool = True) -> str:
    params = ([f'resource_metadata="{url}"'] if url else []) + (['scope="files:read"'] if scope else [])
    return "Bearer " + ", ".join(params) if params else "Bearer"


def test_auth_with_well_known_metadata(fake):
    results = fake(Knobs(auth={"challenge": challenge(None), "metadata": METADATA}), *AUTH_IDS)
    assert {rid: o for rid, (o, _) in results.items()} == dict.fromkeys(AUTH_IDS, Outcome.PASS)
    old = fake(Knobs(auth={"challenge": challenge(None), "metadata": METADATA}),
               "mcp.auth.resource-metadata-discovery", version="2025-06-18")
    assert outcome_of(old, "mcp.auth.resource-metadata-discovery") is Outcome.FAIL  # 2025-06-18: header required


@pytest.mark.parametrize("auth, rid", [
    ({"challenge": "Bearer", "metadata": None}, "mcp.auth.resource-metadata-discovery"),
    ({"challenge": challenge(None), "metadata": {"resource": "x", "authorization_servers": []}},
     "mcp.auth.protected-resource-metadata"),
    ({"challenge": challenge(None, scope=False), "metadata": METADATA}, "mcp.auth.scope-in-challenge"),
])
def test_auth_variant_fails(fake, auth, rid):
    results = fake(Knobs(auth=auth), rid)
    assert outcome_of(results, rid) is Outcome.FAIL, results[rid][1]


def test_auth_not_applicable_without_authorization(fake):
    results = fake(Knobs(), *AUTH_IDS)
    assert results and all(o is Outcome.NOT_APPLICABLE for o, _ in results.values())
