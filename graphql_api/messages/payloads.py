"""What the message mutations answer: a success type, or exactly the errors their use case can produce."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, TypeAlias

import strawberry

from graphql_api.errors import AuthenticationError, NotFoundError, UnavailableError, ValidationError
from graphql_api.messages.types import Message


@strawberry.type(description="The message is in the thread.")
class MessageSent:
    sent_message: Message = strawberry.field(
        description="The message: the new one, or the first one sent with the same `clientMessageId`."
    )
    replayed: bool = strawberry.field(
        description="True when the send repeated a `clientMessageId` of the owner: nothing new was created and "
        "`sentMessage` is the first message sent with that id."
    )
    unread_count: int = strawberry.field(description="The workshop's unread messages in this thread.")


@strawberry.type(description="The thread's messages are read up to the point given.")
class ThreadRead:
    updated: int = strawberry.field(description="How many messages became read.")
    json_updated: int = strawberry.field(description="How many messages of the older booking record became read.")
    unread_count: int = strawberry.field(description="The workshop's messages in this thread still unread.")
    read_at: datetime | None = strawberry.field(
        description="When a message of the thread was last read; null if none ever was."
    )


SendMessagePayload: TypeAlias = Annotated[
    MessageSent | AuthenticationError | ValidationError | NotFoundError | UnavailableError,
    strawberry.union(
        "SendMessagePayload",
        description="`MessageSent`, or why not: not signed in, a bad input (text too long, a refused file, a "
        "foreign workshop), the booking is not the owner's, or storage is down for a moment (retry with the same "
        "`clientMessageId`).",
    ),
]
MarkThreadReadPayload: TypeAlias = Annotated[
    ThreadRead | AuthenticationError | ValidationError | NotFoundError,
    strawberry.union(
        "MarkThreadReadPayload",
        description="`ThreadRead`, or why not: not signed in, a bad input (a message of another thread), or the "
        "booking is not the owner's.",
    ),
]
