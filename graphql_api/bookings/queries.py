"""The bookings area's root query fields: the owner's lines (a keyset connection), one line, the status table,
change requests and ratings (offset connections)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from app.domain.bookings import queries, ratings
from app.domain.limits import in_db_range
from app.errors import ValidationFailed
from graphql_api.bookings.inputs import BookingFilter, group_key_of
from graphql_api.bookings.types import (
    Booking,
    BookingConnection,
    BookingGroup,
    BookingStatusOption,
    ChangeRequest,
    ChangeRequestConnection,
    ChangeRequestStatus,
    Rating,
    RatingConnection,
)
from graphql_api.connections import (
    After,
    Before,
    First,
    Last,
    connection_of,
    offset_connection,
    offset_window,
    page_args,
)
from graphql_api.context import GraphQLContext
from graphql_api.mapping import domain_value
from graphql_api.node import database_id_of

Ctx = Info[GraphQLContext, None]


def _cursor(b: Booking) -> str:
    return base64.urlsafe_b64encode(f"{b.service_start_time.isoformat()}|{b.id}".encode()).decode()


def _key(cursor: str | None, argument: str) -> tuple[datetime, int] | None:
    """The (start, id) keyset position behind a cursor of `bookings`."""
    if not cursor:
        return None
    try:
        start, _, ident = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        number = int(ident)
        instant = datetime.fromisoformat(start)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise _bad_cursor(argument) from exc
    if not in_db_range(number) or instant.tzinfo is None:
        raise _bad_cursor(argument)
    return instant, number


def _bad_cursor(argument: str) -> ValidationFailed:
    return ValidationFailed(f"{argument} is not a cursor of this field.", fields={argument: "invalid_cursor"})


@strawberry.type
class BookingsQuery:
    @strawberry.field(
        description="The signed-in owner's booking lines, newest start first (then newest id), with the groups of "
        "each page's lines. Pages forward with `first`/`after`, backward with `last`/`before`; given a cursor, "
        "the page info counts the line it points at as lying beyond it (`after`: hasPreviousPage, `before`: "
        "hasNextPage)."
    )
    async def bookings(
        self,
        info: Ctx,
        filter: Annotated[
            BookingFilter | None, strawberry.argument(description="Which lines to list; null: all.")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> BookingConnection:
        owner_id = await info.context.owner_id()
        args = page_args(first, after, last, before)
        f = filter or BookingFilter()
        page = await info.context.read(
            queries.page_of_lines,
            owner_id,
            size=args.size,
            forward=args.forward,
            statuses=[domain_value(s) for s in f.statuses] if f.statuses else None,
            group_id=group_key_of(f.group_id, "filter.groupId") if f.group_id is not None else None,
            registration_number=f.registration_number,
            after=_key(args.after, "after"),
            before=_key(args.before, "before"),
        )
        # beyond a cursor lies at least the line it points at
        if args.forward:
            has_previous, has_next = args.after is not None, page.has_more or args.before is not None
        else:
            has_previous, has_next = page.has_more or args.after is not None, args.before is not None
        return connection_of(
            BookingConnection,
            [Booking.of(i) for i in page.items],
            cursor=lambda _, b: _cursor(b),
            total=page.total,
            has_previous=has_previous,
            has_next=has_next,
            groups=[BookingGroup.of(g) for g in page.groups],
        )

    @strawberry.field(
        description="One of the owner's booking lines; null when it does not exist or is another owner's."
    )
    async def booking(
        self, info: Ctx, id: Annotated[relay.GlobalID, strawberry.argument(description="The line (`Booking.id`).")]
    ) -> Booking | None:
        owner_id = await info.context.owner_id()
        number = database_id_of(id, "Booking", "id")
        found = await info.context.read(queries.lines_by_id, owner_id, [number])
        return Booking.of(found[number]) if number in found else None

    @strawberry.field(description="The booking statuses in use, in display order (a small fixed table).")
    async def booking_statuses(self, info: Ctx) -> list[BookingStatusOption]:
        return [BookingStatusOption.of(s) for s in await info.context.read(queries.statuses)]

    @strawberry.field(description="The owner's change requests, newest first.")
    async def change_requests(
        self,
        info: Ctx,
        status: Annotated[
            ChangeRequestStatus | None, strawberry.argument(description="Only requests in this status; null: all.")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> ChangeRequestConnection:
        args = page_args(first, after, last, before)
        code = domain_value(status) if status is not None else None
        total = await info.context.read_as_owner(queries.count_change_requests, status=code)
        window = offset_window("changeRequests", args, total)
        items = await info.context.read_as_owner(
            queries.change_request_window, status=code, offset=window.offset, limit=window.limit
        )
        return offset_connection(
            ChangeRequestConnection, "changeRequests", items, window=window, total=total, node=ChangeRequest.of
        )

    @strawberry.field(description="The owner's ratings of completed lines, newest rating first.")
    async def my_ratings(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> RatingConnection:
        args = page_args(first, after, last, before)
        total = await info.context.read_as_owner(ratings.count_ratings)
        window = offset_window("myRatings", args, total)
        items = await info.context.read_as_owner(ratings.rating_window, offset=window.offset, limit=window.limit)
        return offset_connection(RatingConnection, "myRatings", items, window=window, total=total, node=Rating.of)
