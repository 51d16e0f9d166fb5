"""Tasks (basic/utilities/tasks, 2025-11-25): task-augmented tools/call, polling, results, listing, cancelling.

Tasks change server state, so every check works on a fresh initialized session of its own and
creates at most MAX_TASKS tasks, with safe tools and arguments generated valid for their
inputSchema (the helpers of tools.py). Every wait is bounded by the run's read timeout.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ....outcomes import CheckOutcome, Failure, NotApplicable, Skip
from ....peer import Reply
from ....registry import check
from .. import declares
from ..context import McpContext
from ..session import McpSession, no_response
from .jsonrpc import kind_of
from .pagination import pages_valid, unissued_cursor, walk
from .resources import is_iso8601
from .tools import _words, argument_examples, call_tool, invalid_arguments, is_risky, listed_tools

RELATED_TASK = "io.modelcontextprotocol/related-task"
TERMINAL = frozenset({"completed", "failed", "cancelled"})
ALLOWED_NEXT = {
    "working": {"working", "input_required", *TERMINAL},
    "input_required": {"input_required", "working", *TERMINAL},
}
"""Status -> the statuses it may be followed by (a terminal status only by itself)."""
TTL_MS = 60_000
MAX_TASKS = 3
"""Task-augmented calls one check may make."""
MIN_ID_BITS = 64
"""Estimated entropy below which a task id counts as guessable."""
SLOW_WORDS = ("slow", "long", "sleep", "wait", "delay", "count", "progress", "step", "research")
FAILING_WORDS = ("fail", "error", "invalid", "divide", "zero")


def task_mode(tool: dict[str, Any]) -> str:
    execution = tool.get("execution")
    mode = execution.get("taskSupport") if isinstance(execution, dict) else None
    return mode if isinstance(mode, str) else "forbidden"


def task_tools(ctx: McpContext, modes: Sequence[str], prefer: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Listed tools accord may call whose taskSupport is one of ``modes``: not excluded, not risky, with an
    object inputSchema; those mentioning a ``prefer`` word first."""
    usable = []
    for tool in listed_tools(ctx):
        if not isinstance(tool.get("name"), str) or tool["name"] in ctx.settings.exclude_tools:
            continue
        if not isinstance(tool.get("inputSchema"), dict) or is_risky(tool) or task_mode(tool) not in modes:
            continue
        text = f"{_words(tool['name'])} {tool.get('description', '')}".lower()
        usable.append((not any(word in text for word in prefer), tool))
    usable.sort(key=lambda pair: pair[0])
    return [tool for _, tool in usable]


def error_code(reply: Reply) -> Any:
    error = (reply.response or {}).get("error")
    return error.get("code") if isinstance(error, dict) else None


def result_of(reply: Reply) -> dict[str, Any] | None:
    result = (reply.response or {}).get("result")
    return result if isinstance(result, dict) else None


def related_task(result: dict[str, Any] | None) -> Any:
    meta = (result or {}).get("_meta")
    return meta.get(RELATED_TASK) if isinstance(meta, dict) else None


@dataclass
class Created:
    """One task-augmented tools/call and what came back."""

    tool: str
    arguments: Any
    reply: Reply

    @property
    def task(self) -> dict[str, Any] | None:
        task = (result_of(self.reply) or {}).get("task")
        return task if isinstance(task, dict) and isinstance(task.get("taskId"), str) else None

    @property
    def task_id(self) -> str:
        assert self.task is not None
        return self.task["taskId"]

    @property
    def status(self) -> Any:
        return (self.task or {}).get("status")

    def describe(self) -> str:
        return f"task-augmented tools/call {self.tool!r} with arguments {json.dumps(self.arguments)[:200]}"


