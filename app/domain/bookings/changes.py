"""Owner-side changes: reschedule, cancel, append a message, and change requests when policy blocks a
direct change (already confirmed, or less than 24 h before the start)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app.domain.bookings import events, inputs, views
from app.domain.bookings.create import booking_warnings
from app.domain.bookings.policy import blocked_reason, direct_change_allowed, is_changeable
from app.domain.bookings.queries import owned_booking
from app.domain.bookings.results import BookingUpdateResult, CancelResult, ChangeRequestItem
from app.domain.bookings.states import CANCELLED, require_status, require_transition
from app.domain.bookings.times import now_utc, parse_future_instant
from app.domain.uow import UnitOfWork
from app.errors import Conflict, NotFound, ValidationFailed
from db.models import Booking, BookingChangeRequest
from db.repositories import bookings as repo

REQUEST_TYPES = ("reschedule", "cancel")


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
        await repo.touch(uow.session, row, now_utc())
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


async def _append(uow: UnitOfWork, row: Booking, text: str | None, files: list[Any], now: datetime) -> None:
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


async def update_booking(
    uow: UnitOfWork,
    owner_id: int,
    booking_id: int,
    *,
    service_start_time: object = None,
    status: object = None,
    cancellation_reason: object = None,
    attachments: object = None,
    message: object = None,
) -> BookingUpdateResult:
    target = require_status(status) if status is not None else None
    if target is not None and target != CANCELLED:
        raise ValidationFailed(
            "Only status=CANCELLED can be set by the car owner.",
            code="STATUS_NOT_ALLOWED",
            fields={"status": "only_cancelled"},
        )
    reason = inputs.optional_text(cancellation_reason, "cancellation_reason")
    files = inputs.attachments(attachments)
    text = inputs.message_text(message)
    if target is not None and service_start_time is not None:
        raise ValidationFailed(
            "Send either service_start_time or status=CANCELLED, not both.",
            fields={"service_start_time": "conflicts_with_status"},
        )
    if target is None and service_start_time is None and not files and not text:
        raise ValidationFailed(
            "Nothing to update: send service_start_time, status=CANCELLED, message or attachments.",
            code="NOTHING_TO_UPDATE",
            fields={"body": "empty"},
        )
    new_start = (
        parse_future_instant(service_start_time, "service_start_time") if service_start_time is not None else None
    )
    row = await owned_booking(uow, owner_id, booking_id, for_update=True)
    now = now_utc()
    await _append(uow, row, text, files, now)
    request: BookingChangeRequest | None = None
    warnings = []
    if target == CANCELLED:
        request = await _cancel_line(uow, row, reason, now)
        if request is None:
            action, note = "cancelled", "The booking was cancelled."
            await events.emit_updated(uow, [row])
            await events.tell_owner(
                uow,
                "booking.updated",
                [row],
                title="Bestilling kansellert",
                body="Bestillingen av {what} hos {workshop} {when} er kansellert.",
            )
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
            await events.emit_updated(uow, [row])
            await events.tell_owner(
                uow,
                "booking.updated",
                [row],
                title="Bestilling flyttet",
                body="Bestillingen av {what} hos {workshop} er flyttet til {when}.",
            )
            action, note = "rescheduled", "The booking was rescheduled."
        else:
            request = await _open_request(uow, row, "reschedule", reason=reason, requested_start=new_start)
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


async def cancel(
    uow: UnitOfWork,
    owner_id: int,
    *,
    group_id: object = None,
    booking_id: object = None,
    cancellation_reason: object = None,
) -> CancelResult:
    """Cancel (or request cancellation of) one line or every open line of a group."""
    reason = inputs.optional_text(cancellation_reason, "cancellation_reason")
    if booking_id is None and not group_id:
        raise ValidationFailed("Provide group_id or booking_id.", fields={"group_id": "required"})
    if booking_id is not None and (not isinstance(booking_id, int) or isinstance(booking_id, bool)):
        raise ValidationFailed("booking_id must be an integer.", fields={"booking_id": "invalid"})
    if group_id is not None and not isinstance(group_id, str):
        raise ValidationFailed("group_id must be a string.", fields={"group_id": "invalid"})
    now = now_utc()
    if booking_id is not None:
        row = await owned_booking(uow, owner_id, booking_id, for_update=True)
        if group_id and row.group_id != group_id:
            raise NotFound(f"Booking {booking_id} is not part of group {group_id}.", code="BOOKING_NOT_FOUND")
        rows = [row]
    else:
        rows = await repo.lines_of_group(uow.session, str(group_id), owner_id=owner_id, for_update=True)
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
        await events.emit_updated(uow, cancelled)
        await events.tell_owner(
            uow,
            "booking.updated",
            cancelled,
            title="Bestilling kansellert",
            body="Bestillingen av {what} hos {workshop} {when} er kansellert.",
        )
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


async def request_change(
    uow: UnitOfWork,
    owner_id: int,
    *,
    booking_id: object,
    request_type: object,
    requested_start_time: object = None,
    reason: object = None,
) -> ChangeRequestItem:
    if not isinstance(booking_id, int) or isinstance(booking_id, bool):
        raise ValidationFailed("booking_id must be an integer.", fields={"booking_id": "invalid"})
    kind = request_type.strip().lower() if isinstance(request_type, str) else None
    if kind not in REQUEST_TYPES:
        raise ValidationFailed(
            "request_type must be 'reschedule' or 'cancel'.",
            code="INVALID_REQUEST_TYPE",
            fields={"request_type": "invalid"},
        )
    note = inputs.optional_text(reason, "reason")
    new_start = None
    if kind == "reschedule":
        if requested_start_time is None:
            raise ValidationFailed(
                "requested_start_time is required for a reschedule request.",
                fields={"requested_start_time": "required"},
            )
        new_start = parse_future_instant(requested_start_time, "requested_start_time")
    row = await owned_booking(uow, owner_id, booking_id, for_update=True)
    if not is_changeable(row, now_utc()):
        if kind == "cancel":
            require_transition(row.status, CANCELLED, booking_id=row.id)
        raise _not_changeable(row, "changed")
    request = await _open_request(uow, row, kind, reason=note, requested_start=new_start)
    return views.change_request_item(request)
