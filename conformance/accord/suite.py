"""What every protocol suite provides to the engine, and what every check gets."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from .catalogue import Requirement
from .peer import MessagePeer, Peer, TargetError, WireEvent
from .results import Implementation
from .settings import RunSettings
from .specs import Spec
from .targets import open_peer


class Suite(ABC):
    """One run of one protocol's checks against one target.

    Keeps every peer it opened (for evidence, and for observer checks that
    judge all the traffic of the run) and closes them all at the end.
    """

    protocol: str = ""
    hosts_agents: bool = False
    """True for protocols whose servers host several agents, each judged in a run of its own (ACP)."""
    agent: str = ""
    """The agent judged, for servers that host several (set by start())."""
    essential: set[str] = set()
    """Requirements judged even when --only leaves them out: set by start() when
    the agent failed something every other check depends on."""

    def __init__(self, spec: Spec, target: str, settings: RunSettings):
        self.spec = spec
        self.target = target
        self.settings = settings
        self.peers: list[Peer] = []
        self._root: Peer | None = None
        self._check_peers: list[Peer] = []

    def open_peer(self, *, keep: bool = False) -> Peer:
        """A new connection, closed when the current check ends unless ``keep``
        (kept peers live until the end of the run)."""
        if self._root is None:
            self._root = open_peer(self.target, self.settings.limits)
            if self.settings.record_path is not None:
                from accord_replay import Recorder

                if not isinstance(self._root, MessagePeer):
                    unrecordable, self._root = self._root, None
                    unrecordable.close()
                    raise TargetError(f"--record can record JSON-RPC transports only; {self.target} is not one")

                self._root = Recorder(self._root)
            peer = self._root
        else:
            peer = self._root.fresh()
        self.peers.append(peer)
        if not keep:
            self._check_peers.append(peer)
        return peer

    @property
    def transport(self) -> str:
        return self._root.transport if self._root else ""

    @classmethod
    def expand_target(cls, target: str, settings: RunSettings, spec: Spec | None = None) -> list[tuple[str, str]]:
        """The runs one target stands for, as (name, target) pairs: one unless the server hosts
        several agents (ACP) or declares several bindings (A2A), each judged in a run of its own."""
        return [("", target)]

    def cannot_judge(self, requirement: Requirement) -> str | None:
        """Why the harness cannot judge anything of this run here (a skip), if so."""
        return None

    @abstractmethod
    def start(self) -> Implementation:
        """Connect and find out what the agent is; PeerUnavailable if it cannot be reached."""

    @abstractmethod
    def context(self) -> Any:
        """The object every check of this protocol receives."""

    @abstractmethod
    def not_applicable(self, requirement: Requirement) -> str | None:
        """Why the requirement does not apply to this agent (None: it applies)."""

    def begin_check(self) -> dict[int, int]:
        self._check_peers = []
        return {id(p): p.log.mark() for p in self.peers}

    def end_check(self, marks: dict[int, int]) -> list[WireEvent]:
        """Wire events of the check; closes the peers it opened that are not kept."""
        events: list[WireEvent] = []
        for peer in self.peers:
            events.extend(peer.log.since(marks.get(id(peer), 0)))
        for peer in self._check_peers:
            peer.close()
        self._check_peers = []
        events.sort(key=lambda e: e.at)
        return events

    def close(self) -> None:
        for peer in self.peers:
            peer.close()
        if self.settings.record_path is not None and self._root is not None:
            self._root.save(self.settings.record_path)  # type: ignore[attr-defined]
