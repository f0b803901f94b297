"""One connection shape for every list that can grow (the GraphQL Cursor Connections specification).

`XConnection { edges { cursor node } nodes pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
totalCount }`, with `first`/`after` on every such field and `last`/`before` where the order allows.

The one rule for page sizes, on every field: `first` and `last` are from 0 to MAX_PAGE; without either a
page holds DEFAULT_PAGE items; a size outside that range, or `first` with `last`, is refused with
VALIDATION_ERROR naming the argument (`extensions.fields`), never clamped. A cursor is opaque, valid for the
field that gave it; a foreign or damaged cursor is refused the same way.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

import strawberry
from strawberry import relay

from app.domain.limits import BIGINT_MAX
from app.errors import ValidationFailed

T = TypeVar("T")
S = TypeVar("S")

DEFAULT_PAGE = 20
MAX_PAGE = 100

FIRST = "Return the first n items (0 to 100; 20 when neither `first` nor `last` is given)."
AFTER = "Return the items after this cursor (an `endCursor` or edge `cursor` from this field)."
LAST = "Return the last n items (0 to 100); with `before`, the n items just before it."
BEFORE = "Return the items before this cursor (a `startCursor` or edge `cursor` from this field)."

PageInfo = relay.PageInfo

# The paging arguments, declared once: `first: First = None, after: After = None, last: Last = None, ...`
First = Annotated[int | None, strawberry.argument(description=FIRST)]
After = Annotated[str | None, strawberry.argument(description=AFTER)]
Last = Annotated[int | None, strawberry.argument(description=LAST)]
Before = Annotated[str | None, strawberry.argument(description=BEFORE)]


@strawberry.type(description="An item of a connection, with the cursor that points at it.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Pass as `after` (or `before`) to continue from this item.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list: its edges (items with cursors), the items alone, and paging data.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page, each with its cursor.")
    page_info: PageInfo = strawberry.field(description="Whether there are more items, and the cursors to fetch them.")
    total_count: int = strawberry.field(description="How many items the whole list holds (all pages, same filters).")

    @strawberry.field(description="The items of this page, without cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


@dataclass(frozen=True)
class PageArgs:
    """A field's paging arguments, checked: `size` items from the front (`forward`) or the back."""

    size: int
    forward: bool
    after: str | None
    before: str | None


def page_args(
    first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None
) -> PageArgs:
    """The one rule for page sizes (see the module text)."""
    if first is not None and last is not None:
        raise ValidationFailed("Give first or last, not both.", fields={"first": "with_last", "last": "with_first"})
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE:
            raise ValidationFailed(f"{name} must be from 0 to {MAX_PAGE}.", fields={name: "out_of_range"})
    if last is not None:
        return PageArgs(size=last, forward=False, after=after or None, before=before or None)
    return PageArgs(
        size=DEFAULT_PAGE if first is None else first, forward=True, after=after or None, before=before or None
    )


# Offset cursors: the position of an item in the list's order, tagged with the list's name so a cursor of
# one field is refused by another.


def offset_cursor(kind: str, position: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode()


def read_offset_cursor(kind: str, cursor: str, argument: str) -> int:
    try:
        tag, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        position = int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise _bad_cursor(argument) from exc
    if tag != kind or not 0 <= position <= BIGINT_MAX:
        raise _bad_cursor(argument)
    return position


def _bad_cursor(argument: str) -> ValidationFailed:
    return ValidationFailed(f"{argument} is not a cursor of this field.", fields={argument: "invalid_cursor"})


@dataclass(frozen=True)
class Window:
    """Positions [offset, offset + limit) of a list, as `OffsetPaging.window` computes them."""

    offset: int
    limit: int


def offset_window(kind: str, args: PageArgs, total: int) -> Window:
    """The window of an offset-paged list of `total` items for `args` (after/before bound it, first/last size it)."""
    start = read_offset_cursor(kind, args.after, "after") + 1 if args.after else 0
    end = read_offset_cursor(kind, args.before, "before") if args.before else total
    start, end = min(start, total), max(min(end, total), 0)
    end = max(end, start)
    if args.forward:
        return Window(offset=start, limit=min(args.size, end - start))
    return Window(offset=max(start, end - args.size), limit=min(args.size, end - start))


P = TypeVar("P")


async def offset_page(
    kind: str, args: PageArgs, read: Callable[[int, int], Awaitable[P]], total_of: Callable[[P], int]
) -> tuple[Window, P]:
    """The window of `args` and the page `read(offset, limit)` gives for it, for a list whose size comes back
    with each page (`total_of(page)`): paging forward needs no size beforehand, one read gives page and size;
    `last` or `before` place the window from the end, so the size is read first (a read of 0 items)."""
    if args.forward and args.before is None:
        start = read_offset_cursor(kind, args.after, "after") + 1 if args.after else 0
        page = await read(start, args.size)
        window = offset_window(kind, args, total_of(page))
        if window.offset == start:
            return window, page
    else:
        window = offset_window(kind, args, total_of(await read(0, 0)))
    return window, await read(window.offset, window.limit)


def connection_of(
    connection: Callable[..., S],
    items: Sequence[T],
    *,
    cursor: Callable[[int, T], str],
    total: int,
    has_previous: bool,
    has_next: bool,
    node: Callable[[T], object] = lambda item: item,
    **fields: object,
) -> S:
    """A `connection` of `items` (in list order); `cursor(i, item)` is the cursor of the i-th item of the page.
    `fields` are the connection type's own further fields."""
    edges = [Edge(cursor=cursor(i, item), node=node(item)) for i, item in enumerate(items)]
    return connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
        **fields,
    )


def offset_connection(
    connection: Callable[..., S],
    kind: str,
    items: Sequence[T],
    *,
    window: Window,
    total: int,
    node: Callable[[T], object] = lambda item: item,
    **fields: object,
) -> S:
    """A `connection` of the items of an offset `window` of a list of `total` items."""
    return connection_of(
        connection,
        items,
        cursor=lambda i, _: offset_cursor(kind, window.offset + i),
        total=total,
        has_previous=window.offset > 0,
        has_next=window.offset + len(items) < total,
        node=node,
        **fields,
    )
