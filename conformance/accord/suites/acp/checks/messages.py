"""Messages, message parts and part metadata (spec/openapi.yaml Message, MessagePart, CitationMetadata,
TrajectoryMetadata; core-concepts/message-structure, message-metadata).

Each check judges every message the agent sent in one run of each mode: the final Run's output (sync
reply, async run polled to its end, the stream's closing event), the message of an await_request, and the
streamed message.created / message.part / message.completed events. A check about one kind of part
(base64, content_url, metadata of a kind) is not applicable when no part of that kind was sent.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ....outcomes import Failure, NotApplicable
from ....registry import check
from ..context import AcpContext, RunTrace, event_type
from .runs import canonical, exercise, parse_date_time, probe_input, runs_seen, shorten, stream_values
from .stream import Frame, frames

ROLE = re.compile(r"(user|agent(/[a-zA-Z0-9_-]+)?)")
AGENT_ROLE = re.compile(r"agent(/.+)?")
URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
URI_TEXT = re.compile(r"([A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
METADATA_KINDS = {"citation": "CitationMetadata", "trajectory": "TrajectoryMetadata"}
ORDER_PROBE = ("accord part 1 of 3", "accord part 2 of 3", "accord part 3 of 3")


@dataclass(frozen=True)
class Seen:
    where: str
    value: Any
    source: str
    """output, await_request, message.created, message.completed (messages); in-message, message.part (parts)."""


@dataclass
class Observed:
    traces: dict[str, RunTrace]
    runs: list[Seen]
    messages: list[Seen]
    parts: list[Seen]


def await_message(run: dict[str, Any]) -> Any:
    request = run.get("await_request")
    return request.get("message") if isinstance(request, dict) else None


def messages_of(trace: RunTrace) -> Iterator[Seen]:
    label = f"{trace.mode} run {trace.run_id or '(no run_id)'}"
    final = trace.run or {}
    output = final.get("output")
    for index, message in enumerate(output if isinstance(output, list) else []):
        yield Seen(f"{label}, Run.output[{index}]", message, "output")
    if isinstance(await_message(final), dict):
        yield Seen(f"{label}, await_request.message", await_message(final), "await_request")
    for index, event in enumerate(trace.events):
        kind = event_type(event)
        if kind in ("message.created", "message.completed") and isinstance(event.value, dict):
            yield Seen(f"{label}, stream event {index} ({kind})", event.value.get("message"), kind)


def parts_of(messages: list[Seen], trace_events: dict[str, RunTrace]) -> Iterator[Seen]:
    for message in messages:
        parts = message.value.get("parts") if isinstance(message.value, dict) else None
        for index, part in enumerate(parts if isinstance(parts, list) else []):
            yield Seen(f"{message.where}.parts[{index}]", part, "in-message")
    for trace in trace_events.values():
        for index, event in enumerate(trace.events):
            if event_type(event) == "message.part" and isinstance(event.value, dict):
                yield Seen(f"{trace.mode} run {trace.run_id}, stream event {index} (message.part)",
                           event.value.get("part"), "message.part")


def observe(ctx: AcpContext, messages: list[dict[str, Any]] | None = None) -> Observed:
    traces = exercise(ctx, messages)
    runs = [Seen(where, run, "run") for trace in traces.values() for where, run in runs_seen(trace)]
    sent = [seen for trace in traces.values() for seen in messages_of(trace)]
    return Observed(traces, runs, sent, list(parts_of(sent, traces)))


def statuses(observed: Observed) -> str:
    return ", ".join(f"{mode} {trace.status or 'unknown'}" for mode, trace in observed.traces.items())


def require_messages(observed: Observed) -> list[Seen]:
    if not observed.messages:
        raise NotApplicable(f"the agent sent no message in a run of any mode (runs ended: {statuses(observed)})")
    return observed.messages


def require_parts(observed: Observed, kind: str, keep: Callable[[Any], bool]) -> list[Seen]:
    """The parts ``keep`` selects; NotApplicable, naming ``kind``, when there are none."""
    chosen = [part for part in observed.parts if isinstance(part.value, dict) and keep(part.value)]
    if not chosen:
        raise NotApplicable(f"no message part the agent sent {kind} ({len(observed.parts)} part(s) seen in runs "
                            f"of every mode; runs ended: {statuses(observed)})")
    return chosen


def present(part: dict[str, Any], member: str) -> bool:
    return part.get(member) is not None


# --- messages --------------------------------------------------------------------------------------
@check("acp.messages.role-pattern", protocol="acp")
def message_roles_match_pattern(ctx: AcpContext) -> None:
    for message in require_messages(observe(ctx)):
        role = message.value.get("role") if isinstance(message.value, dict) else None
        if not isinstance(role, str) or ROLE.fullmatch(role) is None:
            raise Failure(f"{message.where} has role {role!r}; a role is user, agent or agent/<name> "
                          "(pattern ^(user|agent(/[a-zA-Z0-9_-]+)?)$)")


@check("acp.messages.output-role-agent", protocol="acp")
def agent_messages_name_the_agent(ctx: AcpContext) -> None:
    for message in require_messages(observe(ctx)):
        role = message.value.get("role") if isinstance(message.value, dict) else None
        if not isinstance(role, str) or AGENT_ROLE.fullmatch(role) is None:
            raise Failure(f"{message.where} has role {role!r}; a message the agent produces names the agent as "
                          f"its sender: agent or agent/{ctx.agent}, never user")


@check("acp.messages.parts-nonempty", protocol="acp")
def messages_have_parts(ctx: AcpContext) -> None:
    for message in require_messages(observe(ctx)):
        if message.source == "message.created":
            continue
        parts = message.value.get("parts") if isinstance(message.value, dict) else None
        if not isinstance(parts, list) or not parts:
            raise Failure(f"{message.where} has parts {shorten(parts, 80)}; a message holds at least one part")


def order_problem(stream: list[Any], final_output: Any) -> str | None:
    """Where a run's streamed parts, its completed messages and its final output disagree on part order."""
    framed = [frame for frame in frames(stream) if frame.completed is not None]
    for frame in framed:
        completed = frame.completed.get("parts") if isinstance(frame.completed, dict) else None
        if frame.parts and canonical(frame.parts) != canonical(completed):
            return (f"the message opened at event {frame.opened} streamed the parts {shorten(frame.parts, 200)} "
                    f"but its message.completed (event {frame.closed}) holds {shorten(completed, 200)}")
    if isinstance(final_output, list) and len(final_output) == len(framed):
        for index, (frame, message) in enumerate(zip(framed, final_output)):
            parts = message.get("parts") if isinstance(message, dict) else None
            completed = frame.completed.get("parts") if isinstance(frame.completed, dict) else None
            if canonical(parts) != canonical(completed):
                return (f"Run.output[{index}] lists the parts {shorten(parts, 200)} but its message.completed "
                        f"(event {frame.closed}) holds {shorten(completed, 200)}")
    return None


