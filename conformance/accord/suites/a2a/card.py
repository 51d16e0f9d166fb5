"""The Agent Card: fetched from the well-known path, read for the interfaces it declares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ...peer import Reply, RestPeer
from . import wire

WELL_KNOWN = "/.well-known/agent-card.json"


@dataclass(frozen=True)
class Interface:
    binding: str
    """accord's name for it: jsonrpc, http-json, grpc, or the declared name lower-cased."""
    declared: str
    """protocolBinding (1.0) or transport (0.3) as the card says it."""
    url: str
    version: str
    """Major.Minor this interface serves."""

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def path(self) -> str:
        return urlsplit(self.url).path.rstrip("/")


def fetch_card(peer: RestPeer, version: str) -> Reply:
    return peer.request("GET", WELL_KNOWN, headers={"A2A-Version": version})


def major_minor(text: Any) -> str:
    parts = str(text or "").split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else str(text or "")


def interfaces(card: Any, version: str) -> list[Interface]:
    """The interfaces ``card`` declares for A2A ``version`` (1.0 supportedInterfaces; 0.3 url,
    preferredTransport and additionalInterfaces), in the card's order of preference, without repeats."""
    if not isinstance(card, dict):
        return []
    found: list[Interface] = []
    for entry in card.get("supportedInterfaces") or []:
        if isinstance(entry, dict) and isinstance(entry.get("url"), str) and isinstance(entry.get("protocolBinding"), str):
            if major_minor(entry.get("protocolVersion")) == version:
                found.append(_interface(entry["protocolBinding"], entry["url"], version))
    if version == wire.V03 and isinstance(card.get("url"), str):
        found.append(_interface(str(card.get("preferredTransport") or "JSONRPC"), card["url"], version))
        for entry in card.get("additionalInterfaces") or []:
            if isinstance(entry, dict) and isinstance(entry.get("url"), str) and isinstance(entry.get("transport"), str):
                found.append(_interface(entry["transport"], entry["url"], version))
    unique: dict[tuple[str, str], Interface] = {}
    for item in found:
        unique.setdefault((item.binding, item.url.rstrip("/")), item)
    return list(unique.values())


def _interface(declared: str, url: str, version: str) -> Interface:
    name = wire_binding_name(declared)
    return Interface(name, declared, url, version)


def wire_binding_name(declared: str) -> str:
    from .bindings import BINDING_NAMES

    return BINDING_NAMES.get(declared.upper(), declared.lower())


def declares(card: Any, capability: str) -> bool:
    """Whether the card declares ``capability`` true (0.3's extended card flag sits at the card's root)."""
    if not isinstance(card, dict):
        return False
    if capability == "supportsAuthenticatedExtendedCard":
        return card.get(capability) is True
    capabilities = card.get("capabilities")
    return isinstance(capabilities, dict) and capabilities.get(capability) is True


PATCHES_1_0 = ("1.0.0", "1.0.1")
"""The patch releases of A2A 1.0 whose texts differ in what accord judges (HTTP statuses of 5.4, media type
of 11.1, ErrorInfo in JSON-RPC error.data)."""


def declared_versions(card: Any, interface: Interface) -> list[str]:
    """Every protocolVersion the card's supportedInterfaces give ``interface`` (same binding, URL and
    Major.Minor), as written, without repeats."""
    found: list[str] = []
    if not isinstance(card, dict) or not isinstance(card.get("supportedInterfaces"), list):
        return found
    for entry in card["supportedInterfaces"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("protocolBinding"), str):
            continue
        version = entry.get("protocolVersion")
        if (isinstance(version, str) and isinstance(entry.get("url"), str)
                and wire_binding_name(entry["protocolBinding"]) == interface.binding
                and entry["url"].rstrip("/") == interface.url.rstrip("/")
                and major_minor(version.strip()) == interface.version and version.strip() not in found):
            found.append(version.strip())
    return found


def declared_patch(card: Any, interface: Interface) -> str | None:
    """The 1.0 patch ("1.0.0" or "1.0.1") the card's protocolVersion for ``interface`` names; None when it
    names none (the usual "1.0": 3.6 says patch numbers SHOULD NOT appear in cards), a patch accord does not
    know, or several different ones."""
    versions = declared_versions(card, interface)
    return versions[0] if len(versions) == 1 and versions[0] in PATCHES_1_0 else None
