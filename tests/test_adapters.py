"""Tests of the built-in adapters against small throwaway servers defined here:
a stdio script run with ``sys.executable -c`` and a Starlette app served on
127.0.0.1, both with deliberately misbehaving methods (hang, flood, huge
line, noise, exit, endless SSE, 10,000 SSE events)."""

from __future__ import annotations

import asyncio
import json
import shlex
import socket
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

import accord_asgi
import accord_http
import accord_replay
import accord_stdio
from accord.peer import HttpWire, Limits, PeerUnavailable, Reply, StdioWire, TargetError

FAST = Limits(read_timeout=3.0, start_timeout=10.0, max_bytes=64 * 1024, max_events=500)


def request(rid: int, method: str, params: dict | None = None) -> dict:
    message: dict = {"jsonrpc": "2.0", "id": rid, "method": method}
    if params is not None:
        message["params"] = params
    return message


# --- a stdio server ---------------------------------------------------------
STDIO_SERVER = r"""
import json, sys, time

def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()

for line in sys.stdin:
    try:
        msg = json.loads(line)
    except ValueError:
        out({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}})
        continue
    if "id" not in msg:
        continue
    method, rid = msg.get("method"), msg["id"]
    if method == "hang":
        time.sleep(30)
        continue
    if method == "exit":
        sys.exit(3)
    if method == "flood":
        for i in range(1_000_000):
            out({"jsonrpc": "2.0", "method": "notifications/message", "params": {"i": i}})
        continue
    if method == "noise":
        sys.stdout.write("this is not json\n")
    if method == "huge":
        sys.stdout.write('{"x": "' + "x" * 1_000_000 + '"}\n')
    if method == "notify_first":
        out({"jsonrpc": "2.0", "method": "notifications/progress", "params": {"p": 1}})
    if method == "stderr":
        sys.stderr.write("diagnostic line\n")
        sys.stderr.flush()
    out({"jsonrpc": "2.0", "id": rid, "result": {"method": method, "params": msg.get("params")}})
"""

STUBBORN_SERVER = r"""
import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
for _ in range(600):
    time.sleep(0.1)
"""

DIES_AT_START = r"""
import sys
sys.stderr.write("boom: no configuration file\n")
sys.exit(4)
"""


def stdio_target(code: str) -> str:
    return "mcp+stdio:" + shlex.join([sys.executable, "-c", code])


@pytest.fixture(scope="module")
def stdio_first() -> Iterator[accord_stdio.StdioPeer]:
    peer = accord_stdio.open_peer(stdio_target(STDIO_SERVER), FAST)
    yield peer
    peer.close()


@pytest.fixture
def stdio_peer(stdio_first) -> Iterator[accord_stdio.StdioPeer]:
    peer = stdio_first.fresh()  # a new process without open_peer's start-up wait
    yield peer
    peer.close()


def collect_until(peer, count: int, reader=None) -> list:
    got: list = []
    deadline = time.monotonic() + 5
    while len(got) < count and time.monotonic() < deadline:
        got += (reader or peer.collect)(0.1)
    return got


def test_stdio_request_collects_messages_before_the_response(stdio_peer):
    reply = stdio_peer.send(request(1, "notify_first", {"a": 1}))
    assert reply.problems == []
    assert reply.response == {"jsonrpc": "2.0", "id": 1, "result": {"method": "notify_first", "params": {"a": 1}}}
    assert reply.messages[0]["method"] == "notifications/progress"
    assert reply.messages[-1] is reply.response
    assert reply.status is None and reply.headers == {}
    assert reply.body.count(b"\n") == 2
    channels = [(e.direction, e.channel) for e in stdio_peer.log.since(0)]
    assert channels[:3] == [("sent", "message"), ("received", "message"), ("received", "message")]
    assert isinstance(stdio_peer, StdioWire)