@dataclass
class TaskSession:
    """A fresh session on which one check creates and follows tasks, recording every task object it sees."""

    ctx: McpContext
    session: McpSession
    seen: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    made: int = 0

    @classmethod
    def open(cls, ctx: McpContext) -> "TaskSession":
        return cls(ctx, ctx.opened())

    def _note(self, where: str, task: Any) -> None:
        if isinstance(task, dict):
            self.seen.append((where, task))

    def call(self, tool: str, arguments: Any, *, meta: dict[str, Any] | None = None) -> Created:
        params: dict[str, Any] = {"name": tool, "arguments": arguments, "task": {"ttl": TTL_MS}}
        if meta:
            params["_meta"] = meta
        self.made += 1
        created = Created(tool, arguments, self.session.request("tools/call", params))
        self._note(f"the CreateTaskResult of tools/call {tool!r}", created.task)
        return created

    def create(self, *, prefer: Sequence[str] = (), count: int = 1, meta: dict[str, Any] | None = None) -> list[Created]:
        """``count`` accepted tasks (NotApplicable: no tool to use; Skip: none was accepted)."""
        tools = task_tools(self.ctx, ("optional", "required"), prefer)
        self.ctx.require(tools, "no listed tool that accord may call accepts task-augmented calls "
                                "(execution.taskSupport optional or required)")
        accepted: list[Created] = []
        refused: list[str] = []
        for tool in tools:
            examples = argument_examples(tool["inputSchema"], self.ctx.settings.seed, 1)
            while examples and len(accepted) < count and self.made < MAX_TASKS:
                created = self.call(tool["name"], examples[0], meta=meta)
                if created.task is None:
                    refused.append(f"{created.describe()}: {created.reply.describe()}"[:300])
                    break
                accepted.append(created)
            if len(accepted) >= count or self.made >= MAX_TASKS:
                break
        if len(accepted) < count:
            if not accepted and not refused:
                raise Skip("no valid arguments could be generated for any task-capable tool")
            raise Skip(f"fewer than {count} task-augmented tools/call were accepted: " + "; ".join(refused[:2]))
        return accepted

    def first(self, *, prefer: Sequence[str] = (), meta: dict[str, Any] | None = None) -> Created:
        return self.create(prefer=prefer, meta=meta)[0]

    def get(self, task_id: str, *, meta: dict[str, Any] | None = None) -> Reply:
        params: dict[str, Any] = {"taskId": task_id}
        if meta:
            params["_meta"] = meta
        reply = self.session.request("tasks/get", params)
        self._note(f"tasks/get {task_id!r}", result_of(reply))
        return reply

    def request(self, method: str, task_id: str) -> Reply:
        return self.session.request(method, {"taskId": task_id}, timeout=self.ctx.settings.limits.read_timeout)

    def poll(self, created: Created, *, until: frozenset[str] = TERMINAL) -> list[dict[str, Any]]:
        """tasks/get results, polled until the status is in ``until``, the get fails, or the run's read
        timeout has passed (the CreateTaskResult's task first)."""
        assert created.task is not None
        observed = [created.task]
        deadline = time.monotonic() + self.ctx.settings.limits.read_timeout
        while observed[-1].get("status") not in until and time.monotonic() < deadline:
            interval = observed[-1].get("pollInterval")
            pause = interval / 1000 if isinstance(interval, (int, float)) and not isinstance(interval, bool) else 0.1
            time.sleep(min(max(pause, 0.02), 0.5, max(deadline - time.monotonic(), 0)))
            task = result_of(self.get(created.task_id))
            if task is None:
                break
            observed.append(task)
        return observed

    def terminal(self, created: Created) -> dict[str, Any]:
        """The task's first terminal tasks/get state; Skip if it does not end in time."""
        last = self.poll(created)[-1]
        if last.get("status") not in TERMINAL:
            raise Skip(f"the task of {created.describe()} did not reach a terminal status within "
                       f"{self.ctx.settings.limits.read_timeout:g} s (last status {last.get('status')!r})")
        return last


def made_up_task_id(ctx: McpContext) -> str:
    return "accord-no-such-task-" + hashlib.sha256(f"accord-task-{ctx.settings.seed}".encode()).hexdigest()[:16]


def _needs_task_calls(ctx: McpContext) -> None:
    ctx.require(declares(ctx.capabilities, "tasks.requests.tools.call"),
                "the server does not declare tasks.requests.tools.call: it creates no tasks")


# --- capability and tool-level negotiation -------------------------------------------


