"""The A2A suite (Agent2Agent 1.0 and 0.3): one run judges one declared binding of one agent.

The agent card at /.well-known/agent-card.json names the interfaces; ``expand_target`` turns
``a2a+http://HOST:PORT`` into one run per binding the card declares for the spec's version
(``...#jsonrpc``, ``...#http-json``, ``...#grpc``). Every request carries ``A2A-Version`` of the
spec being judged, so a 1.0 agent is never judged by 0.3 rules or the other way round.
"""

from __future__ import annotations

from typing import Any

from ...catalogue import Requirement
from ...outcomes import Skip
from ...peer import PeerUnavailable, RestPeer, TargetError
from ...results import Implementation
from ...settings import RunSettings
from ...specs import Spec
from ...suite import Suite
from ...targets import open_peer
from . import wire
from .bindings import BINDINGS, Binding
from .card import Interface, declares, fetch_card, interfaces
from .context import A2aContext
from .webhook import WebhookReceiver


def binding_of(target: str) -> str | None:
    _, hash_, fragment = target.partition("#")
    return fragment or None if hash_ else None


def version_of(spec: Spec) -> str:
    return wire.SPEC_VERSIONS.get(spec.ref.version, spec.ref.version)


def grpc_unavailable(version: str = wire.V10) -> str | None:
    """Why a gRPC interface of A2A ``version`` cannot be judged here (grpcio missing, ...), or None."""
    from .grpc_binding import unsupported_version

    return unsupported_version(version)


class A2aSuite(Suite):
    protocol = "a2a"
    needed_definitions = ("AgentCard", "Task", "Message")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.version = version_of(self.spec)
        self.card: dict[str, Any] | None = None
        self.card_problem: str | None = None
        self.interface: Interface | None = None
        self.binding: Binding | None = None
        self.bindings: dict[str, Binding] = {}
        self.blocked: str | None = None
        self._webhook: WebhookReceiver | None = None

    @classmethod
    def expand_target(cls, target: str, settings: RunSettings, spec: Spec | None = None) -> list[tuple[str, str]]:
        if binding_of(target):
            return [(binding_of(target) or "", target)]
        version = version_of(spec) if spec is not None else wire.V10
        peer = open_peer(target, settings.limits)
        try:
            if not isinstance(peer, RestPeer):
                raise TargetError(f"{target!r} is not an A2A target; write a2a+http://HOST:PORT")
            reply = fetch_card(peer, version)
        finally:
            peer.close()
        if not isinstance(reply.json, dict):
            return [("", target)]  # no card to read: one run, in which the card requirements fail
        declared = interfaces(reply.json, version)
        if not declared:
            raise PeerUnavailable(
                f"{target}: the agent card at /.well-known/agent-card.json declares no interface for A2A {version} "
                f"({reply.describe()[:200]}); try --spec a2a@0.3.0 or a2a@1.0"
            )
        base = target.split("#", 1)[0]
        names = list(dict.fromkeys(i.binding for i in declared))
        return [(name, f"{base}#{name}") for name in names]

    def start(self) -> Implementation:
        peer = self.open_peer(keep=True)
        if not isinstance(peer, RestPeer):
            raise TargetError(f"{self.target!r} is not an A2A target; write a2a+http://HOST:PORT")
        reply = fetch_card(peer, self.version)
        if reply.status is None:
            raise PeerUnavailable(f"{self.target}: no answer to GET /.well-known/agent-card.json ({reply.describe()})")
        if reply.status == 200 and isinstance(reply.json, dict):
            self.card = reply.json
        else:
            self.card_problem = f"GET /.well-known/agent-card.json gave {reply.describe()[:200]}"
        declared = interfaces(self.card, self.version)
        wanted = binding_of(self.target) or (declared[0].binding if declared else "")
        unusable: dict[str, str] = {}
        for interface in declared:
            if interface.binding in self.bindings:
                continue
            if interface.binding == "grpc" and grpc_unavailable(self.version) is None:
                from .grpc_binding import open_grpc_binding

                try:
                    self.bindings["grpc"] = open_grpc_binding(self, interface.url, self.version)  # type: ignore[assignment]
                except TargetError as error:
                    unusable[interface.binding] = f"the card's gRPC interface cannot be used: {error}"
            elif interface.declared.upper() in BINDINGS:
                self.bindings[interface.binding] = self._bind(interface, peer)
        self.interface = next((i for i in declared if i.binding == wanted), None)
        self.agent = wanted
        if self.card is None:
            self.blocked = f"the agent card could not be read ({self.card_problem}), so no interface is known"
        elif self.interface is None:
            self.blocked = f"the card declares no {wanted or 'usable'} interface for A2A {self.version}"
        elif self.interface.binding == "grpc" and grpc_unavailable(self.version):
            self.blocked = grpc_unavailable(self.version)
        else:
            self.binding = self.bindings.get(self.interface.binding)
            if self.binding is None:
                self.blocked = unusable.get(self.interface.binding) or \
                    f"accord does not speak the {self.interface.declared!r} binding"
        card = self.card or {}
        return Implementation(name=str(card.get("name") or "unknown"), version=str(card.get("version") or ""))

    def _bind(self, interface: Interface, base: RestPeer) -> Binding:
        peer = base if interface.origin == base.base_url.rstrip("/") else self._peer_at(interface.origin)
        headed = peer.fresh() if hasattr(peer, "default_headers") else peer
        headed.default_headers = {  # type: ignore[attr-defined]
            **getattr(peer, "default_headers", {}), **dict(self.settings.headers), "A2A-Version": self.version}
        self.peers.append(headed)
        return BINDINGS[interface.declared.upper()](headed, interface.path, self.version)

    def _peer_at(self, origin: str) -> RestPeer:
        peer = open_peer(f"a2a+{origin}", self.settings.limits)
        assert isinstance(peer, RestPeer)
        self.peers.append(peer)
        return peer

    @property
    def transport(self) -> str:
        """The transport of the binding under test (grpc for a gRPC interface), else the card's (http)."""
        if self.binding is not None:
            return self.binding.peer.transport
        return "grpc" if self.interface is not None and self.interface.binding == "grpc" else super().transport

    def webhook(self) -> WebhookReceiver:
        if self._webhook is None:
            self._webhook = WebhookReceiver()
        return self._webhook

    def context(self) -> A2aContext:
        return A2aContext(self)

    def cannot_judge(self, requirement: Requirement) -> str | None:
        if self.card is None and requirement.id.startswith("a2a.card."):
            return None  # judged, and failed, for want of a card
        return self.blocked

    def not_applicable(self, requirement: Requirement) -> str | None:
        if requirement.transport and self.interface and requirement.transport != self.interface.binding:
            return f"applies to the {requirement.transport} binding only; this run judges {self.interface.binding}"
        if requirement.capability and self.card is not None and not declares(self.card, requirement.capability):
            where = "" if requirement.capability == "supportsAuthenticatedExtendedCard" else "capabilities."
            return f"the agent card does not declare {where}{requirement.capability}"
        return None

    def require_card(self) -> dict[str, Any]:
        if self.card is None:
            raise Skip(f"the agent card could not be read ({self.card_problem}); see a2a.card.available")
        return self.card

    def close(self) -> None:
        if self._webhook is not None:
            self._webhook.close()
        super().close()


from . import checks  # noqa: E402,F401  (registers the checks)
