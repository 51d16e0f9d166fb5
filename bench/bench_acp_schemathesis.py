"""ACP benchmark: schemathesis (driven by the upstream ACP 0.2.0 OpenAPI file) against the
real acp-sdk 1.0.3 server, and accord against the same server, side by side.

    .venv/bin/python bench/bench_acp_schemathesis.py [--seed 42] [--max-examples 20] [--keep-reports DIR]

Needs `.ci/install-peers` (the acp-sdk and schemathesis venvs under <repo>/.peers, or
$ACCORD_PEERS_DIR) and ../shared/upstream/acp/0.2.0/openapi.yaml next to the repository.
Each tool gets a fresh acp-sdk server (same agents, empty run store) on 127.0.0.1.
Prints, per tool: wall time, requests sent, and the distinct failures reported.
"""

from __future__ import annotations

import argparse
import base64
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord import __version__
from accord.engine import run, suite_class
from accord.outcomes import Outcome
from accord.settings import RunSettings
from accord.specs import SpecRef, load_spec
from accord_fixtures.peers import PeerNotInstalled
from accord_fixtures.peers.acp_sdk import installed_versions, serve_acp_sdk
from accord_fixtures.peers.server_everything import peers_dir

REPO = Path(__file__).resolve().parents[1]
UPSTREAM_OPENAPI = REPO / ".." / "shared" / "upstream" / "acp" / "0.2.0" / "openapi.yaml"
SCHEMATHESIS_PIN = "4.32.5"
"""Kept equal to SCHEMATHESIS_REQUIREMENTS in .ci/install-peers."""
RUN_TIMEOUT = 600.0
REQUEST_TIMEOUT = 5.0
"""acp-sdk never answers a sync resume of a completed awaiter run; this bounds such requests."""


@dataclass(frozen=True, order=True)
class Failure:
    code: str
    title: str
    detail: str
    """First line of the tool's message, plus the schema location when it names one."""


@dataclass
class Figures:
    tool: str
    wall_seconds: float
    requests: int
    failures: dict[Failure, set[str]] = field(default_factory=dict)
    """Each distinct failure, with the operations it was reported on."""
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def schemathesis_cli() -> Path:
    return peers_dir() / "schemathesis" / "bin" / "st"


def schemathesis_argv(openapi: Path, base_url: str, report_dir: Path, *, seed: int, max_examples: int) -> list[str]:
    return [
        str(schemathesis_cli()), "run", str(openapi),
        "--url", base_url,
        "--checks", "all",
        "--seed", str(seed),
        "--max-examples", str(max_examples),
        "--workers", "1",
        "--request-timeout", str(REQUEST_TIMEOUT),
        "--generation-database", "none",
        "--report", "json,ndjson",
        "--report-dir", str(report_dir),
        "--no-color",
    ]


def _first_line(message: str) -> str:
    line = message.splitlines()[0].strip() if message else ""
    # Keep the predicate, drop the (generated, ever-changing) instance it was applied to.
    if " is not valid under " in line:
        line = "<value> is not valid under " + line.split(" is not valid under ", 1)[1]
    if " is not allowed for " in line:
        line = line.split(" is not allowed for ", 1)[0] + " is not allowed for <value>"
    return line if len(line) <= 110 else line[:107] + "..."


def _reply_summary(interaction: dict[str, Any] | None) -> str:
    """`got STATUS: message` of the response a failure was found on (ACP error bodies carry a message)."""
    if not interaction:
        return ""
    response = interaction.get("response") or {}
    content = response.get("content") or {}
    text = ""
    if isinstance(content, dict) and "$base64" in content:
        text = base64.b64decode(content["$base64"]).decode("utf-8", errors="replace")
    elif isinstance(content, dict):
        text = str(content.get("string", ""))
    try:
        message = json.loads(text).get("message", "")
    except (ValueError, AttributeError):
        message = ""
    message = " ".join(str(message).split())[:90]
    return f"got {response.get('status_code')}" + (f": {message}" if message else "")


def _failure_of(reported: dict[str, Any], interaction: dict[str, Any] | None) -> Failure:
    message = str(reported.get("message") or "")
    where = next((line.rstrip(":") for line in message.splitlines() if line.startswith("Schema at ")), "")
    detail = _first_line(message)
    # A schema location identifies a response-schema failure; anything else is told apart by the reply.
    context = where or _reply_summary(interaction)
    return Failure(
        code=str(reported.get("code") or "?"),
        title=str(reported.get("title") or ""),
        detail=f"{detail} [{context}]" if context else detail,
    )


def read_schemathesis_events(lines: Iterable[str]) -> tuple[int, dict[Failure, set[str]], list[str]]:
    """Requests sent, distinct failures (with operations) and non-fatal errors, from its NDJSON event report."""
    requests = 0
    failures: dict[Failure, set[str]] = {}
    errors: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        event = json.loads(line)
        if "NonFatalError" in event:
            error = event["NonFatalError"]
            text = f"{error.get('label')}: {error.get('value', {}).get('message')}"
            if text not in errors:
                errors.append(text)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished.get("recorder", {})
        requests += len(recorder.get("interactions", {}))
        interactions = recorder.get("interactions", {})
        for case_id, checks in recorder.get("checks", {}).items():
            for check in checks:
                if check.get("status") != "failure":
                    continue
                reported = check.get("failure_info", {}).get("failure", {})
                failure = _failure_of(reported, interactions.get(case_id))
                failures.setdefault(failure, set()).add(str(reported.get("operation")))
    return requests, failures, errors


