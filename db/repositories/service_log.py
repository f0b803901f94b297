"""SQL for the service log: the owner's completed bookings, filtered, paged and aggregated."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Booking, Message, OwnerVehicle, Vehicle
from db.repositories._core import run

_Select = TypeVar("_Select", bound=sqlalchemy.Select[*tuple[Any, ...]])


def _filtered(
    stmt: _Select,
    owner_id: int,
    *,
    registration_number: str | None,
    workshop_org_nr: str | None,
    date_from: datetime | None,
    date_to: datetime | None,
) -> _Select:
    completed_at = func.coalesce(Booking.service_actual_end_time, Booking.service_start_time)
    stmt = stmt.where(col(Booking.owner_id) == owner_id, col(Booking.status) == "COMPLETED")
    if registration_number:
        stmt = stmt.where(col(Booking.registration_number) == registration_number)
    if workshop_org_nr:
        stmt = stmt.where(col(Booking.workshop_org_nr) == workshop_org_nr)
    if date_from is not None:
        stmt = stmt.where(completed_at >= date_from)
    if date_to is not None:
        stmt = stmt.where(completed_at <= date_to)
    return stmt


async def completed(
    session: AsyncSession, owner_id: int, *, offset: int = 0, limit: int | None = None, **filters: Any
) -> list[Booking]:
    completed_at = func.coalesce(Booking.service_actual_end_time, Booking.service_start_time)
    stmt = _filtered(select(Booking), owner_id, **filters).order_by(completed_at.desc(), col(Booking.id).desc())
    if offset:
        stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list((await session.exec(stmt)).all())


async def summary(
    session: AsyncSession, owner_id: int, **filters: Any
) -> tuple[int, float | None, float, datetime | None, int]:
    """(count, average rating, total spent, last service time, distinct workshops)."""
    completed_at = func.coalesce(Booking.service_actual_end_time, Booking.service_start_time)
    # five columns: past the four that SQLModel's `select` types
    stmt = _filtered(
        sqlalchemy.select(
            func.count(col(Booking.id)),
            func.avg(Booking.service_rating),
            func.coalesce(func.sum(Booking.service_price), 0),
            func.max(completed_at),
            func.count(func.distinct(Booking.workshop_org_nr)),
        ),
        owner_id,
        **filters,
    )
    count, average, total, last, workshops = (await run(session, stmt)).one()
    return int(count), (float(average) if average is not None else None), float(total), last, int(workshops)


async def owned_plates(session: AsyncSession, owner_id: int) -> set[str]:
    stmt = (
        select(Vehicle.registration_number)
        .join(OwnerVehicle, col(OwnerVehicle.vehicle_id) == Vehicle.id)
        .where(OwnerVehicle.owner_id == owner_id)
    )
    return set((await session.exec(stmt)).all())


async def messages_of_booking(session: AsyncSession, booking_id: int) -> list[Message]:
    stmt = select(Message).where(Message.booking_id == booking_id).order_by(col(Message.created_at), col(Message.id))
    return list((await session.exec(stmt)).all())
