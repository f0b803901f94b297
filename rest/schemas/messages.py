"""Messages wire shapes (names as in the reference). A message item carries the legacy aliases:
`text`/`message`/`content` = `message_text`, `sender_role`/`from` = `sender_type`, `unread` = not `is_read`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import msgspec

from app.domain.messages.attachments import AttachmentRef, Upload
from app.domain.messages.commands import MarkThreadRead, SendMessage
from app.domain.messages.inputs import parse_mark_thread_read, parse_send_message, parse_thread_id
from app.domain.messages.results import (
    InboxPage,
    MessageView,
    Paging,
    ReadUpToResult,
    SendResult,
    ThreadPage,
    message_item,
    timestamp,
)
from app.mapping import same_named
from rest.schemas.common import PageFields


class MessageItem(msgspec.Struct):
    id: int
    booking_id: int
    workshop_org_nr: str
    sender_type: str
    message_text: str
    attachments: list[dict[str, Any]]
    is_read: bool
    created_at: str | None
    text: str
    message: str
    content: str
    sender_role: str
    from_: str = msgspec.field(name="from")
    unread: bool


class PageLinks(msgspec.Struct):
    self: str
    first: str
    prev: str | None
    next: str | None
    last: str


class ThreadListMeta(PageFields):
    unread_total: int


class ThreadListItem(msgspec.Struct):
    id: int
    thread_id: str
    booking_id: int
    workshop_org_nr: str
    workshop_name: str | None
    org_nr: str
    last_message: MessageItem
    unread_count: int
    total_messages: int
    updated_at: str | None
    read_at: str | None


class ThreadListResponse(msgspec.Struct):
    data: list[ThreadListItem]
    meta: ThreadListMeta
    links: PageLinks


class MessageListMeta(msgspec.Struct):
    org_nr: str
    page: int
    page_size: int
    total: int
    total_pages: int
    has_next: bool
    has_prev: bool
    unread_count: int


class MessageListResponse(msgspec.Struct):
    data: list[MessageItem]
    meta: MessageListMeta
    links: PageLinks


class ReadUpToRequest(msgspec.Struct):
    thread_id: str | int | None = None
    last_read_id: int | None = None
    last_read_at: str | None = None

    def to_command(self) -> MarkThreadRead:
        booking_id = parse_thread_id(self.thread_id)
        return parse_mark_thread_read(booking_id, last_read_id=self.last_read_id, last_read_at=self.last_read_at)


class LegacyReadUpToRequest(msgspec.Struct):
    last_read_id: int | None = None
    last_read_at: str | None = None

    def to_command(self, booking_id: int) -> MarkThreadRead:
        return parse_mark_thread_read(booking_id, last_read_id=self.last_read_id, last_read_at=self.last_read_at)


class ReadUpToResponse(msgspec.Struct):
    updated: int
    json_updated: int
    unread_count: int
    read_at: str | None


class AttachmentIn(msgspec.Struct):
    url: str
    content_type: str | None = None
    name: str | None = None
    size: int | None = None


class SendMessageRequest(msgspec.Struct):
    thread_id: str | int | None = None
    message: str | None = None
    org_nr: str | None = None
    attachments: list[AttachmentIn] | None = None
    client_message_id: str | None = None

    def to_command(self, uploads: Sequence[Upload] = ()) -> SendMessage:
        refs = [
            AttachmentRef(url=a.url, content_type=a.content_type, name=a.name, size=a.size)
            for a in self.attachments or []
        ]
        return parse_send_message(
            thread_id=self.thread_id,
            text=self.message,
            org_nr=self.org_nr,
            uploads=uploads,
            refs=refs,
            client_message_id=self.client_message_id,
        )


class SendMessageResponse(msgspec.Struct):
    message: MessageItem
    unread_count: int


class OptionsMeta(msgspec.Struct):
    request_id: str
    generated_at: str


class OptionsResponse(msgspec.Struct):
    """The documented envelope of the OPTIONS operations: `{data: {}, meta: {request_id, generated_at}}`."""

    data: dict[str, Any]
    meta: OptionsMeta


def item(view: MessageView) -> MessageItem:
    return msgspec.convert(message_item(view), MessageItem)


def page_links(
    path: str, query: dict[str, Any], paging: Paging, page_param: str = "page", size_param: str = "page_size"
) -> PageLinks:
    base = {k: v for k, v in query.items() if v is not None and k not in (page_param, size_param)}
    last = max(paging.total_pages, 1)

    def link(page: int) -> str:
        return f"{path}?{urlencode({**base, page_param: page, size_param: paging.page_size})}"

    return PageLinks(
        self=link(paging.page),
        first=link(1),
        prev=link(paging.page - 1) if paging.page > 1 else None,
        next=link(paging.page + 1) if paging.page < paging.total_pages else None,
        last=link(last),
    )


def paging_meta(p: Paging) -> dict[str, Any]:
    """The paging fields of every list `meta` of the message and notification operations."""
    return {name: getattr(p, name) for name in PageFields.__struct_fields__}


def thread_list_response(result: InboxPage, path: str, q: str | None) -> ThreadListResponse:
    p = result.paging
    return ThreadListResponse(
        data=[
            same_named(
                ThreadListItem,
                t,
                id=t.booking_id,
                thread_id=str(t.booking_id),
                org_nr=t.workshop_org_nr,
                last_message=item(t.last_message),
                updated_at=timestamp(t.updated_at),
                read_at=timestamp(t.read_at),
            )
            for t in result.threads
        ],
        meta=ThreadListMeta(**paging_meta(p), unread_total=result.unread_total),
        links=page_links(path, {"q": q}, p),
    )


def message_list_response(result: ThreadPage, path: str) -> MessageListResponse:
    p = result.paging
    return MessageListResponse(
        data=[item(m) for m in result.messages],
        meta=MessageListMeta(org_nr=result.org_nr, **paging_meta(p), unread_count=result.unread_count),
        links=page_links(path, {}, p, size_param="size"),
    )


def read_up_to_response(result: ReadUpToResult) -> ReadUpToResponse:
    return ReadUpToResponse(
        updated=result.updated,
        json_updated=result.json_updated,
        unread_count=result.unread_count,
        read_at=timestamp(result.read_at),
    )


def send_response(result: SendResult) -> SendMessageResponse:
    return SendMessageResponse(message=item(result.message), unread_count=result.unread_count)
