"""Message, part and metadata checks (acp.messages., acp.parts., acp.metadata.) against the reference
server, its broken variants, and scripted agents (see test_stream.py) that each send one odd message."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from accord.outcomes import Outcome
from accord.suites.acp.checks.messages import absolute_uri, decodes_as_base64
from accord_fixtures.acp_reference import FAULTS

from .judging import explain, judge
from .test_stream import HELLO, agent_message, message_events, run_event, script, scripted_app, target_of, text_part

AREA = ["acp.messages.", "acp.parts.", "acp.metadata."]
KINDS = {  # requirements not applicable unless a part of that kind is sent
    "acp.parts.encoding-enum", "acp.parts.base64-decodes", "acp.parts.content-url-uri", "acp.metadata.kind-known",
    "acp.metadata.citation-valid", "acp.metadata.trajectory-valid",
}
CITATION = {"kind": "citation", "start_index": 0, "end_index": 5, "url": "https://example.com/a", "title": None}
TRAJECTORY = {"kind": "trajectory", "tool_name": "search", "tool_input": {"q": "x"}, "tool_output": None}
RICH = agent_message(
    text_part("plain", content_encoding="plain", metadata=CITATION),
    {"content_type": "image/png", "content": base64.b64encode(b"\x89PNG").decode(), "content_encoding": "base64"},
    {"content_type": "application/pdf", "content_url": "https://example.com/doc.pdf"},
    {"content_type": "text/plain", "metadata": TRAJECTORY},
)


def one_part(**part: Any) -> list[dict[str, Any]]:
    return script(agent_message({"content_type": "text/plain", "content": "x", **part}))


def reordered_stream() -> list[dict[str, Any]]:
    """The parts stream as hello, world; message.completed and Run.output list world, hello."""
    swapped = agent_message(*HELLO["parts"][::-1])
    events = script(swapped)
    events[3:5] = [{"type": "message.part", "part": part} for part in HELLO["parts"]]
    return events


def reordered_output() -> list[dict[str, Any]]:
    """Streamed and completed agree; Run.output lists the parts the other way round."""
    return [*script(HELLO)[:-1], run_event("completed", output=[agent_message(*HELLO["parts"][::-1])])]


def empty_message() -> list[dict[str, Any]]:
    empty = agent_message()
    return [run_event("created"), run_event("in-progress"), *message_events(empty),
            run_event("completed", output=[empty])]


ODD: dict[str, tuple[list[dict[str, Any]], str | None]] = {
    "role-user": (script(agent_message(text_part("hi"), role="user")), "acp.messages.output-role-agent"),
    "role-spaced": (script(agent_message(text_part("hi"), role="agent/has space")), "acp.messages.role-pattern"),
    "empty-message": (empty_message(), "acp.messages.parts-nonempty"),
    "reordered-stream": (reordered_stream(), "acp.messages.part-order"),
    "reordered-output": (reordered_output(), "acp.messages.part-order"),
    "bad-timestamp": (script({**HELLO, "created_at": "yesterday"}), "acp.messages.timestamps"),
    "no-content-type": (script(agent_message({"content": "x"})), "acp.parts.content-type-present"),
    # a part with neither content nor content_url is valid (ERRATA E11): only judged by the checks above
    "empty-part": (script(agent_message({"content_type": "text/plain"})), None),
    "gzip": (one_part(content_encoding="gzip"), "acp.parts.encoding-enum"),
    "bad-base64": (one_part(content_encoding="base64", content="not base64!"), "acp.parts.base64-decodes"),
    "relative-url": (script(agent_message({"content_type": "text/plain", "content_url": "/files/a.txt"})),
                     "acp.parts.content-url-uri"),
    "footnote": (one_part(metadata={"kind": "footnote"}), "acp.metadata.kind-known"),
    "bad-citation": (one_part(metadata={"kind": "citation", "start_index": "zero"}), "acp.metadata.citation-valid"),
    "bad-trajectory": (one_part(metadata={"kind": "trajectory", "tool_input": "text"}),
                       "acp.metadata.trajectory-valid"),
}
odd_messages = scripted_app({"good": script(HELLO), "rich": script(RICH), **{k: v[0] for k, v in ODD.items()}})


def scripted(agent: str) -> str:
    return target_of(__name__, "odd_messages", agent)


def test_base64_and_uri_helpers() -> None:
    assert decodes_as_base64("aGk=") and not decodes_as_base64("aGk") and not decodes_as_base64("a b=")
    assert absolute_uri("https://example.com/a?b=1#c") and absolute_uri("urn:isbn:0451450523")
    for bad in ("/files/a.txt", "example.com", "https://exa mple.com", "1http://x", "http://x/%zz"):
        assert not absolute_uri(bad), bad


@pytest.mark.parametrize(("agent", "not_applicable"), [
    ("echo", KINDS),
    ("awaiter", KINDS | {"acp.messages.part-order"}),  # it awaits, so only its await_request message is seen
    ("failer", None),  # sends no message at all: all but timestamps not applicable
])
def test_reference_agents(agent: str, not_applicable: set[str] | None) -> None:
    results = judge(AREA, agent=agent)
    assert len(results) == 13, explain(results)
    for rid, result in results.items():
        if not_applicable is None:
            expected = Outcome.PASS if rid == "acp.messages.timestamps" else Outcome.NOT_APPLICABLE
        else:
            expected = Outcome.NOT_APPLICABLE if rid in not_applicable else Outcome.PASS
        assert result.outcome is expected, explain(results)


@pytest.mark.parametrize("fault", sorted(f for f, rid in FAULTS.items() if rid.startswith(tuple(AREA))))
def test_each_fault_fails_its_requirement(fault: str) -> None:
    results = judge(FAULTS[fault], fault=fault)
    assert results[FAULTS[fault]].outcome is Outcome.FAIL, explain(results)


def test_part_kinds_are_judged_when_sent() -> None:
    results = judge(AREA, target=scripted("rich"))
    assert all(r.outcome is Outcome.PASS for r in results.values()), explain(results)


@pytest.mark.parametrize("agent", sorted(ODD))
def test_odd_message_fails_only_its_requirement(agent: str) -> None:
    broken = ODD[agent][1]
    results = judge(AREA, target=scripted(agent))
    assert broken is None or results[broken].outcome is Outcome.FAIL, explain(results)
    assert not [r for rid, r in results.items() if rid != broken and r.outcome is Outcome.FAIL], explain(results)
