"""The MCP suite (handshake era: 2025-06-18 and 2025-11-25)."""

from __future__ import annotations

from typing import Any

from ...catalogue import Requirement
from ...outcomes import Failure, NotApplicable, Skip
from ...peer import PeerUnavailable, Reply, StdioWire
from ...results import Implementation
from ...suite import Suite
from .context import CachedListing, McpContext
from .session import McpSession, Pages


class McpSuite(Suite):
    protocol = "mcp"
    needed_definitions = (
        "InitializeResult", "ServerCapabilities", "Implementation", "Tool", "ListToolsResult", "CallToolResult",
        "ListResourcesResult", "ReadResourceResult", "ListResourceTemplatesResult", "ListPromptsResult",
        "GetPromptResult", "CompleteResult", "EmptyResult", "ServerNotification", "ServerRequest",
        "CallToolRequest", "ReadResourceRequest", "GetPromptRequest", "CompleteRequest", "SetLevelRequest",
    )
    """Definitions the checks validate against; `accord spec lint` reports a draft lacking any."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._shared: McpSession | None = None
        self._init_failure: str | None = None
        self._listings = CachedListing()

    def start(self) -> Implementation:
        peer = self.open_peer(keep=True)
        self._shared = McpSession(peer, self.spec.ref.version)
        try:
            result = self._shared.open()
        except Failure as failure:
            if isinstance(peer, StdioWire) and (code := peer.wait_exit(0.2)) is not None:
                tail = " ".join(peer.stderr_text().split())[-300:]
                raise PeerUnavailable(f"the agent exited with code {code} before answering initialize; stderr: {tail or '(empty)'}")
            self._init_failure = failure.message
            self.essential = {"mcp.lifecycle.initialize-result"}
            return Implementation(name="unknown")
        info = result.get("serverInfo") if isinstance(result.get("serverInfo"), dict) else {}
        return Implementation(name=str(info.get("name", "unknown")), version=str(info.get("version", "")))

    def shared_session(self) -> McpSession:
        if self._shared is None or self._shared.init_result is None:
            raise Skip(f"the agent did not complete initialization ({self._init_failure}); see mcp.lifecycle.initialize-result")
        return self._shared

    def listing(self, method: str, key: str) -> Pages:
        return self._listings.get(self.shared_session(), method, key)

    def context(self) -> McpContext:
        return McpContext(self)

    def not_applicable(self, requirement: Requirement) -> str | None:
        if requirement.transport and requirement.transport != self.transport:
            return f"applies to the {requirement.transport} transport only; this run uses {self.transport}"
        if requirement.capability:
            if self._shared is None or self._shared.init_result is None:
                return None  # the check itself will say initialization failed
            if not declares(self._shared.init_result.get("capabilities"), requirement.capability):
                return f"the server does not declare the {requirement.capability!r} capability"
        return None

    def stderr_tail(self) -> str | None:
        for peer in self.peers:
            if isinstance(peer, StdioWire):
                text = peer.stderr_text()
                return text[-2000:] if text else None
        return None


def declares(capabilities: Any, path: str) -> bool:
    """Whether ``capabilities`` declares the dotted ``path`` (present, and true for a leaf flag)."""
    node = capabilities
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return node is not False and node is not None


def offered_only_if_declared(capabilities: Any, capability: str, reply: Reply, what: str, see: str) -> None:
    """Judge a probe of a capability's method: a success needs the capability declared; a
    declared capability whose method failed is left to ``see``; neither is not-applicable."""
    if isinstance((reply.response or {}).get("result"), dict):
        if not declares(capabilities, capability):
            raise Failure(f"{what} succeeded but the initialize result does not declare the {capability} capability")
        return
    if declares(capabilities, capability):
        raise Skip(f"{what} did not succeed ({reply.describe()}); see {see}")
    raise NotApplicable(f"the server offers no {capability} ({what} did not succeed) and declares none")


from . import checks  # noqa: E402,F401  (registers the checks)
