"""Running a lifecycle state machine inside a check: the run's seed, a small example and step budget,
and a Failure the machine recorded kept over whatever hypothesis raised while shrinking."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import seed
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from .properties import quiet_settings
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
    config = quiet_settings(min(max_examples, run.max_examples // 5), explicit=False, steps=steps)

    def machine() -> RuleBasedStateMachine:
        return make_machine()

    seed(run.seed)(machine)
    try:
        run_state_machine_as_test(machine, settings=config)
    except Exception:
        if not failed():
            raise
