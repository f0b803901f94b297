"""SQL for bookings, their statuses, change requests, ratings, idempotency records and booking messages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import func, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import and_, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from db.models import (
    Booking,
    BookingChangeRequest,
    BookingStatus,
    CarOwner,
    IdempotencyRecord,
    Message,
    OwnerVehicle,
    Service,
    Vehicle,
    Workshop,
    WorkshopOpeningHour,
)
from db.repositories._core import add_row

_Row = TypeVar("_Row")


async def _all(session: AsyncSession, stmt: SelectOfScalar[_Row]) -> list[_Row]:
    return list((await session.exec(stmt)).all())


async def _first(session: AsyncSession, stmt: SelectOfScalar[_Row]) -> _Row | None:
    return (await session.exec(stmt)).first()


# --- statuses -------------------------------------------------------------------------------------


async def list_statuses(session: AsyncSession, *, active_only: bool = True) -> list[BookingStatus]:
    stmt = select(BookingStatus)
    if active_only:
        stmt = stmt.where(col(BookingStatus.is_active).is_(True))
    return await _all(session, stmt.order_by(col(BookingStatus.sort_order), col(BookingStatus.id)))


async def status_names(session: AsyncSession) -> dict[str, str]:
    return {s.code: s.display_name for s in await list_statuses(session, active_only=False)}


# --- bookings -------------------------------------------------------------------------------------


async def get_booking(session: AsyncSession, booking_id: int, *, for_update: bool = False) -> Booking | None:
    stmt = select(Booking).where(Booking.id == booking_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await _first(session, stmt)


async def lines_of_group(
    session: AsyncSession, group_id: str, *, owner_id: int | None = None, for_update: bool = False
) -> list[Booking]:
    stmt = select(Booking).where(Booking.group_id == group_id)
    if owner_id is not None:
        stmt = stmt.where(Booking.owner_id == owner_id)
    stmt = stmt.order_by(col(Booking.service_start_time), col(Booking.id))
    if for_update:
        stmt = stmt.with_for_update()
    return await _all(session, stmt)


async def lines_of_groups(session: AsyncSession, group_ids: Iterable[str], *, owner_id: int) -> list[Booking]:
    """Every line of the owner's groups `group_ids`, in one statement."""
    keys = list(set(group_ids))
    if not keys:
        return []
    stmt = select(Booking).where(col(Booking.group_id).in_(keys), Booking.owner_id == owner_id)
    return await _all(session, stmt.order_by(col(Booking.service_start_time), col(Booking.id)))


def _owner_lines(
    owner_id: int,
    *,
    statuses: Sequence[str] | None = None,
    group_id: str | None = None,
    registration_number: str | None = None,
    workshop_org_nr: str | None = None,
) -> SelectOfScalar[Booking]:
    stmt = select(Booking).where(Booking.owner_id == owner_id)
    if statuses:
        stmt = stmt.where(col(Booking.status).in_(list(statuses)))
    if group_id:
        stmt = stmt.where(Booking.group_id == group_id)
    if registration_number:
        stmt = stmt.where(Booking.registration_number == registration_number)
    if workshop_org_nr:
        stmt = stmt.where(Booking.workshop_org_nr == workshop_org_nr)
    return stmt


async def list_owner_bookings(
    session: AsyncSession,
    owner_id: int,
    *,
    statuses: Sequence[str] | None = None,
    group_id: str | None = None,
    registration_number: str | None = None,
    workshop_org_nr: str | None = None,
    after: tuple[datetime, int] | None = None,
    before: tuple[datetime, int] | None = None,
    limit: int | None = None,
    newest_first: bool = True,
) -> list[Booking]:
    """The owner's lines in the keyset order newest start first (then id), strictly between the keys
    `after=(start, id)` (older lines) and `before=(start, id)` (newer lines). `newest_first=False` walks the same
    range from its old end (for a page counted from the back; the caller reverses it)."""
    stmt = _owner_lines(
        owner_id,
        statuses=statuses,
        group_id=group_id,
        registration_number=registration_number,
        workshop_org_nr=workshop_org_nr,
    )
    if after is not None:
        start, last_id = after
        stmt = stmt.where(
            or_(
                Booking.service_start_time < start, and_(Booking.service_start_time == start, col(Booking.id) < last_id)
            )
        )
    if before is not None:
        start, first_id = before
        stmt = stmt.where(
            or_(
                Booking.service_start_time > start,
                and_(Booking.service_start_time == start, col(Booking.id) > first_id),
            )
        )
    if newest_first:
        stmt = stmt.order_by(col(Booking.service_start_time).desc(), col(Booking.id).desc())
    else:
        stmt = stmt.order_by(col(Booking.service_start_time), col(Booking.id))
    if limit is not None:
        stmt = stmt.limit(limit)
    return await _all(session, stmt)