def test_stdio_notification_returns_at_once_and_ids_must_match(stdio_peer):
    started = time.monotonic()
    reply = stdio_peer.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    assert reply.messages == [] and reply.problems == []
    assert time.monotonic() - started < 0.5
    reply = stdio_peer.send(request(7, "plain"))
    assert reply.response["id"] == 7


def test_stdio_non_json_stdout_is_noise_and_a_problem(stdio_peer):
    reply = stdio_peer.send(request(2, "noise"))
    assert reply.response is not None and reply.response["id"] == 2
    assert any("not JSON" in p and "this is not json" in p for p in reply.problems)
    assert stdio_peer.stdout_noise == [b"this is not json"]
    assert any(e.channel == "raw" and e.direction == "received" for e in stdio_peer.log.since(0))


def test_stdio_huge_line_is_cut_and_fills_the_reply(stdio_peer):
    reply = stdio_peer.send(request(3, "huge"))
    assert reply.response is None and len(reply.body) == FAST.max_bytes
    assert reply.problems == [
        "1 stdout line(s) longer than 65536 bytes were cut",
        "reply exceeds 65536 bytes; stopped reading",
    ]
    assert stdio_peer.stdout_noise == []
    assert [v["id"] for v in collect_until(stdio_peer, 1)] == [3]  # the rest of the line was skipped


def test_stdio_flood_stops_at_the_event_limit(stdio_peer):
    started = time.monotonic()
    reply = stdio_peer.send(request(4, "flood"))
    assert time.monotonic() - started < FAST.read_timeout
    assert reply.response is None
    assert len(reply.messages) == FAST.max_events
    assert any("limit 500" in p for p in reply.problems)


def test_stdio_hang_times_out_within_the_limit(stdio_peer):
    started = time.monotonic()
    reply = stdio_peer.send(request(5, "hang"), timeout=0.5)
    elapsed = time.monotonic() - started
    assert 0.45 <= elapsed < 1.5
    assert reply.problems == ["no response with id 5 within 0.5s"]


def test_stdio_exit_is_a_problem_on_this_and_later_replies(stdio_peer):
    reply = stdio_peer.send(request(6, "exit"))
    assert reply.problems == ["process exited with code 3"]
    assert stdio_peer.wait_exit(2.0) == 3
    assert stdio_peer.send(request(7, "plain")).problems != []
    assert any(e.channel == "exit" and e.data == {"code": 3} for e in stdio_peer.log.since(0))


def test_stdio_stderr_is_captured_as_evidence(stdio_peer):
    stdio_peer.send(request(8, "stderr"))
    deadline = time.monotonic() + 2
    while "diagnostic line" not in stdio_peer.stderr_text() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "diagnostic line" in stdio_peer.stderr_text()
    assert any(e.channel == "stderr" for e in stdio_peer.log.since(0))


def test_stdio_raw_sends(stdio_peer):
    reply = stdio_peer.send(b"{not json\n")
    assert reply.response == {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}}
    started = time.monotonic()
    reply = stdio_peer.send(b'{"jsonrpc": "2.0", "id": 9, "method": "pla')
    assert reply.messages == [] and time.monotonic() - started < 0.5
    stdio_peer.write_raw(b'in"}\n')
    lines = collect_until(stdio_peer, 1, stdio_peer.read_lines)
    assert json.loads(lines[0])["result"]["method"] == "plain"


def test_stdio_fresh_is_a_new_process(stdio_peer):
    other = stdio_peer.fresh()
    try:
        assert other.pid != stdio_peer.pid
        assert other.send(request(1, "plain")).response["id"] == 1
        assert stdio_peer.send(request(1, "plain")).response["id"] == 1
    finally:
        other.close()
    assert other.wait_exit(0) is not None


def test_stdio_collect_returns_unasked_messages(stdio_peer):
    stdio_peer.write_raw(json.dumps(request(10, "notify_first")).encode() + b"\n")
    values = collect_until(stdio_peer, 2)
    assert [v.get("method", v.get("id")) for v in values] == ["notifications/progress", 10]


