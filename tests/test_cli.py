"""The accord command as a user meets it: outputs, exit codes, one-line errors, replay, matrix, lint."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from accord.cli import main

REFERENCE_STDIO = f"mcp+stdio:{shlex.quote(sys.executable)} -m accord_fixtures.mcp_reference --stdio"
REFERENCE_ASGI = "asgi:accord_fixtures.mcp_reference:app"
QUICK = ["--only", "mcp.ping.", "--only", "mcp.tools.", "--only", "mcp.lifecycle.server-info"]


def accord(*args: str, cwd: Path | None = None, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "accord.cli", *args], capture_output=True, text=True, timeout=timeout, cwd=cwd
    )


@pytest.mark.parametrize(
    "args, complaint",
    [
        (["run", "--target", "nonsense"], "has no scheme"),
        (["run", "--target", "mcp+stdio:"], "names no command"),
        (["run", "--target", "mcp+stdio:/no/such/program --x"], "no file '/no/such/program'"),
        (["run", "--target", "mcp+stdio:no-such-program-anywhere"], "not found on PATH"),
        (["run", "--target", "mcp+http://127.0.0.1:9/mcp"], "cannot connect"),
        (["run", "--target", "asgi:no_such_module_here:app"], "cannot import"),
        (["run", "--target", "gopher+tcp:x"], "no spec for protocol"),
        (["run", "--target", REFERENCE_STDIO, "--spec", "mcp@1999-01-01"], "no spec mcp@1999-01-01"),
        (["run", "--target", REFERENCE_STDIO, "--spec", "mcp"], "is not PROTOCOL@VERSION"),
        (["run", "--target", REFERENCE_STDIO, "--schema", "/no/such/schema.json"], "cannot read schema"),
        (["run", "--target", REFERENCE_STDIO, "--baseline", "/no/such/baseline.txt"], "cannot read baseline"),
        (["run", "--target", "mcp+stdio:python3 -c 'import sys; sys.exit(3)'"], "with code 3"),
        (["matrix", "/no/such/folder"], "no such file or folder"),
    ],
)
def test_bad_input_gets_one_clear_line_and_exit_2(args, complaint):
    done = accord(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("accord: error: "), done.stderr
    assert complaint in lines[0]
    assert "Traceback" not in done.stderr


def test_run_writes_every_output_and_exits_0_on_the_reference(tmp_path):
    out = tmp_path / "out"
    assert main(["run", "--target", REFERENCE_STDIO, "--out", str(out), *QUICK]) == 0
    results = json.loads((out / "results.json").read_text())
    assert results["meta"]["protocol"] == "mcp" and results["meta"]["spec_version"] == "2025-11-25"
    assert results["meta"]["implementation"]["name"] == "accord-reference"
    assert len(results["meta"]["schema_sha256"]) == 64
    ids = [r["id"] for r in results["results"]]
    assert "mcp.ping.response" in ids and all(i.startswith(("mcp.ping.", "mcp.tools.", "mcp.lifecycle.")) for i in ids)
    streamed = [json.loads(line)["id"] for line in (out / "results.ndjson").read_text().splitlines()]
    assert sorted(streamed) == sorted(ids)
    suite = ET.parse(out / "junit.xml").getroot()
    assert suite.tag == "testsuite" and int(suite.get("tests")) == len(ids) and suite.get("failures") == "0"
    assert "| `mcp.ping.response` | MUST | pass |" in (out / "matrix.md").read_text()


def test_a_broken_variant_exits_1_and_a_baseline_excuses_it(tmp_path, capsys):
    target = REFERENCE_STDIO + " --fault ping-nonempty-or-slow"
    assert main(["run", "--target", target, "--only", "mcp.ping.response", "--out", str(tmp_path / "a")]) == 1
    out = capsys.readouterr().out
    assert "FAIL MUST mcp.ping.response" in out
    results = json.loads((tmp_path / "a" / "results.json").read_text())
    failure = results["results"][0]
    assert failure["outcome"] == "fail" and failure["evidence"]["exchanges"]
    assert failure["evidence"]["reproducer"].startswith("accord run --target ")
    baseline = tmp_path / "baseline.txt"
    baseline.write_text("mcp.ping.response  # known, fix pending\n")
    assert main(["run", "--target", target, "--only", "mcp.ping.response", "--baseline", str(baseline)]) == 0
    assert "(baseline)" in capsys.readouterr().out
    assert main(["run", "--target", REFERENCE_STDIO, "--only", "mcp.ping.response", "--baseline", str(baseline)]) == 0
    assert "STALE baseline entry mcp.ping.response" in capsys.readouterr().out


def test_a_recorded_run_replays_offline_with_the_same_verdicts(tmp_path):
    transcript = tmp_path / "run.transcript.json"
    live, replayed = tmp_path / "live", tmp_path / "replayed"
    assert main(["run", "--target", REFERENCE_ASGI, *QUICK, "--record", str(transcript), "--out", str(live)]) == 0
    assert main(["run", "--target", f"replay:{transcript}", *QUICK, "--out", str(replayed)]) == 0
    verdicts = [{r["id"]: r["outcome"] for r in json.loads((d / "results.json").read_text())["results"]} for d in (live, replayed)]
    assert verdicts[0] == verdicts[1]
    assert "pass" in verdicts[0].values()


def test_matrix_folds_runs_by_implementation_version_and_transport(tmp_path, capsys):
    for version in ("2025-06-18", "2025-11-25"):
        assert main(["run", "--target", REFERENCE_STDIO, "--spec", f"mcp@{version}", "--only", "mcp.ping.", "--out", str(tmp_path / version)]) == 0
    assert main(["matrix", str(tmp_path), "--out", str(tmp_path / "matrix.md")]) == 0
    text = (tmp_path / "matrix.md").read_text()
    assert "accord-reference mcp@2025-06-18 stdio" in text and "accord-reference mcp@2025-11-25 stdio" in text
    assert "| `mcp.ping.response` | MUST | pass | pass |" in text


def test_spec_lint_reports_what_a_draft_breaks(tmp_path, capsys):
    bundled = Path(__file__).resolve().parents[1] / "specs" / "mcp" / "2025-11-25" / "schema.json"
    assert main(["spec", "lint", str(bundled)]) == 0
    draft = json.loads(bundled.read_text())
    del draft["$defs"]["CallToolResult"]
    draft["$defs"]["Tool"]["properties"]["inputSchema"] = {"$ref": "#/$defs/NoSuchThing"}
    draft["$defs"]["Tool"]["type"] = 12
    path = tmp_path / "draft.json"
    path.write_text(json.dumps(draft))
    capsys.readouterr()
    assert main(["spec", "lint", str(path)]) == 1
    out = capsys.readouterr().out
    assert "missing definition the suites need: CallToolResult" in out
    assert "unresolvable $ref: #/$defs/NoSuchThing" in out
    assert "metaschema: $defs/Tool/type" in out
    assert "definition removed (present in the released version): CallToolResult" in out


def test_upstream_layout_draft_runs_in_place_of_the_bundled_schema(tmp_path):
    upstream = Path(__file__).resolve().parents[2] / "shared" / "upstream" / "mcp" / "2025-06-18" / "schema.json"
    if not upstream.exists():
        pytest.skip("shared/upstream is not beside the checkout")
    out = tmp_path / "draft07"
    assert main(["spec", "lint", str(upstream), "--spec", "mcp@2025-06-18"]) == 0
    code = main(["run", "--target", REFERENCE_STDIO, "--spec", "mcp@2025-06-18", "--schema", str(upstream), *QUICK, "--out", str(out)])
    results = json.loads((out / "results.json").read_text())
    assert code == 0, [r for r in results["results"] if r["outcome"] in ("fail", "error")]
    assert results["meta"]["schema_source"] == str(upstream)
