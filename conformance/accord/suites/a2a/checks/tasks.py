"""Reading, listing and canceling tasks, and task history (1.0 sections 3.1.3-3.1.5, 3.2.4, 3.3.1, 3.7;
0.3 sections 7.3, 7.4, 8.2).

ListTasks exists in 1.0 on every binding and in 0.3 only on HTTP+JSON (0.3 JSON-RPC has no tasks/list):
where the binding has no such operation the list checks are NotApplicable. They work on tasks the check
itself creates: a first task, and more in its context (a message with that contextId and no taskId starts
a new task there, 3.4.3), so filters and pages can be judged against known tasks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ....outcomes import Failure, NotApplicable
from ....registry import check
from .. import wire
from ..bindings import Answer
from ..context import A2aContext, new_id
from .send import (
    BLOCKING, fetched, new_task, require_settled, running_tasks, settled_task, short, terminal_task,
)

MAX_PAGES = 20
LISTED_IN_CONTEXT = 3
"""Tasks the list checks create in one context."""
DEFAULT_PAGE_LIMIT = 50


# --- history ----------------------------------------------------------------------------------------


def message_ids(task: dict[str, Any]) -> list[Any]:
    return [m.get("messageId") if isinstance(m, dict) else None for m in task.get("history") or []]


def task_with_history(ctx: A2aContext, at_least: int) -> tuple[dict[str, Any], list[Any]]:
    """A task whose full history (GetTask with no historyLength) holds ``at_least`` messages."""
    task, _ = new_task(ctx, "SendMessage with the probe text")
    full = fetched(ctx, str(task.get("id")), "with no historyLength")
    history = message_ids(full)
    if len(history) < at_least and (waiting := settled_task(ctx, wire.INTERRUPTED)) is not None:
        task = waiting[0]  # a task that takes a follow-up: two client messages at least
        ctx.send(task_id=str(task.get("id")), context_id=task.get("contextId"), configuration=BLOCKING)
        full = fetched(ctx, str(task.get("id")), "with no historyLength, after a follow-up")
        history = message_ids(full)
    if len(history) < at_least:
        raise NotApplicable(f"task {task.get('id')!r} keeps {len(history)} history message(s); at least {at_least} "
                            "are needed to see a limit")
    return full, history


def list_supported(ctx: A2aContext) -> bool:
    return ctx.binding.supports("ListTasks") and (ctx.version == wire.V10 or ctx.binding.name == "http-json")


def history_answers(ctx: A2aContext, task: dict[str, Any], n: int) -> list[tuple[str, dict[str, Any]]]:
    """(where, task) for GetTask, a SendMessage and, where the binding has it, ListTasks, with historyLength ``n``."""
    found: list[tuple[str, dict[str, Any]]] = []
    found.append((f"GetTask with historyLength {n}", fetched(ctx, str(task.get("id")), f"historyLength {n}", n)))
    sent = ctx.send(configuration={**BLOCKING, "historyLength": n})
    sent_task = sent.task() if sent.ok else None
    if sent_task is not None:
        found.append((f"SendMessage with configuration.historyLength {n}", sent_task))
    if list_supported(ctx):
        listed = ctx.call("ListTasks", {"contextId": task.get("contextId"), "historyLength": n})
        for item in listed.result.get("tasks") or [] if listed.ok and isinstance(listed.result, dict) else []:
            if isinstance(item, dict):
                found.append((f"ListTasks with historyLength {n}", wire.canonical_task(item)))
    return found


@check("a2a.history.limit", protocol="a2a")
def history_limit(ctx: A2aContext) -> None:
    task, _ = task_with_history(ctx, 2)
    for where, answered in history_answers(ctx, task, 1):
        if len(answered.get("history") or []) > 1:
            raise Failure(f"{where} returned task {answered.get('id')!r} with {len(answered['history'])} history "
                          "messages; it holds at most 1 (3.2.4)")


@check("a2a.history.zero-omits", protocol="a2a")
def history_zero_omits(ctx: A2aContext) -> None:
    task, _ = task_with_history(ctx, 1)
    for where, answered in history_answers(ctx, task, 0):
        if ctx.binding.carries(answered, "history"):
            raise Failure(f"{where} returned task {answered.get('id')!r} with a history member "
                          f"({short(answered['history'], 120)}); with 0 it is omitted (3.2.4)")


@check("a2a.history.persists", protocol="a2a")
def history_persists(ctx: A2aContext) -> None:
    task, _ = new_task(ctx, "SendMessage with the probe text")
    full = fetched(ctx, str(task.get("id")), "after the send")
    if not full.get("history"):
        raise NotApplicable(f"task {task.get('id')!r} keeps no history, which the agent may choose")


@check("a2a.history.content-matches", protocol="a2a")
def history_content_matches(ctx: A2aContext) -> None:
    message = ctx.message()
    answer = ctx.call("SendMessage", {"message": message, "configuration": BLOCKING})
    task = ctx.created_task(answer, "SendMessage with the probe text")
    full = fetched(ctx, str(task.get("id")), "after the send")
    kept = [m for m in full.get("history") or [] if isinstance(m, dict) and m.get("messageId") == message["messageId"]]
    if not kept:
        raise NotApplicable(f"task {task.get('id')!r} did not keep the client message in its history")
    problems = []
    if kept[0].get("role") != "ROLE_USER":
        problems.append(f"role {kept[0].get('role')!r} instead of the user role")
    if content_of(kept[0].get("parts")) != content_of(message["parts"]):
        problems.append(f"parts {short(kept[0].get('parts'), 160)} instead of {message['parts']}")
    if problems:
        raise Failure(f"the client message {message['messageId']!r} is kept in the history of task {task.get('id')!r} "
                      f"with {' and '.join(problems)}; it keeps what was sent (3.7)")


def content_of(parts: Any) -> list[Any]:
    """Parts (1.0 form) reduced to their content: a text part's mediaType text/plain is the default anyway."""
    reduced = []
    for part in parts if isinstance(parts, list) else []:
        if not isinstance(part, dict):
            reduced.append(part)
            continue
        kept = {k: v for k, v in part.items() if k in ("text", "raw", "url", "data", "mediaType", "filename")
                and (v != "" or k in ("text", "raw"))}  # an empty mediaType or filename is no mediaType (gRPC)
        if "text" in kept and kept.get("mediaType") == "text/plain":
            kept.pop("mediaType")
        reduced.append(kept)
    return reduced