def run_schemathesis(base_url: str, *, seed: int, max_examples: int, keep_reports: Path | None) -> Figures:
    with tempfile.TemporaryDirectory(prefix="accord-bench-st-") as scratch:
        report_dir = keep_reports.resolve() if keep_reports else Path(scratch) / "reports"
        argv = schemathesis_argv(UPSTREAM_OPENAPI.resolve(), base_url, report_dir, seed=seed, max_examples=max_examples)
        started = time.perf_counter()
        # cwd: schemathesis writes working files (.hypothesis) where it runs
        done = subprocess.run(argv, cwd=scratch, capture_output=True, text=True, timeout=RUN_TIMEOUT)
        wall = time.perf_counter() - started
        ndjson = sorted(report_dir.glob("ndjson-*.ndjson"))
        summary = sorted(report_dir.glob("json-*.json"))
        if not ndjson or not summary:
            raise RuntimeError(f"schemathesis wrote no report (exit {done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
        with ndjson[-1].open(encoding="utf-8") as events:
            requests, failures, errors = read_schemathesis_events(events)
        report = json.loads(summary[-1].read_text(encoding="utf-8"))
    cases = report.get("test_cases", {})
    return Figures(
        tool=f"schemathesis {report.get('schemathesis_version', '?')}",
        wall_seconds=wall,
        requests=requests,
        failures=failures,
        errors=errors,
        notes=[
            f"exit code {done.returncode}; its own running time {report.get('running_time', 0):.1f} s",
            f"test cases generated {cases.get('generated')}, with failures {cases.get('with_failures')}, "
            f"unique failures by its count {cases.get('unique_failures')}",
            "phases: " + ", ".join(f"{name} {info.get('status')}" for name, info in report.get("phases", {}).items()),
            "warnings: " + (", ".join(f"{kind} {items}" for kind, items in report.get("warnings", {}).items() if items) or "none"),
        ],
    )


def run_accord(base_url: str, *, seed: int) -> Figures:
    """accord's ACP suite against every agent of the server; a failure is a requirement id."""
    from accord.engine import run, suite_class
    from accord.outcomes import Outcome
    from accord.settings import RunSettings
    from accord.specs import SpecRef, load_spec
    from accord import __version__

    settings = RunSettings(seed=seed, max_examples=25)
    spec = load_spec(SpecRef("acp", "0.2.0"))
    started = time.monotonic()
    figures = Figures(tool=f"accord {__version__}", wall_seconds=0.0, requests=0)
    first_seen: dict[str, Failure] = {}
    for agent, target in suite_class("acp").expand_target(f"acp+{base_url}", settings):
        result = run(spec, target, settings)
        for r in result.results:
            if r.outcome is Outcome.FAIL:
                detail = r.message.splitlines()[0][:140] if r.message else ""
                failure = first_seen.setdefault(r.id, Failure(r.id, r.level, detail))
                figures.failures.setdefault(failure, set()).add(agent)
            elif r.outcome is Outcome.ERROR:
                figures.errors.append(f"{agent} {r.id}: {r.message.splitlines()[0][:140]}")
        figures.requests += result.meta.sent
    figures.wall_seconds = time.monotonic() - started
    return figures


def print_figures(figures: Figures) -> None:
    print(f"{figures.tool}:")
    print(f"  wall time      : {figures.wall_seconds:.1f} s")
    print(f"  requests sent  : {figures.requests}")
    print(f"  distinct failures: {len(figures.failures)}")
    for failure in sorted(figures.failures):
        operations = ", ".join(sorted(figures.failures[failure]))
        print(f"    {failure.code} {failure.title}: {failure.detail}")
        print(f"        on {operations}")
    if figures.errors:
        print(f"  errors ({len(figures.errors)}):")
        for error in figures.errors:
            print(f"    {error}")
    for note in figures.notes:
        print(f"  {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_acp_schemathesis.py")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--max-examples", type=int, default=20, help="schemathesis test cases per operation")
    parser.add_argument("--keep-reports", type=Path, help="keep schemathesis' reports in this folder")
    args = parser.parse_args(argv)

    if not UPSTREAM_OPENAPI.is_file():
        print(f"upstream OpenAPI file not found at {UPSTREAM_OPENAPI}", file=sys.stderr)
        return 2
    if not schemathesis_cli().is_file():
        print(f"schemathesis is not installed ({schemathesis_cli()} missing); run .ci/install-peers", file=sys.stderr)
        return 2

    versions = installed_versions()
    print(f"peer: acp-sdk {versions.get('acp-sdk')} (fastapi {versions.get('fastapi')}, uvicorn {versions.get('uvicorn')}), "
          f"agents echo/awaiter/slow/failer; schema: upstream ACP 0.2.0 OpenAPI; seed {args.seed}")
    try:
        with serve_acp_sdk() as base_url:
            theirs = run_schemathesis(base_url, seed=args.seed, max_examples=args.max_examples,
                                      keep_reports=args.keep_reports)
        print_figures(theirs)
        with serve_acp_sdk() as base_url:
            ours = run_accord(base_url, seed=args.seed)
    except PeerNotInstalled as missing:
        print(str(missing), file=sys.stderr)
        return 2
    if ours is None:
        print("accord: not measured yet (run_accord is a placeholder)")
    else:
        print_figures(ours)
        print(f"wall time accord/schemathesis: {ours.wall_seconds / theirs.wall_seconds:.2f}; "
              f"requests accord/schemathesis: {ours.requests / max(theirs.requests, 1):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
