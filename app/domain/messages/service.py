"""Message use cases. One thread per booking: `thread_id` is the booking id as a string.

Every send writes the message, a `message.created` event and an `unread.changed` event in the caller's
transaction (the outbox relay publishes them after commit). A workshop -> owner message also creates a
`message.new` notification, subject to the owner's notification settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from app.domain.account.images import delete_after_commit
from app.domain.events.envelope import MESSAGE_CREATED
from app.domain.limits import INT_MAX
from app.domain.messages.attachments import AttachmentRef, Upload, prepare, signed_attachments, signed_view
from app.domain.messages.commands import MarkThreadRead, SendMessage
from app.domain.messages.inputs import MAX_PAGE_SIZE, check_paging, clean_text, parse_timestamp
from app.domain.messages.results import (
    OWNER,
    WORKSHOP,
    InboxPage,
    InboxThread,
    MessageView,
    Paging,
    ReadUpToResult,
    SendResult,
    ThreadInfo,
    ThreadPage,
    message_item,
    thread_message,
    timestamp,
)
from app.domain.messages.unread import emit_unread_changed
from app.domain.notifications.publish import notify
from app.domain.uow import UnitOfWork
from app.errors import NotFound, ValidationFailed
from app.values import utc_now
from db.models import Booking, Message
from db.repositories import messages as repo
from db.repositories import notifications as notification_repo


def booking_not_found() -> NotFound:
    return NotFound("Booking not found", code="NOT_FOUND")


async def _owned_booking(uow: UnitOfWork, owner_id: int, booking_id: int, *, lock: bool = False) -> Booking:
    booking = await repo.owner_booking(uow.session, booking_id, owner_id) if booking_id <= INT_MAX else None
    if booking is None:
        raise booking_not_found()
    if lock:
        await repo.booking(uow.session, booking_id, lock=True)
    return booking


# --- reading ----------------------------------------------------------------------------------------


async def inbox(
    uow: UnitOfWork, owner_id: int, *, page: int = 1, page_size: int = 20, q: str | None = None
) -> InboxPage:
    check_paging(page, page_size)
    return await inbox_window(uow, owner_id, offset=(page - 1) * page_size, limit=page_size, q=q)


async def inbox_window(uow: UnitOfWork, owner_id: int, *, offset: int, limit: int, q: str | None = None) -> InboxPage:
    """The owner's threads by last activity, newest first; `q` searches the last message of each thread.
    `limit` 0 answers only the counts."""
    if offset < 0:
        raise ValidationFailed("Invalid cursor.", fields={"after": "invalid"})
    if not 0 <= limit <= MAX_PAGE_SIZE:
        check_paging(1, limit, "first")
    query = (q or "").strip()[:200] or None
    rows, total = await repo.inbox(uow.session, owner_id, query, offset, limit)
    threads = [
        InboxThread(
            booking_id=int(r["booking_id"]),
            workshop_org_nr=r["workshop_org_nr"],
            workshop_name=r["workshop_name"],
            last_message=_last_message(r, owner_id, uow),
            unread_count=int(r["unread_count"]),
            total_messages=int(r["total_messages"]),
            updated_at=r["updated_at"],
            read_at=r["read_at"],
        )
        for r in rows
    ]
    unread_total = await repo.owner_unread(uow.session, owner_id)
    page = offset // limit + 1 if limit else 1
    return InboxPage(
        threads=threads, paging=Paging(page=page, page_size=limit or 1, total=total), unread_total=unread_total
    )


def _last_message(r: dict[str, Any], owner_id: int, uow: UnitOfWork) -> MessageView:
    """The last message of a thread row (its `m_*` columns)."""
    return MessageView(
        id=int(r["m_id"]),
        booking_id=int(r["booking_id"]),
        owner_id=owner_id,
        workshop_org_nr=r["m_org_nr"],
        sender_type=r["m_sender_type"],
        message_text=r["m_text"] or "",
        attachments=signed_attachments(list(r["m_attachments"] or []), uow.settings),
        is_read=bool(r["m_is_read"]),
        read_at=r["m_read_at"],
        created_at=r["m_created_at"],
        client_message_id=r["m_client_message_id"],
    )


async def threads_by_booking(uow: UnitOfWork, owner_id: int, booking_ids: list[int]) -> dict[int, ThreadInfo]:
    """The owner's threads among `booking_ids` (a thread per booking, also one without messages); other
    owners' bookings are left out. One statement."""
    wanted = [b for b in booking_ids if 0 < b <= INT_MAX]
    return {
        int(r["booking_id"]): ThreadInfo(
            booking_id=int(r["booking_id"]),
            workshop_org_nr=r["workshop_org_nr"],
            workshop_name=r["workshop_name"],
            last_message=_last_message(r, owner_id, uow) if r["m_id"] is not None else None,
            unread_count=int(r["unread_count"]),
            total_messages=int(r["total_messages"]),
            updated_at=r["updated_at"] or r["booking_created_at"],
            read_at=r["read_at"],
        )
        for r in await repo.owner_threads(uow.session, owner_id, wanted)
    }


