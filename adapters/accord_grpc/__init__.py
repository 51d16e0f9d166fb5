"""gRPC peers: bounded unary and server-streaming calls to any protobuf service, with readable evidence.

Needs grpcio (``pip install 'a2a-sdk[grpc]'`` brings it); :func:`grpc_missing` says so when it is absent.
Requests and answers are protobuf messages; what crossed the wire is logged as their ProtoJSON form
(``grpc-request`` / ``grpc-response``), with the status code, message and decoded ``google.rpc.Status``
details. The peer is never trusted: every call has a deadline, a per-message size limit and a limit on
the number and total bytes of streamed messages; a broken answer shows up in ``GrpcReply.problems``.
"""

from __future__ import annotations

import base64
import importlib.util
import itertools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from accord.peer import Limits, Peer, Reply, StreamEvent, TargetError

STATUS_DETAILS_KEY = "grpc-status-details-bin"
SECURE_SCHEMES = frozenset({"grpcs", "https"})
PLAIN_SCHEMES = frozenset({"grpc", "http", ""})


def grpc_missing() -> str | None:
    """Why accord cannot speak gRPC here, or None when it can."""
    for module in ("grpc", "google.protobuf", "google.rpc.status_pb2"):
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            return (f"the gRPC binding needs {module.split('.')[0] if module == 'grpc' else module} "
                    "(pip install 'a2a-sdk[grpc]'); it is not installed here")
    return None


@dataclass
class GrpcReply(Reply):
    """A gRPC call's answer: ``json`` is the unary response as ProtoJSON, ``events`` the streamed messages."""

    code: str | None = None
    """The gRPC status code name (OK, NOT_FOUND, ...); None when no status came (transport problem)."""
    message: str = ""
    """The status message (grpc-message)."""
    details: list[dict[str, Any]] = field(default_factory=list)
    """google.rpc.Status details from grpc-status-details-bin, each as ProtoJSON with its @type."""
    status_problems: list[str] = field(default_factory=list)
    """What is wrong with grpc-status-details-bin itself (undecodable, code differs from the call's)."""

    @property
    def answered(self) -> bool:
        """Whether the server answered: a status of its own (not the client library's UNAVAILABLE for a
        connection that failed, nor DEADLINE_EXCEEDED for silence) or at least one streamed message."""
        return bool(self.events) or self.code not in (None, "UNAVAILABLE", "DEADLINE_EXCEEDED")

    def describe(self) -> str:
        parts = [f"gRPC {self.code or 'no status'}"]
        if self.message:
            parts.append(repr(self.message[:160]))
        if self.details:
            parts.append("details " + ", ".join(str(d.get("@type", "?")).rsplit("/", 1)[-1] for d in self.details))
        if self.events:
            parts.append(f"{len(self.events)} streamed message(s)")
        elif self.json is not None:
            parts.append(str(self.json)[:300])
        parts.extend(self.problems)
        return "; ".join(parts)


def address_of(url: str) -> tuple[str, bool]:
    """(host:port, secure) of a gRPC endpoint URL: grpc://, grpcs://, http://, https:// or a bare host:port."""
    text = url.strip()
    if "://" not in text:
        text = "grpc://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in SECURE_SCHEMES | PLAIN_SCHEMES or not parts.hostname:
        raise TargetError(f"{url!r} is not a gRPC endpoint; write grpc://HOST:PORT (or grpcs:// for TLS)")
    port = parts.port or (443 if scheme in SECURE_SCHEMES else 80)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{host}:{port}", scheme in SECURE_SCHEMES


def as_json(message: Any) -> dict[str, Any]:
    """A message in ProtoJSON with every field without presence printed, at its default value when unset: on the
    binary wire an empty string, a zero or an empty list is indistinguishable from an absent one, so such a field
    is never 'missing' (a judge of omission reads an empty value as omitted)."""
    from google.protobuf import json_format

    return json_format.MessageToDict(message, always_print_fields_with_no_presence=True)


