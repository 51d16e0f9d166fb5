"""The `accord` command: thin, over the engine, the matrix and the writers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .baseline import BaselineError, apply_baseline, load_baseline
from .catalogue import CatalogueError
from .engine import SUITES, checks_for, run as run_suite, suite_class
from .matrix import Matrix, load_runs
from .peer import Limits, PeerUnavailable, TargetError
from .results import RunResult
from .schema import SchemaDocument, SchemaError
from .settings import RunSettings
from .specs import SpecNotFound, SpecRef, available, latest, load_spec
from .targets import protocol_of
from .writers import NdjsonSink, matrix_markdown, run_markdown, write_junit

USER_ERRORS = (TargetError, PeerUnavailable, SpecNotFound, SchemaError, CatalogueError, BaselineError)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except USER_ERRORS as exc:
        print(f"accord: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("accord: interrupted", file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="accord", description="Conformance harness for agent protocols.")
    parser.add_argument("--version", action="version", version=f"accord {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="judge an agent (no --target: the bundled reference agents)")
    run.add_argument("--target", help="mcp+stdio:COMMAND, mcp+http://HOST:PORT/PATH, asgi:MODULE:ATTR[/PATH], replay:FILE, acp+http://HOST:PORT[#AGENT], acp+asgi:MODULE:ATTR")
    run.add_argument("--spec", help="PROTOCOL@VERSION, e.g. mcp@2025-11-25 (default: the newest for the target's protocol)")
    run.add_argument("--schema", type=Path, help="a draft schema file to use in place of the bundled one")
    run.add_argument("--out", type=Path, help="folder for results.json, results.ndjson, junit.xml, matrix.md")
    run.add_argument("--baseline", type=Path, help="known failures: ids one per line, or a JSON list, or a results.json")
    run.add_argument("--seed", type=int, default=0, help="hypothesis seed (default 0: runs are reproducible)")
    run.add_argument("--max-examples", type=int, default=25, help="examples per property check (default 25)")
    run.add_argument("--only", action="append", default=[], metavar="ID", help="judge only this requirement (or id prefix ending in '.'); repeatable")
    run.add_argument("--exclude-tool", action="append", default=[], metavar="NAME", help="a tool accord must never call; repeatable")
    run.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for any one reply (default 10)")
    run.add_argument("--label", default="", help="column name in matrices (default: the server's name)")
    run.add_argument("--header", action="append", default=[], metavar="'NAME: VALUE'", help="A2A: an HTTP header sent with every request (credentials, say); repeatable; kept out of reports")
    run.add_argument("--agent", action="append", default=[], metavar="NAME", help="ACP: judge only this agent of the server (default: every agent it lists); repeatable")
    run.add_argument("--record", type=Path, help="also write a transcript that `--target replay:FILE` replays offline")
    run.set_defaults(func=cmd_run)

    lst = commands.add_parser("list", help="print a requirement catalogue and how much of it is covered")
    lst.add_argument("--spec", help="PROTOCOL@VERSION (default: every bundled spec)")
    lst.set_defaults(func=cmd_list)

    matrix = commands.add_parser("matrix", help="fold several runs' results into one matrix")
    matrix.add_argument("paths", nargs="+", type=Path, help="results.json files or folders holding them")
    matrix.add_argument("--out", type=Path, help="write the Markdown matrix here (default: print it)")
    matrix.set_defaults(func=cmd_matrix)

    spec = commands.add_parser("spec", help="tools for spec authors")
    spec_commands = spec.add_subparsers(dest="spec_command", required=True)
    lint = spec_commands.add_parser("lint", help="check a draft schema: metaschema, $refs, definitions the suites need")
    lint.add_argument("draft", type=Path)
    lint.add_argument("--spec", help="the released version to compare with (default: the newest bundled)")
    lint.set_defaults(func=cmd_lint)
    return parser


def resolve_spec(spec_text: str | None, target: str | None) -> SpecRef:
    if spec_text:
        return SpecRef.parse(spec_text)
    protocol = protocol_of(target) if target else None
    return latest(protocol or "mcp")


def cmd_run(args: argparse.Namespace) -> int:
    if args.target is None:
        from .defaults import run_reference

        return run_reference(args)
    if args.max_examples < 1 or args.timeout <= 0:
        raise TargetError("--max-examples must be at least 1 and --timeout above 0")
    ref = resolve_spec(args.spec, args.target)
    named = protocol_of(args.target)
    if named and named != ref.protocol and named in SUITES:
        raise TargetError(f"the target speaks {named} but --spec is {ref}; drop --spec or name a {named} version (see `accord list`)")
    if args.agent and not suite_class(ref.protocol).hosts_agents:
        raise TargetError(f"--agent names agents of a server that hosts several (ACP); an {ref.protocol} target is one agent")
    spec = load_spec(ref, args.schema)
    expected = load_baseline(args.baseline) if args.baseline else None
    settings = RunSettings(
        seed=args.seed,
        max_examples=args.max_examples,
        limits=Limits(read_timeout=args.timeout),
        only=frozenset(args.only),
        exclude_tools=frozenset(args.exclude_tool),
        label=args.label,
        schema_path=args.schema,
        record_path=args.record,
        agents=frozenset(args.agent),
        headers=parse_headers(args.header),
    )
    runs = suite_class(ref.protocol).expand_target(args.target, settings, spec)
    results = []
    for name, target in runs:
        out = args.out / name if args.out and len(runs) > 1 else args.out
        if len(runs) > 1:
            print(f"== {name}: {target}")
        result = execute(spec, target, settings, out)
        if expected is not None:
            apply_baseline(result, expected, str(args.baseline))
        if out:
            write_outputs(result, out)
        print_summary(result, out)
        results.append(result)
    if len(results) > 1 and args.out:
        (args.out / "matrix.md").write_text(matrix_markdown(Matrix.from_runs(results), args.target), encoding="utf-8")
        print(f"matrix of {len(results)} run(s): {args.out / 'matrix.md'}")
    return max(r.exit_code for r in results)


def parse_headers(given: list[str]) -> tuple[tuple[str, str], ...]:
    headers = []
    for item in given:
        name, colon, value = item.partition(":")
        if not colon or not name.strip() or any(c in name for c in " \t\r\n"):
            raise TargetError(f"--header {item!r} is not 'NAME: VALUE', for example --header 'Authorization: Bearer TOKEN'")
        headers.append((name.strip(), value.strip()))
    return tuple(headers)


def execute(spec, target: str, settings: RunSettings, out: Path | None) -> RunResult:
    sink = None
    if out:
        out.mkdir(parents=True, exist_ok=True)
        sink = NdjsonSink(out / "results.ndjson")
    try:
        return run_suite(spec, target, settings, on_result=sink)
    finally:
        if sink:
            sink.close()


def write_outputs(result: RunResult, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    result.save(out / "results.json")
    write_junit(result, out / "junit.xml")
    (out / "matrix.md").write_text(run_markdown(result), encoding="utf-8")


def print_summary(result: RunResult, out: Path | None) -> None:
    meta = result.meta
    counts = result.counts()
    order = ["pass", "fail", "not-applicable", "skip", "error"]
    print(
        f"{meta.implementation.name} {meta.implementation.version} — {meta.protocol}@{meta.spec_version} "
        f"over {meta.transport} in {meta.duration:.1f}s: " + ", ".join(f"{counts.get(k, 0)} {k}" for k in order)
    )
    for r in result.results:
        if r.outcome.value in ("fail", "error"):
            mark = " (baseline)" if r.baselined else ""
            print(f"  {r.outcome.value.upper()} {r.level} {r.id}{mark}: {(r.message.splitlines() or [''])[0][:160]}")
    for stale in result.stale_baseline:
        print(f"  STALE baseline entry {stale}: it passes now; drop it from the baseline")
    blocking = result.blocking()
    verdict = f"{len(blocking)} MUST requirement(s) not met" if blocking else "every MUST judged is met"
    print(f"verdict: {verdict}" + (f"; results in {out}" if out else ""))


def cmd_list(args: argparse.Namespace) -> int:
    refs = [SpecRef.parse(args.spec)] if args.spec else list(available())
    for ref in refs:
        catalogue = load_spec(ref).catalogue
        checks = checks_for(ref.protocol)
        print(f"{ref}: {len(catalogue)} requirements")
        for r in catalogue:
            status = "checked" if r.id in checks and not r.untested else ("untested: " + r.untested if r.untested else "NO CHECK")
            scope = ", ".join(x for x in (r.capability and f"capability {r.capability}", r.transport and f"transport {r.transport}") if x)
            print(f"  {r.level:<6} {r.id:<48} {status}{'  [' + scope + ']' if scope else ''}")
        print("  " + coverage_line(catalogue, checks))
    return 0


def coverage_line(catalogue, checks) -> str:
    parts = []
    for level in ("MUST", "SHOULD", "MAY"):
        reqs = [r for r in catalogue if r.level == level]
        covered = sum(1 for r in reqs if r.id in checks and not r.untested)
        untested = sum(1 for r in reqs if r.untested)
        parts.append(f"{level} {covered}/{len(reqs)} checked, {untested} untested")
    total = sum(1 for r in catalogue if r.id in checks and not r.untested)
    return f"coverage: {total}/{len(catalogue)} checked ({'; '.join(parts)})"


def cmd_matrix(args: argparse.Namespace) -> int:
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        raise SpecNotFound(f"no such file or folder: {', '.join(missing)}")
    runs = load_runs(args.paths)
    if not runs:
        raise SpecNotFound("no results.json found under " + ", ".join(str(p) for p in args.paths))
    text = matrix_markdown(Matrix.from_runs(runs))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"matrix of {len(runs)} run(s) written to {args.out}")
    else:
        print(text)
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    from .engine import suite_class
    from .lint import lint

    draft = SchemaDocument.load(args.draft)
    ref = SpecRef.parse(args.spec) if args.spec else latest("mcp")
    released = load_spec(ref).schema
    needed = set(getattr(suite_class(ref.protocol), "needed_definitions", ()))
    report = lint(draft, released, needed)
    for line in report.lines():
        print(line)
    print(f"{args.draft}: " + ("usable by the suites" if report.ok else "NOT usable as it stands") + f" (compared with {ref})")
    return 0 if report.ok else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
