"""The reference MCP server (accord_fixtures.mcp_reference): correct by default, and each fault breaks what it names."""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

import httpx
import jsonschema
import pytest
from starlette.testclient import TestClient

from accord_fixtures.mcp_reference import FAULT_REQUIREMENTS, FAULT_TRANSPORTS, FAULTS, make_app, parse_faults
from accord_fixtures.mcp_reference.catalog import TOOLS_BY_NAME

UPSTREAM_MCP = Path(__file__).resolve().parents[1] / ".." / "shared" / "upstream" / "mcp"
VERSIONS = ("2025-11-25", "2025-06-18")
RESULT_DEFS = {
    "initialize": "InitializeResult", "ping": "EmptyResult", "tools/list": "ListToolsResult",
    "tools/call": "CallToolResult", "resources/list": "ListResourcesResult", "resources/read": "ReadResourceResult",
    "resources/templates/list": "ListResourceTemplatesResult", "resources/subscribe": "EmptyResult",
    "resources/unsubscribe": "EmptyResult", "prompts/list": "ListPromptsResult", "prompts/get": "GetPromptResult",
    "completion/complete": "CompleteResult", "logging/setLevel": "EmptyResult",
}
NOTIFICATION_DEFS = {
    "notifications/message": "LoggingMessageNotification", "notifications/progress": "ProgressNotification",
    "notifications/resources/updated": "ResourceUpdatedNotification",
}
READ_TIMEOUT = 5.0


# --- schema validation (upstream schemas, read-only reference data) ------------------------------------------

@functools.cache
def _upstream_schema(version: str) -> dict[str, Any] | None:
    path = UPSTREAM_MCP / version / "schema.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


@functools.cache
def _validator(version: str, definition: str) -> Any:
    schema = _upstream_schema(version)
    assert schema is not None
    defs_key = "$defs" if "$defs" in schema else "definitions"
    root = {**schema, "$ref": f"#/{defs_key}/{definition}"}
    return jsonschema.validators.validator_for(schema)(root)


def assert_valid(version: str, instance: Any, definition: str) -> None:
    if _upstream_schema(version) is None:
        return  # /work/shared/upstream is absent: behaviour is still asserted, only schema validation is skipped
    errors = sorted(_validator(version, definition).iter_errors(instance), key=str)
    assert not errors, f"{definition} ({version}): {errors[0].message} in {json.dumps(instance)[:400]}"


def check_schema(version: str, message: dict[str, Any], method: str | None) -> None:
    """Validate one message the server sent, by its kind and (for responses) the request method."""
    new_era = version >= "2025-11-25"
    if "method" in message:
        assert_valid(version, message, "JSONRPCRequest" if "id" in message else "JSONRPCNotification")
        if message["method"] in NOTIFICATION_DEFS:
            assert_valid(version, message, NOTIFICATION_DEFS[message["method"]])
    elif "error" in message:
        if message.get("id") is None:  # JSON-RPC 2.0 wants id null when the id could not be read; MCP omits it
            message = {k: v for k, v in message.items() if k != "id"}
            if not new_era:
                return  # the 2025-06-18 schema has no form for an error without a readable id
        assert_valid(version, message, "JSONRPCErrorResponse" if new_era else "JSONRPCError")
    else:
        assert_valid(version, message, "JSONRPCResultResponse" if new_era else "JSONRPCResponse")
        if method in RESULT_DEFS:
            assert_valid(version, message["result"], RESULT_DEFS[method])


# --- clients -----------------------------------------------------------------------------------------------

