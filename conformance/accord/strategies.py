"""Hypothesis strategies for valid and deliberately invalid JSON Schema instances.

Public API:

- :func:`from_schema` -- instances of a whole document or of one of its
  ``$defs`` / ``definitions`` entries; ``valid=False`` gives instances that
  break the definition on purpose (wrong type, missing required property,
  const or enum missed, out of range, bad pattern or format, ...).
- :func:`params_strategy` / :func:`request_strategy` -- the ``params`` of a
  JSON-RPC request definition, or whole request envelopes whose ``params`` are
  valid or broken while the envelope itself stays well-formed.
- :func:`validator_for` -- a cached ``jsonschema`` validator for a document or
  one of its definitions (draft-07 and 2020-12, chosen from ``$schema``; formats
  are asserted, see :data:`FORMAT_CHECKER`).

Every generated instance is checked with these cached validators before it is
returned, so a strategy never yields an instance on the wrong side of the
schema; construction keeps the rejection rate low.  Documents are treated as
immutable: everything is cached per document object.

Recursion through ``$ref`` is bounded: each ``$ref`` hop spends one unit of a
depth budget; when the budget runs low objects get only their required
properties and arrays only their minimum length, and when it runs out the
branch is dropped.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import re
import string
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import jsonschema
import jsonschema.validators
import referencing
import referencing.jsonschema
from hypothesis import strategies as st
from jsonschema import FormatChecker
from jsonschema_specifications import REGISTRY as _META_SCHEMAS

__all__ = [
    "FORMAT_CHECKER",
    "from_schema",
    "params_strategy",
    "request_strategy",
    "validator_for",
]

MAX_REF_DEPTH = 5  # recursive $ref hops (into a cycle of refs) along one path of an instance
LEAN_DEPTH = 2  # at or below this budget: required properties and minimum lengths only
MAX_TEXT = 10  # extra characters above minLength
MAX_LIST = 2  # extra items above minItems
MAX_OPTIONAL = 2  # optional properties per object
MAX_EXTRA = 1  # properties outside `properties`, where allowed

JSON_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")
_SAFE_INT = 2**53 - 1
_FLOAT_LIMIT = 1e12

_COMPOSITE_KEYS = frozenset({"$ref", "allOf", "anyOf", "oneOf", "not", "if", "then", "else"})
_INERT_KEYS = frozenset(
    {"$schema", "$id", "$anchor", "$comment", "$defs", "definitions", "title", "description",
     "examples", "default", "deprecated", "readOnly", "writeOnly", "$dynamicAnchor"}
)
_OBJECT_KEYS = frozenset(
    {"properties", "required", "additionalProperties", "patternProperties", "propertyNames",
     "minProperties", "maxProperties", "dependentRequired", "dependentSchemas", "dependencies",
     "unevaluatedProperties"}
)
_ARRAY_KEYS = frozenset(
    {"items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems", "contains",
     "minContains", "maxContains", "unevaluatedItems"}
)
_STRING_KEYS = frozenset({"minLength", "maxLength", "pattern", "format", "contentEncoding"})
_NUMBER_KEYS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"})

_STRING_SCHEMA: dict[str, Any] = {"type": "string"}


# --------------------------------------------------------------------------- formats

_URI_ILLEGAL = re.compile(r'[\s"<>\\^`{|}]|%(?![0-9A-Fa-f]{2})')
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*$")
_DATE_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$"
)
_BASE64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")
_URI_TEMPLATE = re.compile(r"^(?:[^{}\s]|\{[^{}\s]+\})*$")


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    scheme, colon, _ = value.partition(":")
    return bool(colon) and bool(_SCHEME.match(scheme)) and not _URI_ILLEGAL.search(value)


def _is_uri_reference(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if _URI_ILLEGAL.search(value):
        return False
    first = re.split(r"[/?#]", value, maxsplit=1)[0]
    return ":" not in first or bool(_SCHEME.match(first.partition(":")[0]))


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = _DATE_TIME.match(value)
    if not match:
        return False
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    if hour > 23 or minute > 59 or second > 60:
        return False
    if match.group(9):
        return int(match.group(10)) <= 23 and int(match.group(11)) <= 59
    return True


def _is_base64(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if len(value) % 4 or not _BASE64.match(value):
        return False
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _is_uri_template(value: object) -> bool:
    return not isinstance(value, str) or bool(_URI_TEMPLATE.match(value))


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checkers = dict(jsonschema.Draft202012Validator.FORMAT_CHECKER.checkers)
    for name, check in {
        "uri": _is_uri,
        "iri": _is_uri,
        "uri-reference": _is_uri_reference,
        "iri-reference": _is_uri_reference,
        "date-time": _is_date_time,
        "byte": _is_base64,
        "uri-template": _is_uri_template,
    }.items():
        checker.checks(name)(check)
    return checker


FORMAT_CHECKER = _format_checker()
"""Formats asserted by :func:`validator_for`: jsonschema's own checks (email, date,
uuid, ipv4, ipv6, regex, ...) plus uri, uri-reference, date-time, byte (base64)
and uri-template, which jsonschema checks only with optional extra packages."""

_SEGMENT = st.text(alphabet=string.ascii_lowercase + string.digits + "-._~", min_size=1, max_size=8)
_URI = st.builds(
    "{}{}".format,
    st.sampled_from(["https://example.com/", "http://localhost:8080/", "file:///tmp/",
                     "urn:example:", "test://static/"]),
    _SEGMENT,
)
_FORMAT_STRATEGIES: dict[str, st.SearchStrategy[str]] = {
    "uri": _URI,
    "iri": _URI,
    "uri-reference": st.one_of(_URI, _SEGMENT.map("/{}".format), _SEGMENT.map("{}#top".format)),
    "iri-reference": _URI,
    "uri-template": _URI.map("{}/{{id}}".format),
    "date-time": st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2099, 12, 31)).map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")
    ),
    "date": st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)).map(dt.date.isoformat),
    "email": st.builds("{}@example.com".format, st.text(string.ascii_lowercase, min_size=1, max_size=8)),
    "byte": st.binary(max_size=24).map(lambda b: base64.b64encode(b).decode("ascii")),
    "uuid": st.uuids().map(str),
    "ipv4": st.ip_addresses(v=4).map(str),
    "ipv6": st.ip_addresses(v=6).map(str),
    "hostname": _SEGMENT.filter(lambda s: s[0].isalnum() and s[-1].isalnum()).map("{}.example".format),
}
_BAD_FORMATS: dict[str, list[str]] = {
    "uri": ["not a uri", "no-scheme", "http://exa mple.com/", ""],
    "iri": ["not a uri", ""],
    "uri-reference": ["has space", "back\\slash", "://missing-scheme"],
    "iri-reference": ["has space"],
    "uri-template": ["{unclosed", "a}b", "{{x}}"],
    "date-time": ["yesterday", "2024-13-01T00:00:00Z", "2024-01-01", "2024-01-01T25:00:00Z"],
    "date": ["2024-02-30", "01/02/2024"],
    "email": ["no-at-sign"],
    "byte": ["not base64!", "abc", "===="],
    "uuid": ["not-a-uuid"],
    "ipv4": ["256.1.1.1", "1.2.3"],
    "ipv6": ["::g", "1:2"],
}

_TEXT = st.text(st.characters(codec="utf-8"), max_size=MAX_TEXT)
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-1000, 1000),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False), _TEXT,
)
_ANY_JSON = st.one_of(
    _SCALARS, st.lists(_SCALARS, max_size=3), st.dictionaries(_TEXT, _SCALARS, max_size=3)
)
_COIN = st.booleans()
_WRONG_TYPE_SAMPLES: list[Any] = [None, True, 0, 7, 2.5, "", "text", [], [1], {}, {"k": "v"}]


def _type_matches(value: Any, type_name: str) -> bool:
    if type_name == "null":
        return value is None
    if type_name == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if type_name == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if type_name == "number":
        return isinstance(value, (int, float))
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "array":
        return isinstance(value, list)
    return type_name == "object" and isinstance(value, dict)


def _canonical(value: Any) -> str:
    def norm(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, list):
            return [norm(i) for i in v]
        if isinstance(v, dict):
            return {k: norm(i) for k, i in v.items()}
        return v

    return json.dumps(norm(value), sort_keys=True)


def _near_misses(value: Any) -> list[Any]:
    """Values close to `value` but different from it."""
    if value is None:
        return [False, 0, "null"]
    if isinstance(value, bool):
        return [not value, int(value), str(value).lower()]
    if isinstance(value, (int, float)):
        return [value + 1, value - 1, str(value)]
    if isinstance(value, str):
        return [value + "x", "x" + value, value.swapcase() if value.swapcase() != value else value + " ", None]
    return [None, "x", [] if value else [0], {} if value else {"k": 0}]


def _one_of(options: Iterable[st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    options = list(options)
    return st.one_of(options) if options else st.nothing()


def _search(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def _from_regex(pattern: str) -> st.SearchStrategy[str] | None:
    try:
        re.compile(pattern)
        return st.from_regex(pattern, fullmatch=True)
    except Exception:  # re.error, or hypothesis refusing a regex it cannot generate from
        return None


# --------------------------------------------------------------------------- context


class _Handle:
    """A strategy with a short repr: hypothesis prints strategies in its messages,
    and the full repr of a schema's strategy tree runs to hundreds of kilobytes."""

    __slots__ = ("strategy", "name")

    def __init__(self, strategy: st.SearchStrategy[Any], name: str) -> None:
        self.strategy = strategy
        self.name = name

    def __repr__(self) -> str:
        return self.name


