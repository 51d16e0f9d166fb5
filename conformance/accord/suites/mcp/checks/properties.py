"""Property checks (basic#responses, basic#error-responses): generated params, valid and broken.

Both checks drive one freshly opened session per check (so a logging/setLevel
does not leak into other checks) with requests whose ``params`` hypothesis
generates from the run's schema, seeded with the run's seed.

mcp.properties.valid-params
    Methods sent: ping and, gated on the capability offering them, the list
    methods, logging/setLevel, completion/complete, resources/read,
    prompts/get and tools/call. Values the server itself defines are drawn
    from its listings (resource URIs, prompt names and arguments, completion
    refs); everything else comes from ``params_strategy(valid=True)``, and
    each request is checked against its request definition before it is
    sent. tools/call is limited to at most MAX_TOOL_CALLS fixed calls of safe
    tools (not excluded, not risky-looking, see tools.callable_tools) with
    arguments generated valid for their inputSchema; hypothesis only picks
    among those calls, it never invents new ones. Every answer must be a
    schema-valid result for the method or a well-formed JSON-RPC error, and
    afterwards the session must still answer ping.

mcp.properties.invalid-params-rejected
    What a server is required to reject is narrower than "anything the schema
    does not allow": extra properties are allowed (no request definition of
    either version sets additionalProperties false), ``_meta`` content is open, an unknown cursor has its own
    SHOULD (mcp.pagination.invalid-cursor), and the prompts, resources,
    completion and logging pages make their error codes SHOULDs. So the
    broken params are limited to the one field without which the operation
    cannot be carried out at all: the ``name`` of tools/call and prompts/get
    and the ``uri`` of resources/read, left out or given a non-string value
    (or the whole required ``params`` left out). A success result for such a
    request claims to have called, rendered or read something that was never
    named. A tools/call answered with ``isError: true`` is counted as a
    rejection (which of the two error channels is right is
    mcp.tools.*'s concern). Afterwards the session must still answer ping.

Explicit examples come first (one plain request per method, every tool call,
the obvious broken params), so each method is tried whatever hypothesis
draws. Every distinct request is sent once (answers are cached by method and
params, so shrinking replays cost nothing), at most REQUEST_BUDGET requests
or TIME_BUDGET seconds per check; when either runs out, the check ends with
what it saw (while shrinking: the smallest failing case found so far). A
request left without any answer (a hang, a dead process, a flood cut off at
the adapter's limits) ends the check at once with that request as the
example: hypothesis never retries a dead peer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from ....outcomes import Failure, NotApplicable, Skip
from ....peer import Reply
from ....properties import BudgetedSender, Halt, Stopper, explore_property
from ....properties import settle as settle_run
from ....registry import check
from ....schema import SchemaDocument
from ....strategies import params_strategy
from .. import declares
from ..context import McpContext, result_definition
from ..session import McpSession, misdirected
from .completion import completion_targets
from .jsonrpc import short
from .prompts import prompt_arguments
from .tools import argument_examples, callable_tools

MAX_TOOL_CALLS = 3
REQUEST_BUDGET = 150
"""Distinct requests one property check may send (generation and shrinking together)."""
TIME_BUDGET = 30.0
"""Seconds after which a property check sends nothing new (cases already answered still replay)."""

LIST_METHODS = {"tools/list": "tools", "resources/list": "resources", "resources/templates/list": "resources",
                "prompts/list": "prompts"}
KEY_FIELDS = {"tools/call": ("name", "tools"), "prompts/get": ("name", "prompts"), "resources/read": ("uri", "resources")}
"""Method -> (the params field the operation cannot do without, the capability offering the method)."""

_MISSING = object()
_NOT_STRINGS = st.one_of(
    st.none(), st.booleans(), st.integers(-1000, 1000), st.floats(-1e6, 1e6, allow_nan=False),
    st.lists(st.text(max_size=4), max_size=2), st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2),
)


@dataclass(frozen=True)
class Case:
    method: str
    params: Any
    """The params member; None: left out."""

    def render(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"method": self.method}
        if self.params is not None:
            shown["params"] = self.params
        return shown

    def describe(self) -> str:
        return f"{self.method} with {short(self.params) if self.params is not None else 'no params'}"


class Exchanges(BudgetedSender[Case, Reply]):
    """Sends each distinct case once on one session, within the request and time budgets; a budget
    running out ends the check with what it found (nothing: a pass)."""

    def __init__(self, session: McpSession, ctx: McpContext):
        super().__init__(ctx.settings, lambda case: session.request(case.method, case.params),
                         requests=REQUEST_BUDGET, seconds=TIME_BUDGET,
                         key=lambda case: json.dumps([case.method, case.params], sort_keys=True, default=str))

    def reply(self, case: Case) -> Reply:
        reply = self.send(case)
        if reply is None:
            raise self.stop(self.failure)
        return reply

    def failure_for(self, case: Case, problem: str) -> Failure:
        return Failure(problem, example=case.render(), seed=self.run.seed)

    def gone(self, case: Case, reply: Reply) -> Halt:
        if misdirected(reply):
            return self.stop(Skip(f"{case.describe()} was answered under another id; see mcp.jsonrpc.id-echoed"))
        return self.stop(Failure(f"{case.describe()} got no response ({reply.describe()}); "
                                 "the check stopped there", example=case.render(), seed=self.run.seed))


NO_VALID_CASE = "no generated case was schema-valid for its request definition"


def settle(test: Callable[[], None], stopper: Stopper, last_failure: Callable[[], Failure | None]) -> None:
    """accord.properties.settle with this suite's reason for a skip (the lifecycle state machine uses it too)."""
    settle_run(test, stopper, last_failure, unsatisfiable=NO_VALID_CASE)