@check("mcp.tasks.capability-declared", protocol="mcp")
def task_results_only_with_capability(ctx: McpContext) -> None:
    if declares(ctx.capabilities, "tasks.requests.tools.call"):
        tasks = TaskSession.open(ctx)
        created = tasks.first()  # an accepted task on a server that declares them: what the requirement asks
        ctx.validate("CreateTaskResult", result_of(created.reply), f"the result of {created.describe()}")
        return
    tools = task_tools(ctx, ("optional", "required")) or task_tools(ctx, ("forbidden",), ("status", "echo", "get"))
    ctx.require(tools, "the server lists no tool accord may call")
    examples = argument_examples(tools[0]["inputSchema"], ctx.settings.seed, 1)
    ctx.require(examples, f"no valid arguments could be generated for {tools[0]['name']!r}")
    created = TaskSession.open(ctx).call(tools[0]["name"], examples[0])
    if created.task is not None:
        raise Failure(f"{created.describe()} got a CreateTaskResult although the server does not declare "
                      "tasks.requests.tools.call", example=result_of(created.reply))
    if created.reply.response is None:
        no_response(f"{created.describe()}", created.reply)


@check("mcp.tasks.ignored-when-undeclared", protocol="mcp")
def task_field_ignored_without_capability(ctx: McpContext) -> None:
    if declares(ctx.capabilities, "tasks.requests.tools.call"):
        raise NotApplicable("the server declares tasks.requests.tools.call, so task-augmented calls are its business")
    tools = task_tools(ctx, ("forbidden", "optional", "required"), ("status", "echo", "get", "list", "read"))
    ctx.require(tools, "the server lists no tool accord may call")
    tool = tools[0]
    examples = argument_examples(tool["inputSchema"], ctx.settings.seed, 1)
    ctx.require(examples, f"no valid arguments could be generated for {tool['name']!r}")
    tasks = TaskSession.open(ctx)
    created = tasks.call(tool["name"], examples[0])
    if created.reply.response is None:
        no_response(f"{created.describe()}", created.reply)
    result = result_of(created.reply)
    if result is not None:
        if "task" in result and "content" not in result:
            raise Failure(f"{created.describe()} got a CreateTaskResult from a server that does not declare "
                          "tasks.requests.tools.call", example=result)
        ctx.validate("CallToolResult", result, f"the result of {created.describe()}")
        return
    plain = call_tool(tasks.session, tool["name"], examples[0])
    if plain.result is not None:
        raise Failure(f"{created.describe()} got the error {created.reply.describe()}, while the same call without "
                      "the task field succeeds: the task field was not ignored")
    raise Skip(f"tools/call {tool['name']!r} fails with and without the task field; nothing to compare")


@check("mcp.tasks.forbidden-tool-error", protocol="mcp")
def task_call_of_forbidden_tool_is_method_not_found(ctx: McpContext) -> None:
    tools = task_tools(ctx, ("forbidden",), ("status", "echo", "get"))
    ctx.require(tools, "no listed tool that accord may call forbids tasks (execution.taskSupport absent or forbidden)")
    examples = argument_examples(tools[0]["inputSchema"], ctx.settings.seed, 1)
    ctx.require(examples, f"no valid arguments could be generated for {tools[0]['name']!r}")
    created = TaskSession.open(ctx).call(tools[0]["name"], examples[0])
    if created.reply.response is None:
        no_response(f"{created.describe()}", created.reply)
    if error_code(created.reply) != -32601:
        raise Failure(f"{created.describe()} (its taskSupport is {task_mode(tools[0])!r}) should get error -32601; "
                      f"got {created.reply.describe()}")


@check("mcp.tasks.required-tool-error", protocol="mcp")
def plain_call_of_task_only_tool_is_rejected(ctx: McpContext) -> None:
    tools = task_tools(ctx, ("required",))
    ctx.require(tools, 'no listed tool that accord may call has execution.taskSupport "required"')
    examples = argument_examples(tools[0]["inputSchema"], ctx.settings.seed, 1)
    ctx.require(examples, f"no valid arguments could be generated for {tools[0]['name']!r}")
    call = call_tool(ctx.opened(), tools[0]["name"], examples[0])
    if call.response is None:
        no_response(f"{call.describe()}", call.reply)
    if call.error is None or call.error.get("code") not in (-32601, -32600):
        raise Failure(f"{call.describe()} without a task (the tool requires one) should get error -32601 "
                      f"(or -32600); got {call.reply.describe()}", example=call.arguments)


# --- creating and getting ------------------------------------------------------------------


