"""Results of the message use cases, and the legacy message item both faces and the events carry."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from db.models import Booking, Message

OWNER = "carowner"
WORKSHOP = "workshop"


def timestamp(value: datetime | None) -> str | None:
    """UTC with milliseconds, e.g. `2026-02-12T10:00:00.123Z` (sortable, and exact enough for `since`)."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


class MessageView(msgspec.Struct, frozen=True):
    id: int
    booking_id: int
    owner_id: int
    workshop_org_nr: str
    sender_type: str
    message_text: str
    attachments: list[dict[str, Any]]
    is_read: bool
    read_at: datetime | None
    created_at: datetime
    client_message_id: str | None = None

    @classmethod
    def from_row(cls, m: Message) -> MessageView:
        return cls(
            id=m.id or 0,
            booking_id=m.booking_id,
            owner_id=m.owner_id,
            workshop_org_nr=m.workshop_org_nr,
            sender_type=m.sender_type,
            message_text=m.message_text or "",
            attachments=list(m.attachments or []),
            is_read=m.is_read,
            read_at=m.read_at,
            created_at=m.created_at,
            client_message_id=m.client_message_id,
        )

    @classmethod
    def from_event(cls, owner_id: int, payload: dict[str, Any]) -> MessageView:
        """The message a `message.created` payload (`message_item`) describes, for the event's owner."""
        created = payload.get("created_at")
        return cls(
            id=int(payload["id"]),
            booking_id=int(payload["booking_id"]),
            owner_id=owner_id,
            workshop_org_nr=str(payload.get("workshop_org_nr") or ""),
            sender_type=str(payload.get("sender_type") or ""),
            message_text=str(payload.get("message_text") or ""),
            attachments=list(payload.get("attachments") or []),
            is_read=bool(payload.get("is_read", False)),
            read_at=None,
            created_at=datetime.fromisoformat(created) if isinstance(created, str) else created or datetime.now(UTC),
            client_message_id=payload.get("client_message_id"),
        )


def thread_message(
    booking: Booking,
    sender_type: str,
    text: str,
    attachments: list[dict[str, Any]],
    client_message_id: str | None = None,
) -> Message:
    """A new message row in `booking`'s thread (the thread is the booking: its owner and workshop)."""
    return Message(
        booking_id=booking.id or 0,
        owner_id=booking.owner_id,
        workshop_org_nr=booking.workshop_org_nr,
        sender_type=sender_type,
        message_text=text,
        attachments=attachments,
        client_message_id=client_message_id,
    )


_ITEM_FIELDS = ("id", "booking_id", "workshop_org_nr", "sender_type", "message_text", "attachments", "is_read")


def message_fields(m: MessageView) -> dict[str, Any]:
    """The stored fields every message item starts with; each item adds its own timestamp and aliases."""
    return {name: getattr(m, name) for name in _ITEM_FIELDS}


def message_item(m: MessageView) -> dict[str, Any]:
    """The legacy message item: `message_text` also as `text`/`message`/`content`, `sender_type` also as
    `sender_role`/`from`, and `unread` = not `is_read`. The payload of `message.created` events too, where
    `client_message_id` (null when the sender gave none) lets the sender match the event to its own send."""
    return {
        **message_fields(m),
        "client_message_id": m.client_message_id,
        "created_at": timestamp(m.created_at),
        "text": m.message_text,
        "message": m.message_text,
        "content": m.message_text,
        "sender_role": m.sender_type,
        "from": m.sender_type,
        "unread": not m.is_read,
    }


class Paging(msgspec.Struct, frozen=True):
    page: int
    page_size: int
    total: int

    @property
    def total_pages(self) -> int:
        return (self.total + self.page_size - 1) // self.page_size if self.total else 0

    @property
    def has_next(self) -> bool:
        return self.page < self.total_pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


class ThreadPage(msgspec.Struct, frozen=True):
    booking_id: int
    org_nr: str
    messages: list[MessageView]
    paging: Paging
    unread_count: int


class InboxThread(msgspec.Struct, frozen=True):
    booking_id: int
    workshop_org_nr: str
    workshop_name: str | None
    last_message: MessageView
    unread_count: int
    total_messages: int
    updated_at: datetime
    read_at: datetime | None


class ThreadInfo(msgspec.Struct, frozen=True):
    booking_id: int
    workshop_org_nr: str
    workshop_name: str | None
    last_message: MessageView | None
    unread_count: int
    total_messages: int
    updated_at: datetime
    read_at: datetime | None


class InboxPage(msgspec.Struct, frozen=True):
    threads: list[InboxThread]
    paging: Paging
    unread_total: int


class SendResult(msgspec.Struct, frozen=True):
    """`replayed`: the send repeated a `client_message_id`, and `message` is the one the first send created."""

    message: MessageView
    unread_count: int
    replayed: bool = False


class ReadUpToResult(msgspec.Struct, frozen=True):
    updated: int
    json_updated: int
    unread_count: int
    read_at: datetime | None


class UnreadCounts(msgspec.Struct, frozen=True):
    messages: int
    notifications: int