@check("a2a.history.most-recent", protocol="a2a")
def history_most_recent(ctx: A2aContext) -> None:
    task, history = task_with_history(ctx, 2)
    keep = len(history) - 1
    cut = message_ids(fetched(ctx, str(task.get("id")), f"historyLength {keep}", keep))
    if cut != history[-keep:]:
        raise Failure(f"task {task.get('id')!r} has history {history} (messageIds, oldest first); GetTask with "
                      f"historyLength {keep} returned {cut}, not the {keep} most recent in order {history[-keep:]} (3.2.4)")


# --- get ------------------------------------------------------------------------------------------------


@check("a2a.tasks.get-returns-task", protocol="a2a")
def get_returns_task(ctx: A2aContext) -> None:
    task, _ = new_task(ctx, "SendMessage with the probe text")
    answer = ctx.get_task(str(task.get("id")))
    ctx.require_ok(answer, f"GetTask of task {task.get('id')!r}, just created")
    got = answer.task()
    if got is None or got.get("id") != task.get("id") or got.get("contextId") != task.get("contextId"):
        raise Failure(f"GetTask of task {task.get('id')!r} (context {task.get('contextId')!r}) returned "
                      f"{short(answer.result)}; it returns that Task with the same id and contextId (3.1.3)")
    problems = ctx.result_errors(answer)
    if problems:
        raise Failure(f"GetTask returned a Task the schema refuses: {'; '.join(problems[:4])}")


@check("a2a.tasks.get-not-found", protocol="a2a")
def get_not_found(ctx: A2aContext) -> None:
    unknown = new_id()
    ctx.require_error(ctx.get_task(unknown), -32001, f"GetTask of {unknown!r}, which names no task (3.1.3)")


def later_or_same(before: str | None, after: str | None) -> bool:
    if before in wire.TERMINAL:
        return after == before
    return after != "TASK_STATE_SUBMITTED"


