"""A2A on the wire, per version: method names, HTTP+JSON routes, error codes, and the shapes of 0.3 and 1.0.

Checks speak one language, the 1.0 one: operations by their 1.0 names, params in 1.0 ProtoJSON form,
states as ``TASK_STATE_*``. ``to_wire`` turns 1.0 params into what a 0.3 agent expects, and
``canonical_*`` turn what a 0.3 agent answers into the 1.0 form, so a check is written once. What
an agent sent is always kept too, and validated against its own version's schema.
"""

from __future__ import annotations

from typing import Any

V10 = "1.0"
V03 = "0.3"
SPEC_VERSIONS = {"1.0": V10, "0.3.0": V03}
"""accord's spec folder -> the Major.Minor sent in A2A-Version."""

OPERATIONS = (
    "SendMessage", "SendStreamingMessage", "GetTask", "ListTasks", "CancelTask", "SubscribeToTask",
    "CreateTaskPushNotificationConfig", "GetTaskPushNotificationConfig", "ListTaskPushNotificationConfigs",
    "DeleteTaskPushNotificationConfig", "GetExtendedAgentCard",
)
STREAMING = frozenset({"SendStreamingMessage", "SubscribeToTask"})

JSONRPC_METHODS_V03 = {
    "SendMessage": "message/send",
    "SendStreamingMessage": "message/stream",
    "GetTask": "tasks/get",
    "CancelTask": "tasks/cancel",
    "SubscribeToTask": "tasks/resubscribe",
    "CreateTaskPushNotificationConfig": "tasks/pushNotificationConfig/set",
    "GetTaskPushNotificationConfig": "tasks/pushNotificationConfig/get",
    "ListTaskPushNotificationConfigs": "tasks/pushNotificationConfig/list",
    "DeleteTaskPushNotificationConfig": "tasks/pushNotificationConfig/delete",
    "GetExtendedAgentCard": "agent/getAuthenticatedExtendedCard",
}
"""0.3 JSON-RPC has no ListTasks (0.3 section 7: gRPC and HTTP+JSON only)."""

REST_ROUTES: dict[str, tuple[str, str]] = {
    "SendMessage": ("POST", "/message:send"),
    "SendStreamingMessage": ("POST", "/message:stream"),
    "GetTask": ("GET", "/tasks/{id}"),
    "ListTasks": ("GET", "/tasks"),
    "CancelTask": ("POST", "/tasks/{id}:cancel"),
    "SubscribeToTask": ("POST", "/tasks/{id}:subscribe"),
    "CreateTaskPushNotificationConfig": ("POST", "/tasks/{taskId}/pushNotificationConfigs"),
    "GetTaskPushNotificationConfig": ("GET", "/tasks/{taskId}/pushNotificationConfigs/{id}"),
    "ListTaskPushNotificationConfigs": ("GET", "/tasks/{taskId}/pushNotificationConfigs"),
    "DeleteTaskPushNotificationConfig": ("DELETE", "/tasks/{taskId}/pushNotificationConfigs/{id}"),
    "GetExtendedAgentCard": ("GET", "/extendedAgentCard"),
}
"""1.0 section 5.3 (HTTP+JSON column); 0.3 puts them under /v1 and the extended card at /v1/card."""

