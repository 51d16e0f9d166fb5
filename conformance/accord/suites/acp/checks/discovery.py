"""Discovery: GET /ping, the agent listing and its paging, GET /agents/{name}, and the agent manifest.

Listing checks judge the server; manifest checks judge the agent under test (its manifest from
GET /agents/{name} and its entry in the listing). A breach that belongs to another requirement is
left to that requirement's check: a refusal with the right status but a malformed Error body is
judged by acp.errors.*, a listed name outside the AgentName pattern by acp.manifest.name-pattern.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from ....outcomes import Failure, NotApplicable, Skip, expect
from ....peer import Reply
from ....registry import check
from ..context import AcpContext, text_message

LIST_MAX = 1000
"""The largest limit GET /agents allows."""
LIST_DEFAULT = 10
"""The limit GET /agents applies when none is given."""
MAX_LISTING_PAGES = 20
MAX_AGENTS_FETCHED = 100
"""Listed agents whose manifest acp.agents.get-ok fetches one by one."""
SHOWN = 3
MISSING_AGENT = "accord-no-such-agent"
BAD_AGENT_NAMES = ("Upper-Case", "under_score", "-leading-hyphen", "trailing-hyphen-", "a" * 64)
BAD_PAGING: tuple[dict[str, Any], ...] = (
    {"limit": 0}, {"limit": LIST_MAX + 1}, {"offset": -1}, {"limit": "ten"}, {"offset": "1.5"},
)
MEDIA_RANGE = re.compile(r"[A-Za-z0-9!#$&^_.+*-]+/[A-Za-z0-9!#$&^_.+*-]+(\s*;.*)?")
NOT_JSON: Any = object()


# --- helpers shared by the checks of this area (and errors.py) --------------------------------------
def body_of(reply: Reply) -> Any:
    """The reply's body parsed as JSON whatever its content type (NOT_JSON if it does not parse)."""
    if reply.json is not None:
        return reply.json
    try:
        return json.loads(reply.body)
    except ValueError:
        return NOT_JSON


def shown(reply: Reply) -> str:
    return reply.describe()[:300]


def listing(ctx: AcpContext, params: dict[str, Any] | None = None) -> list[Any]:
    """The `agents` of GET /agents with ``params``; Failure if the reply is not a listing."""
    reply = ctx.peer.request("GET", "/agents", params=params)
    body = body_of(reply)
    agents = body.get("agents") if isinstance(body, dict) else None
    sent = "GET /agents" + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
    if reply.status != 200 or not isinstance(agents, list):
        raise Failure(f"{sent} should answer 200 with an object holding an `agents` array; got {shown(reply)}")
    return agents


def full_listing(ctx: AcpContext) -> list[Any]:
    """Every listed agent, in pages of the largest allowed limit (bounded)."""
    agents: list[Any] = []
    for page in range(MAX_LISTING_PAGES):
        batch = listing(ctx, {"limit": LIST_MAX, "offset": page * LIST_MAX})
        agents.extend(batch)
        if len(batch) < LIST_MAX:
            break
    return agents


def names_of(agents: list[Any]) -> list[Any]:
    return [a.get("name") if isinstance(a, dict) else None for a in agents]


def missing_agent_name(ctx: AcpContext) -> str:
    """A well-formed agent name the server does not list."""
    listed = set(names_of(full_listing(ctx)))
    return next(f"{MISSING_AGENT}-{n}" for n in range(len(listed) + 1) if f"{MISSING_AGENT}-{n}" not in listed)


def is_known_code(ctx: AcpContext, code: Any) -> bool:
    return isinstance(code, str) and not ctx.errors("ErrorCode", code)


def require_refusal(ctx: AcpContext, reply: Reply, codes: dict[int, str], sent: str) -> None:
    """``reply`` has one of the statuses in ``codes``; an Error code from the enum must be the one paired
    with that status (a malformed body or a code outside the enum is left to acp.errors.*)."""
    wanted = " or ".join(f"{status} ({code})" for status, code in sorted(codes.items()))
    if reply.status not in codes:
        raise Failure(f"{sent} should be refused with HTTP {wanted}; got {shown(reply)}")
    body = body_of(reply)
    code = body.get("code") if isinstance(body, dict) else None
    if is_known_code(ctx, code) and code != codes[reply.status]:
        raise Failure(
            f"{sent} was answered HTTP {reply.status} with error code {code!r}; the code for this refusal is "
            f"{codes[reply.status]!r}"
        )


