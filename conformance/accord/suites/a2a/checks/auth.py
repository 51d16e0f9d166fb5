"""Authentication: what the card says the agent demands, and whether requests without (or with bad)
credentials are refused, with 401 and a challenge, over modern TLS.

accord holds no credential for an arbitrary agent. A run may carry some as ``settings.headers`` (a
mapping of header name to value; no command-line option sets it yet); checks that need to act as an
authenticated client are not applicable without them. Requests meant to go without credentials blank
every credential header, so headers a run adds everywhere never leak into them.
"""

from __future__ import annotations

import base64
import socket
import ssl
import uuid
import warnings
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ....outcomes import Failure, NotApplicable, Skip
from ....registry import check
from .. import wire
from ..bindings import Answer
from ..card import declares
from ..context import A2aContext

NO_CREDENTIAL = "no credential given to accord"
AUTH_STATUSES = (401, 403)
GRPC_AUTH_STATUSES = ("UNAUTHENTICATED", "PERMISSION_DENIED")
TLS_TIMEOUT = 3.0


# --- what the card declares ----------------------------------------------------------------------
def security_schemes(card: Mapping[str, Any]) -> dict[str, Any]:
    schemes = card.get("securitySchemes")
    return schemes if isinstance(schemes, dict) else {}


def security_requirements(owner: Mapping[str, Any], version: str) -> list[Any]:
    """The security requirement entries of a card or a skill (1.0 securityRequirements, 0.3 security)."""
    entries = owner.get("securityRequirements" if version == wire.V10 else "security")
    return entries if isinstance(entries, list) else []


def required_scheme_names(entry: Any, version: str) -> list[str]:
    """Scheme names one requirement entry names (1.0: {"schemes": {name: ...}}; 0.3: {name: [scopes]})."""
    if not isinstance(entry, dict):
        return []
    names = entry.get("schemes") if version == wire.V10 else entry
    return [str(name) for name in names] if isinstance(names, dict) else []


def demands_credentials(card: Mapping[str, Any], version: str) -> bool:
    """Whether the card requires credentials for every request: at least one requirement entry, and no
    empty one (an empty entry makes going without credentials one of the accepted alternatives)."""
    entries = security_requirements(card, version)
    return bool(entries) and all(required_scheme_names(entry, version) for entry in entries)


def scheme_kind(scheme: Any, version: str) -> tuple[str, dict[str, Any]]:
    """(apiKey | http | oauth2 | openIdConnect | mtls | '', the scheme's fields) in either version's form."""
    if not isinstance(scheme, dict):
        return "", {}
    if version == wire.V10:
        members = {"apiKeySecurityScheme": "apiKey", "httpAuthSecurityScheme": "http", "oauth2SecurityScheme": "oauth2",
                   "openIdConnectSecurityScheme": "openIdConnect", "mtlsSecurityScheme": "mtls"}
        for member, kind in members.items():
            if isinstance(scheme.get(member), dict):
                return kind, scheme[member]
        return "", {}
    kind = {"mutualTLS": "mtls"}.get(str(scheme.get("type")), str(scheme.get("type") or ""))
    return kind, scheme


# --- credentials ---------------------------------------------------------------------------------
def given_credentials(ctx: A2aContext) -> dict[str, str]:
    """Credential headers the run was given (empty: none)."""
    return {str(name): str(value) for name, value in ctx.settings.headers}


def require_credentials(ctx: A2aContext) -> dict[str, str]:
    credentials = given_credentials(ctx)
    if not credentials:
        raise NotApplicable(f"{NO_CREDENTIAL}: the authenticated form of this requirement cannot be judged")
    return credentials


def credential_header_names(ctx: A2aContext) -> set[str]:
    names = {"Authorization", "Cookie", *given_credentials(ctx)}
    for scheme in security_schemes(ctx.card).values():
        kind, fields = scheme_kind(scheme, ctx.version)
        if kind == "apiKey" and str(fields.get("location") or fields.get("in")).lower() == "header" and fields.get("name"):
            names.add(str(fields["name"]))
    return names


def without_credentials(ctx: A2aContext) -> dict[str, str]:
    """Headers that remove every credential from a request (an empty value leaves a header out)."""
    return {name: "" for name in credential_header_names(ctx)}


def invalid_credentials(ctx: A2aContext) -> dict[str, str]:
    """Well-formed but wrong credentials for every scheme the card declares that travels in a header
    (a bearer token when it declares none accord can forge)."""
    junk = f"accord-invalid-{uuid.uuid4().hex}"
    forged: dict[str, str] = {}
    for scheme in security_schemes(ctx.card).values():
        kind, fields = scheme_kind(scheme, ctx.version)
        location = str(fields.get("location") or fields.get("in") or "").lower()
        if kind == "apiKey" and location == "header" and fields.get("name"):
            forged[str(fields["name"])] = junk
        elif kind == "apiKey" and location == "cookie" and fields.get("name"):
            forged["Cookie"] = f"{fields['name']}={junk}"
        elif kind == "http" and str(fields.get("scheme")).lower() == "basic":
            forged.setdefault("Authorization", "Basic " + base64.b64encode(f"accord:{junk}".encode()).decode())
        elif kind in ("http", "oauth2", "openIdConnect"):
            forged["Authorization"] = f"Bearer {junk}"
    forged.setdefault("Authorization", f"Bearer {junk}")
    return {**without_credentials(ctx), **forged}


