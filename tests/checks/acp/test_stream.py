"""Stream checks (acp.stream.) against the reference server, its broken variants, and a scripted server
whose agents each replay one event script (so a stream can break one rule no fault breaks).

``scripted_app`` and the script builders are shared with test_runs.py and test_messages.py."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from accord.outcomes import Outcome
from accord_fixtures.acp_reference import FAULTS

from .judging import explain, judge

AREA = "acp.stream."
AREA_IDS = [
    "acp.stream.events-valid", "acp.stream.starts-with-created", "acp.stream.one-closing-event",
    "acp.stream.event-status-matches", "acp.stream.messages-in-progress",
]
CREATED_AT = "2025-08-21T10:00:00Z"


# --- scripted servers (shared) -------------------------------------------------------------------------
def text_part(text: str, **more: Any) -> dict[str, Any]:
    return {"content_type": "text/plain", "content": text, **more}


def agent_message(*parts: dict[str, Any], role: str = "agent/odd") -> dict[str, Any]:
    return {"role": role, "parts": list(parts)}


def run_event(kind: str, **run: Any) -> dict[str, Any]:
    """A run.KIND event; its run has status KIND unless ``run`` says otherwise."""
    return {"type": f"run.{kind}", "run": {"status": kind, **run}}


def message_events(message: dict[str, Any]) -> list[dict[str, Any]]:
    """How acp-sdk streams a message: opened empty, a message.part per part, then the whole message."""
    opened = {"type": "message.created", "message": {"role": message["role"], "parts": []}}
    parts = [{"type": "message.part", "part": part} for part in message["parts"]]
    return [opened, *parts, {"type": "message.completed", "message": message}]


def script(*messages: dict[str, Any], closing: str = "completed", **final: Any) -> list[dict[str, Any]]:
    """A well-formed run: created, in-progress, each message streamed, then the closing event."""
    events = [run_event("created"), run_event("in-progress")]
    for message in messages:
        events.extend(message_events(message))
    return [*events, run_event(closing, output=list(messages), **final)]


Script = list[dict[str, Any]]
Change = Callable[[Any], Any]


def scripted_app(
    scripts: dict[str, Script],
    *,
    run_ids: Callable[[], str] = lambda: str(uuid.uuid4()),
    read_back: dict[str, Change] | None = None,
    listed: dict[str, Change] | None = None,
    default_mode: str | None = "sync",
    input_types: tuple[str, ...] = ("text/plain",),
) -> Starlette:
    """An ACP server whose agent NAME replays ``scripts[NAME]`` for every run: the stream sends its events,
    a sync run answers with the run of its last run event, an async run with the run of its first. Run
    events get run_id, agent_name, output [] and created_at unless the script sets them. ``read_back[NAME]``
    changes what GET /runs/{id} answers, ``listed[NAME]`` what GET /runs/{id}/events lists. A request
    without a mode is run in ``default_mode`` (None: refused with 422). Manifests declare ``input_types``."""
    runs: dict[str, tuple[str, Script]] = {}

    def error(status: int, code: str, message: str) -> JSONResponse:
        return JSONResponse({"code": code, "message": message}, status_code=status)

    def manifest(name: str) -> dict[str, Any]:
        return {"name": name, "description": f"scripted agent {name}", "input_content_types": list(input_types),
                "output_content_types": ["*/*"]}

    def play(name: str, run_id: str) -> Script:
        events = json.loads(json.dumps(scripts[name]))
        for event in events:
            if isinstance(event, dict) and isinstance(event.get("run"), dict):
                event["run"] = {"run_id": run_id, "agent_name": name, "output": [], "created_at": CREATED_AT,
                                **event["run"]}
        return events

    def last_run(events: Script) -> dict[str, Any]:
        return run_objects(events)[-1]

    async def ping(request: Request) -> Response:
        return JSONResponse({})

    async def agents(request: Request) -> Response:
        return JSONResponse({"agents": [manifest(name) for name in scripts]})

    async def agent(request: Request) -> Response:
        name = request.path_params["name"]
        return JSONResponse(manifest(name)) if name in scripts else error(404, "not_found", f"no agent {name}")

    async def create(request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            return error(422, "invalid_input", "not JSON")
        name = body.get("agent_name") if isinstance(body, dict) else None
        if name not in scripts:
            return error(404, "not_found", f"no agent {name}")
        mode = body.get("mode", default_mode)
        if mode is None:
            return error(422, "invalid_input", "mode is missing")
        run_id = run_ids()
        events = play(name, run_id)
        runs[run_id] = (name, events)
        if mode == "stream":
            async def sse() -> Any:
                for event in events:  # a str is sent as it is: data that is not JSON
                    yield f"data: {event if isinstance(event, str) else json.dumps(event)}\n\n"
            return StreamingResponse(sse(), media_type="text/event-stream")
        if mode == "async":
            return JSONResponse(run_objects(events)[0], status_code=202)
        return JSONResponse(last_run(events))

    def found(request: Request) -> tuple[str, Script] | None:
        return runs.get(request.path_params["run_id"])

    async def read(request: Request) -> Response:
        run = found(request)
        if run is None:
            return error(404, "not_found", "no such run")
        name, events = run
        return JSONResponse((read_back or {}).get(name, lambda r: r)(last_run(events)))

    async def events_of(request: Request) -> Response:
        run = found(request)
        if run is None:
            return error(404, "not_found", "no such run")
        name, events = run
        return JSONResponse({"events": (listed or {}).get(name, lambda e: e)(events)})

    async def refuse(request: Request) -> Response:
        return error(404, "not_found", "no such run") if found(request) is None else error(422, "invalid_input", "no")

    return Starlette(routes=[
        Route("/ping", ping), Route("/agents", agents), Route("/agents/{name}", agent),
        Route("/runs", create, methods=["POST"]), Route("/runs/{run_id}", read),
        Route("/runs/{run_id}", refuse, methods=["POST"]), Route("/runs/{run_id}/cancel", refuse, methods=["POST"]),
        Route("/runs/{run_id}/events", events_of),
    ])


def run_objects(events: Script) -> list[dict[str, Any]]:
    return [e["run"] for e in events if isinstance(e, dict) and isinstance(e.get("run"), dict)]


def target_of(module: str, app_name: str, agent: str) -> str:
    return f"acp+asgi:{module}:{app_name}#{agent}"


# --- odd streams -----------------------------------------------------------------------------------------
HELLO = agent_message(text_part("hello"), text_part("world"))
GOOD = script(HELLO)
ODD_STREAMS: dict[str, tuple[Any, ...]] = {
    # name: (script, every requirement of the area it breaks)
    "not-json": ([*GOOD[:2], "not an event", *GOOD[2:]], "acp.stream.events-valid"),
    "unknown-type": ([*GOOD[:2], {"type": "run.thinking"}, *GOOD[2:]], "acp.stream.events-valid"),
    "created-not-created": ([run_event("created", status="in-progress"), *GOOD[1:]],
                            "acp.stream.starts-with-created", "acp.stream.event-status-matches"),
    "created-twice": ([*GOOD[:2], run_event("created"), *GOOD[2:]], "acp.stream.starts-with-created"),
    "event-after-closing": ([*GOOD, {"type": "generic", "generic": {"late": True}}], "acp.stream.one-closing-event"),
    "no-closing": (GOOD[:-1], "acp.stream.one-closing-event"),
    "status-mismatch": ([*GOOD[:-1], run_event("completed", status="failed", output=[HELLO])],
                        "acp.stream.event-status-matches"),
    "two-run-ids": ([GOOD[0], run_event("in-progress", run_id=str(uuid.uuid4())), *GOOD[2:]],
                    "acp.stream.event-status-matches"),
    "message-before-progress": ([GOOD[0], *message_events(HELLO), GOOD[1], run_event("completed", output=[HELLO])],
                                "acp.stream.messages-in-progress"),
    "part-outside-message": ([*GOOD[:2], {"type": "message.part", "part": text_part("stray")}, *GOOD[2:]],
                             "acp.stream.messages-in-progress"),
    "message-never-completed": ([*GOOD[:-2], run_event("completed", output=[HELLO])],
                                "acp.stream.messages-in-progress"),
    "message-opened-twice": ([*GOOD[:3], *message_events(HELLO), *GOOD[3:]], "acp.stream.messages-in-progress"),
}
odd_streams = scripted_app({"good": GOOD, **{name: entry[0] for name, entry in ODD_STREAMS.items()}})


def odd(agent: str) -> str:
    return target_of(__name__, "odd_streams", agent)


# --- tests ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("agent", ["echo", "awaiter", "failer"])
def test_reference_agents_pass(agent: str) -> None:
    results = judge(AREA, agent=agent)
    assert sorted(results) == sorted(AREA_IDS) and all(r.outcome is Outcome.PASS for r in results.values()), explain(results)


@pytest.mark.parametrize("fault", sorted(f for f, rid in FAULTS.items() if rid.startswith(AREA)))
def test_each_fault_fails_its_requirement(fault: str) -> None:
    results = judge(FAULTS[fault], fault=fault)
    assert results[FAULTS[fault]].outcome is Outcome.FAIL, explain(results)


def test_well_formed_scripted_stream_passes() -> None:
    results = judge(AREA, target=odd("good"))
    assert all(r.outcome is Outcome.PASS for r in results.values()), explain(results)


@pytest.mark.parametrize("agent", sorted(ODD_STREAMS))
def test_odd_stream_fails_exactly_its_rules(agent: str) -> None:
    broken = set(ODD_STREAMS[agent][1:])
    results = judge(AREA, target=odd(agent))
    failed = {rid for rid, r in results.items() if r.outcome is Outcome.FAIL}
    assert failed == broken and all(r.outcome is Outcome.PASS for rid, r in results.items() if rid not in broken), \
        explain(results)
