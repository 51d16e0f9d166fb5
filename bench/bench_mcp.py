"""MCP benchmark: checks per second against the reference server, and accord's cost per
exchange against a raw httpx loop sending the same requests to the same server.

    .venv/bin/python bench/bench_mcp.py [--exchanges 2000]

Prints its figures; quote ratios measured in one run (the machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import httpx

from accord.engine import run
from accord.outcomes import Outcome
from accord.peer import Limits
from accord.settings import RunSettings
from accord.specs import latest, load_spec
from accord.suites.mcp.session import McpSession
from accord.targets import open_peer
from accord_fixtures.peers import serve_command

VERSION = "2025-11-25"


def reference_http_server():
    argv = lambda port: [sys.executable, "-m", "accord_fixtures.mcp_reference", "--http", "--port", str(port)]  # noqa: E731
    return serve_command(argv, "the reference HTTP server")


def raw_httpx_loop(url: str, n: int) -> float:
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    with httpx.Client(timeout=10) as client:
        init = client.post(url, headers=headers, json={
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {"protocolVersion": VERSION, "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
        })
        headers["Mcp-Session-Id"] = init.headers["mcp-session-id"]
        headers["MCP-Protocol-Version"] = VERSION
        client.post(url, headers=headers, json={"jsonrpc": "2.0", "method": "notifications/initialized"})
        started = time.perf_counter()
        for i in range(1, n + 1):
            reply = client.post(url, headers=headers, content=json.dumps({"jsonrpc": "2.0", "id": i, "method": "ping"}))
            assert json.loads(reply.content)["id"] == i
        return time.perf_counter() - started


def accord_loop(url: str, n: int) -> float:
    peer = open_peer(f"mcp+{url}", Limits())
    try:
        session = McpSession(peer, VERSION)
        session.open()
        started = time.perf_counter()
        for _ in range(n):
            reply = session.request("ping")
            assert reply.response is not None and "result" in reply.response
        return time.perf_counter() - started
    finally:
        peer.close()


def suite_rate(target: str) -> tuple[int, int, float]:
    spec = load_spec(latest("mcp"))
    result = run(spec, target, RunSettings(seed=0))
    judged = sum(1 for r in result.results if r.outcome in (Outcome.PASS, Outcome.FAIL))
    return len(result.results), judged, result.meta.duration


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--exchanges", type=int, default=2000)
    args = parser.parse_args()
    n = args.exchanges

    with reference_http_server() as url:
        accord_loop(url, 50)  # warm both paths
        raw_httpx_loop(url, 50)
        raw = raw_httpx_loop(url, n)
        ours = accord_loop(url, n)
    print(f"exchange cost over HTTP, {n} pings to the reference server on 127.0.0.1:")
    print(f"  raw httpx loop : {raw / n * 1e6:8.1f} us/exchange")
    print(f"  accord peer    : {ours / n * 1e6:8.1f} us/exchange")
    print(f"  ratio accord/raw: {ours / raw:.2f}")

    for label, target in (
        ("in-process ASGI", "asgi:accord_fixtures.mcp_reference:app"),
        ("stdio subprocess", f"mcp+stdio:{sys.executable} -m accord_fixtures.mcp_reference --stdio"),
    ):
        total, judged, seconds = suite_rate(target)
        print(f"full suite mcp@{latest('mcp').version}, reference server, {label}: "
              f"{total} requirements in {seconds:.1f}s, {judged} judged pass/fail = {judged / seconds:.1f} checks/s")


if __name__ == "__main__":
    main()
