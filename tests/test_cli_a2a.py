"""The accord command on A2A targets: one run per declared binding, the version from --spec, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

REFERENCE = "a2a+asgi:accord_fixtures.a2a_reference:app"


REPO = Path(__file__).resolve().parents[1]


def accord(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "accord.cli", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=REPO)


async def card_without_interfaces(request):
    return JSONResponse({"name": "lonely", "version": "1", "supportedInterfaces": []})


no_interfaces = Starlette(routes=[Route("/.well-known/agent-card.json", card_without_interfaces)])


@pytest.mark.parametrize("version", ["1.0", "0.3.0"])
def test_every_declared_binding_is_judged_in_a_run_of_its_own(tmp_path, version):
    done = accord("run", "--target", REFERENCE, "--spec", f"a2a@{version}", "--only", "a2a.card.available",
                  "--out", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    for binding in ("jsonrpc", "http-json"):
        result = json.loads((tmp_path / binding / "results.json").read_text())
        assert result["meta"]["agent"] == binding and result["meta"]["spec_version"] == version
        assert [r["outcome"] for r in result["results"]] == ["pass"], result["results"]
    assert (tmp_path / "matrix.md").is_file()


@pytest.mark.parametrize(
    "args, complaint",
    [
        (["--target", "a2a+asgi:tests.test_cli_a2a:no_interfaces"], "declares no interface for A2A 1.0"),
        (["--target", REFERENCE, "--spec", "acp@0.2.0"], "the target speaks a2a but --spec is acp@0.2.0"),
        (["--target", "a2a+http://127.0.0.1:9"], "cannot connect"),
        (["--target", REFERENCE, "--agent", "x"], "an a2a target is one agent"),
    ],
)
def test_bad_a2a_input_gets_one_clear_line_and_exit_2(args, complaint):
    done = accord("run", *args, "--only", "a2a.card.available")
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("accord: error: ") and complaint in lines[0], done.stderr


no_card = Starlette(routes=[])


def test_an_agent_without_a_card_fails_card_available_and_nothing_else_is_judged(tmp_path):
    done = accord("run", "--target", "a2a+asgi:tests.test_cli_a2a:no_card", "--only", "a2a.card.available",
                  "--only", "a2a.send.returns-task-or-message", "--out", str(tmp_path))
    assert done.returncode == 1, done.stdout + done.stderr
    outcomes = {r["id"]: (r["outcome"], r["message"]) for r in json.loads((tmp_path / "results.json").read_text())["results"]}
    assert outcomes["a2a.card.available"][0] == "fail" and "HTTP 404" in outcomes["a2a.card.available"][1]
    assert outcomes["a2a.send.returns-task-or-message"][0] == "skip"
    assert "could not be read" in outcomes["a2a.send.returns-task-or-message"][1]
