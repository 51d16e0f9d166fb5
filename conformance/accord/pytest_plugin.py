"""pytest plugin: `pytest --accord-target=...` runs a suite's requirements as pytest items.

Loaded by every pytest run through the ``pytest11`` entry point, so it imports
nothing of accord until a target is given.
"""

from __future__ import annotations

from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("accord", "accord conformance harness")
    group.addoption("--accord-target", help="agent to judge, as for `accord run --target`")
    group.addoption("--accord-spec", help="PROTOCOL@VERSION (default: the newest for the target)")
    group.addoption("--accord-schema", help="a draft schema in place of the bundled one")
    group.addoption("--accord-seed", type=int, default=0)
    group.addoption("--accord-max-examples", type=int, default=25)
    group.addoption("--accord-exclude-tool", action="append", default=[])
    group.addoption("--accord-only", action="append", default=[], help="a requirement id or prefix ending in '.'")


def pytest_configure(config: pytest.Config) -> None:
    for level in ("must", "should", "may"):
        config.addinivalue_line("markers", f"accord_{level}: an accord requirement of level {level.upper()}")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    target = config.getoption("--accord-target")
    if not target:
        return
    collector = AccordCollector.from_parent(session, name=f"accord[{target}]")
    items.extend(collector.collect())


class AccordCollector(pytest.Collector):
    def collect(self) -> list[pytest.Item]:
        from pathlib import Path

        from .cli import USER_ERRORS, resolve_spec
        from .engine import checks_for, suite_class
        from .peer import Limits
        from .settings import RunSettings
        from .specs import load_spec

        option = self.config.getoption
        target = option("--accord-target")
        try:
            spec = load_spec(
                resolve_spec(option("--accord-spec"), target),
                Path(option("--accord-schema")) if option("--accord-schema") else None,
            )
        except USER_ERRORS as exc:
            raise pytest.UsageError(f"accord: {exc}") from None
        settings = RunSettings(
            seed=option("--accord-seed"),
            max_examples=option("--accord-max-examples"),
            limits=Limits(),
            exclude_tools=frozenset(option("--accord-exclude-tool")),
            only=frozenset(option("--accord-only")),
        )
        state = SuiteState(suite_class(spec.ref.protocol)(spec, target, settings))
        self.config.add_cleanup(state.close)
        checks = checks_for(spec.ref.protocol)
        items = []
        for requirement in spec.catalogue:
            if not settings.selects(requirement.id):
                continue
            item = AccordItem.from_parent(self, name=requirement.id, requirement=requirement, check=checks.get(requirement.id), state=state)
            item.add_marker(f"accord_{requirement.level.lower()}")
            items.append(item)
        return items


class SuiteState:
    """The suite, started on first use and shared by every item of the session."""

    def __init__(self, suite: Any):
        self.suite = suite
        self.started = False

    def ensure_started(self) -> None:
        if not self.started:
            from .peer import PeerUnavailable, TargetError

            try:
                self.suite.start()
            except (PeerUnavailable, TargetError) as exc:
                pytest.exit(f"accord: error: {exc}", returncode=2)
            self.started = True

    def close(self) -> None:
        if self.started:
            self.suite.close()


class AccordFailure(Exception):
    pass


class AccordItem(pytest.Item):
    def __init__(self, *, requirement: Any, check: Any, state: SuiteState, **kwargs: Any):
        super().__init__(**kwargs)
        self.requirement = requirement
        self.check = check
        self.state = state

    def runtest(self) -> None:
        from .engine import judge
        from .outcomes import Outcome

        self.state.ensure_started()
        result = judge(self.state.suite, self.requirement, self.check)
        if result.outcome in (Outcome.SKIP, Outcome.NOT_APPLICABLE):
            pytest.skip(f"{result.outcome.value}: {result.message}")
        if result.outcome in (Outcome.FAIL, Outcome.ERROR):
            detail = result.message
            if result.evidence:
                detail += f"\nreproduce: {result.evidence.reproducer}"
            raise AccordFailure(f"{result.outcome.value.upper()} {result.level} {result.id}: {detail}")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, AccordFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[str, int, str]:
        return self.requirement.url or self.requirement.section, 0, f"{self.requirement.level} {self.requirement.id}"
