"""Initialization and version negotiation (basic/lifecycle)."""

from __future__ import annotations

from typing import Any

from ....outcomes import Failure, NotApplicable, Skip
from ....peer import HttpWire
from ....registry import check
from ....specs import SpecNotFound, SpecRef, available, load_spec
from ..context import McpContext
from ..session import McpSession, no_response
from .jsonrpc import kind_of, peer_traffic, short, still_serves
from .schema_wire import WireValidator

UNSUPPORTED_VERSION = "1999-01-01"
ALLOWED_EARLY = frozenset({"ping"})
"""Server requests allowed before the client's initialized notification."""
CLIENT_CAPABILITY_METHODS = {"sampling/createMessage": "sampling", "elicitation/create": "elicitation",
                             "roots/list": "roots"}


def initialize(ctx: McpContext, version: str) -> tuple[McpSession, dict[str, Any]]:
    """A fresh session's initialize with ``version``; the response (Failure if none came)."""
    session = ctx.fresh()
    reply = session.initialize(version)
    if reply.response is None:
        no_response(f"initialize requesting {version!r}", reply)
    return session, reply.response


def initialize_result(ctx: McpContext, version: str) -> tuple[McpSession, dict[str, Any]]:
    session, response = initialize(ctx, version)
    result = response.get("result")
    if not isinstance(result, dict):
        raise Skip(f"initialize requesting {version!r} did not succeed ({short(response)}); "
                   "see mcp.lifecycle.initialize-result")
    return session, result


def echoes(ctx: McpContext, version: str) -> bool:
    """Whether the server accepts ``version`` as requested (a fresh session)."""
    _, response = initialize(ctx, version)
    result = response.get("result")
    return isinstance(result, dict) and result.get("protocolVersion") == version


@check("mcp.lifecycle.initialize-result", protocol="mcp")
def initialize_returns_version_capabilities_info(ctx: McpContext) -> None:
    _, response = initialize(ctx, ctx.version)
    result = response.get("result")
    if not isinstance(result, dict):
        raise Failure(f"initialize requesting {ctx.version} did not return a result: {short(response)}")
    missing = [f"{name} ({kind.__name__})" for name, kind in
               (("protocolVersion", str), ("capabilities", dict), ("serverInfo", dict))
               if not isinstance(result.get(name), kind)]
    if missing:
        raise Failure(f"the initialize result lacks or mistypes {', '.join(missing)}: {short(result)}", example=result)


@check("mcp.lifecycle.version-echo", protocol="mcp")
def supported_version_is_echoed(ctx: McpContext) -> None:
    """If the requested version comes back as another one, that other one is
    tried too: a server that does not echo even the version it offered
    breaks the rule; one that echoes it simply lacks ours (not applicable)."""
    _, result = initialize_result(ctx, ctx.version)
    offered = result.get("protocolVersion")
    if offered == ctx.version:
        return
    if not isinstance(offered, str):
        raise Failure(f"initialize requesting {ctx.version} answered protocolVersion {offered!r}, not a string")
    if echoes(ctx, offered):
        raise NotApplicable(f"the server does not support {ctx.version}: it offers {offered} and accepts that")
    raise Failure(f"the server offered {offered} in place of {ctx.version}, yet requesting {offered} "
                  "does not get it echoed either")


@check("mcp.lifecycle.version-fallback", protocol="mcp")
def unsupported_version_gets_a_supported_one(ctx: McpContext) -> None:
    """A result must offer another version, which the server then accepts when
    requested. The spec's own example answers an unsupported version with an
    error whose data lists the supported versions; such an error is accepted,
    a bare error (no version offered at all) is not."""
    _, response = initialize(ctx, UNSUPPORTED_VERSION)
    error = response.get("error")
    if isinstance(error, dict):
        supported = (error.get("data") or {}).get("supported") if isinstance(error.get("data"), dict) else None
        if isinstance(supported, list) and supported and all(isinstance(v, str) for v in supported) \
                and UNSUPPORTED_VERSION not in supported:
            return
        raise Failure(f"initialize requesting {UNSUPPORTED_VERSION} got an error that offers no supported version "
                      f"(no data.supported list): {short(response)}")
    result = response.get("result")
    offered = result.get("protocolVersion") if isinstance(result, dict) else None
    if not isinstance(offered, str):
        raise Failure(f"initialize requesting {UNSUPPORTED_VERSION} offered no protocolVersion: {short(response)}")
    if offered == UNSUPPORTED_VERSION:
        raise Failure(f"initialize requesting the unsupported version {UNSUPPORTED_VERSION} echoed it back")
    if not echoes(ctx, offered):
        raise Failure(f"the server offered {offered} in place of {UNSUPPORTED_VERSION}, but does not accept "
                      f"{offered} when it is requested")


@check("mcp.lifecycle.version-latest", protocol="mcp")
def fallback_is_the_latest_supported(ctx: McpContext) -> None:
    """Judged against what the server showed it supports: the run's version
    (if echoed) and each known version that it echoes."""
    _, response = initialize(ctx, UNSUPPORTED_VERSION)
    result = response.get("result")
    offered = result.get("protocolVersion") if isinstance(result, dict) else None
    if not isinstance(offered, str) or offered == UNSUPPORTED_VERSION:
        raise NotApplicable("the server offered no version in place of an unsupported one "
                            "(see mcp.lifecycle.version-fallback)")
    newer = sorted(ref.version for ref in available() if ref.protocol == "mcp" and ref.version > offered)
    for version in reversed(newer):
        if echoes(ctx, version):
            raise Failure(f"in place of {UNSUPPORTED_VERSION} the server offered {offered}, "
                          f"though it supports the later {version}")