@check("mcp.tasks.create-result", protocol="mcp")
def task_call_returns_create_task_result(ctx: McpContext) -> None:
    tasks = TaskSession.open(ctx)
    tools = task_tools(ctx, ("optional", "required"))
    ctx.require(tools, "no listed tool that accord may call accepts task-augmented calls")
    refused = []
    for tool in tools[:MAX_TASKS]:
        examples = argument_examples(tool["inputSchema"], ctx.settings.seed, 1)
        if not examples:
            continue
        created = tasks.call(tool["name"], examples[0])
        if created.reply.response is None:
            no_response(f"{created.describe()}", created.reply)
        result = result_of(created.reply)
        if result is None:
            refused.append(f"{created.describe()}: {created.reply.describe()}"[:300])
            continue  # not accepted: the requirement is about accepted calls
        if "task" not in result:
            raise Failure(f"{created.describe()} returned {json.dumps(result)[:200]} instead of a CreateTaskResult",
                          example=result)
        ctx.validate("CreateTaskResult", result, f"the result of {created.describe()}")
        if "content" in result or "structuredContent" in result:
            raise Failure(f"{created.describe()} returned the tool's result along with the task", example=result)
        return
    raise Skip("no task-augmented tools/call was accepted: " + ("; ".join(refused[:2]) or "no valid arguments"))


@check("mcp.tasks.create-promptly", protocol="mcp")
def task_is_returned_before_it_ends(ctx: McpContext) -> None:
    created = TaskSession.open(ctx).first(prefer=SLOW_WORDS)
    if created.status in TERMINAL:
        raise Skip(f"{created.describe()} came back with the task already {created.status!r}: either the tool is "
                   "instant or the server waited; accord cannot tell which")


@check("mcp.tasks.initial-working", protocol="mcp")
def new_task_is_working(ctx: McpContext) -> None:
    created = TaskSession.open(ctx).first()
    if created.status != "working":
        raise Failure(f"{created.describe()} created a task in status {created.status!r}, not \"working\"",
                      example=created.task)


@check("mcp.tasks.id-unique", protocol="mcp")
def task_ids_are_unique_strings(ctx: McpContext) -> None:
    first = TaskSession.open(ctx).create(count=2)
    other = TaskSession.open(ctx).create(count=1)
    ids = [c.task_id for c in first + other]
    if len(set(ids)) < len(ids):
        raise Failure(f"three task-augmented calls (two sessions) got task ids {ids}: not all distinct")


def id_bits(task_id: str) -> float:
    """A rough entropy estimate of an id from its length and alphabet (separators not counted)."""
    body = re.sub(r"[-_.:]", "", task_id)
    if re.fullmatch(r"[0-9]*", body):
        alphabet = 10
    elif re.fullmatch(r"[0-9a-f]*", body) or re.fullmatch(r"[0-9A-F]*", body):
        alphabet = 16
    elif re.fullmatch(r"[0-9a-z]*", body) or re.fullmatch(r"[0-9A-Z]*", body):
        alphabet = 36
    else:
        alphabet = 64
    return len(body) * math.log2(alphabet)


def sequential(first: str, second: str) -> bool:
    """Whether two ids differ only in a number that moved by a little (a counter)."""
    numbers = re.compile(r"\d+")
    if numbers.sub("#", first) != numbers.sub("#", second):
        return False
    pairs = list(zip(numbers.findall(first), numbers.findall(second)))
    changed = [(a, b) for a, b in pairs if a != b]
    return len(changed) == 1 and abs(int(changed[0][0]) - int(changed[0][1])) <= 1000


@check("mcp.tasks.secure-ids", protocol="mcp")
def task_ids_are_unguessable(ctx: McpContext) -> None:
    created = TaskSession.open(ctx).create(count=2)
    ids = [c.task_id for c in created]
    for task_id in ids:
        if id_bits(task_id) < MIN_ID_BITS:
            raise Failure(f"task id {task_id!r} carries about {id_bits(task_id):.0f} bits, fewer than {MIN_ID_BITS}: "
                          "guessable without an authorization context", example=ids)
    if sequential(*ids):
        raise Failure(f"consecutive task ids {ids} differ only by a counter: guessable", example=ids)