@check("a2a.tasks.get-current", protocol="a2a")
def get_current(ctx: A2aContext) -> None:
    task, text = require_settled(ctx, wire.TERMINAL | wire.INTERRUPTED, "a task from a blocking send")
    ended = [("a blocking SendMessage", task)]
    capabilities = (ctx.suite.card or {}).get("capabilities") or {}
    if isinstance(capabilities, dict) and capabilities.get("streaming") is True:
        streamed = ctx.stream(text)
        updates = [(k, p) for k, p in streamed.canonical_events() if k in ("task", "statusUpdate") and isinstance(p, dict)]
        if streamed.ok and updates:
            kind, payload = updates[-1]
            task_id = payload.get("id") if kind == "task" else payload.get("taskId")
            ended.append(("a stream", {"id": task_id, "status": payload.get("status")}))
    for where, seen in ended:
        before = wire.state_of(seen)
        after = wire.state_of(fetched(ctx, str(seen.get("id")), f"after {where} ended"))
        if not later_or_same(before, after):
            raise Failure(f"{where} of {text!r} ended with task {seen.get('id')!r} in {before}, but GetTask then shows "
                          f"{after}; GetTask reports the current state (3.1.3)")


# --- list -----------------------------------------------------------------------------------------------


def require_list(ctx: A2aContext) -> None:
    if not list_supported(ctx):
        raise NotApplicable(f"A2A {ctx.version} has no ListTasks on the {ctx.binding.name} binding")


def list_page(ctx: A2aContext, params: dict[str, Any], what: str) -> tuple[Answer, list[dict[str, Any]]]:
    answer = ctx.call("ListTasks", params)
    ctx.require_ok(answer, f"ListTasks with {params or 'no parameter'} ({what})")
    result = answer.result if isinstance(answer.result, dict) else {}
    tasks = result.get("tasks")
    if not isinstance(tasks, list):
        raise Failure(f"ListTasks with {params} answered {short(answer.result)}: a ListTasksResponse has a tasks list")
    return answer, [t for t in tasks if isinstance(t, dict)]


def all_pages(ctx: A2aContext, params: dict[str, Any], what: str, *,
              up_to: int | None = None) -> list[tuple[Answer, list[dict[str, Any]]]]:
    """Every page of ListTasks with ``params``, following nextPageToken (or the first ``up_to`` pages)."""
    pages = []
    token: Any = ""
    for _ in range(up_to or MAX_PAGES):
        answer, tasks = list_page(ctx, {**params, **({"pageToken": token} if token else {})}, what)
        pages.append((answer, tasks))
        token = answer.result.get("nextPageToken")
        if not token or not isinstance(token, str):
            return pages
    if up_to:
        return pages
    raise Failure(f"ListTasks with {params} still gave a nextPageToken after {MAX_PAGES} pages")


def tasks_in_one_context(ctx: A2aContext, count: int = LISTED_IN_CONTEXT) -> tuple[Any, list[dict[str, Any]]]:
    """A fresh context holding up to ``count`` tasks this check made (newest last)."""
    first, _ = new_task(ctx, "SendMessage with the probe text")
    context_id = first.get("contextId")
    made = [first]
    for _ in range(count - 1):
        answer = ctx.send(context_id=context_id, configuration=BLOCKING)
        task = answer.task() if answer.ok else None
        if task is None or task.get("contextId") != context_id or task.get("id") in {t.get("id") for t in made}:
            break
        made.append(task)
    return context_id, made


def ids(tasks: list[dict[str, Any]]) -> list[Any]:
    return [t.get("id") for t in tasks]


def timestamp(task: dict[str, Any]) -> datetime | None:
    status = task.get("status")
    text = status.get("timestamp") if isinstance(status, dict) else None
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


@check("a2a.list.response-valid", protocol="a2a")
def list_response_valid(ctx: A2aContext) -> None:
    require_list(ctx)
    new_task(ctx, "SendMessage with the probe text")
    answer, _ = list_page(ctx, {}, "after creating a task")
    missing = [k for k in ("tasks", "nextPageToken", "pageSize", "totalSize") if k not in answer.result]
    if missing:
        raise Failure(f"ListTasks answered {short(answer.result)} without {', '.join(missing)}; a ListTasksResponse "
                      "has tasks, nextPageToken, pageSize and totalSize (3.1.4)")
    problems = ctx.result_errors(answer)
    if problems:
        raise Failure(f"ListTasks answered a ListTasksResponse the schema refuses: {'; '.join(problems[:4])}")


