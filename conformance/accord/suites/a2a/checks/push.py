"""Push notifications (1.0 sections 3.1.7-3.1.10, 4.3.3, 13.2; 0.3 sections 7.5-7.8, 9.5): the config
operations and the webhook deliveries.

Configs point at the harness's webhook receiver on 127.0.0.1 (ctx.webhook()), each at a path of its own.
Deliveries are observed by registering a config in SendMessage's configuration (the task then changes under
it); when the agent does not take a config there, by creating one right after a SendMessage with
returnImmediately. An agent that refuses loopback webhook URLs (as 13.2 recommends) cannot be watched
delivering: those checks are Skip, saying so; the config operations then use an unreachable .invalid URL.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Callable

from ....outcomes import Failure, NotApplicable, Skip
from ....registry import check
from .. import wire
from ..bindings import Answer
from ..context import A2aContext, new_id
from ..webhook import Delivery, WebhookReceiver

DELIVERY_WAIT = 3.0
"""Seconds to wait for deliveries about one task."""
RETRY_STATUS = 503
RETRY_FIRST_DELAY_MAX = 2.0
"""The longest first retry delay accord waits out. 13.2 asks for retries with exponential backoff but names
no delay; usual policies start between 0.1 s and 1 s, so 2 s leaves them room while keeping the run short."""
BACKOFF_ATTEMPTS = 3
"""Attempts of one delivery needed to see whether the waits grow (two gaps)."""
RETRY_WINDOW = RETRY_FIRST_DELAY_MAX * (1 + 2)
"""Seconds watched after the first failed attempt: a policy whose first delay is at most
RETRY_FIRST_DELAY_MAX and doubles makes its third attempt within three times that delay."""
AFTER_DELETE_GRACE = 0.5
"""A delivery that lands this soon after the delete answered may have been under way already."""
SETTLE_POLLS = 15
SETTLE_INTERVAL = 0.2
UNREACHABLE_HOST = "https://accord-webhook.invalid"
"""A reserved name (RFC 2606) that never resolves: for config operations when loopback URLs are refused."""
TOKEN_HEADER = "x-a2a-notification-token"
JSON_TYPES = ("application/json", "application/a2a+json")
TASK_NOT_FOUND = -32001


# --- configs ----------------------------------------------------------------------------------------------------

def webhook_path(purpose: str) -> str:
    return f"accord/{purpose}/{new_id()}"


def new_config(ctx: A2aContext, url: str, *, with_id: bool = False) -> dict[str, Any]:
    """A config in 1.0 form with a token and Bearer credentials; 0.3 configs (and ``with_id`` ones) carry an
    id of the client's choosing, so that several configs of one task are told apart whatever ids the agent
    would assign."""
    config: dict[str, Any] = {"url": url, "token": f"accord-token-{new_id()}",
                              "authentication": {"scheme": "Bearer", "credentials": f"accord-cred-{new_id()}"}}
    if with_id or ctx.version == wire.V03:
        config["id"] = f"accord-config-{new_id()}"
    return config


def flat_config(value: Any) -> dict[str, Any] | None:
    """A config as an agent sent it, in the flat 1.0 form (0.3 nests it under pushNotificationConfig)."""
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("pushNotificationConfig"), dict):
        inner = value["pushNotificationConfig"]
        out = {k: inner[k] for k in ("id", "url", "token") if k in inner}
        out["taskId"] = value.get("taskId")
        auth = inner.get("authentication")
        if isinstance(auth, dict):
            schemes = auth.get("schemes") if isinstance(auth.get("schemes"), list) else [None]
            out["authentication"] = {"scheme": schemes[0] if schemes else None, "credentials": auth.get("credentials")}
        return out
    return value


def listed_configs(answer: Answer) -> list[dict[str, Any]]:
    result = answer.result
    items = result.get("configs") if isinstance(result, dict) else result
    return [c for c in (flat_config(i) for i in items) if c] if isinstance(items, list) else []


def create(ctx: A2aContext, task_id: str, config: dict[str, Any]) -> Answer:
    return ctx.call("CreateTaskPushNotificationConfig", {"taskId": task_id, **config})


def get(ctx: A2aContext, task_id: str, config_id: str) -> Answer:
    return ctx.call("GetTaskPushNotificationConfig", {"taskId": task_id, "id": config_id})


def list_for(ctx: A2aContext, task_id: str) -> Answer:
    return ctx.call("ListTaskPushNotificationConfigs", {"taskId": task_id})


def delete(ctx: A2aContext, task_id: str, config_id: str) -> Answer:
    return ctx.call("DeleteTaskPushNotificationConfig", {"taskId": task_id, "id": config_id})


def probe_task(ctx: A2aContext) -> dict[str, Any]:
    return ctx.created_task(ctx.send(configuration={"returnImmediately": True}),
                            "SendMessage with the probe text and returnImmediately")


@dataclass
class Registered:
    task: dict[str, Any]
    sent: dict[str, Any]
    answer: Answer
    config: dict[str, Any]
    """What Create answered, in flat form."""

    @property
    def task_id(self) -> str:
        return str(self.task.get("id"))

    @property
    def config_id(self) -> str:
        return str(self.config.get("id") or self.sent.get("id") or "")


def register(ctx: A2aContext, purpose: str, task: dict[str, Any] | None = None, *, with_id: bool = False) -> Registered:
    """A config created on a probe task; Failure if the agent, declaring pushNotifications, creates none."""
    task = task or probe_task(ctx)
    task_id = str(task.get("id"))
    path = webhook_path(purpose)
    sent = new_config(ctx, ctx.webhook().url(path), with_id=with_id)
    answer = create(ctx, task_id, sent)
    if answer.error is not None:
        sent = new_config(ctx, f"{UNREACHABLE_HOST}/{path}", with_id=with_id)
        retried = create(ctx, task_id, sent)
        if retried.error is None and not retried.problems:
            answer = retried
    if answer.error is not None or answer.problems or flat_config(answer.result) is None:
        raise Failure(f"CreateTaskPushNotificationConfig for task {task_id!r} ({wire.state_of(task)}) with url "
                      f"{sent['url']!r}: {answer.describe()}; the card declares capabilities.pushNotifications")
    return Registered(task, sent, answer, flat_config(answer.result) or {})


def config_problems(ctx: A2aContext, got: dict[str, Any] | None, sent: dict[str, Any], *, task_id: str) -> list[str]:
    """How a returned config differs from the one sent."""
    if got is None:
        return ["no config object"]
    problems = []
    if got.get("url") != sent["url"]:
        problems.append(f"url {got.get('url')!r} instead of {sent['url']!r}")
    if got.get("taskId") not in (task_id, None) or (ctx.version == wire.V03 and got.get("taskId") != task_id):
        problems.append(f"taskId {got.get('taskId')!r} instead of {task_id!r}")
    if "token" in got and got["token"] != sent["token"]:
        problems.append(f"token {got.get('token')!r} instead of the one set")
    auth = got.get("authentication")
    if isinstance(auth, dict) and str(auth.get("scheme")).lower() != sent["authentication"]["scheme"].lower():
        problems.append(f"authentication scheme {auth.get('scheme')!r} instead of 'Bearer'")
    return problems


def state_now(ctx: A2aContext, task_id: str) -> str | None:
    return wire.state_of(ctx.get_task(task_id).task())


# --- config operations ------------------------------------------------------------------------------------------

@check("a2a.push.create-returns-config", protocol="a2a")
def push_create_returns_config(ctx: A2aContext) -> None:
    made = register(ctx, "create")
    problems = config_problems(ctx, made.config, made.sent, task_id=made.task_id)
    if ctx.version == wire.V10:
        if not made.config.get("id"):
            problems.append("no id assigned")
        if made.config.get("taskId") != made.task_id:
            problems.append(f"taskId {made.config.get('taskId')!r} instead of {made.task_id!r}")
    problems += ctx.result_errors(made.answer)
    if problems:
        raise Failure(f"CreateTaskPushNotificationConfig for task {made.task_id!r}, url {made.sent['url']!r}: the "
                      f"answer has {'; '.join(dict.fromkeys(problems))}: {str(made.answer.result)[:300]}")


@check("a2a.push.get-returns-config", protocol="a2a")
def push_get_returns_config(ctx: A2aContext) -> None:
    made = register(ctx, "get")
    answer = get(ctx, made.task_id, made.config_id)
    what = f"GetTaskPushNotificationConfig {made.config_id!r} of task {made.task_id!r} right after creating it"
    if answer.error is not None or answer.problems:
        raise Failure(f"{what}: {answer.describe()}")
    problems = config_problems(ctx, flat_config(answer.result), made.sent, task_id=made.task_id)
    problems += ctx.result_errors(answer)
    if problems:
        raise Failure(f"{what}: {'; '.join(problems)}: {str(answer.result)[:300]}")


@check("a2a.push.get-missing-fails", protocol="a2a")
def push_get_missing_fails(ctx: A2aContext) -> None:
    task_id = str(probe_task(ctx).get("id"))
    config_id = f"accord-missing-{new_id()}"
    ctx.require_error(get(ctx, task_id, config_id), TASK_NOT_FOUND,
                      f"GetTaskPushNotificationConfig {config_id!r} (no such config) of task {task_id!r}")


@check("a2a.push.list-all", protocol="a2a")
def push_list_all(ctx: A2aContext) -> None:
    first = register(ctx, "list", with_id=True)
    second = register(ctx, "list", first.task, with_id=True)
    answer = list_for(ctx, first.task_id)
    what = f"ListTaskPushNotificationConfigs of task {first.task_id!r} after creating two configs"
    if answer.error is not None or answer.problems:
        raise Failure(f"{what}: {answer.describe()}")
    urls = {c.get("url") for c in listed_configs(answer)}
    missing = [m.sent["url"] for m in (first, second) if m.sent["url"] not in urls]
    problems = ctx.result_errors(answer)
    if missing or problems:
        raise Failure(f"{what}: {'; '.join(problems + [f'{u!r} is missing' for u in missing])}; the answer: "
                      f"{str(answer.result)[:300]}")


def require_gone(ctx: A2aContext, made: Registered, what: str) -> None:
    after_get = get(ctx, made.task_id, made.config_id)
    if after_get.error is None:
        raise Failure(f"{what}: GetTaskPushNotificationConfig still returns it: {str(after_get.result)[:200]}")
    listing = list_for(ctx, made.task_id)
    if listing.error is None and made.sent["url"] in {c.get("url") for c in listed_configs(listing)}:
        raise Failure(f"{what}: ListTaskPushNotificationConfigs still shows it: {str(listing.result)[:200]}")


@check("a2a.push.delete-removes", protocol="a2a")
def push_delete_removes(ctx: A2aContext) -> None:
    made = register(ctx, "delete")
    answer = delete(ctx, made.task_id, made.config_id)
    what = f"DeleteTaskPushNotificationConfig {made.config_id!r} of task {made.task_id!r}"
    if answer.error is not None or answer.problems:
        raise Failure(f"{what}: {answer.describe()}")
    if ctx.version == wire.V03 and ctx.binding.name == "jsonrpc" and answer.result is not None:
        raise Failure(f"{what}: the result is {str(answer.result)[:120]}; it must be null (7.8)")
    require_gone(ctx, made, f"after {what}")


@check("a2a.push.delete-idempotent", protocol="a2a")
def push_delete_idempotent(ctx: A2aContext) -> None:
    made = register(ctx, "delete-twice", with_id=True)
    other = register(ctx, "delete-twice", made.task, with_id=True)
    what = f"DeleteTaskPushNotificationConfig {made.config_id!r} of task {made.task_id!r}"
    first = delete(ctx, made.task_id, made.config_id)
    if first.error is not None:
        raise Failure(f"{what}: {first.describe()}")
    again = delete(ctx, made.task_id, made.config_id)
    if again.error is not None and not again.error.is_(TASK_NOT_FOUND):
        raise Failure(f"{what}, a second time: {again.describe()}; deleting again must have the same effect (3.1.10)")
    require_gone(ctx, made, f"after {what} twice")
    kept = get(ctx, other.task_id, other.config_id)
    if kept.error is not None or config_problems(ctx, flat_config(kept.result), other.sent, task_id=other.task_id):
        raise Failure(f"after {what} twice, the task's other config {other.config_id!r} is disturbed: "
                      f"{kept.describe() if kept.error else str(kept.result)[:200]}")


@check("a2a.push.unknown-task", protocol="a2a")
def push_unknown_task(ctx: A2aContext) -> None:
    task_id = f"accord-missing-{new_id()}"
    config = new_config(ctx, ctx.webhook().url(webhook_path("unknown-task")))
    for operation, answer in (("CreateTaskPushNotificationConfig", create(ctx, task_id, config)),
                              ("ListTaskPushNotificationConfigs", list_for(ctx, task_id)),
                              ("DeleteTaskPushNotificationConfig", delete(ctx, task_id, f"accord-{new_id()}"))):
        ctx.require_error(answer, TASK_NOT_FOUND, f"{operation} for task {task_id!r}, an id no task has")


@check("a2a.push.persists", protocol="a2a")
def push_persists(ctx: A2aContext) -> None:
    task = probe_task(ctx)
    if wire.state_of(task) in wire.TERMINAL:
        raise NotApplicable(f"the probe task was already {wire.state_of(task)} when SendMessage (returnImmediately) "
                            "answered; configs need only last until completion")
    made = register(ctx, "persists", task)
    for attempt in range(2):
        if attempt:
            time.sleep(SETTLE_INTERVAL)
        got, listing = get(ctx, made.task_id, made.config_id), list_for(ctx, made.task_id)
        listed = listing.error is None and made.sent["url"] in {c.get("url") for c in listed_configs(listing)}
        if got.error is None and listed:
            continue
        state = state_now(ctx, made.task_id)
        if state in wire.TERMINAL:
            raise NotApplicable(f"the task is {state} now; a config need only last until completion (3.1.7)")
        raise Failure(f"config {made.config_id!r} of task {made.task_id!r} (still {state}): Get gave "
                      f"{got.describe() if got.error else 'it'}, List {'shows' if listed else 'omits'} it; a config "
                      "must stay until the task completes or it is deleted (3.1.7)")


# --- deliveries -------------------------------------------------------------------------------------------------

def body_task_id(body: Any) -> str | None:
    kind, payload = wire.canonical_event(body)
    if kind is None and isinstance(body, dict) and "status" in body:
        kind, payload = "task", body
    if not isinstance(payload, dict):
        return None
    found = payload.get("id") if kind == "task" else payload.get("taskId")
    return found if isinstance(found, str) else None


def reports_end(delivery: Delivery) -> bool:
    body = delivery.json
    kind, payload = wire.canonical_event(body)
    if kind is None and isinstance(body, dict) and "status" in body:
        payload = body
    return wire.state_of(payload) in wire.TERMINAL


@dataclass
class Observed:
    task_id: str
    config: dict[str, Any]
    how: str
    deliveries: list[Delivery]
    path: str = ""
    """Where on the receiver the config points."""

    def require_some(self) -> list[Delivery]:
        if not self.deliveries:
            raise Skip(f"no webhook delivery arrived for task {self.task_id!r} ({self.how}); nothing to judge "
                       "(see a2a.push.delivery-at-least-once)")
        return self.deliveries


def loopback_refused(answer: Answer, url: str) -> Skip:
    return Skip(f"the agent refused the webhook URL {url!r} ({answer.describe()}); 13.2 recommends refusing "
                "loopback addresses, so deliveries cannot be watched on this harness's receiver")


def observe(ctx: A2aContext, purpose: str, *, hook: WebhookReceiver | None = None,
            enough: Callable[[list[Delivery]], bool] | None = None) -> Observed:
    """Deliveries about a probe task whose config is on ``hook``, gathered until ``enough`` (by default: one
    reports a terminal state) or DELIVERY_WAIT."""
    hook = hook or ctx.webhook()
    enough = enough or (lambda got: any(reports_end(d) for d in got))
    path = webhook_path(purpose)
    config = new_config(ctx, hook.url(path))
    answer = ctx.send(configuration={"taskPushNotificationConfig": config})
    if answer.error is None and not answer.problems:
        task = ctx.created_task(answer, "SendMessage with the probe text and a push config")
        task_id = str(task.get("id"))
        got = hook.wait_for(path, enough, DELIVERY_WAIT)
        listing = list_for(ctx, task_id)
        if got or config["url"] in {c.get("url") for c in listed_configs(listing)}:
            return Observed(task_id, config, "config given in SendMessage", got, path)
    task = probe_task(ctx)
    task_id = str(task.get("id"))
    path = webhook_path(purpose)
    config = new_config(ctx, hook.url(path))
    created = create(ctx, task_id, config)
    if created.error is not None:
        raise loopback_refused(created, config["url"])
    got = hook.wait_for(path, enough, DELIVERY_WAIT)
    state = wire.state_of(task)
    if not got and state in wire.TERMINAL:
        raise NotApplicable(f"the agent took no config in SendMessage, and the probe task was already {state} when "
                            "SendMessage (returnImmediately) answered: no change happened while a config existed")
    return Observed(task_id, config, "config created after SendMessage with returnImmediately", got, path)


@check("a2a.push.config-in-send", protocol="a2a")
def push_config_in_send(ctx: A2aContext) -> None:
    path = webhook_path("in-send")
    config = new_config(ctx, ctx.webhook().url(path))
    answer = ctx.send(configuration={"taskPushNotificationConfig": config, "returnImmediately": True})
    what = "SendMessage with the probe text and a push config in its configuration"
    if answer.error is not None and ctx.send(configuration={"returnImmediately": True}).ok:
        raise loopback_refused(answer, config["url"])
    task_id = str(ctx.created_task(answer, what).get("id"))
    got = ctx.webhook().wait_for(path, lambda found: bool(found), DELIVERY_WAIT)
    listing = list_for(ctx, task_id)
    listed = config["url"] in {c.get("url") for c in listed_configs(listing)}
    if not listed and not (got and state_now(ctx, task_id) in wire.TERMINAL):
        raise Failure(f"{what}: ListTaskPushNotificationConfigs of task {task_id!r} does not show it "
                      f"({listing.describe() if listing.error else str(listing.result)[:200]}); the config should be "
                      "registered for the task")
    if not got:
        raise Failure(f"{what}: the config is listed but no notification reached {config['url']!r} within "
                      f"{DELIVERY_WAIT:g}s")


@check("a2a.push.delivery-at-least-once", protocol="a2a")
def push_delivery_at_least_once(ctx: A2aContext) -> None:
    seen = observe(ctx, "at-least-once")
    if not seen.deliveries:
        raise Failure(f"task {seen.task_id!r} with a push config ({seen.how}) to {seen.config['url']!r}: no POST "
                      f"arrived within {DELIVERY_WAIT:g}s (the task is {state_now(ctx, seen.task_id)} now); the "
                      "agent must notify the webhook of the task's changes")


def payload_problems(ctx: A2aContext, body: Any, task_id: str) -> list[str]:
    if body is None:
        return ["the body is not JSON"]
    if isinstance(body, dict) and "jsonrpc" in body:
        return ["the body is a JSON-RPC envelope, not the bare payload"]
    if ctx.version == wire.V10:
        problems = ctx.errors("StreamResponse", body)
    else:
        problems = ctx.errors("Task", body)
        if not (isinstance(body, dict) and body.get("kind") == "task"):
            problems.append(f"kind {body.get('kind') if isinstance(body, dict) else None!r}, not 'task'")
    if body_task_id(body) != task_id:
        problems.append(f"about task {body_task_id(body)!r}, not {task_id!r}")
    return problems


@check("a2a.push.delivery-payload", protocol="a2a")
def push_delivery_payload(ctx: A2aContext) -> None:
    seen = observe(ctx, "payload")
    wanted = "a StreamResponse (4.3.3)" if ctx.version == wire.V10 else "the Task (9.5)"
    for index, delivery in enumerate(seen.require_some()):
        problems = payload_problems(ctx, delivery.json, seen.task_id)
        if problems:
            raise Failure(f"webhook delivery {index} about task {seen.task_id!r}: {'; '.join(problems[:4])}; the "
                          f"body must be {wanted}: {delivery.body[:300]!r}")


@check("a2a.push.delivery-auth", protocol="a2a")
def push_delivery_auth(ctx: A2aContext) -> None:
    seen = observe(ctx, "auth")
    auth = seen.config["authentication"]
    for index, delivery in enumerate(seen.require_some()):
        header = delivery.headers.get("authorization", "")
        scheme, _, credentials = header.partition(" ")
        ok = scheme.lower() == auth["scheme"].lower() and (ctx.version == wire.V03 or credentials.strip() == auth["credentials"])
        if not ok:
            raise Failure(f"webhook delivery {index} about task {seen.task_id!r}: Authorization is {header[:60]!r}; "
                          f"the config asked for scheme {auth['scheme']!r} with its credentials, so it should be "
                          f"'{auth['scheme']} <credentials>'")


@check("a2a.push.delivery-token", protocol="a2a")
def push_delivery_token(ctx: A2aContext) -> None:
    seen = observe(ctx, "token")
    for index, delivery in enumerate(seen.require_some()):
        if delivery.headers.get(TOKEN_HEADER) != seen.config["token"]:
            raise Failure(f"webhook delivery {index} about task {seen.task_id!r}: X-A2A-Notification-Token is "
                          f"{delivery.headers.get(TOKEN_HEADER)!r}; the config's token was {seen.config['token']!r} (9.5)")


@check("a2a.push.delivery-content-type", protocol="a2a")
def push_delivery_content_type(ctx: A2aContext) -> None:
    seen = observe(ctx, "content-type")
    for index, delivery in enumerate(seen.require_some()):
        declared = delivery.headers.get("content-type", "")
        if declared.split(";")[0].strip().lower() not in JSON_TYPES:
            raise Failure(f"webhook delivery {index} about task {seen.task_id!r} declares Content-Type {declared!r}; "
                          f"it should be {' or '.join(JSON_TYPES)}")


def repeated(deliveries: list[Delivery]) -> list[Delivery]:
    """The attempts of the first body that was delivered more than once."""
    by_body: dict[bytes, list[Delivery]] = {}
    for delivery in deliveries:
        by_body.setdefault(delivery.body, []).append(delivery)
    return next((attempts for attempts in by_body.values() if len(attempts) > 1), [])


def retry_window(ctx: A2aContext) -> float:
    """RETRY_WINDOW, cut to the run's read timeout (the longest accord waits for any one answer)."""
    return min(RETRY_WINDOW, ctx.limits.read_timeout)


