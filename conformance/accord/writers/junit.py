"""JUnit XML: one testcase per requirement, for CI systems that read it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from ..outcomes import Outcome
from ..results import RunResult


def write_junit(run: RunResult, path: Path) -> None:
    meta = run.meta
    name = f"accord {meta.protocol}@{meta.spec_version} {run.column} ({meta.transport})"
    counts = run.counts()
    suite = ET.Element(
        "testsuite",
        name=name,
        tests=str(len(run.results)),
        failures=str(counts.get("fail", 0)),
        errors=str(counts.get("error", 0)),
        skipped=str(counts.get("skip", 0) + counts.get("not-applicable", 0)),
        time=f"{meta.duration:.3f}",
        timestamp=meta.started_at,
    )
    props = ET.SubElement(suite, "properties")
    for key in ("target", "transport", "seed", "schema_sha256", "accord_version"):
        ET.SubElement(props, "property", name=key, value=str(getattr(meta, key)))
    for r in run.results:
        case = ET.SubElement(
            suite, "testcase", classname=f"{meta.protocol}.{r.level}", name=r.id, time=f"{r.duration:.4f}"
        )
        text = f"{r.summary}\n{r.section}\n{r.message}"
        if r.evidence:
            text += "\n\nreproduce: " + r.evidence.reproducer
            text += "\n\nexchanges:\n" + json.dumps(r.evidence.exchanges, indent=1, default=str)[:20000]
        if r.outcome is Outcome.FAIL and not r.baselined:
            ET.SubElement(case, "failure", message=_first_line(r.message), type=r.level).text = text
        elif r.outcome is Outcome.ERROR and not r.baselined:
            ET.SubElement(case, "error", message=_first_line(r.message)).text = text
        elif r.outcome in (Outcome.SKIP, Outcome.NOT_APPLICABLE) or r.baselined:
            label = "baselined failure" if r.baselined else r.outcome.value
            ET.SubElement(case, "skipped", message=f"{label}: {_first_line(r.message)}")
    ET.indent(suite)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


def _first_line(text: str) -> str:
    return (text.splitlines() or [""])[0][:500]
