"""The built-in default run: every bundled suite against accord's own reference agents."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from .matrix import Matrix
from .peer import Limits
from .settings import RunSettings
from .specs import available, load_spec
from .writers import matrix_markdown

REFERENCE_TARGETS = {
    "mcp": {
        "stdio": f"mcp+stdio:{shlex.quote(sys.executable)} -m accord_fixtures.mcp_reference --stdio",
        "http": "asgi:accord_fixtures.mcp_reference:app",
    },
    "acp": {
        "http": "acp+asgi:accord_fixtures.acp_reference:app",
    },
    "a2a": {
        "asgi": "a2a+asgi:accord_fixtures.a2a_reference:app",  # one run per binding the card declares
    },
}
A2A_WITH_GRPC = "a2a+asgi:accord_fixtures.a2a_reference:grpc_app"
"""The A2A reference serving the gRPC binding too: the default where grpcio is installed."""


def reference_targets(protocol: str) -> dict[str, str]:
    targets = REFERENCE_TARGETS.get(protocol, {})
    if protocol == "a2a":
        from accord_grpc import grpc_missing

        if grpc_missing() is None:
            return {"asgi": A2A_WITH_GRPC}
    return targets


def run_reference(args: argparse.Namespace) -> int:
    from .cli import execute, print_summary, write_outputs
    from .engine import suite_class

    out: Path = args.out or Path("reports/reference")
    runs = []
    for ref in available():
        if args.spec and str(ref) != args.spec:
            continue
        for transport, target in reference_targets(ref.protocol).items():
            settings = RunSettings(
                seed=args.seed,
                max_examples=args.max_examples,
                limits=Limits(read_timeout=args.timeout),
                only=frozenset(args.only),
                label="accord-reference",
            )
            for agent, agent_target in suite_class(ref.protocol).expand_target(target, settings, load_spec(ref)):
                folder = out / "-".join(x for x in (ref.protocol, ref.version, transport, agent) if x)
                print(f"== {ref} over {transport}: {agent_target}")
                result = execute(load_spec(ref), agent_target, settings, folder)
                write_outputs(result, folder)
                print_summary(result, folder)
                runs.append(result)
    (out / "matrix.md").write_text(matrix_markdown(Matrix.from_runs(runs), "accord reference agents"), encoding="utf-8")
    print(f"matrix of {len(runs)} run(s): {out / 'matrix.md'}")
    return max((r.exit_code for r in runs), default=0)
