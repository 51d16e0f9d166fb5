"""Pagination (server/utilities/pagination): walking the list methods by cursor."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ....outcomes import Failure, NotApplicable, Skip
from ....registry import check
from .. import declares
from ..context import McpContext
from ..session import McpSession, no_response

LIST_METHODS: tuple[tuple[str, str, str], ...] = (
    ("tools/list", "tools", "tools"),
    ("prompts/list", "prompts", "prompts"),
    ("resources/list", "resources", "resources"),
    ("resources/templates/list", "resourceTemplates", "resources"),
)
"""(method, result key holding the items, capability that offers it)."""

ITEM_KEYS = {"tools": "name", "prompts": "name", "resources": "uri", "resourceTemplates": "uriTemplate"}
"""What identifies an item of each list."""

MAX_PAGES = 50
LONG_WALK_PAGES = 200


@dataclass
class Walk:
    """Every page of one list method, fetched by following nextCursor."""

    method: str
    key: str
    pages: list[dict[str, Any]] = field(default_factory=list)
    cursors: list[str] = field(default_factory=list)
    """The cursor sent for pages[1:], in order."""
    loop: str | None = None
    """A nextCursor handed out a second time."""
    truncated: bool = False
    broken: str | None = None
    """Why a follow-up page could not be fetched (error, no response, no items array)."""

    @property
    def items(self) -> list[Any]:
        return [item for page in self.pages if isinstance(page.get(self.key), list) for item in page[self.key]]

    @property
    def paginates(self) -> bool:
        return bool(self.pages) and "nextCursor" in self.pages[0]


def walk(session: McpSession, method: str, key: str, max_pages: int = MAX_PAGES) -> Walk:
    """Fetch the first page (Failure if it fails) and follow nextCursor, recording what goes wrong."""
    result = session.call(method)
    pages = Walk(method, key, [result])
    while True:
        cursor = pages.pages[-1].get("nextCursor")
        if cursor is None:
            return pages
        if not isinstance(cursor, str):
            pages.broken = f"nextCursor is not a string: {cursor!r}"
            return pages
        if cursor in pages.cursors:
            pages.loop = cursor
            return pages
        if len(pages.pages) >= max_pages:
            pages.truncated = True
            return pages
        pages.cursors.append(cursor)
        reply = session.request(method, {"cursor": cursor})
        response = reply.response or {}
        page = response.get("result")
        if not isinstance(page, dict) or not isinstance(page.get(key), list):
            pages.broken = f"{method} with cursor {cursor!r} (page {len(pages.pages) + 1}) got {reply.describe()}"[:600]
            return pages
        pages.pages.append(page)


def declared_lists(ctx: McpContext) -> list[tuple[str, str]]:
    return [(method, key) for method, key, capability in LIST_METHODS if declares(ctx.capabilities, capability)]


def paginating_walks(ctx: McpContext, max_pages: int = MAX_PAGES) -> list[Walk]:
    """Walks of every declared list whose first page carries a nextCursor; NotApplicable if none does."""
    lists = declared_lists(ctx)
    ctx.require(lists, "the server declares none of tools, prompts, resources: it has no list to paginate")
    walks = []
    for method, key in lists:
        try:
            pages = walk(ctx.session, method, key, max_pages)
        except Failure:
            continue  # a list that fails on its first page is judged by that list's own requirement
        if pages.paginates:
            walks.append(pages)
    if not walks:
        raise NotApplicable(f"no list method returned a nextCursor ({', '.join(m for m, _ in lists)}): nothing paginates")
    return walks


def unissued_cursor(ctx: McpContext, walks: list[Walk]) -> str:
    seen = {c for w in walks for c in w.cursors} | {str(p.get("nextCursor")) for w in walks for p in w.pages}
    digest = hashlib.sha256(f"accord-cursor-{ctx.settings.seed}".encode()).hexdigest()[:16]
    cursor = f"accord-never-issued-{digest}"
    while cursor in seen:
        cursor += "x"
    return cursor


@check("mcp.pagination.all-pages-reachable", protocol="mcp")
def following_next_cursor_reaches_every_page(ctx: McpContext) -> None:
    walks = paginating_walks(ctx)
    judged = 0
    for pages in walks:
        if pages.broken:
            raise Failure(f"{pages.method}: following nextCursor broke off: {pages.broken}")
        definition = ctx.result_definition(pages.method)
        for number, page in enumerate(pages.pages, 1):
            if definition:
                ctx.validate(definition, page, f"page {number} of {pages.method}")
        if not pages.truncated:
            judged += 1
    if not judged:
        raise Skip(f"every paginated list is longer than {MAX_PAGES} pages; its end was not reached")


@check("mcp.pagination.cursor-terminates", protocol="mcp")
def cursor_chain_ends_without_cycling(ctx: McpContext) -> None:
    walks = paginating_walks(ctx, LONG_WALK_PAGES)
    ended = 0
    for pages in walks:
        if pages.loop is not None:
            raise Failure(
                f"{pages.method}: nextCursor {pages.loop!r} came back after {len(pages.pages)} pages: the chain cycles",
                example={"cursors": pages.cursors},
            )
        if pages.broken is None and not pages.truncated:
            ended += 1
    if not ended:
        raise Skip(f"no paginated list ended within {LONG_WALK_PAGES} pages, nor did one cycle; cannot judge")


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


@check("mcp.pagination.stable-cursors", protocol="mcp")
def same_cursor_gives_same_page(ctx: McpContext) -> None:
    walks = [w for w in paginating_walks(ctx) if len(w.pages) > 1 and not w.broken and w.loop is None]
    if not walks:
        raise Skip("no paginated list could be followed to its end without breaking off or cycling "
                   "(see mcp.pagination.cursor-terminates)")
    for pages in walks:
        cursor = pages.cursors[0]
        again = ctx.session.request(pages.method, {"cursor": cursor})
        page = (again.response or {}).get("result")
        if not isinstance(page, dict):
            raise Failure(f"{pages.method} with cursor {cursor!r} worked once, then got {again.describe()}")
        before = pages.pages[1].get(pages.key)
        if _canonical(page.get(pages.key)) != _canonical(before):
            raise Failure(
                f"{pages.method} with the same cursor {cursor!r} twice gave different pages",
                example={"first": before, "second": page.get(pages.key)},
            )
        identity = ITEM_KEYS[pages.key]
        where: dict[str, int] = {}
        for number, one in enumerate(pages.pages, 1):
            for item in one.get(pages.key, []):
                name = item.get(identity) if isinstance(item, dict) else None
                if not isinstance(name, str):
                    continue
                if name in where and where[name] != number:
                    raise Failure(f"{pages.method}: {identity} {name!r} is on page {where[name]} and page {number}")
                where.setdefault(name, number)


def _invalid_cursor_reply(ctx: McpContext) -> tuple[Walk, str, Any, McpSession]:
    walks = paginating_walks(ctx)
    pages = walks[0]
    cursor = unissued_cursor(ctx, walks)
    session = ctx.opened()
    reply = session.request(pages.method, {"cursor": cursor})
    return pages, cursor, reply, session


@check("mcp.pagination.invalid-cursor-graceful", protocol="mcp")
def invalid_cursor_does_not_break_the_session(ctx: McpContext) -> None:
    pages, cursor, reply, session = _invalid_cursor_reply(ctx)
    if reply.response is None:
        no_response(f"{pages.method} with the never-issued cursor {cursor!r}", reply)
    after = session.request("ping")
    if after.response is None or "result" not in after.response:
        raise Failure(
            f"after {pages.method} with the never-issued cursor {cursor!r}, the session no longer answers ping: "
            f"{after.describe()}"
        )


@check("mcp.pagination.invalid-cursor", protocol="mcp")
def invalid_cursor_is_invalid_params(ctx: McpContext) -> None:
    pages, cursor, reply, _ = _invalid_cursor_reply(ctx)
    response = reply.response
    if response is None:
        no_response(f"{pages.method} with the never-issued cursor {cursor!r}", reply)
    error = response.get("error")
    if not isinstance(error, dict):
        raise Failure(f"{pages.method} with the never-issued cursor {cursor!r} succeeded instead of -32602: {response}"[:600])
    if error.get("code") != -32602:
        raise Failure(f"{pages.method} with the never-issued cursor {cursor!r} got error code {error.get('code')!r}, not -32602")


def pages_valid(ctx: McpContext, pages: Walk, definition: str) -> None:
    """Failure unless every page of a walked list was fetched and is a valid ``definition``."""
    if pages.broken:
        raise Failure(f"{pages.method}: a following page could not be fetched: {pages.broken}")
    for number, page in enumerate(pages.pages, 1):
        ctx.validate(definition, page, f"page {number} of {pages.method}")