def media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def media_matches(declared: str, actual: str) -> bool:
    """Whether the media range ``declared`` (*/*, text/*, text/plain) covers the type ``actual``."""
    range_type, _, range_sub = media_type(declared).partition("/")
    actual_type, _, actual_sub = media_type(actual).partition("/")
    if range_type == "*":
        return True
    return range_type == actual_type and range_sub in ("*", actual_sub)


def fail_listing(problems: list[str], what: str) -> None:
    problems = list(dict.fromkeys(problems))
    if problems:
        more = f" (and {len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
        raise Failure(f"{what}: " + "; ".join(problems[:SHOWN]) + more)


# --- ping ------------------------------------------------------------------------------------------------
@check("acp.ping.ok", protocol="acp")
def ping_answers_empty_object(ctx: AcpContext) -> None:
    reply = ctx.peer.request("GET", "/ping")
    ctx.require_status(reply, 200, "GET /ping")
    body = body_of(reply)
    expect(
        isinstance(body, dict) and not body,
        f"GET /ping answered HTTP 200 with {reply.body[:200]!r}; the ping response is an object with no "
        "declared members, so the body should be {}",
    )


# --- the listing -----------------------------------------------------------------------------------------
@check("acp.agents.list-ok", protocol="acp")
def agent_listing_is_array_of_objects(ctx: AcpContext) -> None:
    agents = listing(ctx)
    odd = [f"item {i} is {json.dumps(a)[:80]}" for i, a in enumerate(agents) if not isinstance(a, dict)]
    fail_listing(odd, "GET /agents lists items that are not agent manifest objects")


@check("acp.agents.list-limit", protocol="acp")
def agent_listing_honours_limit(ctx: AcpContext) -> None:
    total = len(full_listing(ctx))
    for limit in sorted({1, min(total - 1, LIST_MAX)} - {0}):
        page = listing(ctx, {"limit": limit})
        expect(
            len(page) <= limit,
            f"GET /agents?limit={limit} returned {len(page)} agents (the server lists {total}); "
            f"limit is the most agents a page may hold",
        )
    if total < 2:
        raise NotApplicable(
            f"the server lists {total} agent(s), so no limit smaller than the listing can be tried "
            "(GET /agents?limit=1 returned at most 1)"
        )


@check("acp.agents.list-default-limit", protocol="acp")
def agent_listing_default_limit(ctx: AcpContext) -> None:
    page = listing(ctx)
    expect(
        len(page) <= LIST_DEFAULT,
        f"GET /agents without a limit returned {len(page)} agents; the default limit is {LIST_DEFAULT}",
    )
    total = len(full_listing(ctx))
    if total <= LIST_DEFAULT:
        raise NotApplicable(
            f"the server lists {total} agent(s), no more than the default limit of {LIST_DEFAULT}, "
            "so the default cannot be told from no limit"
        )