@check("a2a.list.next-page-token", protocol="a2a")
def list_next_page_token(ctx: A2aContext) -> None:
    require_list(ctx)
    context_id, _ = tasks_in_one_context(ctx)
    for params in ({"contextId": context_id}, {"contextId": context_id, "pageSize": 1}):
        pages = all_pages(ctx, params, "next-page-token")
        for index, (answer, _) in enumerate(pages):
            token = answer.result.get("nextPageToken")
            last = index == len(pages) - 1
            if not isinstance(token, str) or (last and token != ""):
                raise Failure(f"page {index + 1} of ListTasks with {params} has nextPageToken {token!r}; it is always "
                              "present, and the empty string on the last page (3.1.4)")


@check("a2a.list.sorted", protocol="a2a")
def list_sorted(ctx: A2aContext) -> None:
    require_list(ctx)
    context_id, _ = tasks_in_one_context(ctx)
    judged = 0
    for params in ({"contextId": context_id, "pageSize": 1}, {"pageSize": 2}):
        listed = [t for _, tasks in all_pages(ctx, params, "sorted", up_to=4) for t in tasks]
        stamped = [(t.get("id"), timestamp(t)) for t in listed if timestamp(t) is not None]
        judged += max(0, len(stamped) - 1)
        for (id_a, at_a), (id_b, at_b) in zip(stamped, stamped[1:]):
            if at_b > at_a:  # type: ignore[operator]
                raise Failure(f"ListTasks with {params} listed task {id_a!r} (status at {at_a.isoformat()}) before "
                              f"task {id_b!r} (at {at_b.isoformat()}); the most recently updated come first, within "
                              "and across pages (3.1.4)")
    if not judged:
        raise NotApplicable("no two listed tasks carried a status timestamp to compare")


@check("a2a.list.paging", protocol="a2a")
def list_paging(ctx: A2aContext) -> None:
    require_list(ctx)
    context_id, made = tasks_in_one_context(ctx)
    if len(made) < 2:
        raise NotApplicable("only one task could be created in a context, so there is nothing to page through")
    params = {"contextId": context_id, "pageSize": 1}
    pages = all_pages(ctx, params, "paging")
    walked = [t.get("id") for _, tasks in pages for t in tasks]
    twice = sorted({i for i in walked if walked.count(i) > 1})
    missing = [i for i in ids(made) if i not in walked]
    if twice or missing:
        raise Failure(f"following nextPageToken of ListTasks with {params} over {len(pages)} page(s) listed {walked}: "
                      + (f"{twice} more than once" if twice else f"never {missing}, tasks this check created there")
                      + "; paging reaches every matching task exactly once (3.1.4)")


@check("a2a.list.page-size", protocol="a2a")
def list_page_size(ctx: A2aContext) -> None:
    require_list(ctx)
    tasks_in_one_context(ctx)
    for params, limit in (({"pageSize": 1}, 1), ({"pageSize": 2}, 2), ({}, DEFAULT_PAGE_LIMIT)):
        _, tasks = list_page(ctx, params, "page-size")
        if len(tasks) > limit:
            raise Failure(f"ListTasks with {params or 'no pageSize'} returned {len(tasks)} tasks; a page holds at most "
                          f"{limit} (3.1.4)")


@check("a2a.list.page-size-invalid", protocol="a2a")
def list_page_size_invalid(ctx: A2aContext) -> None:
    require_list(ctx)
    for params in ({"pageSize": 101}, {"historyLength": -1}):
        answer = ctx.call("ListTasks", params)
        error = answer.error
        rest = ctx.binding.name == "http-json"
        validation = error is not None and (error.status == 400 if rest else error.code == -32602)
        if not validation:
            got = error.describe() if error is not None else f"a success: {short(answer.result, 160)}"
            want = {"jsonrpc": "InvalidParams (-32602)", "http-json": "HTTP 400"}.get(ctx.binding.name,
                                                                                    "gRPC INVALID_ARGUMENT")
            raise Failure(f"ListTasks with {params} gave {got}; pageSize is 1..100 and historyLength is not negative, "
                          f"else the request is refused with a validation error, {want} (6.5)")


