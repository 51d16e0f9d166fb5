"""One A2A operation, several bindings: JSON-RPC and HTTP+JSON carry the same operations with the
same meaning; a Binding turns an operation and its 1.0-form params into the right request and the
reply into an :class:`Answer` (result or normalised error, stream events, what was wrong on the wire)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from ...peer import Reply, RestPeer, StopWhen, StreamEvent
from . import wire

ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


@dataclass
class A2aError:
    """An error answer in binding-neutral terms."""

    code: int | None
    """The JSON-RPC code, or the one the binding's error maps to (by ErrorInfo reason); None if unknown."""
    message: str | None
    status: int | None
    """The HTTP status the error came with."""
    reason: str | None
    """The google.rpc.ErrorInfo reason, when the error carries one."""
    raw: Any
    """The error object exactly as sent."""
    rpc_status: str | None = None
    """The gRPC status code name (gRPC binding only)."""

    def is_(self, code: int) -> bool:
        """Whether this is the error with JSON-RPC ``code``: by its code (or ErrorInfo reason), or, for a gRPC
        error that names no A2A type, by a status a 1.0 table gives that error (0.3 gRPC has no ErrorInfo)."""
        if self.code is not None:
            return self.code == code
        return self.rpc_status is not None and self.rpc_status in wire.GRPC_STATUSES_BY_CODE.get(code, ())

    @property
    def name(self) -> str | None:
        if self.code is None:
            return None
        return wire.NAME_BY_CODE.get(self.code) or wire.STANDARD_CODES.get(self.code)

    def describe(self) -> str:
        parts = [f"{self.name or 'error'} ({self.code})" if self.code is not None else "error of unknown type"]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.rpc_status is not None:
            parts.append(f"gRPC {self.rpc_status}")
        if self.message:
            parts.append(repr(self.message[:120]))
        return ", ".join(parts)


@dataclass
class Answer:
    operation: str
    reply: Reply
    result: Any = None
    """The result as sent (JSON-RPC ``result``, HTTP+JSON body); None on an error."""
    error: A2aError | None = None
    events: list[Any] = field(default_factory=list)
    """For a stream: each event's payload as sent (the JSON-RPC result, or the HTTP+JSON event body)."""
    problems: list[str] = field(default_factory=list)
    """What is wrong with the envelope itself (not JSON, wrong id, neither result nor error, ...)."""

    @property
    def ok(self) -> bool:
        return self.error is None and not self.problems and (self.result is not None or bool(self.events))

    def canonical(self) -> tuple[str | None, Any]:
        """A SendMessage result as (task|message, payload in 1.0 form)."""
        return wire.canonical_event(self.result)

    def task(self) -> dict[str, Any] | None:
        """The Task this answer carries (SendMessage, GetTask, CancelTask), in 1.0 form."""
        if isinstance(self.result, dict) and "status" in self.result and "id" in self.result:
            return wire.canonical_task(self.result)
        kind, payload = self.canonical()
        return payload if kind == "task" and isinstance(payload, dict) else None

    def canonical_events(self) -> list[tuple[str | None, Any]]:
        return [wire.canonical_event(e) for e in self.events]

    def describe(self) -> str:
        if self.error is not None:
            return self.error.describe()
        if self.problems:
            return "; ".join(self.problems)
        return self.reply.describe()


def _error_info(details: Any) -> dict[str, Any] | None:
    if isinstance(details, list):
        for item in details:
            if isinstance(item, dict) and (item.get("@type") == ERROR_INFO or "reason" in item):
                return item
    return None


class Binding:
    """The operations of one declared interface."""

    name = ""

    def __init__(self, peer: RestPeer, path: str, version: str) -> None:
        self.peer = peer
        self.path = path.rstrip("/")
        self.version = version

    def supports(self, operation: str) -> bool:
        return True

    def carries(self, value: dict[str, Any], member: str) -> bool:
        """Whether an answer's object has ``member`` (gRPC: a repeated member that is not empty, since an
        empty list and an absent one are the same bytes on its wire)."""
        return member in value

    def call(self, operation: str, params: dict[str, Any] | None = None, *, headers: dict[str, str] | None = None,
             timeout: float | None = None, stop: StopWhen | None = None) -> Answer:
        raise NotImplementedError