def test_stdio_close_is_bounded_for_a_stubborn_process():
    peer = accord_stdio.open_peer(stdio_target(STUBBORN_SERVER), FAST)
    reply = peer.send(b"x" * 2_000_000 + b"\n", timeout=0.5)
    assert any("did not finish" in p for p in reply.problems)
    started = time.monotonic()
    peer.close()
    assert time.monotonic() - started < 4.0
    assert peer.wait_exit(0) is not None
    assert peer.send(request(1, "plain")).problems == ["peer is closed"]


def test_stdio_process_dying_at_start_is_unavailable():
    with pytest.raises(PeerUnavailable) as caught:
        accord_stdio.open_peer(stdio_target(DIES_AT_START), FAST)
    assert "code 4" in str(caught.value) and "boom: no configuration file" in str(caught.value)


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("mcp+stdio:", "names no command"),
        ("mcp+stdio:   ", "names no command"),
        ("mcp+stdio:no-such-command-accord-xyz --flag", "not found on PATH"),
        ("mcp+stdio:python -c 'unbalanced", "quoting"),
        ("mcp+stdio:./no/such/server.sh", "no file"),
    ],
)
def test_stdio_bad_targets_say_how_to_mend_them(target, words):
    with pytest.raises(TargetError, match=words):
        accord_stdio.open_peer(target, FAST)


# --- an HTTP server -----------------------------------------------------------
SESSION = "session-0123456789abcdef"
DELETED: list[str] = []


def _event(obj: object) -> str:
    return f"data: {json.dumps(obj)}\n\n"


async def _sse_stream(method: str, rid: object) -> AsyncIterator[str]:
    response = {"jsonrpc": "2.0", "id": rid, "result": {"method": method}}
    note = {"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info"}}
    yield "id: prime-1\ndata:\n\n"
    if method == "sse":
        yield ": a comment\n\n" + _event(note)
        yield _event(response)
    elif method == "sse_split":
        text = "event: message\r\ndata: " + json.dumps(response) + "\r\n\r\n"
        for piece in (text[:10], text[10:-3], text[-3:-1], text[-1:]):
            await asyncio.sleep(0.01)
            yield piece
    elif method == "sse_bad":
        yield "data: this is not json\n\n"
        yield _event(response)
    elif method == "sse_flood":
        for start in range(0, 10_000, 500):
            yield "".join(_event({**note, "params": {"i": i}}) for i in range(start, start + 500))
        yield _event(response)
    elif method == "sse_forever":
        for i in range(1200):  # about a minute at most; the client leaves long before
            yield _event({**note, "params": {"i": i}})
            await asyncio.sleep(0.05)


async def mcp_endpoint(request: Request) -> Response:
    if request.method == "DELETE":
        DELETED.append(request.headers.get("mcp-session-id", ""))
        return Response(status_code=204)
    if request.method == "GET":
        return Response(status_code=405)
    try:
        message = json.loads(await request.body())
    except ValueError:
        error = {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}}
        return JSONResponse(error, status_code=400)
    if "id" not in message:
        return Response(status_code=202)
    rid, method = message["id"], message.get("method", "")

    def result(value: object) -> dict:
        return {"jsonrpc": "2.0", "id": rid, "result": value}

    if method == "initialize":
        return JSONResponse(result({"protocolVersion": "2025-11-25"}), headers={"Mcp-Session-Id": SESSION})
    if method == "echo":
        names = ("accept", "content-type", "mcp-session-id", "mcp-protocol-version")
        seen = {name: request.headers.get(name) for name in names}
        seen["authorization"] = "present" if "authorization" in request.headers else None
        return JSONResponse(result({"seen": seen}))
    if method == "hang":
        await asyncio.sleep(30)
    if method == "big":
        return JSONResponse(result({"blob": "x" * 2_000_000}))
    if method == "html":
        return Response("<html>oops</html>", media_type="text/html")
    if method.startswith("sse"):
        return StreamingResponse(_sse_stream(method, rid), media_type="text/event-stream")
    return JSONResponse({"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": "Method not found"}})


