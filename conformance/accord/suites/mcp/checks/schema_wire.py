"""Every message against the schema of its version, and the _meta rules (basic#schema, basic#meta).

A response to a parse error or an invalid request may carry a null id (the
id could not be read: JSON-RPC 2.0 says so, and 2025-11-25 makes the id of
such error responses optional). The 2025-06-18 schema still requires an id
on every error, so such a response is validated with a placeholder id: its
envelope and error object are judged, its null id is not.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ....outcomes import Failure, NotApplicable, Skip
from ....registry import check
from ....schema import SchemaDocument
from ..context import McpContext, error_definition, response_definition, result_definition
from .jsonrpc import PeerTraffic, fail_with, kind_of, short, traffic

MAX_DISTINCT = 3000
"""Distinct messages validated per run (a flood of identical messages costs one)."""


def union_members(schema: SchemaDocument, union: str) -> dict[str, str]:
    """method -> definition, for the members of a union such as ServerNotification."""
    members: dict[str, str] = {}
    node = schema.definitions.get(union)
    refs = (node or {}).get("anyOf") or (node or {}).get("oneOf") or []
    methods = {**schema.request_methods, **schema.notification_methods}
    by_definition = {definition: method for method, definition in methods.items()}
    for ref in refs:
        name = str(ref.get("$ref", "")).rsplit("/", 1)[-1] if isinstance(ref, dict) else ""
        if name in by_definition:
            members[by_definition[name]] = name
    return members


class WireValidator:
    """Chooses the definition of each message and validates it, caching by content."""

    def __init__(self, schema: SchemaDocument):
        self.schema = schema
        self.notifications = union_members(schema, "ServerNotification")
        self.requests = union_members(schema, "ServerRequest")
        self._cache: dict[str, list[str]] = {}
        self.judged = 0

    def problems(self, peer: PeerTraffic, message: Any) -> list[str]:
        """Validation errors of one received message (empty: valid)."""
        kind = kind_of(message)
        if kind == "other":
            return [f"not a JSON-RPC message: {short(message, 120)}"]
        if kind == "notification":
            method = message.get("method")
            return self._errors(self.notifications.get(method, "ServerNotification"), message,
                                f"notification {method}")
        if kind == "request":
            method = message.get("method")
            return self._errors(self.requests.get(method, "ServerRequest"), message, f"server request {method}")
        if "error" in message and "result" not in message:
            instance = dict(message)
            if instance.get("id") is None:
                instance["id"] = 0  # unreadable id: see the module docstring
            return self._errors(error_definition(self.schema), instance, "error response")
        errors = self._errors(response_definition(self.schema), message, "response")
        request = peer.request_for(message) if "id" in message else None
        if request is not None and not errors:
            definition = result_definition(self.schema, request[0])
            if definition:
                errors = self._errors(definition, message.get("result"), f"result of {request[0]}")
        return errors

    def _errors(self, definition: str, instance: Any, what: str) -> list[str]:
        if not self.schema.has(definition):
            return []
        key = definition + "\0" + json.dumps(instance, sort_keys=True, default=str)
        cached = self._cache.get(key)
        if cached is None:
            if len(self._cache) >= MAX_DISTINCT:
                return []
            self.judged += 1
            cached = [f"{what} is not a valid {definition}: " + "; ".join(self.schema.errors(definition, instance, 3))] \
                if not self.schema.is_valid(definition, instance) else []
            self._cache[key] = cached
        return cached


@check("mcp.schema.wire-valid", protocol="mcp", kind="observer")
def every_server_message_validates(ctx: McpContext) -> None:
    peers = [p for p in traffic(ctx) if p.peer.protocol_version == ctx.version]
    if not any(p.received for p in peers):
        raise Skip(f"no message was observed on a session that negotiated {ctx.version}")
    validator = WireValidator(ctx.schema)
    problems: list[str] = []
    examples: list[Any] = []
    for peer in peers:
        for item in peer.received:
            errors = validator.problems(peer, item.message)
            if errors:
                problems.append("; ".join(errors))
                examples.append(item.message)
    fail_with(problems, f"of the messages the server sent are not valid against the {ctx.version} schema", examples)


META_LABEL = r"[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
META_KEY = re.compile(rf"(?:{META_LABEL}(?:\.{META_LABEL})*/)?(?:[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)?")
NOT_PROTOCOL_DATA = frozenset({"inputSchema", "outputSchema", "structuredContent", "requestedSchema", "arguments"})
"""Members whose content is the agent's own data, where a '_meta' key means nothing to MCP."""


def meta_keys(value: Any, found: list[str], depth: int = 0) -> None:
    if depth > 40:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "_meta" and isinstance(item, dict):
                found.extend(str(k) for k in item)
            if key not in NOT_PROTOCOL_DATA:
                meta_keys(item, found, depth + 1)
    elif isinstance(value, list):
        for item in value:
            meta_keys(item, found, depth + 1)


@check("mcp.schema.meta-key-format", protocol="mcp", kind="observer")
def meta_keys_are_well_formed(ctx: McpContext) -> None:
    keys: list[str] = []
    for peer in traffic(ctx):
        for item in peer.received:
            meta_keys(item.message, keys)
    if not keys:
        raise NotApplicable("the server emitted no _meta keys during the run")
    bad = sorted({k for k in keys if not META_KEY.fullmatch(k)})
    if bad:
        raise Failure(f"{len(bad)} malformed _meta key(s) of {len(set(keys))}: {bad[:5]}", example=bad[:5])


EXTRA_META = {"io.github.accord/probe": "tolerated?", "accord-note": 1}
LIST_PROBES = (("tools", "tools/list"), ("prompts", "prompts/list"), ("resources", "resources/list"))


def without_meta(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_meta(v) for k, v in value.items() if k != "_meta"}
    if isinstance(value, list):
        return [without_meta(v) for v in value]
    return value


@check("mcp.schema.meta-tolerated", protocol="mcp")
def extra_meta_keys_change_nothing(ctx: McpContext) -> None:
    method = next((m for capability, m in LIST_PROBES if capability in ctx.capabilities), "ping")
    plain = ctx.session.request(method, {}).response
    if plain is None or "result" not in plain:
        raise Skip(f"{method} without _meta did not succeed ({short(plain)}), so there is nothing to compare")
    marked = ctx.session.request(method, {"_meta": dict(EXTRA_META)}).response
    if marked is None or "result" not in marked:
        raise Failure(f"{method} with extra _meta keys {EXTRA_META} did not succeed: {short(marked)}",
                      example={"_meta": EXTRA_META})
    if without_meta(marked["result"]) != without_meta(plain["result"]):
        again = ctx.session.request(method, {}).response or {}
        if without_meta(again.get("result")) == without_meta(plain["result"]):
            raise Failure(f"{method} answers differently when params carry extra _meta keys: "
                          f"{short(plain['result'], 200)} vs {short(marked['result'], 200)}",
                          example={"_meta": EXTRA_META})
        raise Skip(f"{method} answers differently from one call to the next, so _meta cannot be judged by comparison")