@check("mcp.tasks.get", protocol="mcp")
def get_returns_the_task(ctx: McpContext) -> None:
    tasks = TaskSession.open(ctx)
    created = tasks.first()
    reply = tasks.get(created.task_id)
    if reply.response is None:
        no_response(f"tasks/get {created.task_id!r}", reply)
    result = result_of(reply)
    if result is None:
        raise Failure(f"tasks/get for the task just created ({created.task_id!r}) failed: {reply.describe()}")
    ctx.validate("GetTaskResult", result, f"the result of tasks/get {created.task_id!r}")
    if result.get("taskId") != created.task_id:
        raise Failure(f"tasks/get {created.task_id!r} returned the task {result.get('taskId')!r}", example=result)


@check("mcp.tasks.timestamps", protocol="mcp")
def tasks_carry_iso8601_timestamps(ctx: McpContext) -> None:
    tasks = TaskSession.open(ctx)
    created = tasks.first()
    tasks.get(created.task_id)
    if declares(ctx.capabilities, "tasks.list"):
        try:
            for task in walk(tasks.session, "tasks/list", "tasks").items:
                tasks._note("tasks/list", task)
        except Failure:
            pass  # judged by mcp.tasks.list
    for where, task in tasks.seen:
        for key in ("createdAt", "lastUpdatedAt"):
            if not is_iso8601(task.get(key), need_time=True):
                raise Failure(f"{where}: {key} is {json.dumps(task.get(key))}, not an ISO 8601 timestamp",
                              example=task)


@check("mcp.tasks.ttl-reported", protocol="mcp")
def get_reports_ttl(ctx: McpContext) -> None:
    tasks = TaskSession.open(ctx)
    created = tasks.first()
    result = result_of(tasks.get(created.task_id))
    if result is None:
        raise Skip(f"tasks/get {created.task_id!r} did not succeed; see mcp.tasks.get")
    ttl = result.get("ttl", "missing")
    if not (ttl is None or (isinstance(ttl, int) and not isinstance(ttl, bool))):
        raise Failure(f"tasks/get {created.task_id!r}: ttl is {json.dumps(ttl)}, not an integer or null",
                      example=result)


@check("mcp.tasks.status-transitions", protocol="mcp")
def statuses_follow_the_lifecycle(ctx: McpContext) -> None:
    tasks = TaskSession.open(ctx)
    created = tasks.first()
    observed = tasks.poll(created)
    if observed[-1].get("status") not in TERMINAL:
        raise Skip(f"the task did not reach a terminal status within {ctx.settings.limits.read_timeout:g} s "
                   f"(statuses seen: {[t.get('status') for t in observed]})")
    for _ in range(2):  # a terminal status must stay put
        time.sleep(0.05)
        task = result_of(tasks.get(created.task_id))
        if task is not None:
            observed.append(task)
    statuses = [t.get("status") for t in observed]
    for before, after in zip(statuses, statuses[1:]):
        allowed = ALLOWED_NEXT.get(before, {before})
        if after not in allowed:
            raise Failure(f"task {created.task_id!r} went from {before!r} to {after!r} (statuses seen: {statuses})",
                          example=statuses)


# --- results -------------------------------------------------------------------------------


@check("mcp.tasks.result-terminal", protocol="mcp")
def result_of_terminal_task_is_the_call_result(ctx: McpContext) -> None:
    tasks = TaskSession.open(ctx)
    created = tasks.first()
    status = tasks.terminal(created).get("status")
    reply = tasks.request("tasks/result", created.task_id)
    what = f"tasks/result for the {status} task {created.task_id!r}"
    if reply.response is None:
        no_response(f"{what}", reply)
    result = result_of(reply)
    if status == "completed":
        if result is None:
            raise Failure(f"{what} got {reply.describe()} instead of the tool's result")
        ctx.validate("CallToolResult", result, f"the result of {what}")
    elif status == "failed":
        if result is not None:
            ctx.validate("CallToolResult", result, f"the result of {what}")
    else:
        raise Skip(f"the task ended {status!r}; what its result must be is open")


@check("mcp.tasks.result-blocks", protocol="mcp")
def result_waits_for_the_task(ctx: McpContext) -> None:
    tasks = TaskSession.open(ctx)
    created = tasks.first(prefer=SLOW_WORDS)
    if created.status in TERMINAL:
        raise Skip(f"the task was already {created.status!r} when created; nothing to wait for")
    reply = tasks.request("tasks/result", created.task_id)
    if reply.response is None:
        raise Skip(f"tasks/result {created.task_id!r} was not answered within the read timeout "
                   f"({reply.describe()}); the task may simply be long")
    after = result_of(tasks.get(created.task_id))
    if after is None:
        raise Skip(f"tasks/get {created.task_id!r} after tasks/result did not succeed")
    if after.get("status") not in TERMINAL:
        raise Failure(f"tasks/result {created.task_id!r} was answered while the task was still "
                      f"{after.get('status')!r}: {reply.describe()}")


