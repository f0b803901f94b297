"""The workshop side of the lifecycle: confirm, decline, start, complete, reply, resolve change requests.

The reference covers only the car owner; these use cases are driven by `minbil workshop ...` and make the
owner's notifications and realtime events happen. A target is a booking id or a group id (every line).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from app.domain.bookings import events, views
from app.domain.bookings.commands import (
    CompleteService,
    ConfirmBooking,
    DeclineBooking,
    ReplyToOwner,
    ResolveChange,
    StartService,
)
from app.domain.bookings.results import BookingLine, ChangeRequestItem
from app.domain.bookings.states import CANCELLED, COMPLETED, CONFIRMED, DECLINED, IN_PROGRESS, require_transition
from app.domain.messages.results import message_item
from app.domain.messages.service import send_workshop_message
from app.domain.uow import UnitOfWork
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.values import utc_now
from db.models import Booking
from db.repositories import bookings as repo

_UUID = re.compile(r"^[0-9a-fA-F-]{36}$")


async def _targets(uow: UnitOfWork, target: str | int, org_nr: str | None) -> list[Booking]:
    text = str(target).strip()
    if _UUID.match(text):
        rows = await repo.lines_of_group(uow.session, text, for_update=True)
    elif text.isdigit():
        row = await repo.get_booking(uow.session, int(text), for_update=True)
        rows = [row] if row is not None else []
    else:
        raise ValidationFailed("Expected a booking id or a group id.", fields={"booking_id": "invalid"})
    if not rows:
        raise NotFound(f"Booking {text} was not found.", code="BOOKING_NOT_FOUND")
    if org_nr is not None and any(r.workshop_org_nr != org_nr for r in rows):
        raise Forbidden(f"Booking {text} is not at workshop {org_nr}.", code="NOT_THIS_WORKSHOP")
    return rows


async def _move(
    uow: UnitOfWork,
    target: str | int,
    status: str,
    org_nr: str | None,
    actual_end: datetime | None = None,
    reason: str | None = None,
) -> list[Booking]:
    rows = await _targets(uow, target, org_nr)
    for row in rows:
        require_transition(row.status, status, booking_id=row.id)
    now = utc_now()
    for row in rows:
        row.status = status
        if status == CONFIRMED:
            row.verify_booked = True
        elif status == COMPLETED:
            row.verify_service_done = True
            row.service_actual_end_time = actual_end or now
        elif status == DECLINED:
            row.cancellation_reason = reason
        await repo.touch(uow.session, row, now)
    await events.emit_updated(uow, rows)
    return rows


async def _lines(uow: UnitOfWork, rows: list[Booking]) -> list[BookingLine]:
    return await views.lines(uow.session, rows)


async def confirm(uow: UnitOfWork, command: ConfirmBooking) -> list[BookingLine]:
    rows = await _move(uow, command.target, CONFIRMED, command.org_nr)
    await events.tell_owner(uow, "booking.accepted", rows)
    return await _lines(uow, rows)


async def decline(uow: UnitOfWork, command: DeclineBooking) -> list[BookingLine]:
    rows = await _move(uow, command.target, DECLINED, command.org_nr, reason=command.reason)
    await events.tell_owner(uow, "booking.declined", rows, extra={"reason": command.reason})
    return await _lines(uow, rows)


async def start(uow: UnitOfWork, command: StartService) -> list[BookingLine]:
    rows = await _move(uow, command.target, IN_PROGRESS, command.org_nr)
    await events.tell_owner(
        uow, "booking.updated", rows, title="Service startet", body="{workshop} har startet {what}."
    )
    return await _lines(uow, rows)


async def complete(uow: UnitOfWork, command: CompleteService) -> list[BookingLine]:
    end = command.actual_end
    if end is not None and end > utc_now() + timedelta(minutes=5):
        raise ValidationFailed("actual_end cannot be in the future.", fields={"actual_end": "in_future"})
    rows = await _targets(uow, command.target, command.org_nr)
    if end is not None and any(end < r.service_start_time for r in rows):
        raise ValidationFailed("actual_end is before the booking's start time.", fields={"actual_end": "before_start"})
    rows = await _move(uow, command.target, COMPLETED, command.org_nr, actual_end=end)
    await events.tell_owner(uow, "booking.completed", rows)
    await events.tell_owner(uow, "rating.reminder", rows)
    return await _lines(uow, rows)


async def reply(uow: UnitOfWork, command: ReplyToOwner) -> dict[str, object]:
    """A workshop message on the booking's thread (unread for the owner until read)."""
    body = command.text.strip()
    if not body:
        raise ValidationFailed("The reply text is empty.", fields={"text": "required"})
    rows = await _targets(uow, command.booking_id, command.org_nr)
    result = await send_workshop_message(uow, rows[0].id or 0, body)
    return message_item(result.message)


async def resolve_change(uow: UnitOfWork, command: ResolveChange) -> ChangeRequestItem:
    """Approve or reject an owner's change request; an approved one is applied to the booking."""
    request_id, approve, note, org_nr = command.request_id, command.approve, command.note, command.org_nr
    request = await repo.get_change_request(uow.session, request_id, for_update=True)
    if request is None:
        raise NotFound(f"Change request {request_id} was not found.", code="CHANGE_REQUEST_NOT_FOUND")
    if request.status != "pending":
        raise Conflict(f"Change request {request_id} is already {request.status}.", code="CHANGE_REQUEST_RESOLVED")
    row = (await _targets(uow, request.booking_id, org_nr))[0]
    now = utc_now()
    if approve:
        if request.request_type == "cancel":
            require_transition(row.status, CANCELLED, booking_id=row.id)
            row.status = CANCELLED
            row.verify_canceled = True
            row.cancellation_reason = request.reason
        else:
            if row.status not in {"REQUESTED", "CONFIRMED"}:
                raise Conflict(
                    f"Booking {row.id} is {row.status}; it can no longer be rescheduled.", code="INVALID_TRANSITION"
                )
            assert request.requested_start_time is not None
            row.service_start_time = request.requested_start_time
            row.service_estimated_end_time = request.requested_start_time + timedelta(
                hours=float(row.service_estimated_hours or 1)
            )
    if request.request_type == "cancel":
        row.cancel_request = False
    await repo.touch(uow.session, row, now)
    request.status = "approved" if approve else "rejected"
    request.resolution_note = note
    request.resolved_at = now
    uow.session.add(request)
    await uow.session.flush()
    kind = "kansellering" if request.request_type == "cancel" else "endring av tidspunkt"
    verdict = "godkjent" if approve else "avslått"
    await events.announce_update(
        uow,
        [row],
        title=f"Forespørsel {verdict}",
        body=f"{{workshop}} har {verdict} forespørselen om {kind} for {{what}}.",
        extra={"change_request_id": request.id, "request_status": request.status},
    )
    return views.change_request_item(request, with_note=True)


async def workshop_bookings(
    uow: UnitOfWork, org_nr: str | None = None, *, status: str | None = None
) -> list[BookingLine]:
    """Lines at a workshop (or all), for the `minbil workshop list` command."""
    rows = await repo.workshop_lines(uow.session, org_nr, status=status.upper() if status else None)
    return await views.lines(uow.session, rows)
