"""Owner-side changes: reschedule, cancel, append a message, and change requests when policy blocks a
direct change (already confirmed, or less than 24 h before the start)."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.domain.bookings import events, views
from app.domain.bookings.commands import Attachment, CancelBooking, RequestChange, UpdateBooking
from app.domain.bookings.create import booking_warnings
from app.domain.bookings.policy import blocked_reason, direct_change_allowed, is_changeable
from app.domain.bookings.queries import owned_booking
from app.domain.bookings.results import BookingUpdateResult, CancelResult, ChangeRequestItem
from app.domain.bookings.states import CANCELLED, require_transition
from app.domain.bookings.times import require_future
from app.domain.uow import UnitOfWork
from app.errors import Conflict, NotFound
from app.values import utc_now
from db.models import Booking, BookingChangeRequest
from db.repositories import bookings as repo


def _not_changeable(row: Booking, what: str) -> Conflict:
    if row.status in {"REQUESTED", "CONFIRMED"}:
        return Conflict(
            f"Booking {row.id} has already started or passed its start time; it can no longer be {what}.",
            code="BOOKING_NOT_CHANGEABLE",
            fields={"booking_id": "not_changeable"},
        )
    return Conflict(
        f"Booking {row.id} is {row.status} and can no longer be {what}.",
        code="INVALID_TRANSITION",
        fields={"status": row.status},
    )


async def _open_request(
    uow: UnitOfWork, row: Booking, request_type: str, *, reason: str | None, requested_start: datetime | None
) -> BookingChangeRequest:
    assert row.id is not None
    if await repo.pending_change_request(uow.session, row.id, request_type) is not None:
        raise Conflict(
            f"A {request_type} request for booking {row.id} is already waiting for the workshop.",
            code="CHANGE_REQUEST_PENDING",
            fields={"request_type": "pending"},
        )
    request = await repo.add_change_request(
        uow.session,
        BookingChangeRequest(
            booking_id=row.id,
            group_id=row.group_id,
            owner_id=row.owner_id,
            request_type=request_type,
            reason=reason,
            requested_start_time=requested_start,
        ),
    )
    if request_type == "cancel":
        row.cancel_request = True
        await repo.touch(uow.session, row, utc_now())
        await events.emit_updated(uow, [row])
    return request


async def _cancel_line(uow: UnitOfWork, row: Booking, reason: str | None, now: datetime) -> BookingChangeRequest | None:
    """Cancel directly when policy allows; otherwise open a cancel request (returned)."""
    if not is_changeable(row, now):
        require_transition(row.status, CANCELLED, booking_id=row.id)
        raise _not_changeable(row, "cancelled")
    if direct_change_allowed(row, now):
        require_transition(row.status, CANCELLED, booking_id=row.id)
        row.status = CANCELLED
        row.verify_canceled = True
        row.cancellation_reason = reason
        await repo.touch(uow.session, row, now)
        return None
    return await _open_request(uow, row, "cancel", reason=reason, requested_start=None)


async def _append(uow: UnitOfWork, row: Booking, text: str | None, files: list[Attachment], now: datetime) -> None:
    if not text and not files:
        return
    row.messages = [
        *(row.messages or []),
        {"sender_type": "carowner", "message_text": text or "", "attachments": files, "created_at": now.isoformat()},
    ]
    if files:
        row.attachments = [*(row.attachments or []), *files]
    await repo.touch(uow.session, row, now)
    await events.owner_message(uow, row, text, files)


async def _announce_cancelled(uow: UnitOfWork, rows: list[Booking]) -> None:
    await events.announce_update(
        uow, rows, title="Bestilling kansellert", body="Bestillingen av {what} hos {workshop} {when} er kansellert."
    )


async def update_booking(uow: UnitOfWork, owner_id: int, command: UpdateBooking) -> BookingUpdateResult:
    now = utc_now()
    new_start = require_future(command.start, "service_start_time", now=now) if command.start is not None else None
    row = await owned_booking(uow, owner_id, command.booking_id, for_update=True)
    await _append(uow, row, command.message, command.attachments, now)
    request: BookingChangeRequest | None = None
    warnings = []
    if command.cancel:
        request = await _cancel_line(uow, row, command.reason, now)
        if request is None:
            action, note = "cancelled", "The booking was cancelled."
            await _announce_cancelled(uow, [row])
        else:
            action = "change_requested"
            note = f"{blocked_reason(row, now)}: a cancellation request was sent to the workshop."
    elif new_start is not None:
        if not is_changeable(row, now):
            raise _not_changeable(row, "rescheduled")
        if direct_change_allowed(row, now):
            end = new_start + timedelta(hours=float(row.service_estimated_hours or 1.0))
            warnings = await booking_warnings(
                uow,
                workshop_org_nr=row.workshop_org_nr,
                registration_number=row.registration_number,
                windows=[(new_start, end)],
                exclude_group=None,
                exclude_ids=[row.id or 0],
            )
            row.service_start_time = new_start
            row.service_estimated_end_time = end
            await repo.touch(uow.session, row, now)
            await events.announce_update(
                uow,
                [row],
                title="Bestilling flyttet",
                body="Bestillingen av {what} hos {workshop} er flyttet til {when}.",
            )
            action, note = "rescheduled", "The booking was rescheduled."
        else:
            request = await _open_request(uow, row, "reschedule", reason=command.reason, requested_start=new_start)
            action = "change_requested"
            note = f"{blocked_reason(row, now)}: a reschedule request was sent to the workshop."
    else:
        action, note = "updated", "The message was added to the booking."
    item = (await views.lines(uow.session, [row]))[0]
    return BookingUpdateResult(
        action=action,
        message=note,
        booking=item,
        change_request=views.change_request_item(request) if request else None,
        warnings=warnings,
    )


async def cancel(uow: UnitOfWork, owner_id: int, command: CancelBooking) -> CancelResult:
    """Cancel (or request cancellation of) one line or every open line of a group."""
    booking_id, group_id, reason = command.booking_id, command.group_id, command.reason
    now = utc_now()
    if booking_id is not None:
        row = await owned_booking(uow, owner_id, booking_id, for_update=True)
        if group_id and row.group_id != group_id:
            raise NotFound(f"Booking {booking_id} is not part of group {group_id}.", code="BOOKING_NOT_FOUND")
        rows = [row]
    else:
        assert group_id is not None  # a command names a line or a group
        rows = await repo.lines_of_group(uow.session, group_id, owner_id=owner_id, for_update=True)
        if not rows:
            raise NotFound(f"Booking group {group_id} was not found.", code="BOOKING_NOT_FOUND")
        open_rows = [r for r in rows if is_changeable(r, now)]
        if not open_rows:
            raise Conflict(
                f"No booking in group {group_id} can be cancelled any more.",
                code="BOOKING_NOT_CHANGEABLE",
                fields={"group_id": "not_changeable"},
            )
        rows = open_rows
    cancelled: list[Booking] = []
    requests: list[ChangeRequestItem] = []
    for row in rows:
        request = await _cancel_line(uow, row, reason, now)
        if request is None:
            cancelled.append(row)
        else:
            requests.append(views.change_request_item(request))
    if cancelled:
        await _announce_cancelled(uow, cancelled)
    if requests and cancelled:
        message = "Some lines were cancelled; for the others a cancellation request was sent to the workshop."
    elif requests:
        message = "A cancellation request was sent to the workshop."
    else:
        message = "The booking was cancelled."
    items = await views.lines(uow.session, rows)
    return CancelResult(
        group_id=rows[0].group_id,
        message=message,
        cancelled=[r.id for r in cancelled if r.id],
        change_requests=requests,
        items=items,
    )


async def request_change(uow: UnitOfWork, owner_id: int, command: RequestChange) -> ChangeRequestItem:
    now = utc_now()
    new_start = command.requested_start
    if new_start is not None:
        require_future(new_start, "requested_start_time", now=now)
    row = await owned_booking(uow, owner_id, command.booking_id, for_update=True)
    if not is_changeable(row, now):
        if command.request_type == "cancel":
            require_transition(row.status, CANCELLED, booking_id=row.id)
        raise _not_changeable(row, "changed")
    request = await _open_request(uow, row, command.request_type, reason=command.reason, requested_start=new_start)
    return views.change_request_item(request)