async def count_owner_bookings(
    session: AsyncSession,
    owner_id: int,
    *,
    statuses: Sequence[str] | None = None,
    group_id: str | None = None,
    registration_number: str | None = None,
) -> int:
    filtered = _owner_lines(
        owner_id, statuses=statuses, group_id=group_id, registration_number=registration_number
    ).subquery()
    result = await session.exec(select(func.count()).select_from(filtered))
    return int(result.one())


async def owner_bookings_by_ids(session: AsyncSession, owner_id: int, ids: Iterable[int]) -> dict[int, Booking]:
    """The owner's lines among `ids` (others' and missing ones left out), in one statement."""
    keys = list(set(ids))
    if not keys:
        return {}
    rows = await _all(session, select(Booking).where(col(Booking.id).in_(keys), Booking.owner_id == owner_id))
    return {row.id: row for row in rows if row.id is not None}


async def bookings_by_ids(session: AsyncSession, ids: Iterable[int]) -> dict[int, Booking]:
    keys = list(set(ids))
    if not keys:
        return {}
    rows = await _all(session, select(Booking).where(col(Booking.id).in_(keys)))
    return {row.id: row for row in rows if row.id is not None}


async def active_overlaps(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    exclude_group: str | None,
    registration_number: str | None = None,
    workshop_org_nr: str | None = None,
    exclude_ids: Sequence[int] = (),
) -> list[Booking]:
    """Active bookings (requested/confirmed/in progress) whose estimated window overlaps [start, end)."""
    ends = func.coalesce(
        col(Booking.service_estimated_end_time), col(Booking.service_start_time) + text("interval '1 hour'")
    )
    stmt = select(Booking).where(
        col(Booking.status).in_(["REQUESTED", "CONFIRMED", "IN_PROGRESS"]),
        Booking.service_start_time < end,
        ends > start,
    )
    if exclude_group:
        stmt = stmt.where(Booking.group_id != exclude_group)
    if exclude_ids:
        stmt = stmt.where(col(Booking.id).notin_(list(exclude_ids)))
    if registration_number is not None:
        stmt = stmt.where(Booking.registration_number == registration_number)
    if workshop_org_nr is not None:
        stmt = stmt.where(Booking.workshop_org_nr == workshop_org_nr)
    return await _all(session, stmt.order_by(col(Booking.service_start_time)).limit(20))


async def touch(session: AsyncSession, booking: Booking, now: datetime) -> None:
    booking.updated_at = now
    session.add(booking)
    await session.flush()


# --- related rows ---------------------------------------------------------------------------------


_Keyed = TypeVar("_Keyed", CarOwner, Service, Vehicle, Workshop)
_Key = TypeVar("_Key", int, str)


async def _rows_by(session: AsyncSession, model: type[_Keyed], key: str, values: Iterable[_Key]) -> dict[_Key, _Keyed]:
    """The rows whose column `key` is among `values` (each asked once), by that column; no statement for none."""
    keys = list(set(values))
    if not keys:
        return {}
    rows = await _all(session, select(model).where(col(getattr(model, key)).in_(keys)))
    return {getattr(row, key): row for row in rows if getattr(row, key) is not None}


async def workshops_by_org(session: AsyncSession, org_nrs: Iterable[str]) -> dict[str, Workshop]:
    return await _rows_by(session, Workshop, "org_nr", org_nrs)


async def owners_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, CarOwner]:
    return await _rows_by(session, CarOwner, "id", ids)


async def services_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Service]:
    return await _rows_by(session, Service, "id", ids)