@st.composite
def _labelled(draw: Callable[..., Any], handle: _Handle) -> Any:
    return draw(handle.strategy)



_DATA_KEYS = frozenset({"const", "enum", "default", "examples"})


def _check_regexes(node: Any) -> None:
    """Raise SchemaError for a pattern Python cannot compile, now rather than mid-draw."""
    if isinstance(node, list):
        for item in node:
            _check_regexes(item)
    elif isinstance(node, dict):
        patterns = list(node.get("patternProperties", {})) if isinstance(node.get("patternProperties"), dict) else []
        if isinstance(node.get("pattern"), str):
            patterns.append(node["pattern"])
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise jsonschema.SchemaError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from exc
        for key, value in node.items():
            if key not in _DATA_KEYS:
                _check_regexes(value)


class _Expanded:
    """A conjunction of schemas, split into plain keyword parts and composites."""

    __slots__ = ("simple", "composites", "hops", "never")

    def __init__(self) -> None:
        self.simple: list[dict[str, Any]] = []
        self.composites: list[tuple[str, dict[str, Any]]] = []
        self.hops = 0
        self.never = False  # a `false` schema is among the conjuncts


Conjuncts = tuple[Any, ...]


class _Context:
    """Everything cached for one schema document."""

    def __init__(self, document: dict[str, Any]) -> None:
        if not isinstance(document, dict):
            raise TypeError("a schema document must be a dict")
        self.document = document
        cls = jsonschema.validators.validator_for(document, default=jsonschema.Draft202012Validator)
        _check_regexes(document)
        self.validator_class = cls
        dialect = cls.META_SCHEMA.get("$id") or cls.META_SCHEMA.get("id", "")
        specification = referencing.jsonschema.specification_with(
            dialect, default=referencing.jsonschema.DRAFT202012
        )
        self.legacy_items = specification.name in ("draft-03", "draft-04", "draft-06", "draft-07", "draft2019-09")
        self.ref_siblings_ignored = specification.name in ("draft-03", "draft-04", "draft-06", "draft-07")
        resource = referencing.Resource.from_contents(document, default_specification=specification)
        self.base_uri = (document.get("$id") or f"urn:accord:schema:{id(document)}").rstrip("#")
        self.registry = _META_SCHEMAS.with_resource(self.base_uri, resource)
        self.resolver = self.registry.resolver(self.base_uri)
        self.root = cls(document, registry=self.registry, format_checker=FORMAT_CHECKER)
        self._validators: dict[int, Any] = {}
        self._derived: dict[tuple[int, str], dict[str, Any]] = {}
        self._refs: dict[str, Any] = {}
        self._strategies: dict[tuple[Any, ...], st.SearchStrategy[Any]] = {}
        self._ref_sets: dict[int, frozenset[str]] = {}
        self._ref_set_owners: list[Any] = []  # keeps ids in _ref_sets valid
        self._analyse_recursion()

    # ---- lookups

    def definition(self, name: str | None) -> Any:
        if name is None:
            return self.document
        if name.startswith("#"):
            return self.deref(name)
        for key in ("$defs", "definitions"):
            table = self.document.get(key)
            if isinstance(table, dict) and name in table:
                return table[name]
        raise KeyError(f"no definition {name!r} under $defs or definitions")

    def deref(self, ref: str) -> Any:
        if ref not in self._refs:
            self._refs[ref] = self.resolver.lookup(ref).contents
        return self._refs[ref]

    def validator(self, node: Any) -> Any:
        if node is self.document:
            return self.root
        found = self._validators.get(id(node))
        if found is None:
            found = self._validators[id(node)] = (node, self.root.evolve(schema=node))
        return found[1]

    def all_valid(self, conjuncts: Conjuncts) -> Callable[[Any], bool]:
        validators = [self.validator(node) for node in conjuncts]
        return lambda instance: all(v.is_valid(instance) for v in validators)

    def _derive(self, node: dict[str, Any], kind: str) -> dict[str, Any]:
        """A stable (cached) dict with only part of `node`: its plain keywords, or one composite."""
        key = (id(node), kind)
        if key not in self._derived:
            if kind == "simple":
                part = {k: v for k, v in node.items() if k not in _COMPOSITE_KEYS and k not in _INERT_KEYS}
            elif kind == "if":
                part = {k: node[k] for k in ("if", "then", "else") if k in node}
            else:
                part = {kind: node[kind]}
            self._derived[key] = part
            self._validators[id(part)] = (part, self.root.evolve(schema=part))
        return self._derived[key]

    def expand(self, conjuncts: Conjuncts) -> _Expanded:
        out = _Expanded()
        seen: set[int] = set()
        pending: list[tuple[Any, int]] = [(node, 0) for node in conjuncts]
        while pending:
            node, depth = pending.pop(0)
            if node is True or node == {}:
                continue
            if node is False:
                out.never = True
                continue
            if not isinstance(node, dict) or id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node.get("$ref"), str):
                step = 1 if node["$ref"] in self.recursive_refs else 0
                pending.append((self.deref(node["$ref"]), depth + step))
                out.hops = max(out.hops, depth + step)
                if self.ref_siblings_ignored:
                    continue
            pending.extend((sub, depth) for sub in node.get("allOf", ()))
            for kind in ("anyOf", "oneOf", "not", "if"):
                if kind in node:
                    out.composites.append((kind, node))
            simple = self._derive(node, "simple")
            if simple:
                out.simple.append(simple)
        return out

    def _refs_below(self, node: Any) -> frozenset[str]:
        """The $ref strings anywhere inside `node`, not following them."""
        if not isinstance(node, (dict, list)):
            return frozenset()
        found = self._ref_sets.get(id(node))
        if found is None:
            items = node.values() if isinstance(node, dict) else node
            refs = set().union(*(self._refs_below(item) for item in items))
            if isinstance(node, dict) and isinstance(node.get("$ref"), str):
                refs.add(node["$ref"])
            found = frozenset(refs)
            self._ref_sets[id(node)] = found
            self._ref_set_owners.append(node)
        return found

    def _analyse_recursion(self) -> None:
        """Find the refs on a cycle, and the refs from which such a cycle is reachable."""
        edges: dict[str, frozenset[str]] = {}
        todo = list(self._refs_below(self.document))
        while todo:
            ref = todo.pop()
            if ref not in edges:
                edges[ref] = self._refs_below(self.deref(ref))
                todo.extend(edges[ref])
        closure: dict[str, set[str]] = {}
        for ref in edges:
            seen: set[str] = set()
            stack = list(edges[ref])
            while stack:
                nxt = stack.pop()
                if nxt not in seen:
                    seen.add(nxt)
                    stack.extend(edges.get(nxt, ()))
            closure[ref] = seen
        self.recursive_refs = frozenset(r for r in edges if r in closure[r])
        self.recursion_reachable = frozenset(
            r for r in edges if r in self.recursive_refs or closure[r] & self.recursive_refs
        )

    def _budget_key(self, conjuncts: Conjuncts, budget: int) -> int:
        """Budgets only matter where recursion is reachable; elsewhere share one strategy."""
        if not self.recursive_refs or not any(self._refs_below(n) & self.recursion_reachable for n in conjuncts):
            return MAX_REF_DEPTH
        return budget

    def _cached(self, key: tuple[Any, ...], build: Callable[[], st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
        found = self._strategies.get(key)
        if found is None:
            built = build()
            found = st.nothing() if built.is_empty else _labelled(_Handle(built, f"{key[0]} instance"))
            self._strategies[key] = found
        return found

    # ---- valid instances

    def valid(self, conjuncts: Conjuncts, budget: int) -> st.SearchStrategy[Any]:
        budget = self._budget_key(conjuncts, budget)
        key = ("valid", tuple(map(id, conjuncts)), budget)
        return self._cached(key, lambda: self._build_valid(conjuncts, budget))

    def _build_valid(self, conjuncts: Conjuncts, budget: int) -> st.SearchStrategy[Any]:
        found = self.expand(conjuncts)
        budget -= found.hops
        if found.never or budget < 0:
            return st.nothing()
        if found.composites:
            kind, node = found.composites[0]
            rest = tuple(found.simple) + tuple(self._derive(n, k) for k, n in found.composites[1:])
            if kind in ("anyOf", "oneOf"):
                options = [self.valid(rest + (branch,), budget) for branch in node[kind]]
            elif kind == "not":
                options = [self.valid(rest, budget)]
            else:
                then = (node["then"],) if "then" in node else ()
                otherwise = (node["else"],) if "else" in node else ()
                options = [self.valid(rest + (node["if"],) + then, budget), self.valid(rest + otherwise, budget)]
            strategy = _one_of(options)
            if kind != "anyOf":  # a valid instance of one anyOf branch is valid; the others need checking
                strategy = strategy.filter(self.all_valid((self._derive(node, kind),)))
            return strategy
        strategy = self._valid_plain(found.simple, budget)
        if _construction_is_approximate(found.simple):
            strategy = strategy.filter(self.all_valid(tuple(found.simple)))
        return strategy

    def _valid_plain(self, parts: list[dict[str, Any]], budget: int) -> st.SearchStrategy[Any]:
        for part in parts:
            if "const" in part:
                return st.just(part["const"])
        enums = [part["enum"] for part in parts if isinstance(part.get("enum"), list)]
        if enums:
            return st.sampled_from(enums[0]) if enums[0] else st.nothing()
        types = _declared_types(parts)
        if types is None:
            types = _implied_types(parts)
        if types is None:
            return _ANY_JSON
        builders = {
            "null": lambda: st.none(),
            "boolean": lambda: st.booleans(),
            "integer": lambda: self._valid_integer(parts),
            "number": lambda: st.one_of(self._valid_integer(parts), self._valid_float(parts)),
            "string": lambda: self._valid_string(parts),
            "array": lambda: self._valid_array(parts, budget),
            "object": lambda: self._valid_object(parts, budget),
        }
        if "number" in types:
            types = types - {"integer"}
        return _one_of(builders[t]() for t in JSON_TYPES if t in types)

    @staticmethod
    def _bounds(parts: list[dict[str, Any]]) -> tuple[float | None, bool, float | None, bool]:
        low: float | None = None
        high: float | None = None
        low_open = high_open = False
        for part in parts:
            for key, is_open in (("minimum", False), ("exclusiveMinimum", True)):
                value = part.get(key)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    if low is None or value > low or (value == low and is_open):
                        low, low_open = value, is_open
            for key, is_open in (("maximum", False), ("exclusiveMaximum", True)):
                value = part.get(key)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    if high is None or value < high or (value == high and is_open):
                        high, high_open = value, is_open
        return low, low_open, high, high_open

    def _valid_integer(self, parts: list[dict[str, Any]]) -> st.SearchStrategy[int]:
        low, low_open, high, high_open = self._bounds(parts)
        lo = -_SAFE_INT if low is None else (math.floor(low) + 1 if low_open else math.ceil(low))
        hi = _SAFE_INT if high is None else (math.ceil(high) - 1 if high_open else math.floor(high))
        steps = [p["multipleOf"] for p in parts if isinstance(p.get("multipleOf"), (int, float))]
        step = 1
        for m in steps:
            if isinstance(m, int) or float(m).is_integer():
                step = math.lcm(step, int(m))
        if lo > hi:
            return st.nothing()
        if step == 1:
            return st.integers(lo, hi)
        return st.integers(-(-lo // step), hi // step).map(lambda k: k * step)

    def _valid_float(self, parts: list[dict[str, Any]]) -> st.SearchStrategy[float]:
        low, low_open, high, high_open = self._bounds(parts)
        steps = [p["multipleOf"] for p in parts if isinstance(p.get("multipleOf"), (int, float))]
        lo = -_FLOAT_LIMIT if low is None else float(low)
        hi = _FLOAT_LIMIT if high is None else float(high)
        if lo > hi or (lo == hi and (low_open or high_open)):
            return st.nothing()
        if steps:
            step = float(steps[0])
            k_lo = math.ceil(lo / step)
            k_hi = math.floor(hi / step)
            return st.integers(k_lo, k_hi).map(lambda k: k * step) if k_lo <= k_hi else st.nothing()
        return st.floats(lo, hi, exclude_min=low_open, exclude_max=high_open, allow_nan=False, allow_infinity=False)

    def _valid_string(self, parts: list[dict[str, Any]]) -> st.SearchStrategy[str]:
        min_len = max([p["minLength"] for p in parts if isinstance(p.get("minLength"), int)], default=0)
        maxes = [p["maxLength"] for p in parts if isinstance(p.get("maxLength"), int)]
        max_len = min(maxes) if maxes else None
        if max_len is not None and max_len < min_len:
            return st.nothing()
        for part in parts:
            if part.get("format") in _FORMAT_STRATEGIES:
                return _FORMAT_STRATEGIES[part["format"]]
        for part in parts:
            if isinstance(part.get("pattern"), str):
                from_pattern = _from_regex(part["pattern"])
                if from_pattern is not None:
                    return from_pattern
        top = min_len + MAX_TEXT if max_len is None else min(max_len, min_len + MAX_TEXT)
        return st.text(st.characters(codec="utf-8"), min_size=min_len, max_size=top)

    def _array_layout(self, parts: list[dict[str, Any]]) -> tuple[list[list[Any]], list[Any]]:
        """Per-part prefix schemas and the schema for items past each part's prefix."""
        prefixes: list[list[Any]] = []
        rests: list[Any] = []
        for part in parts:
            if self.legacy_items:
                items = part.get("items", True)
                if isinstance(items, list):
                    prefixes.append(items)
                    rests.append(part.get("additionalItems", True))
                else:
                    prefixes.append([])
                    rests.append(items)
            else:
                prefixes.append(list(part.get("prefixItems", [])))
                rests.append(part.get("items", True))
        return prefixes, rests

    @staticmethod
    def _at(prefixes: list[list[Any]], rests: list[Any], index: int) -> Conjuncts:
        return tuple(p[index] if index < len(p) else r for p, r in zip(prefixes, rests))

    def _length_range(self, parts: list[dict[str, Any]], budget: int) -> tuple[int, int]:
        low = max([p["minItems"] for p in parts if isinstance(p.get("minItems"), int)], default=0)
        highs = [p["maxItems"] for p in parts if isinstance(p.get("maxItems"), int)]
        if any("contains" in p for p in parts):
            low = max(low, 1)
        high = low if budget <= LEAN_DEPTH else low + MAX_LIST
        return low, min([high, *highs])

    def _valid_array(self, parts: list[dict[str, Any]], budget: int) -> st.SearchStrategy[list[Any]]:
        prefixes, rests = self._array_layout(parts)
        low, high = self._length_range(parts, budget)
        prefix_len = max(map(len, prefixes), default=0)
        tail = self._at(prefixes, rests, prefix_len)
        if False in tail:
            high = min(high, prefix_len)
        if low > high:
            return st.nothing()
        positions = [self.valid(self._at(prefixes, rests, i), budget) for i in range(prefix_len)]
        tail_item = self.valid(tail, budget)
        contains = tuple(p["contains"] for p in parts if "contains" in p)
        if contains:
            tail_item = st.one_of(self.valid(tail + contains, budget), tail_item)
        unique = _canonical if any(p.get("uniqueItems") is True for p in parts) else None
        tails = {
            n: st.lists(tail_item, min_size=n, max_size=n, unique_by=unique)
            for n in range(max(0, low - prefix_len), max(0, high - prefix_len) + 1)
        }
        return _arrays(_ArrayPlan(st.integers(low, high), positions, tails))

    def _value_conjuncts(self, parts: list[dict[str, Any]], key: str) -> Conjuncts:
        """The schemas a property called `key` must satisfy, across all parts."""
        found: list[Any] = []
        for part in parts:
            hit = False
            if key in part.get("properties", {}):
                found.append(part["properties"][key])
                hit = True
            for pattern, sub in part.get("patternProperties", {}).items():
                if _search(pattern, key):
                    found.append(sub)
                    hit = True
            if not hit and "additionalProperties" in part:
                found.append(part["additionalProperties"])
        return tuple(found)

    def _valid_object(self, parts: list[dict[str, Any]], budget: int) -> st.SearchStrategy[dict[str, Any]]:
        lean = budget <= LEAN_DEPTH
        names: dict[str, None] = {}
        for part in parts:
            names.update(dict.fromkeys(part.get("properties", {})))
        required: dict[str, None] = {}
        for part in parts:
            required.update(dict.fromkeys(r for r in part.get("required", []) if isinstance(r, str)))
        names.update(required)
        values = {name: self.valid(self._value_conjuncts(parts, name), budget) for name in names}
        if any(values[name].is_empty for name in required):
            return st.nothing()
        optional = [n for n in names if n not in required and not values[n].is_empty]
        closed = any(p.get("additionalProperties") is False or p.get("unevaluatedProperties") is False for p in parts)
        patterns = [pat for p in parts for pat in p.get("patternProperties", {})]
        dependents: dict[str, list[str]] = {}
        for part in parts:
            for key in ("dependentRequired", "dependencies"):
                for name, needed in part.get(key, {}).items():
                    if isinstance(needed, list):
                        dependents.setdefault(name, []).extend(needed)
        min_props = max([p["minProperties"] for p in parts if isinstance(p.get("minProperties"), int)], default=0)
        max_props = min([p["maxProperties"] for p in parts if isinstance(p.get("maxProperties"), int)], default=10**6)
        if len(required) > max_props:
            return st.nothing()

        def fresh_key(key: str) -> bool:
            return key not in names and not any(_search(pat, key) for pat in patterns)

        name_schemas = tuple(p["propertyNames"] for p in parts if "propertyNames" in p)
        extra_keys = (
            self.valid(name_schemas + (_STRING_SCHEMA,), budget) if name_schemas
            else st.text(string.ascii_letters + string.digits + "_", min_size=1, max_size=8)
        ).filter(lambda k: isinstance(k, str) and fresh_key(k))
        extra_value = self.valid(tuple(p["additionalProperties"] for p in parts if "additionalProperties" in p), budget)
        can_extend = not closed and not extra_value.is_empty
        allow_extra = can_extend and not lean
        pattern_keys = [] if lean else [s for s in map(_from_regex, patterns) if s is not None]
        optional_cap = min(len(optional), MAX_OPTIONAL, max_props - len(required))

        return _objects(
            _ObjectPlan(
                required=list(required),
                optional=optional,
                chosen=(
                    st.lists(st.sampled_from(optional), unique=True, max_size=optional_cap)
                    if optional and optional_cap > 0 and not lean else st.just([])
                ),
                values=values,
                dependents=dependents,
                pattern_keys=pattern_keys,
                value_for_key=lambda key: self.valid(self._value_conjuncts(parts, key), budget),
                known=set(names),
                extra_keys=extra_keys,
                extra_value=extra_value,
                extra_count=st.integers(0, MAX_EXTRA) if allow_extra else st.just(0),
                can_extend=can_extend,
                min_props=min_props,
                max_props=max_props,
            )
        )

    # ---- invalid instances

    def invalid(self, conjuncts: Conjuncts, budget: int) -> st.SearchStrategy[Any]:
        budget = self._budget_key(conjuncts, budget)
        key = ("invalid", tuple(map(id, conjuncts)), budget)
        return self._cached(key, lambda: self._build_invalid(conjuncts, budget))

    def _build_invalid(self, conjuncts: Conjuncts, budget: int) -> st.SearchStrategy[Any]:
        found = self.expand(conjuncts)
        if found.never:
            return _ANY_JSON
        budget -= found.hops
        if budget < 0:
            return st.nothing()
        options = self._invalid_plain(conjuncts, found.simple, budget)
        for index, (kind, node) in enumerate(found.composites):
            rest = tuple(found.simple) + tuple(
                self._derive(n, k) for i, (k, n) in enumerate(found.composites) if i != index
            )
            if kind in ("anyOf", "oneOf"):
                options += [self.invalid(rest + (branch,), budget) for branch in node[kind]]
                if kind == "oneOf":
                    branches = node[kind]
                    pairs = [(a, b) for i, a in enumerate(branches) for b in branches[i + 1:]][:6]
                    options += [self.valid(rest + pair, budget) for pair in pairs]
            elif kind == "not":
                options.append(self.valid(rest + (node["not"],), budget))
            else:
                then = (node["then"],) if "then" in node else ()
                otherwise = (node["else"],) if "else" in node else ()
                options.append(self.invalid(rest + (node["if"],) + then, budget))
                options.append(self.invalid(rest + otherwise, budget))
        is_valid = self.all_valid(conjuncts)
        return _one_of(options).filter(lambda instance: not is_valid(instance))

    def _invalid_plain(
        self, conjuncts: Conjuncts, parts: list[dict[str, Any]], budget: int
    ) -> list[st.SearchStrategy[Any]]:
        options: list[st.SearchStrategy[Any]] = []
        declared = _declared_types(parts)
        if declared is not None:
            wrong = [v for v in _WRONG_TYPE_SAMPLES if not any(_type_matches(v, t) for t in declared)]
            if wrong:
                options.append(st.sampled_from(wrong))
        for part in parts:
            if "const" in part:
                options.append(st.sampled_from(_near_misses(part["const"])))
            if isinstance(part.get("enum"), list) and part["enum"]:
                options.append(st.sampled_from([m for v in part["enum"] for m in _near_misses(v)] + ["not-listed"]))
        types = declared or _implied_types(parts) or set()
        if "string" in types:
            options += _invalid_strings(parts)
        if types & {"integer", "number"}:
            options += _invalid_numbers(parts, integer_only="number" not in types)
        if "array" in types:
            options += self._invalid_arrays(conjuncts, parts, budget)
        if "object" in types:
            options += self._invalid_objects(conjuncts, parts, budget)
        return options

    def _invalid_arrays(
        self, conjuncts: Conjuncts, parts: list[dict[str, Any]], budget: int
    ) -> list[st.SearchStrategy[Any]]:
        base = self.valid(conjuncts, budget).filter(lambda x: isinstance(x, list))
        options: list[st.SearchStrategy[Any]] = []
        low = max([p["minItems"] for p in parts if isinstance(p.get("minItems"), int)], default=0)
        highs = [p["maxItems"] for p in parts if isinstance(p.get("maxItems"), int)]
        if low > 0:
            options.append(base.map(lambda items: items[: low - 1]))
        if highs:
            top = min(highs)
            options.append(base.filter(bool).map(lambda items: items + [items[-1]] * (top + 1 - len(items))))
        if any(p.get("uniqueItems") is True for p in parts):
            options.append(base.filter(bool).map(lambda items: items + [items[0]]))
        if any("contains" in p for p in parts):
            options.append(st.just([]))
        prefixes, rests = self._array_layout(parts)
        prefix_len = max(map(len, prefixes), default=0)
        for index in range(prefix_len):
            bad = self.invalid(self._at(prefixes, rests, index), budget)
            options.append(
                st.tuples(base.filter(lambda items, i=index: len(items) > i), bad).map(
                    lambda pair, i=index: pair[0][:i] + [pair[1]] + pair[0][i + 1:]
                )
            )
        tail = self._at(prefixes, rests, prefix_len)
        bad_tail = self.invalid(tail, budget)
        options.append(
            st.tuples(base.filter(lambda items: len(items) >= prefix_len), bad_tail).map(
                lambda pair: pair[0] + [pair[1]] if len(pair[0]) < min(highs, default=10**6)
                else pair[0][:-1] + [pair[1]]
            )
        )
        return options

    def _invalid_objects(
        self, conjuncts: Conjuncts, parts: list[dict[str, Any]], budget: int
    ) -> list[st.SearchStrategy[Any]]:
        base = self.valid(conjuncts, budget).filter(lambda x: isinstance(x, dict))
        options: list[st.SearchStrategy[Any]] = []
        required = sorted({r for p in parts for r in p.get("required", []) if isinstance(r, str)})
        if required:
            options.append(
                st.tuples(base, st.sampled_from(required)).map(
                    lambda pair: {k: v for k, v in pair[0].items() if k != pair[1]}
                )
            )
        names = {n for p in parts for n in p.get("properties", {})} | set(required)
        patterns = [pat for p in parts for pat in p.get("patternProperties", {})]
        closed = any(p.get("additionalProperties") is False or p.get("unevaluatedProperties") is False for p in parts)
        unused = [k for k in ("unexpectedProperty", "x-accord-extra", "zz_9") if k not in names
                  and not any(_search(pat, k) for pat in patterns)]
        if closed and unused:
            options.append(st.tuples(base, st.sampled_from(unused)).map(lambda pair: {**pair[0], pair[1]: 0}))
        for name in sorted(names):
            bad = self.invalid(self._value_conjuncts(parts, name), budget)
            options.append(st.tuples(base, bad).map(lambda pair, n=name: {**pair[0], n: pair[1]}))
        for part in parts:
            for pattern, sub in part.get("patternProperties", {}).items():
                keys = _from_regex(pattern)
                if keys is not None:
                    bad = self.invalid((sub,), budget)
                    options.append(st.tuples(base, keys, bad).map(lambda t: {**t[0], t[1]: t[2]}))
            extra = part.get("additionalProperties")
            if isinstance(extra, dict) and extra and unused:
                bad = self.invalid((extra,), budget)
                options.append(st.tuples(base, bad).map(lambda pair, k=unused[0]: {**pair[0], k: pair[1]}))
            if "propertyNames" in part:
                bad_keys = self.invalid((part["propertyNames"], _STRING_SCHEMA), budget)
                options.append(
                    st.tuples(base, bad_keys.filter(lambda k: isinstance(k, str))).map(
                        lambda pair: {**pair[0], pair[1]: None}
                    )
                )
            if isinstance(part.get("minProperties"), int) and part["minProperties"] > 0:
                options.append(base.map(lambda obj, n=part["minProperties"]: dict(list(obj.items())[: n - 1])))
            if isinstance(part.get("maxProperties"), int):
                limit = part["maxProperties"]
                options.append(
                    base.map(lambda obj, n=limit: {**obj, **{f"extra{i}": 0 for i in range(n + 1 - len(obj))}})
                )
        return options



@dataclass(frozen=True, repr=False)
class _ArrayPlan:
    """How to draw an array: a length, the prefix positions, then the tail items."""

    def __repr__(self) -> str:  # hypothesis prints strategies in events; keep it short
        return f"<array plan, {len(self.positions)} prefix items>"

    sizes: st.SearchStrategy[int]
    positions: list[st.SearchStrategy[Any]]
    tails: dict[int, st.SearchStrategy[list[Any]]]  # by number of items past the prefix


@st.composite
def _arrays(draw: Callable[..., Any], plan: _ArrayPlan) -> list[Any]:
    size = draw(plan.sizes)
    head = [draw(plan.positions[i]) for i in range(min(size, len(plan.positions)))]
    extra = size - len(head)
    return head + (draw(plan.tails[extra]) if extra else [])


@dataclass(frozen=True, repr=False)
class _ObjectPlan:
    """How to draw an object: which properties, from which strategies, how many."""

    def __repr__(self) -> str:  # hypothesis prints strategies in events; keep it short
        return f"<object plan, properties {sorted(self.values)}>"

    required: list[str]
    optional: list[str]
    chosen: st.SearchStrategy[list[str]]
    values: dict[str, st.SearchStrategy[Any]]
    dependents: dict[str, list[str]]
    pattern_keys: list[st.SearchStrategy[str]]
    value_for_key: Callable[[str], st.SearchStrategy[Any]]
    known: set[str]
    extra_keys: st.SearchStrategy[str]
    extra_value: st.SearchStrategy[Any]
    extra_count: st.SearchStrategy[int]
    can_extend: bool
    min_props: int
    max_props: int


@st.composite
def _objects(draw: Callable[..., Any], plan: _ObjectPlan) -> dict[str, Any]:
    out = {name: draw(plan.values[name]) for name in plan.required}
    chosen: list[str] = draw(plan.chosen)
    for name in chosen + [d for n in chosen for d in plan.dependents.get(n, []) if d in plan.values]:
        if name not in out:
            out[name] = draw(plan.values[name])
    for keys in plan.pattern_keys:
        if len(out) < plan.max_props and draw(_COIN):
            key = draw(keys)
            if key not in plan.known and key not in out:
                out[key] = draw(plan.value_for_key(key))
    for _ in range(draw(plan.extra_count)):
        if len(out) < plan.max_props:
            out.setdefault(draw(plan.extra_keys), draw(plan.extra_value))
    for name in plan.optional:
        if len(out) >= plan.min_props:
            break
        out.setdefault(name, draw(plan.values[name]))
    for _ in range(plan.min_props + 5):
        if len(out) >= plan.min_props or not plan.can_extend:
            break
        out.setdefault(draw(plan.extra_keys), draw(plan.extra_value))
    return out


_APPROXIMATE_KEYS = frozenset(
    {"uniqueItems", "contains", "minContains", "maxContains", "minProperties", "maxProperties",
     "propertyNames", "dependentRequired", "dependentSchemas", "dependencies", "patternProperties",
     "unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$recursiveRef"}
)


def _construction_is_approximate(parts: list[dict[str, Any]]) -> bool:
    """Whether `_valid_plain` may build instances that break `parts` (so they need a check).

    Exact: types, const/enum alone, numeric bounds with integer multipleOf, one
    pattern or one known format or lengths, properties/required/additionalProperties,
    items/prefixItems and item counts.
    """
    keys = [k for part in parts for k in part]
    if _APPROXIMATE_KEYS.intersection(keys):
        return True
    if ("const" in keys or "enum" in keys) and (len(parts) > 1 or set(keys) - {"type", "const", "enum"}):
        return True
    string_rules = [k for k in keys if k in ("pattern", "format", "minLength", "maxLength")]
    if ("pattern" in string_rules or "format" in string_rules) and len(string_rules) > 1:
        return True
    if any(p.get("format") not in (None, *_FORMAT_STRATEGIES) for p in parts):
        return True
    steps = [p["multipleOf"] for p in parts if "multipleOf" in p]
    return len(steps) > 1 or any(not float(m).is_integer() for m in steps)


def _declared_types(parts: list[dict[str, Any]]) -> set[str] | None:
    """Types allowed by every explicit `type` keyword, or None when none is given."""
    allowed: set[str] | None = None
    for part in parts:
        declared = part.get("type")
        if declared is None:
            continue
        names = {declared} if isinstance(declared, str) else set(declared)
        if "number" in names:
            names.add("integer")
        allowed = names if allowed is None else allowed & names
    return allowed


def _implied_types(parts: list[dict[str, Any]]) -> set[str] | None:
    """Types that the keywords present are about, or None for 'any value'."""
    keys = {k for p in parts for k in p}
    implied = set()
    for type_keys, names in ((_OBJECT_KEYS, {"object"}), (_ARRAY_KEYS, {"array"}),
                             (_STRING_KEYS, {"string"}), (_NUMBER_KEYS, {"number", "integer"})):
        if keys & type_keys:
            implied |= names
    return implied or None


def _invalid_strings(parts: list[dict[str, Any]]) -> list[st.SearchStrategy[Any]]:
    options: list[st.SearchStrategy[Any]] = []
    for part in parts:
        if isinstance(part.get("minLength"), int) and part["minLength"] > 0:
            options.append(st.text(string.ascii_letters, max_size=part["minLength"] - 1))
        if isinstance(part.get("maxLength"), int):
            options.append(st.just("x" * (part["maxLength"] + 1)))
        if isinstance(part.get("pattern"), str):
            pattern = part["pattern"]
            samples = st.sampled_from(["", " ", "!", "Zz9_-", "\n", "\u00e9\u00e9"]) | _TEXT
            options.append(samples.filter(lambda s, p=pattern: not _search(p, s)))
        bad = _BAD_FORMATS.get(part.get("format"))  # type: ignore[arg-type]
        if bad and part.get("format") in FORMAT_CHECKER.checkers:
            options.append(st.sampled_from(bad))
    return options


def _invalid_numbers(parts: list[dict[str, Any]], integer_only: bool) -> list[st.SearchStrategy[Any]]:
    values: list[Any] = []
    for part in parts:
        for key, below in (("minimum", 1), ("exclusiveMinimum", 0), ("maximum", -1), ("exclusiveMaximum", 0)):
            edge = part.get(key)
            if isinstance(edge, (int, float)) and not isinstance(edge, bool):
                values.append(edge - below)
                if not integer_only and below:
                    values.append(edge - below / 2)
        step = part.get("multipleOf")
        if isinstance(step, (int, float)) and not isinstance(step, bool):
            values.append(step * 3 + step / 2)
            if isinstance(step, int) and step > 1:
                values.append(step * 3 + 1)
    return [st.sampled_from(values)] if values else []


# --------------------------------------------------------------------------- public API

_CONTEXTS: OrderedDict[int, _Context] = OrderedDict()
_MAX_CONTEXTS = 32


def _context(document: dict[str, Any]) -> _Context:
    found = _CONTEXTS.get(id(document))
    if found is not None and found.document is document:
        _CONTEXTS.move_to_end(id(document))
        return found
    found = _CONTEXTS[id(document)] = _Context(document)
    while len(_CONTEXTS) > _MAX_CONTEXTS:
        _CONTEXTS.popitem(last=False)
    return found


def validator_for(document: dict[str, Any], definition: str | None = None) -> Any:
    """A jsonschema validator for `definition` (a ``$defs``/``definitions`` name,
    a ``#/...`` pointer, or None for the document root), built once and cached
    per document object.  The draft comes from ``$schema`` (2020-12 when absent);
    refs resolve through a ``referencing.Registry``; formats are asserted with
    :data:`FORMAT_CHECKER`."""
    context = _context(document)
    return context.validator(context.definition(definition))


def from_schema(
    document: dict[str, Any], definition: str | None = None, *, valid: bool = True
) -> st.SearchStrategy[Any]:
    """Instances of `definition` in `document` (None: the root).  valid=True: every
    instance validates; valid=False: every instance is deliberately broken and
    does not validate.  The strategy is empty when no such instance exists."""
    context = _context(document)
    node = (context.definition(definition),)
    if valid:
        return context.valid(node, MAX_REF_DEPTH).filter(context.all_valid(node))
    return context.invalid(node, MAX_REF_DEPTH)


def _params_conjuncts(context: _Context, request_definition: str) -> Conjuncts:
    parts = context.expand((context.definition(request_definition),)).simple
    found = tuple(p["properties"]["params"] for p in parts if "params" in p.get("properties", {}))
    if not found:
        raise ValueError(f"{request_definition!r} has no 'params' property")
    return found


def params_strategy(
    document: dict[str, Any], request_definition: str, *, valid: bool = True
) -> st.SearchStrategy[dict[str, Any]]:
    """The ``params`` object of a request definition such as ``CallToolRequest``.

    valid=True: params that satisfy the definition's ``params`` schema.
    valid=False: params objects (always a JSON object, so a JSON-RPC envelope
    around them stays well-formed) that break that schema."""
    context = _context(document)
    conjuncts = _params_conjuncts(context, request_definition)
    if valid:
        strategy = context.valid(conjuncts, MAX_REF_DEPTH).filter(context.all_valid(conjuncts))
    else:
        strategy = context.invalid(conjuncts, MAX_REF_DEPTH)
    return strategy.filter(lambda params: isinstance(params, dict))


_REQUEST_IDS = st.one_of(
    st.integers(1, 2**31 - 1), st.text(string.ascii_letters + string.digits, min_size=1, max_size=12)
)


def request_strategy(
    document: dict[str, Any],
    request_definition: str,
    *,
    valid: bool = True,
    ids: st.SearchStrategy[int | str] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Whole JSON-RPC request envelopes ``{"jsonrpc": "2.0", "id", "method", "params"}``
    for a request definition; the method is the definition's ``method`` const and
    the params come from :func:`params_strategy` (valid or broken)."""
    context = _context(document)
    methods = [
        p["properties"]["method"]["const"]
        for p in context.expand((context.definition(request_definition),)).simple
        if "const" in p.get("properties", {}).get("method", {})
    ]
    if not methods:
        raise ValueError(f"{request_definition!r} has no 'method' const")
    return st.fixed_dictionaries(
        {
            "jsonrpc": st.just("2.0"),
            "id": ids if ids is not None else _REQUEST_IDS,
            "method": st.just(methods[0]),
            "params": params_strategy(document, request_definition, valid=valid),
        }
    )
