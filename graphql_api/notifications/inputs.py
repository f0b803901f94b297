"""The notification list's filter and the inputs of the notification mutations."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry import relay

from app.domain.notifications.commands import MarkNotificationsRead
from app.domain.notifications.inputs import parse_mark_read
from graphql_api.node import database_id_of
from graphql_api.notifications.types import NotificationType


@strawberry.enum(description="Which notifications a list holds, by read state.")
class NotificationReadFilter(Enum):
    UNREAD = strawberry.enum_value("unread", description="Only unread notifications.")
    ALL = strawberry.enum_value("all", description="Read and unread notifications.")


@strawberry.input(description="Which of the owner's notifications to list.")
class NotificationFilter:
    status: NotificationReadFilter = strawberry.field(
        default=NotificationReadFilter.UNREAD, description="By read state; unread only by default."
    )
    types: list[NotificationType] | None = strawberry.field(
        default=None, description="Only these types; all types when null or empty."
    )
    since: datetime | None = strawberry.field(
        default=None, description="Only notifications created after this instant."
    )


@strawberry.input(description="Notifications of the signed-in owner to mark read.")
class MarkNotificationsReadInput:
    ids: list[relay.GlobalID] = strawberry.field(
        description="Global ids of notifications (`Notification.id`), at most 500. Ids of other owners' "
        "notifications are ignored."
    )

    def to_command(self) -> MarkNotificationsRead:
        return parse_mark_read(
            [database_id_of(gid, "Notification", f"input.ids[{i}]") for i, gid in enumerate(self.ids)]
        )
