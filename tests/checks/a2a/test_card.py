"""Agent card checks (a2a.card.*) against the reference agent, its faults, and patched versions of it that
each get one thing about the card wrong. ``PatchedAgent`` is shared with test_capabilities and test_auth."""

from __future__ import annotations

import base64
import copy
import json
import re
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from accord.engine import run
from accord.outcomes import Outcome
from accord.peer import Limits
from accord.settings import RunSettings
from accord.specs import SpecRef, load_spec
from accord.suites.a2a import wire
from accord.suites.a2a.checks.card import canonical_json, canonical_number
from accord_fixtures.a2a_reference import BEARER_TOKEN, FAULTS, make_app
from accord_fixtures.a2a_reference.card import CARD_PATH, card_for
from accord_fixtures.a2a_reference.errors import A2AError
from accord_fixtures.a2a_reference.rest import error_response
from accord_fixtures.a2a_reference.versions import select_version

from .judging import BINDINGS, VERSIONS, explain, judge

AREA = ["a2a.card."]
Refuse = Callable[[str, Request], "str | None"]
"""(1.0 operation name, request) -> the reference errors.KINDS name to refuse it with, or None to serve it."""
OPERATION_BY_V03_METHOD = {method: operation for operation, method in wire.JSONRPC_METHODS_V03.items()}


def rest_operation(path: str, verb: str) -> str | None:
    path = re.sub(r"^/a2a/rest(/v1)?", "", path)
    if path == "/card":
        return "GetExtendedAgentCard"
    for operation, (route_verb, template) in wire.REST_ROUTES.items():
        if route_verb == verb and re.fullmatch(re.sub(r"\{\w+\}", "[^/:]+", template), path):
            return operation
    return None


@dataclass
class PatchedAgent:
    """The reference agent with its card rewritten by ``patch`` (card, version or None -> card), served with
    ``card_headers``, and operations refused by ``refuse`` before they reach it."""

    patch: Callable[[dict[str, Any], str | None], dict[str, Any]] | None = None
    refuse: Refuse | None = None
    card_headers: dict[str, str] = field(default_factory=lambda: {"Cache-Control": "max-age=60", "ETag": '"v1"'})
    challenge: bool = True
    """Whether an "unauthenticated" refusal on JSON-RPC comes as HTTP 401 with WWW-Authenticate (else 200, bare)."""

    def __post_init__(self) -> None:
        self.inner = make_app()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.inner(scope, receive, send)
        request = Request(scope, receive)
        if scope["path"] == CARD_PATH:
            version = select_version(request.headers, request.query_params) if request.headers.get("a2a-version") else None
            card = card_for(version, str(request.base_url).rstrip("/"))
            card = self.patch(copy.deepcopy(card), version) if self.patch else card
            return await JSONResponse(card, headers=self.card_headers)(scope, receive, send)
        body = await request.body()
        refusal = self.refusal(request, body)
        if refusal is not None:
            return await refusal(scope, receive, send)
        delivered = False

        async def replay() -> Any:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.inner(scope, replay, send)

    def refusal(self, request: Request, body: bytes) -> Response | None:
        if self.refuse is None:
            return None
        version = select_version(request.headers, request.query_params)
        envelope: Any = None
        if request.url.path.startswith("/a2a/jsonrpc"):
            envelope = json.loads(body or b"null")
            method = envelope.get("method") if isinstance(envelope, dict) else None
            operation = method if version == wire.V10 else OPERATION_BY_V03_METHOD.get(str(method))
        else:
            operation = rest_operation(request.url.path, request.method)
        kind = self.refuse(str(operation), request) if operation else None
        if kind is None:
            return None
        error = A2AError(kind, f"refused by the test agent: {kind}")
        challenged = kind == "unauthenticated" and self.challenge
        if envelope is None:
            return error_response(error)
        return JSONResponse({"jsonrpc": "2.0", "id": envelope.get("id"), "error": error.jsonrpc_error(version)},
                            status_code=401 if challenged else 200,
                            headers={"WWW-Authenticate": 'Bearer realm="test"'} if challenged else {})


def judge_with_headers(ids: list[str], headers: dict[str, str], version: str, binding: str, target: str | None = None):
    """Like judge(), with credential headers given to the run (as `accord run --header` gives them)."""
    settings = RunSettings(seed=0, only=frozenset(ids), limits=Limits(read_timeout=5.0), headers=tuple(headers.items()))
    chosen = (target or "a2a+asgi:accord_fixtures.a2a_reference:app") + f"#{binding}"
    return {r.id: r for r in run(load_spec(SpecRef("a2a", version)), chosen, settings).results}


