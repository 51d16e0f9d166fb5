"""Test helpers for talking to real MCP peers by hand, without accord's adapters.

Everything here is bounded in time and size: a peer that hangs or floods
fails the test instead of hanging it.
"""

from __future__ import annotations

import json
import queue
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from accord_fixtures.peers import PeerInfo, get_peer

PROTOCOL_VERSION = "2025-11-25"
HTTP_ACCEPT = "application/json, text/event-stream"
MAX_LINE_BYTES = 4 * 1024 * 1024
MAX_MESSAGES_PER_REQUEST = 500

Message = dict[str, Any]


def require_peer(name: str) -> PeerInfo:
    """The peer, or skip the test with the reason it cannot be started here."""
    peer = get_peer(name)
    if peer.unavailable_reason is not None:
        pytest.skip(f"peer {name!r} unavailable: {peer.unavailable_reason}")
    return peer


def initialize_request(request_id: int = 1) -> Message:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "initialize",
        "params": {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "accord-tests", "version": "0"},
        },
    }


INITIALIZED_NOTIFICATION: Message = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def tools_list_request(request_id: int = 2) -> Message:
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/list", "params": {}}


class StdioSession:
    """A peer started as a subprocess, spoken to in newline-delimited JSON-RPC."""

    def __init__(self, argv: Sequence[str]) -> None:
        self._stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            list(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr
        )
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self.unmatched: list[Message] = []
        """Messages received that were not the awaited response (notifications, requests)."""
        self.non_json_lines: list[bytes] = []
        threading.Thread(target=self._read_stdout, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        while True:
            line = self.process.stdout.readline(MAX_LINE_BYTES)
            if not line:
                self._lines.put(None)
                return
            self._lines.put(line)

    def send(self, message: Message) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        self.process.stdin.flush()

    def request(self, message: Message, timeout: float = 10.0) -> Message:
        """Send a request and return the response carrying its id."""
        self.send(message)
        deadline = time.monotonic() + timeout
        for _ in range(MAX_MESSAGES_PER_REQUEST):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                raise AssertionError(f"peer closed stdout; stderr:\n{self.stderr_text()}")
            try:
                received = json.loads(line)
            except ValueError:
                self.non_json_lines.append(line)
                continue
            if isinstance(received, dict) and received.get("id") == message["id"] and "method" not in received:
                return received
            self.unmatched.append(received)
        raise AssertionError(
            f"no response to {message['method']!r} within {timeout:g} s; stderr:\n{self.stderr_text()}"
        )

    def stderr_text(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read()[-4000:].decode("utf-8", errors="replace")

    def close(self, grace: float = 5.0) -> bool:
        """Close stdin and wait for the peer to exit; True if it exited on its own."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.close()
        except BrokenPipeError:
            pass
        try:
            self.process.wait(timeout=grace)
            exited_on_eof = True
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=grace)
            exited_on_eof = False
        self._stderr.close()
        return exited_on_eof


def sse_messages(body: str) -> list[Message]:
    """JSON-RPC messages in an SSE body; events with empty data (priming events) are skipped."""
    messages = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        data = "\n".join(line[5:].lstrip(" ") for line in block.split("\n") if line.startswith("data:"))
        if data.strip():
            messages.append(json.loads(data))
    return messages


def http_messages(response: httpx.Response) -> list[Message]:
    """JSON-RPC messages in a Streamable HTTP response (plain JSON or an SSE stream)."""
    content_type = response.headers.get("content-type", "")
    if content_type.startswith("text/event-stream"):
        return sse_messages(response.text)
    if content_type.startswith("application/json") and response.content:
        return [response.json()]
    return []


def http_post(
    client: httpx.Client,
    url: str,
    message: Message,
    session_id: str | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    headers = {"Accept": HTTP_ACCEPT, "Content-Type": "application/json"}
    if session_id is not None:
        headers["Mcp-Session-Id"] = session_id
        headers["MCP-Protocol-Version"] = PROTOCOL_VERSION
    headers.update(extra_headers or {})
    return client.post(url, content=json.dumps(message), headers=headers)


def response_to(messages: Sequence[Message], request_id: int) -> Message:
    matching = [m for m in messages if m.get("id") == request_id and "method" not in m]
    assert len(matching) == 1, f"expected one response with id {request_id}, got {messages!r}"
    return matching[0]


def _decode_proc_address(hex_address: str) -> str:
    raw = bytes.fromhex(hex_address)
    # /proc/net/tcp* print the address as 32-bit words in host (little-endian) order
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    family = socket.AF_INET if len(words) == 4 else socket.AF_INET6
    return socket.inet_ntop(family, words)


def listening_addresses(port: int) -> set[str] | None:
    """Local addresses with a TCP socket listening on `port` (Linux /proc); None elsewhere."""
    tables = [Path("/proc/net/tcp"), Path("/proc/net/tcp6")]
    if not tables[0].exists():
        return None
    found = set()
    for table in tables:
        if not table.exists():
            continue
        for row in table.read_text().splitlines()[1:]:
            fields = row.split()
            local, state = fields[1], fields[3]
            address, _, port_hex = local.partition(":")
            if state == "0A" and int(port_hex, 16) == port:
                found.add(_decode_proc_address(address))
    return found


def accepts_connections(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False