async def owner_vehicle(session: AsyncSession, owner_id: int, registration_number: str) -> Vehicle | None:
    stmt = (
        select(Vehicle)
        .join(OwnerVehicle, col(OwnerVehicle.vehicle_id) == Vehicle.id)
        .where(OwnerVehicle.owner_id == owner_id, Vehicle.registration_number == registration_number)
    )
    return await _first(session, stmt)


async def primary_vehicle(session: AsyncSession, owner_id: int) -> Vehicle | None:
    stmt = (
        select(Vehicle)
        .join(OwnerVehicle, col(OwnerVehicle.vehicle_id) == Vehicle.id)
        .where(OwnerVehicle.owner_id == owner_id)
        .order_by(col(OwnerVehicle.is_primary).desc(), col(OwnerVehicle.created_at), col(OwnerVehicle.id))
    )
    return await _first(session, stmt)


async def opening_hours(session: AsyncSession, org_nr: str) -> dict[int, WorkshopOpeningHour]:
    rows = await _all(session, select(WorkshopOpeningHour).where(WorkshopOpeningHour.org_nr == org_nr))
    return {row.weekday: row for row in rows}


async def unread_counts(session: AsyncSession, booking_ids: Iterable[int]) -> dict[int, int]:
    """Workshop -> owner messages not yet read, per booking."""
    keys = list(set(booking_ids))
    if not keys:
        return {}
    stmt = (
        select(Message.booking_id, func.count())
        .where(
            col(Message.booking_id).in_(keys),
            Message.sender_type == "workshop",
            col(Message.is_read).is_(False),
        )
        .group_by(col(Message.booking_id))
    )
    result = await session.exec(stmt)
    return {booking_id: int(count) for booking_id, count in result.all()}


async def add_message(session: AsyncSession, message: Message) -> Message:
    return await add_row(session, message)


# --- change requests ------------------------------------------------------------------------------


async def add_change_request(session: AsyncSession, request: BookingChangeRequest) -> BookingChangeRequest:
    return await add_row(session, request)


def _owner_requests(owner_id: int, status: str | None, booking_id: int | None) -> SelectOfScalar[BookingChangeRequest]:
    stmt = select(BookingChangeRequest).where(BookingChangeRequest.owner_id == owner_id)
    if status:
        stmt = stmt.where(BookingChangeRequest.status == status)
    if booking_id is not None:
        stmt = stmt.where(BookingChangeRequest.booking_id == booking_id)
    return stmt


