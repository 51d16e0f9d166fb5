"""Sessions (RunCreateRequest.session_id / session, GET /session/{session_id}, Session).

Sessions are observed, not declared: a server supports them when a Run created
with a session_id carries a session_id; otherwise the checks are NotApplicable.
Every session a check uses is a fresh random UUID. The session route is
/session/{id} in the OpenAPI document and /sessions/{id} in the docs and acp-sdk
(ERRATA.md, E3): either one answering counts, the spec's path is tried first,
and messages name the path that answered.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ....outcomes import Failure, NotApplicable
from ....peer import Reply
from ....registry import check
from ..context import AcpContext, RunTrace
from .discovery import require_refusal
from .lifecycle import probe_messages, resume_for

SESSION_PATHS = ("/session/", "/sessions/")
"""The spec's session route first, then the one acp-sdk serves (ERRATA.md, E3)."""


def new_session_id() -> str:
    return str(uuid.uuid4())


def session_run(ctx: AcpContext, session_id: str, mode: str = "sync") -> RunTrace:
    """A run in session ``session_id``; NotApplicable when the server's runs carry no session_id."""
    trace = ctx.start_run(mode, probe_messages(ctx), session_id)
    ctx.require_run_id(trace, f"a {mode} POST /runs with session_id {session_id}")
    carried = (trace.run or {}).get("session_id")
    if carried is None:
        raise NotApplicable("a run created with a session_id came back with no session_id, "
                            "so the server does not support sessions")
    return trace


@dataclass
class SessionRead:
    path: str
    reply: Reply
    tried: list[str]
    """'PATH: outcome' of every path tried before the one kept."""


def read_session(ctx: AcpContext, session_id: str) -> SessionRead:
    """GET the session on the spec's path, else acp-sdk's; the first 200 wins, else the spec path's reply."""
    tried: list[str] = []
    first: SessionRead | None = None
    for prefix in SESSION_PATHS:
        path = prefix + session_id
        reply = ctx.peer.request("GET", path)
        read = SessionRead(path, reply, list(tried))
        if reply.status == 200:
            return read
        first = first or read
        tried.append(f"GET {path}: HTTP {reply.status}")
    assert first is not None
    first.tried = tried
    return first


def require_session(ctx: AcpContext, session_id: str, what: str) -> dict[str, Any]:
    """The Session of ``session_id`` after ``what``: 200, valid, of that id, with URI history entries."""
    read = read_session(ctx, session_id)
    if read.reply.status != 200:
        raise Failure(f"after {what}, neither session route answered: {'; '.join(read.tried)} "
                      f"({read.reply.describe()}); GET /session/{{id}} (or /sessions/{{id}}, as acp-sdk serves "
                      "it) must answer 200 with the Session")
    body = read.reply.json
    ctx.require_valid("Session", body, f"GET {read.path}: the body")
    if body.get("id") != session_id:
        raise Failure(f"GET {read.path} answered the session {body.get('id')!r}, not {session_id!r}")
    not_uris = [entry for entry in body["history"] if not is_uri(entry)]
    if not_uris:
        raise Failure(f"GET {read.path}: history entries must be URIs; these are not: {not_uris[:3]}")
    if body.get("state") is not None and not is_uri(body["state"]):
        raise Failure(f"GET {read.path}: state must be a URI (or null), got {body['state']!r}")
    return body


def is_uri(value: Any) -> bool:
    if not isinstance(value, str) or any(c.isspace() for c in value):
        return False
    parts = urlsplit(value)
    return bool(parts.scheme) and parts.scheme[0].isalpha() and bool(parts.netloc or parts.path)


def completed_in_session(ctx: AcpContext, session_id: str) -> str | None:
    """Run once in the session (resuming it once if it awaits); the status it settled in."""
    trace = session_run(ctx, session_id)
    if trace.status == "awaiting" and trace.run_id:
        reply = ctx.resume(trace.run_id, resume_for((trace.run or {}).get("await_request")), "sync")
        return reply.json.get("status") if isinstance(reply.json, dict) else None
    return trace.status