@check("acp.agents.list-offset", protocol="acp")
def agent_listing_honours_offset(ctx: AcpContext) -> None:
    full = names_of(full_listing(ctx))
    total = len(full)
    for offset in sorted({1, total // 2, total, total + 1} - {0}):
        page = names_of(listing(ctx, {"offset": offset, "limit": LIST_MAX}))
        expected = full[offset: offset + LIST_MAX]
        expect(
            page == expected,
            f"GET /agents?offset={offset}&limit={LIST_MAX} listed {page[:10]}; the full listing without its "
            f"first {offset} agent(s) is {expected[:10]}",
        )


@check("acp.agents.list-bounds-rejected", protocol="acp")
def agent_listing_rejects_bad_paging(ctx: AcpContext) -> None:
    for params in BAD_PAGING:
        (name, value), = params.items()
        sent = f"GET /agents?{name}={value}"
        reply = ctx.peer.request("GET", "/agents", params=params)
        if reply.status == 200:
            raise Failure(f"{sent} was answered with a 200 listing; {name} out of its range or not an integer "
                          "must be refused with 422 invalid_input")
        require_refusal(ctx, reply, {422: "invalid_input", 400: "invalid_input"}, sent)


@check("acp.agents.names-unique", protocol="acp")
def agent_names_unique(ctx: AcpContext) -> None:
    counts = Counter(n for n in names_of(full_listing(ctx)) if isinstance(n, str))
    twice = [f"{name!r} x{count}" for name, count in counts.items() if count > 1]
    fail_listing(twice, "GET /agents lists agent names more than once (a name identifies one agent)")


# --- GET /agents/{name} ----------------------------------------------------------------------------------
@check("acp.agents.get-ok", protocol="acp")
def listed_agents_can_be_fetched(ctx: AcpContext) -> None:
    listed = [n for n in dict.fromkeys(names_of(full_listing(ctx))) if isinstance(n, str)]
    fetchable = [n for n in listed if not ctx.errors("AgentName", n)][:MAX_AGENTS_FETCHED]
    if not fetchable:
        raise NotApplicable(f"no listed agent has a name that is a valid AgentName: {listed[:5]}")
    problems = []
    for name in fetchable:
        reply = ctx.peer.request("GET", f"/agents/{name}")
        body = body_of(reply)
        if reply.status != 200 or not isinstance(body, dict):
            problems.append(f"GET /agents/{name} -> {shown(reply)}")
        elif body.get("name") != name:
            problems.append(f"GET /agents/{name} -> a manifest named {body.get('name')!r}")
    fail_listing(problems, "every listed agent's manifest should be served by GET /agents/{name}, with that name")


@check("acp.agents.unknown-not-found", protocol="acp")
def unknown_agent_not_found(ctx: AcpContext) -> None:
    name = missing_agent_name(ctx)
    reply = ctx.peer.request("GET", f"/agents/{name}")
    require_refusal(ctx, reply, {404: "not_found"}, f"GET /agents/{name} (a name the server does not list)")


@check("acp.agents.bad-name-rejected", protocol="acp")
def malformed_agent_name_rejected(ctx: AcpContext) -> None:
    for name in BAD_AGENT_NAMES:
        sent = f"GET /agents/{name} (not a valid AgentName)"
        reply = ctx.peer.request("GET", f"/agents/{name}")
        if reply.status == 200:
            raise Failure(f"{sent} was answered with HTTP 200 {shown(reply)}; no agent can have that name")
        require_refusal(ctx, reply, {404: "not_found", 400: "invalid_input", 422: "invalid_input"}, sent)


# --- the manifest of the agent under test ----------------------------------------------------------------
def agent_manifests(ctx: AcpContext) -> list[tuple[str, dict[str, Any]]]:
    """The agent's manifest from GET /agents/{name} and its entry in the listing, labelled by source."""
    reply = ctx.peer.request("GET", f"/agents/{ctx.agent}")
    body = body_of(reply)
    if reply.status != 200 or not isinstance(body, dict):
        raise Skip(f"the agent's manifest could not be read: GET /agents/{ctx.agent} gave {shown(reply)}")
    found = [(f"GET /agents/{ctx.agent}", body)]
    entries = [a for a in full_listing(ctx) if isinstance(a, dict) and a.get("name") == ctx.agent]
    found.extend(("its entry in GET /agents", entry) for entry in entries[:1])
    return found


ManifestJudge = Callable[[dict[str, Any]], Iterable[str]]


def judge_manifests(ctx: AcpContext, judge: ManifestJudge, what: str) -> None:
    """Run ``judge(manifest) -> list of problems`` on each of the agent's manifests; fail on any."""
    problems = [f"{where}: {p}" for where, manifest in agent_manifests(ctx) for p in judge(manifest)]
    fail_listing(problems, what)


@check("acp.manifest.name-pattern", protocol="acp")
def manifest_name_is_dns_label(ctx: AcpContext) -> None:
    def judge(manifest: dict[str, Any]) -> list[str]:
        if "name" not in manifest:
            return []  # acp.manifest.required-fields
        name = manifest["name"]
        return [f"name {name!r}: {e}" for e in ctx.errors("AgentName", name)[:1]]

    judge_manifests(ctx, judge, "the manifest name should be 1-63 characters matching ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@check("acp.manifest.required-fields", protocol="acp")
def manifest_has_required_fields(ctx: AcpContext) -> None:
    required = ctx.schema.definitions.get("AgentManifest", {}).get("required", [])

    def judge(manifest: dict[str, Any]) -> list[str]:
        problems = [f"no {field}" for field in required if field not in manifest]
        if "description" in manifest and not isinstance(manifest["description"], str):
            problems.append(f"description is {json.dumps(manifest['description'])}, not a string")
        return problems

    judge_manifests(ctx, judge, f"a manifest must have {', '.join(required)} (description a string)")


@check("acp.manifest.content-types", protocol="acp")
def manifest_content_types_are_media_ranges(ctx: AcpContext) -> None:
    def judge(manifest: dict[str, Any]) -> list[str]:
        problems = []
        for field in ("input_content_types", "output_content_types"):
            if field not in manifest:
                continue  # acp.manifest.required-fields
            value = manifest[field]
            if not isinstance(value, list) or not value:
                problems.append(f"{field} is {json.dumps(value)[:80]}, not a non-empty array")
                continue
            odd = [v for v in value if not (isinstance(v, str) and MEDIA_RANGE.fullmatch(v.strip()))]
            if odd:
                problems.append(f"{field} holds {json.dumps(odd)[:80]}, not MIME types")
        return problems

    judge_manifests(ctx, judge, "input_content_types and output_content_types must be non-empty arrays of MIME types")


def format_problems(metadata: dict[str, Any]) -> Iterator[str]:
    """URIs and date-times in metadata that do not parse (`format` is not enforced by the schema)."""
    people = [metadata.get("author"), *as_list(metadata.get("contributors"))]
    uris = [(f"links[{i}].url", link.get("url")) for i, link in enumerate(as_list(metadata.get("links")))
            if isinstance(link, dict)]
    uris += [("author/contributors url", p.get("url")) for p in people if isinstance(p, dict)]
    for where, value in uris:
        if isinstance(value, str) and not is_absolute_uri(value):
            yield f"{where} {value!r} is not an absolute URI"
    for field in ("created_at", "updated_at"):
        value = metadata.get(field)
        if isinstance(value, str) and not is_date_time(value):
            yield f"{field} {value!r} is not an RFC 3339 date-time"


def is_absolute_uri(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return bool(parts.scheme and (parts.netloc or parts.path))


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def is_date_time(value: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)", value):
        return False
    try:
        datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def judge_optional_member(ctx: AcpContext, member: str, definition: str, extra: ManifestJudge, what: str) -> None:
    manifests = agent_manifests(ctx)
    present = [(where, m[member]) for where, m in manifests if member in m]
    if not present:
        raise NotApplicable(f"the agent's manifest has no {member}")
    problems = [f"{where}: {p}" for where, value in present for p in ctx.errors(definition, value)[:2]]
    problems += [f"{where}: {p}" for where, value in present if isinstance(value, dict) for p in extra(value)]
    fail_listing(problems, what)


@check("acp.manifest.metadata-valid", protocol="acp")
def manifest_metadata_valid(ctx: AcpContext) -> None:
    judge_optional_member(ctx, "metadata", "Metadata", format_problems, "the manifest's metadata is not valid Metadata")


@check("acp.manifest.status-bounds", protocol="acp")
def manifest_status_within_bounds(ctx: AcpContext) -> None:
    judge_optional_member(
        ctx, "status", "Status", lambda _: [],
        "the manifest's status must have non-negative averages and a success_rate from 0 to 100",
    )


@check("acp.manifest.output-types-honoured", protocol="acp")
def output_parts_match_declared_types(ctx: AcpContext) -> None:
    manifest = ctx.manifest
    declared = manifest.get("output_content_types")
    if not isinstance(declared, list) or not all(isinstance(d, str) for d in declared) or not declared:
        raise NotApplicable("the manifest declares no usable output_content_types (see acp.manifest.content-types)")
    accepted = manifest.get("input_content_types")
    if isinstance(accepted, list) and not any(isinstance(a, str) and media_matches(a, "text/plain") for a in accepted):
        raise NotApplicable(f"the agent accepts only {accepted}, and accord's probe input is text/plain")
    trace = ctx.run_to_end("sync", [text_message()])
    output = (trace.run or {}).get("output")
    parts = [
        part for message in (output if isinstance(output, list) else []) if isinstance(message, dict)
        for part in (message.get("parts") if isinstance(message.get("parts"), list) else []) if isinstance(part, dict)
    ]
    typed = [p["content_type"] for p in parts if isinstance(p.get("content_type"), str)]
    if not typed:
        raise NotApplicable(
            f"the probe run ended {trace.status or 'without a status'} with no output part carrying a content_type"
        )
    stray = sorted({t for t in typed if not any(media_matches(d, t) for d in declared)})
    expect(
        not stray,
        f"a sync run with a text/plain input produced parts of type {stray}, which the manifest's "
        f"output_content_types {declared} do not cover",
    )