@check("mcp.tasks.result-related-meta", protocol="mcp")
def result_carries_related_task(ctx: McpContext) -> None:
    tasks = TaskSession.open(ctx)
    created = tasks.first()
    tasks.terminal(created)
    reply = tasks.request("tasks/result", created.task_id)
    result = result_of(reply)
    if result is None:
        raise Skip(f"tasks/result {created.task_id!r} did not return a result ({reply.describe()})")
    related = related_task(result)
    if not isinstance(related, dict) or related.get("taskId") != created.task_id:
        raise Failure(f"tasks/result {created.task_id!r}: _meta[{RELATED_TASK!r}] is {json.dumps(related)}, "
                      f'not {{"taskId": "{created.task_id}"}}', example=result)


@check("mcp.tasks.params-task-id-authoritative", protocol="mcp")
def task_id_param_wins_over_meta(ctx: McpContext) -> None:
    tasks = TaskSession.open(ctx)
    created = tasks.first()
    decoy = made_up_task_id(ctx)
    reply = tasks.get(created.task_id, meta={RELATED_TASK: {"taskId": decoy}})
    result = result_of(reply)
    if result is None or result.get("taskId") != created.task_id:
        raise Failure(f"tasks/get {{taskId: {created.task_id!r}}} with related-task metadata naming {decoy!r} "
                      f"got {reply.describe()}, not the task {created.task_id!r}")


@check("mcp.tasks.no-related-meta-in-task-results", protocol="mcp")
def task_operations_carry_no_related_meta(ctx: McpContext) -> None:
    tasks = TaskSession.open(ctx)
    results: list[tuple[str, dict[str, Any]]] = []
    if declares(ctx.capabilities, "tasks.list"):
        listed = result_of(tasks.session.request("tasks/list"))
        if listed is not None:
            results.append(("tasks/list", listed))
    if declares(ctx.capabilities, "tasks.requests.tools.call"):
        try:
            created = tasks.first(prefer=SLOW_WORDS)
        except CheckOutcome:
            created = None
        if created is not None:
            got = result_of(tasks.get(created.task_id))
            if got is not None:
                results.append(("tasks/get", got))
            if declares(ctx.capabilities, "tasks.cancel") and (got or {}).get("status") not in TERMINAL:
                cancelled = result_of(tasks.request("tasks/cancel", created.task_id))
                if cancelled is not None:
                    results.append(("tasks/cancel", cancelled))
    ctx.require(results, "no tasks/get, tasks/list or tasks/cancel result could be obtained")
    for method, result in results:
        if related_task(result) is not None:
            raise Failure(f"the {method} result carries _meta[{RELATED_TASK!r}]", example=result)


@check("mcp.tasks.unknown-task-id", protocol="mcp")
def unknown_task_id_is_invalid_params(ctx: McpContext) -> None:
    session = ctx.opened()
    task_id = made_up_task_id(ctx)
    methods = ["tasks/get", "tasks/result"] + (["tasks/cancel"] if declares(ctx.capabilities, "tasks.cancel") else [])
    creates = declares(ctx.capabilities, "tasks.requests.tools.call")
    judged = 0
    for method in methods:
        reply = session.request(method, {"taskId": task_id}, timeout=ctx.settings.limits.read_timeout)
        if reply.response is None:
            no_response(f"{method} for the unknown task {task_id!r}", reply)
        if error_code(reply) == -32601 and not creates:
            continue  # a server that creates no tasks may not serve the method at all
        judged += 1
        if error_code(reply) != -32602:
            raise Failure(f"{method} for the unknown task {task_id!r} should get error -32602; got {reply.describe()}")
    ctx.require(judged, "the server serves none of tasks/get, tasks/result, tasks/cancel (it creates no tasks)")


# --- failures ------------------------------------------------------------------------------


