"""The gRPC binding of A2A: the ``lf.a2a.v1.A2AService`` of the normative 1.0 proto (1.0 section 10) and the
``a2a.v1.A2AService`` of the 0.3 proto (0.3 sections 3.2.2, 3.3.2).

The protobuf messages come from a2a-sdk's generated modules (``pip install 'a2a-sdk[grpc]'``), compiled from the
normative protos. accord's checks keep speaking 1.0 ProtoJSON, which maps one to one onto the 1.0 messages; for
0.3 the params become the 0.3 proto's requests (resource names such as ``tasks/{id}``) and the answers are read
into the 0.3 kind-object form, as over 0.3 HTTP+JSON (specs/a2a/0.3.0/ERRATA.md), so the schema observers judge
every binding alike. A message that does not decode is a problem on the answer.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from accord_grpc import GrpcPeer, GrpcReply, grpc_missing

from ...peer import StopWhen, StreamEvent
from . import wire
from .bindings import ERROR_INFO, A2aError, Answer, Binding

SERVICES = {wire.V10: "lf.a2a.v1.A2AService", wire.V03: "a2a.v1.A2AService"}
"""The gRPC service of each version (each in its own proto package)."""


class Signature(NamedTuple):
    method: str
    request: str
    response: str
    streaming: bool = False


SIGNATURES: dict[str, dict[str, Signature]] = {
    wire.V10: {
        "SendMessage": Signature("SendMessage", "SendMessageRequest", "SendMessageResponse"),
        "SendStreamingMessage": Signature("SendStreamingMessage", "SendMessageRequest", "StreamResponse", True),
        "GetTask": Signature("GetTask", "GetTaskRequest", "Task"),
        "ListTasks": Signature("ListTasks", "ListTasksRequest", "ListTasksResponse"),
        "CancelTask": Signature("CancelTask", "CancelTaskRequest", "Task"),
        "SubscribeToTask": Signature("SubscribeToTask", "SubscribeToTaskRequest", "StreamResponse", True),
        "CreateTaskPushNotificationConfig": Signature(
            "CreateTaskPushNotificationConfig", "TaskPushNotificationConfig", "TaskPushNotificationConfig"),
        "GetTaskPushNotificationConfig": Signature(
            "GetTaskPushNotificationConfig", "GetTaskPushNotificationConfigRequest", "TaskPushNotificationConfig"),
        "ListTaskPushNotificationConfigs": Signature(
            "ListTaskPushNotificationConfigs", "ListTaskPushNotificationConfigsRequest",
            "ListTaskPushNotificationConfigsResponse"),
        "DeleteTaskPushNotificationConfig": Signature(
            "DeleteTaskPushNotificationConfig", "DeleteTaskPushNotificationConfigRequest", "google.protobuf.Empty"),
        "GetExtendedAgentCard": Signature("GetExtendedAgentCard", "GetExtendedAgentCardRequest", "AgentCard"),
    },
    wire.V03: {
        "SendMessage": Signature("SendMessage", "SendMessageRequest", "SendMessageResponse"),
        "SendStreamingMessage": Signature("SendStreamingMessage", "SendMessageRequest", "StreamResponse", True),
        "GetTask": Signature("GetTask", "GetTaskRequest", "Task"),
        "CancelTask": Signature("CancelTask", "CancelTaskRequest", "Task"),
        "SubscribeToTask": Signature("TaskSubscription", "TaskSubscriptionRequest", "StreamResponse", True),
        "CreateTaskPushNotificationConfig": Signature(
            "CreateTaskPushNotificationConfig", "CreateTaskPushNotificationConfigRequest", "TaskPushNotificationConfig"),
        "GetTaskPushNotificationConfig": Signature(
            "GetTaskPushNotificationConfig", "GetTaskPushNotificationConfigRequest", "TaskPushNotificationConfig"),
        "ListTaskPushNotificationConfigs": Signature(
            "ListTaskPushNotificationConfig", "ListTaskPushNotificationConfigRequest",
            "ListTaskPushNotificationConfigResponse"),
        "DeleteTaskPushNotificationConfig": Signature(
            "DeleteTaskPushNotificationConfig", "DeleteTaskPushNotificationConfigRequest", "google.protobuf.Empty"),
        "GetExtendedAgentCard": Signature("GetAgentCard", "GetAgentCardRequest", "AgentCard"),
    },
}
"""Operation (by its 1.0 name) -> its rpc in each version's A2AService: 1.0 section 10.3, and the 0.3 proto, which
has no ListTasks and names two rpcs otherwise (TaskSubscription, GetAgentCard)."""

VALIDATION_CODE = -32602
"""INVALID_ARGUMENT with no A2A error reason is read as a validation error, as JSON-RPC's InvalidParams (1.0
section 3.3.2 names the two side by side)."""


class Unexpressible(ValueError):
    """The params cannot be written as the operation's protobuf request (a wrong type, an unknown member)."""


