"""Messages and notifications over GraphQL: `inbox`, `thread`, `notifications`, `unreadCounts` and the
mutations `sendMessage` (text and multipart uploads), `markThreadRead`, `markNotificationsRead`,
`markAllNotificationsRead`.

Connections page with opaque cursors (a position in the ordered list). Nested thread messages load through
`MessageLoaders` (one statement per batch); the bookings area can use the same loaders for
`Booking.messages` / `Booking.unreadCount`: `info.context.loaders.get(MessageLoaders).latest.load(booking_id)`
and `.unread.load(booking_id)`, with `Message.of(view)` for the items.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum
from functools import partial
from typing import Annotated, Any, TypeAlias, TypeVar

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON
from strawberry.types import Info

from app.domain.limits import INT_MAX
from app.domain.messages import batch
from app.domain.messages import service as messages
from app.domain.messages.attachments import AttachmentRef
from app.domain.messages.attachments import Upload as FileUpload
from app.domain.messages.commands import SendMessage
from app.domain.messages.inputs import parse_mark_thread_read, parse_send_message
from app.domain.messages.results import InboxPage, InboxThread, MessageView, ThreadInfo
from app.domain.messages.unread import unread_counts
from app.domain.notifications import service as notifications
from app.domain.notifications.inputs import parse_mark_read
from app.domain.notifications.service import NotificationPage
from app.errors import ValidationFailed
from app.mapping import same_named
from graphql_api.connections import window_connection
from graphql_api.context import GraphQLContext
from graphql_api.errors import AnyUserError
from graphql_api.mapping import FromResult
from graphql_api.mutations import as_owner, owner_command
from graphql_api.reading import RequestReader

Ctx = Info[GraphQLContext, None]
DEFAULT_FIRST = 20
MAX_FIRST = 100
W = TypeVar("W")


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"pos:{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The offset after `cursor` (0 without one)."""
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = raw.partition(":")
        position = int(value)
        if kind != "pos" or not 0 <= position <= INT_MAX:
            raise ValueError(raw)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed("after is not a cursor of this list.", fields={"after": "invalid"}) from None
    return position + 1


def check_first(first: int) -> int:
    if not 1 <= first <= MAX_FIRST:
        raise ValidationFailed(f"first must be between 1 and {MAX_FIRST}.", fields={"first": f"1..{MAX_FIRST}"})
    return first


# --- types ------------------------------------------------------------------------------------------


def _totals(page: InboxPage | NotificationPage) -> dict[str, Any]:
    """The counts of a list that counts what is unread (the inbox, the notifications)."""
    return {"total": page.paging.total, "unread_total": page.unread_total}


@strawberry.type
class ConnectionPageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


_connection = partial(window_connection, cursor=encode_cursor, page_info=ConnectionPageInfo)


@strawberry.type
class MessageAttachment:
    url: str
    content_type: str | None
    name: str | None
    size: int | None


@strawberry.type(description="One message of a booking thread.")
class Message:
    id: int
    booking_id: int
    thread_id: str
    workshop_org_nr: str
    sender_type: str = strawberry.field(description="carowner | workshop | system")
    message_text: str
    attachments: list[MessageAttachment]
    is_read: bool
    read_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, m: MessageView) -> Message:
        return same_named(
            cls,
            m,
            thread_id=str(m.booking_id),
            attachments=[
                MessageAttachment(
                    url=str(a.get("url", "")),
                    content_type=a.get("content_type"),
                    name=a.get("name"),
                    size=a.get("size"),
                )
                for a in m.attachments
            ],
        )


@strawberry.type
class MessageEdge:
    cursor: str
    node: Message


@strawberry.type
class MessageConnection:
    edges: list[MessageEdge]
    page_info: ConnectionPageInfo
    total_count: int

    @strawberry.field
    def nodes(self) -> list[Message]:
        return [e.node for e in self.edges]


@strawberry.type(description="The thread of one booking (`id` = the booking id as a string).")
class Thread:
    id: strawberry.ID
    booking_id: int
    workshop_org_nr: str
    workshop_name: str | None
    last_message: Message | None
    unread_count: int
    total_messages: int
    updated_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, t: InboxThread | ThreadInfo) -> Thread:
        return same_named(
            cls,
            t,
            id=strawberry.ID(str(t.booking_id)),
            last_message=Message.of(t.last_message) if t.last_message else None,
        )

    @strawberry.field(description="The thread's messages, oldest first.")
    async def messages(self, info: Ctx, first: int = DEFAULT_FIRST, after: str | None = None) -> MessageConnection:
        limit = check_first(first)
        offset = decode_cursor(after)
        rows, total = await info.context.loaders.get(MessageLoaders).window.load((self.booking_id, offset, limit))
        return _connection(MessageConnection, rows, offset=offset, total=total, edge=MessageEdge, node=Message.of)


