"""The Agent Card: where it is served, its shape, skills, capabilities and security schemes, its
signatures and caching headers, and the authenticated extended card.

Shape checks judge the card the run read (fetched with the run's A2A-Version); the header checks fetch it
again. A breach that belongs to another requirement is left to it: schema-valid judges the whole shape,
the narrower checks only their part.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from ....outcomes import Failure, NotApplicable, Skip
from ....peer import Reply
from ....registry import check
from .. import wire
from ..card import fetch_card
from ..context import A2aContext
from .auth import (NO_CREDENTIAL, given_credentials, invalid_credentials, is_auth_refusal, require_credentials,
                   required_scheme_names, scheme_kind, security_requirements, security_schemes, shown,
                   without_credentials)

SHOWN = 4
MEDIA_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+*-]+(\s*;.*)?")
CAPABILITY_FLAGS = {wire.V10: ("streaming", "pushNotifications", "extendedAgentCard"),
                    wire.V03: ("streaming", "pushNotifications", "stateTransitionHistory")}
SCHEME_DEFINITIONS_V03 = {"apiKey": "APIKeySecurityScheme", "http": "HTTPAuthSecurityScheme",
                          "oauth2": "OAuth2SecurityScheme", "openIdConnect": "OpenIdConnectSecurityScheme",
                          "mutualTLS": "MutualTLSSecurityScheme"}
FLOW_URLS = ("authorizationUrl", "tokenUrl", "refreshUrl", "deviceAuthorizationUrl")
BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


# --- helpers shared by the checks of this area ------------------------------------------------------
def refetch(ctx: A2aContext) -> Reply:
    """The card fetched again on a fresh connection, with the run's A2A-Version."""
    return fetch_card(ctx.suite.open_peer(), ctx.version)  # type: ignore[arg-type]


def served_card(ctx: A2aContext) -> dict[str, Any]:
    """The card as the agent serves it now (fetched again, so the evidence holds it)."""
    reply = refetch(ctx)
    body = body_of(reply)
    if reply.status != 200 or not isinstance(body, dict):
        raise Skip(f"the agent card could not be fetched again ({reply.describe()[:200]}); see a2a.card.available")
    return body


def body_of(reply: Reply) -> Any:
    if reply.json is not None:
        return reply.json
    try:
        return json.loads(reply.body)
    except ValueError:
        return None


def fail_all(problems: list[str], what: str) -> None:
    problems = list(dict.fromkeys(problems))
    if problems:
        more = f" (and {len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
        raise Failure(f"{what}: " + "; ".join(problems[:SHOWN]) + more)


def is_absolute_url(value: Any) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return parts is not None and bool(parts.scheme) and bool(parts.netloc)