# --- refusals ------------------------------------------------------------------------------------
def is_auth_refusal(answer: Answer) -> bool:
    """Whether an answer refuses for authentication: HTTP 401/403, or an error code that is neither a
    JSON-RPC standard code nor an A2A one (the binding's custom authentication error)."""
    if answer.reply.status in AUTH_STATUSES:
        return True
    error = answer.error
    if error is not None and error.rpc_status in GRPC_AUTH_STATUSES:
        return True
    return error is not None and error.code is not None and error.code not in wire.NAME_BY_CODE \
        and error.code not in wire.STANDARD_CODES


def shown(answer: Answer) -> str:
    if answer.error is not None or answer.problems:
        return answer.describe()
    return f"a success: {str(answer.result if answer.result is not None else answer.events)[:200]}"


def probe_operations(ctx: A2aContext) -> list[tuple[str, dict[str, Any]]]:
    """One harmless request per core operation (unknown task ids: nothing is touched if it is served)."""
    missing = f"accord-no-such-task-{uuid.uuid4().hex[:12]}"
    operations: list[tuple[str, dict[str, Any]]] = [
        ("SendMessage", {"message": ctx.message()}),
        ("GetTask", {"id": missing}),
        ("CancelTask", {"id": missing}),
    ]
    if ctx.binding.supports("ListTasks"):
        operations.append(("ListTasks", {"pageSize": 1}))
    return operations


def auth_refusal(ctx: A2aContext, headers: dict[str, str]) -> tuple[str, Answer] | None:
    """A request the agent refuses for authentication with ``headers``: SendMessage when the card demands
    credentials, else GetExtendedAgentCard when the card declares one; None when nothing should be refused."""
    if demands_credentials(ctx.card, ctx.version):
        return "SendMessage", ctx.call("SendMessage", {"message": ctx.message()}, headers=headers)
    if extended_card_declared(ctx):
        return "GetExtendedAgentCard", ctx.call("GetExtendedAgentCard", {}, headers=headers)
    return None


def extended_card_declared(ctx: A2aContext) -> bool:
    return declares(ctx.card, "extendedAgentCard" if ctx.version == wire.V10 else "supportsAuthenticatedExtendedCard")


def refusal_to_judge(ctx: A2aContext) -> tuple[str, Answer]:
    found = auth_refusal(ctx, without_credentials(ctx))
    if found is None:
        raise NotApplicable("the card demands no credentials (no security requirement without an empty "
                            "alternative) and declares no extended agent card: there is no refusal to judge")
    operation, answer = found
    if not is_auth_refusal(answer):
        raise NotApplicable(f"{operation} without credentials was not refused for authentication "
                            f"({shown(answer)}); a2a.auth.unauthenticated-rejected judges that")
    return operation, answer


# --- checks ----------------------------------------------------------------------------------------
@check("a2a.auth.requirements-declared", protocol="a2a")
def demanded_credentials_are_declared(ctx: A2aContext) -> None:
    answer = ctx.call("SendMessage", {"message": ctx.message()}, headers=without_credentials(ctx))
    field = "securityRequirements" if ctx.version == wire.V10 else "security"
    if is_auth_refusal(answer):
        if not security_schemes(ctx.card) or not security_requirements(ctx.card, ctx.version):
            raise Failure(f"SendMessage without credentials was refused for authentication ({answer.describe()}), "
                          f"but the card declares securitySchemes {list(security_schemes(ctx.card))} and {field} "
                          f"{security_requirements(ctx.card, ctx.version)}: an agent that demands credentials "
                          "declares them in both (7.4 / 0.3 4.4)")
        return
    if extended_card_declared(ctx):
        extended = ctx.call("GetExtendedAgentCard", {}, headers=without_credentials(ctx))
        if is_auth_refusal(extended):
            if not security_schemes(ctx.card):
                raise Failure(f"GetExtendedAgentCard without credentials was refused ({extended.describe()}), but "
                              "the card declares no securitySchemes: clients authenticate with a scheme the public "
                              "card declares (3.1.11 / 0.3 7.10)")
            return
    raise NotApplicable("the agent demanded no credentials: SendMessage without any was not refused for "
                        f"authentication ({shown(answer)})")


@check("a2a.auth.unauthenticated-rejected", protocol="a2a")
def requests_without_credentials_refused(ctx: A2aContext) -> None:
    if not demands_credentials(ctx.card, ctx.version):
        raise NotApplicable("the card declares no security requirement (or an empty alternative): requests "
                            "without credentials are allowed")
    served = []
    for operation, params in probe_operations(ctx):
        answer = ctx.call(operation, params, headers=without_credentials(ctx))
        if not is_auth_refusal(answer):
            served.append(f"{operation}: {shown(answer)}")
    if served:
        raise Failure("the card declares security requirements, yet requests without credentials were not refused "
                      "for authentication (7.4: every request is authenticated): " + "; ".join(served[:4]))


