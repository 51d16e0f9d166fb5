"""The ACP suite: the BeeAI / Linux Foundation Agent Communication Protocol 0.2.0, REST and SSE.

Not AGNTCY's Agent Connect Protocol, nor the editor-facing Agent Client
Protocol. A server may serve several agents: one run judges one of them, named
by the target's fragment (``acp+http://127.0.0.1:8000#echo``); ``expand_target``
turns a target without one into a target per agent the server lists.
"""

from __future__ import annotations

from typing import Any

from ...catalogue import Requirement
from ...outcomes import Skip
from ...peer import PeerUnavailable, RestPeer, TargetError
from ...results import Implementation
from ...settings import RunSettings
from ...suite import Suite
from ...targets import open_peer
from .context import AcpContext, list_agent_names


def agent_of(target: str) -> str | None:
    _, hash_, fragment = target.partition("#")
    return fragment or None if hash_ else None


class AcpSuite(Suite):
    protocol = "acp"
    hosts_agents = True
    needed_definitions = (
        "AgentManifest", "AgentsListResponse", "Run", "RunCreateRequest", "RunResumeRequest", "Message",
        "MessagePart", "Session", "Error", "Event",
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.agent: str = ""
        self.manifest: dict[str, Any] | None = None
        self.manifest_problem: str | None = None
        self.peer: RestPeer | None = None

    @classmethod
    def expand_target(cls, target: str, settings: RunSettings, spec: Any = None) -> list[tuple[str, str]]:
        """One (agent name, target) per agent to judge: the fragment's, the ones
        named in ``settings.agents``, or every agent the server lists."""
        if agent_of(target):
            return [(agent_of(target) or "", target)]
        peer = open_peer(target, settings.limits)
        try:
            if not isinstance(peer, RestPeer):
                raise TargetError(f"{target!r} is not an ACP target; write acp+http://HOST:PORT")
            names = list_agent_names(peer)
        finally:
            peer.close()
        if not names:
            raise PeerUnavailable(f"{target}: GET /agents lists no agent, so there is nothing to judge")
        if settings.agents:
            unknown = sorted(settings.agents - set(names))
            if unknown:
                raise TargetError(f"the server lists no agent named {', '.join(unknown)}; it lists: {', '.join(names)}")
            names = [n for n in names if n in settings.agents]
        base = target.split("#", 1)[0]
        return [(name, f"{base}#{name}") for name in names]

    def start(self) -> Implementation:
        peer = self.open_peer(keep=True)
        if not isinstance(peer, RestPeer):
            raise TargetError(f"{self.target!r} is not an ACP target; write acp+http://HOST:PORT")
        self.peer = peer
        ping = peer.request("GET", "/ping")
        if ping.status is None:
            raise PeerUnavailable(f"{self.target}: no answer to GET /ping ({ping.describe()})")
        self.agent = agent_of(self.target) or next(iter(list_agent_names(peer)), "")
        if not self.agent:
            raise PeerUnavailable(f"{self.target}: GET /agents lists no agent, so there is nothing to judge")
        reply = peer.request("GET", f"/agents/{self.agent}")
        if reply.status == 200 and isinstance(reply.json, dict):
            self.manifest = reply.json
        else:
            self.manifest_problem = f"GET /agents/{self.agent} gave {reply.describe()}"
        version = ""
        if self.manifest and isinstance(self.manifest.get("metadata"), dict):
            version = str(self.manifest["metadata"].get("version") or "")
        return Implementation(name=self.agent, version=version)

    def context(self) -> AcpContext:
        return AcpContext(self)

    def not_applicable(self, requirement: Requirement) -> str | None:
        if requirement.transport and requirement.transport != self.transport:
            return f"applies to the {requirement.transport} transport only; this run uses {self.transport}"
        return None

    def require_manifest(self) -> dict[str, Any]:
        if self.manifest is None:
            raise Skip(f"the agent's manifest could not be read ({self.manifest_problem})")
        return self.manifest


from . import checks  # noqa: E402,F401  (registers the checks)