ERRORS: dict[str, tuple[int, str, int]] = {
    "TaskNotFoundError": (-32001, "TASK_NOT_FOUND", 404),
    "TaskNotCancelableError": (-32002, "TASK_NOT_CANCELABLE", 409),
    "PushNotificationNotSupportedError": (-32003, "PUSH_NOTIFICATION_NOT_SUPPORTED", 400),
    "UnsupportedOperationError": (-32004, "UNSUPPORTED_OPERATION", 400),
    "ContentTypeNotSupportedError": (-32005, "CONTENT_TYPE_NOT_SUPPORTED", 415),
    "InvalidAgentResponseError": (-32006, "INVALID_AGENT_RESPONSE", 502),
    "ExtendedAgentCardNotConfiguredError": (-32007, "EXTENDED_AGENT_CARD_NOT_CONFIGURED", 400),
    "ExtensionSupportRequiredError": (-32008, "EXTENSION_SUPPORT_REQUIRED", 400),
    "VersionNotSupportedError": (-32009, "VERSION_NOT_SUPPORTED", 400),
}
"""1.0 section 5.4: error -> (JSON-RPC code, ErrorInfo reason, HTTP status in 1.0.0)."""
GRPC_STATUS_BY_PATCH: dict[str, dict[str, str]] = {
    "1.0.0": {
        "TaskNotFoundError": "NOT_FOUND", "TaskNotCancelableError": "FAILED_PRECONDITION",
        "PushNotificationNotSupportedError": "UNIMPLEMENTED", "UnsupportedOperationError": "UNIMPLEMENTED",
        "ContentTypeNotSupportedError": "INVALID_ARGUMENT", "InvalidAgentResponseError": "INTERNAL",
        "ExtendedAgentCardNotConfiguredError": "FAILED_PRECONDITION",
        "ExtensionSupportRequiredError": "FAILED_PRECONDITION", "VersionNotSupportedError": "UNIMPLEMENTED",
    },
}
GRPC_STATUS_BY_PATCH["1.0.1"] = {
    **GRPC_STATUS_BY_PATCH["1.0.0"],
    "PushNotificationNotSupportedError": "FAILED_PRECONDITION", "UnsupportedOperationError": "FAILED_PRECONDITION",
    "VersionNotSupportedError": "FAILED_PRECONDITION",
}
"""1.0 section 5.4, gRPC column: 1.0.1 moved three errors from UNIMPLEMENTED to FAILED_PRECONDITION."""
CODE_BY_REASON = {reason: code for code, reason, _ in ERRORS.values()}
NAME_BY_CODE = {code: name for name, (code, _, _) in ERRORS.items()}
STANDARD_CODES = {-32700: "ParseError", -32600: "InvalidRequest", -32601: "MethodNotFound", -32602: "InvalidParams",
                  -32603: "InternalError"}

GRPC_STATUSES_BY_CODE: dict[int, frozenset[str]] = {
    code: frozenset(table[name] for table in GRPC_STATUS_BY_PATCH.values()) for name, (code, _, _) in ERRORS.items()}
"""A2A error code -> every gRPC status a 1.0 table gives it: what a gRPC error without ErrorInfo may stand for."""
ONLY_BY_GRPC_STATUS = {"NOT_FOUND": ERRORS["TaskNotFoundError"][0]}
"""gRPC statuses that name one A2A error in every table: NOT_FOUND is TaskNotFoundError and nothing else."""

TERMINAL = frozenset({"TASK_STATE_COMPLETED", "TASK_STATE_FAILED", "TASK_STATE_CANCELED", "TASK_STATE_REJECTED"})
INTERRUPTED = frozenset({"TASK_STATE_INPUT_REQUIRED", "TASK_STATE_AUTH_REQUIRED"})

_STATES_V03 = {
    "submitted": "TASK_STATE_SUBMITTED", "working": "TASK_STATE_WORKING", "input-required": "TASK_STATE_INPUT_REQUIRED",
    "completed": "TASK_STATE_COMPLETED", "canceled": "TASK_STATE_CANCELED", "failed": "TASK_STATE_FAILED",
    "rejected": "TASK_STATE_REJECTED", "auth-required": "TASK_STATE_AUTH_REQUIRED", "unknown": "TASK_STATE_UNSPECIFIED",
}
STATE_V03 = {v: k for k, v in _STATES_V03.items()}
_ROLES_V03 = {"user": "ROLE_USER", "agent": "ROLE_AGENT"}
ROLE_V03 = {v: k for k, v in _ROLES_V03.items()}
_EVENT_KINDS_V03 = {"task": "task", "message": "message", "status-update": "statusUpdate", "artifact-update": "artifactUpdate"}
EVENT_KEYS = ("task", "message", "statusUpdate", "artifactUpdate")