@strawberry.type
class ThreadEdge:
    cursor: str
    node: Thread


@strawberry.type
class InboxConnection:
    edges: list[ThreadEdge]
    page_info: ConnectionPageInfo
    total_count: int
    unread_total: int = strawberry.field(description="Unread workshop messages over all threads.")

    @strawberry.field
    def nodes(self) -> list[Thread]:
        return [e.node for e in self.edges]


@strawberry.type
class Notification(FromResult):
    id: int
    type: str
    title: str
    body: str
    data: JSON
    is_read: bool
    created_at: datetime
    read_at: datetime | None


@strawberry.type
class NotificationEdge:
    cursor: str
    node: Notification


@strawberry.type
class NotificationConnection:
    edges: list[NotificationEdge]
    page_info: ConnectionPageInfo
    total_count: int
    unread_total: int

    @strawberry.field
    def nodes(self) -> list[Notification]:
        return [e.node for e in self.edges]


@strawberry.enum
class NotificationStatus(Enum):
    UNREAD = "unread"
    ALL = "all"


@strawberry.input
class NotificationFilter:
    status: NotificationStatus = NotificationStatus.UNREAD
    types: list[str] | None = strawberry.field(default=None, description='Types or prefixes, e.g. ["booking"]')
    since: datetime | None = strawberry.field(default=None, description="Only notifications newer than this")


@strawberry.type
class UnreadCounts:
    messages: int = strawberry.field(description="Unread workshop -> owner messages.")
    notifications: int = strawberry.field(description="Unread notifications.")

    @strawberry.field
    def total(self) -> int:
        return self.messages + self.notifications


@strawberry.input
class AttachmentInput:
    url: str
    content_type: str
    name: str | None = None
    size: int | None = None


@strawberry.input
class SendMessageInput:
    booking_id: int
    message: str | None = None
    org_nr: str | None = None
    attachments: list[AttachmentInput] | None = strawberry.field(default=None, description="Already stored files")
    files: list[Upload] | None = strawberry.field(
        default=None, description="Uploads (multipart request): JPEG, PNG, WebP or PDF"
    )

    def to_command(self, files: list[FileUpload]) -> SendMessage:
        """`files` are the uploads of this input, read (reading them is the resolver's await)."""
        refs = [
            AttachmentRef(url=a.url, content_type=a.content_type, name=a.name, size=a.size)
            for a in self.attachments or []
        ]
        return parse_send_message(
            thread_id=self.booking_id, text=self.message, org_nr=self.org_nr, uploads=files, refs=refs
        )


@strawberry.type
class MessageSent:
    sent_message: Message
    unread_count: int = strawberry.field(description="Unread workshop messages in this thread.")


@strawberry.type
class ThreadRead:
    updated: int
    json_updated: int
    unread_count: int
    read_at: datetime | None


@strawberry.type
class NotificationsMarked:
    updated: int
    messages_marked: int


SendMessagePayload: TypeAlias = Annotated[MessageSent | AnyUserError, strawberry.union("SendMessagePayload")]
MarkThreadReadPayload: TypeAlias = Annotated[ThreadRead | AnyUserError, strawberry.union("MarkThreadReadPayload")]
MarkNotificationsReadPayload: TypeAlias = Annotated[
    NotificationsMarked | AnyUserError, strawberry.union("MarkNotificationsReadPayload")
]


# --- loaders ----------------------------------------------------------------------------------------


class MessageLoaders:
    """Per-request loaders over messages: one statement per batch.

    - `window`: (booking_id, offset, limit) -> (messages oldest first, thread size)
    - `latest`: booking_id -> the latest messages (up to 50, oldest first)
    - `unread`: booking_id -> unread workshop -> owner messages
    """

    def __init__(self, reader: RequestReader) -> None:
        self.services = reader.services
        self.window: DataLoader[tuple[int, int, int], tuple[list[MessageView], int]] = DataLoader(self._window)
        self.latest: DataLoader[int, list[MessageView]] = DataLoader(self._latest)
        self.unread: DataLoader[int, int] = DataLoader(self._unread)

    async def _window(self, keys: list[tuple[int, int, int]]) -> list[tuple[list[MessageView], int]]:
        return await batch.thread_windows(self.services, keys)

    async def _latest(self, keys: list[int]) -> list[list[MessageView]]:
        return await batch.latest_messages(self.services, keys)

    async def _unread(self, keys: list[int]) -> list[int]:
        return await batch.unread_counts_by_booking(self.services, keys)


