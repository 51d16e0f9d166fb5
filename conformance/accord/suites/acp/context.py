"""What an ACP check receives: the agent under test, its manifest, and bounded run helpers."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...outcomes import Failure, NotApplicable, Skip
from ...peer import Reply, RestPeer, StreamEvent, WireLog
from ...schema import SchemaDocument

if TYPE_CHECKING:
    from . import AcpSuite

FINAL = frozenset({"completed", "failed", "cancelled"})
"""Terminal run statuses."""
SETTLED = FINAL | {"awaiting"}
"""Statuses a sync run may answer with: terminal, or paused for input."""
TRANSITIONS: dict[str, frozenset[str]] = {
    "created": frozenset({"in-progress"}),
    "in-progress": frozenset({"completed", "awaiting", "cancelling", "failed"}),
    "awaiting": frozenset({"in-progress", "failed", "cancelling"}),
    "cancelling": frozenset({"cancelled"}),
    "completed": frozenset(),
    "failed": frozenset(),
    "cancelled": frozenset(),
}
"""The run lifecycle diagram (core-concepts/agent-run-lifecycle): status -> statuses it may move to."""
CLOSING_EVENTS = frozenset({"run.completed", "run.failed", "run.cancelled", "run.awaiting"})
"""Run events after which a stream has nothing more to say."""
PROBE_TEXT = "accord conformance probe: please answer briefly"
LIST_PAGE = 100
MAX_LIST_PAGES = 50
POLL_INTERVAL = 0.05


def list_agent_names(peer: RestPeer) -> list[str]:
    """Every agent name GET /agents lists, paging with limit/offset, bounded."""
    names: list[str] = []
    for page in range(MAX_LIST_PAGES):
        reply = peer.request("GET", "/agents", params={"limit": LIST_PAGE, "offset": page * LIST_PAGE})
        agents = reply.json.get("agents") if isinstance(reply.json, dict) else None
        if reply.status != 200 or not isinstance(agents, list):
            break
        names.extend(a["name"] for a in agents if isinstance(a, dict) and isinstance(a.get("name"), str))
        if len(agents) < LIST_PAGE:
            break
    return list(dict.fromkeys(names))


def text_message(text: str = PROBE_TEXT, role: str = "user") -> dict[str, Any]:
    return {"role": role, "parts": [{"content_type": "text/plain", "content": text}]}


def event_type(event: StreamEvent) -> str:
    """An ACP event's type: its JSON ``type`` field, else the SSE event name."""
    if isinstance(event.value, dict) and isinstance(event.value.get("type"), str):
        return event.value["type"]
    return event.event


def closes_stream(event: StreamEvent) -> bool:
    return event_type(event) in CLOSING_EVENTS


def require_readable_stream(reply: Reply) -> None:
    """Skip a check that needs a run stream when the agent's answer cannot be read as one: that breach
    is judged by acp.runs.stream-content-type alone."""
    if reply.status is not None and 200 <= reply.status < 300 and reply.content_type != "text/event-stream":
        raise Skip(
            f"the stream run was answered with {reply.content_type or 'no content type'!r}, not text/event-stream, "
            "so it cannot be read as a stream (see acp.runs.stream-content-type)"
        )


@dataclass
class Exchange:
    """One HTTP request of the run and what came back, rebuilt from a peer's wire log."""

    method: str
    url: str
    sent: Any = None
    """The JSON body sent, if any."""
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    received: list[Any] = field(default_factory=list)
    """JSON values received: the body, or each SSE event's data."""

    @property
    def path(self) -> str:
        rest = self.url.split("://", 1)[-1]
        return "/" + rest.split("/", 1)[1].split("?", 1)[0] if "/" in rest else "/"


