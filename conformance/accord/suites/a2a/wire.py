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
CODE_BY_REASON = {reason: code for code, reason, _ in ERRORS.values()}
NAME_BY_CODE = {code: name for name, (code, _, _) in ERRORS.items()}
STANDARD_CODES = {-32700: "ParseError", -32600: "InvalidRequest", -32601: "MethodNotFound", -32602: "InvalidParams",
                  -32603: "InternalError"}

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