async def messages_by_id(uow: UnitOfWork, owner_id: int, ids: list[int]) -> dict[int, MessageView]:
    """The owner's messages among `ids` (other owners' are left out); one statement."""
    rows = await repo.owner_messages(uow.session, owner_id, [i for i in ids if 0 < i <= INT_MAX])
    return {i: signed_view(MessageView.from_row(m), uow.settings) for i, m in rows.items()}


async def thread_info(uow: UnitOfWork, owner_id: int, booking_id: int) -> ThreadInfo:
    """One of the owner's threads (also one without messages yet); 404 "Booking not found" otherwise."""
    found = await threads_by_booking(uow, owner_id, [booking_id])
    if booking_id not in found:
        raise booking_not_found()
    return found[booking_id]


async def thread(uow: UnitOfWork, owner_id: int, booking_id: int, *, page: int = 1, size: int = 20) -> ThreadPage:
    check_paging(page, size, "size")
    booking = await _owned_booking(uow, owner_id, booking_id)
    rows, total = await repo.thread_page(uow.session, booking_id, (page - 1) * size, size)
    return ThreadPage(
        booking_id=booking_id,
        org_nr=booking.workshop_org_nr,
        messages=[signed_view(MessageView.from_row(m), uow.settings) for m in rows],
        paging=Paging(page=page, page_size=size, total=total),
        unread_count=await repo.thread_unread(uow.session, booking_id),
    )


# --- sending ----------------------------------------------------------------------------------------


async def _write(
    uow: UnitOfWork,
    booking: Booking,
    sender_type: str,
    text: str,
    attachments: list[dict[str, Any]],
) -> MessageView:
    row = await repo.add_message(uow.session, thread_message(booking, sender_type, text, attachments))
    view = MessageView.from_row(row)
    uow.emit(booking.owner_id, MESSAGE_CREATED, message_item(view))
    return view


async def _replay(uow: UnitOfWork, earlier: Message) -> SendResult:
    """The answer to a send that repeats a `client_message_id`: the first message, nothing written."""
    return SendResult(
        message=signed_view(MessageView.from_row(earlier), uow.settings),
        unread_count=await repo.thread_unread(uow.session, earlier.booking_id),
        replayed=True,
    )


async def send_owner_message(uow: UnitOfWork, owner_id: int, command: SendMessage) -> SendResult:
    """The owner writes in their booking's thread (`POST /messages/send`, `sendMessage`).

    With a `client_message_id` the send is idempotent per owner (over all their threads): when the owner
    already has a message with that id, the answer is that first message (whatever the text, attachments or
    booking of the repeat) and nothing is written: no row, no event, no notification. Concurrent repeats
    are settled by the unique index on (owner, client_message_id); uploads of a repeat that lost such a race
    are deleted once the transaction commits."""
    booking = await _owned_booking(uow, owner_id, command.booking_id)
    cid = command.client_message_id
    if cid is not None and (earlier := await repo.owner_message_by_client_id(uow.session, owner_id, cid)):
        return await _replay(uow, earlier)
    if command.org_nr is not None and command.org_nr != booking.workshop_org_nr:
        raise ValidationFailed("org_nr does not match the booking's workshop.", fields={"org_nr": "mismatch"})
    if not command.text and not command.uploads and not command.refs:
        raise ValidationFailed("A message or at least one attachment is required.", fields={"message": "required"})
    attachments = await prepare(command.uploads, command.refs, uow)
    if cid is None:
        view = await _write(uow, booking, OWNER, command.text, attachments)
    else:
        row = await repo.add_message_once(uow.session, thread_message(booking, OWNER, command.text, attachments, cid))
        if row is None:  # a concurrent send with the same id committed first
            for stored in attachments[: len(command.uploads)]:  # the uploads, never referenced files
                delete_after_commit(uow, stored["url"])
            winner = await repo.owner_message_by_client_id(uow.session, owner_id, cid)
            if winner is None:
                raise booking_not_found()  # its booking was deleted meanwhile
            return await _replay(uow, winner)
        view = MessageView.from_row(row)
        uow.emit(booking.owner_id, MESSAGE_CREATED, message_item(view))
    await emit_unread_changed(uow, owner_id)
    return SendResult(
        message=signed_view(view, uow.settings), unread_count=await repo.thread_unread(uow.session, command.booking_id)
    )


