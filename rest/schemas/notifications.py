"""Notifications wire shapes (names as in the reference)."""

from __future__ import annotations

from typing import Any

import msgspec

from app.domain.messages.results import timestamp
from app.domain.notifications.commands import MarkNotificationsRead
from app.domain.notifications.inputs import parse_mark_read
from app.domain.notifications.service import MarkReadResult, NotificationPage, NotificationView
from app.mapping import same_named
from rest.schemas.common import PageFields
from rest.schemas.messages import PageLinks, page_links, paging_meta


class NotificationItem(msgspec.Struct):
    id: int
    type: str
    title: str
    body: str
    data: dict[str, Any]
    is_read: bool
    created_at: str | None
    read_at: str | None


class NotificationListMeta(PageFields):
    unread_total: int


class NotificationListResponse(msgspec.Struct):
    data: list[NotificationItem]
    meta: NotificationListMeta
    links: PageLinks


class MarkReadRequest(msgspec.Struct):
    ids: list[int] | None = None

    def to_command(self) -> MarkNotificationsRead:
        return parse_mark_read(self.ids)


class MarkReadResponse(msgspec.Struct):
    updated: int
    messages_marked: int


class UnreadCountData(msgspec.Struct):
    unread_count: int


class UnreadCountMeta(msgspec.Struct):
    request_id: str
    generated_at: str


class UnreadCountResponse(msgspec.Struct):
    data: UnreadCountData
    meta: UnreadCountMeta


def notification_item(view: NotificationView) -> NotificationItem:
    return same_named(NotificationItem, view, created_at=timestamp(view.created_at), read_at=timestamp(view.read_at))


def notification_list_response(result: NotificationPage, path: str, query: dict[str, Any]) -> NotificationListResponse:
    p = result.paging
    return NotificationListResponse(
        data=[notification_item(n) for n in result.items],
        meta=NotificationListMeta(**paging_meta(p), unread_total=result.unread_total),
        links=page_links(path, query, p),
    )


def mark_read_response(result: MarkReadResult) -> MarkReadResponse:
    return MarkReadResponse(updated=result.updated, messages_marked=result.messages_marked)