def non_empty_string(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# --- where the card is --------------------------------------------------------------------------------
@check("a2a.card.available", protocol="a2a")
def card_can_be_fetched(ctx: A2aContext) -> None:
    reply = refetch(ctx)
    body = body_of(reply)
    if reply.status != 200 or not isinstance(body, dict):
        raise Failure(f"GET /.well-known/agent-card.json (A2A-Version: {ctx.version}) gave {reply.describe()[:300]}; "
                      "an A2A server makes its Agent Card available as a JSON object")


@check("a2a.card.well-known", protocol="a2a")
def card_at_well_known_path(ctx: A2aContext) -> None:
    reply = refetch(ctx)
    body = body_of(reply)
    if reply.status != 200 or not isinstance(body, dict) or "name" not in body:
        raise Failure(f"GET /.well-known/agent-card.json gave {reply.describe()[:300]}; the well-known URI should "
                      "answer 200 with the Agent Card")


@check("a2a.card.well-known-is-agentcard", protocol="a2a")
def well_known_serves_an_agent_card(ctx: A2aContext) -> None:
    reply = refetch(ctx)
    if reply.status is None or not 200 <= reply.status < 300:
        raise NotApplicable(f"nothing is served at /.well-known/agent-card.json ({reply.describe()[:200]}); "
                            "see a2a.card.well-known")
    body = body_of(reply)
    if not isinstance(body, dict):
        raise Failure(f"/.well-known/agent-card.json served {reply.content_type or 'no content type'}: "
                      f"{reply.body[:120]!r}, not an AgentCard JSON object (14.3)")
    if "json" not in reply.content_type:
        raise Failure(f"/.well-known/agent-card.json served a JSON body as {reply.content_type!r}, not as JSON")
    missing = [k for k in ("name", "supportedInterfaces", "capabilities", "skills") if k not in body]
    if "error" in body or len(missing) > 2:
        raise Failure(f"/.well-known/agent-card.json served {json.dumps(body)[:200]}, which is not an AgentCard "
                      f"(it lacks {', '.join(missing)})")


# --- the card's shape -----------------------------------------------------------------------------------
@check("a2a.card.schema-valid", protocol="a2a")
def card_matches_schema(ctx: A2aContext) -> None:
    card = served_card(ctx)
    fail_all(ctx.errors("AgentCard", card), f"the Agent Card does not validate against the A2A {ctx.version} "
                                                "AgentCard schema")


@check("a2a.card.skills-valid", protocol="a2a")
def skills_are_complete(ctx: A2aContext) -> None:
    card = served_card(ctx)
    problems: list[str] = []
    for index, skill in enumerate(items(card.get("skills"))):
        where = f"skills[{index}]"
        if not isinstance(skill, dict):
            problems.append(f"{where} is not an object")
            continue
        for name in ("id", "name", "description"):
            if not non_empty_string(skill.get(name)):
                problems.append(f"{where}.{name} is {json.dumps(skill.get(name))[:60]}, not a non-empty string")
        tags = skill.get("tags")
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            problems.append(f"{where}.tags is {json.dumps(tags)[:60]}, not an array of strings")
        elif ctx.version == wire.V10 and not tags:
            problems.append(f"{where}.tags is empty (REQUIRED in 4.4.5)")
        for modes in ("inputModes", "outputModes"):
            if modes in skill:
                bad = [m for m in items(skill[modes]) if not (isinstance(m, str) and MEDIA_TYPE.fullmatch(m))]
                if not isinstance(skill[modes], list) or bad:
                    problems.append(f"{where}.{modes} holds {json.dumps(bad or skill[modes])[:80]}, not media types")
    fail_all(problems, "the card's skills are incomplete")


@check("a2a.card.capabilities-booleans", protocol="a2a")
def capabilities_are_well_typed(ctx: A2aContext) -> None:
    card = served_card(ctx)
    capabilities = card.get("capabilities")
    if not isinstance(capabilities, dict):
        raise Failure(f"capabilities is {json.dumps(capabilities)[:80]}, not an AgentCapabilities object")
    problems = [f"capabilities.{flag} is {json.dumps(capabilities[flag])}, not a boolean"
                for flag in CAPABILITY_FLAGS[ctx.version] if flag in capabilities
                and not isinstance(capabilities[flag], bool)]
    if "extensions" in capabilities:
        if not isinstance(capabilities["extensions"], list):
            problems.append("capabilities.extensions is not an array")
        for index, extension in enumerate(items(capabilities["extensions"])):
            if not isinstance(extension, dict) or not non_empty_string(extension.get("uri")):
                problems.append(f"capabilities.extensions[{index}] names no uri: {json.dumps(extension)[:80]}")
            elif "required" in extension and not isinstance(extension["required"], bool):
                problems.append(f"capabilities.extensions[{index}].required is not a boolean")
    fail_all(problems, "the card's capabilities are mistyped")


@check("a2a.card.security-schemes-valid", protocol="a2a")
def security_schemes_are_complete(ctx: A2aContext) -> None:
    card = served_card(ctx)
    schemes = card.get("securitySchemes")
    if schemes is None:
        raise NotApplicable("the card declares no securitySchemes")
    if not isinstance(schemes, dict):
        raise Failure(f"securitySchemes is {json.dumps(schemes)[:80]}, not a map of scheme name to scheme")
    problems: list[str] = []
    for name, scheme in schemes.items():
        if ctx.version == wire.V10:
            found = ctx.errors("SecurityScheme", scheme)
        else:
            kind = scheme.get("type") if isinstance(scheme, dict) else None
            definition = SCHEME_DEFINITIONS_V03.get(str(kind))
            found = ctx.errors(definition, scheme) if definition else [
                f"type is {json.dumps(kind)}, not one of {', '.join(SCHEME_DEFINITIONS_V03)}"]
        problems += [f"{name!r}: {p}" for p in found]
    fail_all(problems, "securitySchemes entries are not valid schemes")


@check("a2a.card.security-refs-defined", protocol="a2a")
def security_requirements_name_defined_schemes(ctx: A2aContext) -> None:
    card = served_card(ctx)
    owners = [("the card", card)] + [(f"skills[{i}]", s) for i, s in enumerate(items(card.get("skills")))
                                         if isinstance(s, dict)]
    defined = set(security_schemes(card))
    used = [(where, name) for where, owner in owners for entry in security_requirements(owner, ctx.version)
            for name in required_scheme_names(entry, ctx.version)]
    if not used:
        raise NotApplicable("the card and its skills name no security requirement")
    fail_all([f"{where} requires {name!r}" for where, name in used if name not in defined],
             f"security requirements name schemes that securitySchemes does not define (defined: {sorted(defined)})")


@check("a2a.card.oauth-flow-urls", protocol="a2a")
def oauth_flows_are_usable(ctx: A2aContext) -> None:
    card = served_card(ctx)
    flows_seen = 0
    problems: list[str] = []
    for name, scheme in security_schemes(card).items():
        kind, fields = scheme_kind(scheme, ctx.version)
        if kind != "oauth2" or not isinstance(fields.get("flows"), dict):
            continue
        flows = {k: v for k, v in fields["flows"].items() if isinstance(v, dict)}
        flows_seen += 1
        if ctx.version == wire.V10 and len(flows) != 1:
            problems.append(f"{name!r} gives {len(flows)} flows ({', '.join(flows) or 'none'}); OAuthFlows holds "
                            "exactly one")
        for flow_name, flow in flows.items():
            for member in FLOW_URLS:
                if member in flow and not is_absolute_url(flow[member]):
                    problems.append(f"{name!r}.{flow_name}.{member} is {json.dumps(flow[member])[:80]}, not an "
                                    "absolute URL")
                elif (ctx.version == wire.V03 and flow_name == "authorizationCode" and member in flow
                      and urlsplit(flow[member]).scheme != "https"):
                    problems.append(f"{name!r}.authorizationCode.{member} {flow[member]!r} does not use https")
    if not flows_seen:
        raise NotApplicable("the card declares no OAuth 2.0 scheme with flows")
    fail_all(problems, "OAuth flows in the card are unusable")


# --- signatures -----------------------------------------------------------------------------------------
def signatures(card: dict[str, Any]) -> list[Any]:
    found = card.get("signatures")
    if not found:
        raise NotApplicable("the card carries no signatures")
    return items(found) or [found]


def b64url_decode(text: str) -> bytes:
    if not BASE64URL.fullmatch(text):
        raise ValueError("not base64url (only A-Z a-z 0-9 - _ without padding)")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def protected_header(signature: Any) -> dict[str, Any]:
    """The decoded protected header of one signature; ValueError saying what is wrong."""
    if not isinstance(signature, dict):
        raise ValueError("the entry is not an object")
    protected = signature.get("protected")
    if not isinstance(protected, str) or not protected:
        raise ValueError(f"protected is {json.dumps(protected)[:60]}, not a non-empty string")
    try:
        header = json.loads(b64url_decode(protected))
    except (ValueError, binascii.Error) as error:
        raise ValueError(f"protected does not decode to JSON ({error})") from None
    if not isinstance(header, dict):
        raise ValueError(f"protected decodes to {json.dumps(header)[:60]}, not a JSON object")
    return header


@check("a2a.card.signature-format", protocol="a2a")
def signatures_are_jws(ctx: A2aContext) -> None:
    problems: list[str] = []
    for index, signature in enumerate(signatures(served_card(ctx))):
        try:
            header = protected_header(signature)
        except ValueError as error:
            problems.append(f"signatures[{index}]: {error}")
            continue
        value = signature.get("signature")
        if not isinstance(value, str) or not value:
            problems.append(f"signatures[{index}].signature is {json.dumps(value)[:60]}, not a string")
        if ctx.version == wire.V10:
            if isinstance(value, str) and not BASE64URL.fullmatch(value):
                problems.append(f"signatures[{index}].signature is not base64url")
            problems += [f"signatures[{index}]'s protected header has no {name}" for name in ("alg", "kid")
                         if not non_empty_string(header.get(name))]
    fail_all(problems, "card signatures are not well-formed JWS (8.4.2)")


@check("a2a.card.signature-typ", protocol="a2a")
def signatures_are_typed_jose(ctx: A2aContext) -> None:
    problems: list[str] = []
    for index, signature in enumerate(signatures(served_card(ctx))):
        try:
            typ = protected_header(signature).get("typ")
        except ValueError:
            continue  # a2a.card.signature-format judges that
        if typ != "JOSE":
            problems.append(f"signatures[{index}] has typ {json.dumps(typ)}")
    fail_all(problems, 'card signature headers should set typ to "JOSE" (8.4.2)')


@check("a2a.card.signature-verifies", protocol="a2a")
def signatures_verify(ctx: A2aContext) -> None:
    card = served_card(ctx)
    entries = signatures(card)
    unsigned = {k: v for k, v in card.items() if k != "signatures"}
    checked, problems, unknown = 0, [], []
    for index, signature in enumerate(entries):
        try:
            header = protected_header(signature)
        except ValueError:
            continue  # a2a.card.signature-format judges that
        key, why = signing_key(ctx, header, signature.get("header"))
        if key is None:
            unknown.append(f"signatures[{index}]: {why}")
            continue
        checked += 1
        verdict = verify_card(unsigned, signature, header, key)
        if verdict is not None:
            problems.append(f"signatures[{index}] (alg {header.get('alg')}, kid {header.get('kid')}): {verdict}")
    fail_all(problems, "card signatures do not verify over the RFC 8785 form of the card without signatures (8.4.1)")
    if not checked:
        raise Skip("no signing key available to accord: " + "; ".join(unknown[:SHOWN]))


# --- caching --------------------------------------------------------------------------------------------
@check("a2a.card.cache-control", protocol="a2a")
def card_has_max_age(ctx: A2aContext) -> None:
    reply = refetch(ctx)
    value = reply.headers.get("cache-control", "")
    if not re.search(r"(^|[,\s])(s-)?max-age\s*=\s*\d+", value, re.IGNORECASE):
        raise Failure(f"the Agent Card response carries Cache-Control {value!r}"
                      f"{'' if value else ' (none)'}; 8.6.1 asks for one with a max-age directive")


@check("a2a.card.etag", protocol="a2a")
def card_has_etag(ctx: A2aContext) -> None:
    reply = refetch(ctx)
    if not reply.headers.get("etag", "").strip():
        raise Failure(f"the Agent Card response carries no ETag header (headers: {sorted(reply.headers)}); 8.6.1")


@check("a2a.card.last-modified", protocol="a2a")
def card_last_modified_is_http_date(ctx: A2aContext) -> None:
    value = refetch(ctx).headers.get("last-modified")
    if value is None:
        raise NotApplicable("the Agent Card response carries no Last-Modified header (it MAY)")
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        parsed = None
    if parsed is None or not value.strip().endswith("GMT"):
        raise Failure(f"Last-Modified {value!r} is not an HTTP date (RFC 9110 IMF-fixdate, e.g. "
                      "'Sun, 06 Nov 1994 08:49:37 GMT')")


# --- the extended card ----------------------------------------------------------------------------------
def extended_card(ctx: A2aContext, headers: dict[str, str]) -> Any:
    return ctx.call("GetExtendedAgentCard", {}, headers=headers)


@check("a2a.card.extended-valid", protocol="a2a")
def extended_card_is_complete(ctx: A2aContext) -> None:
    credentials = require_credentials(ctx)
    answer = extended_card(ctx, {**without_credentials(ctx), **credentials})
    if answer.error is not None and answer.error.is_(-32007):
        raise NotApplicable("the agent has no extended card configured (ExtendedAgentCardNotConfiguredError)")
    ctx.require_ok(answer, "GetExtendedAgentCard with the credentials given to accord")
    fail_all(ctx.result_errors(answer), "the extended Agent Card does not validate against the AgentCard schema")


@check("a2a.card.extended-requires-auth", protocol="a2a")
def extended_card_needs_credentials(ctx: A2aContext) -> None:
    for label, headers in (("without credentials", without_credentials(ctx)),
                           ("with invalid credentials", invalid_credentials(ctx))):
        answer = extended_card(ctx, headers)
        if answer.error is not None and answer.error.is_(-32007):
            raise NotApplicable("the agent has no extended card configured (ExtendedAgentCardNotConfiguredError): "
                                "there is nothing to protect")
        if answer.error is None and not answer.problems:
            raise Failure(f"GetExtendedAgentCard {label} returned {shown(answer)}; the extended card MUST require "
                          "authentication (13.3 / 0.3 7.10)")
        if ctx.version == wire.V10 and not is_auth_refusal(answer):
            raise Failure(f"GetExtendedAgentCard {label} was refused with {answer.describe()}, which is not an "
                          "authentication error (HTTP 401/403 or the binding's custom authentication error)")


@check("a2a.card.extended-not-configured", protocol="a2a")
def extended_card_missing_is_reported(ctx: A2aContext) -> None:
    credentials = given_credentials(ctx)
    answer = extended_card(ctx, {**without_credentials(ctx), **credentials})
    if answer.error is None and not answer.problems:
        raise NotApplicable("the agent has an extended card configured (GetExtendedAgentCard returned one)")
    if answer.error is not None and answer.error.is_(-32007):
        return
    if is_auth_refusal(answer):
        raise NotApplicable(f"GetExtendedAgentCard was refused for authentication ({answer.describe()}) and "
                            f"{'the credentials given did not help' if credentials else NO_CREDENTIAL}: whether "
                            "an extended card is configured cannot be seen")
    raise Failure(f"the card declares the extended agent card, but GetExtendedAgentCard answered {shown(answer)}; "
                  "with none configured the answer is ExtendedAgentCardNotConfiguredError (-32007) (3.3.4)")


@check("a2a.card.extended-cache-headers", protocol="a2a")
def extended_card_has_cache_headers(ctx: A2aContext) -> None:
    credentials = require_credentials(ctx)
    answer = extended_card(ctx, {**without_credentials(ctx), **credentials})
    if not answer.ok:
        raise Skip(f"GetExtendedAgentCard with the credentials given failed ({answer.describe()}); "
                   "see a2a.card.extended-valid")
    if ctx.binding.name == "grpc":
        raise NotApplicable("HTTP caching headers; the extended card came over gRPC, which has none")
    headers = answer.reply.headers
    if not any(headers.get(name, "").strip() for name in ("cache-control", "expires", "etag", "last-modified")):
        raise Failure("the extended Agent Card response carries no caching header (Cache-Control, Expires, ETag, "
                      f"Last-Modified; got {sorted(headers)}); 13.3 asks agents to control client-side caching")


@check("a2a.card.extended-401", protocol="a2a")
def extended_card_refusal_is_401_with_challenge(ctx: A2aContext) -> None:
    if ctx.binding.name == "grpc":
        raise NotApplicable("an HTTP status and header rule; a gRPC refusal carries a status code (UNAUTHENTICATED), "
                            "judged by a2a.card.extended-requires-auth")
    answer = extended_card(ctx, without_credentials(ctx))
    if answer.ok:
        raise NotApplicable("GetExtendedAgentCard without credentials returned a card; "
                            "a2a.card.extended-requires-auth judges that")
    status, challenge = answer.reply.status, answer.reply.headers.get("www-authenticate", "")
    if status != 401 or not challenge.strip():
        raise Failure(f"GetExtendedAgentCard without credentials answered HTTP {status} with WWW-Authenticate "
                      f"{challenge!r} ({answer.describe()}); 0.3 7.10 asks for 401 with a WWW-Authenticate header")


def canonical_number(value: float) -> str:
    """A number as RFC 8785 writes it (ECMAScript's shortest round-trip form)."""
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("NaN and infinities have no JSON form")
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits_tuple = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(map(str, digits_tuple.digits))
    point = len(digits) + int(digits_tuple.exponent)
    if len(digits) <= point <= 21:
        text = digits + "0" * (point - len(digits))
    elif 0 < point <= 21:
        text = digits[:point] + "." + digits[point:]
    elif -6 < point <= 0:
        text = "0." + "0" * -point + digits
    else:
        exponent = point - 1
        text = digits[0] + ("." + digits[1:] if len(digits) > 1 else "") + ("e+" if exponent > 0 else "e-") + str(
            abs(exponent))
    return sign + text


def canonical_json(value: Any) -> str:
    """RFC 8785 (JCS): keys sorted by UTF-16 code units, no whitespace, ECMAScript numbers."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + canonical_json(value[k]) for k in keys) + "}"
    if isinstance(value, list):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return str(value) if abs(value) < 2**53 else canonical_number(float(value))
    if isinstance(value, float):
        return canonical_number(value)
    return json.dumps(value, ensure_ascii=False)


# --- JWS verification (RFC 7515 over RFC 8785), with the cryptography package when it is installed ------
def signing_key(ctx: A2aContext, header: dict[str, Any], unprotected: Any) -> tuple[Any, str]:
    """(the public key, "") for a signature, from a jwk in its headers or a JWKS at its jku on the agent's
    own origin; (None, why not) otherwise."""
    try:
        import cryptography  # noqa: F401
    except ImportError:
        return None, "verifying needs the cryptography package, which is not installed"
    jwk = header.get("jwk") or (unprotected.get("jwk") if isinstance(unprotected, dict) else None)
    if isinstance(jwk, dict):
        return jwk_key(jwk)
    jku = header.get("jku")
    if not isinstance(jku, str):
        return None, f"kid {header.get('kid')!r} names a key accord has no way to fetch (no jku, no jwk)"
    peer = ctx.suite.open_peer()
    own = urlsplit(getattr(peer, "base_url", ""))
    where = urlsplit(jku)
    if (where.scheme, where.netloc) != (own.scheme, own.netloc):
        return None, f"the key set {jku} is not on the agent's origin; accord fetches keys only from there"
    reply = peer.request("GET", where.path + (f"?{where.query}" if where.query else ""))  # type: ignore[attr-defined]
    keys = body_of(reply).get("keys") if isinstance(body_of(reply), dict) else None
    if reply.status != 200 or not isinstance(keys, list):
        return None, f"GET {jku} gave {reply.describe()[:120]}, not a JWK set"
    match = [k for k in keys if isinstance(k, dict) and k.get("kid") == header.get("kid")]
    if not match:
        return None, f"the key set {jku} has no key with kid {header.get('kid')!r}"
    return jwk_key(match[0])


def jwk_key(jwk: dict[str, Any]) -> tuple[Any, str]:
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    def number(name: str) -> int:
        return int.from_bytes(b64url_decode(str(jwk.get(name, ""))), "big")

    curves = {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1, "P-521": ec.SECP521R1}
    try:
        if jwk.get("kty") == "RSA":
            return rsa.RSAPublicNumbers(number("e"), number("n")).public_key(), ""
        if jwk.get("kty") == "EC" and jwk.get("crv") in curves:
            return ec.EllipticCurvePublicNumbers(number("x"), number("y"), curves[jwk["crv"]]()).public_key(), ""
        if jwk.get("kty") == "OKP" and jwk.get("crv") in ("Ed25519", "Ed448"):
            kind = ed25519.Ed25519PublicKey if jwk["crv"] == "Ed25519" else ed448.Ed448PublicKey
            return kind.from_public_bytes(b64url_decode(str(jwk.get("x", "")))), ""
    except (ValueError, TypeError) as error:
        return None, f"the JWK is unusable ({error})"
    return None, f"accord cannot use a {jwk.get('kty')!r} key (curve {jwk.get('crv')!r})"


def without_defaults(value: Any) -> Any:
    """The card with empty arrays and objects left out (how a ProtoJSON writer omits unset repeated fields)."""
    if isinstance(value, dict):
        kept = {k: without_defaults(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in ([], {})}
    if isinstance(value, list):
        return [without_defaults(v) for v in value]
    return value


def verify_card(unsigned: dict[str, Any], signature: dict[str, Any], header: dict[str, Any], key: Any) -> str | None:
    """None when the signature verifies over the card as served or with unset fields omitted; else why not."""
    try:
        raw = b64url_decode(str(signature.get("signature", "")))
    except (ValueError, binascii.Error):
        return "the signature value is not base64url"
    for payload in (unsigned, without_defaults(unsigned)):
        encoded = base64.urlsafe_b64encode(canonical_json(payload).encode("utf-8")).rstrip(b"=")
        signing_input = str(signature.get("protected")).encode("ascii") + b"." + encoded
        verdict = jws_verify(str(header.get("alg")), key, raw, signing_input)
        if verdict is None:
            return None
    return verdict


def jws_verify(alg: str, key: Any, raw: bytes, signing_input: bytes) -> str | None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    digests = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
    try:
        if alg[:2] in ("RS", "PS") and alg[2:] in digests and isinstance(key, rsa.RSAPublicKey):
            digest = digests[alg[2:]]()
            pad = padding.PKCS1v15() if alg[:2] == "RS" else padding.PSS(padding.MGF1(digest), digest.digest_size)
            key.verify(raw, signing_input, pad, digest)
        elif alg[:2] == "ES" and alg[2:] in digests and isinstance(key, ec.EllipticCurvePublicKey):
            half = len(raw) // 2
            der = encode_dss_signature(int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big"))
            key.verify(der, signing_input, ec.ECDSA(digests[alg[2:]]()))
        elif alg in ("EdDSA", "Ed25519", "Ed448") and hasattr(key, "verify"):
            key.verify(raw, signing_input)
        else:
            return f"alg {alg!r} does not fit the key or is not one accord verifies"
    except InvalidSignature:
        return "the signature does not match"
    return None
