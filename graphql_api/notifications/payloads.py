"""What the notification mutations answer: a success type, or exactly the errors their use case can produce."""

from __future__ import annotations

from typing import Annotated, TypeAlias

import strawberry

from graphql_api.errors import AuthenticationError, ValidationError


@strawberry.type(description="The notifications are read, and the messages they point at too.")
class NotificationsMarked:
    updated: int = strawberry.field(description="How many notifications became read.")
    messages_marked: int = strawberry.field(
        description="How many messages became read with them (a new-message notification reads its thread up to "
        "that message)."
    )


MarkNotificationsReadPayload: TypeAlias = Annotated[
    NotificationsMarked | AuthenticationError | ValidationError,
    strawberry.union(
        "MarkNotificationsReadPayload",
        description="`NotificationsMarked`, or why not: not signed in, or a bad input (too many ids, an id of "
        "another type).",
    ),
]
MarkAllNotificationsReadPayload: TypeAlias = Annotated[
    NotificationsMarked | AuthenticationError,
    strawberry.union("MarkAllNotificationsReadPayload", description="`NotificationsMarked`, or: not signed in."),
]
