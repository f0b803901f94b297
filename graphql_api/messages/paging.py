"""Offset windows of lists whose size comes back with a page (the inbox, the notifications).

Paging forward from the front or from `after` needs no size beforehand: one read gives the page and the
size. `last` or `before` place the window from the end, so the size is read first (a read of 0 items).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from graphql_api.connections import PageArgs, Window, offset_window, read_offset_cursor

P = TypeVar("P")


async def offset_page(
    kind: str, args: PageArgs, read: Callable[[int, int], Awaitable[P]], total_of: Callable[[P], int]
) -> tuple[Window, P]:
    """The window of `args` and the page `read(offset, limit)` gives for it."""
    if args.forward and args.before is None:
        start = read_offset_cursor(kind, args.after, "after") + 1 if args.after else 0
        page = await read(start, args.size)
        window = offset_window(kind, args, total_of(page))
        if window.offset == start:
            return window, page
    else:
        window = offset_window(kind, args, total_of(await read(0, 0)))
    return window, await read(window.offset, window.limit)
