"""The message types: `Message` and `Thread` (both `Node`s), the inbox connection and the unread counters.

`Message.of(view)` is the one way from a domain `MessageView` to a `Message`: the thread, `sendMessage` and
the `messageReceived` subscription event all use it, so a client merges an event into its cached thread as is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from app.domain.messages.results import InboxThread, MessageView, ThreadInfo
from app.domain.messages.service import messages_by_id, threads_by_booking
from graphql_api.attachments import Attachment
from graphql_api.connections import After, Before, Connection, First, Last, offset_connection, offset_window, page_args
from graphql_api.messages.loaders import MessageLoaders
from graphql_api.node import Ctx, Entity, global_id, owned_nodes

THREAD_MESSAGES = "thread-messages"


@strawberry.enum(description="Who wrote a message.")
class MessageSenderType(Enum):
    CAROWNER = strawberry.enum_value("carowner", description="The car owner: the signed-in user.")
    WORKSHOP = strawberry.enum_value("workshop", description="The workshop the booking is with.")
    SYSTEM = strawberry.enum_value("system", description="MinBil itself (automatic notices in the thread).")


def attachment_of(a: dict[str, Any]) -> Attachment:
    """A stored attachment (`{url, content_type, name, size}`, links already signed) as the shared type."""
    size = a.get("size")
    return Attachment(
        url=str(a.get("url", "")),
        name=a.get("name"),
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        content_type=a.get("content_type"),
    )


@strawberry.type(description="One message of a booking's thread, written by the owner, the workshop or MinBil.")
class Message(Entity):
    id: relay.NodeID[int]
    thread_id: strawberry.ID = strawberry.field(
        description="The global id of the thread the message belongs to (`Thread.id`)."
    )
    booking_id: strawberry.ID = strawberry.field(
        description="The global id of the booking whose thread this is (`Booking.id`)."
    )
    workshop_org_nr: str = strawberry.field(
        description="Organisation number (9 digits) of the booking's workshop, the other side of the thread."
    )
    sender_type: MessageSenderType = strawberry.field(description="Who wrote the message.")
    text: str = strawberry.field(description="The message text (may be empty when attachments were sent).")
    attachments: list[Attachment] = strawberry.field(description="Files sent with the message, in the order sent.")
    is_read: bool = strawberry.field(
        description="Whether the recipient has read it. The owner's unread messages are the workshop's ones "
        "with `isRead` false."
    )
    read_at: datetime | None = strawberry.field(description="When it was read; null while unread.")
    created_at: datetime = strawberry.field(description="When it was sent (UTC).")
    client_message_id: str | None = strawberry.field(
        description="The id the sender gave in `sendMessage(input: {clientMessageId})` (null when none was "
        "given): a sender matches its optimistic entry and the `messageReceived` event by it."
    )

    @classmethod
    def of(cls, m: MessageView) -> Message:
        return cls(
            id=m.id,
            thread_id=global_id("Thread", m.booking_id),
            booking_id=global_id("Booking", m.booking_id),
            workshop_org_nr=m.workshop_org_nr,
            sender_type=MessageSenderType(m.sender_type),
            text=m.message_text,
            attachments=[attachment_of(a) for a in m.attachments if isinstance(a, dict)],
            is_read=m.is_read,
            read_at=m.read_at,
            created_at=m.created_at,
            client_message_id=m.client_message_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # strawberry's overloads by `required`, one body
        cls, *, info: Ctx, node_ids: Iterable[str], required: bool = False
    ) -> list[Message | None]:
        return await owned_nodes(info, node_ids, messages_by_id, cls.of)


@strawberry.type(description="A page of a thread's messages, oldest first.")
class MessageConnection(Connection[Message]):
    pass


@strawberry.type(
    description="The conversation about one booking between its owner and its workshop. There is one thread "
    "per booking: its global id is `Thread:<booking id>` and `databaseId` is the booking's id."
)
class Thread(Entity):
    id: relay.NodeID[int]
    booking_id: strawberry.ID = strawberry.field(description="The global id of the booking (`Booking.id`).")
    workshop_org_nr: str = strawberry.field(description="Organisation number (9 digits) of the booking's workshop.")
    workshop_name: str | None = strawberry.field(description="The workshop's name; null if it is not known.")
    last_message: Message | None = strawberry.field(description="The newest message; null while there is none.")
    unread_count: int = strawberry.field(
        description="The workshop's messages the owner has not read (including those of the older booking record)."
    )
    total_messages: int = strawberry.field(description="How many messages the thread holds.")
    updated_at: datetime = strawberry.field(
        description="When the last message was sent (the booking's creation while there is none), UTC."
    )
    read_at: datetime | None = strawberry.field(
        description="When a message of the thread was last read; null if never."
    )

    @classmethod
    def of(cls, t: InboxThread | ThreadInfo) -> Thread:
        return cls(
            id=t.booking_id,
            booking_id=global_id("Booking", t.booking_id),
            workshop_org_nr=t.workshop_org_nr,
            workshop_name=t.workshop_name,
            last_message=Message.of(t.last_message) if t.last_message else None,
            unread_count=t.unread_count,
            total_messages=t.total_messages,
            updated_at=t.updated_at,
            read_at=t.read_at,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # strawberry's overloads by `required`, one body
        cls, *, info: Ctx, node_ids: Iterable[str], required: bool = False
    ) -> list[Thread | None]:
        return await owned_nodes(info, node_ids, threads_by_booking, cls.of)

    @strawberry.field(description="The thread's messages, oldest first (offset cursors: `last`/`before` allowed).")
    async def messages(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> MessageConnection:
        window = offset_window(THREAD_MESSAGES, page_args(first, after, last, before), self.total_messages)
        rows: list[MessageView] = []
        total = self.total_messages
        if window.limit:
            rows, total = await info.context.loaders.get(MessageLoaders).window.load(
                (self.id, window.offset, window.limit)
            )
        return offset_connection(MessageConnection, THREAD_MESSAGES, rows, window=window, total=total, node=Message.of)


@strawberry.type(description="A page of the owner's threads, by last activity (newest first).")
class InboxConnection(Connection[Thread]):
    unread_total: int = strawberry.field(
        description="The workshop's messages the owner has not read, over all threads (not only this page)."
    )


@strawberry.type(description="What the owner has not read yet.")
class UnreadCounts:
    messages: int = strawberry.field(description="The workshops' messages the owner has not read, over all threads.")
    notifications: int = strawberry.field(description="The owner's unread notifications.")

    @strawberry.field(description="`messages` + `notifications` (for a badge).")
    def total(self) -> int:
        return self.messages + self.notifications
