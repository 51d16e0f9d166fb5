"""The reference ACP 0.2.0 server (accord_fixtures.acp_reference): correct by default; each fault breaks its
requirement."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable
from urllib.parse import urlsplit

import httpx
import jsonschema
import pytest
import uvicorn

from accord_fixtures.acp_reference import FAULTS, app, make_app, parse_faults
from accord_fixtures.acp_reference import store as store_module

UPSTREAM_OPENAPI = Path(__file__).resolve().parents[1] / ".." / "shared" / "upstream" / "acp" / "0.2.0" / "openapi.yaml"
BASE_URL = "http://acp.test"
CLOSING = ("run.completed", "run.failed", "run.cancelled", "run.awaiting")
TEST_TIMEOUT = 15.0


# --- upstream schema (read-only reference data) ---------------------------------------------------------------

def _nullable_to_2020(node: Any) -> Any:
    """OpenAPI 3.0 `nullable: true` (used by the upstream file) as JSON Schema: anyOf [the schema, null]."""
    if isinstance(node, list):
        return [_nullable_to_2020(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _nullable_to_2020(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@functools.cache
def _components() -> dict[str, Any] | None:
    try:
        import yaml
    except ImportError:
        return None
    if not UPSTREAM_OPENAPI.is_file():
        return None
    document = yaml.safe_load(UPSTREAM_OPENAPI.read_text(encoding="utf-8"))
    return _nullable_to_2020(document["components"])


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time")
    def is_date_time(value: object) -> bool:
        return not isinstance(value, str) or ("T" in value and _parses_as_datetime(value))

    @checker.checks("uri")
    def is_uri(value: object) -> bool:
        return not isinstance(value, str) or bool(urlsplit(value).scheme)

    return checker


def _parses_as_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


@functools.cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "components": _components(),
            "$ref": f"#/components/schemas/{name}"}
    return jsonschema.Draft202012Validator(root, format_checker=_format_checker())


def schema_errors(instance: Any, name: str) -> list[str]:
    if _components() is None:
        return []
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator(name).iter_errors(instance)]


def assert_valid(instance: Any, name: str) -> None:
    errors = schema_errors(instance, name)
    assert not errors, f"not a valid {name}: {errors}\n{json.dumps(instance, indent=1)[:2000]}"


@pytest.fixture
def upstream_schema() -> None:
    if _components() is None:
        pytest.skip(f"upstream ACP OpenAPI not readable (needs PyYAML in the venv and {UPSTREAM_OPENAPI})")


# --- driving the app ----------------------------------------------------------------------------------------------

def run_async(scenario: Callable[[], Awaitable[None]]) -> None:
    async def bounded() -> None:
        await asyncio.wait_for(scenario(), timeout=TEST_TIMEOUT)

    asyncio.run(bounded())


@contextlib.asynccontextmanager
async def client_for(asgi_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi_app), base_url=BASE_URL,
                                 timeout=10.0) as client:
        yield client


def sse_events(text: str) -> list[dict[str, Any]]:
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        data = [line[5:].lstrip() for line in block.split("\n") if line.startswith("data:")]
        if data:
            events.append(json.loads("\n".join(data)))
    return events


def user(*texts: str) -> list[dict[str, Any]]:
    return [{"role": "user", "parts": [{"content_type": "text/plain", "content": t} for t in texts]}]


def run_body(agent: str, mode: str, *texts: str, **extra: Any) -> dict[str, Any]:
    return {"agent_name": agent, "mode": mode, "input": user(*texts), **extra}


def resume_body(run_id: str, mode: str, text: str) -> dict[str, Any]:
    return {"run_id": run_id, "mode": mode,
            "await_resume": {"type": "message", "message": {"role": "user", "parts": [{"content": text}]}}}


def texts(message: dict[str, Any]) -> list[str]:
    return [part.get("content") for part in message["parts"]]


async def poll(client: httpx.AsyncClient, run_id: str, statuses: tuple[str, ...], seconds: float = 5.0) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        run = (await client.get(f"/runs/{run_id}")).json()
        if run["status"] in statuses or time.monotonic() > deadline:
            return run
        await asyncio.sleep(0.02)


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["code"] == code
    assert_valid(response.json(), "Error")


# --- discovery ----------------------------------------------------------------------------------------------------

def test_ping_agents_and_manifests(upstream_schema: None) -> None:
    async def scenario() -> None:
        async with client_for(app) as client:
            ping = await client.get("/ping")
            assert (ping.status_code, ping.json()) == (200, {})
            listing = await client.get("/agents")
            assert listing.status_code == 200
            assert_valid(listing.json(), "AgentsListResponse")
            names = [agent["name"] for agent in listing.json()["agents"]]
            assert names == ["echo", "awaiter", "slow", "failer"]
            for name in names:
                manifest = await client.get(f"/agents/{name}")
                assert manifest.status_code == 200
                assert manifest.json()["name"] == name
                assert_valid(manifest.json(), "AgentManifest")
            page = (await client.get("/agents", params={"limit": 2, "offset": 1})).json()
            assert [agent["name"] for agent in page["agents"]] == ["awaiter", "slow"]
            assert (await client.get("/agents", params={"offset": 4})).json() == {"agents": []}
            assert len((await client.get("/agents", params={"limit": 1000})).json()["agents"]) == 4
            for params in ({"limit": 0}, {"limit": 1001}, {"offset": -1}, {"limit": "x"}, {"offset": "1.5"}):
                assert_error(await client.get("/agents", params=params), 422, "invalid_input")
            assert_error(await client.get("/agents/no-such-agent"), 404, "not_found")
            assert_error(await client.get("/agents/Not_A_Name"), 404, "not_found")
            assert_error(await client.get("/no/such/endpoint"), 404, "not_found")
            assert_error(await client.delete("/ping"), 405, "invalid_input")

    run_async(scenario)


# --- runs: the three modes ----------------------------------------------------------------------------------------

def test_echo_sync_async_and_stream(upstream_schema: None) -> None:
    async def scenario() -> None:
        async with client_for(app) as client:
            sync = await client.post("/runs", json=run_body("echo", "sync", "a", "b", "c"))
            assert sync.status_code == 200
            run = sync.json()
            assert_valid(run, "Run")
            assert run["status"] == "completed" and run["agent_name"] == "echo"
            assert uuid.UUID(run["run_id"]) and "finished_at" in run and "created_at" in run
            assert "session_id" not in run
            assert [(m["role"], texts(m)) for m in run["output"]] == [("agent/echo", ["a", "b", "c"])]
            assert sync.headers["run-id"] == run["run_id"]

            accepted = await client.post("/runs", json=run_body("slow", "async", "go"))
            assert accepted.status_code == 202
            assert_valid(accepted.json(), "Run")
            assert accepted.json()["status"] == "created"
            run_id = accepted.json()["run_id"]
            midway = await poll(client, run_id, ("in-progress",))
            assert midway["status"] == "in-progress"
            final = await poll(client, run_id, ("completed",), seconds=6.0)
            assert_valid(final, "Run")
            assert final["status"] == "completed"
            assert texts(final["output"][0]) == [f"tick {n} of 15" for n in range(1, 16)]

            streamed = await client.post("/runs", json=run_body("echo", "stream", "x", "y"))
            assert streamed.status_code == 200
            assert streamed.headers["content-type"].startswith("text/event-stream")
            events = sse_events(streamed.text)
            for event in events:
                assert_valid(event, "Event")
            assert [e["type"] for e in events] == [
                "run.created", "run.in-progress", "message.created", "message.part", "message.part",
                "message.completed", "run.completed"]
            assert [e["part"]["content"] for e in events if e["type"] == "message.part"] == ["x", "y"]
            assert texts(events[-2]["message"]) == ["x", "y"]
            assert events[0]["run"]["status"] == "created" and events[-1]["run"]["status"] == "completed"
            replay = await client.get(f"/runs/{events[0]['run']['run_id']}/events")
            assert replay.status_code == 200
            assert_valid(replay.json(), "RunEventsListResponse")
            assert replay.json()["events"] == events

    run_async(scenario)


def test_failer_fails_with_an_error(upstream_schema: None) -> None:
    async def scenario() -> None:
        async with client_for(app) as client:
            run = (await client.post("/runs", json=run_body("failer", "sync", "x"))).json()
            assert_valid(run, "Run")
            assert run["status"] == "failed" and run["error"]["code"] == "server_error"
            assert run["error"]["message"] and "finished_at" in run
            events = sse_events((await client.post("/runs", json=run_body("failer", "stream", "x"))).text)
            for event in events:
                assert_valid(event, "Event")
            assert [e["type"] for e in events] == ["run.created", "run.in-progress", "error", "run.failed"]
            assert events[-2]["error"]["code"] == "server_error"
            assert events[-1]["run"]["error"] == events[-2]["error"]

    run_async(scenario)


def test_awaiter_awaits_then_resumes_in_each_mode(upstream_schema: None) -> None:
    async def scenario() -> None:
        async with client_for(app) as client:
            created = await client.post("/runs", json=run_body("awaiter", "stream", "hi"))
            first = sse_events(created.text)
            assert [e["type"] for e in first] == ["run.created", "run.in-progress", "run.awaiting"]
            run_id = first[0]["run"]["run_id"]
            awaiting = (await client.get(f"/runs/{run_id}")).json()
            assert_valid(awaiting, "Run")
            assert awaiting["status"] == "awaiting" and isinstance(awaiting["await_request"], dict)
            resumed = await client.post(f"/runs/{run_id}", json=resume_body(run_id, "stream", "pong"))
            assert resumed.status_code == 200 and resumed.headers["content-type"].startswith("text/event-stream")
            second = sse_events(resumed.text)
            for event in first + second:
                assert_valid(event, "Event")
            assert [e["type"] for e in second] == [
                "run.in-progress", "message.created", "message.part", "message.completed", "run.completed"]
            assert texts(second[-1]["run"]["output"][0]) == ["pong"]
            assert (await client.get(f"/runs/{run_id}/events")).json()["events"] == first + second

            sync = (await client.post("/runs", json=run_body("awaiter", "sync", "hi"))).json()
            assert sync["status"] == "awaiting"
            done = await client.post(f"/runs/{sync['run_id']}", json=resume_body(sync["run_id"], "sync", "ok"))
            assert done.status_code == 200 and done.json()["status"] == "completed"
            assert done.json()["await_request"] is None
            assert_valid(done.json(), "Run")

            later = (await client.post("/runs", json=run_body("awaiter", "sync", "hi"))).json()
            accepted = await client.post(f"/runs/{later['run_id']}", json=resume_body(later["run_id"], "async", "z"))
            assert accepted.status_code == 202 and accepted.json()["status"] == "in-progress"
            assert (await poll(client, later["run_id"], ("completed",)))["status"] == "completed"

    run_async(scenario)


def test_resume_only_from_awaiting_and_bad_resumes(upstream_schema: None) -> None:
    async def scenario() -> None:
        async with client_for(app) as client:
            done = (await client.post("/runs", json=run_body("echo", "sync", "x"))).json()
            # A run that is not awaiting cannot be resumed: invalid_input, 422.
            assert_error(await client.post(f"/runs/{done['run_id']}", json=resume_body(done["run_id"], "sync", "r")),
                         422, "invalid_input")
            assert (await client.get(f"/runs/{done['run_id']}")).json()["status"] == "completed"
            waiting = (await client.post("/runs", json=run_body("awaiter", "sync", "x"))).json()
            run_id = waiting["run_id"]
            bad_bodies = [
                {"run_id": run_id, "mode": "sync"},
                {"run_id": run_id, "await_resume": {}},
                {"run_id": run_id, "await_resume": [], "mode": "sync"},
                {"run_id": str(uuid.uuid4()), "await_resume": {}, "mode": "sync"},
                {"run_id": run_id, "await_resume": {"message": {"role": "robot", "parts": [{}]}}, "mode": "sync"},
            ]
            for body in bad_bodies:
                assert_error(await client.post(f"/runs/{run_id}", json=body), 422, "invalid_input")
            assert (await client.get(f"/runs/{run_id}")).json()["status"] == "awaiting"
            unknown = str(uuid.uuid4())
            assert_error(await client.post(f"/runs/{unknown}", json=resume_body(unknown, "sync", "r")),
                         404, "not_found")
            generic = await client.post(f"/runs/{run_id}", json={"mode": "sync", "await_resume": {"answer": 42}})
            assert generic.status_code == 200
            part = generic.json()["output"][0]["parts"][0]
            assert part["content_type"] == "application/json" and json.loads(part["content"]) == {"answer": 42}

    run_async(scenario)


# --- cancel, timeouts, bounds ---------------------------------------------------------------------------------------

def test_cancel_is_two_step_and_terminal_runs_stay_terminal(upstream_schema: None) -> None:
    async def scenario() -> None:
        async with client_for(app) as client:
            run_id = (await client.post("/runs", json=run_body("slow", "async", "x"))).json()["run_id"]
            await poll(client, run_id, ("in-progress",))
            await asyncio.sleep(0.25)
            cancel = await client.post(f"/runs/{run_id}/cancel")
            assert cancel.status_code == 202
            assert_valid(cancel.json(), "Run")
            assert cancel.json()["status"] == "cancelling"
            final = await poll(client, run_id, ("cancelled",))
            assert final["status"] == "cancelled" and "finished_at" in final
            assert 1 <= len(final["output"][0]["parts"]) < 15 and "completed_at" not in final["output"][0]
            assert_valid(final, "Run")
            events = (await client.get(f"/runs/{run_id}/events")).json()["events"]
            assert events[-1]["type"] == "run.cancelled"
            assert [e["type"] for e in events].count("run.cancelled") == 1
            assert_error(await client.post(f"/runs/{run_id}/cancel"), 422, "invalid_input")
            await asyncio.sleep(0.05)
            assert (await client.get(f"/runs/{run_id}")).json()["status"] == "cancelled"

            done = (await client.post("/runs", json=run_body("echo", "sync", "x"))).json()
            assert_error(await client.post(f"/runs/{done['run_id']}/cancel"), 422, "invalid_input")
            failed = (await client.post("/runs", json=run_body("failer", "sync", "x"))).json()
            assert_error(await client.post(f"/runs/{failed['run_id']}/cancel"), 422, "invalid_input")
            assert (await client.get(f"/runs/{done['run_id']}")).json()["status"] == "completed"

            waiting = (await client.post("/runs", json=run_body("awaiter", "sync", "x"))).json()
            assert (await client.post(f"/runs/{waiting['run_id']}/cancel")).json()["status"] == "cancelling"
            after = await poll(client, waiting["run_id"], ("cancelled",))
            assert after["status"] == "cancelled" and after["await_request"] is None

            fresh = (await client.post("/runs", json=run_body("slow", "async", "x"))).json()["run_id"]
            assert (await client.post(f"/runs/{fresh}/cancel")).json()["status"] == "cancelling"
            assert (await poll(client, fresh, ("cancelled",)))["status"] == "cancelled"

            assert_error(await client.post(f"/runs/{uuid.uuid4()}/cancel"), 404, "not_found")
            assert_error(await client.get("/runs/not-a-uuid"), 404, "not_found")
            assert_error(await client.get(f"/runs/{uuid.uuid4()}/events"), 404, "not_found")

    run_async(scenario)


def test_awaiting_times_out_into_failed(upstream_schema: None) -> None:
    async def scenario() -> None:
        async with client_for(make_app(await_timeout=0.2)) as client:
            run_id = (await client.post("/runs", json=run_body("awaiter", "sync", "x"))).json()["run_id"]
            final = await poll(client, run_id, ("failed",), seconds=3.0)
            assert final["status"] == "failed" and final["error"]["code"] == "server_error"
            assert_valid(final, "Run")
            types = [e["type"] for e in (await client.get(f"/runs/{run_id}/events")).json()["events"]]
            assert types[-3:] == ["run.awaiting", "error", "run.failed"]

    run_async(scenario)


def test_run_store_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "MAX_RUNS", 3)

    async def scenario() -> None:
        async with client_for(make_app()) as client:
            ids = [(await client.post("/runs", json=run_body("echo", "sync", "x"))).json()["run_id"]
                   for _ in range(4)]
            assert (await client.get(f"/runs/{ids[0]}")).status_code == 404
            assert (await client.get(f"/runs/{ids[-1]}")).status_code == 200
            waiting = [(await client.post("/runs", json=run_body("awaiter", "async", "x"))).json()["run_id"]
                       for _ in range(3)]
            assert_error(await client.post("/runs", json=run_body("echo", "sync", "x")), 503, "server_error")
            for run_id in waiting:
                await client.post(f"/runs/{run_id}/cancel")

    run_async(scenario)


def test_invalid_run_requests_are_rejected(upstream_schema: None) -> None:
    part = {"content_type": "text/plain", "content": "x"}
    bad_bodies: list[Any] = [
        [], {"input": user("x")}, {"agent_name": "echo"}, {"agent_name": "echo", "input": []},
        {"agent_name": "Echo!", "input": user("x")},
        {"agent_name": "echo", "input": [{"role": "assistant", "parts": [part]}]},
        {"agent_name": "echo", "input": [{"role": "user", "parts": []}]},
        {"agent_name": "echo", "input": [{"role": "user", "parts": [{**part, "content_url": "http://x/y"}]}]},
        {"agent_name": "echo", "input": [{"role": "user", "parts": [{**part, "content_encoding": "gzip"}]}]},
        {"agent_name": "echo", "input": user("x"), "mode": "eventually"},
        {"agent_name": "echo", "input": user("x"), "session_id": "not-a-uuid"},
        {"agent_name": "echo", "input": user("x"), "session_id": str(uuid.uuid4()),
         "session": {"id": str(uuid.uuid4()), "history": []}},
    ]

    async def scenario() -> None:
        async with client_for(app) as client:
            for body in bad_bodies:
                assert_error(await client.post("/runs", json=body), 422, "invalid_input")
            assert_error(await client.post("/runs", content=b"{not json"), 422, "invalid_input")
            too_big = b" " * (1024 * 1024 + 1)
            assert_error(await client.post("/runs", content=too_big), 413, "invalid_input")
            assert_error(await client.post("/runs", json=run_body("nobody", "sync", "x")), 404, "not_found")
            sdk_style = {"agent_name": "echo", "session_id": None, "session": None, "mode": "sync", "input": [
                {"role": "user", "created_at": "2025-06-01T10:00:00Z", "completed_at": None,
                 "parts": [{"name": None, "content_type": "text/plain", "content": "x", "content_encoding": "plain",
                            "content_url": None, "metadata": None}]}]}
            accepted = await client.post("/runs", json=sdk_style)  # acp-sdk 1.0.3 sends unset fields as null
            assert accepted.status_code == 200
            assert_valid(accepted.json(), "Run")
            assert accepted.json()["output"][0]["parts"] == [{"content_type": "text/plain", "content": "x",
                                                              "content_encoding": "plain"}]
            no_content_type = {"agent_name": "echo", "input": [{"role": "user", "parts": [{"content": "x"}]}]}
            lenient = await client.post("/runs", json=no_content_type)
            assert lenient.status_code == 200
            assert lenient.json()["output"][0]["parts"][0]["content_type"] == "text/plain"

    run_async(scenario)


# --- sessions --------------------------------------------------------------------------------------------------------

def test_sessions_share_history(upstream_schema: None) -> None:
    async def scenario() -> None:
        async with client_for(app) as client:
            session_id = str(uuid.uuid4())
            first = (await client.post("/runs", json=run_body("echo", "sync", "one", session_id=session_id))).json()
            assert first["session_id"] == session_id
            assert texts(first["output"][0])[-1] == f"session {session_id} had 0 earlier run(s)"
            session = await client.get(f"/session/{session_id}")
            assert session.status_code == 200
            assert_valid(session.json(), "Session")
            assert session.json()["id"] == session_id and len(session.json()["history"]) == 2
            second = (await client.post("/runs", json=run_body("echo", "stream", "two", session_id=session_id)))
            assert sse_events(second.text)[-1]["type"] == "run.completed"
            grown = (await client.get(f"/sessions/{session_id}")).json()
            assert grown["history"][:2] == session.json()["history"] and len(grown["history"]) == 4
            messages = []
            for url in grown["history"]:
                assert url.startswith(f"{BASE_URL}/resources/")
                resource = await client.get(url)
                assert resource.status_code == 200
                assert_valid(resource.json(), "Message")
                messages.append(resource.json())
            assert [m["role"] for m in messages] == ["user", "agent/echo", "user", "agent/echo"]
            assert texts(messages[2]) == ["two"] and texts(messages[3])[-1].endswith("had 1 earlier run(s)")

            descriptor = {"id": str(uuid.uuid4()), "history": ["http://elsewhere.test/resources/1"]}
            forwarded = (await client.post("/runs", json=run_body("echo", "sync", "x", session=descriptor))).json()
            assert forwarded["session_id"] == descriptor["id"]
            adopted = (await client.get(f"/session/{descriptor['id']}")).json()
            assert adopted["history"][0] == descriptor["history"][0] and len(adopted["history"]) == 3

            assert_error(await client.get(f"/session/{uuid.uuid4()}"), 404, "not_found")
            assert_error(await client.get(f"/resources/{uuid.uuid4()}"), 404, "not_found")

    run_async(scenario)


# --- over a real socket: streams arrive as they happen ----------------------------------------------------------------

@contextlib.contextmanager
def serve_in_thread(asgi_app: Any) -> Any:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(asgi_app, log_level="warning", timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10.0
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=5.0)
        sock.close()


def test_cancel_lands_during_a_live_stream(upstream_schema: None) -> None:
    with serve_in_thread(make_app()) as url, httpx.Client(base_url=url, timeout=5.0) as client:
        events: list[dict[str, Any]] = []
        started = time.monotonic()
        with client.stream("POST", "/runs", json=run_body("slow", "stream", "x")) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            buffer = ""
            for chunk in response.iter_text():
                buffer += chunk
                *blocks, buffer = buffer.split("\n\n")
                events += sse_events("\n\n".join(blocks) + "\n\n")
                if [e["type"] for e in events].count("message.part") == 2 and len(events) == 5:
                    cancel = client.post(f"/runs/{events[0]['run']['run_id']}/cancel")
                    assert cancel.status_code == 202 and cancel.json()["status"] == "cancelling"
        assert time.monotonic() - started < 1.2, "the stream did not end soon after the cancel"
        for event in events:
            assert_valid(event, "Event")
        assert [e["type"] for e in events][:3] == ["run.created", "run.in-progress", "message.created"]
        assert events[-1]["type"] == "run.cancelled"
        assert sum(e["type"] in CLOSING for e in events) == 1
        replay = client.get(f"/runs/{events[0]['run']['run_id']}/events").json()["events"]
        assert replay == events


def test_command_line_serves_with_faults() -> None:
    command = [sys.executable, "-m", "accord_fixtures.acp_reference", "--port", "0", "--fault", "ping-not-object"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        assert line.startswith("listening on http://127.0.0.1:"), line
        url = line.split("listening on ", 1)[1].strip()
        assert httpx.get(f"{url}/ping", timeout=5.0).json() == "pong"
    finally:
        process.terminate()
        process.wait(timeout=10)
    bad = subprocess.run([sys.executable, "-m", "accord_fixtures.acp_reference", "--fault", "no-such-fault"],
                         capture_output=True, text=True, timeout=20)
    assert bad.returncode == 2 and "unknown fault" in bad.stderr


# --- faults: each one breaks what it names ----------------------------------------------------------------------------

Probe = Callable[[httpx.AsyncClient], Awaitable[bool]]


async def _stream(client: httpx.AsyncClient, *texts_: str) -> tuple[httpx.Response, list[dict[str, Any]]]:
    response = await client.post("/runs", json=run_body("echo", "stream", *texts_))
    return response, sse_events(response.text)


async def _sync(client: httpx.AsyncClient, agent: str = "echo", *texts_: str) -> dict[str, Any]:
    return (await client.post("/runs", json=run_body(agent, "sync", *(texts_ or ("x",))))).json()


async def _ping_not_object(client: httpx.AsyncClient) -> bool:
    return not isinstance((await client.get("/ping")).json(), dict)


async def _list_ignores_limit(client: httpx.AsyncClient) -> bool:
    return len((await client.get("/agents", params={"limit": 1})).json()["agents"]) != 1


async def _list_accepts_bad_limit(client: httpx.AsyncClient) -> bool:
    return (await client.get("/agents", params={"limit": 0})).status_code != 422


async def _unknown_agent_500(client: httpx.AsyncClient) -> bool:
    return (await client.get("/agents/no-such-agent")).status_code != 404


async def _manifest_bad_name(client: httpx.AsyncClient) -> bool:
    manifest = (await client.get("/agents/echo")).json()
    return bool(schema_errors(manifest, "AgentManifest")) or manifest["name"] != "echo"


async def _sync_returns_202(client: httpx.AsyncClient) -> bool:
    return (await client.post("/runs", json=run_body("echo", "sync", "x"))).status_code != 200


async def _async_returns_200(client: httpx.AsyncClient) -> bool:
    return (await client.post("/runs", json=run_body("echo", "async", "x"))).status_code != 202


async def _stream_wrong_content_type(client: httpx.AsyncClient) -> bool:
    response, _ = await _stream(client, "x")
    return not response.headers["content-type"].startswith("text/event-stream")


async def _stream_no_created_event(client: httpx.AsyncClient) -> bool:
    return (await _stream(client, "x"))[1][0]["type"] != "run.created"


async def _stream_two_closing_events(client: httpx.AsyncClient) -> bool:
    return sum(e["type"] in CLOSING for e in (await _stream(client, "x"))[1]) != 1


async def _events_replay_differs(client: httpx.AsyncClient) -> bool:
    _, events = await _stream(client, "x")
    return (await client.get(f"/runs/{events[0]['run']['run_id']}/events")).json()["events"] != events


async def _resume_completed_run(client: httpx.AsyncClient) -> bool:
    run_id = (await _sync(client))["run_id"]
    return (await client.post(f"/runs/{run_id}", json=resume_body(run_id, "sync", "r"))).status_code < 400


async def _cancel_completed_run(client: httpx.AsyncClient) -> bool:
    run_id = (await _sync(client))["run_id"]
    await client.post(f"/runs/{run_id}/cancel")
    return (await poll(client, run_id, ("cancelled",), seconds=0.5))["status"] != "completed"


async def _cancel_one_step(client: httpx.AsyncClient) -> bool:
    run_id = (await client.post("/runs", json=run_body("slow", "async", "x"))).json()["run_id"]
    return (await client.post(f"/runs/{run_id}/cancel")).json()["status"] != "cancelling"


async def _session_forgets_history(client: httpx.AsyncClient) -> bool:
    session_id = str(uuid.uuid4())
    for _ in range(2):
        await client.post("/runs", json=run_body("echo", "sync", "x", session_id=session_id))
    return len((await client.get(f"/session/{session_id}")).json()["history"]) != 4


async def _error_body_not_error(client: httpx.AsyncClient) -> bool:
    return bool(schema_errors((await client.get("/agents/no-such-agent")).json(), "Error")) or \
        "code" not in (await client.get("/agents/no-such-agent")).json()


async def _error_code_outside_enum(client: httpx.AsyncClient) -> bool:
    return (await client.get("/agents/no-such-agent")).json()["code"] not in ("server_error", "invalid_input",
                                                                               "not_found")


async def _part_content_and_url(client: httpx.AsyncClient) -> bool:
    part = (await _sync(client))["output"][0]["parts"][0]
    return "content" in part and "content_url" in part


async def _role_bad(client: httpx.AsyncClient) -> bool:
    return (await _sync(client))["output"][0]["role"] != "agent/echo"


async def _accepts_invalid_run(client: httpx.AsyncClient) -> bool:
    return (await client.post("/runs", json={"agent_name": "echo", "input": []})).status_code < 400


async def _failed_run_no_error(client: httpx.AsyncClient) -> bool:
    return (await _sync(client, "failer"))["error"] is None


async def _part_order_reversed(client: httpx.AsyncClient) -> bool:
    _, events = await _stream(client, "a", "b", "c")
    streamed = [e["part"]["content"] for e in events if e["type"] == "message.part"]
    completed = next(e["message"] for e in events if e["type"] == "message.completed")
    return texts(completed) != streamed or streamed != ["a", "b", "c"]


VIOLATION_PROBES: dict[str, Probe] = {
    "ping-not-object": _ping_not_object,
    "list-ignores-limit": _list_ignores_limit,
    "list-accepts-bad-limit": _list_accepts_bad_limit,
    "unknown-agent-500": _unknown_agent_500,
    "manifest-bad-name": _manifest_bad_name,
    "sync-returns-202": _sync_returns_202,
    "async-returns-200": _async_returns_200,
    "stream-wrong-content-type": _stream_wrong_content_type,
    "stream-no-created-event": _stream_no_created_event,
    "stream-two-closing-events": _stream_two_closing_events,
    "events-replay-differs": _events_replay_differs,
    "resume-completed-run": _resume_completed_run,
    "cancel-completed-run": _cancel_completed_run,
    "cancel-one-step": _cancel_one_step,
    "session-forgets-history": _session_forgets_history,
    "error-body-not-error": _error_body_not_error,
    "error-code-outside-enum": _error_code_outside_enum,
    "part-content-and-url": _part_content_and_url,
    "role-bad": _role_bad,
    "accepts-invalid-run": _accepts_invalid_run,
    "failed-run-no-error": _failed_run_no_error,
    "part-order-reversed": _part_order_reversed,
}

BRIEF_TABLE = {
    "ping-not-object": "acp.ping.ok", "list-ignores-limit": "acp.agents.list-limit",
    "list-accepts-bad-limit": "acp.agents.list-bounds-rejected", "unknown-agent-500": "acp.agents.unknown-not-found",
    "manifest-bad-name": "acp.manifest.name-pattern", "sync-returns-202": "acp.runs.sync-final",
    "async-returns-200": "acp.runs.async-accepted", "stream-wrong-content-type": "acp.runs.stream-content-type",
    "stream-no-created-event": "acp.stream.starts-with-created",
    "stream-two-closing-events": "acp.stream.one-closing-event", "events-replay-differs": "acp.runs.events-replay",
    "resume-completed-run": "acp.lifecycle.resume-only-awaiting",
    "cancel-completed-run": "acp.lifecycle.terminal-stays-terminal", "cancel-one-step": "acp.runs.cancel-two-step",
    "session-forgets-history": "acp.sessions.history-extends", "error-body-not-error": "acp.errors.body-valid",
    "error-code-outside-enum": "acp.errors.code-enum", "part-content-and-url": "acp.parts.content-xor-url",
    "role-bad": "acp.messages.role-pattern", "accepts-invalid-run": "acp.runs.invalid-request-rejected",
    "failed-run-no-error": "acp.runs.failed-has-error", "part-order-reversed": "acp.messages.part-order",
}


def test_fault_names_map_to_the_requirements_they_break() -> None:
    assert FAULTS == BRIEF_TABLE
    assert VIOLATION_PROBES.keys() == FAULTS.keys()
    with pytest.raises(ValueError, match="no-such-fault"):
        make_app(faults=frozenset({"no-such-fault"}))
    assert parse_faults(" ping-not-object, role-bad ") == {"ping-not-object", "role-bad"}


def test_resume_completed_run_fault_leaves_the_run_completed() -> None:
    async def scenario() -> None:
        async with client_for(make_app(faults=frozenset({"resume-completed-run"}))) as client:
            run_id = (await _sync(client))["run_id"]
            streamed = await client.post(f"/runs/{run_id}", json=resume_body(run_id, "stream", "r"))
            assert [e["type"] for e in sse_events(streamed.text)] == ["run.completed"]
            assert (await client.get(f"/runs/{run_id}")).json()["status"] == "completed"

    run_async(scenario)


@pytest.mark.parametrize("fault", sorted(BRIEF_TABLE))
def test_fault_breaks_what_it_names(fault: str, upstream_schema: None) -> None:
    probe = VIOLATION_PROBES[fault]

    async def scenario() -> None:
        async with client_for(make_app()) as client:
            assert not await probe(client), f"the correct server already shows {fault}"
        async with client_for(make_app(faults=frozenset({fault}))) as client:
            assert await probe(client), f"fault {fault} does not break {FAULTS[fault]}"

    run_async(scenario)
