"""What an A2A check receives: the card, the binding under test, the others, and operation helpers."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from ...outcomes import Failure, Skip
from ...schema import SchemaDocument
from . import wire
from .bindings import Answer, Binding, asks_version, stream_ends

if TYPE_CHECKING:
    from . import A2aSuite
    from .webhook import WebhookReceiver

PROBE_TEXT = "accord conformance probe: please answer briefly"

RESULT_DEFINITIONS = {
    wire.V10: {
        "SendMessage": "SendMessageResponse", "GetTask": "Task", "CancelTask": "Task", "ListTasks": "ListTasksResponse",
        "CreateTaskPushNotificationConfig": "TaskPushNotificationConfig",
        "GetTaskPushNotificationConfig": "TaskPushNotificationConfig",
        "ListTaskPushNotificationConfigs": "ListTaskPushNotificationConfigsResponse",
        "GetExtendedAgentCard": "AgentCard",
    },
    wire.V03: {
        "GetTask": "Task", "CancelTask": "Task",
        "CreateTaskPushNotificationConfig": "TaskPushNotificationConfig",
        "GetTaskPushNotificationConfig": "TaskPushNotificationConfig",
        "GetExtendedAgentCard": "AgentCard",
    },
}
"""Operation -> the schema definition of its result, per version (0.3 SendMessage and events go by kind)."""
KIND_DEFINITIONS_V03 = {"task": "Task", "message": "Message", "status-update": "TaskStatusUpdateEvent",
                        "artifact-update": "TaskArtifactUpdateEvent"}


def unwrapped_v03(value: Any) -> Any:
    """0.3 HTTP+JSON wraps a result or event in a one-member object ({"task": {...}}); the kind-tagged inside."""
    if isinstance(value, dict) and "kind" not in value and len(value) == 1:
        (key, inner), = value.items()
        if key in wire.EVENT_KEYS and isinstance(inner, dict):
            return inner
    return value


def new_id() -> str:
    return str(uuid.uuid4())


class A2aContext:
    def __init__(self, suite: "A2aSuite"):
        self.suite = suite
        self.spec = suite.spec
        self.schema: SchemaDocument = suite.spec.schema
        self.settings = suite.settings
        self.limits = suite.settings.limits
        self.version: str = suite.version

    @property
    def binding(self) -> Binding:
        """The binding under test (Skip when the run has none, e.g. the card could not be read)."""
        if self.suite.binding is None:
            raise Skip(self.suite.blocked or "no binding to judge")
        return self.suite.binding

    # --- the agent -----------------------------------------------------
    @property
    def card(self) -> dict[str, Any]:
        return self.suite.require_card()

    @property
    def bindings(self) -> dict[str, Binding]:
        """Every binding the card declares for this version that accord speaks, by name."""
        return self.suite.bindings

    def webhook(self) -> "WebhookReceiver":
        return self.suite.webhook()

    # --- operations ----------------------------------------------------
    def call(self, operation: str, params: dict[str, Any] | None = None, *, binding: Binding | None = None,
             headers: dict[str, str] | None = None, timeout: float | None = None) -> Answer:
        """One operation with 1.0-form params on the binding under test (or ``binding``); streams are
        read until the event that ends them."""
        chosen = binding or self.binding
        stop = stream_ends if operation in wire.STREAMING else None
        answer = chosen.call(operation, params, headers=headers, timeout=timeout, stop=stop)
        judged = chosen.version == self.version and asks_version(headers, self.version)
        return remember(self.suite, answer) if judged else answer

    def message(self, text: str = PROBE_TEXT, *, task_id: str | None = None, context_id: str | None = None) -> dict[str, Any]:
        return wire.text_message(text, message_id=new_id(), task_id=task_id, context_id=context_id)

    def send(self, text: str = PROBE_TEXT, *, task_id: str | None = None, context_id: str | None = None,
             configuration: dict[str, Any] | None = None, binding: Binding | None = None) -> Answer:
        params: dict[str, Any] = {"message": self.message(text, task_id=task_id, context_id=context_id)}
        if configuration:
            params["configuration"] = configuration
        return self.call("SendMessage", params, binding=binding)

    def stream(self, text: str = PROBE_TEXT, *, task_id: str | None = None, context_id: str | None = None,
               binding: Binding | None = None) -> Answer:
        params = {"message": self.message(text, task_id=task_id, context_id=context_id)}
        return self.call("SendStreamingMessage", params, binding=binding)

    def get_task(self, task_id: str, history_length: int | None = None, *, binding: Binding | None = None) -> Answer:
        params: dict[str, Any] = {"id": task_id}
        if history_length is not None:
            params["historyLength"] = history_length
        return self.call("GetTask", params, binding=binding)

    def cancel(self, task_id: str, *, binding: Binding | None = None) -> Answer:
        return self.call("CancelTask", {"id": task_id}, binding=binding)

    def subscribe(self, task_id: str, *, binding: Binding | None = None) -> Answer:
        return self.call("SubscribeToTask", {"id": task_id}, binding=binding)

    def created_task(self, answer: Answer, what: str) -> dict[str, Any]:
        """The Task an answer carries, or Skip when the agent answered with a direct Message (no task to
        judge), or Failure when it answered neither."""
        if answer.error is not None or answer.problems:
            raise Failure(f"{what}: {answer.describe()}")
        task = answer.task()
        if task is None:
            kind, _ = answer.canonical()
            if kind == "message":
                raise Skip(f"{what} was answered with a Message, not a Task: the agent creates no task for this input")
            raise Failure(f"{what}: the answer holds neither a task nor a message: {str(answer.result)[:200]}")
        return task

    # --- schema --------------------------------------------------------
    def errors(self, definition: str, value: Any) -> list[str]:
        return self.schema.errors(definition, value)

    def result_errors(self, answer: Answer) -> list[str]:
        """What is wrong with the answer's result and stream events against this version's schema."""
        problems: list[str] = []
        definition = RESULT_DEFINITIONS[self.version].get(answer.operation)
        if answer.result is not None:
            if definition:
                problems += self.errors(definition, answer.result)
            elif self.version == wire.V03 and isinstance(answer.result, dict):
                result = unwrapped_v03(answer.result)
                kind_definition = KIND_DEFINITIONS_V03.get(str(result.get("kind")))
                problems += self.errors(kind_definition, result) if kind_definition else [
                    f"result has no known kind: {str(result)[:120]}"]
        for index, event in enumerate(answer.events):
            if self.version == wire.V10:
                found = self.errors("StreamResponse", event)
            else:
                event = unwrapped_v03(event)
                kind = event.get("kind") if isinstance(event, dict) else None
                found = self.errors(KIND_DEFINITIONS_V03[kind], event) if kind in KIND_DEFINITIONS_V03 else [
                    f"event has no known kind: {str(event)[:120]}"]
            problems += [f"event {index}: {p}" for p in found]
        return problems

    def require_ok(self, answer: Answer, what: str) -> None:
        if not answer.ok:
            raise Failure(f"{what}: {answer.describe()}")

    def require_error(self, answer: Answer, code: int, what: str) -> None:
        """The answer is the A2A error with ``code`` (JSON-RPC code, or the ErrorInfo reason that maps to it)."""
        if answer.error is None:
            raise Failure(f"{what}: expected {wire.NAME_BY_CODE.get(code, code)} ({code}), got a success: "
                          f"{str(answer.result if answer.result is not None else answer.events)[:200]}")
        if not answer.error.is_(code):
            raise Failure(f"{what}: expected {wire.NAME_BY_CODE.get(code, code)} ({code}), got {answer.error.describe()}")


# --- the run's record of answers (for observer checks such as a2a.schema.wire-valid) ---------------
MAX_REMEMBERED = 2000
"""Answers kept per run; later ones are not recorded (the run stays bounded in memory)."""


def remember(suite: Any, answer: Answer) -> Answer:
    """Record ``answer`` on the suite (every answer made through A2aContext.call comes here) and return it."""
    answers = remembered(suite)
    if len(answers) < MAX_REMEMBERED:
        answers.append(answer)
    return answer


def remembered(suite: Any) -> list[Answer]:
    """Every Answer recorded on ``suite`` so far, oldest first (the list itself, kept as ``suite.answers``)."""
    answers = getattr(suite, "answers", None)
    if answers is None:
        answers = []
        suite.answers = answers
    return answers


# --- answers to deliberately invalid requests ------------------------------------------------------------------
def set_aside(suite: Any, answer: Answer) -> Answer:
    """Take the answer to a deliberately invalid request out of the run's record, and note the tasks it made:
    what an agent echoes of accord's own invalid input is judged by the check that sent it (a2a.errors.*,
    a2a.properties.invalid-rejected), not by the shape observers."""
    answers = remembered(suite)
    for index in range(len(answers) - 1, -1, -1):
        if answers[index] is answer:
            del answers[index]
    made = tainted_tasks(suite)
    for payload in [answer.task(), *(p for _, p in answer.canonical_events())]:
        if isinstance(payload, dict):
            task_id = payload.get("taskId") or payload.get("id")
            if isinstance(task_id, str) and task_id:
                made.add(task_id)
    return answer


def tainted_tasks(suite: Any) -> set[str]:
    """The ids of tasks made by deliberately invalid requests of the run (see set_aside)."""
    made = getattr(suite, "tainted_task_ids", None)
    if made is None:
        made = set()
        suite.tainted_task_ids = made
    return made