def unsupported_version(version: str) -> str | None:
    """Why accord cannot speak gRPC for ``version`` here, or None."""
    missing = grpc_missing()
    if missing:
        return missing
    if version not in SERVICES:
        return f"accord knows no gRPC service of A2A {version}"
    return None


def _message_type(name: str, version: str) -> type:
    if name == "google.protobuf.Empty":
        from google.protobuf import empty_pb2

        return empty_pb2.Empty
    if version == wire.V03:
        from a2a.compat.v0_3 import a2a_v0_3_pb2

        return getattr(a2a_v0_3_pb2, name)
    from a2a.types import a2a_pb2

    return getattr(a2a_pb2, name)


def encode(operation: str, params: Any, version: str = wire.V10) -> Any:
    """``params`` (the version's proto JSON: 1.0 ProtoJSON, or the 0.3 proto's) as the operation's request
    message; Unexpressible if they cannot be."""
    from google.protobuf import json_format

    request_name = SIGNATURES[version][operation].request
    message = _message_type(request_name, version)()
    if not isinstance(params, dict):
        raise Unexpressible(f"{operation} params must be an object to become a {request_name}, got {str(params)[:80]}")
    try:
        json_format.ParseDict(params, message)
    except (json_format.ParseError, TypeError, ValueError) as error:
        raise Unexpressible(f"{str(params)[:120]} is not a {request_name}: {error}") from None
    return message


