"""The session lifecycle as a hypothesis state machine (basic/lifecycle#lifecycle-phases).

Each machine starts on a fresh, uninitialized connection and runs a few of
these steps, as the phase allows:

- initialize, requesting the run's version or one no server supports (which
  may be answered with another version or refused with an error; after a
  refusal nothing more is sent on that connection, since the spec does not
  say what it is good for);
- ping before initialize: the spec makes initialize the first interaction,
  so only what a response says is judged (a response, if one comes, must be
  well formed; silence or an HTTP refusal is accepted);
- notifications/initialized after the initialize result;
- ping after the initialize result (allowed even before initialized): it must
  succeed;
- after initialized, the list methods of the capabilities this session's
  initialize result declares: each must succeed with a result valid for the
  negotiated version's schema (structure only for a version accord has no
  schema for); and a read/get of what the server listed (a schema-valid
  result or a well-formed error);
- a second initialize, requesting the negotiated version: the spec says
  nothing about it, so only the answer is judged (one well-formed response,
  or an HTTP refusal; a result must not offer another version, since the
  requested one was just negotiated) and the connection is replaced;
- close and reopen.

Throughout, every request must be answered exactly once: no second response
with an id already answered, no response with an id never sent. A request
that must be answered and gets nothing ends the check at once. Tool calls
are left out (side effects; mcp.properties.valid-params makes the few there
are), and so are cancellations: the spec allows cancelling only requests
believed to be in progress, which a client waiting for each answer has none of.

Before hypothesis picks sequences of its own, one scripted sequence runs
every step once in the spec's order, so no step goes untried whatever the
random choices (if it fails, hypothesis still looks for a shorter failing
sequence). Fresh connections are bounded per check (stdio spawns a process
for each): examples and steps are few, and shrinking stops when the
connection budget runs out.
"""

from __future__ import annotations

import time
from enum import Enum
from typing import Any

from hypothesis import seed
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test

from ....outcomes import Failure, Skip
from ....peer import PeerUnavailable, Reply, StdioWire
from ....properties import Stopper, quiet_settings
from ....registry import check
from ....schema import SchemaDocument
from ....specs import SpecNotFound, SpecRef, load_spec
from .. import declares
from ..context import McpContext
from ..session import CLIENT_INFO, McpSession, misdirected
from .jsonrpc import short
from .properties import LIST_METHODS, answer_problem, listed, settle

UNSUPPORTED_VERSION = "1999-01-01"
STEPS = 8
MAX_EXAMPLES = 3
STDIO_EXAMPLES = 2
"""Random sequences per check (fewer over stdio, where each connection is a process)."""
STDIO_CONNECTIONS = 8
OTHER_CONNECTIONS = 30
"""Fresh connections per check, shrinking included (stdio spawns a process for each). When they
run out, shrinking stops and the smallest failing sequence found so far is reported."""
REOPENS = 1
"""Connections one example may replace (reopen, or a second initialize) after its first."""
TIME_BUDGET = 15.0
"""Seconds after which no new connection is opened (slow-starting servers): the check ends
with what it saw."""
EARLY_TIMEOUT = 2.0
"""Seconds to wait for an answer to a ping sent before initialize (silence is allowed there)."""


class Stage(Enum):
    NEW = "new"
    RESPONDED = "initialize answered"
    READY = "initialized"
    REFUSED = "initialize refused"
    """The server answered initialize with an error; the spec does not say what the
    connection is good for after that, so nothing more is sent on it."""


class Broken(AssertionError):
    """A step broke the lifecycle (hypothesis shrinks the steps)."""


