"""Creating a booking group: one line per service, all or nothing, with warnings and idempotency."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from functools import partial

import msgspec

from app.domain.bookings import events, views
from app.domain.bookings.commands import CreateBooking
from app.domain.bookings.results import BookingGroup, BookingWarning
from app.domain.bookings.states import REQUESTED
from app.domain.bookings.times import OSLO, require_future
from app.domain.uow import UnitOfWork
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.values import utc_now
from db.models import Booking, Workshop, WorkshopOpeningHour
from db.repositories import bookings as repo

IDEMPOTENCY_SCOPE = "bookings.create"


def _outside_hours(hours: dict[int, WorkshopOpeningHour], start: datetime, end: datetime) -> bool:
    local_start, local_end = start.astimezone(OSLO), end.astimezone(OSLO)
    day = hours.get(local_start.weekday())
    if day is None or day.is_closed or day.opens_at is None or day.closes_at is None:
        return bool(hours)  # no hours recorded at all: nothing to compare with
    if local_end.date() != local_start.date():
        return True
    return local_start.time() < day.opens_at or local_end.time() > day.closes_at


async def booking_warnings(
    uow: UnitOfWork,
    *,
    workshop_org_nr: str,
    registration_number: str | None,
    windows: list[tuple[datetime, datetime]],
    exclude_group: str | None,
    exclude_ids: list[int] | None = None,
) -> list[BookingWarning]:
    """Double booking of the vehicle, outside opening hours, overlap with the workshop's other bookings."""
    warnings: list[BookingWarning] = []
    start = min(w[0] for w in windows)
    end = max(w[1] for w in windows)
    overlapping = partial(
        repo.active_overlaps,
        uow.session,
        start=start,
        end=end,
        exclude_group=exclude_group,
        exclude_ids=exclude_ids or [],
    )
    if registration_number:
        clashes = await overlapping(registration_number=registration_number)
        if clashes:
            warnings.append(
                BookingWarning(
                    code="DOUBLE_BOOKING",
                    detail=f"{registration_number} already has a booking at that time.",
                    meta={"booking_ids": [c.id for c in clashes], "group_ids": sorted({c.group_id for c in clashes})},
                )
            )
    hours = await repo.opening_hours(uow.session, workshop_org_nr)
    if any(_outside_hours(hours, s, e) for s, e in windows):
        warnings.append(
            BookingWarning(
                code="OUTSIDE_OPENING_HOURS",
                detail="The requested time is outside the workshop's opening hours.",
                meta={"weekday": start.astimezone(OSLO).weekday()},
            )
        )
    busy = await overlapping(workshop_org_nr=workshop_org_nr)
    busy = [b for b in busy if b.registration_number != registration_number or not registration_number]
    if busy:
        warnings.append(
            BookingWarning(
                code="WORKSHOP_OVERLAP",
                detail="The workshop has other bookings overlapping that time.",
                meta={"overlapping": len(busy)},
            )
        )
    return warnings


def request_hash(command: CreateBooking) -> str:
    """The same request always gives the same command, so a retry hashes alike whatever its JSON spacing."""
    return hashlib.sha256(msgspec.json.encode(command)).hexdigest()


async def create_booking(
    uow: UnitOfWork, owner_id: int, command: CreateBooking, *, idempotency_key: str | None = None
) -> BookingGroup:
    """With an idempotency key (checked by `inputs.idempotency_key`), a retry of the same request returns the
    first result and a different request is a 409."""
    if idempotency_key is None:
        return await _create(uow, owner_id, command)
    digest = request_hash(command)
    record = await repo.claim_idempotency_key(
        uow.session, owner_id=owner_id, scope=IDEMPOTENCY_SCOPE, key=idempotency_key, request_hash=digest
    )
    if record is None:
        existing = await repo.find_idempotency_record(
            uow.session, owner_id=owner_id, scope=IDEMPOTENCY_SCOPE, key=idempotency_key
        )
        if existing is None or existing.request_hash != digest:
            raise Conflict(
                "This Idempotency-Key was already used with a different request body.",
                code="IDEMPOTENCY_KEY_REUSED",
                fields={"Idempotency-Key": "reused"},
            )
        return msgspec.convert(existing.response, BookingGroup)
    result = await _create(uow, owner_id, command)
    record.response = msgspec.to_builtins(result)
    record.status_code = 200
    uow.session.add(record)
    await uow.session.flush()
    return result