def has_part_order(messages: list[Any], frame_list: list[Frame]) -> bool:
    multi = [m for m in messages if isinstance(m, dict) and isinstance(m.get("parts"), list) and len(m["parts"]) > 1]
    return bool(multi) or any(len(frame.parts) > 1 for frame in frame_list)


@check("acp.messages.part-order", protocol="acp")
def parts_keep_their_order(ctx: AcpContext) -> None:
    observed = observe(ctx, probe_input(ctx, ORDER_PROBE))
    judged = False
    for mode, trace in observed.traces.items():
        if trace.run_id is None:
            continue
        if mode == "stream":
            events, source = stream_values(trace.events), "its stream"
        else:
            listed = ctx.run_events(trace.run_id)
            found = listed.json.get("events") if isinstance(listed.json, dict) else None
            events, source = (found if isinstance(found, list) else []), "GET /runs/{run_id}/events"
        output = (trace.run or {}).get("output")
        framed = frames(events)
        judged = judged or has_part_order(output if isinstance(output, list) else [], framed)
        problem = order_problem(events, output)
        if problem:
            raise Failure(f"{mode} run {trace.run_id}, events from {source}: {problem}; parts keep the order "
                          "they were streamed in, in message.completed and in Run.output")
    if not judged:
        raise NotApplicable("no message the agent sent had more than one part (input: one message of three text "
                            f"parts; runs ended: {statuses(observed)}), so part order could not be seen")


TIMESTAMPS = {"run": ("created_at", "finished_at"), "message": ("created_at", "completed_at")}


@check("acp.messages.timestamps", protocol="acp")
def timestamps_are_rfc3339(ctx: AcpContext) -> None:
    observed = observe(ctx)
    for seen, kind in [(run, "run") for run in observed.runs] + [(m, "message") for m in observed.messages]:
        if not isinstance(seen.value, dict):
            continue
        for member in TIMESTAMPS[kind]:
            value = seen.value.get(member)
            if value is not None and parse_date_time(value) is None:
                raise Failure(f"{seen.where} has {member} {value!r}; it is an RFC 3339 date-time "
                              "(e.g. 2025-01-31T12:00:00Z)")
    if not observed.runs:
        raise Failure("no Run came back in any mode, so no timestamp could be judged (see acp.runs.run-schema)")


