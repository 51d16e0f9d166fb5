"""The gRPC peer never trusts the server: every call is bounded in time, messages, bytes, and a broken answer is
a problem on the reply, never a hang or a crash of the harness. Evidence is readable (ProtoJSON, decoded status)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent import futures
from typing import Any

import pytest

grpc = pytest.importorskip("grpc", reason="the gRPC adapter needs grpcio (pip install 'a2a-sdk[grpc]')")

from google.protobuf import any_pb2  # noqa: E402
from google.rpc import error_details_pb2, status_pb2  # noqa: E402

from accord.peer import Limits, TargetError  # noqa: E402
from accord_grpc import GrpcPeer, address_of  # noqa: E402

SERVICE = "accord.test.Misbehaving"
NOTE = error_details_pb2.ErrorInfo
"""Any plain message does for the transport; this one has a string field, reason."""


def _text(value: str) -> bytes:
    return NOTE(reason=value).SerializeToString()


def _hang(request: bytes, context: Any) -> bytes:
    time.sleep(3.0)
    return _text("too late")


def _garbage(request: bytes, context: Any) -> bytes:
    return b"\x0a\x05ab"  # a length-delimited field that claims 5 bytes and holds 2


def _echo_metadata(request: bytes, context: Any) -> bytes:
    return _text(",".join(f"{k}={v}" for k, v in context.invocation_metadata() if k.startswith("a2a")))


def _not_found(request: bytes, context: Any) -> bytes:
    info = any_pb2.Any()
    info.Pack(error_details_pb2.ErrorInfo(reason="TASK_NOT_FOUND", domain="a2a-protocol.org"))
    status = status_pb2.Status(code=grpc.StatusCode.NOT_FOUND.value[0], message="no such task", details=[info])
    context.abort_with_status(_Status(grpc.StatusCode.NOT_FOUND, "no such task", status))


def _lying_details(request: bytes, context: Any) -> bytes:
    status = status_pb2.Status(code=grpc.StatusCode.INTERNAL.value[0], message="no such task")
    context.abort_with_status(_Status(grpc.StatusCode.NOT_FOUND, "no such task", status))


def _flood(request: bytes, context: Any) -> Iterator[bytes]:
    for index in range(100_000):
        if not context.is_active():
            return
        yield _text(f"event {index}")


def _five(request: bytes, context: Any) -> Iterator[bytes]:
    for index in range(5):
        yield _text(f"event {index}")


def _big(request: bytes, context: Any) -> bytes:
    return _text("x" * 200_000)


class _Status(grpc.Status):
    def __init__(self, code: Any, details: str, status: Any) -> None:
        self.code, self.details = code, details
        self.trailing_metadata = (("grpc-status-details-bin", status.SerializeToString()),)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    unary = {name: grpc.unary_unary_rpc_method_handler(fn) for name, fn in {
        "Hang": _hang, "Garbage": _garbage, "Metadata": _echo_metadata, "NotFound": _not_found,
        "LyingDetails": _lying_details, "Big": _big}.items()}
    streams = {name: grpc.unary_stream_rpc_method_handler(fn) for name, fn in {"Flood": _flood, "Five": _five}.items()}
    service = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    service.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, {**unary, **streams}),))
    port = service.add_insecure_port("127.0.0.1:0")
    service.start()
    yield f"grpc://127.0.0.1:{port}"
    service.stop(0.5)


def peer_at(url: str, **limits: Any) -> GrpcPeer:
    return GrpcPeer(url, Limits(**{"read_timeout": 2.0, **limits}), default_metadata={"A2A-Version": "1.0"})


def call(peer: GrpcPeer, method: str, *, streaming: bool = False, **kwargs: Any) -> Any:
    return peer.call(f"/{SERVICE}/{method}", NOTE(reason="hello"), NOTE, streaming=streaming, **kwargs)


def reason(value: Any) -> Any:
    return value.get("reason") if isinstance(value, dict) else None


def test_a_hanging_server_costs_the_deadline_only(server: str) -> None:
    with peer_at(server) as peer:
        started = time.monotonic()
        reply = call(peer, "Hang", timeout=0.5)
    assert time.monotonic() - started < 2.0
    assert reply.code == "DEADLINE_EXCEEDED" and not reply.answered
    assert any("deadline" in p for p in reply.problems)


def test_an_undecodable_answer_is_a_problem(server: str) -> None:
    with peer_at(server) as peer:
        reply = call(peer, "Garbage")
    assert reply.code == "OK" and reply.json is None
    assert any("not a valid google.rpc.ErrorInfo" in p for p in reply.problems)


def test_metadata_keys_go_lower_case_and_an_empty_value_leaves_one_out(server: str) -> None:
    with peer_at(server) as peer:
        assert call(peer, "Metadata").json == {"reason": "a2a-version=1.0", "domain": "", "metadata": {}}
        assert reason(call(peer, "Metadata", metadata={"A2A-Version": "99.0"}).json) == "a2a-version=99.0"
        assert reason(call(peer, "Metadata", metadata={"A2A-Version": ""}).json) == ""


def test_a_status_with_error_info_is_decoded(server: str) -> None:
    with peer_at(server) as peer:
        reply = call(peer, "NotFound")
        sent, received = peer.log.since(0)[-2:]
    assert reply.code == "NOT_FOUND" and reply.message == "no such task" and reply.answered
    assert reply.details == [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "TASK_NOT_FOUND",
                              "domain": "a2a-protocol.org", "metadata": {}}]
    assert sent.channel == "grpc-request" and reason(sent.data["message"]) == "hello"
    assert received.channel == "grpc-response" and received.data["details"] == reply.details


def test_status_details_that_contradict_the_call_are_a_problem(server: str) -> None:
    with peer_at(server) as peer:
        reply = call(peer, "LyingDetails")
    assert reply.code == "NOT_FOUND"
    assert any("carries code 13" in p for p in reply.status_problems)


def test_a_flooding_stream_is_cut_at_the_event_limit(server: str) -> None:
    with peer_at(server, max_events=50) as peer:
        started = time.monotonic()
        reply = call(peer, "Flood", streaming=True)
    assert time.monotonic() - started < 2.0
    assert len(reply.events) == 50 and any("event limit" in p for p in reply.problems)


def test_a_stream_stops_where_the_caller_says(server: str) -> None:
    with peer_at(server) as peer:
        reply = call(peer, "Five", streaming=True, stop=lambda event: reason(event.value) == "event 1")
        whole = call(peer, "Five", streaming=True)
    assert [reason(e.value) for e in reply.events] == ["event 0", "event 1"] and reply.code == "OK"
    assert len(whole.events) == 5 and whole.code == "OK" and not whole.problems


def test_a_message_over_the_byte_limit_is_refused_not_read(server: str) -> None:
    with peer_at(server, max_bytes=10_000) as peer:
        reply = call(peer, "Big")
    assert reply.code == "RESOURCE_EXHAUSTED" and reply.json is None


def test_no_server_is_no_answer() -> None:
    with peer_at("grpc://127.0.0.1:9") as peer:
        reply = call(peer, "Hang", timeout=1.0)
    assert reply.code in ("UNAVAILABLE", "DEADLINE_EXCEEDED") and not reply.answered


@pytest.mark.parametrize("url, address, secure", [
    ("grpc://127.0.0.1:50051", "127.0.0.1:50051", False),
    ("127.0.0.1:50051", "127.0.0.1:50051", False),
    ("grpcs://agent.example:8443", "agent.example:8443", True),
    ("https://agent.example", "agent.example:443", True),
    ("http://[::1]:7000/a2a", "[::1]:7000", False),
])
def test_endpoint_urls(url: str, address: str, secure: bool) -> None:
    assert address_of(url) == (address, secure)


@pytest.mark.parametrize("url", ["ftp://agent.example:21", "grpc://", "://"])
def test_a_url_that_is_no_grpc_endpoint_says_so(url: str) -> None:
    with pytest.raises(TargetError, match="not a gRPC endpoint"):
        address_of(url)
