"""What an MCP check receives: the shared session, fresh sessions, the spec."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...outcomes import Failure, NotApplicable, Skip
from ...peer import HttpWire, Peer, StdioWire
from ...schema import SchemaDocument
from .session import McpSession, Pages

if TYPE_CHECKING:
    from . import McpSuite


class McpContext:
    def __init__(self, suite: "McpSuite"):
        self.suite = suite
        self.spec = suite.spec
        self.schema: SchemaDocument = suite.spec.schema
        self.settings = suite.settings
        self.version = suite.spec.ref.version

    # --- sessions ------------------------------------------------------
    @property
    def session(self) -> McpSession:
        """The run's shared, initialized session (read-only checks use it)."""
        return self.suite.shared_session()

    @property
    def init(self) -> dict[str, Any]:
        result = self.session.init_result
        assert result is not None
        return result

    @property
    def capabilities(self) -> dict[str, Any]:
        caps = self.init.get("capabilities")
        return caps if isinstance(caps, dict) else {}

    def fresh(self) -> McpSession:
        """A new connection, not initialized (closed at the end of the check)."""
        return McpSession(self.suite.open_peer(), self.version)

    def opened(self) -> McpSession:
        """A new connection, initialized (closed at the end of the check)."""
        session = self.fresh()
        session.open()
        return session

    @property
    def transport(self) -> str:
        return self.suite.transport

    def http(self, peer: Peer | None = None) -> HttpWire:
        peer = peer or self.fresh().peer
        if not isinstance(peer, HttpWire):
            raise NotApplicable("needs the HTTP transport")
        return peer

    def stdio(self, peer: Peer | None = None) -> StdioWire:
        peer = peer or self.fresh().peer
        if not isinstance(peer, StdioWire):
            raise NotApplicable("needs the stdio transport")
        return peer

    # --- what the server offers (listed once per run) ---------------------
    def listing(self, method: str, key: str) -> Pages:
        return self.suite.listing(method, key)

    def tools(self, *, callable_only: bool = True) -> list[dict[str, Any]]:
        tools = [t for t in self.listing("tools/list", "tools").items if isinstance(t, dict)]
        if callable_only:
            tools = [t for t in tools if t.get("name") not in self.settings.exclude_tools]
        return tools

    def resources(self) -> list[dict[str, Any]]:
        return [r for r in self.listing("resources/list", "resources").items if isinstance(r, dict)]

    def prompts(self) -> list[dict[str, Any]]:
        return [p for p in self.listing("prompts/list", "prompts").items if isinstance(p, dict)]

    def require(self, condition: object, reason: str) -> None:
        """NotApplicable unless ``condition``: the agent offers nothing this check can use."""
        if not condition:
            raise NotApplicable(reason)

    # --- schema -----------------------------------------------------------
    def result_definition(self, method: str) -> str | None:
        return result_definition(self.schema, method)

    def validate(self, definition: str, instance: Any, what: str) -> None:
        """Failure unless ``instance`` is valid against ``definition``."""
        if not self.schema.has(definition):
            raise Skip(f"the schema in use has no definition {definition}")
        errors = self.schema.errors(definition, instance)
        if errors:
            raise Failure(f"{what} is not a valid {definition}: " + "; ".join(errors), example=instance)


def result_definition(schema: SchemaDocument, method: str) -> str | None:
    """The definition a successful response to ``method`` must match."""
    request = schema.request_methods.get(method)
    if request is None:
        return None
    candidate = request[: -len("Request")] + "Result"
    if schema.has(candidate):
        return candidate
    return "EmptyResult" if schema.has("EmptyResult") else "Result"


def error_definition(schema: SchemaDocument) -> str:
    return "JSONRPCErrorResponse" if schema.has("JSONRPCErrorResponse") else "JSONRPCError"


def response_definition(schema: SchemaDocument) -> str:
    return "JSONRPCResultResponse" if schema.has("JSONRPCResultResponse") else "JSONRPCResponse"


class CachedListing:
    """Lists fetched once on the shared session; a failure is remembered, not retried."""

    def __init__(self) -> None:
        self._pages: dict[str, Pages | Failure] = {}

    def get(self, session: McpSession, method: str, key: str) -> Pages:
        cached = self._pages.get(method)
        if cached is None:
            try:
                cached = session.paginate(method, key)
            except Failure as failure:
                cached = failure
            self._pages[method] = cached
        if isinstance(cached, Failure):
            raise Skip(f"{method} did not work, so this cannot be judged ({cached.message})")
        return cached
