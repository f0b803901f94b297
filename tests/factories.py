"""Rows for tests, written straight to the database (what a workshop or the seed would have created)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from app.values import org_nr_check_digit, plate_text, utc_now
from db.models import (
    Booking,
    CarBrand,
    OwnerVehicle,
    Service,
    ServiceCategory,
    ServiceCategoryLink,
    Vehicle,
    Workshop,
    WorkshopAddress,
    WorkshopCategory,
    WorkshopCategoryLink,
    WorkshopOpeningHour,
)

_serial = itertools.count(1)


class _Stored(Protocol):
    id: int | None


def stored_id(row: _Stored) -> int:
    """The id of a row the session has flushed."""
    assert row.id is not None
    return row.id


def org_number(seed: int) -> str:
    """A valid 9-digit Norwegian organisation number (MOD11) derived from `seed`."""
    base = 910_000_000 // 10 + seed * 7
    while True:
        first_eight = f"{base:08d}"[-8:]
        check = org_nr_check_digit(first_eight)
        if check is not None:
            return first_eight + str(check)
        base += 1


async def make_workshop_category(session: AsyncSession, name: str = "Verksted", **fields: Any) -> WorkshopCategory:
    n = next(_serial)
    category = WorkshopCategory(name=name, slug=fields.pop("slug", f"{name.lower()}-{n}"), **fields)
    session.add(category)
    await session.flush()
    return category


async def make_service_category(
    session: AsyncSession,
    name: str = "Service",
    *,
    parent: ServiceCategory | None = None,
    workshop_category: WorkshopCategory | None = None,
    **fields: Any,
) -> ServiceCategory:
    n = next(_serial)
    category = ServiceCategory(
        name=name,
        slug=fields.pop("slug", f"{name.lower().replace(' ', '-')}-{n}"),
        parent_id=parent.id if parent else None,
        level=(parent.level + 1) if parent else 1,
        workshop_category_id=workshop_category.id if workshop_category else None,
        **fields,
    )
    session.add(category)
    await session.flush()
    return category


async def make_workshop(
    session: AsyncSession,
    *,
    name: str | None = None,
    org_nr: str | None = None,
    city: str = "Oslo",
    county: str = "Oslo",
    postal_code: str = "0150",
    latitude: float = 59.9139,
    longitude: float = 10.7522,
    categories: Sequence[WorkshopCategory] = (),
    hours: dict[int, tuple[time, time] | None] | None = None,
    **fields: Any,
) -> Workshop:
    n = next(_serial)
    workshop = Workshop(org_nr=org_nr or org_number(n), name=name or f"Verksted {n}", **fields)
    session.add(workshop)
    await session.flush()
    session.add(
        WorkshopAddress(
            org_nr=workshop.org_nr,
            address=f"Storgata {n}",
            postal_code=postal_code,
            city=city,
            county=county,
            latitude=latitude,
            longitude=longitude,
        )
    )
    for category in categories:
        session.add(WorkshopCategoryLink(org_nr=workshop.org_nr, workshop_category_id=stored_id(category)))
    week = hours if hours is not None else {d: (time(8), time(16)) for d in range(5)}
    for day in range(7):
        slot = week.get(day)
        session.add(
            WorkshopOpeningHour(
                org_nr=workshop.org_nr,
                weekday=day,
                opens_at=slot[0] if slot else None,
                closes_at=slot[1] if slot else None,
                is_closed=slot is None,
            )
        )
    await session.flush()
    return workshop


async def make_service(
    session: AsyncSession,
    workshop: Workshop,
    *,
    title: str = "EU-kontroll",
    price: str | float = "990",
    estimated_time: float = 1.0,
    categories: Sequence[ServiceCategory] = (),
    **fields: Any,
) -> Service:
    service = Service(
        org_nr=workshop.org_nr, title=title, price=Decimal(str(price)), estimated_time=estimated_time, **fields
    )
    session.add(service)
    await session.flush()
    for category in categories:
        session.add(ServiceCategoryLink(service_id=stored_id(service), service_category_id=stored_id(category)))
    await session.flush()
    return service


async def make_vehicle(
    session: AsyncSession,
    owner_id: int | None = None,
    *,
    registration_number: str | None = None,
    is_primary: bool = True,
    **fields: Any,
) -> Vehicle:
    n = next(_serial)
    vehicle = Vehicle(
        registration_number=plate_text(registration_number or f"EK{10000 + n}"),
        brand=fields.pop("brand", "Volvo"),
        model=fields.pop("model", "V60"),
        source=fields.pop("source", "offline"),
        **fields,
    )
    session.add(vehicle)
    await session.flush()
    if owner_id is not None:
        session.add(OwnerVehicle(owner_id=owner_id, vehicle_id=stored_id(vehicle), is_primary=is_primary))
        await session.flush()
    return vehicle


async def make_booking(
    session: AsyncSession,
    *,
    owner_id: int,
    workshop: Workshop,
    service: Service,
    status: str = "REQUESTED",
    start: datetime | None = None,
    group_id: str | None = None,
    registration_number: str | None = None,
    vehicle: Vehicle | None = None,
    **fields: Any,
) -> Booking:
    start = start or utc_now() + timedelta(days=3)
    booking = Booking(
        group_id=group_id or str(uuid.uuid4()),
        owner_id=owner_id,
        workshop_org_nr=workshop.org_nr,
        service_id=service.id,
        vehicle_id=vehicle.id if vehicle else None,
        registration_number=registration_number or (vehicle.registration_number if vehicle else None),
        service_title=service.title,
        service_description=service.description,
        service_price=service.price,
        service_estimated_hours=service.estimated_time,
        service_start_time=start,
        service_estimated_end_time=start + timedelta(hours=service.estimated_time),
        status=status,
        verify_booked=status in {"CONFIRMED", "IN_PROGRESS", "COMPLETED"},
        verify_service_done=status == "COMPLETED",
        **fields,
    )
    session.add(booking)
    await session.flush()
    return booking


async def make_car_brand(session: AsyncSession, name: str = "Volvo") -> CarBrand:
    brand = CarBrand(
        name=name, slug=name.lower().replace(" ", "-"), car_logo=f"https://cdn.minbil.no/brands/{name.lower()}.png"
    )
    session.add(brand)
    await session.flush()
    return brand
