"""Running a lifecycle state machine inside a check: the run's seed, a small example and step budget,
and a Failure the machine recorded kept over whatever hypothesis raised while shrinking."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, Phase, Verbosity, seed, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from .settings import RunSettings


def explore_machine(
    make_machine: Callable[[], RuleBasedStateMachine],
    run: RunSettings,
    *,
    max_examples: int,
    steps: int,
    failed: Callable[[], bool],
) -> None:
    """Generated sequences of ``make_machine``'s rules, at most ``max_examples`` (and a fifth of the run's
    own) of ``steps`` steps. An exception is swallowed once ``failed()`` says the machine holds its
    failure (a shrink replay may no longer fail when a budget ran out); any other is a harness error."""
    config = settings(
        max_examples=max(1, min(max_examples, run.max_examples // 5)), stateful_step_count=steps,
        derandomize=False, database=None, deadline=None, report_multiple_bugs=False, verbosity=Verbosity.quiet,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )

    def machine() -> RuleBasedStateMachine:
        return make_machine()

    seed(run.seed)(machine)
    try:
        run_state_machine_as_test(machine, settings=config)
    except Exception:
        if not failed():
            raise