@check("a2a.list.artifacts-omitted", protocol="a2a")
def list_artifacts_omitted(ctx: A2aContext) -> None:
    require_list(ctx)
    context_id, _ = tasks_in_one_context(ctx, 1)
    for params in ({"contextId": context_id}, {"contextId": context_id, "includeArtifacts": False}, {"pageSize": 10}):
        _, tasks = list_page(ctx, params, "artifacts-omitted")
        if not tasks:
            raise NotApplicable(f"ListTasks with {params} listed no task, not even the one this check created")
        with_member = [t for t in tasks if ctx.binding.carries(t, "artifacts")]
        if with_member:
            raise Failure(f"ListTasks with {params} listed task {with_member[0].get('id')!r} with an artifacts member "
                          f"({short(with_member[0]['artifacts'], 100)}); unless includeArtifacts is true it is left "
                          "out entirely (3.1.4)")


@check("a2a.list.artifacts-included", protocol="a2a")
def list_artifacts_included(ctx: A2aContext) -> None:
    require_list(ctx)
    task, _ = require_settled(ctx, wire.TERMINAL, "a finished task")
    full = fetched(ctx, str(task.get("id")), "to read its artifacts")
    wanted = [a.get("artifactId") for a in full.get("artifacts") or [] if isinstance(a, dict)]
    if not wanted:
        raise NotApplicable(f"task {task.get('id')!r} has no artifact to list")
    params = {"contextId": full.get("contextId"), "includeArtifacts": True}
    _, tasks = list_page(ctx, params, "artifacts-included")
    listed = next((t for t in tasks if t.get("id") == full.get("id")), None)
    if listed is None:
        raise NotApplicable(f"ListTasks with {params} did not list task {full.get('id')!r}")
    got = [a.get("artifactId") for a in listed.get("artifacts") or [] if isinstance(a, dict)]
    if sorted(map(str, got)) != sorted(map(str, wanted)):
        raise Failure(f"ListTasks with {params} listed task {full.get('id')!r} with artifacts {got}; GetTask shows "
                      f"{wanted}: with includeArtifacts true listed tasks carry their artifacts (3.1.4)")


@check("a2a.list.filter-context", protocol="a2a")
def list_filter_context(ctx: A2aContext) -> None:
    require_list(ctx)
    context_id, made = tasks_in_one_context(ctx, 1)
    new_task(ctx, "a task in another context")
    _, tasks = list_page(ctx, {"contextId": context_id}, "filter-context")
    if not tasks:
        raise NotApplicable(f"ListTasks with contextId {context_id!r} listed no task, not even task {made[0].get('id')!r}")
    other = [t for t in tasks if t.get("contextId") != context_id]
    if other:
        raise Failure(f"ListTasks with contextId {context_id!r} listed task {other[0].get('id')!r} of context "
                      f"{other[0].get('contextId')!r}; every listed task has the contextId asked for (3.1.4)")


@check("a2a.list.filter-status", protocol="a2a")
def list_filter_status(ctx: A2aContext) -> None:
    require_list(ctx)
    task, _ = require_settled(ctx, wire.TERMINAL | wire.INTERRUPTED, "a task in a settled state")
    state = wire.state_of(task)
    _, tasks = list_page(ctx, {"status": state, "pageSize": 100}, "filter-status")
    if not tasks:
        raise NotApplicable(f"ListTasks with status {state} listed no task, not even task {task.get('id')!r}")
    other = [t for t in tasks if wire.state_of(t) != state]
    if other:
        raise Failure(f"ListTasks with status {state} listed task {other[0].get('id')!r} in state "
                      f"{wire.state_of(other[0])}; every listed task is in the state asked for (3.1.4)")


@check("a2a.list.filter-timestamp", protocol="a2a")
def list_filter_timestamp(ctx: A2aContext) -> None:
    require_list(ctx)
    _, made = tasks_in_one_context(ctx, 2)
    newest = fetched(ctx, str(made[-1].get("id")), "for its status timestamp")
    after = timestamp(newest)
    if after is None:
        raise NotApplicable(f"task {newest.get('id')!r} has no status timestamp to filter by")
    stamp = newest["status"]["timestamp"]
    _, tasks = list_page(ctx, {"statusTimestampAfter": stamp, "pageSize": 100}, "filter-timestamp")
    if not tasks:
        raise NotApplicable(f"ListTasks with statusTimestampAfter {stamp} listed no task, not even {newest.get('id')!r}")
    older = [t for t in tasks if timestamp(t) is not None and timestamp(t) < after]  # type: ignore[operator]
    if older:
        raise Failure(f"ListTasks with statusTimestampAfter {stamp} listed task {older[0].get('id')!r} with status "
                      f"timestamp {older[0]['status']['timestamp']}; every listed task is at or after it (3.1.4)")