async def change_requests_for_owner(
    session: AsyncSession,
    owner_id: int,
    *,
    status: str | None = None,
    booking_id: int | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[BookingChangeRequest]:
    """The owner's change requests, newest first; `offset`/`limit` take a window of that order."""
    stmt = _owner_requests(owner_id, status, booking_id).order_by(
        col(BookingChangeRequest.created_at).desc(), col(BookingChangeRequest.id).desc()
    )
    if offset:
        stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return await _all(session, stmt)


async def count_change_requests(session: AsyncSession, owner_id: int, *, status: str | None = None) -> int:
    filtered = _owner_requests(owner_id, status, None).subquery()
    return int((await session.exec(select(func.count()).select_from(filtered))).one())


async def owner_change_requests_by_ids(
    session: AsyncSession, owner_id: int, ids: Iterable[int]
) -> dict[int, BookingChangeRequest]:
    keys = list(set(ids))
    if not keys:
        return {}
    stmt = select(BookingChangeRequest).where(
        col(BookingChangeRequest.id).in_(keys), BookingChangeRequest.owner_id == owner_id
    )
    return {row.id: row for row in await _all(session, stmt) if row.id is not None}


async def change_requests_for_bookings(session: AsyncSession, booking_ids: Iterable[int]) -> list[BookingChangeRequest]:
    keys = list(set(booking_ids))
    if not keys:
        return []
    stmt = (
        select(BookingChangeRequest)
        .where(col(BookingChangeRequest.booking_id).in_(keys))
        .order_by(col(BookingChangeRequest.created_at).desc(), col(BookingChangeRequest.id).desc())
    )
    return await _all(session, stmt)


async def get_change_request(
    session: AsyncSession, request_id: int, *, for_update: bool = False
) -> BookingChangeRequest | None:
    stmt = select(BookingChangeRequest).where(BookingChangeRequest.id == request_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await _first(session, stmt)


async def pending_change_request(
    session: AsyncSession, booking_id: int, request_type: str
) -> BookingChangeRequest | None:
    stmt = select(BookingChangeRequest).where(
        BookingChangeRequest.booking_id == booking_id,
        BookingChangeRequest.request_type == request_type,
        BookingChangeRequest.status == "pending",
    )
    return await _first(session, stmt)


# --- ratings --------------------------------------------------------------------------------------


def _rated(owner_id: int) -> SelectOfScalar[Booking]:
    return select(Booking).where(Booking.owner_id == owner_id, col(Booking.service_rating).is_not(None))


async def rated_bookings(
    session: AsyncSession, owner_id: int, *, offset: int = 0, limit: int | None = None
) -> list[Booking]:
    """The owner's rated lines, newest rating first; `offset`/`limit` take a window of that order."""
    stmt = _rated(owner_id).order_by(col(Booking.rated_at).desc().nulls_last(), col(Booking.id).desc())
    if offset:
        stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return await _all(session, stmt)


async def count_rated_bookings(session: AsyncSession, owner_id: int) -> int:
    return int((await session.exec(select(func.count()).select_from(_rated(owner_id).subquery()))).one())


async def owner_rated_bookings_by_ids(session: AsyncSession, owner_id: int, ids: Iterable[int]) -> list[Booking]:
    keys = list(set(ids))
    if not keys:
        return []
    return await _all(session, _rated(owner_id).where(col(Booking.id).in_(keys)))


async def recompute_workshop_rating(session: AsyncSession, org_nr: str, now: datetime) -> tuple[float, int]:
    """The workshop's average rating and review count, recomputed from its rated bookings."""
    stmt = select(func.avg(Booking.service_rating), func.count(col(Booking.service_rating))).where(
        Booking.workshop_org_nr == org_nr, col(Booking.service_rating).is_not(None)
    )
    result = await session.exec(stmt)
    average, count = result.one()
    average_value = round(float(average), 2) if average is not None else 0.0
    await session.exec(
        update(Workshop)
        .where(col(Workshop.org_nr) == org_nr)
        .values(average_rating=average_value, total_reviews=int(count), updated_at=now)
    )
    return average_value, int(count)


# --- idempotency ----------------------------------------------------------------------------------


async def claim_idempotency_key(
    session: AsyncSession, *, owner_id: int, scope: str, key: str, request_hash: str
) -> IdempotencyRecord | None:
    """Insert the key's record, or return None when it already exists (a concurrent first request is
    waited for: the insert blocks on the unique index until that transaction ends)."""
    stmt = (
        insert(IdempotencyRecord)
        .values(owner_id=owner_id, scope=scope, key=key, request_hash=request_hash, status_code=0, response={})
        .on_conflict_do_nothing(constraint="uq_idempotency_key")
        .returning(col(IdempotencyRecord.id))
    )
    result = await session.exec(stmt)
    new_id = result.scalar()
    if new_id is None:
        return None
    return await session.get(IdempotencyRecord, new_id)


async def find_idempotency_record(
    session: AsyncSession, *, owner_id: int, scope: str, key: str
) -> IdempotencyRecord | None:
    stmt = select(IdempotencyRecord).where(
        IdempotencyRecord.owner_id == owner_id, IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
    )
    return await _first(session, stmt)


async def workshop_lines(
    session: AsyncSession, org_nr: str | None, *, status: str | None = None, limit: int = 200
) -> list[Booking]:
    stmt = select(Booking)
    if org_nr:
        stmt = stmt.where(Booking.workshop_org_nr == org_nr)
    if status:
        stmt = stmt.where(Booking.status == status)
    return await _all(session, stmt.order_by(col(Booking.service_start_time), col(Booking.id)).limit(limit))


async def vehicles_by_plate(session: AsyncSession, plates: Iterable[str]) -> dict[str, Vehicle]:
    return await _rows_by(session, Vehicle, "registration_number", plates)
