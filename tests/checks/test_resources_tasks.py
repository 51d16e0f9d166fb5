"""The resources and tasks checks against an in-memory fake (correct, and broken one way per check),
and end to end against the reference server."""

from __future__ import annotations

import sys

import pytest

from accord.engine import run
from accord.outcomes import Outcome
from accord.peer import Limits
from accord.settings import RunSettings
from accord.specs import SpecRef, load_spec
from accord.suites.mcp.checks.resources import covers, is_iso8601, template_problem, uri_problem
from accord.suites.mcp.checks.tasks import id_bits, sequential

from .fake_resources_tasks import FakeMcp

RESOURCES = "mcp.resources."
TASKS = "mcp.tasks."
UNTESTED = {"mcp.resources.list-changed", "mcp.resources.access-control", "mcp.resources.https-scheme-usage",
            "mcp.tasks.input-required-related-meta", "mcp.tasks.auth-context-binding", "mcp.tasks.list-needs-identity"}
PASS, FAIL, NA, SKIP = Outcome.PASS, Outcome.FAIL, Outcome.NOT_APPLICABLE, Outcome.SKIP


def judged(results: dict) -> dict[str, tuple[Outcome, str]]:
    return {rid: (r.outcome, r.message) for rid, r in results.items() if rid not in UNTESTED}


# --- the correct fake -----------------------------------------------------------------------


def test_a_correct_server_passes_every_resources_and_tasks_requirement(monkeypatch):
    results = judged(FakeMcp().run(monkeypatch, {RESOURCES, TASKS}))
    assert results.pop("mcp.tasks.ignored-when-undeclared")[0] is NA  # it declares tasks
    not_passed = {rid: outcome for rid, outcome in results.items() if outcome[0] is not PASS}
    assert not_passed == {}, not_passed
    assert len(results) == 17 + 30 - len(UNTESTED) - 1


def test_on_2025_06_18_only_resources_are_judged(monkeypatch):
    results = judged(FakeMcp(version="2025-06-18").run(monkeypatch, {RESOURCES, TASKS}))
    assert results and all(rid.startswith(RESOURCES) for rid in results)
    assert all(outcome is PASS for rid, (outcome, _) in results.items()
               if rid != "mcp.resources.updated-only-if-subscribed"), results


def test_without_the_tasks_capability_only_the_undeclared_rules_are_judged(monkeypatch):
    results = judged(FakeMcp(tasks_declared=False).run(monkeypatch, {TASKS}))
    assert results.pop("mcp.tasks.capability-declared")[0] is PASS
    assert results.pop("mcp.tasks.ignored-when-undeclared")[0] is PASS
    assert {outcome for outcome, _ in results.values()} == {NA}
    assert "does not declare" in results["mcp.tasks.create-result"][1]


def test_subscriptions_are_not_applicable_without_the_subscribe_flag(monkeypatch):
    ids = {"mcp.resources.subscribe", "mcp.resources.unsubscribe"}
    results = judged(FakeMcp(subscribe_declared=False).run(monkeypatch, ids))
    assert {rid: outcome for rid, (outcome, _) in results.items()} == {rid: NA for rid in ids}


def test_resource_checks_are_not_applicable_without_resources_listed(monkeypatch):
    ids = {"mcp.resources.read", "mcp.resources.binary-encoded", "mcp.resources.uri-rfc3986", "mcp.resources.subscribe"}
    results = judged(FakeMcp(resources=[]).run(monkeypatch, ids))
    assert {rid: outcome for rid, (outcome, _) in results.items()} == {rid: NA for rid in ids}


def test_blob_check_needs_a_blob(monkeypatch):
    text_only = [r for r in FakeMcp().resources if r["mimeType"].startswith("text/")]
    result = judged(FakeMcp(resources=text_only).run(monkeypatch, {"mcp.resources.binary-encoded"}))
    assert result["mcp.resources.binary-encoded"][0] is NA


# --- one breakage, one failing requirement ------------------------------------------------------------

