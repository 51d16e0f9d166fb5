"""Each named fault of the reference A2A agent changes what its name says: one probe per fault shows the
broken app answering differently from the correct one."""

from __future__ import annotations

import asyncio
import json
import tomllib
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable

import httpx
import pytest

from accord.suites.a2a.webhook import WebhookReceiver
from accord_fixtures.a2a_reference import FAULT_BEHAVIOURS, FAULTS, make_app

SPECS = Path(__file__).resolve().parents[1] / "specs" / "a2a"
PROBE_TIMEOUT = 10.0


def catalogue_ids(version: str) -> set[str]:
    with (SPECS / version / "requirements.toml").open("rb") as file:
        return {entry["id"] for entry in tomllib.load(file)["requirement"]}


def sse_events(text: str) -> list[Any]:
    blocks = text.replace("\r\n", "\n").split("\n\n")
    return [json.loads(line[5:]) for block in blocks for line in block.split("\n") if line.startswith("data:")]


class Client:
    """Talks to one app in process (ASGITransport: streams come back whole once they close)."""

    def __init__(self, http: httpx.AsyncClient, webhook: WebhookReceiver) -> None:
        self.http, self.webhook = http, webhook

    @staticmethod
    def message(text: str = "hello", version: str = "1.0", **extra: Any) -> dict[str, Any]:
        part = {"text": text} if version == "1.0" else {"kind": "text", "text": text}
        role = "ROLE_USER" if version == "1.0" else "user"
        body = {"messageId": str(uuid.uuid4()), "role": role, "parts": [part], **extra}
        return body if version == "1.0" else {"kind": "message", **body}

    async def card(self, version: str = "1.0") -> dict[str, Any]:
        return (await self.http.get("/.well-known/agent-card.json", headers={"A2A-Version": version})).json()

    async def rpc(self, method: str, params: dict[str, Any], version: str = "1.0", request_id: Any = 7) -> httpx.Response:
        envelope = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
        return await self.http.post("/a2a/jsonrpc", json=envelope, headers={"A2A-Version": version})

    async def error(self, method: str, params: dict[str, Any], version: str = "1.0") -> dict[str, Any]:
        return (await self.rpc(method, params, version)).json().get("error") or {}

    async def error_id(self, method: str, params: dict[str, Any]) -> Any:
        return (await self.rpc(method, params, request_id="accord-7")).json()["id"]

    async def send(self, text: str = "hello", **message: Any) -> dict[str, Any]:
        configuration = message.pop("configuration", None)
        params: dict[str, Any] = {"message": self.message(text, **message)}
        if configuration:
            params["configuration"] = configuration
        return (await self.rpc("SendMessage", params)).json()["result"]["task"]

    async def stream(self, version: str = "1.0") -> list[Any]:
        method = "SendStreamingMessage" if version == "1.0" else "message/stream"
        response = await self.rpc(method, {"message": self.message(version=version)}, version)
        return [event["result"] for event in sse_events(response.text)]

    async def listed(self, **query: Any) -> list[dict[str, Any]]:
        return (await self.rpc("ListTasks", query)).json()["result"]["tasks"]

    async def deliveries(self, **push: Any) -> list[Any]:
        path = f"push-{uuid.uuid4().hex}"
        config = {"url": self.webhook.url(path), **push}
        await self.send(configuration={"taskPushNotificationConfig": config})
        for _ in range(60):  # the agent delivers from this event loop: yield to it, at most 3 s
            if self.webhook.received(path):
                break
            await asyncio.sleep(0.05)
        return self.webhook.received(path)


async def after_terminal(client: Client) -> int:
    events = await client.stream()
    states = [event.get("statusUpdate", {}).get("status", {}).get("state") for event in events]
    return len(events) - 1 - states.index("TASK_STATE_COMPLETED")


