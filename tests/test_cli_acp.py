"""The accord command on ACP targets: one run per agent a server lists, --agent, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REFERENCE = "acp+asgi:accord_fixtures.acp_reference:app"
AGENTS = ["echo", "awaiter", "slow", "failer"]


def accord(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "accord.cli", *args], capture_output=True, text=True, timeout=timeout)


def test_every_listed_agent_is_judged_in_a_run_of_its_own(tmp_path):
    done = accord("run", "--target", REFERENCE, "--only", "acp.ping.", "--only", "acp.agents.get-ok", "--out", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    for agent in AGENTS:
        result = json.loads((tmp_path / agent / "results.json").read_text())
        assert result["meta"]["agent"] == agent and result["meta"]["protocol"] == "acp"
        assert {r["id"]: r["outcome"] for r in result["results"]} == {"acp.ping.ok": "pass", "acp.agents.get-ok": "pass"}
    matrix = (tmp_path / "matrix.md").read_text()
    assert all(f"#{agent}" in matrix or agent in matrix for agent in AGENTS)
    assert done.stdout.count("== ") == len(AGENTS)


def test_agent_option_and_fragment_name_one_agent(tmp_path):
    by_option = accord("run", "--target", REFERENCE, "--agent", "failer", "--only", "acp.ping.ok", "--out", str(tmp_path / "a"))
    assert by_option.returncode == 0, by_option.stderr
    assert json.loads((tmp_path / "a" / "results.json").read_text())["meta"]["agent"] == "failer"
    by_fragment = accord("run", "--target", REFERENCE + "#slow", "--only", "acp.ping.ok", "--out", str(tmp_path / "b"))
    assert by_fragment.returncode == 0, by_fragment.stderr
    assert json.loads((tmp_path / "b" / "results.json").read_text())["meta"]["agent"] == "slow"


@pytest.mark.parametrize(
    "args, complaint",
    [
        (["--target", REFERENCE, "--agent", "nobody"], "lists no agent named nobody; it lists: echo, awaiter, slow, failer"),
        (["--target", REFERENCE, "--spec", "mcp@2025-11-25"], "the target speaks acp but --spec is mcp@2025-11-25"),
        (["--target", "acp+http://127.0.0.1:9"], "cannot connect"),
        (["--target", "acp+http:/nowhere"], "cannot read target"),
        (["--target", "acp+asgi:no_such_module_here:app"], "cannot import"),
        (["--target", REFERENCE, "--record", "/tmp/accord-never-written.json"], "--record can record JSON-RPC transports only"),
        (["--target", "asgi:accord_fixtures.mcp_reference:app", "--agent", "echo"], "an mcp target is one agent"),
    ],
)
def test_bad_acp_input_gets_one_clear_line_and_exit_2(args, complaint):
    done = accord("run", *args, "--only", "acp.ping.ok")
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("accord: error: ") and complaint in lines[0], done.stderr