class Client:
    """What both transports offer the scenario: requests, notifications, the messages around a response."""

    version = VERSIONS[0]
    validate = True

    def __init__(self) -> None:
        self._next_id = 0

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def exchange(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.exchange(message)

    def call(self, method: str, params: dict[str, Any] | None = None,
             request_id: int | str | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The response to one request, and the messages that came before it."""
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": self.new_id() if request_id is None else request_id,
                                   "method": method}
        if params is not None:
            message["params"] = params
        received = self.exchange(message)
        assert received, f"no answer to {method}"
        *others, response = received
        if self.validate:
            for sent in received:
                check_schema(self.version, sent, method)
        return response, others

    def result(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        response, _ = self.call(method, params)
        assert "error" not in response, response
        return response["result"]

    def error(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        response, _ = self.call(method, params)
        assert "result" not in response, response
        return response["error"]

    def initialize(self, version: str) -> dict[str, Any]:
        self.version = version if version in VERSIONS else VERSIONS[0]
        return self.result("initialize", {"protocolVersion": version, "capabilities": {},
                                          "clientInfo": {"name": "accord-tests", "version": "0"}})


class StdioClient(Client):
    def __init__(self, *faults: str) -> None:
        super().__init__()
        command = [sys.executable, "-m", "accord_fixtures.mcp_reference", "--stdio"]
        for fault in faults:
            command += ["--fault", fault]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        self.lines: queue.Queue[bytes | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def send_raw(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def read_line(self, timeout: float = READ_TIMEOUT) -> bytes | None:
        """The next stdout line, or None at EOF; raises queue.Empty when nothing came within timeout."""
        return self.lines.get(timeout=timeout)

    def read_messages_until_response(self, request_id: Any, limit: int = 20_000,
                                     timeout: float = READ_TIMEOUT) -> list[dict[str, Any]]:
        received: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while len(received) < limit:
            line = self.read_line(max(0.01, deadline - time.monotonic()))
            assert line is not None, "server closed stdout"
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                if self.validate:
                    raise
                continue  # a faulty server's stray output; the fault checks look at it on purpose
            received.append(message)
            if "method" not in message and message.get("id") == request_id:
                return received
        raise AssertionError(f"no response to id {request_id!r} within {limit} messages")

    def exchange(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        self.send_raw(json.dumps(message).encode() + b"\n")
        if "id" not in message:
            return []
        return self.read_messages_until_response(message["id"])

    def close(self) -> None:
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def parse_sse(text: str) -> list[dict[str, Any]]:
    messages = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        data = "\n".join(line[5:].lstrip(" ") for line in block.split("\n") if line.startswith("data:"))
        if data:
            messages.append(json.loads(data))
    return messages


class HttpClient(Client):
    base_headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}

    def __init__(self, *faults: str) -> None:
        super().__init__()
        self.http = TestClient(make_app(frozenset(faults)), base_url="http://127.0.0.1:8000")
        self.session_id: str | None = None
        self.last: httpx.Response | None = None

    def headers(self, **extra: str) -> dict[str, str]:
        headers = dict(self.base_headers)
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
            headers["MCP-Protocol-Version"] = self.version
        headers.update(extra)
        return headers

    def post(self, body: Any, **extra: str) -> httpx.Response:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.http.post("/mcp", content=content, headers=self.headers(**extra))

    def exchange(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.last = self.post(message)
        if "id" not in message:
            if self.validate:
                assert response.status_code == 202 and response.content == b"", response
            return []
        assert response.status_code == 200, (response.status_code, response.text)
        if message.get("method") == "initialize" and "mcp-session-id" in response.headers:
            self.session_id = response.headers["mcp-session-id"]
        if response.headers["content-type"].startswith("text/event-stream"):
            return parse_sse(response.text)
        assert response.headers["content-type"].startswith("application/json")
        return [response.json()]


CLIENTS: dict[str, Callable[..., Client]] = {"stdio": StdioClient, "http": HttpClient}


@pytest.fixture
def open_client():
    opened: list[Client] = []

    def open_(transport: str, *faults: str) -> Client:
        client = CLIENTS[transport](*faults)
        opened.append(client)
        return client

    yield open_
    for client in opened:
        if isinstance(client, StdioClient):
            client.close()


def walk(client: Client, method: str, key: str, max_pages: int = 20) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {}
    for pages in range(1, max_pages + 1):
        page = client.result(method, params)
        items += page[key]
        if "nextCursor" not in page:
            return items, pages
        params = {"cursor": page["nextCursor"]}
    raise AssertionError(f"{method} did not end within {max_pages} pages")


# --- the main behaviours, over both transports and both versions ---------------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("transport", ["stdio", "http"])
def test_correct_server_session(open_client, transport: str, version: str) -> None:
    c = open_client(transport)
    new_era = version == "2025-11-25"
    init = c.initialize(version)
    assert init["protocolVersion"] == version
    assert set(init["capabilities"]) >= {"tools", "resources", "prompts", "completions", "logging"}
    assert init["capabilities"]["resources"] == {"subscribe": True, "listChanged": True}
    assert {"name", "version", "title"} <= set(init["serverInfo"]) and init["instructions"]
    assert ("icons" in init["serverInfo"]) == new_era
    c.notify("notifications/initialized")

    tools, pages = walk(c, "tools/list", "tools")
    assert len(tools) >= 6 and pages >= 3 and len({t["name"] for t in tools}) == len(tools)
    assert all(t["inputSchema"]["type"] == "object" for t in tools)
    assert ("icons" in next(t for t in tools if t["name"] == "echo")) == new_era
    resources, pages = walk(c, "resources/list", "resources")
    assert len(resources) >= 5 and pages >= 3
    templates, _ = walk(c, "resources/templates/list", "resourceTemplates")
    prompts, pages = walk(c, "prompts/list", "prompts")
    assert len(prompts) >= 3 and pages >= 2
    assert c.error("tools/list", {"cursor": "not-a-cursor"})["code"] == -32602

    assert c.result("tools/call", {"name": "echo", "arguments": {"text": "hi"}})["content"] == [
        {"type": "text", "text": "hi"}]
    added = c.result("tools/call", {"name": "add", "arguments": {"a": 2, "b": 3.5}})
    assert added["structuredContent"] == {"sum": 5.5} == json.loads(added["content"][0]["text"])
    jsonschema.validate(added["structuredContent"], TOOLS_BY_NAME["add"]["outputSchema"])
    divided = c.result("tools/call", {"name": "divide", "arguments": {"dividend": 1, "divisor": 0}})
    assert divided["isError"] is True
    media = c.result("tools/call", {"name": "media_sampler"})
    assert {block["type"] for block in media["content"]} == {"text", "image", "audio", "resource_link", "resource"}
    assert "isError" not in c.result("tools/call", {"name": "server_status", "arguments": {}})
    assert c.error("tools/call", {"name": "no-such-tool", "arguments": {}})["code"] == -32602
    bad_args = {"name": "add", "arguments": {"a": "one", "b": 2}}
    if new_era:  # 2025-11-25: input validation errors are tool execution errors
        assert c.result("tools/call", bad_args)["isError"] is True
    else:  # 2025-06-18: invalid arguments are protocol errors
        assert c.error("tools/call", bad_args)["code"] == -32602

    readme = c.result("resources/read", {"uri": "accord://reference/readme.md"})["contents"][0]
    assert readme["text"].startswith("# accord")
    pixel = c.result("resources/read", {"uri": "accord://reference/pixel.png"})["contents"][0]
    assert base64.b64decode(pixel["blob"]).startswith(b"\x89PNG")
    assert "text" in c.result("resources/read", {"uri": "accord://reference/items/item-007"})["contents"][0]
    assert templates[0]["uriTemplate"] == "accord://reference/items/{item_id}"
    assert c.error("resources/read", {"uri": "accord://reference/missing"})["code"] == -32002
    assert c.result("resources/subscribe", {"uri": "accord://reference/notes.txt"}) == {}
    _, others = c.call("tools/call", {"name": "touch_resource", "arguments": {"uri": "accord://reference/notes.txt"}})
    assert [m["method"] for m in others] == ["notifications/resources/updated"]
    assert c.result("resources/unsubscribe", {"uri": "accord://reference/notes.txt"}) == {}
    _, others = c.call("tools/call", {"name": "touch_resource", "arguments": {"uri": "accord://reference/notes.txt"}})
    assert others == []

    greeting = c.result("prompts/get", {"name": "greeting", "arguments": {"name": "Ada", "language": "french"}})
    assert "Bonjour, Ada" in greeting["messages"][0]["content"]["text"]
    assert c.error("prompts/get", {"name": "greeting", "arguments": {}})["code"] == -32602
    assert c.error("prompts/get", {"name": "no-such-prompt"})["code"] == -32602

    by_prompt = c.result("completion/complete", {"ref": {"type": "ref/prompt", "name": "greeting"},
                                                 "argument": {"name": "language", "value": "e"}})["completion"]
    assert by_prompt == {"values": ["english", "esperanto", "estonian"], "total": 3, "hasMore": False}
    by_template = c.result("completion/complete", {
        "ref": {"type": "ref/resource", "uri": "accord://reference/items/{item_id}"},
        "argument": {"name": "item_id", "value": "item-"}})["completion"]
    assert len(by_template["values"]) == 100 and by_template["total"] == 150 and by_template["hasMore"] is True

    assert c.result("logging/setLevel", {"level": "warning"}) == {}
    assert c.error("logging/setLevel", {"level": "loud"})["code"] == -32602
    _, logs = c.call("tools/call", {"name": "emit_logs", "arguments": {}})
    assert [m["params"]["level"] for m in logs] == ["warning", "error", "critical", "alert", "emergency"]

    _, progress = c.call("tools/call", {"name": "count_up", "arguments": {"steps": 3},
                                        "_meta": {"progressToken": "tok"}})
    assert [(m["params"]["progressToken"], m["params"]["progress"]) for m in progress] == [
        ("tok", 1), ("tok", 2), ("tok", 3)]
    response, others = c.call("ping", request_id="string-id")
    assert response == {"jsonrpc": "2.0", "id": "string-id", "result": {}} and others == []


@pytest.mark.parametrize("transport", ["stdio", "http"])
def test_unsupported_version_gets_latest(open_client, transport: str) -> None:
    c = open_client(transport)
    assert c.initialize("1999-01-01")["protocolVersion"] == "2025-11-25"


def test_stdio_jsonrpc_errors_and_lifecycle(open_client) -> None:
    c = open_client("stdio")
    assert isinstance(c, StdioClient)
    assert c.error("tools/list")["code"] == -32600  # before initialize
    assert c.result("ping") == {}  # ping is allowed before initialize
    c.send_raw(b'{"jsonrpc": "2.0", "id": 1, "method": \n')
    parse_error = json.loads(c.read_line() or b"")
    assert parse_error["id"] is None and parse_error["error"]["code"] == -32700
    check_schema(c.version, parse_error, None)
    c.send_raw(b'{"jsonrpc": "2.0", "id": 5, "method": 42}\n')
    invalid = json.loads(c.read_line() or b"")
    assert invalid["id"] == 5 and invalid["error"]["code"] == -32600
    c.send_raw(b'[{"jsonrpc": "2.0", "id": 6, "method": "ping"}]\n')
    assert json.loads(c.read_line() or b"")["error"]["code"] == -32600  # no batches since 2025-06-18
    c.initialize("2025-11-25")
    assert c.error("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                  "clientInfo": {"name": "x", "version": "1"}})["code"] == -32600
    assert c.error("no/such/method")["code"] == -32601
    assert c.error("tools/call", {"name": 3})["code"] == -32602
    assert c.error("resources/read", {})["code"] == -32602
    assert c.error("ping", {"_meta": {"progressToken": 1.5}})["code"] == -32602
    assert c.error("completion/complete", {"ref": {"type": "ref/nothing"},
                                           "argument": {"name": "a", "value": ""}})["code"] == -32602
    c.notify("notifications/cancelled", {"requestId": 99, "reason": "test"})
    c.notify("notifications/whatever")
    response, others = c.call("ping", request_id=77)  # the notifications above got no answer
    assert response["id"] == 77 and others == []


def test_stdio_exits_when_stdin_closes(open_client) -> None:
    c = open_client("stdio")
    assert isinstance(c, StdioClient)
    c.initialize("2025-06-18")
    assert c.process.stdin is not None
    c.process.stdin.close()
    assert c.process.wait(timeout=5) == 0
    assert c.read_line() is None


# --- Streamable HTTP transport rules -----------------------------------------------------------------------

def _initialized_http(*faults: str, version: str = "2025-11-25") -> HttpClient:
    c = HttpClient(*faults)
    c.initialize(version)
    assert c.session_id and all(0x21 <= ord(ch) <= 0x7E for ch in c.session_id)
    c.notify("notifications/initialized")
    return c


def test_http_transport_rules() -> None:
    c = _initialized_http()
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    assert c.post(ping, Accept="application/json").status_code == 406
    assert c.post(ping, Accept="text/event-stream").status_code == 406
    assert c.post(ping, **{"Content-Type": "text/plain"}).status_code == 415
    assert c.post(b" " * (2 * 1024 * 1024)).status_code == 413
    parse_error = c.post(b"{not json")
    assert parse_error.status_code == 400 and parse_error.json()["error"]["code"] == -32700
    assert c.post({"jsonrpc": "2.0", "id": 1, "result": {}}).status_code == 202  # a client response
    assert c.post(ping, **{"MCP-Protocol-Version": "1999-01-01"}).status_code == 400
    no_version = dict(c.headers())
    del no_version["MCP-Protocol-Version"]
    assert c.http.post("/mcp", json=ping, headers=no_version).status_code == 200
    no_session = dict(no_version)
    del no_session["Mcp-Session-Id"]
    assert c.http.post("/mcp", json=ping, headers=no_session).status_code == 400
    assert c.post(ping, **{"Mcp-Session-Id": "unknown"}).status_code == 404
    forbidden = c.post(ping, Origin="https://attacker.example")
    assert forbidden.status_code == 403 and "id" not in forbidden.json()
    assert c.post(ping, Origin="http://localhost:6274").status_code == 200
    assert c.post(ping, Origin="http://127.0.0.1:1").status_code == 200
    assert c.http.get("/mcp", headers={"Accept": "text/event-stream"}).status_code == 405
    assert c.http.post("/other", json=ping, headers=c.headers()).status_code == 404
    assert c.http.delete("/mcp", headers=c.headers()).status_code == 200
    assert c.post(ping).status_code == 404  # terminated session


@pytest.mark.parametrize("version", VERSIONS)
def test_http_sse_response_for_related_messages(version: str) -> None:
    c = _initialized_http(version=version)
    c.call("tools/call", {"name": "count_up", "arguments": {"steps": 2}, "_meta": {"progressToken": 9}})
    assert c.last is not None and c.last.headers["content-type"].startswith("text/event-stream")
    events = c.last.text.split("\n\n")
    assert events[0].startswith("id: ")
    assert (events[0].split("\n")[1] == "data:") == (version == "2025-11-25")  # priming event (2025-11-25 only)
    ids = [line for line in c.last.text.split("\n") if line.startswith("id: ")]
    assert len(ids) == len(set(ids))


def test_http_server_binds_loopback_and_serves() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "accord_fixtures.mcp_reference", "--http", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/mcp"
        headers = HttpClient.base_headers
        init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}
        deadline = time.monotonic() + 10
        while True:
            try:
                response = httpx.post(url, json=init, headers=headers, timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.1)
        assert response.status_code == 200 and response.json()["result"]["protocolVersion"] == "2025-06-18"
        assert "mcp-session-id" in response.headers
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_app_reads_faults_from_environment(monkeypatch) -> None:
    import importlib

    import accord_fixtures.mcp_reference as package

    monkeypatch.setenv("ACCORD_FAULT", "ping-nonempty-or-slow, cursor-loop")
    monkeypatch.setattr(package, "_app", None)
    assert importlib.import_module("accord_fixtures.mcp_reference").app.faults == frozenset(
        {"ping-nonempty-or-slow", "cursor-loop"})
    monkeypatch.setattr(package, "_app", None)
    with pytest.raises(ValueError):
        parse_faults("no-such-fault")


# --- faults: each one changes the behaviour it names ------------------------------------------------------

def _ping(c: Client, request_id: Any = 4242) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return c.call("ping", request_id=request_id)


def _initialized(transport: str, *faults: str, version: str = "2025-11-25") -> Client:
    c = CLIENTS[transport](*faults)
    c.validate = False  # faulty servers may send schema-invalid messages on purpose
    c.initialize(version)
    c.notify("notifications/initialized")
    return c


def check_wrong_jsonrpc_version(c: Client) -> None:
    assert _ping(c)[0]["jsonrpc"] == "1.0"


def check_id_not_echoed(c: Client) -> None:
    if isinstance(c, StdioClient):
        c.send_raw(b'{"jsonrpc":"2.0","id":4242,"method":"ping"}\n')
        assert json.loads(c.read_line() or b"")["id"] != 4242
    else:
        assert c.exchange({"jsonrpc": "2.0", "id": 4242, "method": "ping"})[0]["id"] != 4242


def check_null_id(c: Client) -> None:
    response, others = _ping(c)
    assert response["id"] == 4242 and {"jsonrpc": "2.0", "id": None, "method": "ping"} in others


def check_result_and_error(c: Client) -> None:
    response, _ = c.call("no/such/method")
    assert "result" in response and "error" in response


def check_string_error_code(c: Client) -> None:
    assert c.call("no/such/method")[0]["error"]["code"] == "-32601"


def check_no_parse_error(c: Client) -> None:
    if isinstance(c, StdioClient):
        c.send_raw(b"{oops\n")
        answer = json.loads(c.read_line() or b"")
    else:
        assert isinstance(c, HttpClient)
        answer = c.post(b"{oops").json()
    assert answer["error"]["code"] != -32700


def check_wrong_method_not_found_code(c: Client) -> None:
    assert c.call("no/such/method")[0]["error"]["code"] != -32601


def check_answers_notifications(c: Client) -> None:
    c.notify("notifications/roots/list_changed")
    _, others = _ping(c)
    assert {"jsonrpc": "2.0", "id": None, "result": {}} in others


def check_no_version_fallback(c: Client) -> None:
    fresh = type(c)("no-version-fallback")
    try:
        assert fresh.initialize("1999-01-01")["protocolVersion"] == "1999-01-01"
    finally:
        if isinstance(fresh, StdioClient):
            fresh.close()


def check_missing_server_info(c: Client) -> None:
    fresh = type(c)("missing-server-info")
    fresh.validate = False
    try:
        assert "serverInfo" not in fresh.initialize("2025-11-25")
    finally:
        if isinstance(fresh, StdioClient):
            fresh.close()


def check_ping_nonempty(c: Client) -> None:
    assert _ping(c)[0]["result"] != {}


def check_bad_input_schema(c: Client) -> None:
    tools, _ = walk(c, "tools/list", "tools")
    assert next(t for t in tools if t["name"] == "echo")["inputSchema"]["type"] == "string"


def check_unknown_tool_success(c: Client) -> None:
    assert "result" in c.call("tools/call", {"name": "no-such-tool"})[0]


def check_structured_content_mismatch(c: Client) -> None:
    structured = c.result("tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}})["structuredContent"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(structured, TOOLS_BY_NAME["add"]["outputSchema"])


def check_cursor_loop(c: Client) -> None:
    first = c.result("tools/list")
    page = first
    for _ in range(10):
        page = c.result("tools/list", {"cursor": page["nextCursor"]})
        if page["tools"] == first["tools"]:
            return
    raise AssertionError("pagination never came back to the first page")


def check_garbage_cursor_accepted(c: Client) -> None:
    assert "result" in c.call("tools/list", {"cursor": "garbage"})[0]


def check_unknown_resource_empty(c: Client) -> None:
    assert c.result("resources/read", {"uri": "accord://reference/missing"}) == {"contents": []}


def check_prompt_missing_arg_accepted(c: Client) -> None:
    assert "messages" in c.result("prompts/get", {"name": "greeting", "arguments": {}})


def check_http_no_session_enforcement(c: Client) -> None:
    assert isinstance(c, HttpClient)
    headers = c.headers()
    del headers["Mcp-Session-Id"]
    assert c.http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"}, headers=headers).status_code == 200


def check_http_notification_200(c: Client) -> None:
    assert isinstance(c, HttpClient)
    assert c.post({"jsonrpc": "2.0", "method": "notifications/initialized"}).status_code == 200


def check_http_origin_allowed(c: Client) -> None:
    assert isinstance(c, HttpClient)
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    assert c.post(ping, Origin="https://attacker.example").status_code == 200


def check_http_protocol_version_ignored(c: Client) -> None:
    assert isinstance(c, HttpClient)
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    assert c.post(ping, **{"MCP-Protocol-Version": "1999-01-01"}).status_code == 200


def check_stdio_log_on_stdout(c: Client) -> None:
    assert isinstance(c, StdioClient)
    c.send_raw(b'{"jsonrpc":"2.0","id":9,"method":"ping"}\n')
    with pytest.raises(json.JSONDecodeError):
        json.loads(c.read_line() or b"")


def check_stdio_no_exit(c: Client) -> None:
    assert isinstance(c, StdioClient) and c.process.stdin is not None
    c.process.stdin.close()
    with pytest.raises(subprocess.TimeoutExpired):
        c.process.wait(timeout=1.5)
    c.process.kill()


def check_hang_on_tools_call(c: Client) -> None:
    call = {"jsonrpc": "2.0", "id": 31, "method": "tools/call", "params": {"name": "server_status"}}
    if isinstance(c, StdioClient):
        c.send_raw(json.dumps(call).encode() + b"\n")
        with pytest.raises(queue.Empty):
            c.read_line(timeout=1.0)
        assert _ping(c)[0]["result"] == {}  # the server is alive, it just never answers tools/call
        return
    assert isinstance(c, HttpClient) and c.session_id

    async def post_with_deadline() -> None:
        transport = httpx.ASGITransport(app=make_app(frozenset({"hang-on-tools-call"})))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
            init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}
            first = await client.post("/mcp", json=init, headers=HttpClient.base_headers)
            headers = {**HttpClient.base_headers, "Mcp-Session-Id": first.headers["mcp-session-id"]}
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(client.post("/mcp", json=call, headers=headers), timeout=0.5)

    asyncio.run(post_with_deadline())


def check_flood(c: Client) -> None:
    response, others = _ping(c)
    assert response["result"] == {} and len(others) == 10_000
    assert all(m["method"] == "notifications/message" for m in others)


FAULT_CHECKS: dict[str, Callable[[Client], None]] = {
    "wrong-jsonrpc-version": check_wrong_jsonrpc_version,
    "id-not-echoed": check_id_not_echoed,
    "null-id": check_null_id,
    "result-and-error": check_result_and_error,
    "string-error-code": check_string_error_code,
    "no-parse-error": check_no_parse_error,
    "wrong-method-not-found-code": check_wrong_method_not_found_code,
    "answers-notifications": check_answers_notifications,
    "no-version-fallback": check_no_version_fallback,
    "missing-server-info": check_missing_server_info,
    "ping-nonempty-or-slow": check_ping_nonempty,
    "bad-input-schema": check_bad_input_schema,
    "unknown-tool-success": check_unknown_tool_success,
    "structured-content-mismatch": check_structured_content_mismatch,
    "cursor-loop": check_cursor_loop,
    "garbage-cursor-accepted": check_garbage_cursor_accepted,
    "unknown-resource-empty": check_unknown_resource_empty,
    "prompt-missing-arg-accepted": check_prompt_missing_arg_accepted,
    "http-no-session-enforcement": check_http_no_session_enforcement,
    "http-notification-200": check_http_notification_200,
    "http-origin-allowed": check_http_origin_allowed,
    "http-protocol-version-ignored": check_http_protocol_version_ignored,
    "stdio-log-on-stdout": check_stdio_log_on_stdout,
    "stdio-no-exit": check_stdio_no_exit,
    "hang-on-tools-call": check_hang_on_tools_call,
    "flood": check_flood,
}
# Faults that apply to both transports run over HTTP (in-process, fast); these also run over stdio.
ALSO_OVER_STDIO = {"wrong-jsonrpc-version", "id-not-echoed", "no-parse-error", "answers-notifications",
                   "hang-on-tools-call", "no-version-fallback"}
FAULT_CASES = [(name, "stdio" if FAULT_TRANSPORTS[name] == "stdio" else "http") for name in FAULT_CHECKS] + [
    (name, "stdio") for name in sorted(ALSO_OVER_STDIO)]


def test_fault_catalogue_is_complete() -> None:
    assert set(FAULT_CHECKS) == set(FAULTS) and len(FAULTS) >= 18
    for name, description in FAULTS.items():
        assert description and "\n" not in description
        requirement = FAULT_REQUIREMENTS[name]
        assert requirement is None or (requirement.startswith("mcp.") and requirement in description)
        assert FAULT_TRANSPORTS[name] in ("any", "stdio", "http")


@pytest.mark.parametrize(("fault", "transport"), FAULT_CASES, ids=[f"{f}-{t}" for f, t in FAULT_CASES])
def test_fault_changes_its_behaviour(fault: str, transport: str) -> None:
    c = _initialized(transport, fault)
    try:
        FAULT_CHECKS[fault](c)
    finally:
        if isinstance(c, StdioClient):
            c.process.kill()
            c.process.wait(timeout=5)


@pytest.mark.parametrize("check", [check_ping_nonempty, check_unknown_tool_success, check_cursor_loop,
                                   check_unknown_resource_empty, check_prompt_missing_arg_accepted])
def test_fault_checks_fail_on_the_correct_server(check: Callable[[Client], None]) -> None:
    c = _initialized("http")
    c.validate = True
    with pytest.raises((AssertionError, KeyError)):
        check(c)