# --- the reference agent -------------------------------------------------------------------------------
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("binding", BINDINGS)
def test_reference_agent_passes_card_checks(version: str, binding: str) -> None:
    results = judge(AREA, version=version, binding=binding)
    allowed_na = {"a2a.card.security-refs-defined", "a2a.card.oauth-flow-urls", "a2a.card.signature-format",
                  "a2a.card.signature-typ", "a2a.card.signature-verifies", "a2a.card.last-modified",
                  "a2a.card.extended-valid", "a2a.card.extended-not-configured", "a2a.card.extended-cache-headers"}
    for rid, result in results.items():
        if result.outcome is Outcome.SKIP:
            assert "not judged by accord" in result.message, explain(results)
        elif rid in allowed_na:
            assert result.outcome in (Outcome.PASS, Outcome.NOT_APPLICABLE), explain(results)
        else:
            assert result.outcome is Outcome.PASS, explain(results)
    assert "no credential given to accord" in results["a2a.card.extended-valid"].message


@pytest.mark.parametrize("version", VERSIONS)
def test_extended_card_judged_with_credentials(version: str) -> None:
    ids = ["a2a.card.extended-valid", "a2a.card.extended-requires-auth", "a2a.card.extended-not-configured"]
    results = judge_with_headers(ids, {"Authorization": f"Bearer {BEARER_TOKEN}"}, version, "jsonrpc")
    assert results["a2a.card.extended-valid"].outcome is Outcome.PASS, explain(results)
    assert results["a2a.card.extended-requires-auth"].outcome is Outcome.PASS, explain(results)
    assert results["a2a.card.extended-not-configured"].outcome is Outcome.NOT_APPLICABLE, explain(results)


@pytest.mark.parametrize("binding", BINDINGS)
def test_reference_extended_card_has_cache_headers(binding: str) -> None:
    """The extended card answers with Cache-Control, ETag and Vary, as the public card does (JSON-RPC: on the
    HTTP response that carries the envelope)."""
    rid = "a2a.card.extended-cache-headers"
    results = judge_with_headers([rid], {"Authorization": f"Bearer {BEARER_TOKEN}"}, "1.0", binding)
    assert results[rid].outcome is Outcome.PASS, explain(results)


@pytest.mark.parametrize("fault", sorted(f for f, rid in FAULTS.items() if rid.startswith("a2a.card.")))
@pytest.mark.parametrize("version", VERSIONS)
def test_card_faults_fail(fault: str, version: str) -> None:
    rid = FAULTS[fault]
    results = judge(rid, version=version, fault=fault)
    if rid in results:
        assert results[rid].outcome is Outcome.FAIL, explain(results)


# --- patched cards --------------------------------------------------------------------------------------
def _without_skill_tags(card: dict[str, Any], version: str | None) -> dict[str, Any]:
    card["skills"][0]["tags"] = []
    card["skills"][0]["inputModes"] = ["plain text"]
    return card


def _stringly_capabilities(card: dict[str, Any], version: str | None) -> dict[str, Any]:
    card["capabilities"]["pushNotifications"] = "yes"
    card["capabilities"]["extensions"] = [{"description": "no uri"}]
    return card


def _broken_security(card: dict[str, Any], version: str | None) -> dict[str, Any]:
    if version == "1.0":
        card["securitySchemes"]["twice"] = {"httpAuthSecurityScheme": {"scheme": "Bearer"},
                                            "apiKeySecurityScheme": {"location": "header", "name": "X-Key"}}
        card["securityRequirements"] = [{"schemes": {"undefined-scheme": {"list": []}}}]
        card["securitySchemes"]["oauth"] = {"oauth2SecurityScheme": {"flows": {
            "clientCredentials": {"tokenUrl": "/token", "scopes": {}},
            "authorizationCode": {"authorizationUrl": "https://a.example/auth", "tokenUrl": "https://a.example/t",
                                  "scopes": {}}}}}
    else:
        card["securitySchemes"]["twice"] = {"type": "apiKey", "name": "X-Key"}
        card["security"] = [{"undefined-scheme": []}]
        card["securitySchemes"]["oauth"] = {"type": "oauth2", "flows": {"authorizationCode": {
            "authorizationUrl": "http://a.example/auth", "tokenUrl": "http://a.example/t", "scopes": {}}}}
    return card


def _no_cache_headers(card: dict[str, Any], version: str | None) -> dict[str, Any]:
    return card