def request_03(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """1.0-form ``params`` as the 0.3 proto's request of ``operation`` (resource names instead of ids)."""
    task = f"tasks/{params.get('taskId', params.get('id', ''))}"
    if operation == "GetTask":
        return {"name": task, **({"historyLength": params["historyLength"]} if "historyLength" in params else {})}
    if operation in ("CancelTask", "SubscribeToTask"):
        return {"name": task}
    if operation == "CreateTaskPushNotificationConfig":
        body = wire.proto_request_03(operation, params)
        return {key: body[key] for key in ("parent", "configId", "config")}
    if operation in ("GetTaskPushNotificationConfig", "DeleteTaskPushNotificationConfig"):
        return {"name": f"{task}/pushNotificationConfigs/{params.get('id', '')}"}
    if operation == "ListTaskPushNotificationConfigs":
        return {"parent": task}
    if operation == "GetExtendedAgentCard":
        return {}
    return wire.proto_request_03(operation, params)


def open_grpc_binding(suite: Any, url: str, version: str) -> "GrpcBinding | None":
    """A gRPC binding of ``version`` at ``url`` for ``suite``'s run (its headers as metadata, closed with the run);
    None when accord cannot speak it here. TargetError if ``url`` is no gRPC endpoint."""
    if unsupported_version(version):
        return None
    metadata = {**dict(suite.settings.headers), "A2A-Version": version}
    peer = GrpcPeer(url, suite.settings.limits, default_metadata=metadata)
    suite.peers.append(peer)
    return GrpcBinding(peer, "", version)


UNKNOWN_FIELD_NUMBER = 9999
"""A field number no A2A message uses (both protos number their fields from 1 upwards, well below this)."""


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def with_unknown_field(request: Any, text: str = "accord: ignore me") -> bytes:
    """``request`` serialised with one more, unknown, length-delimited field: protobuf's unrecognised member."""
    data = text.encode()
    return request.SerializeToString() + _varint(UNKNOWN_FIELD_NUMBER << 3 | 2) + _varint(len(data)) + data


class GrpcBinding(Binding):
    name = "grpc"

    def __init__(self, peer: GrpcPeer, path: str, version: str) -> None:  # type: ignore[override]
        super().__init__(peer, path, version)  # type: ignore[arg-type]
        self.grpc = peer

    def supports(self, operation: str) -> bool:
        return operation in SIGNATURES[self.version]

    def carries(self, value: dict[str, Any], member: str) -> bool:
        return value.get(member) not in (None, [], {})

    def method(self, operation: str) -> str:
        return f"/{SERVICES[self.version]}/{SIGNATURES[self.version][operation].method}"

    def encode(self, operation: str, params: Any) -> Any:
        """``params`` in this version's proto JSON as the request message (Unexpressible if they cannot be)."""
        return encode(operation, params, self.version)

    def request(self, operation: str, params: dict[str, Any]) -> Any:
        """The request message of ``operation`` with 1.0-form ``params``."""
        return self.encode(operation, request_03(operation, params) if self.version == wire.V03 else params)

    def call(self, operation, params=None, *, headers=None, timeout=None, stop=None) -> Answer:
        return self.send(operation, self.request(operation, params or {}), headers=headers, timeout=timeout, stop=stop)

    def send(self, operation: str, request: Any, *, headers: dict[str, str] | None = None,
             timeout: float | None = None, stop: StopWhen | None = None, raw: bytes | None = None) -> Answer:
        """Call ``operation`` with a request message (or ``raw`` bytes) and read the answer (a 0.3 answer into the
        kind-object form the other 0.3 bindings give)."""
        signature = SIGNATURES[self.version][operation]
        if stop is not None and self.version == wire.V03:
            stop = _reading_03(operation, stop)
        reply = self.grpc.call(self.method(operation), request, _message_type(signature.response, self.version),
                               streaming=signature.streaming, metadata=headers, timeout=timeout, stop=stop, raw=raw)
        answer = self.answer(operation, reply, signature.streaming)
        if self.version == wire.V03:
            answer.result = wire.kind_result_03(operation, answer.result) if answer.result is not None else None
            answer.events = [wire.kind_result_03(operation, event) for event in answer.events]
        return answer

    @staticmethod
    def answer(operation: str, reply: GrpcReply, streaming: bool) -> Answer:
        answer = Answer(operation, reply)
        if reply.code not in (None, "OK") and not (streaming and reply.events and reply.code == "DEADLINE_EXCEEDED"):
            answer.error = error_of(reply)
            return answer
        answer.problems.extend(reply.problems + reply.status_problems)
        if streaming:
            answer.events = [event.value for event in reply.events if event.value is not None]
            if not reply.events and not answer.problems:
                answer.problems.append("the stream carried no message")
        elif reply.code is None:
            answer.problems.append(reply.describe())
        else:
            answer.result = reply.json if reply.json is not None else {}
        return answer


def _reading_03(operation: str, stop: StopWhen) -> StopWhen:
    """``stop`` judging a 0.3 proto stream message in its kind-object form."""

    def converted(event: StreamEvent) -> bool:
        return stop(StreamEvent(event.event, event.data, event.id, wire.kind_result_03(operation, event.value)))

    return converted


def error_info(details: list[dict[str, Any]]) -> dict[str, Any] | None:
    for detail in details:
        if detail.get("@type") == ERROR_INFO:
            return detail
    return None


def error_of(reply: GrpcReply) -> A2aError:
    info = error_info(reply.details)
    reason = str(info.get("reason")) if info and info.get("reason") is not None else None
    code = wire.CODE_BY_REASON.get(reason) if reason else None
    if code is None and reason is None:
        code = wire.ONLY_BY_GRPC_STATUS.get(str(reply.code))
    if code is None and reply.code == "INVALID_ARGUMENT":
        code = VALIDATION_CODE
    raw = {"code": reply.code, "message": reply.message, "details": reply.details}
    return A2aError(code, reply.message or None, None, reason, raw, rpc_status=reply.code)