async def list_order(client: Client) -> bool:
    first, second = await client.send(), await client.send()
    ids = [task["id"] for task in await client.listed() if task["id"] in (first["id"], second["id"])]
    return ids == [second["id"], first["id"]]


async def message_id_is_task_id(client: Client) -> bool:
    sent = client.message()
    return (await client.rpc("SendMessage", {"message": sent})).json()["result"]["task"]["id"] == sent["messageId"]


async def terminal_follow_up(client: Client) -> bool:
    task = await client.send()
    follow_up = client.message(taskId=task["id"])
    return "error" in (await client.rpc("SendMessage", {"message": follow_up})).json()


async def kept_context(client: Client) -> bool:
    return (await client.send(contextId="accord-context-1"))["contextId"] == "accord-context-1"


async def listed_after_a_send(client: Client) -> list[dict[str, Any]]:
    await client.send()
    return await client.listed()


async def cancel_completed(client: Client) -> bool:
    return "error" in (await client.rpc("CancelTask", {"id": (await client.send())["id"]})).json()


async def last_chunk_names(client: Client) -> list[str]:
    return [name for event in await client.stream() for name in event.get("artifactUpdate", {}) if "hunk" in name]


Probe = Callable[[Client], Awaitable[Any]]
PROBES: dict[str, Probe] = {
    "card-no-description": lambda c: c.card(),
    "streaming-declared-unserved": lambda c: c.stream(),
    "interface-undeclared": lambda c: c.card(),
    "blocking-send-returns-early": lambda c: c.send(),
    "task-id-is-message-id": message_id_is_task_id,
    "terminal-task-accepts-message": terminal_follow_up,
    "client-context-id-replaced": kept_context,
    "history-length-ignored": lambda c: c.send(configuration={"historyLength": 1}),
    "list-oldest-first": list_order,
    "list-includes-artifacts": listed_after_a_send,
    "cancel-completed-succeeds": cancel_completed,
    "task-not-found-wrong-code": lambda c: c.error("GetTask", {"id": "no-such-task"}),
    "http-task-not-found-500": lambda c: c.http.get("/a2a/rest/tasks/no-such-task", headers={"A2A-Version": "1.0"}),
    "jsonrpc-no-error-info": lambda c: c.error("GetTask", {"id": "no-such-task"}),
    "unsupported-version-served": lambda c: c.error("GetTask", {"id": "no-such-task"}, version="99.0"),
    "stream-no-initial-task": lambda c: c.stream(),
    "stream-events-after-terminal": after_terminal,
    "final-flag-missing": lambda c: c.stream(version="0.3"),
    "push-never-delivers": lambda c: c.deliveries(),
    "push-token-not-sent": lambda c: c.deliveries(token="accord-push-token"),
    "jsonrpc-error-id-null": lambda c: c.error_id("GetTask", {"id": "no-such-task"}),
    "artifact-update-snake-case": last_chunk_names,
}
"""fault -> what to look at. Each probe's value differs between the correct and the broken app."""


def observed(value: Any) -> Any:
    """What a probe saw, without the parts that differ between any two runs (ids, timestamps)."""
    if isinstance(value, httpx.Response):
        return value.status_code, observed(value.json())
    if isinstance(value, list):
        return [observed(item) for item in value]
    if isinstance(value, dict):
        return {key: observed(item) for key, item in value.items()
                if key not in ("id", "messageId", "artifactId", "contextId", "taskId", "timestamp")}
    if hasattr(value, "headers") and hasattr(value, "body"):  # a webhook Delivery
        return sorted(name for name in value.headers if name.startswith("x-a2a")), observed(json.loads(value.body))
    return value


async def probe(fault: str, faults: frozenset[str], webhook: WebhookReceiver) -> Any:
    transport = httpx.ASGITransport(app=make_app(faults))  # type: ignore[arg-type]
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://a2a.test", timeout=PROBE_TIMEOUT) as http:
            return observed(await PROBES[fault](Client(http, webhook)))
    finally:
        await transport.app.state.a2a.agent.close()  # no task or delivery outlives the event loop


