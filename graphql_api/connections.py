"""Connections over an offset window: the edges of one page and its page info.

Each area keeps its own cursor text (clients hold cursors, so their form stays as it is) and its own
connection types; the arithmetic of a window is the same everywhere and lives here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

C = TypeVar("C")
T = TypeVar("T")
P = TypeVar("P")


def window_page_info(
    page_info: Callable[..., P], offset: int, count: int, total: int, cursor: Callable[[int], str]
) -> P:
    """`count` items from position `offset` of `total`: the cursors of the first and last item."""
    return page_info(
        has_next_page=offset + count < total,
        has_previous_page=offset > 0,
        start_cursor=cursor(offset) if count else None,
        end_cursor=cursor(offset + count - 1) if count else None,
    )


def window_connection(
    connection: Callable[..., C],
    items: Sequence[T],
    *,
    offset: int,
    total: int,
    edge: Callable[..., Any],
    node: Callable[[T], Any],
    cursor: Callable[[int], str],
    page_info: Callable[..., Any],
    **fields: Any,
) -> C:
    """A `connection` of `items` (positions `offset`... of `total`), each an `edge` around its `node`; `fields` are
    the connection's own further fields."""
    return connection(
        edges=[edge(cursor=cursor(offset + i), node=node(item)) for i, item in enumerate(items)],
        page_info=window_page_info(page_info, offset, len(items), total, cursor),
        total_count=total,
        **fields,
    )