def exchanges_of(log: WireLog) -> list[Exchange]:
    found: list[Exchange] = []
    pending_body: Any = None
    for event in log.since(0):
        data = event.data
        if event.direction == "sent" and event.channel == "message":
            pending_body = data
        elif event.direction == "sent" and event.channel == "http-request":
            found.append(Exchange(str(data.get("method", "")), str(data.get("url", "")), pending_body))
            pending_body = None
        elif found and event.direction == "received" and event.channel == "http-response":
            found[-1].status = data.get("status")
            found[-1].headers = {str(k).lower(): str(v) for k, v in dict(data.get("headers") or {}).items()}
        elif found and event.direction == "received" and event.channel == "message":
            found[-1].received.append(data)
    return found


@dataclass
class RunTrace:
    """One run as accord saw it: the replies, and every status observed in order."""

    mode: str
    created: Reply
    run: dict[str, Any] | None = None
    """The latest run object seen."""
    statuses: list[str] = field(default_factory=list)
    events: list[StreamEvent] = field(default_factory=list)
    polls: list[Reply] = field(default_factory=list)

    @property
    def run_id(self) -> str | None:
        value = (self.run or {}).get("run_id")
        return value if isinstance(value, str) else None

    @property
    def status(self) -> str | None:
        return self.statuses[-1] if self.statuses else None

    def see(self, run: Any) -> None:
        if isinstance(run, dict):
            self.run = run
            status = run.get("status")
            if isinstance(status, str) and (not self.statuses or self.statuses[-1] != status):
                self.statuses.append(status)


