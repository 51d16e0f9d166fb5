"""`pytest --accord-target=...` runs the same suite as pytest items."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

REFERENCE = f"mcp+stdio:{shlex.quote(sys.executable)} -m accord_fixtures.mcp_reference --stdio"


def pytest_in(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", *args],
        capture_output=True, text=True, timeout=180, cwd=folder,
    )


def test_requirements_become_items_with_level_markers(tmp_path):
    done = pytest_in(tmp_path, f"--accord-target={REFERENCE}", "--accord-only=mcp.ping.", "--accord-only=mcp.tools.list", "-m", "accord_must", "-vv")
    assert done.returncode == 0, done.stdout[-3000:]
    assert "mcp.ping.response PASSED" in done.stdout
    assert "mcp.tools.list PASSED" in done.stdout


def test_a_failing_requirement_fails_its_item_with_the_reason(tmp_path):
    done = pytest_in(tmp_path, f"--accord-target={REFERENCE} --fault ping-nonempty-or-slow", "--accord-only=mcp.ping.response")
    assert done.returncode == 1, done.stdout[-3000:]
    assert "FAIL MUST mcp.ping.response" in done.stdout
    assert "reproduce: accord run" in done.stdout


def test_not_applicable_is_reported_as_a_skip_with_the_reason(tmp_path):
    done = pytest_in(tmp_path, f"--accord-target={REFERENCE}", "--accord-only=mcp.completion.not-supported")
    assert done.returncode == 0, done.stdout[-3000:]
    assert "1 skipped" in done.stdout and "not-applicable" in done.stdout


def test_without_a_target_the_plugin_adds_nothing(tmp_path):
    (tmp_path / "test_x.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
    done = pytest_in(tmp_path)
    assert done.returncode == 0 and "1 passed" in done.stdout