def attempt_times(deliveries: list[Delivery]) -> str:
    start = deliveries[0].at
    return ", ".join(f"+{d.at - start:.2f}s" for d in deliveries[:8]) + (" ..." if len(deliveries) > 8 else "")


@check("a2a.push.delivery-retry", protocol="a2a")
def push_delivery_retry(ctx: A2aContext) -> None:
    failing = WebhookReceiver(status=RETRY_STATUS)
    window = retry_window(ctx)
    try:
        seen = observe(ctx, "retry", hook=failing, enough=bool)
        if not seen.deliveries:
            raise Skip(f"no webhook delivery about task {seen.task_id!r} ({seen.how}) reached {seen.config['url']!r} "
                       f"within {DELIVERY_WAIT:g}s, so there was no failed delivery to retry (see "
                       "a2a.push.delivery-at-least-once)")
        first = seen.deliveries[0].at
        got = failing.wait_for(seen.path, lambda found: len(repeated(found)) >= BACKOFF_ATTEMPTS,
                               max(0.0, first + window - time.monotonic()))
        watched = time.monotonic() - first
    finally:
        failing.close()
    attempts = repeated(got)
    what = (f"the webhook {seen.config['url']!r} answered HTTP {RETRY_STATUS} to every request about task "
            f"{seen.task_id!r} ({seen.how}); accord watched it for {watched:.1f}s after the first attempt "
            f"(up to {window:g}s: a first retry delay of up to {RETRY_FIRST_DELAY_MAX:g}s, doubled once)")
    if not attempts:
        bodies = len({d.body for d in got})
        raise Failure(f"{what}: {len(got)} request(s) with {bodies} different body(ies) arrived at "
                      f"{attempt_times(got)}, none a repeat; failed deliveries should be retried with backoff (13.2)")
    gaps = [b.at - a.at for a, b in zip(attempts, attempts[1:])]
    if any(later < earlier * 0.9 for earlier, later in zip(gaps, gaps[1:])):
        raise Failure(f"{what}: one delivery was attempted {len(attempts)} times, at {attempt_times(attempts)}: the "
                      f"waits ({', '.join(f'{g:.2f}s' for g in gaps)}) shrink; they should grow (backoff, 13.2)")


