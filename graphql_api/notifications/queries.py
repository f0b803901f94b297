"""The notification root fields: `notifications`, `notification`."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from app.domain.notifications import service as notifications
from app.domain.notifications.service import NotificationPage
from graphql_api.connections import After, Before, First, Last, offset_connection, offset_page, page_args
from graphql_api.mapping import domain_value
from graphql_api.node import Ctx, database_ids
from graphql_api.notifications.inputs import NotificationFilter
from graphql_api.notifications.types import Notification, NotificationConnection

NOTIFICATIONS = "notifications"


@strawberry.type
class NotificationsQuery:
    @strawberry.field(
        description="The signed-in owner's notifications, newest first (unread only unless `filter.status` is ALL). "
        "Offset cursors: `last`/`before` allowed; a cursor is valid for the same filter."
    )
    async def notifications(
        self,
        info: Ctx,
        filter: Annotated[
            NotificationFilter | None, strawberry.argument(description="Which notifications; unread ones by default.")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> NotificationConnection:
        owner_id = await info.context.owner_id()
        args = page_args(first, after, last, before)
        f = filter or NotificationFilter()

        async def read(offset: int, limit: int) -> NotificationPage:
            return await info.context.read(
                notifications.notifications_window,
                owner_id,
                offset=offset,
                limit=limit,
                status=domain_value(f.status),
                types=[domain_value(t) for t in f.types or []],
                since=f.since,
            )

        window, page = await offset_page(NOTIFICATIONS, args, read, lambda p: p.paging.total)
        return offset_connection(
            NotificationConnection,
            NOTIFICATIONS,
            page.items,
            window=window,
            total=page.paging.total,
            node=Notification.of,
            unread_total=page.unread_total,
        )

    @strawberry.field(
        description="One of the signed-in owner's notifications; null when it does not exist or is another owner's."
    )
    async def notification(
        self,
        info: Ctx,
        id: Annotated[relay.GlobalID, strawberry.argument(description="The global id (`Notification.id`).")],
    ) -> Notification | None:
        owner_id = await info.context.owner_id()
        (key,) = database_ids([id.node_id]) if id.type_name == "Notification" else (None,)
        if key is None:
            return None
        found = await info.context.read(notifications.notifications_by_id, owner_id, [key])
        return Notification.of(found[key]) if key in found else None
