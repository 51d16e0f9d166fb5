"""How a check reports anything but a pass: typed exceptions, as schemathesis does."""

from __future__ import annotations

from enum import Enum
from typing import Any


class Outcome(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not-applicable"
    SKIP = "skip"
    ERROR = "error"


class CheckOutcome(Exception):
    outcome: Outcome

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Failure(CheckOutcome):
    """The agent broke the requirement. ``example`` is the (minimal) input that showed it."""

    outcome = Outcome.FAIL

    def __init__(self, message: str, *, example: Any = None, seed: int | None = None):
        super().__init__(message)
        self.example = example
        self.seed = seed


class NotApplicable(CheckOutcome):
    """The agent does not declare what the requirement depends on."""

    outcome = Outcome.NOT_APPLICABLE


class Skip(CheckOutcome):
    """The harness cannot judge this here; the message says why."""

    outcome = Outcome.SKIP


def expect(condition: object, message: str) -> None:
    """Fail the check with ``message`` unless ``condition`` holds."""
    if not condition:
        raise Failure(message)
