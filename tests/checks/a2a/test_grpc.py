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


def test_the_reference_meets_the_grpc_requirements_of_03_too() -> None:
    results = judge(["a2a.grpc.", "a2a.errors.grpc-status-map", "a2a.history.", "a2a.equivalence.same-results",
                     "a2a.equivalence.same-errors"], version="0.3.0", target=GRPC_REFERENCE)
    assert {"a2a.grpc.service", "a2a.grpc.server-streaming", "a2a.errors.grpc-status-map",
            "a2a.equivalence.same-results"} <= set(results)
    assert all(r.outcome == Outcome.PASS for r in results.values()), explain(results)


def test_the_03_service_serves_beside_the_10_one_and_is_declared() -> None:
    import grpc
    from a2a.compat.v0_3 import a2a_v0_3_pb2 as pb
    from starlette.testclient import TestClient

    from accord_fixtures.a2a_reference import CARD_PATH, make_app

    with TestClient(make_app(grpc_port=0)) as client:
        card_03 = client.get(CARD_PATH, headers={"A2A-Version": "0.3"}).json()
        card_10 = client.get(CARD_PATH, headers={"A2A-Version": "1.0"}).json()
        url = next(entry["url"] for entry in card_03["additionalInterfaces"] if entry["transport"] == "GRPC")
        assert {entry["protocolVersion"] for entry in card_10["supportedInterfaces"]
                if entry["url"] == url and entry["protocolBinding"] == "GRPC"} == {"1.0", "0.3"}
        with grpc.insecure_channel(url.removeprefix("grpc://")) as channel:
            send = channel.unary_unary("/a2a.v1.A2AService/SendMessage",
                                       request_serializer=pb.SendMessageRequest.SerializeToString,
                                       response_deserializer=pb.SendMessageResponse.FromString)
            get = channel.unary_unary("/a2a.v1.A2AService/GetTask",
                                      request_serializer=pb.GetTaskRequest.SerializeToString,
                                      response_deserializer=pb.Task.FromString)
            message = pb.Message(message_id="m-03", role=pb.ROLE_USER, content=[pb.Part(text="hello")])
            task = send(pb.SendMessageRequest(request=message), timeout=5).task
            assert task.status.state == pb.TASK_STATE_COMPLETED and task.artifacts
            whole = get(pb.GetTaskRequest(name=f"tasks/{task.id}"), timeout=5)
            assert whole.id == task.id and whole.history
            assert len(get(pb.GetTaskRequest(name=f"tasks/{task.id}", history_length=0), timeout=5).history) == \
                len(whole.history)  # 0.3's plain int32: 0 is "not given" (ERRATA E8)
            with pytest.raises(grpc.RpcError) as missing:
                get(pb.GetTaskRequest(name="tasks/no-such-task"), timeout=5)
            assert missing.value.code() == grpc.StatusCode.NOT_FOUND
            with pytest.raises(grpc.RpcError) as refused:
                get(pb.GetTaskRequest(name=f"tasks/{task.id}"), timeout=5, metadata=(("a2a-version", "1.0"),))
            assert refused.value.code() == grpc.StatusCode.UNIMPLEMENTED