without_skill_tags = PatchedAgent(_without_skill_tags)
stringly_capabilities = PatchedAgent(_stringly_capabilities)
broken_security = PatchedAgent(_broken_security)
no_cache_headers = PatchedAgent(_no_cache_headers, card_headers={"Last-Modified": "yesterday"})
HERE = "a2a+asgi:tests.checks.a2a.test_card"


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("attr, rids", [
    ("without_skill_tags", ["a2a.card.skills-valid"]),
    ("stringly_capabilities", ["a2a.card.capabilities-booleans", "a2a.card.schema-valid"]),
    ("broken_security", ["a2a.card.security-schemes-valid", "a2a.card.security-refs-defined",
                         "a2a.card.oauth-flow-urls"]),
])
def test_patched_cards_fail(attr: str, rids: list[str], version: str) -> None:
    results = judge(rids, version=version, target=f"{HERE}:{attr}")
    for rid in rids:
        assert results[rid].outcome is Outcome.FAIL, explain(results)


def test_missing_cache_headers_fail() -> None:
    rids = ["a2a.card.cache-control", "a2a.card.etag", "a2a.card.last-modified"]
    results = judge(rids, version="1.0", target=f"{HERE}:no_cache_headers")
    assert all(results[rid].outcome is Outcome.FAIL for rid in rids), explain(results)


# --- signatures ---------------------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signer(tamper: bool = False, typ: str = "JOSE") -> Callable[[dict[str, Any], str | None], dict[str, Any]]:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.public_key().public_numbers()
    jwk = {"kty": "EC", "crv": "P-256", "x": _b64(numbers.x.to_bytes(32, "big")), "y": _b64(numbers.y.to_bytes(32, "big"))}

    def sign(card: dict[str, Any], version: str | None) -> dict[str, Any]:
        protected = _b64(json.dumps({"alg": "ES256", "typ": typ, "kid": "k1", "jwk": jwk}).encode())
        payload = _b64(canonical_json(card).encode())
        r, s = decode_dss_signature(key.sign(f"{protected}.{payload}".encode(), ec.ECDSA(hashes.SHA256())))
        signature = _b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
        if tamper:
            card["name"] = "someone else"
        card["signatures"] = [{"protected": protected, "signature": signature}]
        return card

    return sign


def _garbled_signature(card: dict[str, Any], version: str | None) -> dict[str, Any]:
    card["signatures"] = [{"protected": "not+base64url=", "signature": _b64(b"sig")}]
    return card


HAS_CRYPTOGRAPHY = importlib.util.find_spec("cryptography") is not None
needs_cryptography = pytest.mark.skipif(not HAS_CRYPTOGRAPHY, reason="signing test cards needs the cryptography package")
if HAS_CRYPTOGRAPHY:
    signed = PatchedAgent(_signer())
    tampered = PatchedAgent(_signer(tamper=True, typ="JWT"))
garbled_signature = PatchedAgent(_garbled_signature)


@needs_cryptography
def test_valid_signature_passes() -> None:
    rids = ["a2a.card.signature-format", "a2a.card.signature-typ", "a2a.card.signature-verifies"]
    results = judge(rids, version="1.0", target=f"{HERE}:signed")
    assert all(results[rid].outcome is Outcome.PASS for rid in rids), explain(results)


@needs_cryptography
def test_tampered_card_fails_verification_and_typ() -> None:
    rids = ["a2a.card.signature-format", "a2a.card.signature-typ", "a2a.card.signature-verifies"]
    results = judge(rids, version="1.0", target=f"{HERE}:tampered")
    assert results["a2a.card.signature-format"].outcome is Outcome.PASS, explain(results)
    assert results["a2a.card.signature-typ"].outcome is Outcome.FAIL, explain(results)
    assert results["a2a.card.signature-verifies"].outcome is Outcome.FAIL, explain(results)


@pytest.mark.parametrize("version", VERSIONS)
def test_garbled_signature_fails_format(version: str) -> None:
    results = judge("a2a.card.signature-format", version=version, target=f"{HERE}:garbled_signature")
    assert results["a2a.card.signature-format"].outcome is Outcome.FAIL, explain(results)


@pytest.mark.parametrize("value, text", [
    (0.0, "0"), (1.0, "1"), (-1.5, "-1.5"), (1e21, "1e+21"), (1e20, "100000000000000000000"), (1e-7, "1e-7"),
    (0.000001, "0.000001"), (123.456, "123.456"), (5e-324, "5e-324"),
])
def test_canonical_numbers_follow_ecmascript(value: float, text: str) -> None:
    assert canonical_number(value) == text


def test_canonical_json_sorts_by_utf16_and_strips_whitespace() -> None:
    value = {"b": [1, True, None], "a": "é\n", "\uff61": 1, "\U0001F600": 2}
    # U+1F600 is the surrogate pair D83D DE00 in UTF-16, so it sorts before U+FF61 (code points would not)
    assert canonical_json(value) == '{"a":"é\\n","b":[1,true,null],"\U0001F600":2,"\uff61":1}'