# --- 1.0 params -> 0.3 params ---------------------------------------------------------------------
def part_to_v03(part: dict[str, Any]) -> dict[str, Any]:
    extra = {k: part[k] for k in ("metadata",) if k in part}
    if "text" in part:
        return {"kind": "text", "text": part["text"], **extra}
    if "data" in part:
        return {"kind": "data", "data": part["data"], **extra}
    file: dict[str, Any] = {}
    if "raw" in part:
        file["bytes"] = part["raw"]
    if "url" in part:
        file["uri"] = part["url"]
    if "mediaType" in part:
        file["mimeType"] = part["mediaType"]
    if "filename" in part:
        file["name"] = part["filename"]
    return {"kind": "file", "file": file, **extra}


def message_to_v03(message: dict[str, Any]) -> dict[str, Any]:
    converted = {k: v for k, v in message.items() if k not in ("role", "parts")}
    converted["kind"] = "message"
    if "role" in message:
        converted["role"] = ROLE_V03.get(message["role"], message["role"])
    if isinstance(message.get("parts"), list):
        converted["parts"] = [part_to_v03(p) if isinstance(p, dict) else p for p in message["parts"]]
    return converted


def push_config_to_v03(config: dict[str, Any]) -> dict[str, Any]:
    inner = {k: config[k] for k in ("id", "url", "token") if k in config}
    if isinstance(config.get("authentication"), dict):
        auth = config["authentication"]
        inner["authentication"] = {"schemes": [auth.get("scheme", "")], **({"credentials": auth["credentials"]} if "credentials" in auth else {})}
    return inner


