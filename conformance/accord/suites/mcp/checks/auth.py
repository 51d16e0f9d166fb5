"""Authorization as seen from a client holding no token (basic/authorization).

accord has no credentials for the server, so these checks judge what any
client sees first: whether the server demands authorization (401), and
whether it then tells the client where to get it (Protected Resource Metadata,
RFC 9728). A server that serves unauthenticated requests does not use
authorization, and the checks are not applicable to it.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from ....outcomes import Failure, NotApplicable, Skip
from ....peer import HttpWire, Peer, Reply
from ....registry import check
from ..context import McpContext
from .http_transport import http_session, initialize_body, served, status_text

INVALID_TOKEN = "accord-invalid-token"
WELL_KNOWN = "/.well-known/oauth-protected-resource"
METADATA_BYTES = 256 * 1024


def auth_param(challenge: str, name: str) -> str | None:
    """A parameter of a WWW-Authenticate challenge (quoted or token form)."""
    match = re.search(rf'(?:^|[\s,]){name}\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))', challenge, re.IGNORECASE)
    if match is None:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2)


def unauthorized(ctx: McpContext) -> tuple[HttpWire, Reply]:
    """A fresh initialize without credentials; NotApplicable unless it gets 401."""
    _, wire = http_session(ctx)
    reply = wire.http("POST", body=initialize_body(ctx.version))
    if reply.status == 401:
        return wire, reply
    if served(reply):
        raise NotApplicable("the server does not require authorization (it served an initialize without a token)")
    raise Skip(f"an initialize without a token got {reply.describe()}, so whether the server requires "
               "authorization is unclear")


def well_known_urls(endpoint: str) -> list[str]:
    parts = urlsplit(endpoint)
    path = parts.path.rstrip("/")
    candidates = [WELL_KNOWN + path] if path else []
    candidates.append(WELL_KNOWN)
    return [urlunsplit((parts.scheme, parts.netloc, p, "", "")) for p in candidates]


def fetch_json(wire: HttpWire, url: str, ctx: McpContext) -> tuple[int | None, Any, str]:
    """GET ``url`` (bounded in time and size, logged on the peer); status, parsed JSON (None if not), problem."""
    log = wire.log if isinstance(wire, Peer) else None
    if log is not None:
        log.add("sent", "http-request", {"method": "GET", "url": url, "headers": {"accept": "application/json"}})
    limits = ctx.settings.limits
    try:
        with httpx.Client(timeout=limits.read_timeout, follow_redirects=False) as client:
            with client.stream("GET", url, headers={"Accept": "application/json"}) as response:
                raw = bytearray()
                for chunk in response.iter_bytes():
                    raw.extend(chunk)
                    if len(raw) > METADATA_BYTES:
                        break
                status = response.status_code
    except httpx.HTTPError as exc:
        if log is not None:
            log.add("note", "problem", f"GET {url} failed: {exc}")
        return None, None, f"GET {url} failed: {exc}"
    text = bytes(raw[:METADATA_BYTES]).decode("utf-8", errors="replace")
    if log is not None:
        log.add("received", "http-response", {"status": status, "body": text[:4000]})
    try:
        return status, json.loads(text), ""
    except ValueError:
        return status, None, f"GET {url} got HTTP {status} with a body that is not JSON"


def metadata_location(ctx: McpContext, wire: HttpWire, reply: Reply) -> tuple[str | None, str]:
    """Where the Protected Resource Metadata is, and how it was found (header or well-known URI)."""
    url = auth_param(reply.headers.get("www-authenticate", ""), "resource_metadata")
    if url:
        return url, "resource_metadata in WWW-Authenticate"
    if ctx.version < "2025-11-25":
        return None, ""
    for candidate in well_known_urls(wire.url):
        status, document, _ = fetch_json(wire, candidate, ctx)
        if status == 200 and isinstance(document, dict):
            return candidate, "the well-known URI"
    return None, ""


@check("mcp.auth.unauthorized-401", protocol="mcp")
def missing_or_invalid_token_gets_401(ctx: McpContext) -> None:
    wire, _ = unauthorized(ctx)
    reply = wire.http("POST", body=initialize_body(ctx.version), headers={"Authorization": f"Bearer {INVALID_TOKEN}"})
    if reply.status != 401:
        raise Failure(f"the server answers 401 without a token, but an invalid bearer token got "
                      f"{status_text(reply)}" + (" and was served" if served(reply) else "") + ", not 401")


@check("mcp.auth.resource-metadata-discovery", protocol="mcp")
def metadata_location_is_advertised(ctx: McpContext) -> None:
    wire, reply = unauthorized(ctx)
    url, _ = metadata_location(ctx, wire, reply)
    if url:
        return
    challenge = reply.headers.get("www-authenticate")
    if ctx.version < "2025-11-25":
        raise Failure(f"the 401 has WWW-Authenticate {challenge!r}, with no resource_metadata URL")
    raise Failure(f"the 401 has WWW-Authenticate {challenge!r}, with no resource_metadata URL, and no "
                  f"metadata is served at {' or '.join(well_known_urls(wire.url))}")


@check("mcp.auth.protected-resource-metadata", protocol="mcp")
def metadata_lists_authorization_servers(ctx: McpContext) -> None:
    wire, reply = unauthorized(ctx)
    url, how = metadata_location(ctx, wire, reply)
    if not url:
        raise Skip("the server does not say where its Protected Resource Metadata is; "
                   "see mcp.auth.resource-metadata-discovery")
    status, document, problem = fetch_json(wire, url, ctx)
    if status is None:
        raise Skip(f"the metadata URL from {how} could not be fetched: {problem}")
    if status != 200 or not isinstance(document, dict):
        raise Failure(f"the Protected Resource Metadata at {url} (from {how}) got HTTP {status}"
                      + (f": {problem}" if problem else ", not a JSON object"))
    servers = document.get("authorization_servers")
    if not isinstance(servers, list) or not servers or not all(isinstance(s, str) and s for s in servers):
        raise Failure(f"the Protected Resource Metadata at {url} lists no authorization server: "
                      f"authorization_servers is {servers!r}", example=document)


@check("mcp.auth.scope-in-challenge", protocol="mcp")
def challenge_names_scope(ctx: McpContext) -> None:
    _, reply = unauthorized(ctx)
    challenge = reply.headers.get("www-authenticate")
    if not challenge:
        raise Failure("the 401 carries no WWW-Authenticate header, so no scope is named")
    if auth_param(challenge, "scope") is None:
        raise Failure(f"the 401's WWW-Authenticate {challenge!r} has no scope parameter")
