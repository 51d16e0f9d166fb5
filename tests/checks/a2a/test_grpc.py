"""The gRPC binding, judged against the reference agent serving it in process (grpc_app): it passes every gRPC
requirement, the HTTP-only rules say why they do not apply, and the shared rules hold. The gRPC faults are in
tests/test_a2a_broken_variants.py with the others."""

from __future__ import annotations

import pytest

from accord.outcomes import Outcome

from .judging import explain, judge

pytest.importorskip("grpc", reason="the gRPC binding needs grpcio (pip install 'a2a-sdk[grpc]')")

GRPC_REFERENCE = "a2a+asgi:accord_fixtures.a2a_reference:grpc_app#grpc"
GRPC_REQUIREMENTS = ["a2a.grpc.", "a2a.errors.grpc-status-map", "a2a.errors.grpc-error-info"]


def test_the_reference_meets_every_grpc_requirement() -> None:
    results = judge(GRPC_REQUIREMENTS, target=GRPC_REFERENCE)
    assert set(results) == {"a2a.grpc.service", "a2a.grpc.metadata-params", "a2a.grpc.server-streaming",
                            "a2a.grpc.invalid-argument", "a2a.errors.grpc-status-map", "a2a.errors.grpc-error-info"}
    assert all(r.outcome == Outcome.PASS for r in results.values()), explain(results)


def test_http_only_rules_are_not_applicable_over_grpc_and_say_why() -> None:
    results = judge(["a2a.stream.sse", "a2a.versioning.query-parameter", "a2a.schema.enum-names",
                     "a2a.auth.status-401"], target=GRPC_REFERENCE)
    assert all(r.outcome == Outcome.NOT_APPLICABLE for r in results.values()), explain(results)
    assert "server-streaming" in results["a2a.stream.sse"].message
    assert "metadata" in results["a2a.versioning.query-parameter"].message


def test_the_shared_rules_hold_over_grpc_too() -> None:
    results = judge(["a2a.schema.wire-valid", "a2a.schema.unknown-fields-ignored", "a2a.errors.validation",
                     "a2a.history.zero-omits", "a2a.list.artifacts-omitted", "a2a.equivalence.same-results",
                     "a2a.equivalence.same-errors"], target=GRPC_REFERENCE)
    assert all(r.outcome == Outcome.PASS for r in results.values()), explain(results)
