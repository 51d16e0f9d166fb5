"""Progress notifications (basic/utilities/progress).

Judged over every request of the run that carried a progressToken, after one
probe of our own (once per run): list requests with a token, and a call of a
few tools with small valid arguments and a token. Servers are free to send no
progress at all; then nothing is judged (not applicable, never a pass).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings

from ....outcomes import Failure, NotApplicable, Skip
from ....registry import check
from ....strategies import from_schema
from ..context import McpContext
from .jsonrpc import id_key, short, traffic

PROGRESS = "notifications/progress"
TOOLS_PROBED = 3
EXAMPLES_TRIED = 5
_PROBED: "weakref.WeakSet[Any]" = weakref.WeakSet()


@dataclass
class TokenHistory:
    token: Any
    request_position: int
    response_position: int | None
    notifications: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass
class ProgressTraffic:
    histories: dict[tuple[int, str], TokenHistory] = field(default_factory=dict)
    orphans: list[dict[str, Any]] = field(default_factory=list)
    """Progress notifications whose token no request of that session carried."""

    @property
    def count(self) -> int:
        return sum(len(h.notifications) for h in self.histories.values()) + len(self.orphans)


def tool_arguments(tool: dict[str, Any]) -> dict[str, Any] | None:
    """Valid arguments for ``tool`` (a later, larger example of a few), or None."""
    schema = tool.get("inputSchema")
    if not isinstance(schema, dict):
        return None
    found: list[Any] = []

    @settings(max_examples=EXAMPLES_TRIED, database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), deadline=None)
    @given(from_schema(schema))
    def pick(value: Any) -> None:
        found.append(value)

    try:
        pick()
    except Exception:  # noqa: BLE001 - a schema we cannot generate for: do not call the tool
        return None
    dicts = [v for v in found if isinstance(v, dict)]
    return dicts[-1] if dicts else None


def probe(ctx: McpContext) -> None:
    """Requests with a progressToken, once per run, on the shared session."""
    if ctx.suite in _PROBED:
        return
    _PROBED.add(ctx.suite)
    session = ctx.session
    for capability, method in (("tools", "tools/list"), ("resources", "resources/list"), ("prompts", "prompts/list")):
        if capability in ctx.capabilities:
            session.request(method, {"_meta": {"progressToken": f"accord-progress-{method}"}})
    if "tools" not in ctx.capabilities:
        return
    try:
        listed = ctx.tools()
    except Skip:
        return
    tools = sorted(listed, key=lambda t: "progress" not in f"{t.get('name')} {t.get('description')}".lower())
    for number, tool in enumerate(tools[:TOOLS_PROBED]):
        arguments = tool_arguments(tool)
        if arguments is not None:
            session.request("tools/call", {"name": tool["name"], "arguments": arguments,
                                           "_meta": {"progressToken": 7_000 + number}})


def progress_traffic(ctx: McpContext) -> ProgressTraffic:
    probe(ctx)
    found = ProgressTraffic()
    for index, peer in enumerate(traffic(ctx)):
        tokens: dict[str, TokenHistory] = {}
        for request_key, (_, position, params) in peer.sent_requests.items():
            meta = params.get("_meta") if isinstance(params, dict) else None
            if isinstance(meta, dict) and "progressToken" in meta:
                answered = [r.position for r in peer.responses() if id_key(r.message.get("id")) == request_key]
                history = TokenHistory(meta["progressToken"], position, min(answered) if answered else None)
                tokens[id_key(meta["progressToken"])] = history
                found.histories[(index, id_key(meta["progressToken"]))] = history
        for item in peer.notifications():
            if item.message.get("method") != PROGRESS:
                continue
            params = item.message.get("params") if isinstance(item.message.get("params"), dict) else {}
            history = tokens.get(id_key(params.get("progressToken")))
            if history is None:
                found.orphans.append(item.message)
            else:
                history.notifications.append((item.position, item.message))
    if not found.count:
        raise NotApplicable("the server sent no progress notifications for any request accord made")
    return found


@check("mcp.progress.token-matches", protocol="mcp", kind="observer")
def progress_names_an_active_token(ctx: McpContext) -> None:
    found = progress_traffic(ctx)
    problems = [f"unknown token {m.get('params', {}).get('progressToken')!r}: {short(m)}" for m in found.orphans]
    for history in found.histories.values():
        early = [m for position, m in history.notifications if position < history.request_position]
        problems += [f"token {history.token!r} used before the request carrying it was sent" for _ in early]
    if problems:
        raise Failure(f"{len(problems)} of {found.count} progress notifications name no token of a request in "
                      "progress: " + "; ".join(problems[:3]), example=found.orphans[:3])


@check("mcp.progress.increasing", protocol="mcp", kind="observer")
def progress_values_increase(ctx: McpContext) -> None:
    found = progress_traffic(ctx)
    series = [h for h in found.histories.values() if len(h.notifications) >= 2]
    if not series:
        raise NotApplicable("no progressToken received more than one progress notification, so no increase "
                            "could be observed")
    for history in series:
        values = [m.get("params", {}).get("progress") for _, m in history.notifications]
        for before, after in zip(values, values[1:]):
            numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (before, after))
            if not numbers or not after > before:
                raise Failure(f"progress for token {history.token!r} went {before!r} -> {after!r} "
                              f"(values {values[:10]}); each must be greater than the one before",
                              example=[m for _, m in history.notifications][:5])


@check("mcp.progress.stops-after-completion", protocol="mcp", kind="observer")
def no_progress_after_the_response(ctx: McpContext) -> None:
    found = progress_traffic(ctx)
    judged = [h for h in found.histories.values() if h.notifications and h.response_position is not None]
    if not judged:
        raise NotApplicable("no request that got progress notifications was answered, so nothing can come after")
    late = [(h, m) for h in judged for position, m in h.notifications if position > h.response_position]
    if late:
        history, message = late[0]
        raise Failure(f"{len(late)} progress notification(s) arrived after the response to their request, "
                      f"first for token {history.token!r}: {short(message)}", example=[m for _, m in late[:3]])