@check("a2a.push.no-delivery-after-delete", protocol="a2a")
def push_no_delivery_after_delete(ctx: A2aContext) -> None:
    task = probe_task(ctx)
    if wire.state_of(task) in wire.TERMINAL:
        raise NotApplicable(f"the probe task was already {wire.state_of(task)} when SendMessage (returnImmediately) "
                            "answered: no change can follow a deletion")
    made = register(ctx, "after-delete", task)
    hook, path = ctx.webhook(), made.sent["url"].split("/", 3)[-1]
    if not made.sent["url"].startswith(hook.url("")):
        raise loopback_refused(made.answer, hook.url(path))
    hook.wait_for(path, lambda got: bool(got), 1.0)
    before = ctx.get_task(made.task_id).task() or {}
    if wire.state_of(before) in wire.TERMINAL:
        raise NotApplicable(f"the task was {wire.state_of(before)} before the config could be deleted")
    what = f"DeleteTaskPushNotificationConfig {made.config_id!r} of task {made.task_id!r} (then {wire.state_of(before)})"
    answer = delete(ctx, made.task_id, made.config_id)
    if answer.error is not None:
        raise Failure(f"{what}: {answer.describe()}")
    deleted_at = time.monotonic()
    after = before
    for _ in range(SETTLE_POLLS):
        time.sleep(SETTLE_INTERVAL)
        after = ctx.get_task(made.task_id).task() or after
        if wire.state_of(after) in wire.TERMINAL:
            break
    time.sleep(AFTER_DELETE_GRACE)
    if json.dumps(after.get("status"), sort_keys=True) == json.dumps(before.get("status"), sort_keys=True):
        raise NotApplicable(f"after {what} the task did not change within {SETTLE_POLLS * SETTLE_INTERVAL:g}s; "
                            "nothing could have been notified")
    late = [d for d in hook.received(path) if d.at > deleted_at + AFTER_DELETE_GRACE]
    if late:
        raise Failure(f"after {what}, {len(late)} notification(s) still reached {made.sent['url']!r} (the task went "
                      f"on to {wire.state_of(after)}); none may follow the deletion (3.1.10)")