# --- message parts ---------------------------------------------------------------------------------
def observe_parts(ctx: AcpContext) -> list[Seen]:
    observed = observe(ctx)
    if not observed.parts:
        raise NotApplicable(f"the agent sent no message part in a run of any mode (runs ended: {statuses(observed)})")
    return observed.parts


@check("acp.parts.content-type-present", protocol="acp")
def parts_have_content_type(ctx: AcpContext) -> None:
    for part in observe_parts(ctx):
        value = part.value.get("content_type") if isinstance(part.value, dict) else None
        if not isinstance(value, str):
            has = f"content_type {shorten(value, 80)}" if isinstance(part.value, dict) and "content_type" in part.value \
                else "no content_type"
            raise Failure(f"{part.where} has {has}; every part names its content_type as a string: "
                          f"{shorten(part.value, 200)}")


@check("acp.parts.content-xor-url", protocol="acp")
def parts_not_content_and_url(ctx: AcpContext) -> None:
    for part in observe_parts(ctx):
        if isinstance(part.value, dict) and present(part.value, "content") and present(part.value, "content_url"):
            raise Failure(f"{part.where} carries both content and content_url: {shorten(part.value, 200)}; a part "
                          "carries its content inline or by URL, not both")


@check("acp.parts.encoding-enum", protocol="acp")
def part_encoding_known(ctx: AcpContext) -> None:
    for part in require_parts(observe(ctx), "had a content_encoding", lambda p: present(p, "content_encoding")):
        if part.value["content_encoding"] not in ("plain", "base64"):
            raise Failure(f"{part.where} has content_encoding {part.value['content_encoding']!r}; it is plain or base64")


def decodes_as_base64(content: Any) -> bool:
    if not isinstance(content, str):
        return False
    try:
        base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


@check("acp.parts.base64-decodes", protocol="acp")
def base64_parts_decode(ctx: AcpContext) -> None:
    encoded = require_parts(observe(ctx), "had base64-encoded content",
                            lambda p: p.get("content_encoding") == "base64" and present(p, "content"))
    for part in encoded:
        if not decodes_as_base64(part.value["content"]):
            raise Failure(f"{part.where} says content_encoding base64 but its content does not decode as base64: "
                          f"{shorten(part.value['content'], 120)}")


def absolute_uri(value: Any) -> bool:
    return (isinstance(value, str) and URI_SCHEME.match(value) is not None
            and URI_TEXT.fullmatch(value) is not None)


@check("acp.parts.content-url-uri", protocol="acp")
def content_urls_are_absolute(ctx: AcpContext) -> None:
    for part in require_parts(observe(ctx), "had a content_url", lambda p: present(p, "content_url")):
        if not absolute_uri(part.value["content_url"]):
            raise Failure(f"{part.where} has content_url {shorten(part.value['content_url'], 120)}; it is an "
                          "absolute URI (scheme:...)")


# --- part metadata ---------------------------------------------------------------------------------
@check("acp.metadata.kind-known", protocol="acp")
def metadata_kind_known(ctx: AcpContext) -> None:
    for part in require_parts(observe(ctx), "carried metadata", lambda p: present(p, "metadata")):
        metadata = part.value["metadata"]
        kind = metadata.get("kind") if isinstance(metadata, dict) else None
        if kind not in METADATA_KINDS:
            raise Failure(f"{part.where} has metadata {shorten(metadata, 200)}; part metadata is an object whose "
                          "kind is citation or trajectory")


def judge_metadata(ctx: AcpContext, kind: str) -> None:
    definition = METADATA_KINDS[kind]
    chosen = require_parts(
        observe(ctx), f"carried {kind} metadata",
        lambda p: isinstance(p.get("metadata"), dict) and p["metadata"].get("kind") == kind,
    )
    for part in chosen:
        ctx.require_valid(definition, part.value["metadata"], f"the metadata of {part.where}")


@check("acp.metadata.citation-valid", protocol="acp")
def citation_metadata_valid(ctx: AcpContext) -> None:
    judge_metadata(ctx, "citation")


@check("acp.metadata.trajectory-valid", protocol="acp")
def trajectory_metadata_valid(ctx: AcpContext) -> None:
    judge_metadata(ctx, "trajectory")