class Run:
    """What all machines of one check share: the context, the connection budget, the last failure."""

    def __init__(self, ctx: McpContext):
        self.ctx = ctx
        self.connections = 0
        self.started = time.monotonic()
        self.stopper = Stopper()
        stdio = isinstance(ctx.session.peer, StdioWire)
        self.budget = STDIO_CONNECTIONS if stdio else OTHER_CONNECTIONS
        self.examples = max(1, min(STDIO_EXAMPLES if stdio else MAX_EXAMPLES, ctx.settings.max_examples // 5))
        self.failure: tuple[str, list[str]] | None = None
        self._schemas: dict[str, SchemaDocument | None] = {ctx.version: ctx.schema}
        self.uris = [r["uri"] for r in listed(ctx.resources) if isinstance(r.get("uri"), str)][:1] \
            if declares(ctx.capabilities, "resources") else []
        self.prompts = [p["name"] for p in listed(ctx.prompts) if isinstance(p.get("name"), str)
                        and not any(isinstance(a, dict) and a.get("required") is True
                                    for a in p.get("arguments") or [])][:1] \
            if declares(ctx.capabilities, "prompts") else []

    def outcome(self) -> Failure | None:
        """The failure seen last (the smallest so far while shrinking), if any."""
        if self.failure is None:
            return None
        message, steps = self.failure
        return Failure(message, example={"steps": steps}, seed=self.ctx.settings.seed)

    def schema(self, version: str | None) -> SchemaDocument | None:
        """The schema of ``version``, or None when accord does not know it (then only structure is judged)."""
        if version is None:
            return None
        if version not in self._schemas:
            try:
                self._schemas[version] = load_spec(SpecRef("mcp", version)).schema
            except (SpecNotFound, ValueError, OSError):
                self._schemas[version] = None
        return self._schemas[version]


def is_response(message: Any) -> bool:
    return isinstance(message, dict) and "method" not in message and ("result" in message or "error" in message)


class LifecycleMachine(RuleBasedStateMachine):
    def __init__(self, run: Run):
        super().__init__()
        self.run = run
        self.trace: list[str] = []
        self.reopens = -1
        self.open()

    # --- connection ---------------------------------------------------------

    def open(self) -> None:
        if self.run.connections >= self.run.budget or time.monotonic() - self.run.started > TIME_BUDGET:
            raise self.run.stopper.stop(self.run.outcome())
        self.run.connections += 1
        self.reopens += 1
        try:
            self.session: McpSession = self.run.ctx.fresh()
        except PeerUnavailable as exc:
            self.halt(f"a new connection could not be opened: {exc}")
        self.stage = Stage.NEW
        self.pinged_early = False
        self.version: str | None = None
        self.capabilities: dict[str, Any] = {}
        self.sent: set[Any] = set()
        self.answered: set[Any] = set()

    def may_reopen(self) -> bool:
        return self.reopens < REOPENS

    def teardown(self) -> None:
        self.session.peer.close()

    # --- judging --------------------------------------------------------------

    def fail(self, message: str) -> None:
        self.run.failure = (message, list(self.trace))
        raise Broken(message)

    def unanswered(self, what: str, reply: Reply) -> None:
        if misdirected(reply):
            raise self.run.stopper.stop(Skip(f"{what} was answered under another id; see mcp.jsonrpc.id-echoed"))
        self.halt(f"{what} got no response ({reply.describe()})")

    def halt(self, message: str) -> None:
        raise self.run.stopper.stop(Failure(message, example={"steps": list(self.trace)},
                                            seed=self.run.ctx.settings.seed))

    def request(self, step: str, method: str, params: Any = None, *, timeout: float | None = None) -> Reply:
        self.trace.append(step)
        request_id = self.session.next_id()
        self.sent.add(request_id)
        reply = self.session.request(method, params, id=request_id, timeout=timeout)
        self.count_answers(reply)
        return reply

    def notify(self, step: str, method: str) -> None:
        self.trace.append(step)
        self.count_answers(self.session.notify(method))

    def count_answers(self, reply: Reply) -> None:
        """Every response in ``reply`` must answer a request sent here and not answered before."""
        for message in reply.messages:
            if not is_response(message) or message.get("id") is None:
                continue  # an id-less error is about an unreadable message, not an answer to one of ours
            answer_id = message["id"]
            if answer_id in self.answered:
                self.fail(f"{self.trace[-1]}: request id {answer_id!r} was answered a second time: {short(message)}")
            if answer_id not in self.sent:
                # ids not echoed: mcp.jsonrpc.id-echoed's breach; the lifecycle cannot be followed
                raise self.run.stopper.stop(Skip(
                    f"{self.trace[-1]}: a response carries id {answer_id!r}, which no request on this connection "
                    "had, so the lifecycle cannot be followed; see mcp.jsonrpc.id-echoed"))
            self.answered.add(answer_id)

    def answer(self, reply: Reply, what: str) -> dict[str, Any]:
        """The response to a request that must be answered; ends the check if none came."""
        if reply.response is None:
            self.unanswered(what, reply)
        assert reply.response is not None
        return reply.response

    def judge(self, response: dict[str, Any], method: str, what: str) -> None:
        problem = answer_problem(self.run.schema(self.version), method, response)
        if problem:
            self.fail(f"{what}: {problem}")

    # --- rules ------------------------------------------------------------------

    @precondition(lambda self: self.stage is Stage.NEW)
    @rule(supported=st.booleans())
    def initialize(self, supported: bool) -> None:
        version = self.run.ctx.version if supported else UNSUPPORTED_VERSION
        what = f"initialize requesting {version}"
        params = {"protocolVersion": version, "capabilities": {}, "clientInfo": CLIENT_INFO}
        reply = self.request(what, "initialize", params)
        refused_by_http = reply.response is None and reply.status is not None and reply.status >= 400
        response = {} if refused_by_http else self.answer(reply, what)
        result = response.get("result")
        if not isinstance(result, dict):
            if response:
                self.judge(response, "initialize", what)
            if supported:
                raise self.run.stopper.stop(Skip(f"{what} was refused ({reply.describe()}); "
                                                 "see mcp.lifecycle.initialize-result"))
            self.stage = Stage.REFUSED  # refusing an unsupported version is allowed
            return
        offered = result.get("protocolVersion")
        if not isinstance(offered, str):
            self.fail(f"{what}: the result offers no protocolVersion string: {short(result)}")
        self.version = offered
        self.judge(response, "initialize", what)
        self.stage = Stage.RESPONDED
        self.capabilities = result["capabilities"] if isinstance(result.get("capabilities"), dict) else {}
        self.session.init_result = result
        self.session.peer.protocol_version = offered

    @precondition(lambda self: self.stage is Stage.NEW and not self.pinged_early)
    @rule()
    def ping_before_initialize(self) -> None:
        what = "ping before initialize"
        self.pinged_early = True
        timeout = min(self.run.ctx.settings.limits.read_timeout, EARLY_TIMEOUT)
        reply = self.request(what, "ping", timeout=timeout)
        if reply.response is not None:
            self.judge(reply.response, "ping", what)

    @precondition(lambda self: self.stage is Stage.RESPONDED)
    @rule()
    def initialized(self) -> None:
        self.notify("notifications/initialized", "notifications/initialized")
        self.stage = Stage.READY

    @precondition(lambda self: self.stage is Stage.REFUSED)
    @rule()
    def leave_refused(self) -> None:
        """Nothing to send on a refused connection (a rule must always be enabled)."""

    @precondition(lambda self: self.stage in (Stage.RESPONDED, Stage.READY))
    @rule()
    def ping(self) -> None:
        what = f"ping ({self.stage.value})"
        response = self.answer(self.request(what, "ping"), what)
        self.judge(response, "ping", what)
        if "result" not in response:
            self.fail(f"{what} was answered with an error, not the empty result ping requires: {short(response)}")

    def declared_lists(self) -> list[str]:
        return [method for method, capability in LIST_METHODS.items() if declares(self.capabilities, capability)]

    @precondition(lambda self: self.stage is Stage.READY and self.declared_lists())
    @rule(pick=st.integers(0, len(LIST_METHODS) - 1))
    def list_items(self, pick: int) -> None:
        methods = self.declared_lists()
        method = methods[pick % len(methods)]
        response = self.answer(self.request(method, method), method)
        self.judge(response, method, method)
        if "result" not in response:
            self.fail(f"{method} failed though the session declares {LIST_METHODS[method]}: {short(response)}")

    def listed_items(self) -> list[tuple[str, dict[str, Any]]]:
        items = []
        if declares(self.capabilities, "resources"):
            items += [("resources/read", {"uri": uri}) for uri in self.run.uris]
        if declares(self.capabilities, "prompts"):
            items += [("prompts/get", {"name": name}) for name in self.run.prompts]
        return items

    @precondition(lambda self: self.stage is Stage.READY and self.listed_items())
    @rule(pick=st.integers(0, 1))
    def read_or_get(self, pick: int) -> None:
        items = self.listed_items()
        method, params = items[pick % len(items)]
        what = f"{method} {short(params)}"
        response = self.answer(self.request(what, method, params), what)
        self.judge(response, method, what)

    @precondition(lambda self: self.stage in (Stage.RESPONDED, Stage.READY) and self.may_reopen())
    @rule()
    def initialize_again(self) -> None:
        what = f"a second initialize requesting the negotiated {self.version}"
        params = {"protocolVersion": self.version, "capabilities": {}, "clientInfo": CLIENT_INFO}
        reply = self.request(what, "initialize", params)
        if reply.response is None:
            if reply.status is None or reply.status < 400:
                self.unanswered(what, reply)
        else:
            self.judge(reply.response, "initialize", what)
            result = reply.response.get("result")
            if isinstance(result, dict) and result.get("protocolVersion") != self.version:
                self.fail(f"{what} was answered with protocolVersion {result.get('protocolVersion')!r}: "
                          "the negotiated version changed within the session")
        self.reopen()

    @precondition(lambda self: self.stage is not Stage.NEW and self.may_reopen())
    @rule()
    def reopen(self) -> None:
        self.trace.append("close and reopen")
        self.session.peer.close()
        self.open()


def scripted(run: Run) -> None:
    """Every step once, in the spec's order, before hypothesis picks orders of its own: each
    rule is exercised at least once whatever the random choices (two connections)."""
    machine = LifecycleMachine(run)
    try:
        machine.ping_before_initialize()
        machine.initialize(True)
        machine.ping()
        machine.initialized()
        machine.ping()
        for pick in range(len(machine.declared_lists())):
            machine.list_items(pick)
        for pick in range(len(machine.listed_items())):
            machine.read_or_get(pick)
        machine.initialize_again()
        machine.initialize(False)
        if machine.stage is Stage.RESPONDED:
            machine.initialized()
            machine.ping()
    finally:
        machine.teardown()


@check("mcp.lifecycle.state-machine", protocol="mcp", kind="state-machine")
def lifecycle_holds_through_any_sequence(ctx: McpContext) -> None:
    run = Run(ctx)

    def machine() -> LifecycleMachine:
        return LifecycleMachine(run)

    seed(ctx.settings.seed)(machine)
    config = quiet_settings(run.examples, steps=STEPS)
    scripted_failure: Failure | None = None

    def scripted_then_generated() -> None:
        nonlocal scripted_failure
        try:
            scripted(run)
        except Broken:
            scripted_failure, run.failure = run.outcome(), None  # hypothesis may find a shorter sequence
        run_state_machine_as_test(machine, settings=config)

    settle(scripted_then_generated, run.stopper, run.outcome)
    if scripted_failure is not None:
        raise scripted_failure