class JsonRpcBinding(Binding):
    name = "jsonrpc"
    _ids = itertools.count(1)

    def method(self, operation: str) -> str | None:
        return operation if self.version == wire.V10 else wire.JSONRPC_METHODS_V03.get(operation)

    def supports(self, operation: str) -> bool:
        return self.method(operation) is not None

    def request(self, method: str, params: Any, request_id: Any = None) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": next(self._ids) if request_id is None else request_id, "method": method,
                "params": params}

    def call(self, operation, params=None, *, headers=None, timeout=None, stop=None) -> Answer:
        method = self.method(operation)
        if method is None:
            raise ValueError(f"{operation} has no JSON-RPC method in A2A {self.version}")
        envelope = self.request(method, wire.to_wire(self.version, operation, params or {}))
        return self.send(operation, envelope, headers=headers, timeout=timeout, stop=stop)

    def send(self, operation: str, envelope: Any, *, headers=None, timeout=None, stop=None, body: bytes | None = None) -> Answer:
        """POST one JSON-RPC envelope (or raw ``body``) and read the answer (a stream if it is one)."""
        if body is not None:
            reply = self.peer.request("POST", self.path or "/", body=body,
                                      headers={"Content-Type": "application/json", **(headers or {})},
                                      timeout=timeout, stop=stop)
        else:
            reply = self.peer.request("POST", self.path or "/", json=envelope, headers=headers, timeout=timeout, stop=stop)
        answer = Answer(operation, reply)
        request_id = envelope.get("id") if isinstance(envelope, dict) else None
        if reply.content_type == "text/event-stream":
            for event in reply.events:
                self._take(answer, event.value, request_id, streamed=True)
            if not reply.events and not answer.problems:
                answer.problems.append("the stream carried no event")
            return answer
        if reply.json is None:
            answer.problems.append(f"no JSON-RPC response: {reply.describe()}")
            return answer
        self._take(answer, reply.json, request_id, streamed=False)
        return answer

    def _take(self, answer: Answer, response: Any, request_id: Any, *, streamed: bool) -> None:
        if not isinstance(response, dict):
            answer.problems.append(f"a JSON-RPC response must be an object, got {str(response)[:100]}")
            return
        if request_id is not None and response.get("id") != request_id and "error" not in response:
            answer.problems.append(f"the response id {response.get('id')!r} is not the request's {request_id!r}")
        if "error" in response:
            error = response["error"] if isinstance(response["error"], dict) else {}
            info = _error_info(error.get("data"))
            code = error.get("code") if isinstance(error.get("code"), int) else None
            answer.error = A2aError(code, error.get("message") if isinstance(error.get("message"), str) else None,
                                    answer.reply.status, info.get("reason") if info else None, response["error"])
        elif "result" in response:
            if streamed:
                answer.events.append(response["result"])
            else:
                answer.result = response["result"]
        else:
            answer.problems.append("a JSON-RPC response with neither result nor error")