@pytest.fixture(scope="module")
def webhook():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


def test_every_fault_names_a_requirement_of_the_catalogues_and_has_a_probe() -> None:
    assert len(FAULTS) >= 18
    assert set(PROBES) | set(GRPC_PROBES) == set(FAULTS) == set(FAULT_BEHAVIOURS)
    in_1_0, in_0_3 = catalogue_ids("1.0"), catalogue_ids("0.3.0")
    assert {fault: rid for fault, rid in FAULTS.items() if rid not in in_1_0 | in_0_3} == {}
    assert sum(rid in in_1_0 and rid in in_0_3 for rid in FAULTS.values()) >= len(FAULTS) // 2
    assert len(set(FAULTS.values())) == len(FAULTS), "two faults break the same requirement"


# --- gRPC faults: the app serves the gRPC binding while its lifespan runs --------------------------------------


async def grpc_get_task(url: str, version: str = "1.0") -> tuple[str, list[tuple[str, str]]]:
    """GetTask of an unknown task over the app's gRPC binding: (status code, (reason, domain) of each ErrorInfo)."""
    import grpc
    from a2a.types import a2a_pb2, a2a_pb2_grpc
    from google.rpc import error_details_pb2, status_pb2

    async with grpc.aio.insecure_channel(url.removeprefix("grpc://")) as channel:
        try:
            await a2a_pb2_grpc.A2AServiceStub(channel).GetTask(
                a2a_pb2.GetTaskRequest(id="no-such-task"), metadata=[("a2a-version", version)], timeout=PROBE_TIMEOUT)
        except grpc.aio.AioRpcError as error:
            infos = []
            for key, value in error.trailing_metadata() or ():
                if key == "grpc-status-details-bin":
                    for detail in status_pb2.Status.FromString(value).details:
                        info = error_details_pb2.ErrorInfo()
                        if detail.Unpack(info):
                            infos.append((info.reason, info.domain))
            return error.code().name, infos
    return "OK", []


GRPC_PROBES: dict[str, Callable[[str], Awaitable[Any]]] = {
    "grpc-error-info-wrong-domain": grpc_get_task,
    "grpc-task-not-found-internal": grpc_get_task,
    "grpc-metadata-version-ignored": lambda url: grpc_get_task(url, version="99.0"),
}


async def grpc_probe(fault: str, faults: frozenset[str]) -> Any:
    app = make_app(faults, grpc_port=0)
    async with app.router.lifespan_context(app):
        return await GRPC_PROBES[fault](app.state.a2a.grpc_url)


@pytest.mark.parametrize("fault", sorted(GRPC_PROBES))
def test_grpc_fault_changes_what_its_name_says(fault: str) -> None:
    pytest.importorskip("grpc", reason="the gRPC binding needs grpcio (pip install 'a2a-sdk[grpc]')")

    async def both() -> tuple[Any, Any]:
        return await grpc_probe(fault, frozenset()), await grpc_probe(fault, frozenset({fault}))

    correct, broken = asyncio.run(asyncio.wait_for(both(), timeout=2 * PROBE_TIMEOUT))
    assert correct != broken, f"{fault} ({FAULT_BEHAVIOURS[fault]}) looks like the correct agent: {correct}"


@pytest.mark.parametrize("fault", sorted(PROBES))
def test_fault_changes_what_its_name_says(fault: str, webhook: WebhookReceiver) -> None:
    async def both() -> tuple[Any, Any]:
        return await probe(fault, frozenset(), webhook), await probe(fault, frozenset({fault}), webhook)

    correct, broken = asyncio.run(asyncio.wait_for(both(), timeout=2 * PROBE_TIMEOUT))
    assert correct != broken, f"{fault} ({FAULT_BEHAVIOURS[fault]}) looks like the correct agent: {correct}"
