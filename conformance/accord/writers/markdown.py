"""Markdown reports: one run, and a matrix of several."""

from __future__ import annotations

import json

from ..matrix import Matrix, cell_text
from ..results import RunResult


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def run_markdown(run: RunResult) -> str:
    return matrix_markdown(Matrix.from_runs([run]), title=f"accord run: {run.column}")


def matrix_markdown(matrix: Matrix, title: str = "accord conformance matrix") -> str:
    lines = [f"# {title}", ""]
    lines.append("| column | target | accord | seed | schema sha256 | pass | fail | n/a | skip | error | MUST failing |")
    lines.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for run, column in zip(matrix.runs, matrix.columns):
        counts = run.counts()
        lines.append(
            f"| {_escape(column.title())} | `{_escape(run.meta.target)}` | {run.meta.accord_version} | {run.meta.seed} "
            f"| `{run.meta.schema_sha256[:12]}` | {counts.get('pass', 0)} | {counts.get('fail', 0)} "
            f"| {counts.get('not-applicable', 0)} | {counts.get('skip', 0)} | {counts.get('error', 0)} "
            f"| {len(run.blocking())} |"
        )
    lines += ["", "## Requirements", ""]
    headers = ["requirement", "level"] + [_escape(c.title()) for c in matrix.columns]
    lines.append("| " + " | ".join(headers) + " |")
    lines.append("|" + " --- |" * len(headers))
    for rid in matrix.ordered_ids():
        cells = [matrix.cell(rid, c) for c in matrix.columns]
        lines.append(f"| `{rid}` | {matrix.levels[rid]} | " + " | ".join(cells) + " |")
    failures = matrix.failures()
    if failures:
        lines += ["", "## Failures and errors", ""]
        for column, r in failures:
            lines.append(f"### {cell_text(r)} `{r.id}` ({r.level}) on {_escape(column.title())}")
            lines.append("")
            lines.append(f"{r.summary} — [{r.section}]({r.section})")
            lines.append("")
            lines.append("```")
            lines.append(r.message.strip()[:3000])
            lines.append("```")
            if r.evidence:
                if r.evidence.example is not None:
                    lines.append(f"minimal example: `{_escape(json.dumps(r.evidence.example, default=str)[:500])}`")
                    lines.append("")
                lines.append(f"reproduce: `{r.evidence.reproducer}`")
                lines.append("")
    stale = [(run.column, sid) for run in matrix.runs for sid in run.stale_baseline]
    if stale:
        lines += ["", "## Stale baseline entries (now passing)", ""]
        lines += [f"- `{sid}` on {col}" for col, sid in stale]
    return "\n".join(lines) + "\n"



