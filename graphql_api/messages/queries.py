"""The message root fields: `inbox`, `thread`, `unreadCounts`."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from app.domain.messages import service as messages
from app.domain.messages.results import InboxPage
from app.domain.messages.unread import unread_counts
from app.mapping import same_named
from graphql_api.connections import After, Before, First, Last, offset_connection, offset_page, page_args
from graphql_api.messages.types import InboxConnection, Thread, UnreadCounts
from graphql_api.node import Ctx, database_ids

INBOX = "inbox"


@strawberry.type
class MessagesQuery:
    @strawberry.field(
        description="The signed-in owner's threads (those with at least one message) by last activity, newest "
        "first. Offset cursors: `last`/`before` allowed."
    )
    async def inbox(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        q: Annotated[
            str | None,
            strawberry.argument(description="Only threads whose last message contains this text (case-insensitive)."),
        ] = None,
    ) -> InboxConnection:
        owner_id = await info.context.owner_id()
        args = page_args(first, after, last, before)

        async def read(offset: int, limit: int) -> InboxPage:
            return await info.context.read(messages.inbox_window, owner_id, offset=offset, limit=limit, q=q)

        window, page = await offset_page(INBOX, args, read, lambda p: p.paging.total)
        return offset_connection(
            InboxConnection,
            INBOX,
            page.threads,
            window=window,
            total=page.paging.total,
            node=Thread.of,
            unread_total=page.unread_total,
        )

    @strawberry.field(
        description="The thread of one of the signed-in owner's bookings (also one without messages yet); null "
        "when the booking does not exist or is not the owner's."
    )
    async def thread(
        self,
        info: Ctx,
        booking_id: Annotated[
            relay.GlobalID,
            strawberry.argument(
                description="The global id of the booking (`Booking.id`) or of the thread (`Thread.id`)."
            ),
        ],
    ) -> Thread | None:
        owner_id = await info.context.owner_id()
        if booking_id.type_name not in ("Booking", "Thread"):
            return None
        (key,) = database_ids([booking_id.node_id])
        if key is None:
            return None
        found = await info.context.read(messages.threads_by_booking, owner_id, [key])
        return Thread.of(found[key]) if key in found else None

    @strawberry.field(description="The signed-in owner's unread workshop messages and unread notifications.")
    async def unread_counts(self, info: Ctx) -> UnreadCounts:
        return same_named(UnreadCounts, await info.context.read_as_owner(unread_counts))