# --- cancel -----------------------------------------------------------------------------------------------


def canceled_task(ctx: A2aContext) -> tuple[dict[str, Any], Answer]:
    """A task that was not terminal, canceled: (the task as it was, the CancelTask answer). NotApplicable when
    every task was terminal before the cancel landed, or the agent declined to cancel it."""
    seen: list[str] = []
    for task, text in running_tasks(ctx):
        task_id = str(task.get("id"))
        answer = ctx.cancel(task_id)
        if answer.error is not None:
            now = wire.state_of(fetched(ctx, task_id, "after a refused cancel"))
            if now in wire.TERMINAL or answer.error.is_(-32002):
                seen.append(f"{text[:30]!r}: {now} when CancelTask landed ({answer.error.describe()[:60]})")
                continue
        return task, answer
    raise NotApplicable("no task was still open when CancelTask reached it: " + ("; ".join(seen) or
                        "no returnImmediately send was answered with an unfinished task"))


@check("a2a.cancel.returns-task", protocol="a2a")
def cancel_returns_task(ctx: A2aContext) -> None:
    task, answer = canceled_task(ctx)
    what = f"CancelTask of task {task.get('id')!r} ({wire.state_of(task)})"
    ctx.require_ok(answer, f"{what}; 3.1.5 returns the updated Task")
    got = answer.task()
    if got is None or got.get("id") != task.get("id"):
        raise Failure(f"{what} answered {short(answer.result)}; it returns the updated Task (3.1.5)")
    if wire.state_of(got) == "TASK_STATE_CANCELED":
        after = wire.state_of(fetched(ctx, str(task.get("id")), "after the cancel"))
        if after != "TASK_STATE_CANCELED":
            raise Failure(f"{what} answered the task CANCELED, but GetTask then shows {after}")
    # any other state: the cancel is still under way, or the task finished first; 3.1.5 allows both


@check("a2a.cancel.terminal-not-cancelable", protocol="a2a")
def cancel_terminal_not_cancelable(ctx: A2aContext) -> None:
    task, text = terminal_task(ctx)
    state = wire.state_of(task)
    ctx.require_error(ctx.cancel(str(task.get("id"))), -32002,
                      f"CancelTask of task {task.get('id')!r}, {state} after {text!r} (3.1.5: TaskNotCancelableError)")
    after = wire.state_of(fetched(ctx, str(task.get("id")), "after the refused cancel"))
    if after != state:
        raise Failure(f"CancelTask of the {state} task {task.get('id')!r} was refused, yet GetTask now shows {after}")


@check("a2a.cancel.not-found", protocol="a2a")
def cancel_not_found(ctx: A2aContext) -> None:
    unknown = new_id()
    ctx.require_error(ctx.cancel(unknown), -32001, f"CancelTask of {unknown!r}, which names no task (3.1.5)")


@check("a2a.cancel.idempotent", protocol="a2a")
def cancel_idempotent(ctx: A2aContext) -> None:
    task, first = canceled_task(ctx)
    task_id = str(task.get("id"))
    done = first.task() if first.ok else None
    if done is None or wire.state_of(done) != "TASK_STATE_CANCELED":
        raise NotApplicable(f"the first CancelTask of task {task_id!r} did not answer it CANCELED ({first.describe()})")
    again = ctx.cancel(task_id)
    what = f"a second CancelTask of task {task_id!r}, already CANCELED"
    if again.error is not None:
        if not (again.error.is_(-32002) or again.error.is_(-32001)):
            raise Failure(f"{what} gave {again.error.describe()}; a repeated cancel has the same effect: the task, "
                          "TaskNotCancelableError or TaskNotFoundError (3.3.1)")
    elif (again.task() or {}).get("id") != task_id or wire.state_of(again.task()) != "TASK_STATE_CANCELED":
        raise Failure(f"{what} answered {short(again.result)}; the task stays CANCELED (3.3.1)")
    after = ctx.get_task(task_id)
    if after.ok and wire.state_of(after.task()) != "TASK_STATE_CANCELED":
        raise Failure(f"after {what}, GetTask shows {wire.state_of(after.task())}; the task stays CANCELED (3.3.1)")