app = Starlette(routes=[Route("/mcp", mcp_endpoint, methods=["GET", "POST", "DELETE"])])
ASGI_TARGET = f"asgi:{__name__}:app"


@pytest.fixture(scope="module")
def http_server() -> Iterator[accord_asgi.AsgiServer]:
    server = accord_asgi.AsgiServer(app, FAST)
    server.acquire()
    yield server
    server.release()


@pytest.fixture
def http_peer(http_server) -> Iterator[accord_http.HttpPeer]:
    peer = accord_http.open_peer(f"mcp+http://127.0.0.1:{http_server.port}/mcp", FAST)
    yield peer
    peer.close()


def test_http_session_and_version_headers(http_peer):
    assert isinstance(http_peer, HttpWire)
    reply = http_peer.send(request(1, "initialize"))
    assert reply.status == 200 and reply.content_type == "application/json"
    assert reply.response["result"]["protocolVersion"] == "2025-11-25"
    assert http_peer.session_id == SESSION
    http_peer.protocol_version = "2025-11-25"
    reply = http_peer.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    assert reply.status == 202 and reply.messages == [] and reply.problems == []
    seen = http_peer.send(request(2, "echo")).response["result"]["seen"]
    assert seen["accept"] == "application/json, text/event-stream"
    assert seen["content-type"] == "application/json"
    assert seen["mcp-session-id"] == SESSION and seen["mcp-protocol-version"] == "2025-11-25"
    deleted_before = len(DELETED)
    http_peer.close()
    assert DELETED[deleted_before:] == [SESSION]
    assert http_peer.send(request(3, "echo")).problems == ["peer is closed"]


def test_http_raw_request_overrides_and_redaction(http_peer):
    body = json.dumps(request(1, "echo")).encode()
    reply = http_peer.http(
        "POST", body=body, headers={"Accept": "", "Authorization": "Bearer s3cret", "X-Api-Token": "t0ken"}
    )
    seen = reply.response["result"]["seen"]
    assert seen["accept"] is None and seen["authorization"] == "present"
    logged = json.dumps([e.render() for e in http_peer.log.since(0)])
    assert "s3cret" not in logged and "t0ken" not in logged and "<redacted>" in logged
    assert http_peer.http("GET").status == 405
    bad = http_peer.send(b"{not json")
    assert bad.status == 400 and bad.response["id"] is None and bad.response["error"]["code"] == -32700


def test_http_sse_reply_is_parsed_and_stops_at_the_response(http_peer):
    reply = http_peer.send(request(5, "sse"))
    assert reply.content_type == "text/event-stream"
    assert reply.problems == []
    assert [m.get("method") for m in reply.messages] == ["notifications/message", None]
    assert reply.response == {"jsonrpc": "2.0", "id": 5, "result": {"method": "sse"}}
    split = http_peer.send(request(6, "sse_split"))
    assert split.response == {"jsonrpc": "2.0", "id": 6, "result": {"method": "sse_split"}}
    bad = http_peer.send(request(7, "sse_bad"))
    assert bad.response is not None and any("not JSON" in p for p in bad.problems)


def test_http_sse_that_never_ends_is_cut_at_the_time_limit(http_peer):
    started = time.monotonic()
    reply = http_peer.send(request(8, "sse_forever"), timeout=0.7)
    assert 0.65 <= time.monotonic() - started < 1.5
    assert reply.response is None and len(reply.messages) >= 3
    assert reply.problems == ["no response with id 8 within 0.7s"]