def _metadata_dict(pairs: Any) -> dict[str, str]:
    shown: dict[str, str] = {}
    for key, value in pairs or ():
        if key == STATUS_DETAILS_KEY:
            continue
        text = base64.b64encode(value).decode() if isinstance(value, bytes) else str(value)
        shown[key] = f"{shown[key]}, {text}" if key in shown else text
    return shown


class GrpcPeer(Peer):
    """One channel to a gRPC server; ``default_metadata`` goes with every call (lower-case keys)."""

    transport = "grpc"

    def __init__(self, target: str, limits: Limits, *, default_metadata: Mapping[str, str] | None = None) -> None:
        super().__init__(target, limits)
        missing = grpc_missing()
        if missing:
            raise TargetError(missing)
        import grpc

        self.address, self.secure = address_of(target)
        self.default_metadata = {k.lower(): v for k, v in (default_metadata or {}).items()}
        self._numbers = itertools.count(1)
        options = [("grpc.max_receive_message_length", limits.max_bytes),
                   ("grpc.max_send_message_length", limits.max_bytes),
                   ("grpc.enable_retries", 0)]
        self.channel = (grpc.secure_channel(self.address, grpc.ssl_channel_credentials(), options=options)
                        if self.secure else grpc.insecure_channel(self.address, options=options))

    def fresh(self) -> "GrpcPeer":
        return GrpcPeer(self.target, self.limits, default_metadata=self.default_metadata)

    def close(self) -> None:
        try:
            self.channel.close()
        except Exception:  # noqa: BLE001 - closing never raises
            pass

    def describe(self) -> str:
        return f"gRPC peer {self.address}"

    def _metadata(self, extra: Mapping[str, str] | None) -> list[tuple[str, str]]:
        merged = dict(self.default_metadata)
        for key, value in (extra or {}).items():
            if value == "":
                merged.pop(key.lower(), None)  # an empty value leaves the key out, as for HTTP headers
            else:
                merged[key.lower()] = value
        return list(merged.items())

    def call(self, method: str, request: Any, response_type: type, *, streaming: bool = False,
             metadata: Mapping[str, str] | None = None, timeout: float | None = None,
             stop: Callable[[StreamEvent], bool] | None = None, raw: bytes | None = None) -> GrpcReply:
        """Call ``method`` (``/package.Service/Method``) with ``request`` (a protobuf message, or ``raw`` bytes
        sent as they are) and decode the answer as ``response_type``. A stream is read until it ends, ``stop``
        returns True for a message, or a limit is reached (then the call is cancelled)."""
        from google.protobuf import json_format

        pairs = self._metadata(metadata)
        deadline = timeout if timeout is not None else self.limits.read_timeout
        payload = raw if raw is not None else request.SerializeToString()
        shown_request = ({"raw": base64.b64encode(raw).decode()} if raw is not None
                         else json_format.MessageToDict(request))  # what was set, no defaults
        number = next(self._numbers)
        self.log.add("sent", "grpc-request", {"call": number, "method": method, "metadata": dict(pairs),
                                              "message": shown_request})
        started = time.monotonic()
        reply = GrpcReply()
        if streaming:
            self._stream(method, payload, response_type, pairs, deadline, stop, reply)
        else:
            self._unary(method, payload, response_type, pairs, deadline, reply)
        reply.elapsed = time.monotonic() - started
        self.log.add("received", "grpc-response", {
            "call": number, "method": method, "code": reply.code, "message": reply.message, "details": reply.details,
            "metadata": reply.headers, "messages": reply.messages, "problems": reply.problems + reply.status_problems})
        return reply

    def _unary(self, method: str, payload: bytes, response_type: type, pairs: list[tuple[str, str]],
               deadline: float, reply: GrpcReply) -> None:
        import grpc

        stub = self.channel.unary_unary(method, request_serializer=None, response_deserializer=None)
        try:
            body, call = stub.with_call(payload, timeout=deadline, metadata=pairs)
        except grpc.RpcError as error:
            self._take_status(error, reply)
            return
        self._take_status(call, reply)
        decoded = self._decode(body, response_type, reply)
        if decoded is not None:
            reply.json = decoded
            reply.messages.append(decoded)
        reply.body = body[: self.limits.max_bytes]

    def _stream(self, method: str, payload: bytes, response_type: type, pairs: list[tuple[str, str]],
                deadline: float, stop: Callable[[StreamEvent], bool] | None, reply: GrpcReply) -> None:
        import grpc

        stub = self.channel.unary_stream(method, request_serializer=None, response_deserializer=None)
        call = stub(payload, timeout=deadline, metadata=pairs)
        received, stopped = 0, False
        try:
            for body in call:
                received += len(body)
                decoded = self._decode(body, response_type, reply)
                event = StreamEvent("message", "" if decoded is None else str(decoded), None, decoded)
                reply.events.append(event)
                reply.messages.append(decoded)
                if len(reply.events) >= self.limits.max_events:
                    reply.problems.append(f"stream cut off after {self.limits.max_events} messages (event limit)")
                    stopped = True
                elif received > self.limits.max_bytes:
                    reply.problems.append(f"stream cut off after {received} bytes (byte limit)")
                    stopped = True
                elif stop is not None and decoded is not None and stop(event):
                    stopped = True
                if stopped:
                    call.cancel()
                    break
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.CANCELLED and stopped:
                pass
            else:
                self._take_status(error, reply)
                if error.code() == grpc.StatusCode.DEADLINE_EXCEEDED and reply.events:
                    reply.problems.append(f"the stream did not end within {deadline:.1f} s")
                return
        if stopped:
            reply.code = reply.code or "OK"
            return
        self._take_status(call, reply)

    def _decode(self, body: bytes, response_type: type, reply: GrpcReply) -> dict[str, Any] | None:
        from google.protobuf.message import DecodeError

        try:
            return as_json(response_type.FromString(body))
        except (DecodeError, ValueError) as error:
            reply.problems.append(f"the answer is not a valid {response_type.DESCRIPTOR.full_name}: {error}")
            return None

    def _take_status(self, call: Any, reply: GrpcReply) -> None:
        import grpc

        try:
            code = call.code()
            reply.code = code.name if isinstance(code, grpc.StatusCode) else str(code)
            reply.message = call.details() or ""
            initial = call.initial_metadata() if hasattr(call, "initial_metadata") else ()
            trailing = call.trailing_metadata() or ()
        except Exception as error:  # noqa: BLE001 - a broken call object is a problem, not a crash
            reply.problems.append(f"no gRPC status: {error}")
            return
        reply.headers = _metadata_dict(list(initial or ()) + list(trailing))
        if reply.code == "DEADLINE_EXCEEDED" and not reply.events:
            reply.problems.append("no answer within the deadline (DEADLINE_EXCEEDED)")
        for key, value in trailing:
            if key == STATUS_DETAILS_KEY:
                self._take_details(value, code, reply)

    @staticmethod
    def _take_details(value: Any, code: Any, reply: GrpcReply) -> None:
        from google.rpc import error_details_pb2, status_pb2  # noqa: F401 - registers the detail types

        status = status_pb2.Status()
        try:
            status.ParseFromString(value if isinstance(value, bytes) else str(value).encode())
        except Exception as error:  # noqa: BLE001
            reply.status_problems.append(f"{STATUS_DETAILS_KEY} is not a google.rpc.Status: {error}")
            return
        if code is not None and status.code != code.value[0]:
            reply.status_problems.append(f"{STATUS_DETAILS_KEY} carries code {status.code}, the call {code.name}")
        for detail in status.details:
            try:
                reply.details.append(as_json(detail))
            except Exception:  # noqa: BLE001 - a detail of a type accord does not know
                reply.details.append({"@type": detail.type_url, "undecoded": base64.b64encode(detail.value).decode()})
