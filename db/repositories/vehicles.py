"""SQL for vehicles and the owner-vehicle links."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import OwnerVehicle, Vehicle
from db.repositories._core import add_row

Link = tuple[OwnerVehicle, Vehicle]

REGISTRY_COLUMNS = (
    "vin",
    "brand",
    "model",
    "color",
    "fuel_type",
    "vehicle_class",
    "first_registration",
    "model_year",
    "registration_status",
    "next_eu_control",
    "last_eu_control",
    "weights",
    "source",
    "raw",
    "fetched_at",
)


async def get_vehicle(session: AsyncSession, registration_number: str) -> Vehicle | None:
    return (await session.exec(select(Vehicle).where(Vehicle.registration_number == registration_number))).first()


async def upsert_vehicle(
    session: AsyncSession, registration_number: str, values: dict[str, Any], now: datetime
) -> Vehicle:
    """Insert the vehicle or overwrite its registry fields; returns the current row."""
    row = {
        "registration_number": registration_number,
        **{k: values[k] for k in REGISTRY_COLUMNS if k in values},
        "updated_at": now,
    }
    stmt = insert(Vehicle).values(**row)
    upsert = stmt.on_conflict_do_update(
        index_elements=["registration_number"],
        set_={k: stmt.excluded[k] for k in row if k != "registration_number"},
    ).returning(col(Vehicle.id))
    vehicle_id = (await session.exec(upsert)).scalar_one()
    vehicle = await session.get(Vehicle, vehicle_id, populate_existing=True)
    assert vehicle is not None
    return vehicle


async def get_link(session: AsyncSession, owner_id: int, registration_number: str) -> Link | None:
    stmt = (
        select(OwnerVehicle, Vehicle)
        .join(Vehicle, col(Vehicle.id) == OwnerVehicle.vehicle_id)
        .where(OwnerVehicle.owner_id == owner_id, Vehicle.registration_number == registration_number)
    )
    row = (await session.exec(stmt)).first()
    return (row[0], row[1]) if row else None


async def links_of_owners(session: AsyncSession, owner_ids: Sequence[int]) -> list[Link]:
    """Every link of these owners, primary first, then in the order they were added (one statement)."""
    if not owner_ids:
        return []
    stmt = (
        select(OwnerVehicle, Vehicle)
        .join(Vehicle, col(Vehicle.id) == OwnerVehicle.vehicle_id)
        .where(col(OwnerVehicle.owner_id).in_(list(owner_ids)))
        .order_by(
            col(OwnerVehicle.owner_id),
            col(OwnerVehicle.is_primary).desc(),
            col(OwnerVehicle.created_at),
            col(OwnerVehicle.id),
        )
    )
    return [(row[0], row[1]) for row in (await session.exec(stmt)).all()]


async def count_links(session: AsyncSession, owner_id: int) -> int:
    stmt = select(func.count()).select_from(OwnerVehicle).where(OwnerVehicle.owner_id == owner_id)
    return int((await session.exec(stmt)).one())


async def add_link(session: AsyncSession, link: OwnerVehicle) -> OwnerVehicle:
    return await add_row(session, link)


async def clear_primary(session: AsyncSession, owner_id: int) -> None:
    stmt = (
        update(OwnerVehicle)
        .where(col(OwnerVehicle.owner_id) == owner_id, col(OwnerVehicle.is_primary).is_(True))
        .values(is_primary=False)
    )
    await session.exec(stmt)


async def promote_latest(session: AsyncSession, owner_id: int, now: datetime) -> OwnerVehicle | None:
    """Make the most recently updated remaining link the primary one."""
    stmt = (
        select(OwnerVehicle)
        .where(OwnerVehicle.owner_id == owner_id)
        .order_by(col(OwnerVehicle.updated_at).desc(), col(OwnerVehicle.id).desc())
        .limit(1)
    )
    link = (await session.exec(stmt)).first()
    if link is not None:
        link.is_primary = True
        session.add(link)
        await session.flush()
    return link


async def delete_link(session: AsyncSession, link: OwnerVehicle) -> None:
    await session.delete(link)
    await session.flush()


async def links_by_vehicle_ids(session: AsyncSession, owner_id: int, vehicle_ids: Sequence[int]) -> list[Link]:
    """The owner's links to these vehicles (one statement); vehicles not linked to the owner are absent."""
    if not vehicle_ids:
        return []
    stmt = (
        select(OwnerVehicle, Vehicle)
        .join(Vehicle, col(Vehicle.id) == OwnerVehicle.vehicle_id)
        .where(OwnerVehicle.owner_id == owner_id, col(OwnerVehicle.vehicle_id).in_(list(vehicle_ids)))
    )
    return [(row[0], row[1]) for row in (await session.exec(stmt)).all()]
