"""A2A benchmark, beside bench_mcp.py: checks per second of the A2A suite against the reference agent,
and accord's cost per exchange against a raw loop sending the same GetTask to the same server: httpx for
JSON-RPC, a2a-sdk's generated gRPC stub for the gRPC binding (where grpcio is installed).

    .venv/bin/python bench/bench_a2a.py [--exchanges 2000]

Prints its figures; quote ratios measured in one run (the machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import sys
import time

import httpx

from accord.engine import run, suite_class
from accord.outcomes import Outcome
from accord.settings import RunSettings
from accord.specs import SpecRef, load_spec
from accord.suites.a2a import A2aSuite
from accord_fixtures.peers import serve_command
from accord_grpc import address_of, grpc_missing

GRPC = grpc_missing() is None
TARGET = "a2a+asgi:accord_fixtures.a2a_reference:" + ("grpc_app" if GRPC else "app")


def reference_server():
    grpc_flag = ["--grpc"] if GRPC else []
    argv = lambda port: [sys.executable, "-m", "accord_fixtures.a2a_reference", "--port", str(port), *grpc_flag]  # noqa: E731
    return serve_command(argv, "the reference A2A agent", "")


def grpc_address(url: str) -> str:
    card = httpx.get(f"{url}/.well-known/agent-card.json", headers={"A2A-Version": "1.0"}, timeout=10).json()
    found = [i["url"] for i in card["supportedInterfaces"] if i["protocolBinding"] == "GRPC"]
    return address_of(found[0])[0]


def raw_grpc_loop(url: str, task_id: str, n: int) -> float:
    import grpc
    from a2a.types import a2a_pb2, a2a_pb2_grpc

    with grpc.insecure_channel(grpc_address(url)) as channel:
        stub = a2a_pb2_grpc.A2AServiceStub(channel)
        started = time.perf_counter()
        for _ in range(n):
            task = stub.GetTask(a2a_pb2.GetTaskRequest(id=task_id), metadata=[("a2a-version", "1.0")], timeout=10)
            assert task.id == task_id
        return time.perf_counter() - started


def first_task(url: str) -> str:
    body = {"jsonrpc": "2.0", "id": 0, "method": "SendMessage", "params": {"message": {
        "messageId": "bench-0", "role": "ROLE_USER", "parts": [{"text": "hello"}]}}}
    reply = httpx.post(f"{url}/a2a/jsonrpc", json=body, headers={"A2A-Version": "1.0"}, timeout=10)
    return reply.json()["result"]["task"]["id"]


def raw_httpx_loop(url: str, task_id: str, n: int) -> float:
    headers = {"A2A-Version": "1.0", "Content-Type": "application/json"}
    with httpx.Client(timeout=10) as client:
        started = time.perf_counter()
        for i in range(1, n + 1):
            reply = client.post(f"{url}/a2a/jsonrpc", headers=headers,
                                json={"jsonrpc": "2.0", "id": i, "method": "GetTask", "params": {"id": task_id}})
            assert reply.json()["id"] == i
        return time.perf_counter() - started


def accord_loop(url: str, task_id: str, n: int, binding: str = "jsonrpc") -> float:
    suite = A2aSuite(load_spec(SpecRef("a2a", "1.0")), f"a2a+{url}#{binding}", RunSettings())
    try:
        suite.start()
        ctx = suite.context()
        started = time.perf_counter()
        for _ in range(n):
            assert ctx.get_task(task_id).ok
        return time.perf_counter() - started
    finally:
        suite.close()


def suite_rate(version: str) -> list[tuple[str, int, int, float]]:
    spec = load_spec(SpecRef("a2a", version))
    settings = RunSettings(seed=0)
    rows = []
    for binding, target in suite_class("a2a").expand_target(TARGET, settings, spec):
        result = run(spec, target, settings)
        judged = sum(1 for r in result.results if r.outcome in (Outcome.PASS, Outcome.FAIL))
        rows.append((binding, len(result.results), judged, result.meta.duration))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--exchanges", type=int, default=2000)
    n = parser.parse_args().exchanges
    with reference_server() as url:
        task_id = first_task(url)
        accord_loop(url, task_id, 50)  # warm both paths
        raw_httpx_loop(url, task_id, 50)
        raw = raw_httpx_loop(url, task_id, n)
        ours = accord_loop(url, task_id, n)
        if GRPC:
            accord_loop(url, task_id, 50, "grpc")
            raw_grpc_loop(url, task_id, 50)
            raw_grpc = raw_grpc_loop(url, task_id, n)
            ours_grpc = accord_loop(url, task_id, n, "grpc")
    print(f"exchange cost over HTTP, {n} GetTask to the reference A2A agent on 127.0.0.1 (JSON-RPC, A2A 1.0):")
    print(f"  raw httpx loop : {raw / n * 1e6:8.1f} us/exchange")
    print(f"  accord binding : {ours / n * 1e6:8.1f} us/exchange")
    print(f"  ratio accord/raw: {ours / raw:.2f}")
    if GRPC:
        print(f"exchange cost over gRPC, {n} GetTask to the same agent (A2A 1.0):")
        print(f"  raw generated stub: {raw_grpc / n * 1e6:8.1f} us/exchange")
        print(f"  accord binding    : {ours_grpc / n * 1e6:8.1f} us/exchange")
        print(f"  ratio accord/raw  : {ours_grpc / raw_grpc:.2f}")
    else:
        print(f"gRPC not measured: {grpc_missing()}")
    for version in ("1.0", "0.3.0"):
        for binding, total, judged, seconds in suite_rate(version):
            print(f"full suite a2a@{version} over {binding}, reference agent in process: {total} requirements in "
                  f"{seconds:.1f}s, {judged} judged pass/fail = {judged / seconds:.1f} checks/s")


if __name__ == "__main__":
    main()