@dataclass
class Ended:
    created: Created
    task: dict[str, Any]
    """The terminal tasks/get state."""
    result: Reply


def failing_tasks(ctx: McpContext, tasks: TaskSession) -> list[Ended]:
    """Tasks likely to fail, followed to their end: a task-capable tool given broken arguments, then
    tools whose name suggests failure (at most two tasks)."""
    tools = task_tools(ctx, ("optional", "required"), FAILING_WORDS)
    ctx.require(tools, "no listed tool that accord may call accepts task-augmented calls")
    attempts: list[tuple[str, Any]] = []
    for tool in tools:
        valid = argument_examples(tool["inputSchema"], ctx.settings.seed, 1)
        attempts += [(tool["name"], arguments) for arguments, _ in
                     invalid_arguments(tool["inputSchema"], valid[0] if valid else None)[:1]]
    for tool in tools:
        text = f"{_words(tool['name'])} {tool.get('description', '')}".lower()
        if any(word in text for word in FAILING_WORDS):
            attempts += [(tool["name"], a) for a in argument_examples(tool["inputSchema"], ctx.settings.seed, 1)]
    ended = []
    for name, arguments in attempts[:2]:
        created = tasks.call(name, arguments)
        if created.task is None:
            continue
        last = tasks.poll(created)[-1]
        if last.get("status") in TERMINAL:
            ended.append(Ended(created, last, tasks.request("tasks/result", created.task_id)))
    return ended


@check("mcp.tasks.is-error-fails", protocol="mcp")
def is_error_result_means_failed(ctx: McpContext) -> None:
    tasks = TaskSession.open(ctx)
    erred = [e for e in failing_tasks(ctx, tasks) if (result_of(e.result) or {}).get("isError") is True]
    ctx.require(erred, "no task whose tool result has isError true was observed")
    for one in erred:
        if one.task.get("status") != "failed":
            raise Failure(f"{one.created.describe()}: the tool result has isError true but the task ended "
                          f"{one.task.get('status')!r}, not \"failed\"", example=one.task)


@check("mcp.tasks.failed-status-message", protocol="mcp")
def failed_task_says_why(ctx: McpContext) -> None:
    tasks = TaskSession.open(ctx)
    failed = [e for e in failing_tasks(ctx, tasks) if e.task.get("status") == "failed"]
    ctx.require(failed, 'no task in status "failed" was observed')
    for one in failed:
        message = one.task.get("statusMessage")
        if not isinstance(message, str) or not message.strip():
            raise Failure(f"{one.created.describe()}: the failed task carries no statusMessage", example=one.task)


# --- notifications and progress ------------------------------------------------------------------


@check("mcp.tasks.status-notification-no-related-meta", protocol="mcp")
def status_notifications_carry_no_related_meta(ctx: McpContext) -> None:
    if declares(ctx.capabilities, "tasks.requests.tools.call"):
        tasks = TaskSession.open(ctx)
        try:
            tasks.poll(tasks.first())
        except CheckOutcome:
            pass  # no task of our own: judge what the run has seen
    else:
        ctx.session.request("ping")
    seen = 0
    for peer in ctx.suite.peers:
        for message in peer.log.received_messages():
            if kind_of(message) == "notification" and message.get("method") == "notifications/tasks/status":
                seen += 1
                params = message.get("params") if isinstance(message.get("params"), dict) else {}
                if related_task(params) is not None:
                    raise Failure(f"notifications/tasks/status carries _meta[{RELATED_TASK!r}]", example=message)
    ctx.require(seen, "no notifications/tasks/status was observed")


@check("mcp.tasks.progress-token-kept", protocol="mcp")
def progress_uses_the_original_token(ctx: McpContext) -> None:
    tasks = TaskSession.open(ctx)
    token = made_up_task_id(ctx).replace("task", "progress")
    log = tasks.session.peer.log
    start = log.mark()
    created = tasks.first(prefer=SLOW_WORDS, meta={"progressToken": token})
    tasks.terminal(created)
    tasks.get(created.task_id)  # grace: progress sent up to this answer may still be in flight
    settled = log.mark()
    tasks.session.peer.collect(ctx.settings.limits.quiet_period)
    progress = [(start + i, e.data) for i, e in enumerate(log.since(start))
                if e.direction == "received" and e.channel == "message" and isinstance(e.data, dict)
                and e.data.get("method") == "notifications/progress"]
    ctx.require(progress, "the task sent no progress notifications")
    for position, message in progress:
        params = message.get("params") if isinstance(message.get("params"), dict) else {}
        if params.get("progressToken") != token:
            raise Failure(f"a progress notification for the task uses token {params.get('progressToken')!r}, "
                          f"not the request's {token!r}", example=message)
        if position >= settled:
            raise Failure(f"progress for task {created.task_id!r} kept coming after it was terminal", example=message)