def to_wire(version: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """1.0-form ``params`` of ``operation`` as the agent of ``version`` expects them."""
    if version == V10:
        return params
    if operation in ("SendMessage", "SendStreamingMessage"):
        wire = {k: v for k, v in params.items() if k not in ("message", "configuration")}
        if isinstance(params.get("message"), dict):
            wire["message"] = message_to_v03(params["message"])
        if isinstance(params.get("configuration"), dict):
            config = dict(params["configuration"])
            if "returnImmediately" in config:
                config["blocking"] = not config.pop("returnImmediately")
            if "taskPushNotificationConfig" in config:
                config["pushNotificationConfig"] = push_config_to_v03(config.pop("taskPushNotificationConfig"))
            wire["configuration"] = config
        return wire
    if operation == "CreateTaskPushNotificationConfig":
        return {"taskId": params.get("taskId"), "pushNotificationConfig": push_config_to_v03(params)}
    if operation in ("GetTaskPushNotificationConfig", "DeleteTaskPushNotificationConfig"):
        return {"id": params.get("taskId"), "pushNotificationConfigId": params.get("id")}
    if operation == "ListTaskPushNotificationConfigs":
        return {"id": params.get("taskId")}
    return params


# --- 0.3 answers -> 1.0 form ------------------------------------------------------------------------
def canonical_part(part: Any) -> Any:
    if not isinstance(part, dict) or "kind" not in part:
        return part
    extra = {k: part[k] for k in ("metadata",) if k in part}
    if part["kind"] == "text":
        return {"text": part.get("text"), **extra}
    if part["kind"] == "data":
        return {"data": part.get("data"), **extra}
    file = part.get("file") if isinstance(part.get("file"), dict) else {}
    out: dict[str, Any] = dict(extra)
    if "bytes" in file:
        out["raw"] = file["bytes"]
    if "uri" in file:
        out["url"] = file["uri"]
    if "mimeType" in file:
        out["mediaType"] = file["mimeType"]
    if "name" in file:
        out["filename"] = file["name"]
    return out


def canonical_message(message: Any) -> Any:
    if not isinstance(message, dict):
        return message
    out = {k: v for k, v in message.items() if k != "kind"}
    if message.get("role") in _ROLES_V03:
        out["role"] = _ROLES_V03[message["role"]]
    if isinstance(message.get("parts"), list):
        out["parts"] = [canonical_part(p) for p in message["parts"]]
    return out


def canonical_status(status: Any) -> Any:
    if not isinstance(status, dict):
        return status
    out = dict(status)
    if status.get("state") in _STATES_V03:
        out["state"] = _STATES_V03[status["state"]]
    if "message" in status:
        out["message"] = canonical_message(status["message"])
    return out


def canonical_task(task: Any) -> Any:
    if not isinstance(task, dict):
        return task
    out = {k: v for k, v in task.items() if k != "kind"}
    if "status" in task:
        out["status"] = canonical_status(task["status"])
    if isinstance(task.get("history"), list):
        out["history"] = [canonical_message(m) for m in task["history"]]
    if isinstance(task.get("artifacts"), list):
        out["artifacts"] = [
            {**a, "parts": [canonical_part(p) for p in a.get("parts", [])]} if isinstance(a, dict) else a
            for a in task["artifacts"]
        ]
    return out


def canonical_event(value: Any) -> tuple[str | None, Any]:
    """A stream event or SendMessage result as (task|message|statusUpdate|artifactUpdate, payload in 1.0 form)."""
    if not isinstance(value, dict):
        return None, value
    kind = value.get("kind")
    if kind in _EVENT_KINDS_V03:
        return _EVENT_KINDS_V03[kind], _canonical_payload(_EVENT_KINDS_V03[kind], value)
    present = [k for k in EVENT_KEYS if k in value]
    if len(present) == 1:
        key = present[0]
        return key, _canonical_payload(key, value[key])
    return None, value


def _canonical_payload(key: str, payload: Any) -> Any:
    if key == "task":
        return canonical_task(payload)
    if key == "message":
        return canonical_message(payload)
    if key == "statusUpdate" and isinstance(payload, dict):
        return {**{k: v for k, v in payload.items() if k != "kind"}, "status": canonical_status(payload.get("status"))}
    if key == "artifactUpdate" and isinstance(payload, dict):
        artifact = payload.get("artifact")
        if isinstance(artifact, dict):
            artifact = {**artifact, "parts": [canonical_part(p) for p in artifact.get("parts", [])]}
        return {**{k: v for k, v in payload.items() if k != "kind"}, "artifact": artifact}
    return payload


def state_of(task: Any) -> str | None:
    """The 1.0 state name of a task in either version's form."""
    status = task.get("status") if isinstance(task, dict) else None
    state = status.get("state") if isinstance(status, dict) else None
    return _STATES_V03.get(state, state) if isinstance(state, str) else None


def text_message(text: str, *, message_id: str, task_id: str | None = None, context_id: str | None = None) -> dict[str, Any]:
    """A user message with one text part, in 1.0 form."""
    message: dict[str, Any] = {"messageId": message_id, "role": "ROLE_USER", "parts": [{"text": text}]}
    if task_id is not None:
        message["taskId"] = task_id
    if context_id is not None:
        message["contextId"] = context_id
    return message


# --- 0.3 over HTTP+JSON: the 0.3 proto's JSON <-> the 0.3 kind objects (specs/a2a/0.3.0/ERRATA.md) ---------------
# Requests go out in the 0.3 proto's JSON (what a2a-sdk and @a2a-js/sdk parse); answers may come in that form or
# in the kind-object form of the 0.3 JSON-RPC objects, and are read into the kind-object form either way.
PROTO_STATES_03 = {
    "TASK_STATE_SUBMITTED": "submitted", "TASK_STATE_WORKING": "working", "TASK_STATE_COMPLETED": "completed",
    "TASK_STATE_FAILED": "failed", "TASK_STATE_CANCELLED": "canceled", "TASK_STATE_INPUT_REQUIRED": "input-required",
    "TASK_STATE_REJECTED": "rejected", "TASK_STATE_AUTH_REQUIRED": "auth-required", "TASK_STATE_UNSPECIFIED": "unknown",
}
"""0.3 proto TaskState -> 0.3 TaskState (the 0.3 proto spells CANCELLED with two Ls)."""
PROTO_ROLES_03 = {"ROLE_USER": "user", "ROLE_AGENT": "agent"}
PROTO_SCHEMES_03 = {"apiKeySecurityScheme": "apiKey", "httpAuthSecurityScheme": "http", "oauth2SecurityScheme": "oauth2",
                    "openIdConnectSecurityScheme": "openIdConnect", "mtlsSecurityScheme": "mutualTLS"}
_PROTO_EVENT_KINDS_03 = {"task": "task", "message": "message", "statusUpdate": "status-update",
                         "artifactUpdate": "artifact-update"}


def _obj(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _rest_of(value: dict[str, Any], *taken: str) -> dict[str, Any]:
    """The members of ``value`` a conversion does not rewrite (kept as they are, for the validator to judge)."""
    return {k: v for k, v in value.items() if k not in taken}


def _mapped(table: dict[str, str], value: Any) -> Any:
    return table.get(value, value) if isinstance(value, str) else value


def kind_part_03(part: Any) -> Any:
    """A 0.3 proto Part ({text} | {file: {fileWithUri | fileWithBytes, mimeType, name}} | {data: {data}}) as a
    0.3 kind-tagged Part."""
    if not isinstance(part, dict) or "kind" in part:
        return part
    out = _rest_of(part, "text", "file", "data")
    if "text" in part:
        return {"kind": "text", "text": part["text"], **out}
    if isinstance(part.get("file"), dict):
        proto = part["file"]
        file = _rest_of(proto, "fileWithUri", "fileWithBytes")
        if "fileWithUri" in proto:
            file["uri"] = proto["fileWithUri"]
        if "fileWithBytes" in proto:
            file["bytes"] = proto["fileWithBytes"]
        return {"kind": "file", "file": file, **out}
    if "data" in part:
        data = part["data"]
        return {"kind": "data", "data": data["data"] if isinstance(data, dict) and set(data) == {"data"} else data,
                **out}
    return part


def kind_message_03(message: Any) -> Any:
    if not isinstance(message, dict) or "kind" in message:
        return message
    out = {"kind": "message", **_rest_of(message, "content", "role")}
    if "role" in message:
        out["role"] = _mapped(PROTO_ROLES_03, message["role"])
    if "parts" not in message:
        content = message.get("content", [])  # proto3 JSON leaves an empty list out
        out["parts"] = [kind_part_03(p) for p in content] if isinstance(content, list) else content
    return out


def kind_status_03(status: Any) -> Any:
    if not isinstance(status, dict):
        return status
    out = dict(status)
    if "state" in status:
        out["state"] = _mapped(PROTO_STATES_03, status["state"])
    if "message" in status:
        out["message"] = kind_message_03(status["message"])
    return out


def kind_artifact_03(artifact: Any) -> Any:
    if not isinstance(artifact, dict):
        return artifact
    parts = artifact.get("parts", [])
    return {**artifact, "parts": [kind_part_03(p) for p in parts] if isinstance(parts, list) else parts}


def kind_task_03(task: Any) -> Any:
    if not isinstance(task, dict) or "kind" in task:
        return task
    out = {"kind": "task", **task}
    if "status" in task:
        out["status"] = kind_status_03(task["status"])
    if isinstance(task.get("history"), list):
        out["history"] = [kind_message_03(m) for m in task["history"]]
    if isinstance(task.get("artifacts"), list):
        out["artifacts"] = [kind_artifact_03(a) for a in task["artifacts"]]
    return out


def kind_event_03(key: str, payload: Any) -> Any:
    """The payload of a 0.3 proto SendMessageResponse / StreamResponse member ``key`` as a kind object."""
    if not isinstance(payload, dict) or "kind" in payload:
        return payload
    if key == "task":
        return kind_task_03(payload)
    if key == "message":
        return kind_message_03(payload)
    if key == "statusUpdate":
        return {"kind": "status-update", **payload, "status": kind_status_03(payload.get("status")),
                "final": payload.get("final", False)}
    if key == "artifactUpdate":
        return {"kind": "artifact-update", **payload, "artifact": kind_artifact_03(payload.get("artifact"))}
    return payload


def kind_push_config_03(config: Any) -> Any:
    """A 0.3 proto TaskPushNotificationConfig ({name: tasks/T/pushNotificationConfigs/C, pushNotificationConfig})
    as the 0.3 kind-form one ({taskId, pushNotificationConfig})."""
    if not isinstance(config, dict) or "taskId" in config or not isinstance(config.get("name"), str):
        return config
    segments = config["name"].split("/")
    out = _rest_of(config, "name")
    if len(segments) >= 2 and segments[0] == "tasks":
        out["taskId"] = segments[1]
    return out


def kind_card_03(card: Any) -> Any:
    """A 0.3 proto AgentCard as the 0.3 JSON one: security schemes tagged by ``type`` instead of wrapped in a oneof
    member, security requirements as {scheme: [scopes]} instead of {schemes: {scheme: {list}}}."""
    if not isinstance(card, dict):
        return card
    out = dict(card)
    if isinstance(card.get("securitySchemes"), dict):
        out["securitySchemes"] = {name: _kind_scheme_03(s) for name, s in card["securitySchemes"].items()}
    if isinstance(card.get("security"), list):
        out["security"] = [_kind_security_03(r) for r in card["security"]]
    if isinstance(card.get("skills"), list):
        out["skills"] = [{**s, "security": [_kind_security_03(r) for r in s["security"]]}
                         if isinstance(s, dict) and isinstance(s.get("security"), list) else s for s in card["skills"]]
    return out


def _kind_scheme_03(scheme: Any) -> Any:
    if not isinstance(scheme, dict) or "type" in scheme or len(scheme) != 1:
        return scheme
    (member, inner), = scheme.items()
    if member not in PROTO_SCHEMES_03 or not isinstance(inner, dict):
        return scheme
    out = {"type": PROTO_SCHEMES_03[member], **_rest_of(inner, "location")}
    if "location" in inner:
        out["in"] = inner["location"]
    return out


def _kind_security_03(requirement: Any) -> Any:
    if not isinstance(requirement, dict) or set(requirement) != {"schemes"} or not isinstance(requirement["schemes"], dict):
        return requirement
    return {name: (scopes.get("list", []) if isinstance(scopes, dict) else scopes)
            for name, scopes in requirement["schemes"].items()}


def kind_result_03(operation: str, value: Any) -> Any:
    """What a 0.3 HTTP+JSON agent answered to ``operation`` (a result body or one stream event), in the 0.3
    kind-object form: the bare Task / Message / event of the JSON-RPC binding. Either form is read: a body that
    already carries ``kind`` (bare, or inside the one-member {"task": ...} wrapper of 0.3 section 7.1) is kept
    as it is, a 0.3 proto body is converted. Anything else comes back unchanged."""
    if operation in ("SendMessage", "SendStreamingMessage", "SubscribeToTask"):
        if not isinstance(value, dict) or "kind" in value:
            return value
        present = [k for k in _PROTO_EVENT_KINDS_03 if k in value]
        if len(present) == 1 and len(value) == 1:
            return kind_event_03(present[0], value[present[0]])
        if operation == "SubscribeToTask" and "status" in value and "id" in value:
            return kind_task_03(value)
        return value
    if operation in ("GetTask", "CancelTask"):
        return kind_task_03(value)
    if operation == "ListTasks":
        return [kind_task_03(t) for t in value] if isinstance(value, list) else value
    if operation in ("CreateTaskPushNotificationConfig", "GetTaskPushNotificationConfig"):
        return kind_push_config_03(value)
    if operation == "ListTaskPushNotificationConfigs":
        configs = value.get("configs", []) if isinstance(value, dict) and set(value) <= {"configs", "nextPageToken"} \
            else value
        return [kind_push_config_03(c) for c in configs] if isinstance(configs, list) else value
    if operation == "GetExtendedAgentCard":
        return kind_card_03(value)
    return value


# 0.3 kind objects -> 0.3 proto JSON (requests) ---------------------------------------------------------------------
def proto_part_03(part: Any) -> Any:
    if not isinstance(part, dict) or "kind" not in part:
        return part
    out = _rest_of(part, "kind", "text", "file", "data")
    if part["kind"] == "text":
        return {"text": part.get("text"), **out}
    if part["kind"] == "data":
        return {"data": {"data": part.get("data")}, **out}
    if part["kind"] == "file" and isinstance(part.get("file"), dict):
        file = _rest_of(part["file"], "uri", "bytes")
        if "uri" in part["file"]:
            file["fileWithUri"] = part["file"]["uri"]
        if "bytes" in part["file"]:
            file["fileWithBytes"] = part["file"]["bytes"]
        return {"file": file, **out}
    return part


def proto_message_03(message: Any) -> Any:
    if not isinstance(message, dict) or message.get("kind") != "message":
        return message
    out = _rest_of(message, "kind", "role", "parts", "referenceTaskIds")
    if "role" in message:
        out["role"] = {v: k for k, v in PROTO_ROLES_03.items()}.get(message["role"], message["role"])
    if "parts" in message:
        out["content"] = [proto_part_03(p) for p in message["parts"]] if isinstance(message["parts"], list) \
            else message["parts"]
    return out


def proto_push_config_03(config: Any) -> Any:
    """A 0.3 PushNotificationConfig in proto JSON (the same members; authentication.schemes stays a list)."""
    return dict(config) if isinstance(config, dict) else config


def proto_send_params_03(params: Any) -> Any:
    """0.3 MessageSendParams (kind form) as the 0.3 proto SendMessageRequest."""
    if not isinstance(params, dict):
        return params
    out = dict(params)
    if "message" in params:
        out["message"] = proto_message_03(params["message"])
    config = params.get("configuration")
    if isinstance(config, dict):
        converted = _rest_of(config, "pushNotificationConfig")
        if "pushNotificationConfig" in config:
            converted["pushNotification"] = proto_push_config_03(config["pushNotificationConfig"])
        out["configuration"] = converted
    return out


def proto_request_03(operation: str, params: dict[str, Any]) -> Any:
    """The body of ``operation`` with 1.0-form ``params`` over 0.3 HTTP+JSON, in the 0.3 proto's JSON.

    CreateTaskPushNotificationConfig gets both readings at once (ERRATA 3): the 0.3 text's and a2a-sdk's
    {parent, configId, config: TaskPushNotificationConfig} and the proto annotation's (``body: "config"``) and
    @a2a-js/sdk's bare TaskPushNotificationConfig {name, pushNotificationConfig}."""
    if operation in ("SendMessage", "SendStreamingMessage"):
        return proto_send_params_03(to_wire(V03, operation, params))
    if operation in ("CancelTask", "SubscribeToTask"):
        return {"name": f"tasks/{params.get('id', '')}"}
    if operation == "CreateTaskPushNotificationConfig":
        task_id = str(params.get("taskId", ""))
        inner = proto_push_config_03(push_config_to_v03(params))
        config = {"name": f"tasks/{task_id}/pushNotificationConfigs/{inner.get('id', '')}",
                  "pushNotificationConfig": inner}
        return {"parent": f"tasks/{task_id}", "configId": inner.get("id", ""), "config": config, **config}
    return {k: v for k, v in params.items() if k not in ("id", "taskId")}