BROKEN = [
    ("undeclared-resources", "mcp.resources.capability-declared", "does not declare"),
    ("resource-without-name", "mcp.resources.list", "ListResourcesResult"),
    ("text-and-blob", "mcp.resources.read", "both text and blob"),
    ("no-templates", "mcp.resources.templates-list", "resources/templates/list failed"),
    ("unknown-empty", "mcp.resources.unknown-uri", "got a result instead of error -32002"),
    ("unknown-invalid-params", "mcp.resources.unknown-uri", "-32602, not -32002"),
    ("malformed-uri-served", "mcp.resources.validate-uri", "returned contents"),
    ("bad-blob", "mcp.resources.binary-encoded", "not valid base64"),
    ("uri-with-space", "mcp.resources.uri-rfc3986", "has no scheme"),
    ("bad-template", "mcp.resources.template-rfc6570", "never closed"),
    ("bad-audience", "mcp.resources.annotations-valid", "audience"),
    ("bad-priority", "mcp.resources.annotations-valid", "priority"),
    ("bad-last-modified", "mcp.resources.last-modified-iso8601", "not an ISO 8601"),
    ("subscribe-nonempty", "mcp.resources.subscribe", "non-empty result"),
    ("unsubscribe-fails", "mcp.resources.unsubscribe", "did not succeed"),
    ("forbidden-accepted", "mcp.tasks.forbidden-tool-error", "should get error -32601"),
    ("required-plain-ok", "mcp.tasks.required-tool-error", "should get error -32601"),
    ("result-not-task", "mcp.tasks.create-result", "instead of a CreateTaskResult"),
    ("created-completed", "mcp.tasks.initial-working", "not \"working\""),
    ("same-id", "mcp.tasks.id-unique", "not all distinct"),
    ("sequential-ids", "mcp.tasks.secure-ids", "guessable"),
    ("get-fails", "mcp.tasks.get", "failed"),
    ("bad-timestamp", "mcp.tasks.timestamps", "createdAt"),
    ("bad-ttl", "mcp.tasks.ttl-reported", "not an integer or null"),
    ("reopens", "mcp.tasks.status-transitions", "to 'working'"),
    ("result-error", "mcp.tasks.result-terminal", "instead of the tool's result"),
    ("result-early", "mcp.tasks.result-blocks", "still 'working'"),
    ("result-no-meta", "mcp.tasks.result-related-meta", "related-task"),
    ("get-with-meta", "mcp.tasks.no-related-meta-in-task-results", "tasks/get result carries"),
    ("meta-picks-task", "mcp.tasks.params-task-id-authoritative", "related-task metadata naming"),
    ("unknown-task-internal-error", "mcp.tasks.unknown-task-id", "should get error -32602"),
    ("failed-no-message", "mcp.tasks.failed-status-message", "no statusMessage"),
    ("is-error-completed", "mcp.tasks.is-error-fails", "not \"failed\""),
    ("status-with-meta", "mcp.tasks.status-notification-no-related-meta", "related-task"),
    ("progress-other-token", "mcp.tasks.progress-token-kept", "someone-else"),
    ("list-omits", "mcp.tasks.list", "does not include"),
    ("cursor-accepted", "mcp.tasks.list-invalid-cursor", "should get error -32602"),
    ("cancel-keeps-working", "mcp.tasks.cancel", "in status 'working'"),
    ("cancel-terminal-ok", "mcp.tasks.cancel-terminal-rejected", "should get error -32602"),
]


@pytest.mark.parametrize(("breakage", "requirement", "words"), BROKEN, ids=[b[0] for b in BROKEN])
def test_each_breakage_fails_its_requirement(monkeypatch, breakage, requirement, words):
    results = judged(FakeMcp(broken={breakage}).run(monkeypatch, {requirement}))
    outcome, message = results[requirement]
    assert outcome is FAIL, message
    assert words in message


@pytest.mark.parametrize(("broken", "expected"), [(set(), PASS), ({"updates-unsubscribed"}, FAIL)])
def test_updates_are_judged_over_the_traffic_of_the_whole_run(monkeypatch, broken, expected):
    observer = "mcp.resources.updated-only-if-subscribed"
    ids = {"mcp.resources.subscribe", "mcp.resources.unsubscribe", observer}
    outcome, message = judged(FakeMcp(broken=broken).run(monkeypatch, ids))[observer]
    assert outcome is expected, message
    if expected is FAIL:
        assert "fake://docs/other.txt" in message
    alone = judged(FakeMcp(broken=broken).run(monkeypatch, {observer}))[observer]
    assert alone[0] is SKIP  # nothing subscribed, nothing updated: nothing to judge


def test_a_server_creating_tasks_it_does_not_declare_fails_both_undeclared_rules(monkeypatch):
    ids = {"mcp.tasks.capability-declared", "mcp.tasks.ignored-when-undeclared"}
    results = judged(FakeMcp(tasks_declared=False, broken={"creates-undeclared"}).run(monkeypatch, ids))
    assert {rid: outcome for rid, (outcome, _) in results.items()} == {rid: FAIL for rid in ids}


def test_a_task_created_already_finished_cannot_show_promptness(monkeypatch):
    results = judged(FakeMcp(broken={"created-completed"}).run(monkeypatch, {"mcp.tasks.create-promptly"}))
    assert results["mcp.tasks.create-promptly"][0] is SKIP