class AcpContext:
    def __init__(self, suite: "AcpSuite"):
        self.suite = suite
        self.spec = suite.spec
        self.schema: SchemaDocument = suite.spec.schema
        self.settings = suite.settings
        self.limits = suite.settings.limits
        assert suite.peer is not None
        self.peer: RestPeer = suite.peer
        self.agent: str = suite.agent

    # --- the agent -----------------------------------------------------
    @property
    def manifest(self) -> dict[str, Any]:
        """The agent's manifest (GET /agents/{name}); Skip if it could not be read."""
        return self.suite.require_manifest()

    def fresh(self) -> RestPeer:
        """A new HTTP client to the same server (closed at the end of the check)."""
        peer = self.suite.open_peer()
        assert isinstance(peer, RestPeer)
        return peer

    def exchanges(self) -> list[Exchange]:
        """Every HTTP exchange of the run so far, on every peer (for observer checks)."""
        return [x for peer in self.suite.peers for x in exchanges_of(peer.log)]

    # --- schema --------------------------------------------------------
    def errors(self, definition: str, value: Any) -> list[str]:
        return self.schema.errors(definition, value)

    def require_valid(self, definition: str, value: Any, what: str) -> None:
        problems = self.errors(definition, value)
        if problems:
            raise Failure(f"{what} is not a valid {definition}: " + "; ".join(problems))

    def require_status(self, reply: Reply, expected: int | set[int], what: str) -> None:
        allowed = {expected} if isinstance(expected, int) else expected
        if reply.status not in allowed:
            want = " or ".join(str(s) for s in sorted(allowed))
            raise Failure(f"{what}: expected HTTP {want}, got {reply.describe()}")

    def require_error(self, reply: Reply, status: int | set[int], code: str | None, what: str) -> dict[str, Any]:
        """The reply is a refusal with one of ``status``; if its body carries an error code of the
        enum, that code is ``code``. The body's shape and a code outside the enum are judged by
        acp.errors.body-valid and acp.errors.code-enum, over every refusal of the run."""
        self.require_status(reply, status, what)
        body = reply.json if isinstance(reply.json, dict) else {}
        found = body.get("code")
        if code is not None and self.schema.is_valid("ErrorCode", found) and found != code:
            raise Failure(f"{what}: expected error code {code!r}, got {found!r}")
        return body

    # --- runs ----------------------------------------------------------
    def run_request(
        self,
        mode: str,
        messages: list[dict[str, Any]] | None = None,
        session_id: str | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"agent_name": self.agent, "input": messages or [text_message()], "mode": mode}
        if session_id is not None:
            body["session_id"] = session_id
        return body

    def post_run(self, body: Any, *, peer: RestPeer | None = None, timeout: float | None = None) -> Reply:
        """POST /runs with ``body`` as given; a stream is read until its closing run event."""
        return (peer or self.peer).request("POST", "/runs", json=body, timeout=timeout, stop=closes_stream)

    def start_run(
        self,
        mode: str,
        messages: list[dict[str, Any]] | None = None,
        session_id: str | None = None,
        *,
        peer: RestPeer | None = None,
    ) -> RunTrace:
        """Create a run; for stream mode the trace holds the events and the run they carried."""
        reply = self.post_run(self.run_request(mode, messages, session_id), peer=peer)
        if mode == "stream":
            require_readable_stream(reply)
        trace = RunTrace(mode, reply)
        if mode == "stream":
            trace.events = list(reply.events)
            for event in reply.events:
                if isinstance(event.value, dict) and isinstance(event.value.get("run"), dict):
                    trace.see(event.value["run"])
        else:
            trace.see(reply.json)
        return trace

    def get_run(self, run_id: str, *, peer: RestPeer | None = None) -> Reply:
        return (peer or self.peer).request("GET", f"/runs/{run_id}")

    def poll(self, trace: RunTrace, until: frozenset[str] = SETTLED, timeout: float | None = None) -> RunTrace:
        """GET the run until its status is in ``until`` or ``timeout`` passes (bounded)."""
        run_id = trace.run_id
        if run_id is None:
            return trace
        deadline = time.monotonic() + (timeout if timeout is not None else self.limits.read_timeout)
        while trace.status not in until and time.monotonic() < deadline:
            reply = self.get_run(run_id)
            trace.polls.append(reply)
            if reply.status != 200:
                break
            trace.see(reply.json)
            if trace.status not in until:
                time.sleep(POLL_INTERVAL)
        return trace

    def run_to_end(self, mode: str, messages: list[dict[str, Any]] | None = None, session_id: str | None = None) -> RunTrace:
        """Create a run in ``mode`` and follow it until it is final or awaiting."""
        trace = self.start_run(mode, messages, session_id)
        if trace.status not in SETTLED:
            self.poll(trace)
        return trace

    def require_run_id(self, trace: RunTrace, what: str) -> str:
        if trace.run_id is None:
            raise Failure(f"{what}: no run with a run_id came back: {trace.created.describe()}")
        return trace.run_id

    def cancel(self, run_id: str) -> Reply:
        return self.peer.request("POST", f"/runs/{run_id}/cancel")

    def resume(self, run_id: str, await_resume: dict[str, Any], mode: str = "sync") -> Reply:
        return self.peer.request(
            "POST", f"/runs/{run_id}", json={"run_id": run_id, "await_resume": await_resume, "mode": mode},
            stop=closes_stream,
        )

    def run_events(self, run_id: str) -> Reply:
        return self.peer.request("GET", f"/runs/{run_id}/events")

    def session(self, session_id: str) -> Reply:
        """GET /session/{id}, the spec's path (acp-sdk serves /sessions/{id}: see ERRATA.md)."""
        return self.peer.request("GET", f"/session/{session_id}")

    def awaiting_run(self) -> RunTrace:
        """A run of this agent that is awaiting input; NotApplicable if the probe input does not make it await."""
        trace = self.run_to_end("async")
        if trace.status != "awaiting":
            raise NotApplicable(
                f"the agent's run ended {trace.status or 'unknown'} without awaiting input, so await/resume cannot be exercised"
            )
        return trace

    def observations(self) -> dict[str, Any]:
        """What earlier checks of this run observed about the agent, by key (say, that its runs never await),
        so later checks need not observe it again."""
        return self.suite.__dict__.setdefault("acp_observations", {})
