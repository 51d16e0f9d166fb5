"""accord adapter that replays a recorded run offline: targets ``replay:PATH``.

Record by wrapping a live peer, then save::

    peer = accord_replay.Recorder(accord_http.open_peer(target, limits))
    ...  # run checks against ``peer``
    peer.save("run.transcript.json")

and later run against ``replay:run.transcript.json``: the same peer code
(``accord_http.HttpPeer``, or the stdio line logic of ``accord_stdio``) runs
against the recorded answers, with no agent and no network.

Transcript format (JSON, UTF-8)::

    {
      "format": "accord-transcript",
      "version": 1,
      "transport": "http" | "stdio",
      "target": "<the recorded target string>",
      "url": "<endpoint URL>",              # http only
      "argv": ["cmd", "arg", ...],          # stdio only
      "exchanges": [EXCHANGE, ...]          # in the order they happened
    }

A byte string is stored as its text when it is valid UTF-8, otherwise as
``{"base64": "..."}``. Every exchange carries ``"connection": N``, the
recorder it came from (0 for the first, then one per ``fresh()``).

HTTP exchange (one per HTTP request, including the DELETE sent at close)::

    {"request":  {"method", "url", "headers": {name: value}, "body": BYTES},
     "response": {"status", "headers": [[name, value], ...], "body": BYTES} | null,
     "error": "<transport error text>" | null, "error_type": "<httpx class>" | null,
     "timed_out": bool, "timeout": seconds}

Request headers and response headers are stored with secrets redacted
(Authorization, Cookie, Set-Cookie, anything naming a token, key or secret).
The response body is what the peer read: decoded, and partial when the
reader stopped early (the response arrived, a limit was hit).

stdio exchange (one per call on the peer)::

    {"op": "send" | "collect" | "read_lines" | "write_raw" | "close_stdin"
           | "wait_exit" | "stderr_text",
     "sent": BYTES | null,                  # exactly the bytes written
     "received": [BYTES, ...],              # stdout lines consumed, no newline
     "cut": [index, ...],                   # optional: lines cut at the byte limit
     "end": {"reason", "code"} | absent,    # the process ended during this call
     "write_problem": "..." | absent,
     "result": ...}                         # wait_exit / stderr_text return value

Replay matching: HTTP requests by method and exact body, stdio calls by
operation and exact bytes written; each key has a queue served in recorded
order (connections share the queues, so ``fresh()`` peers replay in order
too). A request with no recorded answer left gets a Reply whose problems
say ``not in transcript``. A recorded reply that ran out the clock is
replayed as the recorded bytes followed by silence, so it times out again.
"""

from __future__ import annotations

from accord.peer import Limits, Peer

from .recorder import HttpRecorder, Recorder, StdioRecorder
from .replay import NOT_IN_TRANSCRIPT, ReplayStdioPeer, StdioScript, open_http_replay, replay_transport
from .transcript import FORMAT, VERSION, load


def open_peer(target: str, limits: Limits) -> Peer:
    path = target[len("replay:"):] if target.startswith("replay:") else target
    data = load(path)
    if data["transport"] == "http":
        return open_http_replay(target, limits, data)
    return ReplayStdioPeer(target, limits, StdioScript(data["exchanges"]), list(data.get("argv", [])))


__all__ = [
    "FORMAT",
    "NOT_IN_TRANSCRIPT",
    "VERSION",
    "HttpRecorder",
    "Recorder",
    "ReplayStdioPeer",
    "StdioRecorder",
    "load",
    "open_peer",
    "replay_transport",
]
