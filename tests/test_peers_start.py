"""The real peers start, answer initialize and tools/list by hand, and stop.

server-everything needs `.ci/install-peers`; without it its tests skip with
the reason. Nothing here uses accord's adapters.
"""

from __future__ import annotations

import asyncio
import importlib
import shlex
import shutil
from typing import Any

import httpx
import pytest

from accord_fixtures.peers import (
    PEER_NAMES,
    PeerNotInstalled,
    all_peers,
    get_peer,
    serve_http,
    server_everything,
    stdio_command,
)
from peers import (
    INITIALIZED_NOTIFICATION,
    PROTOCOL_VERSION,
    StdioSession,
    accepts_connections,
    http_messages,
    http_post,
    initialize_request,
    listening_addresses,
    require_peer,
    response_to,
    tools_list_request,
)

pytestmark = pytest.mark.peers

PYTHON_PEER_TOOLS = {"echo", "add", "divide", "forecast", "count_to"}
EXPECTED_TOOLS = {
    "mcp-sdk": PYTHON_PEER_TOOLS,
    "fastmcp": PYTHON_PEER_TOOLS,
    # a few stable ones, plus every tool the exclusion list says must never be called
    "server-everything": {"echo", "get-sum", *server_everything.NEVER_CALL_TOOLS},
}
IN_PROCESS_MODULES = {
    "mcp-sdk": "accord_fixtures.peers.mcp_sdk_server",
    "fastmcp": "accord_fixtures.peers.fastmcp_server",
}


def assert_initialize_result(response: dict[str, Any]) -> None:
    assert response.get("jsonrpc") == "2.0"
    assert "error" not in response, response
    result = response["result"]
    assert result["protocolVersion"] == PROTOCOL_VERSION
    assert isinstance(result["serverInfo"]["name"], str) and result["serverInfo"]["name"]
    assert isinstance(result["serverInfo"]["version"], str)
    assert isinstance(result["capabilities"].get("tools"), dict)


def assert_tools_result(response: dict[str, Any], peer_name: str) -> None:
    assert "error" not in response, response
    tools = response["result"]["tools"]
    names = {tool["name"] for tool in tools}
    assert len(names) == len(tools), "tool names must be unique"
    for tool in tools:
        assert tool["inputSchema"]["type"] == "object", tool
    missing = EXPECTED_TOOLS[peer_name] - names
    assert not missing, f"{peer_name} lacks tools {sorted(missing)}; it lists {sorted(names)}"


def test_registry_lists_each_peer_once_with_what_it_needs() -> None:
    peers = all_peers()
    assert [peer.name for peer in peers] == list(PEER_NAMES)
    assert set(PEER_NAMES) == {"mcp-sdk", "fastmcp", "server-everything"}
    for peer in peers:
        assert peer.http_path.startswith("/")
        assert peer.stdio_argv()[-1] == "stdio"
        assert peer.http_argv(8123)[-3:] == ["http", "--port", "8123"]
        if peer.available:
            assert peer.version, f"{peer.name} is available but has no version"
        else:
            assert peer.unavailable_reason
    assert set(server_everything.NEVER_CALL_TOOLS) <= set(get_peer("server-everything").excluded_tools)


def test_missing_npm_peer_is_unavailable_with_a_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("ACCORD_PEERS_DIR", str(tmp_path))
    peer = get_peer("server-everything")
    assert not peer.available
    expected_hint = "install-peers" if shutil.which("node") else "node is not on PATH"
    assert expected_hint in (peer.unavailable_reason or "")
    with pytest.raises(PeerNotInstalled, match="server-everything"):
        stdio_command("server-everything")
    with pytest.raises(PeerNotInstalled):
        with serve_http("server-everything"):
            pytest.fail("serve_http must not yield for an unavailable peer")


def test_unknown_peer_name_is_refused() -> None:
    with pytest.raises(KeyError, match="known"):
        get_peer("no-such-peer")


