"""The owner's notification list and its read state.

Marking notifications read also marks the messages they point at read (best effort): a notification
with `data.message_id` reads its thread up to that message; a `message.new` notification with only
`data.booking_id` reads the whole thread. Counters that change are announced with `unread.changed`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypedDict, Unpack

import msgspec

from app.domain.limits import INT_MAX
from app.domain.messages.inputs import MAX_PAGE_SIZE, check_paging, parse_timestamp
from app.domain.messages.results import Paging
from app.domain.messages.unread import emit_unread_changed
from app.domain.notifications.commands import MarkNotificationsRead
from app.domain.uow import UnitOfWork
from app.errors import NotFound, ValidationFailed
from app.values import utc_now
from db.models import Notification
from db.repositories import messages as message_repo
from db.repositories import notifications as repo

STATUSES = ("unread", "all")


class NotificationView(msgspec.Struct, frozen=True):
    id: int
    type: str
    title: str
    body: str
    data: dict[str, Any]
    is_read: bool
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def from_row(cls, n: Notification) -> NotificationView:
        return cls(
            id=n.id or 0,
            type=n.type,
            title=n.title,
            body=n.body or "",
            data=dict(n.data or {}),
            is_read=n.is_read,
            created_at=n.created_at,
            read_at=n.read_at,
        )

    @classmethod
    def from_event(cls, payload: dict[str, Any]) -> NotificationView:
        """The notification a `notification.created` payload (`notification_item`) describes."""
        created, read = payload.get("created_at"), payload.get("read_at")
        return cls(
            id=int(payload["id"]),
            type=str(payload.get("type") or ""),
            title=str(payload.get("title") or ""),
            body=str(payload.get("body") or ""),
            data=dict(payload.get("data") or {}),
            is_read=bool(payload.get("is_read", False)),
            created_at=datetime.fromisoformat(created) if isinstance(created, str) else created or utc_now(),
            read_at=datetime.fromisoformat(read) if isinstance(read, str) else read,
        )


class NotificationPage(msgspec.Struct, frozen=True):
    items: list[NotificationView]
    paging: Paging
    unread_total: int


class MarkReadResult(msgspec.Struct, frozen=True):
    updated: int
    messages_marked: int


def parse_types(value: str | Sequence[str] | None) -> list[str]:
    parts = value.split(",") if isinstance(value, str) else list(value or [])
    types = [p.strip() for p in parts if p and p.strip()]
    for t in types:
        if len(t) > 64:
            raise ValidationFailed("type values must be at most 64 characters.", fields={"type": "invalid"})
    return types[:20]


class NotificationFilters(TypedDict, total=False):
    """What both listings filter by: `status` unread (default) or all, `types` exact types or prefixes."""

    status: str | None
    types: str | Sequence[str] | None
    since: str | datetime | None


def _state(status: str | None) -> str:
    state = (status or "unread").strip().lower()
    if state not in STATUSES:
        raise ValidationFailed("status must be 'unread' or 'all'.", fields={"status": "must be unread or all"})
    return state


async def list_notifications(
    uow: UnitOfWork, owner_id: int, *, page: int = 1, page_size: int = 20, **filters: Unpack[NotificationFilters]
) -> NotificationPage:
    _state(filters.get("status"))  # a bad status is reported before bad paging
    check_paging(page, page_size)
    return await notifications_window(uow, owner_id, offset=(page - 1) * page_size, limit=page_size, **filters)


async def notifications_window(
    uow: UnitOfWork, owner_id: int, *, offset: int = 0, limit: int = 20, **filters: Unpack[NotificationFilters]
) -> NotificationPage:
    """Newest first, by `filters`."""
    state = _state(filters.get("status"))
    if offset < 0:
        raise ValidationFailed("Invalid cursor.", fields={"after": "invalid"})
    if not 0 <= limit <= MAX_PAGE_SIZE:  # 0: only the counts
        check_paging(1, limit, "first")
    rows, total = await repo.page(
        uow.session,
        owner_id,
        unread_only=state == "unread",
        types=parse_types(filters.get("types")),
        since=parse_timestamp(filters.get("since"), "since"),
        offset=offset,
        limit=limit,
    )
    return NotificationPage(
        items=[NotificationView.from_row(n) for n in rows],
        paging=Paging(page=offset // limit + 1 if limit else 1, page_size=limit or 1, total=total),
        unread_total=await repo.unread_count(uow.session, owner_id),
    )


async def unread_count(uow: UnitOfWork, owner_id: int) -> int:
    return await repo.unread_count(uow.session, owner_id)


async def get_notification(uow: UnitOfWork, owner_id: int, notification_id: int) -> NotificationView:
    row = await repo.get_owned(uow.session, owner_id, notification_id) if 0 < notification_id <= INT_MAX else None
    if row is None:
        raise NotFound("Not found")
    return NotificationView.from_row(row)


async def notifications_by_id(uow: UnitOfWork, owner_id: int, ids: list[int]) -> dict[int, NotificationView]:
    """The owner's notifications among `ids` (other owners' are left out); one statement."""
    rows = await repo.owned(uow.session, owner_id, [i for i in ids if 0 < i <= INT_MAX])
    return {i: NotificationView.from_row(n) for i, n in rows.items()}


def _message_targets(rows: Sequence[Notification]) -> list[tuple[int, int | None]]:
    targets: dict[int, int | None] = {}
    for n in rows:
        data = n.data or {}
        booking_id = _int(data.get("booking_id")) or _int(data.get("thread_id"))
        message_id = _int(data.get("message_id"))
        if booking_id is None or (message_id is None and n.type != "message.new"):
            continue
        if booking_id in targets:
            current = targets[booking_id]
            targets[booking_id] = None if current is None or message_id is None else max(current, message_id)
        else:
            targets[booking_id] = message_id
    return sorted(targets.items())


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 < value <= INT_MAX:
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 11 and 0 < int(value) <= INT_MAX:
        return int(value)
    return None


async def _mark(uow: UnitOfWork, owner_id: int, ids: Sequence[int] | None) -> MarkReadResult:
    now = utc_now()
    rows = await repo.mark_read(uow.session, owner_id, ids, now)
    messages_marked = 0
    targets = _message_targets(rows)
    if targets:
        messages_marked = await message_repo.mark_owner_messages_read(uow.session, owner_id, targets, now)
    if rows or messages_marked:
        await emit_unread_changed(uow, owner_id)
    return MarkReadResult(updated=len(rows), messages_marked=messages_marked)


async def mark_read(uow: UnitOfWork, owner_id: int, command: MarkNotificationsRead) -> MarkReadResult:
    """Mark the owner's notifications among the command's ids read; ids of other owners are ignored."""
    return await _mark(uow, owner_id, command.ids)


async def read_all(uow: UnitOfWork, owner_id: int) -> MarkReadResult:
    return await _mark(uow, owner_id, None)


async def mark_one(uow: UnitOfWork, owner_id: int, notification_id: int) -> MarkReadResult:
    """Mark one notification read; 404 when it is not the owner's. Marking a read one again answers 0."""
    if not 0 < notification_id <= INT_MAX or await repo.get_owned(uow.session, owner_id, notification_id) is None:
        raise NotFound("Not found")
    return await _mark(uow, owner_id, [notification_id])