@check("a2a.auth.invalid-credentials-rejected", protocol="a2a")
def requests_with_bad_credentials_refused(ctx: A2aContext) -> None:
    forged = invalid_credentials(ctx)
    shown_headers = {k: v for k, v in forged.items() if v}
    if demands_credentials(ctx.card, ctx.version):
        operations = probe_operations(ctx)
    elif extended_card_declared(ctx):
        operations = [("GetExtendedAgentCard", {})]
    else:
        raise NotApplicable("the card demands no credentials and declares no extended agent card")
    served = []
    for operation, params in operations:
        answer = ctx.call(operation, params, headers=forged)
        if answer.ok or (operation != "GetExtendedAgentCard" and not is_auth_refusal(answer)):
            served.append(f"{operation}: {shown(answer)}")
    if served:
        raise Failure(f"requests with invalid credentials {shown_headers} were not refused for authentication: "
                      + "; ".join(served[:4]))


@check("a2a.auth.status-401", protocol="a2a")
def authentication_failure_is_401(ctx: A2aContext) -> None:
    if ctx.binding.name == "grpc":
        raise NotApplicable("an HTTP status rule; a gRPC refusal carries a status code (UNAUTHENTICATED), judged by "
                            "a2a.auth.unauthenticated-rejected and a2a.auth.invalid-credentials-rejected")
    operation, answer = refusal_to_judge(ctx)
    allowed = (401,) if ctx.version == wire.V10 else AUTH_STATUSES
    if answer.reply.status not in allowed:
        raise Failure(f"{operation} without credentials was refused with HTTP {answer.reply.status} "
                      f"({answer.describe()}); an authentication failure answers HTTP "
                      f"{' or '.join(map(str, allowed))}")


@check("a2a.auth.challenge", protocol="a2a")
def authentication_failure_names_scheme(ctx: A2aContext) -> None:
    operation, answer = refusal_to_judge(ctx)
    challenge = answer.reply.headers.get("www-authenticate", "")
    if ctx.version == wire.V03 and answer.reply.status != 401:
        raise NotApplicable(f"{operation} was refused with HTTP {answer.reply.status}, not 401; 0.3 asks for "
                            "WWW-Authenticate on a 401 only")
    if challenge.strip():
        return
    message = (answer.error.message if answer.error else "") or ""
    named = [name for name in security_schemes(ctx.card) if name.lower() in message.lower()]
    if ctx.version == wire.V10 and named:
        return
    raise Failure(f"{operation} without credentials was refused ({answer.describe()}) with no WWW-Authenticate "
                  "header" + ("" if ctx.version == wire.V03 else " and no declared scheme named in the error")
                  + ": authentication failures say which scheme is required (7.4 / 0.3 4.4)")


@check("a2a.auth.modern-tls", protocol="a2a")
def tls_is_modern(ctx: A2aContext) -> None:
    url = urlsplit(ctx.suite.interface.url if ctx.suite.interface else "")
    if url.scheme != "https":
        raise NotApplicable(f"the interface under test is not served over TLS ({url.scheme or 'no'} scheme)")
    host, port = url.hostname or "", url.port or 443
    modern = tls_handshake(host, port, ssl.TLSVersion.TLSv1_2, None)
    if modern is not None:
        raise Failure(f"a TLS 1.2+ handshake with {host}:{port} failed: {modern}")
    for old in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
        if not client_can_offer(old):
            continue
        if tls_handshake(host, port, old, old) is None:
            raise Failure(f"{host}:{port} completed a {old.name} handshake; 13.4 asks to refuse SSL 3.0, "
                          "TLS 1.0 and TLS 1.1")
    if not any(client_can_offer(v) for v in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1)):
        raise Skip("TLS 1.2+ works, but this Python/OpenSSL cannot offer TLS 1.0 or 1.1, so whether the "
                   "endpoint refuses them cannot be tried here")


def client_can_offer(version: ssl.TLSVersion) -> bool:
    try:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = version
            context.maximum_version = version
            context.set_ciphers("ALL:@SECLEVEL=0")
    except (ValueError, ssl.SSLError):
        return False
    return ssl.HAS_TLSv1 if version == ssl.TLSVersion.TLSv1 else ssl.HAS_TLSv1_1


def tls_handshake(host: str, port: int, minimum: ssl.TLSVersion, maximum: ssl.TLSVersion | None) -> str | None:
    """None when a handshake within [minimum, maximum] completes; else why not. Certificates are not
    verified: only the protocol version is judged here."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # offering an old version is the point
            context.minimum_version = minimum
            if maximum is not None:
                context.maximum_version = maximum
                context.set_ciphers("ALL:@SECLEVEL=0")
    except (ValueError, ssl.SSLError) as error:
        return f"this client cannot offer it ({error})"
    try:
        with socket.create_connection((host, port), timeout=TLS_TIMEOUT) as raw:
            with context.wrap_socket(raw, server_hostname=host):
                return None
    except (OSError, ssl.SSLError) as error:
        return str(error) or type(error).__name__
