"""The REST peer (ACP, A2A HTTP+JSON) against a small Starlette app defined here,
with misbehaving routes: a hang, a big body, an endless SSE stream, a flood of
events, a body that is not JSON."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

import accord_asgi
from accord.peer import Limits, PeerUnavailable, RestPeer, TargetError
from accord_http.rest import RestHttpPeer, base_url_of, open_peer

FAST = Limits(read_timeout=2.0, start_timeout=10.0, max_bytes=64 * 1024, max_events=300)


async def echo(request: Request) -> Response:
    body = await request.body()
    return JSONResponse(
        {
            "method": request.method,
            "path": request.url.path,
            "query": dict(request.query_params),
            "content_type": request.headers.get("content-type"),
            "accept": request.headers.get("accept"),
            "version": request.headers.get("x-version"),
            "body": json.loads(body) if body else None,
        },
        status_code=201,
    )


def _event(name: str, value: object) -> str:
    return f"event: {name}\ndata: {json.dumps(value)}\n\n"


async def events(request: Request) -> Response:
    kind = request.path_params["kind"]

    async def stream() -> AsyncIterator[str]:
        if kind == "finite":
            for i, name in enumerate(("run.created", "run.in-progress", "run.completed")):
                yield _event(name, {"type": name, "i": i})
        elif kind == "then-more":
            yield _event("run.created", {"type": "run.created"})
            yield _event("run.completed", {"type": "run.completed"})
            for i in range(600):  # the stop predicate ends the read before these
                yield _event("extra", {"type": "extra", "i": i})
                await asyncio.sleep(0.01)
        elif kind == "forever":
            for i in range(1200):
                yield _event("tick", {"type": "tick", "i": i})
                await asyncio.sleep(0.05)
        elif kind == "flood":
            yield "".join(_event("tick", {"i": i}) for i in range(1000))
        elif kind == "not-json":
            yield "data: plain words\n\n"
            yield _event("ok", {"type": "ok"})

    return StreamingResponse(stream(), media_type="text/event-stream")


async def hang(request: Request) -> Response:
    await asyncio.sleep(30)
    return JSONResponse({})


async def big(request: Request) -> Response:
    return JSONResponse({"blob": "x" * 200_000})


async def broken_json(request: Request) -> Response:
    return Response(b"{not json", media_type="application/json", status_code=500)


async def text(request: Request) -> Response:
    return PlainTextResponse("Internal Server Error", status_code=500)


app = Starlette(
    routes=[
        Route("/base/echo", echo, methods=["GET", "POST", "PUT"]),
        Route("/base/events/{kind}", events),
        Route("/base/hang", hang),
        Route("/base/big", big),
        Route("/base/broken", broken_json),
        Route("/base/text", text),
    ]
)


@pytest.fixture(scope="module")
def server() -> Iterator[accord_asgi.AsgiServer]:
    running = accord_asgi.AsgiServer(app, FAST)
    running.acquire()
    yield running
    running.release()


@pytest.fixture
def peer(server) -> Iterator[RestHttpPeer]:
    opened = open_peer(f"acp+http://127.0.0.1:{server.port}/base#some-agent", FAST)
    yield opened
    opened.close()


def test_json_request_with_params_headers_and_status(peer):
    assert isinstance(peer, RestPeer)
    reply = peer.request("POST", "/echo", json={"a": [1, 2]}, params={"limit": 5}, headers={"X-Version": "1.0"})
    assert reply.status == 201 and reply.content_type == "application/json"
    assert reply.json["body"] == {"a": [1, 2]}
    assert reply.json["query"] == {"limit": "5"}
    assert reply.json["path"] == "/base/echo"
    assert reply.json["content_type"] == "application/json" and reply.json["version"] == "1.0"
    assert "text/event-stream" in reply.json["accept"]
    sent = [e.data for e in peer.log.since(0) if e.channel == "http-request"]
    assert sent and sent[0]["url"].endswith("/base/echo?limit=5")


def test_raw_body_no_json_and_omitted_header(peer):
    reply = peer.request("PUT", "echo", body=b"{\"raw\": true}", headers={"Accept": ""})
    assert reply.json["body"] == {"raw": True}
    assert reply.json["content_type"] is None and reply.json["accept"] is None
    assert peer.request("GET", "/echo").json["body"] is None


def test_json_null_is_sent_as_null(peer):
    reply = peer.request("POST", "/echo", json=None)
    assert reply.json["content_type"] == "application/json" and reply.json["body"] is None
    assert any(e.data["body"] == "null" for e in peer.log.since(0) if e.channel == "http-request")


def test_sse_events_keep_names_order_and_parsed_values(peer):
    reply = peer.request("GET", "/events/finite")
    assert reply.content_type == "text/event-stream" and not reply.problems
    assert [e.event for e in reply.events] == ["run.created", "run.in-progress", "run.completed"]
    assert [e.value["i"] for e in reply.events] == [0, 1, 2]


def test_stop_predicate_ends_the_read_early(peer):
    reply = peer.request("GET", "/events/then-more", stop=lambda e: e.event == "run.completed")
    assert [e.event for e in reply.events] == ["run.created", "run.completed"]
    assert reply.elapsed < 1.5 and not reply.problems


def test_endless_stream_is_cut_at_the_time_limit(peer):
    reply = peer.request("GET", "/events/forever", timeout=0.6)
    assert 0.5 <= reply.elapsed < 2.0
    assert any("still streaming" in p for p in reply.problems)
    assert 0 < len(reply.events) < 40


def test_event_flood_is_cut_at_the_event_limit(peer):
    reply = peer.request("GET", "/events/flood")
    assert any("SSE events" in p for p in reply.problems)
    assert len(reply.events) <= FAST.max_events


def test_event_data_that_is_not_json_is_a_problem_but_kept(peer):
    reply = peer.request("GET", "/events/not-json")
    assert [e.value for e in reply.events] == [None, {"type": "ok"}]
    assert any("not JSON" in p for p in reply.problems)


def test_hang_big_and_undecodable_bodies(peer):
    hung = peer.request("GET", "/hang", timeout=0.5)
    assert hung.status is None and any("no HTTP response" in p for p in hung.problems)
    huge = peer.request("GET", "/big")
    assert huge.json is None and any("exceeds" in p for p in huge.problems)
    broken = peer.request("GET", "/broken")
    assert broken.status == 500 and broken.json is None and any("not valid JSON" in p for p in broken.problems)
    plain = peer.request("GET", "/text")
    assert plain.status == 500 and plain.json is None and plain.body == b"Internal Server Error"


def test_fresh_is_independent_and_close_is_final(peer):
    other = peer.fresh()
    try:
        assert other.base_url == peer.base_url and other.log is not peer.log
        assert other.request("GET", "/echo").status == 201
    finally:
        other.close()
    assert other.request("GET", "/echo").problems == ["peer is closed"]


@pytest.mark.parametrize(
    "target, words",
    [
        ("acp+http:", "cannot read target"),
        ("acp+ftp://127.0.0.1:1", "cannot read target"),
        ("acp+http://", "no host"),
        ("acp+http://127.0.0.1:8000/?limit=3", "query string"),
        ("acp:http://127.0.0.1:8000", "cannot read target"),
    ],
)
def test_bad_targets_say_how_to_mend_them(target, words):
    with pytest.raises(TargetError, match=words):
        base_url_of(target)


def test_unreachable_server_is_unavailable():
    with pytest.raises(PeerUnavailable, match="cannot connect"):
        open_peer("acp+http://127.0.0.1:9", Limits(start_timeout=1.0))


def test_in_process_rest_app_through_acp_asgi():
    peer = accord_asgi.open_rest_peer(f"acp+asgi:{__name__}:app/base#agent", FAST)
    try:
        assert peer.request("GET", "/echo").json["path"] == "/base/echo"
        copy = peer.fresh()
        peer.close()
        assert copy.request("GET", "/echo").status == 201  # the server lives while a peer uses it
        copy.close()
        assert not copy.server.running
    finally:
        peer.close()