class HttpJsonBinding(Binding):
    name = "http-json"

    @property
    def prefix(self) -> str:
        return self.path + ("/v1" if self.version == wire.V03 else "")

    def supports(self, operation: str) -> bool:
        return operation in wire.REST_ROUTES

    def route(self, operation: str, params: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        """(verb, path, the params left for the query or body) of ``operation``."""
        verb, template = wire.REST_ROUTES[operation]
        if self.version == wire.V03 and operation == "GetExtendedAgentCard":
            template = "/card"
        rest = dict(params)
        for name in ("taskId", "id"):
            if "{" + name + "}" in template:
                template = template.replace("{" + name + "}", quote(str(rest.pop(name, "")), safe=""))
        return verb, self.prefix + template, rest

    def call(self, operation, params=None, *, headers=None, timeout=None, stop=None) -> Answer:
        verb, path, rest = self.route(operation, params or {})
        if verb in ("GET", "DELETE"):
            query = {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in rest.items() if k != "tenant"}
            reply = self.peer.request(verb, path, params=query or None, headers=headers, timeout=timeout, stop=stop)
        else:
            body = wire.proto_request_03(operation, params or {}) if self.version == wire.V03 else \
                wire.to_wire(self.version, operation, rest)
            reply = self.peer.request(verb, path, json=body, headers=headers, timeout=timeout, stop=stop)
        return self.answer(operation, reply, headers=headers)

    def answer(self, operation: str, reply: Reply, *, headers: dict[str, str] | None = None) -> Answer:
        """The Answer to ``reply``. A 0.3 answer (the request did not ask another version in ``headers``) is read
        into the 0.3 kind-object form, whichever 0.3 form it came in (specs/a2a/0.3.0/ERRATA.md); the body as
        sent stays in ``reply``."""
        answer = self._answer(operation, reply)
        if self.version == wire.V03 and asks_version(headers, wire.V03):
            answer.result = wire.kind_result_03(operation, answer.result) if answer.result is not None else None
            answer.events = [wire.kind_result_03(operation, e) for e in answer.events]
        return answer

    def _answer(self, operation: str, reply: Reply) -> Answer:
        answer = Answer(operation, reply)
        if reply.status is None:
            answer.problems.append(reply.describe())
        elif not 200 <= reply.status < 300:
            body = reply.json if isinstance(reply.json, dict) else {}
            error = body.get("error") if isinstance(body.get("error"), dict) else body
            info = _error_info(error.get("details"))
            reason = info.get("reason") if info else None
            code = wire.CODE_BY_REASON.get(reason) if reason else None
            if code is None and self.version == wire.V03:
                code = _jsonrpc_code(error)
            answer.error = A2aError(code,
                                    error.get("message") if isinstance(error.get("message"), str) else None,
                                    reply.status, reason, reply.json)
        elif reply.content_type == "text/event-stream":
            answer.events = [e.value for e in reply.events]
            if not reply.events:
                answer.problems.append("the stream carried no event")
        elif reply.json is None and reply.body.strip():
            answer.problems.append(f"the body is not JSON: {reply.describe()}")
        else:
            answer.result = reply.json if reply.json is not None else {}
        return answer


def asks_version(headers: dict[str, str] | None, version: str) -> bool:
    """Whether a request with these header overrides still asks for ``version``: an A2A-Version override naming
    another version asks for that one, and leaving the header out (an empty value) asks for 0.3 (1.0 section
    3.6.2); no override keeps the binding's own."""
    for name, value in (headers or {}).items():
        if name.lower() == "a2a-version":
            return (".".join(value.strip().split(".")[:2]) or wire.V03) == version
    return True


def _jsonrpc_code(error: dict[str, Any]) -> int | None:
    """The A2A or JSON-RPC error code a 0.3 HTTP+JSON error body names by ``code`` (@a2a-js/sdk answers the
    JSON-RPC error object itself: {"code": -32001, "message": ...}); an HTTP status in ``code`` is not one."""
    code = error.get("code")
    if isinstance(code, int) and not isinstance(code, bool) and (code in wire.NAME_BY_CODE or code in wire.STANDARD_CODES):
        return code
    return None


BINDINGS = {"JSONRPC": JsonRpcBinding, "HTTP+JSON": HttpJsonBinding}
"""protocolBinding (1.0) / transport (0.3) name -> the class that speaks it over HTTP (gRPC: grpc_binding.py)."""
BINDING_NAMES = {"JSONRPC": "jsonrpc", "HTTP+JSON": "http-json", "GRPC": "grpc"}


def stream_ends(event: StreamEvent) -> bool:
    """Whether a stream event closes an A2A stream: a message, a terminal or interrupted state, or 0.3's final."""
    value = event.value
    if isinstance(value, dict) and "jsonrpc" in value:
        value = value.get("result")
    kind, payload = wire.canonical_event(value)
    if kind == "message":
        return True
    if isinstance(value, dict) and value.get("final") is True:
        return True
    if kind in ("task", "statusUpdate") and isinstance(payload, dict):
        return wire.state_of(payload) in wire.TERMINAL | wire.INTERRUPTED
    return False


def send_as_is(binding: Binding, operation: str, params: Any, *, headers: dict[str, str] | None = None,
               timeout: float | None = None) -> Answer:
    """``operation`` with ``params`` exactly as given, in the wire form of the binding's version (no
    conversion from 1.0 form; any JSON value, even one that is not an object): for generated and
    deliberately broken requests. Not for streaming operations."""
    if isinstance(binding, JsonRpcBinding):
        method = binding.method(operation)
        if method is None:
            raise ValueError(f"{operation} has no JSON-RPC method in A2A {binding.version}")
        return binding.send(operation, binding.request(method, params), headers=headers, timeout=timeout)
    if isinstance(binding, HttpJsonBinding):
        verb, path, _ = binding.route(operation, {})
        reply = binding.peer.request(verb, path, json=params, headers=headers, timeout=timeout)
        return binding.answer(operation, reply, headers=headers)
    if binding.name == "grpc":  # params in the version's proto JSON; Unexpressible if they are no such message
        request = binding.encode(operation, params)  # type: ignore[attr-defined]
        return binding.send(operation, request, headers=headers, timeout=timeout)  # type: ignore[attr-defined]
    raise ValueError(f"accord cannot send raw requests over the {binding.name or type(binding).__name__} binding")