def run_property(exchanges: Exchanges, cases: st.SearchStrategy[Case], explicit: list[Case],
                 judge: Callable[[Case], str | None]) -> None:
    explore_property(exchanges, cases, explicit, judge, unsatisfiable=NO_VALID_CASE)


def envelope(case: Case) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": case.method}
    if case.params is not None:
        message["params"] = case.params
    return message


def schema_valid(ctx: McpContext, case: Case) -> bool:
    definition = ctx.schema.request_methods.get(case.method)
    return definition is not None and ctx.schema.is_valid(definition, envelope(case))


def opened(ctx: McpContext) -> McpSession:
    """A fresh initialized session; Skip if the server would not open one (that is the lifecycle checks' concern)."""
    try:
        return ctx.opened()
    except Failure as failure:
        raise Skip(f"a fresh session could not be opened ({failure.message}); see mcp.lifecycle.*") from None


def listed(get: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """A listing, or nothing when it cannot be fetched (its own checks judge that)."""
    try:
        return get()
    except (Skip, Failure):
        return []


# --- valid params -------------------------------------------------------------


def generated(ctx: McpContext, method: str) -> st.SearchStrategy[dict[str, Any]]:
    return params_strategy(ctx.schema.document, ctx.schema.request_methods[method], valid=True)


def with_fields(base: st.SearchStrategy[dict[str, Any]], fields: st.SearchStrategy[dict[str, Any]]
                ) -> st.SearchStrategy[dict[str, Any]]:
    return st.tuples(base, fields).map(lambda pair: {**pair[0], **pair[1]})


def tool_calls(ctx: McpContext) -> list[Case]:
    calls: list[Case] = []
    for tool in callable_tools(ctx, listed(ctx.tools)):
        for arguments in argument_examples(tool["inputSchema"], ctx.settings.seed, 1):
            calls.append(Case("tools/call", {"name": tool["name"], "arguments": arguments}))
        if len(calls) >= MAX_TOOL_CALLS:
            break
    return calls[:MAX_TOOL_CALLS]


def prompt_strategy(prompt: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    arguments = prompt_arguments(prompt)
    required = {a["name"]: st.text(max_size=12) for a in arguments if a.get("required") is True}
    optional = {a["name"]: st.text(max_size=12) for a in arguments if a.get("required") is not True}
    values = st.fixed_dictionaries(required, optional=optional)
    return values.map(lambda args, name=prompt["name"]: {"name": name, "arguments": args})


def prompt_example(prompt: dict[str, Any]) -> dict[str, Any]:
    required = {a["name"]: "example" for a in prompt_arguments(prompt) if a.get("required") is True}
    return {"name": prompt["name"], "arguments": required}


def valid_cases(ctx: McpContext) -> tuple[list[st.SearchStrategy[Case]], list[Case]]:
    """Per applicable method, a strategy of cases and one explicit case."""
    methods = ctx.schema.request_methods
    strategies: list[st.SearchStrategy[Case]] = []
    explicit: list[Case] = []

    def add(method: str, params: st.SearchStrategy[Any], first: Case) -> None:
        strategies.append(params.map(lambda p, m=method: Case(m, p)))
        explicit.append(first)

    add("ping", generated(ctx, "ping"), Case("ping", None))
    for method, capability in LIST_METHODS.items():
        if method in methods and declares(ctx.capabilities, capability):
            add(method, generated(ctx, method), Case(method, None))
    if "logging/setLevel" in methods and declares(ctx.capabilities, "logging"):
        add("logging/setLevel", generated(ctx, "logging/setLevel"), Case("logging/setLevel", {"level": "error"}))
    if "completion/complete" in methods and declares(ctx.capabilities, "completions"):
        targets = listed(lambda: [{"ref": ref, "argument": {"name": name, "value": ""}}
                                  for ref, name in completion_targets(ctx)])
        base = generated(ctx, "completion/complete")
        if targets:
            fields = st.tuples(st.sampled_from(targets), st.text(max_size=8)).map(
                lambda pair: {"ref": pair[0]["ref"], "argument": {**pair[0]["argument"], "value": pair[1]}})
            add("completion/complete", with_fields(base, fields), Case("completion/complete", targets[0]))
    if declares(ctx.capabilities, "resources") and "resources/read" in methods:
        uris = [r["uri"] for r in listed(ctx.resources) if isinstance(r.get("uri"), str)]
        if uris:
            fields = st.sampled_from(uris).map(lambda uri: {"uri": uri})
            add("resources/read", with_fields(generated(ctx, "resources/read"), fields),
                Case("resources/read", {"uri": uris[0]}))
    if declares(ctx.capabilities, "prompts") and "prompts/get" in methods:
        prompts = [p for p in listed(ctx.prompts) if isinstance(p.get("name"), str)]
        if prompts:
            fields = st.one_of([prompt_strategy(p) for p in prompts])
            add("prompts/get", with_fields(generated(ctx, "prompts/get"), fields),
                Case("prompts/get", prompt_example(prompts[0])))
    if declares(ctx.capabilities, "tools") and "tools/call" in methods:
        calls = tool_calls(ctx)
        if calls:
            strategies.append(st.sampled_from(calls))
            explicit.extend(calls)
    return strategies, explicit


def answer_problem(schema: SchemaDocument | None, method: str, response: Any) -> str | None:
    """What makes ``response`` neither a result for ``method`` (valid against ``schema``,
    when there is one) nor a well-formed JSON-RPC error; None when it is one of those."""
    if not isinstance(response, dict):
        return f"the response is not an object: {short(response)}"
    if ("result" in response) == ("error" in response):
        return f"the response has {'both' if 'result' in response else 'neither'} result and error: {short(response)}"
    if "error" in response:
        error = response["error"]
        code = error.get("code") if isinstance(error, dict) else None
        if not isinstance(code, int) or isinstance(code, bool) or not isinstance(error.get("message"), str):
            return f"the error is not an object with an integer code and a string message: {short(error)}"
        return None
    result = response["result"]
    if not isinstance(result, dict):
        return f"the result is not an object: {short(result)}"
    definition = result_definition(schema, method) if schema is not None else None
    if schema is not None and definition and schema.has(definition):
        errors = schema.errors(definition, result)
        if errors:
            return f"the result is not a valid {definition}: {'; '.join(errors)}"
    return None


@check("mcp.properties.valid-params", protocol="mcp", kind="property")
def valid_params_get_valid_answers(ctx: McpContext) -> None:
    strategies, explicit = valid_cases(ctx)
    session = opened(ctx)
    exchanges = Exchanges(session, ctx)

    def judge(case: Case) -> str | None:
        assume(schema_valid(ctx, case))
        reply = exchanges.reply(case)
        if reply.response is None:
            raise exchanges.gone(case, reply)
        problem = answer_problem(ctx.schema, case.method, reply.response)
        return f"{case.describe()}: {problem}" if problem else None

    run_property(exchanges, st.one_of(strategies), [c for c in explicit if schema_valid(ctx, c)], judge)
    still_answers(ctx, session, "the generated requests")


# --- invalid params -----------------------------------------------------------


def broken_key(key: str, params: Any) -> bool:
    return isinstance(params, dict) and not isinstance(params.get(key, _MISSING), str)


def break_key(key: str, params: dict[str, Any], value: Any) -> dict[str, Any]:
    out = {k: v for k, v in params.items() if k != key}
    if value is not _MISSING:
        out[key] = value
    return out


def invalid_cases(ctx: McpContext, method: str, key: str) -> tuple[st.SearchStrategy[Case], list[Case]]:
    definition = ctx.schema.request_methods[method]
    document = ctx.schema.document
    from_schema = params_strategy(document, definition, valid=False).filter(lambda p: broken_key(key, p))
    targeted = st.tuples(params_strategy(document, definition, valid=True), st.just(_MISSING) | _NOT_STRINGS).map(
        lambda pair: break_key(key, pair[0], pair[1]))
    params = st.one_of(targeted, from_schema)
    explicit = [Case(method, None), Case(method, {}), Case(method, {key: 42})]
    return params.map(lambda p: Case(method, p)), explicit


def rejected(case: Case, response: dict[str, Any]) -> bool:
    if "error" in response:
        return True
    result = response.get("result")
    return case.method == "tools/call" and isinstance(result, dict) and result.get("isError") is True


@check("mcp.properties.invalid-params-rejected", protocol="mcp", kind="property")
def invalid_params_are_rejected(ctx: McpContext) -> None:
    targets = [(method, key) for method, (key, capability) in KEY_FIELDS.items()
               if method in ctx.schema.request_methods and declares(ctx.capabilities, capability)]
    if not targets:
        raise NotApplicable("the server declares none of tools, prompts and resources, whose requests "
                            "(tools/call, prompts/get, resources/read) have a field it must not do without")
    strategies: list[st.SearchStrategy[Case]] = []
    explicit: list[Case] = []
    for method, key in targets:
        cases, first = invalid_cases(ctx, method, key)
        strategies.append(cases)
        explicit.extend(first)
    session = opened(ctx)
    exchanges = Exchanges(session, ctx)
    ping_works = answers_ping(session)

    def judge(case: Case) -> str | None:
        assume(not schema_valid(ctx, case))
        reply = exchanges.reply(case)
        if reply.response is None:
            if reply.status is not None and reply.status >= 400:
                return None  # refused at the HTTP level: still a rejection
            raise exchanges.gone(case, reply)
        if rejected(case, reply.response):
            return None
        return f"{case.describe()} breaks the schema of {case.method} but succeeded: {short(reply.response)}"

    run_property(exchanges, st.one_of(strategies), explicit, judge)
    if ping_works:
        still_answers(ctx, session, "the invalid requests")


def answers_ping(session: McpSession) -> bool:
    return "result" in (session.request("ping").response or {})


def still_answers(ctx: McpContext, session: McpSession, what: str) -> None:
    reply = session.request("ping")
    if "result" not in (reply.response or {}):
        raise Failure(f"after {what} the session no longer answers ping: {reply.describe()}", seed=ctx.settings.seed)