def test_http_ten_thousand_sse_events(http_server):
    url = f"mcp+http://127.0.0.1:{http_server.port}/mcp"
    with accord_http.open_peer(url, FAST) as capped:
        reply = capped.send(request(9, "sse_flood"))
        assert reply.response is None and len(reply.messages) < FAST.max_events
        assert any("more than 500 SSE events" in p for p in reply.problems)
    roomy = Limits(read_timeout=10, max_events=20_000, max_bytes=8 * 1024 * 1024)
    with accord_http.open_peer(url, roomy) as peer:
        reply = peer.send(request(10, "sse_flood"))
        assert reply.problems == []
        assert len(reply.messages) == 10_001
        assert [m["params"]["i"] for m in reply.messages[:-1]] == list(range(10_000))
        assert reply.response["id"] == 10


def test_http_hang_big_body_and_wrong_content_type(http_peer):
    started = time.monotonic()
    reply = http_peer.send(request(11, "hang"), timeout=0.5)
    assert time.monotonic() - started < 1.2
    assert reply.status is None and reply.problems == ["no HTTP response within 0.5s"]
    big = http_peer.send(request(12, "big"))
    assert big.response is None and len(big.body) == FAST.max_bytes
    assert any("exceeds 65536 bytes" in p for p in big.problems)
    html = http_peer.send(request(13, "html"))
    assert html.status == 200 and any("unexpected content type 'text/html'" in p for p in html.problems)


def test_http_fresh_has_no_session(http_peer):
    http_peer.send(request(1, "initialize"))
    other = http_peer.fresh()
    try:
        assert other.session_id is None and other.url == http_peer.url
        assert other.send(request(2, "echo")).response["result"]["seen"]["mcp-session-id"] is None
    finally:
        other.close()


def test_http_unreachable_and_malformed_targets():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(PeerUnavailable, match="cannot connect"):
        accord_http.open_peer(f"mcp+http://127.0.0.1:{port}/mcp", FAST)
    for target in ("mcp+http://", "mcp+ftp://example.test/x", "mcp+http://[::1"):
        with pytest.raises(TargetError):
            accord_http.open_peer(target, FAST)


def test_http_peer_on_a_transport_factory_is_a_test_double():
    made: list[httpx.MockTransport] = []

    def answer(req: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"jsonrpc": "2.0", "id": json.loads(req.content)["id"], "result": {}})

    def factory() -> httpx.MockTransport:
        made.append(httpx.MockTransport(answer))
        return made[-1]

    peer = accord_http.HttpPeer("double", FAST, "http://127.0.0.1:9/mcp", transport_factory=factory)
    assert peer.send(request(1, "ping")).response == {"jsonrpc": "2.0", "id": 1, "result": {}}
    other = peer.fresh()
    peer.close()
    assert other.send(request(2, "ping")).response["id"] == 2
    other.close()
    assert len(made) == 2


def test_sse_parser_edge_cases():
    parser = accord_http.SseParser()
    events = parser.feed(b"\xef\xbb\xbf: hello\r\nevent: x\r")
    events += parser.feed(b"\ndata: a\ndata: b\r\nid: 7\nretry: 100\n\n")
    assert events == [accord_http.SseEvent(data="a\nb", event="x", id="7", retry=100)]
    assert parser.feed(b"data: half") == [] and parser.unfinished


# --- the ASGI adapter -------------------------------------------------------
def test_asgi_serves_the_app_and_stops_with_the_last_peer():
    peer = accord_asgi.open_peer(ASGI_TARGET, FAST)
    assert peer.url.startswith("http://127.0.0.1:") and peer.url.endswith("/mcp")
    other = peer.fresh()
    assert other.server is peer.server
    assert peer.send(request(1, "initialize")).response["id"] == 1
    peer.close()
    assert other.send(request(2, "echo")).status == 200
    other.close()
    assert not other.server.running


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("asgi:no_such_module_accord_xyz:app", "cannot import"),
        (f"asgi:{__name__}:no_such_app", "no attribute"),
        ("asgi:just_a_module", "asgi:MODULE:ATTR"),
        (f"asgi:{__name__}:SESSION", "not an ASGI app"),
    ],
)
def test_asgi_bad_targets(target, words):
    with pytest.raises(TargetError, match=words):
        accord_asgi.open_peer(target, FAST)


