"""Authentication checks (a2a.auth.*) against the reference agent and patched versions of it that demand a
bearer token for everything, declare it or not, and refuse in different ways."""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request

from accord.outcomes import Outcome
from accord.suites.a2a.checks.auth import tls_handshake
from accord_fixtures.a2a_reference import BEARER_TOKEN

from .judging import BINDINGS, VERSIONS, explain, judge
from .test_card import PatchedAgent, judge_with_headers

AREA = ["a2a.auth."]
HERE = "a2a+asgi:tests.checks.a2a.test_auth"
JUDGED = ["a2a.auth.requirements-declared", "a2a.auth.unauthenticated-rejected",
          "a2a.auth.invalid-credentials-rejected", "a2a.auth.status-401", "a2a.auth.challenge"]


def bearer_required(card: dict[str, Any], version: str | None) -> dict[str, Any]:
    if version == "1.0":
        card["securityRequirements"] = [{"schemes": {"bearer": {"list": []}}}]
    else:
        card["security"] = [{"bearer": []}]
    return card


def refuse_without_token(operation: str, request: Request) -> str | None:
    if request.headers.get("authorization", "") != f"Bearer {BEARER_TOKEN}":
        return "unauthenticated"
    return None


guarded = PatchedAgent(bearer_required, refuse_without_token)
guarded_silently = PatchedAgent(bearer_required, refuse_without_token, challenge=False)
guarded_undeclared = PatchedAgent(refuse=refuse_without_token)
unguarded = PatchedAgent(bearer_required)


def outcomes(attr: str, version: str, binding: str) -> dict[str, Outcome]:
    results = judge(JUDGED, version=version, binding=binding, target=f"{HERE}:{attr}")
    print(explain(results))
    return {rid: results[rid].outcome for rid in JUDGED}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("binding", BINDINGS)
def test_reference_agent(version: str, binding: str) -> None:
    results = judge(AREA, version=version, binding=binding)
    expected = {"a2a.auth.requirements-declared": Outcome.PASS,  # the extended card's refusal, with schemes declared
                "a2a.auth.unauthenticated-rejected": Outcome.NOT_APPLICABLE,
                "a2a.auth.invalid-credentials-rejected": Outcome.PASS,
                "a2a.auth.status-401": Outcome.PASS, "a2a.auth.challenge": Outcome.PASS}
    if version == "1.0":
        expected["a2a.auth.modern-tls"] = Outcome.NOT_APPLICABLE
    for rid, result in results.items():
        if rid in expected:
            assert result.outcome is expected[rid], explain(results)
        else:
            assert result.outcome is Outcome.SKIP and "not judged by accord" in result.message, explain(results)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("binding", BINDINGS)
def test_declared_and_enforced_passes(version: str, binding: str) -> None:
    assert set(outcomes("guarded", version, binding).values()) == {Outcome.PASS}


@pytest.mark.parametrize("version", VERSIONS)
def test_refusal_without_401_or_challenge_fails(version: str) -> None:
    found = outcomes("guarded_silently", version, "jsonrpc")
    assert found["a2a.auth.unauthenticated-rejected"] is Outcome.PASS  # a custom JSON-RPC error is a refusal
    assert found["a2a.auth.status-401"] is Outcome.FAIL
    assert found["a2a.auth.challenge"] is (Outcome.FAIL if version == "1.0" else Outcome.NOT_APPLICABLE)


@pytest.mark.parametrize("version", VERSIONS)
def test_undeclared_demand_fails(version: str) -> None:
    found = outcomes("guarded_undeclared", version, "http-json")
    assert found["a2a.auth.requirements-declared"] is Outcome.FAIL
    assert found["a2a.auth.unauthenticated-rejected"] is Outcome.NOT_APPLICABLE


@pytest.mark.parametrize("version", VERSIONS)
def test_declared_but_not_enforced_fails(version: str) -> None:
    found = outcomes("unguarded", version, "jsonrpc")
    assert found["a2a.auth.unauthenticated-rejected"] is Outcome.FAIL
    assert found["a2a.auth.invalid-credentials-rejected"] is Outcome.FAIL


def test_run_credentials_are_stripped_from_unauthenticated_requests() -> None:
    """With the right token given to the run, checks of refusals still send requests without it."""
    results = judge_with_headers(JUDGED, {"Authorization": f"Bearer {BEARER_TOKEN}"}, "1.0", "jsonrpc",
                                 target=f"{HERE}:guarded")
    assert {r.outcome for r in results.values()} == {Outcome.PASS}, explain(results)


# --- TLS versions ---------------------------------------------------------------------------------------------
def _self_signed(tmp: Path) -> tuple[Path, Path]:
    crypto = pytest.importorskip("cryptography")
    del crypto
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(hours=1)).sign(key, hashes.SHA256()))
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_tls_handshake_sees_the_versions_a_server_accepts(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)
    port = listener.getsockname()[1]

    def serve(count: int) -> None:
        for _ in range(count):
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(conn, server_side=True):
                    pass
            except (OSError, ssl.SSLError):
                pass

    worker = threading.Thread(target=serve, args=(2,), daemon=True)
    worker.start()
    try:
        assert tls_handshake("127.0.0.1", port, ssl.TLSVersion.TLSv1_2, None) is None
        old = tls_handshake("127.0.0.1", port, ssl.TLSVersion.TLSv1_1, ssl.TLSVersion.TLSv1_1)
        assert old is not None
    finally:
        listener.close()
        worker.join(timeout=5)
