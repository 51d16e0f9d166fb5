"""The engine: runs a suite's checks against one target and streams results."""

from __future__ import annotations

import importlib
import time
import traceback
from collections.abc import Callable
from datetime import datetime, timezone

from .catalogue import Requirement
from .evidence import render_events, reproducer
from .outcomes import CheckOutcome, Failure, Outcome
from .peer import PeerUnavailable, TargetError, WireLog
from .registry import REGISTRY, CheckSpec
from .results import Evidence, RequirementResult, RunMeta, RunResult
from .settings import RunSettings
from .specs import Spec
from .suite import Suite

SUITES = {
    "mcp": "accord.suites.mcp:McpSuite",
    "acp": "accord.suites.acp:AcpSuite",
    "a2a": "accord.suites.a2a:A2aSuite",
}
"""Protocol -> the suite class that runs its checks (imported on demand)."""

ResultSink = Callable[[RequirementResult], None]


def suite_class(protocol: str) -> type[Suite]:
    try:
        module_name, _, attr = SUITES[protocol].partition(":")
    except KeyError:
        raise TargetError(f"accord has no suite for protocol {protocol!r}; known: {', '.join(sorted(SUITES))}") from None
    return getattr(importlib.import_module(module_name), attr)


def checks_for(protocol: str) -> dict[str, CheckSpec]:
    suite_class(protocol)  # importing the suite registers its checks
    return REGISTRY.for_protocol(protocol)


def run(spec: Spec, target: str, settings: RunSettings, on_result: ResultSink | None = None) -> RunResult:
    """Judge ``target`` against every selected requirement of ``spec``.

    Raises TargetError or PeerUnavailable when the agent cannot be run or
    reached at all; everything that goes wrong after that is a result.
    """
    suite = suite_class(spec.ref.protocol)(spec, target, settings)
    started = time.monotonic()
    meta = RunMeta(
        protocol=spec.ref.protocol,
        spec_version=spec.ref.version,
        schema_sha256=spec.schema.sha256,
        schema_source=spec.schema.source,
        target=target,
        transport="",
        seed=settings.seed,
        max_examples=settings.max_examples,
        started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        label=settings.label,
    )
    try:
        meta.implementation = suite.start()
        meta.transport = suite.transport
        meta.agent = suite.agent
        checks = checks_for(spec.ref.protocol)
        ordered = sorted(
            (r for r in spec.catalogue if settings.selects(r.id) or r.id in suite.essential),
            key=lambda r: checks[r.id].kind == "observer" if r.id in checks else False,
        )
        results = []
        for requirement in ordered:
            result = judge(suite, requirement, checks.get(requirement.id))
            results.append(result)
            if on_result is not None:
                on_result(result)
    finally:
        meta.sent = sum(sent_count(peer.log) for peer in suite.peers)
        suite.close()
    meta.duration = round(time.monotonic() - started, 3)
    order = {r.id: i for i, r in enumerate(spec.catalogue)}
    results.sort(key=lambda r: order[r.id])
    return RunResult(meta=meta, results=results)


def sent_count(log: WireLog) -> int:
    """Requests (HTTP, gRPC calls) sent on a peer, or, on a transport without them, the frames sent."""
    sent = [e for e in log.since(0) if e.direction == "sent"]
    requests = sum(1 for e in sent if e.channel in ("http-request", "grpc-request"))
    return requests or len(sent)


def judge(suite: Suite, requirement: Requirement, check: CheckSpec | None) -> RequirementResult:
    base = {
        "id": requirement.id,
        "level": requirement.level,
        "summary": requirement.summary,
        "section": requirement.url or requirement.section,
    }
    if requirement.untested:
        return RequirementResult(**base, outcome=Outcome.SKIP, message=f"not judged by accord: {requirement.untested}")
    blocked = suite.cannot_judge(requirement)
    if blocked:
        return RequirementResult(**base, outcome=Outcome.SKIP, message=blocked)
    reason = suite.not_applicable(requirement)
    if reason:
        return RequirementResult(**base, outcome=Outcome.NOT_APPLICABLE, message=reason)
    if check is None:
        return RequirementResult(**base, outcome=Outcome.SKIP, message="no check is implemented for this requirement")

    marks = suite.begin_check()
    started = time.monotonic()
    example = seed = None
    try:
        check.func(suite.context())
        outcome, message = Outcome.PASS, ""
    except Failure as failure:
        outcome, message, example, seed = Outcome.FAIL, failure.message, failure.example, failure.seed
    except CheckOutcome as other:
        outcome, message = other.outcome, other.message
    except PeerUnavailable as exc:
        outcome, message = Outcome.FAIL, f"the agent could not be reached or restarted: {exc}"
    except Exception as exc:  # a harness defect must not lose the other results
        frames = traceback.format_exception(exc)[-3:]
        outcome, message = Outcome.ERROR, f"harness error: {type(exc).__name__}: {exc}\n{''.join(frames)}"
    events = suite.end_check(marks)
    duration = round(time.monotonic() - started, 4)
    if outcome is Outcome.PASS and check.kind != "observer" and not events:
        outcome, message = Outcome.ERROR, "the check passed without exchanging anything with the agent (a harness defect)"

    evidence = None
    if outcome in (Outcome.FAIL, Outcome.ERROR):
        evidence = Evidence(
            exchanges=render_events(events),
            seed=seed if seed is not None else (suite.settings.seed if check.kind in ("property", "state-machine") else None),
            example=example,
            reproducer=reproducer(
                suite.target,
                str(suite.spec.ref),
                requirement.id,
                suite.settings.seed,
                str(suite.settings.schema_path) if suite.settings.schema_path else None,
            ),
            stderr=suite.stderr_tail() if hasattr(suite, "stderr_tail") else None,
        )
    return RequirementResult(
        **base, outcome=outcome, message=message, check=check.name, duration=duration, evidence=evidence
    )
