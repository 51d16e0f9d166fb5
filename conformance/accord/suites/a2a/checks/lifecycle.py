"""The task lifecycle (1.0 sections 3.4, 4.1.3, 7.6; 0.3 sections 6.1, 6.3, 9.4): ids, contextIds, states.

``Tracker`` follows every task one sequence of operations touches and judges the task rules as it goes:
a new task has an id no other task had, a task keeps its id and contextId, every state is a TaskState,
and a task seen terminal stays so. With ``codes`` it also judges how operations on a terminal task are
refused (1.0: a message and SubscribeToTask get UnsupportedOperationError -32004, CancelTask gets
TaskNotCancelableError -32002; 0.3 names no codes for these, so any error does, and 0.3's
tasks/resubscribe may instead replay the final task). ``a2a.lifecycle.state-machine`` drives a Tracker
with a hypothesis RuleBasedStateMachine: first one scripted sequence that tries every rule, then
sequences hypothesis picks with the run's seed, within a step, example and time budget.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from ....machines import explore_machine
from ....outcomes import Failure, NotApplicable
from ....registry import check
from .. import wire
from ..bindings import Answer
from ..context import PROBE_TEXT, A2aContext, new_id
from .send import (
    BLOCKING, IMMEDIATE, agent_parts, declares_streaming, fetched, inputs, invalid_states, learnt, open_tasks,
    raw_states, require_settled, short, terminal_task, VALID_STATES,
)

MAX_TASKS = 3
"""Tasks one generated sequence creates."""
STEPS = 8
MAX_EXAMPLES = 5
TIME_BUDGET = 4.0
"""Seconds after which generated sequences send nothing more (the scripted one always runs)."""
KEEPS_OPEN_SECONDS = 1.0


class Broken(AssertionError):
    """A step broke a task rule (hypothesis shrinks the steps)."""


@dataclass
class Seen:
    name: str
    id: str
    context_id: Any = None
    states: list[str] = field(default_factory=list)
    terminal: str | None = None

    @property
    def state(self) -> str | None:
        return self.states[-1] if self.states else None


class Tracker:
    def __init__(self, ctx: A2aContext, *, codes: bool):
        self.ctx = ctx
        self.codes = codes
        self.tasks: dict[str, Seen] = {}
        self.steps: list[str] = []
        self.failure: Failure | None = None

    # --- judging ---------------------------------------------------------------------------------

    def broken(self, problem: str) -> None:
        if self.failure is None:
            self.failure = Failure(f"{problem} (steps: {'; '.join(self.steps)})", example={"steps": list(self.steps)},
                                   seed=self.ctx.settings.seed)
        raise Broken(problem)

    def states_valid(self, answer: Answer, what: str) -> None:
        wrong = invalid_states(self.ctx, answer)
        if wrong:
            self.broken(f"{what} reported state {wrong[0]!r}, which is no TaskState of A2A {self.ctx.version}")

    def see(self, seen: Seen, task: Any, what: str) -> None:
        """A Task (1.0 form) or status update seen for ``seen``."""
        if not isinstance(task, dict):
            return
        if task.get("id") != seen.id:
            self.broken(f"{what} answered for {seen.name} (id {seen.id!r}) with task id {task.get('id')!r}; "
                        "a task keeps its id")
        context_id = task.get("contextId")
        if seen.context_id is None:
            seen.context_id = context_id
        elif context_id is not None and context_id != seen.context_id:
            self.broken(f"{what} shows {seen.name} with contextId {context_id!r}, first seen as {seen.context_id!r}; "
                        "a task keeps its contextId")
        state = wire.state_of(task)
        if state is None:
            return
        if seen.terminal and state != seen.terminal:
            self.broken(f"{what} shows {seen.name} {state} after it was seen {seen.terminal}; a task in a terminal "
                        "state keeps it (4.1.3)")
        seen.states.append(state)
        if state in wire.TERMINAL:
            seen.terminal = state

    def see_events(self, seen: Seen, answer: Answer, what: str) -> None:
        self.states_valid(answer, what)
        for kind, payload in answer.canonical_events():
            if kind == "task":
                self.see(seen, payload, what)
            elif kind == "statusUpdate" and isinstance(payload, dict):
                self.see(seen, {"id": payload.get("taskId"), "contextId": payload.get("contextId"),
                                "status": payload.get("status")}, what)

    def see_answered(self, seen: Seen, answer: Answer, what: str) -> None:
        """After an operation on a terminal task: whatever task it answered with, then GetTask, must keep
        the terminal state (whether it should have been refused is judged with ``codes``, or by the
        requirements that name the refusal)."""
        task = answer.task() if answer.ok else None
        if task is not None:
            self.see(seen, task, what)
        self.get(seen)

    def refused(self, answer: Answer, code: int) -> bool:
        if answer.error is None:
            return False
        return answer.error.is_(code) if self.codes and self.ctx.version == wire.V10 else True

    # --- operations --------------------------------------------------------------------------------

    def send_new(self, text: str, immediate: bool) -> Seen | None:
        mode = "returnImmediately" if immediate else "blocking"
        name = f"t{len(self.tasks) + 1}"
        what = f"a {mode} send of {text[:30]!r}"
        self.steps.append(what)
        message = self.ctx.message(text)
        answer = self.ctx.call("SendMessage", {"message": message,
                                               "configuration": IMMEDIATE if immediate else BLOCKING})
        self.states_valid(answer, what)
        task = answer.task() if answer.ok else None
        if task is None:
            return None
        task_id = task.get("id")
        if not isinstance(task_id, str) or not task_id:
            self.broken(f"{what} returned a task without an id: {short(task)}; the agent gives every task an id (3.4.2)")
        if task_id == message["messageId"]:
            self.broken(f"{what} returned a task whose id is the messageId the client sent ({task_id!r}); task ids are "
                        "generated by the server (3.4.2)")
        if task_id in self.tasks:
            self.broken(f"{what} returned task id {task_id!r}, already the id of {self.tasks[task_id].name}; every new "
                        "task gets a unique id (3.4.2)")
        seen = Seen(name, str(task_id))
        self.steps[-1] += f" -> {name} {wire.state_of(task)}"
        self.tasks[seen.id] = seen
        self.see(seen, task, what)
        return seen

    def get(self, seen: Seen) -> None:
        what = f"GetTask of {seen.name}"
        self.steps.append(what)
        answer = self.ctx.get_task(seen.id)
        self.states_valid(answer, what)
        task = answer.task() if answer.ok else None
        if task is None:
            self.broken(f"{what}, a task the agent created, gave {answer.describe()}")
        self.steps[-1] += f" -> {wire.state_of(task)}"
        self.see(seen, task, what)

    def follow_up(self, seen: Seen) -> None:
        what = f"a message to {seen.name} ({seen.state})"
        self.steps.append(what)
        answer = self.ctx.send(PROBE_TEXT, task_id=seen.id, context_id=seen.context_id, configuration=IMMEDIATE)
        self.states_valid(answer, what)
        if seen.terminal:
            if self.codes and not self.refused(answer, -32004):
                self.broken(f"{what}: expected UnsupportedOperationError (-32004), got {answer.describe()}; a task in "
                            "a terminal state takes no more messages (3.1.1)" if answer.error else
                            f"{what} was accepted ({short(answer.result)}); a task in a terminal state cannot be "
                            "restarted")
            self.see_answered(seen, answer, what)
            return
        task = answer.task() if answer.ok else None
        if task is not None:
            self.see(seen, task, what)
        elif answer.error is not None:
            self.get(seen)

    def cancel(self, seen: Seen) -> None:
        what = f"CancelTask of {seen.name} ({seen.state})"
        self.steps.append(what)
        answer = self.ctx.cancel(seen.id)
        self.states_valid(answer, what)
        if seen.terminal:
            if self.codes and not self.refused(answer, -32002):
                self.broken(f"{what}: expected TaskNotCancelableError (-32002), got "
                            f"{answer.describe() if answer.error else short(answer.result)} (3.1.5)")
            self.see_answered(seen, answer, what)
            return
        task = answer.task() if answer.ok else None
        if task is not None:
            self.see(seen, task, what)
        else:
            self.get(seen)

    def subscribe(self, seen: Seen) -> None:
        what = f"SubscribeToTask of {seen.name} ({seen.state})"
        self.steps.append(what)
        answer = self.ctx.subscribe(seen.id)
        if seen.terminal:
            replayed = self.ctx.version == wire.V03 and answer.ok
            if self.codes and not replayed and not self.refused(answer, -32004):
                self.broken(f"{what}: expected UnsupportedOperationError (-32004), got "
                            f"{answer.describe() if answer.error else short(answer.events)} (3.1.6)")
        if answer.ok:
            self.see_events(seen, answer, what)

    def tidy(self) -> None:
        """Cancel what is left unfinished (nothing judged)."""
        for seen in self.tasks.values():
            if seen.terminal is None:
                self.ctx.cancel(seen.id)


# --- the state machine ---------------------------------------------------------------------------------


class Lab:
    def __init__(self, ctx: A2aContext):
        self.ctx = ctx
        self.texts = inputs(ctx)
        self.streaming = declares_streaming(ctx) and ctx.binding.supports("SubscribeToTask")
        self.started = time.monotonic()
        self.failure: Failure | None = None
        self.created = 0

    def out_of_time(self) -> bool:
        return time.monotonic() - self.started > TIME_BUDGET


class TaskMachine(RuleBasedStateMachine):
    def __init__(self, lab: Lab):
        super().__init__()
        self.lab = lab
        self.tracker = Tracker(lab.ctx, codes=True)

    @property
    def seen(self) -> list[Seen]:
        return list(self.tracker.tasks.values())

    def act(self, action: Any, *args: Any) -> Any:
        try:
            result = action(*args)
        except Broken:
            self.lab.failure = self.lab.failure or self.tracker.failure
            raise
        self.lab.created = max(self.lab.created, len(self.tracker.tasks))
        return result

    def pick(self, index: int) -> Seen | None:
        tasks = self.seen
        return None if not tasks or self.lab.out_of_time() else tasks[index % len(tasks)]

    @precondition(lambda self: len(self.tracker.tasks) < MAX_TASKS)
    @rule(index=st.integers(0, 7), immediate=st.booleans())
    def send_new(self, index: int, immediate: bool) -> None:
        if not self.lab.out_of_time():
            self.act(self.tracker.send_new, self.lab.texts[index % len(self.lab.texts)], immediate)

    @precondition(lambda self: bool(self.tracker.tasks))
    @rule(index=st.integers(0, MAX_TASKS - 1))
    def follow_up(self, index: int) -> None:
        if seen := self.pick(index):
            self.act(self.tracker.follow_up, seen)

    @precondition(lambda self: bool(self.tracker.tasks))
    @rule(index=st.integers(0, MAX_TASKS - 1))
    def get(self, index: int) -> None:
        if seen := self.pick(index):
            self.act(self.tracker.get, seen)

    @precondition(lambda self: bool(self.tracker.tasks))
    @rule(index=st.integers(0, MAX_TASKS - 1))
    def cancel(self, index: int) -> None:
        if seen := self.pick(index):
            self.act(self.tracker.cancel, seen)

    @precondition(lambda self: bool(self.tracker.tasks) and self.lab.streaming)
    @rule(index=st.integers(0, MAX_TASKS - 1))
    def subscribe(self, index: int) -> None:
        if seen := self.pick(index):
            self.act(self.tracker.subscribe, seen)

    def teardown(self) -> None:
        self.tracker.tidy()


def scripted(lab: Lab) -> None:
    """Every rule at least once: a finished task (get, message, cancel, subscribe), then an open one."""
    machine = TaskMachine(lab)
    try:
        first = machine.act(machine.tracker.send_new, lab.texts[0], False)
        if first is not None:
            for action in (machine.tracker.get, machine.tracker.follow_up, machine.tracker.cancel):
                machine.act(action, first)
            if lab.streaming:
                machine.act(machine.tracker.subscribe, first)
        second = machine.act(machine.tracker.send_new, lab.texts[-1], True)
        if second is not None:
            if lab.streaming and second.terminal is None:
                machine.act(machine.tracker.subscribe, second)
            for action in (machine.tracker.follow_up, machine.tracker.cancel, machine.tracker.get,
                           machine.tracker.cancel):
                machine.act(action, second)
    finally:
        machine.teardown()


@check("a2a.lifecycle.state-machine", protocol="a2a", kind="state-machine")
def state_machine(ctx: A2aContext) -> None:
    lab = Lab(ctx)
    try:
        scripted(lab)
    except Broken:
        pass
    if lab.failure is None and lab.created:
        explore_machine(lambda: TaskMachine(lab), ctx.settings, max_examples=MAX_EXAMPLES, steps=STEPS,
                        failed=lambda: lab.failure is not None)
    if lab.failure is not None:
        raise lab.failure
    if not lab.created:
        raise NotApplicable(f"no input was answered with a Task, so there is no lifecycle to follow "
                            f"({learnt(ctx).summary()})")


# --- probes --------------------------------------------------------------------------------------------


@check("a2a.lifecycle.task-id-unique", protocol="a2a")
def task_id_unique(ctx: A2aContext) -> None:
    tracker = Tracker(ctx, codes=False)
    try:
        for text in (inputs(ctx) * 3)[:4]:
            tracker.send_new(text, immediate=True)
    except Broken:
        pass
    if tracker.failure is not None:
        raise tracker.failure
    if len(tracker.tasks) < 2:
        raise NotApplicable(f"fewer than two sends were answered with a Task ({len(tracker.tasks)}): no ids to compare")


@check("a2a.lifecycle.terminal-stays-terminal", protocol="a2a")
def terminal_stays_terminal(ctx: A2aContext) -> None:
    task, text = terminal_task(ctx)
    tracker = Tracker(ctx, codes=False)
    seen = Seen("t1", str(task.get("id")))
    tracker.tasks[seen.id] = seen
    tracker.steps.append(f"a blocking send of {text[:30]!r} -> t1 {wire.state_of(task)}")
    try:
        tracker.see(seen, task, "the blocking send")
        tracker.get(seen)
        tracker.follow_up(seen)
        tracker.cancel(seen)
        if declares_streaming(ctx) and ctx.binding.supports("SubscribeToTask"):
            tracker.subscribe(seen)
        tracker.get(seen)
    except Broken:
        pass
    if tracker.failure is not None:
        raise tracker.failure


@check("a2a.lifecycle.state-valid", protocol="a2a")
def state_valid(ctx: A2aContext) -> None:
    streaming = declares_streaming(ctx)
    reported = 0
    for text in inputs(ctx):
        sent = ctx.send(text, configuration=IMMEDIATE)
        answers = [("SendMessage (returnImmediately)", sent)]
        task = sent.task() if sent.ok else None
        if task is not None:
            answers.append(("GetTask", ctx.get_task(str(task.get("id")))))
        if streaming:
            answers.append(("SendStreamingMessage", ctx.stream(text)))
        for operation, answer in answers:
            reported += len(raw_states([answer.result, answer.events]))
            wrong = invalid_states(ctx, answer)
            if wrong:
                raise Failure(f"{operation} of {text!r} reported task state {wrong[0]!r}; the states of A2A "
                              f"{ctx.version} are {', '.join(sorted(VALID_STATES[ctx.version]))}")
    if not reported:
        raise NotApplicable("no answer reported a task state")


def context_of(answer: Answer) -> tuple[str | None, Any]:
    """(task|message, its contextId) of a SendMessage answer."""
    kind, payload = answer.canonical()
    return kind, payload.get("contextId") if isinstance(payload, dict) else None


@check("a2a.lifecycle.context-id-returned", protocol="a2a")
def context_id_returned(ctx: A2aContext) -> None:
    answer = ctx.send(configuration=IMMEDIATE)
    ctx.require_ok(answer, "SendMessage with no contextId")
    kind, context_id = context_of(answer)
    if kind == "message" and context_id is None:
        raise NotApplicable("the agent answered with a Message without contextId: it assigned no context")
    if not isinstance(context_id, str) or not context_id:
        raise Failure(f"SendMessage with no contextId was answered with a {kind} without contextId: "
                      f"{short(answer.result)}; the response that creates a context carries its id (3.4.1)")
    if kind == "task":
        task = answer.task() or {}
        later = fetched(ctx, str(task.get("id")), "after the send").get("contextId")
        if later != context_id:
            raise Failure(f"SendMessage created task {task.get('id')!r} in context {context_id!r}, but GetTask shows "
                          f"contextId {later!r}; it stays the same")
    if declares_streaming(ctx):
        stream_context_stable(ctx)


def stream_context_stable(ctx: A2aContext) -> None:
    answer = ctx.stream()
    if not answer.ok:
        return  # a broken stream is the streaming checks' concern
    contexts = [(kind, p.get("contextId")) for kind, p in answer.canonical_events() if isinstance(p, dict)]
    first = contexts[0][1] if contexts else None
    changed = [(kind, c) for kind, c in contexts if c is not None and c != first]
    if first is not None and changed:
        raise Failure(f"a stream began in context {first!r}, then a {changed[0][0]} event carried contextId "
                      f"{changed[0][1]!r}; a contextId stays the same in later events (3.4.1)")


def client_context(ctx: A2aContext) -> tuple[str, Answer, Any]:
    """A new message carrying a client-made contextId: (that id, the answer, the contextId answered)."""
    mine = new_id()
    answer = ctx.send(context_id=mine, configuration=IMMEDIATE)
    return mine, answer, context_of(answer)[1] if answer.ok else None


@check("a2a.lifecycle.client-context-id", protocol="a2a")
def client_context_id(ctx: A2aContext) -> None:
    mine, answer, theirs = client_context(ctx)
    if answer.error is not None or not answer.ok:
        raise NotApplicable(f"the agent refused a client-provided contextId ({answer.describe()}), which it may")
    if theirs != mine:
        raise NotApplicable(f"the agent did not keep the client-provided contextId {mine!r} (answered {theirs!r})")
    task = answer.task()
    if task is not None:
        later = fetched(ctx, str(task.get("id")), "after the send").get("contextId")
        if later != mine:
            raise NotApplicable(f"the agent answered with contextId {mine!r}, but GetTask shows {later!r}")


@check("a2a.lifecycle.context-id-rejected-not-replaced", protocol="a2a")
def context_id_rejected_not_replaced(ctx: A2aContext) -> None:
    mine, answer, theirs = client_context(ctx)
    if answer.error is not None:
        return
    ctx.require_ok(answer, f"SendMessage with client contextId {mine!r}")
    if theirs is not None and theirs != mine:
        raise Failure(f"SendMessage with the client-provided contextId {mine!r} was answered with contextId {theirs!r}; "
                      "an agent that cannot accept it refuses the request and never makes a new one (3.4.1)")


def follow_ups(ctx: A2aContext, *, with_context: Any, what: str):
    """For each open task: the task and the answer to a follow-up naming its taskId (and ``with_context``:
    None for no contextId, or a function of the task). Tasks that finished before the message landed are
    passed over."""
    for task, text in open_tasks(ctx):
        context_id = with_context(task) if with_context else None
        answer = ctx.send(task_id=str(task.get("id")), context_id=context_id, configuration=IMMEDIATE)
        if answer.error is not None and answer.error.is_(-32004):
            if wire.state_of(fetched(ctx, str(task.get("id")), what)) in wire.TERMINAL:
                continue  # it finished first: nothing to judge with this one
        yield task, text, answer


@check("a2a.lifecycle.context-inferred", protocol="a2a")
def context_inferred(ctx: A2aContext) -> None:
    for task, text, answer in follow_ups(ctx, with_context=None, what="after a follow-up"):
        what = f"a follow-up giving only taskId {task.get('id')!r} (task of {text!r}, {wire.state_of(task)})"
        ctx.require_ok(answer, f"{what}; 3.4.3: the agent infers the contextId from the task")
        _, answered = context_of(answer)
        if answered is not None and answered != task.get("contextId"):
            raise Failure(f"{what} was answered in context {answered!r}, not the task's {task.get('contextId')!r} (3.4.3)")
        later = fetched(ctx, str(task.get("id")), "after the follow-up").get("contextId")
        if later != task.get("contextId"):
            raise Failure(f"after {what}, GetTask shows contextId {later!r}, not {task.get('contextId')!r} (3.4.3)")
        return
    raise NotApplicable(f"no task stayed open long enough for a follow-up ({learnt(ctx).summary()})")


@check("a2a.lifecycle.context-mismatch-rejected", protocol="a2a")
def context_mismatch_rejected(ctx: A2aContext) -> None:
    for task, text, answer in follow_ups(ctx, with_context=lambda _: new_id(), what="after a mismatched message"):
        what = f"a message naming task {task.get('id')!r} ({wire.state_of(task)}) with another contextId"
        if answer.error is None:
            raise Failure(f"{what} was accepted: {answer.describe()}; a contextId that differs from the task's is "
                          "refused with an error (3.4.3)")
        later = fetched(ctx, str(task.get("id")), "after the refused message").get("contextId")
        if later != task.get("contextId"):
            raise Failure(f"{what} was refused, yet GetTask now shows contextId {later!r}")
        return
    raise NotApplicable(f"no task stayed open long enough for a follow-up ({learnt(ctx).summary()})")


def follow_up_task(ctx: A2aContext, task: dict[str, Any], what: str, configuration: dict[str, Any]) -> Answer:
    return ctx.send(task_id=str(task.get("id")), context_id=task.get("contextId"), configuration=configuration)


@check("a2a.lifecycle.input-required-continues", protocol="a2a")
def input_required_continues(ctx: A2aContext) -> None:
    task, text = require_settled(ctx, frozenset({"TASK_STATE_INPUT_REQUIRED"}), "a task in INPUT_REQUIRED")
    what = f"a follow-up to task {task.get('id')!r} (INPUT_REQUIRED after {text!r})"
    answer = follow_up_task(ctx, task, what, BLOCKING)
    ctx.require_ok(answer, f"{what}; the client continues by sending a message with the same taskId and contextId")
    after = answer.task() or fetched(ctx, str(task.get("id")), f"after {what}")
    if after.get("id") != task.get("id"):
        raise Failure(f"{what} was answered with task {after.get('id')!r}: the task it continues is {task.get('id')!r}")
    if after.get("status") == task.get("status"):
        raise Failure(f"after {what}, the task shows the very status it had before ({short(task.get('status'))}): it "
                      "did not move on")


@check("a2a.lifecycle.auth-required-status-message", protocol="a2a")
def auth_required_status_message(ctx: A2aContext) -> None:
    task, text = require_settled(ctx, frozenset({"TASK_STATE_AUTH_REQUIRED"}), "a task in AUTH_REQUIRED")
    message = (task.get("status") or {}).get("message")
    parts = message.get("parts") if isinstance(message, dict) else None
    if not isinstance(parts, list) or not parts:
        raise Failure(f"task {task.get('id')!r} (after {text!r}) is AUTH_REQUIRED with status {short(task.get('status'))}: "
                      "the status message says what authorization is needed (7.6.1)")


@check("a2a.lifecycle.auth-required-accepts-messages", protocol="a2a")
def auth_required_accepts_messages(ctx: A2aContext) -> None:
    task, text = require_settled(ctx, frozenset({"TASK_STATE_AUTH_REQUIRED"}), "a task in AUTH_REQUIRED")
    what = f"a message to task {task.get('id')!r} (AUTH_REQUIRED after {text!r})"
    answer = follow_up_task(ctx, task, what, IMMEDIATE)
    if answer.error is not None:
        raise Failure(f"{what} was refused: {answer.describe()}; a task in AUTH_REQUIRED still takes messages (7.6.1)")


def terminal_event(event: Any) -> bool:
    value = event.value.get("result") if isinstance(event.value, dict) and "jsonrpc" in event.value else event.value
    kind, payload = wire.canonical_event(value)
    return kind in ("task", "statusUpdate") and wire.state_of(payload) in wire.TERMINAL


@check("a2a.lifecycle.auth-required-stream-kept", protocol="a2a")
def auth_required_stream_kept(ctx: A2aContext) -> None:
    _, text = require_settled(ctx, frozenset({"TASK_STATE_AUTH_REQUIRED"}), "a task in AUTH_REQUIRED")
    answer = ctx.binding.call("SendStreamingMessage", {"message": ctx.message(text)}, timeout=KEEPS_OPEN_SECONDS,
                              stop=terminal_event)
    states = [wire.state_of(p) for kind, p in answer.canonical_events() if kind in ("task", "statusUpdate")]
    if "TASK_STATE_AUTH_REQUIRED" not in states:
        raise NotApplicable(f"the stream of {text!r} never reported AUTH_REQUIRED (states: {states})")
    if states[-1] == "TASK_STATE_AUTH_REQUIRED" and not answer.reply.problems:
        raise Failure(f"the stream of {text!r} closed right after the task reached AUTH_REQUIRED; open streams for the "
                      "task stay open (7.6.1)")


@check("a2a.lifecycle.results-in-artifacts", protocol="a2a")
def results_in_artifacts(ctx: A2aContext) -> None:
    task, text = require_settled(ctx, frozenset({"TASK_STATE_COMPLETED"}), "a COMPLETED task")
    task = fetched(ctx, str(task.get("id")), "once completed")
    if task.get("artifacts"):
        return
    said = agent_parts("task", task)
    if said:
        raise Failure(f"task {task.get('id')!r} (after {text!r}) completed with no artifact, its output only in agent "
                      f"messages ({short(said)}); results are returned as artifacts (3.7)")
    raise NotApplicable(f"task {task.get('id')!r} completed with no output at all")
