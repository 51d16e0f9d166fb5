"""The check registry: checks keyed by the requirement id they judge.

A check is a function taking the suite's context. It returns normally for a
pass and raises :class:`~accord.outcomes.Failure`, ``NotApplicable`` or
``Skip`` otherwise. Levels and sections are never given here: they come from
the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["probe", "property", "state-machine", "observer"]


@dataclass(frozen=True)
class CheckSpec:
    requirement: str
    protocol: str
    func: Callable[[Any], None]
    kind: Kind

    @property
    def name(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"


class Registry:
    def __init__(self) -> None:
        self._checks: dict[tuple[str, str], CheckSpec] = {}

    def register(self, spec: CheckSpec) -> None:
        key = (spec.protocol, spec.requirement)
        existing = self._checks.get(key)
        if existing is not None and existing.func is not spec.func:
            raise ValueError(f"two checks for {spec.requirement}: {existing.name} and {spec.name}")
        self._checks[key] = spec

    def for_protocol(self, protocol: str) -> dict[str, CheckSpec]:
        return {req: spec for (proto, req), spec in self._checks.items() if proto == protocol}


REGISTRY = Registry()


def check(requirement: str, *, protocol: str, kind: Kind = "probe") -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    """Register the decorated function as the check of ``requirement``."""

    def register(func: Callable[[Any], None]) -> Callable[[Any], None]:
        REGISTRY.register(CheckSpec(requirement, protocol, func, kind))
        return func

    return register
