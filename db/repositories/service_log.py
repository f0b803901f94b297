"""SQL for the service log: the owner's completed bookings, filtered, paged and aggregated."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Booking, Message, OwnerVehicle, Vehicle


def _filtered(
    stmt: Any,
    owner_id: int,
    *,
    registration_number: str | None,
    workshop_org_nr: str | None,
    date_from: datetime | None,
    date_to: datetime | None,
) -> Any:
    completed_at = func.coalesce(Booking.service_actual_end_time, Booking.service_start_time)
    stmt = stmt.where(Booking.owner_id == owner_id, Booking.status == "COMPLETED")
    if registration_number:
        stmt = stmt.where(Booking.registration_number == registration_number)
    if workshop_org_nr:
        stmt = stmt.where(Booking.workshop_org_nr == workshop_org_nr)
    if date_from is not None:
        stmt = stmt.where(completed_at >= date_from)
    if date_to is not None:
        stmt = stmt.where(completed_at <= date_to)
    return stmt


async def completed(
    session: AsyncSession, owner_id: int, *, offset: int = 0, limit: int | None = None, **filters: Any
) -> list[Booking]:
    completed_at = func.coalesce(Booking.service_actual_end_time, Booking.service_start_time)
    stmt = _filtered(select(Booking), owner_id, **filters).order_by(completed_at.desc(), Booking.id.desc())  # type: ignore[union-attr]
    if offset:
        stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    result = await session.exec(stmt)  # type: ignore[call-overload]
    return list(result.scalars().all())


async def summary(
    session: AsyncSession, owner_id: int, **filters: Any
) -> tuple[int, float | None, float, datetime | None, int]:
    """(count, average rating, total spent, last service time, distinct workshops)."""
    completed_at = func.coalesce(Booking.service_actual_end_time, Booking.service_start_time)
    stmt = _filtered(
        select(
            func.count(Booking.id),
            func.avg(Booking.service_rating),  # type: ignore[arg-type]
            func.coalesce(func.sum(Booking.service_price), 0),
            func.max(completed_at),
            func.count(func.distinct(Booking.workshop_org_nr)),
        ),
        owner_id,
        **filters,
    )
    result = await session.exec(stmt)  # type: ignore[call-overload]
    count, average, total, last, workshops = result.one()
    return int(count), (float(average) if average is not None else None), float(total), last, int(workshops)


async def owned_plates(session: AsyncSession, owner_id: int) -> set[str]:
    stmt = (
        select(Vehicle.registration_number)
        .join(OwnerVehicle, OwnerVehicle.vehicle_id == Vehicle.id)  # type: ignore[arg-type]
        .where(OwnerVehicle.owner_id == owner_id)
    )
    result = await session.exec(stmt)  # type: ignore[call-overload]
    return set(result.scalars().all())


async def messages_of_booking(session: AsyncSession, booking_id: int) -> list[Message]:
    stmt = select(Message).where(Message.booking_id == booking_id).order_by(Message.created_at, Message.id)
    result = await session.exec(stmt)  # type: ignore[call-overload]
    return list(result.scalars().all())