@pytest.mark.slow
@pytest.mark.parametrize("name", PEER_NAMES)
def test_stdio_peer_initializes_and_lists_tools(name: str) -> None:
    require_peer(name)
    session = StdioSession(shlex.split(stdio_command(name)))
    try:
        assert_initialize_result(session.request(initialize_request(1), timeout=20))
        session.send(INITIALIZED_NOTIFICATION)
        assert_tools_result(session.request(tools_list_request(2)), name)
        assert session.non_json_lines == [], "stdout must carry only MCP messages"
    finally:
        exited_on_eof = session.close()
    assert exited_on_eof, f"{name} did not exit within the grace period after stdin closed"


@pytest.mark.slow
@pytest.mark.parametrize("name", PEER_NAMES)
def test_http_peer_initializes_and_lists_tools_on_loopback(name: str) -> None:
    require_peer(name)
    with serve_http(name) as url:
        port = httpx.URL(url).port
        assert url == f"http://127.0.0.1:{port}/mcp"
        addresses = listening_addresses(port)
        if addresses is not None:
            assert addresses == {"127.0.0.1"}, f"{name} listens on {addresses}"
        with httpx.Client(timeout=10) as client:
            initialized = http_post(client, url, initialize_request(1))
            assert initialized.status_code == 200, initialized.text
            assert_initialize_result(response_to(http_messages(initialized), 1))
            session_id = initialized.headers.get("mcp-session-id")
            assert session_id, "all three peers run stateful sessions by default"
            acknowledged = http_post(client, url, INITIALIZED_NOTIFICATION, session_id)
            assert acknowledged.status_code == 202
            listed = http_post(client, url, tools_list_request(2), session_id)
            assert listed.status_code == 200, listed.text
            assert_tools_result(response_to(http_messages(listed), 2), name)
    assert not accepts_connections(port), f"{name} still listens after serve_http exited"


async def _initialize_in_process(app: Any, base_url: str) -> tuple[httpx.Response, httpx.Response | None]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url, timeout=10) as client:
            headers = {"Accept": "application/json, text/event-stream"}
            initialized = await client.post("/mcp", json=initialize_request(1), headers=headers)
            session_id = initialized.headers.get("mcp-session-id")
            if initialized.status_code != 200 or not session_id:
                return initialized, None
            headers |= {"Mcp-Session-Id": session_id, "MCP-Protocol-Version": PROTOCOL_VERSION}
            await client.post("/mcp", json=INITIALIZED_NOTIFICATION, headers=headers)
            listed = await client.post("/mcp", json=tools_list_request(2), headers=headers)
            return initialized, listed


@pytest.mark.parametrize("name", sorted(IN_PROCESS_MODULES))
def test_in_process_app_serves_mcp_over_asgi(name: str) -> None:
    require_peer(name)
    module = importlib.import_module(IN_PROCESS_MODULES[name])
    initialized, listed = asyncio.run(_initialize_in_process(module.create_app(), "http://127.0.0.1:8000"))
    assert initialized.status_code == 200, initialized.text
    assert_initialize_result(response_to(http_messages(initialized), 1))
    assert listed is not None and listed.status_code == 200
    assert_tools_result(response_to(http_messages(listed), 2), name)


def test_mcp_sdk_app_rejects_a_host_without_port() -> None:
    """The SDK's loopback Host allow-list is 127.0.0.1:* - a portless Host gets 421."""
    require_peer("mcp-sdk")
    module = importlib.import_module(IN_PROCESS_MODULES["mcp-sdk"])
    initialized, listed = asyncio.run(_initialize_in_process(module.create_app(), "http://127.0.0.1"))
    assert initialized.status_code == 421
    assert listed is None


@pytest.mark.parametrize("name", sorted(IN_PROCESS_MODULES))
def test_module_exposes_a_lazily_built_asgi_app(name: str) -> None:
    require_peer(name)
    module = importlib.import_module(IN_PROCESS_MODULES[name])
    app = module.app
    assert callable(app) and hasattr(app, "router")
    assert module.app is app