@check("mcp.lifecycle.server-info", protocol="mcp")
def server_info_has_name_and_version(ctx: McpContext) -> None:
    _, result = initialize_result(ctx, ctx.version)
    info = result.get("serverInfo")
    if not isinstance(info, dict):
        raise Failure(f"the initialize result has no serverInfo object: {short(result)}", example=result)
    wrong = [name for name in ("name", "version") if not isinstance(info.get(name), str)]
    if wrong:
        raise Failure(f"serverInfo lacks a string {' and '.join(wrong)}: {short(info)}", example=info)


CAPABILITY_FLAGS = {"tools": ("listChanged",), "resources": ("subscribe", "listChanged"), "prompts": ("listChanged",)}


@check("mcp.lifecycle.capabilities", protocol="mcp")
def capabilities_are_well_formed(ctx: McpContext) -> None:
    _, result = initialize_result(ctx, ctx.version)
    capabilities = result.get("capabilities")
    if not isinstance(capabilities, dict):
        raise Failure(f"capabilities is not an object: {short(capabilities)}")
    problems = [f"{name} is {type(value).__name__}, not an object" for name, value in capabilities.items()
                if not isinstance(value, dict)]
    for name, flags in CAPABILITY_FLAGS.items():
        entry = capabilities.get(name)
        if isinstance(entry, dict):
            problems += [f"{name}.{flag} is {entry[flag]!r}, not a boolean" for flag in flags
                         if flag in entry and not isinstance(entry[flag], bool)]
    if problems:
        raise Failure("capabilities: " + "; ".join(problems), example=capabilities)


@check("mcp.lifecycle.initialized-accepted", protocol="mcp")
def initialized_notification_is_accepted(ctx: McpContext) -> None:
    session, _ = initialize_result(ctx, ctx.version)
    reply = session.notify("notifications/initialized")
    if any(kind_of(m) == "response" for m in reply.messages):
        raise Failure(f"notifications/initialized was answered: {reply.describe()}")
    if reply.status is not None and not 200 <= reply.status < 300:
        # which 2xx is mcp.http.notification-202's concern; here only acceptance is judged
        raise Failure(f"notifications/initialized was refused with HTTP {reply.status}")
    still_serves(session, "notifications/initialized")


@check("mcp.lifecycle.no-requests-before-initialized", protocol="mcp")
def no_requests_before_initialized(ctx: McpContext) -> None:
    """Watches a fresh session between initialize and initialized: stdio
    output for a quiet period; over HTTP, the initialize reply and a GET
    stream held open for that period (a 405 there just means no stream)."""
    session, _ = initialize_result(ctx, ctx.version)
    peer = session.peer
    if isinstance(peer, HttpWire):
        peer.http("GET", timeout=peer.limits.quiet_period)  # type: ignore[attr-defined]
    else:
        peer.collect(peer.limits.quiet_period)
    early = [item.message for item in peer_traffic(peer).server_requests()
             if item.message.get("method") not in ALLOWED_EARLY]
    if early:
        raise Failure(f"before notifications/initialized the server sent {len(early)} request(s): {short(early[0])}",
                      example=early[:3])


@check("mcp.lifecycle.negotiated-capabilities-only", protocol="mcp", kind="observer")
def no_requests_for_undeclared_client_capabilities(ctx: McpContext) -> None:
    """accord declares no client capabilities, so no sampling, elicitation or
    roots request may reach it on any session of the run."""
    peers = traffic_with_sessions(ctx)
    if not peers:
        raise Skip("no initialized session was observed")
    offending = [item.message for peer in peers for item in peer.server_requests()
                 if item.message.get("method") in CLIENT_CAPABILITY_METHODS]
    if offending:
        method = offending[0]["method"]
        raise Failure(f"the server sent {len(offending)} request(s) needing client capabilities accord never "
                      f"declared, first {method} ({CLIENT_CAPABILITY_METHODS[method]}): {short(offending[0])}",
                      example=offending[:3])


def traffic_with_sessions(ctx: McpContext) -> list[Any]:
    return [peer_traffic(p) for p in ctx.suite.peers if p.protocol_version]


@check("mcp.lifecycle.negotiated-version-respected", protocol="mcp")
def older_version_is_spoken_when_negotiated(ctx: McpContext) -> None:
    older = sorted((ref for ref in available() if ref.protocol == "mcp" and ref.version < ctx.version),
                   key=lambda ref: ref.version, reverse=True)
    if not older:
        raise NotApplicable(f"accord knows no MCP version older than {ctx.version} to negotiate")
    session, result = initialize_result(ctx, older[0].version)
    if result.get("protocolVersion") != older[0].version:
        raise NotApplicable(f"the server does not accept the older version {older[0].version}")
    session.notify("notifications/initialized")
    try:
        schema = load_spec(SpecRef("mcp", older[0].version)).schema
    except SpecNotFound as exc:
        raise Skip(f"the schema of {older[0].version} cannot be loaded: {exc}") from None
    session.request("ping")
    for capability, method in (("tools", "tools/list"), ("resources", "resources/list"), ("prompts", "prompts/list")):
        if capability in (result.get("capabilities") or {}):
            session.request(method)
    found = peer_traffic(session.peer)
    validator, current = WireValidator(schema), WireValidator(ctx.schema)
    # A message wrong under every version is mcp.schema.wire-valid's breach; this
    # requirement is broken by a message that speaks the newer version instead.
    problems = [(item.message, errors) for item in found.received
                if (errors := validator.problems(found, item.message)) and not current.problems(found, item.message)]
    if problems:
        raise Failure(f"after negotiating {older[0].version}, {len(problems)} message(s) break its schema: "
                      + "; ".join(e for _, errors in problems[:3] for e in errors[:1]),
                      example=[m for m, _ in problems[:3]])
