"""Resources (server/resources): listing, reading, templates, errors, subscriptions, URIs, annotations.

Every check lists (and reads) for itself, so its evidence shows what it judged; reads are capped
at MAX_READS per check. Subscriptions change session state, so they run on a fresh session.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ....outcomes import Failure, Skip
from ....peer import Reply
from ....registry import check
from .. import declares, offered_only_if_declared
from ..context import McpContext
from ..session import McpSession, no_response
from .jsonrpc import kind_of, traffic
from .pagination import Walk, pages_valid, walk
from .tools import is_base64

MAX_READS = 10
RESOURCE_NOT_FOUND = -32002
MALFORMED_URIS: tuple[Any, ...] = ("%%accord not a uri%%", 12345)
"""What mcp.resources.validate-uri sends as a uri: a string that is no URI at all, and a number."""

# --- RFC 3986 and RFC 6570, pragmatically -------------------------------------

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_URI_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
_LITERAL = re.compile(r"(?:[^\x00-\x20\"'%<>\\^`{|}\x7f]|%[0-9A-Fa-f]{2})*")
_VARSPEC = re.compile(r"(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*(?::[1-9][0-9]{0,3}|\*)?")
_OPERATORS = "+#./;?&"
_RESERVED_OPERATORS = "=,!@|"


def uri_problem(uri: Any) -> str | None:
    """Why ``uri`` is not an absolute URI per RFC 3986 (scheme, then only URI characters and
    well-formed percent-encodings, at most one '#'); None when it is one."""
    if not isinstance(uri, str):
        return f"{uri!r} is not a string"
    scheme, colon, rest = uri.partition(":")
    if not colon or not _SCHEME.fullmatch(scheme):
        return f"{uri!r} has no scheme (an absolute URI starts with letters followed by ':')"
    if not _URI_CHARS.fullmatch(rest):
        bad = next((c for c in rest if not _URI_CHARS.fullmatch(c)), "%")
        return f"{uri!r} holds {bad!r}, which a URI may not contain unencoded (or a broken %-encoding)"
    if rest.count("#") > 1:
        return f"{uri!r} has more than one '#'"
    return None


def template_problem(template: Any) -> str | None:
    """Why ``template`` is not a valid RFC 6570 URI template (literals and expressions); None when it is one."""
    if not isinstance(template, str):
        return f"{template!r} is not a string"
    position = 0
    while position < len(template):
        opening = template.find("{", position)
        literal = template[position:] if opening < 0 else template[position:opening]
        if not _LITERAL.fullmatch(literal):
            if "}" in literal:
                return f"{template!r} has a '}}' without a matching '{{'"
            bad = next((c for c in literal if not _LITERAL.fullmatch(c)), "%")
            return f"{template!r} holds {bad!r} outside an expression, which a template may not contain"
        if opening < 0:
            return None
        closing = template.find("}", opening)
        if closing < 0:
            return f"{template!r} has a '{{' that is never closed"
        expression = template[opening + 1:closing]
        if "{" in expression:
            return f"{template!r} has a '{{' inside an expression"
        if expression[:1] in _RESERVED_OPERATORS and expression:
            return f"{template!r} uses the reserved operator {expression[0]!r} in {{{expression}}}"
        body = expression[1:] if expression[:1] in _OPERATORS and expression else expression
        specs = body.split(",")
        if not body or not all(_VARSPEC.fullmatch(spec) for spec in specs):
            return f"{template!r} has the malformed expression {{{expression}}}"
        position = closing + 1
    return None


def template_pattern(template: str) -> re.Pattern[str]:
    """A regular expression loosely matching what ``template`` expands to (every expression: anything)."""
    parts = re.split(r"\{[^{}]*\}", template)
    return re.compile(".*".join(re.escape(part) for part in parts), re.DOTALL)


def is_iso8601(value: Any, *, need_time: bool = False) -> bool:
    """Whether ``value`` is an ISO 8601 date or date-time string (a date-time when ``need_time``)."""
    if not isinstance(value, str) or not re.match(r"\d{4}-?\d{2}-?\d{2}", value):
        return False
    if need_time and not re.match(r"\d{4}-?\d{2}-?\d{2}[Tt ]\d{2}", value):
        return False
    try:
        datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return False
    return True


# --- listing and reading ---------------------------------------------------------


def resource_walk(ctx: McpContext, method: str = "resources/list", key: str = "resources") -> Walk:
    """Every page of ``method`` (Skip when it does not work: that is its own requirement's concern)."""
    try:
        return walk(ctx.session, method, key)
    except Failure as failure:
        what = "mcp.resources.list" if method == "resources/list" else "mcp.resources.templates-list"
        raise Skip(f"{method} did not work ({failure.message}); see {what}") from None


def listed_resources(ctx: McpContext) -> list[dict[str, Any]]:
    return [r for r in resource_walk(ctx).items if isinstance(r, dict) and isinstance(r.get("uri"), str)]


def listed_templates(ctx: McpContext) -> list[dict[str, Any]]:
    pages = resource_walk(ctx, "resources/templates/list", "resourceTemplates")
    return [t for t in pages.items if isinstance(t, dict)]


@dataclass
class Read:
    uri: str
    reply: Reply

    @property
    def result(self) -> dict[str, Any] | None:
        result = (self.reply.response or {}).get("result")
        return result if isinstance(result, dict) else None

    @property
    def contents(self) -> list[Any]:
        contents = (self.result or {}).get("contents")
        return contents if isinstance(contents, list) else []


def read(session: McpSession, uri: Any) -> Read:
    return Read(str(uri), session.request("resources/read", {"uri": uri}))


def read_listed(ctx: McpContext, resources: list[dict[str, Any]], *, binary_first: bool = False) -> Iterator[Read]:
    """resources/read of up to MAX_READS listed resources (those not declared text first when ``binary_first``)."""
    chosen = list(resources)
    if binary_first:
        chosen.sort(key=lambda r: str(r.get("mimeType", "")).startswith("text/"))
    for resource in chosen[:MAX_READS]:
        one = read(ctx.session, resource["uri"])
        yield one
        if one.reply.response is None:
            return  # the server may be stuck: stop here


def content_problem(item: Any) -> str | None:
    if not isinstance(item, dict):
        return f"a contents item is not an object: {json.dumps(item)[:120]}"
    if not isinstance(item.get("uri"), str):
        return f"a contents item has no string uri: {json.dumps(item)[:200]}"
    has_text, has_blob = "text" in item, "blob" in item
    if has_text == has_blob:
        return f"contents item {item['uri']!r} has {'both text and blob' if has_text else 'neither text nor blob'}"
    return None


def unknown_uri(ctx: McpContext, resources: list[dict[str, Any]], templates: list[dict[str, Any]]) -> str | None:
    """A well-formed URI naming no listed resource and matching no listed template (None: found none)."""
    digest = hashlib.sha256(f"accord-resource-{ctx.settings.seed}".encode()).hexdigest()[:12]
    leaf = f"accord-no-such-resource-{digest}"
    bases = []
    for resource in resources[:3]:
        uri = resource["uri"]
        if uri_problem(uri) is None:
            bases.append(uri.split("?")[0].split("#")[0].rsplit("/", 1)[0] + "/" if "/" in uri.partition(":")[2]
                         else uri.partition(":")[0] + ":")
    bases += ["file:///", f"accord-{digest}:///"]
    taken = {r["uri"] for r in resources}
    patterns = [template_pattern(t["uriTemplate"]) for t in templates if isinstance(t.get("uriTemplate"), str)]
    for base in bases:
        candidate = base + leaf
        if candidate not in taken and uri_problem(candidate) is None \
                and not any(p.fullmatch(candidate) for p in patterns):
            return candidate
    return None


def error_of(reply: Reply) -> dict[str, Any] | None:
    error = (reply.response or {}).get("error")
    return error if isinstance(error, dict) else None


# --- checks: capability, listing, reading ------------------------------------------


@check("mcp.resources.capability-declared", protocol="mcp")
def resources_offered_only_with_capability(ctx: McpContext) -> None:
    reply = ctx.session.request("resources/list")
    offered_only_if_declared(ctx.capabilities, "resources", reply, "resources/list", "mcp.resources.list")


@check("mcp.resources.list", protocol="mcp")
def resources_list_pages_are_valid(ctx: McpContext) -> None:
    pages_valid(ctx, walk(ctx.session, "resources/list", "resources"), "ListResourcesResult")


@check("mcp.resources.templates-list", protocol="mcp")
def templates_list_pages_are_valid(ctx: McpContext) -> None:
    pages = walk(ctx.session, "resources/templates/list", "resourceTemplates")
    pages_valid(ctx, pages, "ListResourceTemplatesResult")


@check("mcp.resources.read", protocol="mcp")
def reading_listed_resources_gives_contents(ctx: McpContext) -> None:
    resources = listed_resources(ctx)
    ctx.require(resources, "the server lists no resources")
    errors = []
    for one in read_listed(ctx, resources):
        if one.reply.response is None:
            no_response(f"resources/read {one.uri!r}", one.reply)
        if one.result is None:
            errors.append(f"{one.uri!r}: {one.reply.describe()}"[:300])
            continue
        ctx.validate("ReadResourceResult", one.result, f"the result of resources/read {one.uri!r}")
        for item in one.contents:
            problem = content_problem(item)
            if problem:
                raise Failure(f"resources/read {one.uri!r}: {problem}", example=one.result)
    if errors and len(errors) == min(len(resources), MAX_READS):
        raise Failure("resources/read failed for every listed resource tried: " + "; ".join(errors[:3]))


@check("mcp.resources.binary-encoded", protocol="mcp")
def blobs_are_base64(ctx: McpContext) -> None:
    resources = listed_resources(ctx)
    ctx.require(resources, "the server lists no resources")
    blobs = 0
    for one in read_listed(ctx, resources, binary_first=True):
        for item in one.contents:
            if isinstance(item, dict) and "blob" in item:
                blobs += 1
                if not is_base64(item["blob"]):
                    raise Failure(f"resources/read {one.uri!r}: blob is not valid base64: {str(item['blob'])[:80]!r}",
                                  example={**item, "blob": str(item["blob"])[:200]})
    ctx.require(blobs, f"no blob contents came back from reading {min(len(resources), MAX_READS)} listed resources")


@check("mcp.resources.unknown-uri", protocol="mcp")
def unknown_uri_is_resource_not_found(ctx: McpContext) -> None:
    resources = listed_resources(ctx)
    templates = listed_templates(ctx) if declares(ctx.capabilities, "resources") else []
    uri = unknown_uri(ctx, resources, templates)
    if uri is None:
        raise Skip("every URI accord could make up matches a listed resource template")
    one = read(ctx.session, uri)
    if one.reply.response is None:
        no_response(f"resources/read of the unlisted URI {uri!r}", one.reply)
    error = error_of(one.reply)
    if error is None:
        raise Failure(f"resources/read of the unlisted URI {uri!r} got a result instead of error -32002: "
                      f"{json.dumps(one.reply.response)[:300]}")
    if error.get("code") != RESOURCE_NOT_FOUND:
        raise Failure(f"resources/read of the unlisted URI {uri!r} got error code {error.get('code')!r}, "
                      f"not -32002 (resource not found)")


@check("mcp.resources.validate-uri", protocol="mcp")
def malformed_uris_are_rejected(ctx: McpContext) -> None:
    session = ctx.opened()
    for uri in MALFORMED_URIS:
        one = read(session, uri)
        what = f"resources/read with uri {json.dumps(uri)}"
        if one.reply.response is None:
            no_response(f"{what}", one.reply)
        if error_of(one.reply) is None and one.contents:
            raise Failure(f"{what} returned contents instead of an error: {json.dumps(one.reply.response)[:300]}",
                          example=uri)
        if error_of(one.reply) is None and one.result is None:
            raise Failure(f"{what} got neither a result nor an error: {json.dumps(one.reply.response)[:300]}")
    after = session.request("ping")
    if after.response is None or "result" not in after.response:
        raise Failure(f"after resources/read with malformed URIs the session no longer answers ping: {after.describe()}")


# --- checks: URIs, templates, annotations ----------------------------------------------


@check("mcp.resources.uri-rfc3986", protocol="mcp")
def resource_uris_are_rfc3986(ctx: McpContext) -> None:
    resources = [r for r in resource_walk(ctx).items if isinstance(r, dict)]
    ctx.require(resources, "the server lists no resources")
    for resource in resources:
        problem = uri_problem(resource.get("uri"))
        if problem:
            raise Failure(f"resources/list: {problem}", example=resource)
    for one in read_listed(ctx, [r for r in resources if isinstance(r.get("uri"), str)]):
        for item in one.contents:
            if isinstance(item, dict) and "uri" in item:
                problem = uri_problem(item["uri"])
                if problem:
                    raise Failure(f"resources/read {one.uri!r} returned contents whose uri {problem}", example=item)


@check("mcp.resources.template-rfc6570", protocol="mcp")
def templates_are_rfc6570(ctx: McpContext) -> None:
    templates = listed_templates(ctx)
    ctx.require(templates, "the server lists no resource templates")
    for template in templates:
        problem = template_problem(template.get("uriTemplate"))
        if problem:
            raise Failure(f"resources/templates/list: uriTemplate {problem}", example=template)


_OPAQUE_KEYS = frozenset({"inputSchema", "outputSchema", "structuredContent", "_meta", "arguments", "data"})
"""Members holding the server's own data, where a key named annotations means nothing to MCP."""


def _annotated(value: Any, found: list[tuple[str, dict[str, Any]]], where: str) -> None:
    """Collect the annotations of resources, templates, resource links and content blocks inside ``value``
    (tool annotations are another thing and are left out)."""
    if isinstance(value, dict):
        annotations = value.get("annotations")
        if isinstance(annotations, dict) and "inputSchema" not in value:
            label = value.get("uri") or value.get("uriTemplate") or value.get("type") or "an item"
            found.append((f"{where}: {label}", annotations))
        for key, item in value.items():
            if key not in _OPAQUE_KEYS:
                _annotated(item, found, where)
    elif isinstance(value, list):
        for item in value:
            _annotated(item, found, where)


def observed_annotations(ctx: McpContext) -> list[tuple[str, dict[str, Any]]]:
    """Annotations in fresh resource and template listings and reads, and in everything the run has received."""
    if declares(ctx.capabilities, "resources"):
        resources = listed_resources(ctx)
        for _ in read_listed(ctx, resources[:3]):
            pass
        try:
            walk(ctx.session, "resources/templates/list", "resourceTemplates")
        except Failure:
            pass
    else:
        ctx.session.request("ping")  # nothing of this server's own to list: judge what the run saw
    found: list[tuple[str, dict[str, Any]]] = []
    for peer in traffic(ctx):
        for received in peer.received:
            message = received.message
            if kind_of(message) == "response":
                request = peer.request_for(message)
                _annotated(message.get("result"), found, request[0] if request else "a response")
            elif kind_of(message) in ("notification", "request"):
                _annotated(message.get("params"), found, str(message.get("method")))
    return found


@check("mcp.resources.annotations-valid", protocol="mcp")
def annotations_have_valid_audience_and_priority(ctx: McpContext) -> None:
    found = observed_annotations(ctx)
    judged = [(where, a) for where, a in found if "audience" in a or "priority" in a]
    ctx.require(judged, "no annotations with an audience or a priority were observed")
    for where, annotations in judged:
        audience = annotations.get("audience")
        if "audience" in annotations and (not isinstance(audience, list)
                                          or any(role not in ("user", "assistant") for role in audience)):
            raise Failure(f"{where}: annotations.audience is {json.dumps(audience)[:200]}, "
                          'not a list of "user" and "assistant"', example=annotations)
        priority = annotations.get("priority")
        if "priority" in annotations and (isinstance(priority, bool) or not isinstance(priority, (int, float))
                                          or not 0 <= priority <= 1):
            raise Failure(f"{where}: annotations.priority is {json.dumps(priority)}, not a number from 0 to 1",
                          example=annotations)


@check("mcp.resources.last-modified-iso8601", protocol="mcp")
def last_modified_is_iso8601(ctx: McpContext) -> None:
    judged = [(where, a) for where, a in observed_annotations(ctx) if "lastModified" in a]
    ctx.require(judged, "no annotations with lastModified were observed")
    for where, annotations in judged:
        if not is_iso8601(annotations["lastModified"]):
            raise Failure(f"{where}: annotations.lastModified {json.dumps(annotations['lastModified'])} "
                          "is not an ISO 8601 timestamp", example=annotations)


# --- checks: subscriptions --------------------------------------------------------------


def _subscribe_first(ctx: McpContext) -> tuple[McpSession, str, Reply]:
    resources = listed_resources(ctx)
    ctx.require(resources, "the server lists no resources to subscribe to")
    session = ctx.opened()
    uri = resources[0]["uri"]
    return session, uri, session.request("resources/subscribe", {"uri": uri})


def _empty_result(ctx: McpContext, method: str, uri: str, reply: Reply) -> None:
    if reply.response is None:
        no_response(f"{method} {uri!r}", reply)
    result = reply.response.get("result")
    if not isinstance(result, dict):
        raise Failure(f"{method} {uri!r} did not succeed: {reply.describe()}")
    ctx.validate(ctx.result_definition(method) or "EmptyResult", result, f"the {method} result")
    extra = sorted(k for k in result if k != "_meta")
    if extra:
        raise Failure(f"{method} {uri!r} returned a non-empty result (keys {extra})", example=result)


@check("mcp.resources.subscribe", protocol="mcp")
def subscribing_gives_an_empty_result(ctx: McpContext) -> None:
    _, uri, reply = _subscribe_first(ctx)
    _empty_result(ctx, "resources/subscribe", uri, reply)


@check("mcp.resources.unsubscribe", protocol="mcp")
def unsubscribing_gives_an_empty_result(ctx: McpContext) -> None:
    session, uri, reply = _subscribe_first(ctx)
    if not isinstance((reply.response or {}).get("result"), dict):
        raise Skip(f"resources/subscribe {uri!r} did not succeed ({reply.describe()}); see mcp.resources.subscribe")
    _empty_result(ctx, "resources/unsubscribe", uri, session.request("resources/unsubscribe", {"uri": uri}))


def covers(subscribed: str, uri: str) -> bool:
    """Whether a subscription to ``subscribed`` covers an update of ``uri`` (itself or a sub-resource)."""
    if uri == subscribed:
        return True
    if not uri.startswith(subscribed):
        return False
    return subscribed.endswith("/") or uri[len(subscribed)] in "/?#"


@check("mcp.resources.updated-only-if-subscribed", protocol="mcp", kind="observer")
def updates_only_for_subscribed_uris(ctx: McpContext) -> None:
    seen = 0
    for peer in ctx.suite.peers:
        subscribed: set[str] = set()
        for event in peer.log.since(0):
            if event.channel != "message" or event.direction == "note":
                continue
            for message in event.data if isinstance(event.data, list) else [event.data]:
                if not isinstance(message, dict):
                    continue
                params = message.get("params") if isinstance(message.get("params"), dict) else {}
                if event.direction == "sent" and message.get("method") == "resources/subscribe" \
                        and isinstance(params.get("uri"), str):
                    subscribed.add(params["uri"])
                if event.direction == "received" and kind_of(message) == "notification" \
                        and message.get("method") == "notifications/resources/updated":
                    uri = params.get("uri")
                    if not isinstance(uri, str):
                        continue
                    seen += 1
                    if not any(covers(s, uri) for s in subscribed):
                        raise Failure(f"notifications/resources/updated for {uri!r} arrived on a session that "
                                      f"subscribed to {sorted(subscribed) or 'nothing'}", example=message)
    if not seen:
        raise Skip("no notifications/resources/updated was observed in this run")
