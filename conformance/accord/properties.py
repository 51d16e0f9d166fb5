"""Running a property check inside a check: the run's seed and example count, explicit examples first,
each distinct case sent to the agent once within a request and a time budget, and the Failure recorded for
the smallest failing case kept over whatever hypothesis raised while shrinking."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any, Generic, NoReturn, TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, example, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from .outcomes import CheckOutcome, Failure, Skip
from .settings import RunSettings

Case = TypeVar("Case")
Answer = TypeVar("Answer")


def quiet_settings(max_examples: int, *, explicit: bool = True, steps: int | None = None) -> settings:
    """Quiet, unstored, undeadlined hypothesis runs of ``max_examples``: explicit examples (unless ``explicit`` is
    False), generation, shrinking; ``steps`` rules per example for a state machine."""
    phases = (Phase.explicit, Phase.generate, Phase.shrink) if explicit else (Phase.generate, Phase.shrink)
    machine = {"stateful_step_count": steps} if steps is not None else {}
    return settings(
        max_examples=max(1, max_examples), derandomize=False, database=None, deadline=None, phases=phases,
        report_multiple_bugs=False, verbosity=Verbosity.quiet,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
        **machine,
    )


def property_settings(run: RunSettings) -> settings:
    """The settings of a property check: the run's example count."""
    return quiet_settings(run.max_examples)


class Broken(AssertionError):
    """One case broke the property (hypothesis shrinks it)."""


class Halt(BaseException):
    """Ends a hypothesis run at once (see Stopper). A BaseException, so hypothesis does not take it for a
    failure to shrink."""


class Stopper:
    """Ends a hypothesis run early with a given outcome: a Failure when the agent stopped answering (no
    shrinking against a dead or stuck peer), None when a budget ran out with nothing wrong seen. Remembered
    here, because hypothesis may report a stop in the middle of an example as inconsistent data generation
    instead of letting Halt through."""

    def __init__(self) -> None:
        self.stopped = False
        self.outcome: CheckOutcome | None = None

    def stop(self, outcome: CheckOutcome | None) -> Halt:
        self.stopped, self.outcome = True, outcome
        return Halt()


def settle(test: Callable[[], None], stopper: Stopper, last_failure: Callable[[], Failure | None], *,
           unsatisfiable: str) -> None:
    """Run a hypothesis test and turn how it ended into accord's outcome: the stopper's, else the last
    failure recorded (over whatever hypothesis raised while shrinking), else Skip(``unsatisfiable``) when
    hypothesis found no case to try."""
    try:
        test()
    except (Halt, Exception) as exc:
        if stopper.stopped:
            if stopper.outcome is not None:
                raise stopper.outcome from None
            return
        failure = last_failure()
        if failure is not None:
            raise failure from None
        if isinstance(exc, Unsatisfiable):
            raise Skip(unsatisfiable) from None
        raise


def encodable(value: Any) -> Any:
    """``value`` without lone surrogates, which no UTF-8 request body can carry."""
    if isinstance(value, str):
        return "".join(c for c in value if not 0xD800 <= ord(c) <= 0xDFFF)
    if isinstance(value, list):
        return [encodable(v) for v in value]
    if isinstance(value, dict):
        return {encodable(k): encodable(v) for k, v in value.items()}
    return value


def json_key(case: Any) -> str:
    return json.dumps(case, sort_keys=True)


class BudgetedSender(Generic[Case, Answer]):
    """Sends each distinct case once (shrinking replays cost nothing), at most ``requests`` cases and for
    ``seconds`` after it was made; remembers the failure of the last case that broke the property (the
    smallest so far while shrinking)."""

    def __init__(self, run: RunSettings, transmit: Callable[[Case], Answer], *, requests: int, seconds: float,
                 key: Callable[[Case], str] = json_key, silent: Callable[[Answer], bool] | None = None):
        """``silent(answer)``: whether the agent stopped answering with ``answer``; nothing new is sent after that."""
        self.run = run
        self.transmit = transmit
        self.requests = requests
        self.seconds = seconds
        self.key = key
        self.silent = silent
        self.answers: dict[str, Answer] = {}
        self.started = time.monotonic()
        self.went_silent = False
        self.failure: Failure | None = None
        self.stopper = Stopper()

    def spent(self) -> bool:
        return len(self.answers) >= self.requests or time.monotonic() - self.started > self.seconds

    def send(self, case: Case) -> Answer | None:
        """The answer to ``case``; None for a new case once a budget ran out or the agent went silent."""
        key = self.key(case)
        if key not in self.answers:
            if self.spent() or self.went_silent:
                return None
            answer = self.transmit(case)
            self.answers[key] = answer
            self.went_silent = self.silent is not None and self.silent(answer)
        return self.answers[key]

    def judge_answers(self, judge: Callable[[Case, Answer], str | None]) -> Callable[[Case], str | None]:
        """``judge`` of each case's answer; a case that was not sent (see ``send``) passes."""

        def problem(case: Case) -> str | None:
            answer = self.send(case)
            return None if answer is None else judge(case, answer)

        return problem

    def failure_for(self, case: Case, problem: str) -> Failure:
        return Failure(problem, example=case, seed=self.run.seed)

    def broke(self, case: Case, problem: str) -> NoReturn:
        self.failure = self.failure_for(case, problem)
        raise Broken(problem)

    def stop(self, outcome: CheckOutcome | None) -> Halt:
        """End the run at once with ``outcome`` (None: a pass)."""
        return self.stopper.stop(outcome)


def explore_property(sender: BudgetedSender[Case, Any], cases: st.SearchStrategy[Case], explicit: Sequence[Case],
                     judge: Callable[[Case], str | None], *, unsatisfiable: str) -> None:
    """Run ``judge`` over the explicit cases, then generated ones, seeded with the run's seed; the Failure of
    the minimal case for which it returned a problem, Skip(``unsatisfiable``) when hypothesis found no case."""

    def holds(case: Case) -> None:
        problem = judge(case)
        if problem is not None:
            sender.broke(case, problem)

    test = given(cases)(holds)
    for case in reversed(explicit):
        test = example(case)(test)
    test = seed(sender.run.seed)(property_settings(sender.run)(test))
    settle(test, sender.stopper, lambda: sender.failure, unsatisfiable=unsatisfiable)
    if sender.failure is not None:  # the final replay passed (a budget ran out meanwhile)
        raise sender.failure