@check("acp.sessions.id-kept", protocol="acp")
def runs_keep_their_session_id(ctx: AcpContext) -> None:
    session_id = new_session_id()
    trace = session_run(ctx, session_id, "async")
    seen = {"the async reply to POST /runs": (trace.run or {}).get("session_id")}
    got = ctx.get_run(trace.run_id or "")
    if isinstance(got.json, dict):
        seen["GET /runs/{id}"] = got.json.get("session_id")
    events = ctx.run_events(trace.run_id or "")
    listed = events.json.get("events") if isinstance(events.json, dict) else None
    for index, event in enumerate(listed if isinstance(listed, list) else []):
        if isinstance(event, dict) and isinstance(event.get("run"), dict):
            seen[f"the {event.get('type')} event (#{index}) of GET /runs/{{id}}/events"] = event["run"].get("session_id")
    wrong = {where: value for where, value in seen.items() if value != session_id}
    if wrong:
        where, value = next(iter(wrong.items()))
        raise Failure(f"a run created with session_id {session_id} shows session_id {value!r} in {where}; "
                      "every Run of it must carry the session_id it was created with")


@check("acp.sessions.descriptor-accepted", protocol="acp")
def session_descriptors_are_accepted(ctx: AcpContext) -> None:
    session_id = new_session_id()
    body = {**ctx.run_request("async", probe_messages(ctx)), "session": {"id": session_id, "history": []}}
    reply = ctx.post_run(body)
    what = f"an async POST /runs with the session descriptor {body['session']}"
    if reply.status is None or not 200 <= reply.status < 300 or not isinstance(reply.json, dict):
        raise Failure(f"{what} was not accepted: {reply.describe()}; RunCreateRequest allows a session descriptor")
    if reply.json.get("session_id") is None:
        raise NotApplicable(f"{what} came back with no session_id, so the server does not support sessions")
    if reply.json.get("session_id") != session_id:
        raise Failure(f"{what} came back with session_id {reply.json.get('session_id')!r}; the run belongs to the "
                      "descriptor's session, so it must report its id")


@check("acp.sessions.get-ok", protocol="acp")
def sessions_can_be_read(ctx: AcpContext) -> None:
    session_id = new_session_id()
    session_run(ctx, session_id)
    require_session(ctx, session_id, f"a run in session {session_id}")


@check("acp.sessions.history-extends", protocol="acp")
def session_history_grows(ctx: AcpContext) -> None:
    session_id = new_session_id()
    histories: list[list[str]] = []
    for attempt in ("first", "second"):
        status = completed_in_session(ctx, session_id)
        if status != "completed":
            raise NotApplicable(f"the {attempt} run in the session ended {status or 'with no status'}, "
                                "not completed, so the history after completed runs cannot be compared")
        histories.append(list(require_session(ctx, session_id, f"the {attempt} completed run in the session")["history"]))
    before, after = histories
    if len(after) <= len(before):
        raise Failure(f"after a second completed run in session {session_id}, its history has {len(after)} "
                      f"entries, after the first {len(before)}; another run must make it longer")
    if after[:len(before)] != before:
        raise Failure(f"after a second completed run in session {session_id}, its history no longer begins with "
                      f"the entries it had after the first ({before[:3]}...; now {after[:3]}...)")


@check("acp.sessions.unknown-not-found", protocol="acp")
def unknown_sessions_are_not_found(ctx: AcpContext) -> None:
    known = new_session_id()
    session_run(ctx, known)
    route = read_session(ctx, known)
    if route.reply.status != 200:
        raise NotApplicable(f"no session route answers for a session a run used ({'; '.join(route.tried)}), "
                            "so there is no route to ask for an unknown one; see acp.sessions.get-ok")
    unknown = new_session_id()
    path = route.path.rsplit("/", 1)[0] + "/" + unknown
    require_refusal(ctx, ctx.peer.request("GET", path), {404: "not_found"}, f"GET {path} (a random session id no run used)")
