"""The notification mutations: `markNotificationsRead`, `markAllNotificationsRead`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.domain.notifications import service as notifications
from app.mapping import same_named
from graphql_api.mutations import as_owner, owner_command
from graphql_api.node import Ctx
from graphql_api.notifications.inputs import MarkNotificationsReadInput
from graphql_api.notifications.payloads import (
    MarkAllNotificationsReadPayload,
    MarkNotificationsReadPayload,
    NotificationsMarked,
)


@strawberry.type
class NotificationsMutation:
    @strawberry.mutation(
        description="Mark some of the owner's notifications read; the messages they point at become read too."
    )
    async def mark_notifications_read(
        self,
        info: Ctx,
        input: Annotated[MarkNotificationsReadInput, strawberry.argument(description="Which notifications.")],
    ) -> MarkNotificationsReadPayload:
        # the helpers are typed with every error member; the field's own union is checked when they run
        return await owner_command(
            info, notifications.mark_read, input.to_command, lambda result: same_named(NotificationsMarked, result)
        )

    @strawberry.mutation(description="Mark all the owner's notifications read, and the messages they point at.")
    async def mark_all_notifications_read(self, info: Ctx) -> MarkAllNotificationsReadPayload:
        return await as_owner(info, notifications.read_all, lambda result: same_named(NotificationsMarked, result))