async def send_workshop_message(
    uow: UnitOfWork, booking_id: int, text: str, attachments: Sequence[Upload | AttachmentRef | dict[str, Any]] = ()
) -> SendResult:
    """The workshop answers in a booking's thread (`minbil workshop reply`): the message, its events, and a
    `message.new` notification for the owner. Attachments may be uploads, references or reference dicts."""
    body = clean_text(text)
    booking = await repo.booking(uow.session, booking_id) if 0 < booking_id <= INT_MAX else None
    if booking is None:
        raise booking_not_found()
    uploads = [a for a in attachments if isinstance(a, Upload)]
    refs = [a if isinstance(a, AttachmentRef) else AttachmentRef(**a) for a in attachments if not isinstance(a, Upload)]
    if not body and not uploads and not refs:
        raise ValidationFailed("A message or at least one attachment is required.", fields={"message": "required"})
    stored = await prepare(uploads, refs, uow)
    view = await _write(uow, booking, WORKSHOP, body, stored)
    workshop = await repo.workshop_name(uow.session, booking.workshop_org_nr) or "Verkstedet"
    preview = body if len(body) <= 140 else body[:139] + "…"
    await notify(
        uow,
        owner_id=booking.owner_id,
        event="message.new",
        title=f"Ny melding fra {workshop}",
        body=preview or "Nytt vedlegg",
        data={
            "booking_id": booking.id,
            "thread_id": str(booking.id),
            "message_id": view.id,
            "org_nr": booking.workshop_org_nr,
        },
        announce_unread=False,
    )
    await emit_unread_changed(uow, booking.owner_id)
    return SendResult(
        message=signed_view(view, uow.settings), unread_count=await repo.thread_unread(uow.session, booking.id or 0)
    )


# --- read state -------------------------------------------------------------------------------------


def _json_sender(item: dict[str, Any]) -> str:
    for key in ("sender_type", "sender_role", "from", "sender"):
        value = item.get(key)
        if isinstance(value, str) and value:
            return value.lower()
    return ""


def _json_is_read(item: dict[str, Any]) -> bool:
    if "is_read" in item:
        return bool(item["is_read"])
    if "unread" in item:
        return not bool(item["unread"])
    return False


def _json_created(item: dict[str, Any]) -> datetime | None:
    for key in ("created_at", "timestamp", "sent_at"):
        value = item.get(key)
        if isinstance(value, str):
            try:
                return parse_timestamp(value, key)
            except ValidationFailed:
                return None
    return None


def _mark_json(messages: list[Any], up_to: datetime | None, now: datetime) -> tuple[list[Any], int]:
    """Workshop messages of the legacy JSON thread created at or before `up_to` (all when None) become read."""
    changed = 0
    out: list[Any] = []
    for item in messages:
        if isinstance(item, dict) and _json_sender(item) == WORKSHOP and not _json_is_read(item):
            created = _json_created(item)
            if up_to is None or (created is not None and created <= up_to):
                item = {**item, "is_read": True, "read_at": timestamp(now)}
                if "unread" in item:
                    item["unread"] = False
                changed += 1
        out.append(item)
    return out, changed


async def read_up_to(uow: UnitOfWork, owner_id: int, command: MarkThreadRead) -> ReadUpToResult:
    """Mark the workshop's messages read, up to and including `last_read_id` (table messages) and up to
    `last_read_at` (the legacy JSON messages on the booking; table messages too when no id is given).
    With neither, the whole thread is read. The owner's own messages are never touched. Idempotent."""
    booking_id, last_read_id, up_to_at = command.booking_id, command.last_read_id, command.last_read_at
    booking = await _owned_booking(uow, owner_id, booking_id, lock=True)
    if last_read_id is not None and (
        last_read_id > INT_MAX or not await repo.message_in_booking(uow.session, last_read_id, booking_id)
    ):
        raise ValidationFailed(
            "last_read_id is not a message of this thread.", fields={"last_read_id": "not_in_thread"}
        )
    now = utc_now()
    if last_read_id is not None:
        updated = await repo.mark_read_up_to(uow.session, booking_id, last_read_id, now)
    else:
        updated = await repo.mark_read_before(uow.session, booking_id, up_to_at, now)
    json_updated = 0
    if up_to_at is not None or last_read_id is None:
        await uow.session.refresh(booking, attribute_names=["messages"])
        new_json, json_updated = _mark_json(list(booking.messages or []), up_to_at, now)
        if json_updated:
            await repo.set_booking_json_messages(uow.session, booking_id, new_json)
    unread = await repo.thread_unread(uow.session, booking_id)
    notifications_read = 0
    if unread == 0 and (updated or json_updated):
        notifications_read = await notification_repo.mark_message_notifications_read(
            uow.session, owner_id, booking_id, now
        )
    if updated or json_updated or notifications_read:
        await emit_unread_changed(uow, owner_id)
    read_at = await repo.thread_read_at(uow.session, booking_id)
    if json_updated and (read_at is None or read_at < now):
        read_at = now
    return ReadUpToResult(updated=updated, json_updated=json_updated, unread_count=unread, read_at=read_at)