# --- listing and cancelling ------------------------------------------------------------------


@check("mcp.tasks.list", protocol="mcp")
def list_includes_created_tasks(ctx: McpContext) -> None:
    _needs_task_calls(ctx)
    tasks = TaskSession.open(ctx)
    created = tasks.first()
    pages = walk(tasks.session, "tasks/list", "tasks")
    pages_valid(ctx, pages, "ListTasksResult")
    ids = {t.get("taskId") for t in pages.items if isinstance(t, dict)}
    if created.task_id not in ids:
        if pages.truncated or pages.loop is not None:
            raise Skip("tasks/list could not be walked to its end (too many pages, or its cursors cycle)")
        raise Failure(f"tasks/list (all {len(pages.pages)} pages) does not include the task {created.task_id!r} "
                      "that tasks/get can retrieve")


@check("mcp.tasks.list-invalid-cursor", protocol="mcp")
def list_with_unissued_cursor_is_invalid_params(ctx: McpContext) -> None:
    cursor = unissued_cursor(ctx, [])
    reply = ctx.session.request("tasks/list", {"cursor": cursor})
    if reply.response is None:
        no_response(f"tasks/list with the never-issued cursor {cursor!r}", reply)
    if error_code(reply) != -32602:
        raise Failure(f"tasks/list with the never-issued cursor {cursor!r} should get error -32602; "
                      f"got {reply.describe()}")


@check("mcp.tasks.cancel", protocol="mcp")
def cancel_makes_the_task_cancelled(ctx: McpContext) -> None:
    _needs_task_calls(ctx)
    tasks = TaskSession.open(ctx)
    created = tasks.first(prefer=SLOW_WORDS)
    if created.status in TERMINAL:
        raise Skip(f"the task was already {created.status!r} when created: nothing to cancel")
    reply = tasks.request("tasks/cancel", created.task_id)
    result = result_of(reply)
    if result is None:
        now = result_of(tasks.get(created.task_id)) or {}
        if now.get("status") in TERMINAL - {"cancelled"}:
            raise Skip(f"the task ended {now.get('status')!r} before tasks/cancel reached it")
        raise Failure(f"tasks/cancel of the working task {created.task_id!r} failed: {reply.describe()}")
    ctx.validate("CancelTaskResult", result, f"the result of tasks/cancel {created.task_id!r}")
    if result.get("status") != "cancelled":
        raise Failure(f"tasks/cancel {created.task_id!r} returned the task in status {result.get('status')!r}",
                      example=result)
    for _ in range(2):
        time.sleep(0.05)
        later = result_of(tasks.get(created.task_id))  # an error is allowed: cancelled tasks may be deleted
        if later is not None and later.get("status") != "cancelled":
            raise Failure(f"task {created.task_id!r} was cancelled, then tasks/get shows {later.get('status')!r}",
                          example=later)


@check("mcp.tasks.cancel-terminal-rejected", protocol="mcp")
def cancel_of_terminal_task_is_invalid_params(ctx: McpContext) -> None:
    _needs_task_calls(ctx)
    tasks = TaskSession.open(ctx)
    created = tasks.first()
    last = tasks.poll(created)[-1]
    if last.get("status") not in TERMINAL:  # a long task: cancelling it makes it terminal
        first = tasks.request("tasks/cancel", created.task_id)
        if (result_of(first) or {}).get("status") != "cancelled":
            raise Skip(f"the task neither ended nor could be cancelled ({first.describe()})")
        last = {"status": "cancelled"}
    reply = tasks.request("tasks/cancel", created.task_id)
    what = f"tasks/cancel of the {last.get('status')} task {created.task_id!r}"
    if reply.response is None:
        no_response(f"{what}", reply)
    if error_code(reply) != -32602:
        raise Failure(f"{what} should get error -32602; got {reply.describe()}")