async def _file(upload: Any, index: int) -> FileUpload:
    data = await upload.read() if hasattr(upload, "read") else bytes(upload)
    if isinstance(data, str):
        data = data.encode()
    return FileUpload(
        filename=str(getattr(upload, "filename", "") or f"file-{index}"),
        data=bytes(data),
        content_type=getattr(upload, "content_type", None),
    )


# --- operations -------------------------------------------------------------------------------------


async def _owner_window(
    info: Ctx, after: str | None, first: int, read: Callable[..., Awaitable[W]], **filters: Any
) -> tuple[int, W]:
    """The offset of a page of the caller's list and the page; the caller, the cursor and `first` are checked in
    that order."""
    owner_id = await info.context.owner_id()
    offset = decode_cursor(after)
    async with info.context.transaction() as uow:
        return offset, await read(uow, owner_id, offset=offset, limit=check_first(first), **filters)


@strawberry.type
class MessagesQuery:
    @strawberry.field(description="The caller's threads by last activity, newest first; `q` searches the last message.")
    async def inbox(
        self, info: Ctx, first: int = DEFAULT_FIRST, after: str | None = None, q: str | None = None
    ) -> InboxConnection:
        offset, result = await _owner_window(info, after, first, messages.inbox_window, q=q)
        return _connection(
            InboxConnection, result.threads, offset=offset, edge=ThreadEdge, node=Thread.of, **_totals(result)
        )

    @strawberry.field(description="One booking's thread; NOT_FOUND for a booking that is not the caller's.")
    async def thread(self, info: Ctx, booking_id: int) -> Thread:
        return Thread.of(await info.context.read_as_owner(messages.thread_info, booking_id))

    @strawberry.field(description="The caller's notifications, newest first (unread only unless filter.status is ALL).")
    async def notifications(
        self, info: Ctx, filter: NotificationFilter | None = None, first: int = DEFAULT_FIRST, after: str | None = None
    ) -> NotificationConnection:
        f = filter or NotificationFilter()
        offset, result = await _owner_window(
            info,
            after,
            first,
            notifications.notifications_window,
            status=f.status.value,
            types=f.types or None,
            since=f.since,
        )
        return _connection(
            NotificationConnection,
            result.items,
            offset=offset,
            edge=NotificationEdge,
            node=Notification.of,
            **_totals(result),
        )

    @strawberry.field(description="One of the caller's notifications; NOT_FOUND for another owner's.")
    async def notification(self, info: Ctx, id: int) -> Notification:
        return Notification.of(await info.context.read_as_owner(notifications.get_notification, id))

    @strawberry.field(description="Unread workshop messages and unread notifications of the caller.")
    async def unread_counts(self, info: Ctx) -> UnreadCounts:
        return same_named(UnreadCounts, await info.context.read_as_owner(unread_counts))


@strawberry.type
class MessagesMutation:
    @strawberry.mutation(
        description="Send a message in a booking's thread: text, stored attachments and/or uploads (multipart request)."
    )
    async def send_message(self, info: Ctx, input: SendMessageInput) -> SendMessagePayload:
        files = [await _file(f, i) for i, f in enumerate(input.files or [])]
        return await owner_command(
            info,
            messages.send_owner_message,
            lambda: input.to_command(files),
            lambda result: MessageSent(sent_message=Message.of(result.message), unread_count=result.unread_count),
        )

    @strawberry.mutation(
        description="Mark the workshop's messages read, up to and including `lastReadId` "
        "(the whole thread without it); `lastReadAt` also covers legacy messages."
    )
    async def mark_thread_read(
        self, info: Ctx, booking_id: int, last_read_id: int | None = None, last_read_at: datetime | None = None
    ) -> MarkThreadReadPayload:
        return await owner_command(
            info,
            messages.read_up_to,
            lambda: parse_mark_thread_read(booking_id, last_read_id=last_read_id, last_read_at=last_read_at),
            lambda result: same_named(ThreadRead, result),
        )

    @strawberry.mutation(description="Mark notifications read; the messages they point at are read too.")
    async def mark_notifications_read(self, info: Ctx, ids: list[int]) -> MarkNotificationsReadPayload:
        return await owner_command(
            info,
            notifications.mark_read,
            lambda: parse_mark_read(ids),
            lambda result: same_named(NotificationsMarked, result),
        )

    @strawberry.mutation(description="Mark all the caller's notifications read.")
    async def mark_all_notifications_read(self, info: Ctx) -> MarkNotificationsReadPayload:
        return await as_owner(info, notifications.read_all, lambda result: same_named(NotificationsMarked, result))


QUERIES = (MessagesQuery,)
MUTATIONS = (MessagesMutation,)