def test_tasks_that_never_end_are_skipped_in_bounded_time(monkeypatch):
    ids = {"mcp.tasks.status-transitions", "mcp.tasks.result-terminal"}
    fast = Limits(read_timeout=0.3)
    results = judged(FakeMcp(steps=10_000).run(monkeypatch, ids, limits=fast))
    assert {rid: outcome for rid, (outcome, _) in results.items()} == {rid: SKIP for rid in ids}


# --- the pieces ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("uri", ["file:///a/b.txt", "accord://reference/readme.md", "urn:isbn:0451450523",
                                 "https://example.com/a%20b?q=1#frag", "mailto:someone@example.com"])
def test_valid_uris(uri):
    assert uri_problem(uri) is None


@pytest.mark.parametrize("uri", ["readme.md", "my file.txt", "file:///a b", "1http://x", "file:///%zz", "a:b#c#d",
                                 "file:///caf\u00e9", 12])
def test_invalid_uris(uri):
    assert uri_problem(uri) is not None


@pytest.mark.parametrize("template", ["file:///{path}", "fake://items/{id}{?lang,page}", "x:{+path}/{var:3}",
                                      "x:/{list*}{#frag}{.ext}{;p}{&more}", "plain:no-expressions", "x:{a.b_c%20}"])
def test_valid_templates(template):
    assert template_problem(template) is None


@pytest.mark.parametrize("template", ["x:{open", "x:close}", "x:{}", "x:{=reserved}", "x:{a:0}", "x:{a b}",
                                      "x:{a{b}}", "x:with space/{a}", "x:{a:10000}"])
def test_invalid_templates(template):
    assert template_problem(template) is not None


def test_iso8601():
    assert is_iso8601("2025-01-12T15:00:58Z") and is_iso8601("2025-01-12T15:00:58.123+02:00")
    assert is_iso8601("2025-01-12") and not is_iso8601("2025-01-12", need_time=True)
    assert not any(is_iso8601(v) for v in ("yesterday", "1736694058", "2025-13-01T00:00:00Z", None, 5))


def test_subscription_coverage():
    assert covers("file:///a", "file:///a") and covers("file:///dir", "file:///dir/x") and covers("file:///d/", "file:///d/x")
    assert not covers("file:///a", "file:///ab") and not covers("file:///a", "file:///b")


def test_task_id_guessability():
    assert id_bits("786512e2-9e0d-44bd-8f29-789f320fe840") >= 64
    assert id_bits("task-7") < 64 and id_bits("12345") < 64
    assert sequential("task-41", "task-42") and not sequential("a1b2", "c3d4")


# --- end to end against the reference server -----------------------------------------------------------

REFERENCE_STDIO = f"mcp+stdio:{sys.executable} -m accord_fixtures.mcp_reference --stdio"
REFERENCE_ASGI = "asgi:accord_fixtures.mcp_reference:app"


def reference_run(target: str, version: str = "2025-11-25") -> dict[str, tuple[Outcome, str]]:
    pytest.importorskip("accord_fixtures.mcp_reference")
    result = run(load_spec(SpecRef("mcp", version)), target, RunSettings(only=frozenset({RESOURCES, TASKS})))
    return judged({r.id: r for r in result.results})


@pytest.mark.parametrize("target", [REFERENCE_STDIO, REFERENCE_ASGI])
def test_the_reference_server_passes_resources_and_tasks_are_not_applicable(target):
    results = reference_run(target)
    resources = {rid: r for rid, r in results.items() if rid.startswith(RESOURCES)}
    observed_only = "mcp.resources.updated-only-if-subscribed"  # nothing in this run makes a resource change
    assert resources.pop(observed_only)[0] is SKIP
    assert all(outcome is PASS for outcome, _ in resources.values()), resources
    tasks = {rid: r for rid, r in results.items() if rid.startswith(TASKS)}
    # the reference declares no tasks: the rules for such servers are judged, the rest do not apply
    assert tasks.pop("mcp.tasks.capability-declared")[0] is PASS
    assert tasks.pop("mcp.tasks.ignored-when-undeclared")[0] is PASS
    assert all(outcome is NA and "does not declare" in message for outcome, message in tasks.values()), tasks


def test_the_reference_fault_unknown_resource_empty_is_caught_by_unknown_uri_only():
    results = reference_run(f"{REFERENCE_STDIO} --fault unknown-resource-empty")
    failed = {rid for rid, (outcome, _) in results.items() if outcome is FAIL}
    assert failed == {"mcp.resources.unknown-uri"}


def test_the_reference_server_passes_resources_on_2025_06_18():
    results = reference_run(REFERENCE_STDIO, "2025-06-18")
    assert {outcome for rid, (outcome, _) in results.items()
            if rid != "mcp.resources.updated-only-if-subscribed"} == {PASS}