async def _create(uow: UnitOfWork, owner_id: int, command: CreateBooking) -> BookingGroup:
    now = utc_now()
    start = require_future(command.start, "service_start_time", now=now)
    org_nr, requests = command.org_nr, command.lines
    session = uow.session

    if command.plate is None:
        vehicle = await repo.primary_vehicle(session, owner_id)
        if vehicle is None:
            raise ValidationFailed(
                "registration_number is required (no vehicle is registered on your account).",
                fields={"registration_number": "required"},
            )
    else:
        plate = command.plate
        vehicle = await repo.owner_vehicle(session, owner_id, plate)
        if vehicle is None:
            raise Forbidden(
                f"The vehicle {plate} is not registered on your account.",
                code="VEHICLE_NOT_OWNED",
                fields={"registration_number": "not_your_vehicle"},
            )

    workshop: Workshop | None = (await repo.workshops_by_org(session, [org_nr])).get(org_nr)
    if workshop is None or not workshop.is_active:
        raise NotFound(f"Workshop {org_nr} was not found.", code="WORKSHOP_NOT_FOUND", fields={"org_nr": "not_found"})
    catalogue = await repo.services_by_id(session, (r.service_id for r in requests))
    for r in requests:
        service = catalogue.get(r.service_id)
        if service is None or not service.is_active:
            raise ValidationFailed(
                f"Service {r.service_id} does not exist.", code="SERVICE_NOT_FOUND", fields={r.field: "not_found"}
            )
        if service.org_nr != org_nr:
            raise ValidationFailed(
                f"Service {r.service_id} does not belong to workshop {org_nr}.",
                code="SERVICE_NOT_IN_WORKSHOP",
                fields={r.field: "not_in_workshop"},
            )

    group_id = str(uuid.uuid4())
    windows = [(start, start + timedelta(hours=float(catalogue[r.service_id].estimated_time or 1.0))) for r in requests]
    warnings = await booking_warnings(
        uow,
        workshop_org_nr=org_nr,
        registration_number=vehicle.registration_number,
        windows=windows,
        exclude_group=group_id,
    )
    rows: list[Booking] = []
    for r, (_, end) in zip(requests, windows, strict=True):
        service = catalogue[r.service_id]
        thread = (
            [
                {
                    "sender_type": "carowner",
                    "message_text": r.message,
                    "attachments": r.attachments,
                    "created_at": now.isoformat(),
                }
            ]
            if r.message or r.attachments
            else []
        )
        row = Booking(
            group_id=group_id,
            owner_id=owner_id,
            workshop_org_nr=org_nr,
            service_id=service.id,
            vehicle_id=vehicle.id,
            registration_number=vehicle.registration_number,
            service_title=service.title,
            service_description=service.description,
            service_price=service.price,
            service_estimated_hours=float(service.estimated_time or 1.0),
            service_start_time=start,
            service_estimated_end_time=end,
            attachments=r.attachments,
            status=REQUESTED,
            messages=thread,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        rows.append(row)
    await session.flush()
    for row, r in zip(rows, requests, strict=True):
        if r.message or r.attachments:
            await events.owner_message(uow, row, r.message, r.attachments)
    await events.emit_updated(uow, rows)
    await events.tell_owner(uow, "booking.requested", rows)
    items = await views.lines(session, rows)
    return views.group(items, warnings)[0]
