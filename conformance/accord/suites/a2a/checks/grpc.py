"""The gRPC binding (1.0 section 10; 0.3 sections 3.2.2 and 3.3.2). accord does not speak gRPC yet: the suite
skips every run of a grpc binding, and these checks say why if they are ever reached."""

from __future__ import annotations

from ....outcomes import Skip
from ....registry import check
from .. import grpc_unavailable
from ..context import A2aContext


def cannot_speak_grpc(ctx: A2aContext) -> None:
    raise Skip(grpc_unavailable() or "accord does not speak the gRPC binding")


for _requirement in (
    "a2a.grpc.service",
    "a2a.grpc.metadata-params",
    "a2a.grpc.server-streaming",
    "a2a.grpc.invalid-argument",
    "a2a.errors.grpc-status-map",
    "a2a.errors.grpc-error-info",
):
    check(_requirement, protocol="a2a")(cannot_speak_grpc)