# --- recording and replay ------------------------------------------------------
def _essence(reply: Reply) -> tuple:
    return (reply.messages, reply.response, reply.status, reply.content_type, reply.problems)


def _http_session(peer) -> list[tuple]:
    replies = [peer.send(request(1, "initialize"))]
    peer.protocol_version = "2025-11-25"
    replies.append(peer.send({"jsonrpc": "2.0", "method": "notifications/initialized"}))
    replies.append(peer.send(request(2, "echo")))
    replies.append(peer.send(request(3, "sse")))
    replies.append(peer.send(b"{not json"))
    replies.append(peer.http("GET"))
    other = peer.fresh()
    replies.append(other.send(request(1, "initialize")))
    other.close()
    return [_essence(reply) for reply in replies]


def test_http_replay_reproduces_the_recorded_run(tmp_path: Path):
    recorder = accord_replay.Recorder(accord_asgi.open_peer(ASGI_TARGET, FAST))
    assert isinstance(recorder, HttpWire)
    live = _http_session(recorder)
    recorder.close()
    assert not recorder.inner.server.running  # nothing left to answer but the transcript
    path = recorder.save(tmp_path / "http.json")
    saved = json.loads(path.read_text())
    assert saved["format"] == "accord-transcript" and saved["transport"] == "http"
    assert saved["exchanges"][-1]["request"]["method"] == "DELETE"

    replayed = accord_replay.open_peer(f"replay:{path}", FAST)
    assert _http_session(replayed) == live
    assert replayed.session_id == SESSION
    missing = replayed.send(request(99, "echo"))
    assert any("not in transcript" in p for p in missing.problems)
    replayed.close()


def _stdio_session(peer) -> list[tuple]:
    replies = [
        peer.send(request(1, "notify_first")),
        peer.send(request(2, "noise")),
        peer.send(b"{not json\n"),
        peer.send({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        peer.send(request(3, "hang"), timeout=0.3),
    ]
    return [_essence(reply) + (reply.body,) for reply in replies]


def test_stdio_replay_reproduces_the_recorded_run(tmp_path: Path):
    recorder = accord_replay.Recorder(accord_stdio.open_peer(stdio_target(STDIO_SERVER), FAST))
    assert isinstance(recorder, StdioWire)
    live = _stdio_session(recorder)
    recorder.close()
    path = recorder.save(tmp_path / "stdio.json")

    replayed = accord_replay.open_peer(f"replay:{path}", FAST)
    assert isinstance(replayed, StdioWire)
    assert _stdio_session(replayed) == live
    assert replayed.stdout_noise == [b"this is not json"]
    assert "not in transcript" in replayed.send(request(50, "plain")).problems[0]
    fresh = replayed.fresh()
    assert "not in transcript" in fresh.send(request(1, "notify_first")).problems[0]


def test_replay_bad_targets(tmp_path: Path):
    with pytest.raises(TargetError, match="no transcript file"):
        accord_replay.open_peer(f"replay:{tmp_path / 'missing.json'}", FAST)
    (tmp_path / "other.json").write_text('{"hello": 1}')
    with pytest.raises(TargetError, match="not an accord transcript"):
        accord_replay.open_peer(f"replay:{tmp_path / 'other.json'}", FAST)


def test_entry_points_name_the_built_in_adapters():
    from importlib.metadata import entry_points

    found = {ep.name: ep.value for ep in entry_points(group="accord.adapters")}
    for name, module in [("mcp+stdio", "accord_stdio"), ("mcp+http", "accord_http"),
                         ("asgi", "accord_asgi"), ("replay", "accord_replay")]:
        assert found.get(name) == f"{module}:open_peer"
