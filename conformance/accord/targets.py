"""Turning a target string into a Peer, through the ``accord.adapters`` entry points."""

from __future__ import annotations

import re
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from .peer import Limits, Peer, TargetError

GROUP = "accord.adapters"


@cache
def adapters() -> dict[str, EntryPoint]:
    """Scheme -> entry point of its ``open_peer``, for every installed adapter (built-ins too)."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def scheme_of(target: str) -> str:
    match = re.match(r"^([a-z][a-z0-9+.-]*):", target.strip())
    if not match:
        raise TargetError(
            f"target {target!r} has no scheme; write SCHEME:..., for example "
            f"mcp+stdio:'python server.py' or mcp+http://127.0.0.1:8000/mcp"
        )
    return match.group(1)


def protocol_of(target: str) -> str | None:
    """The protocol a target names by its scheme (mcp+stdio -> mcp), if any."""
    scheme = scheme_of(target)
    return scheme.split("+", 1)[0] if "+" in scheme else None


def open_peer(target: str, limits: Limits) -> Peer:
    scheme = scheme_of(target)
    found = adapters()
    # mcp+https is served by the mcp+http adapter
    entry = found.get(scheme) or (found.get(scheme[:-1]) if scheme.endswith("s") else None)
    if entry is None:
        known = ", ".join(sorted(found)) or "none installed"
        raise TargetError(f"no adapter for scheme {scheme!r} in target {target!r}; known schemes: {known}")
    return entry.load()(target.strip(), limits)
