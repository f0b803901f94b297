"""A small catalogue around Oslo (plus Bergen) for the marketplace tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

import pytest

from app.services import Services
from db.models import ServiceCategory, Workshop, WorkshopCategory
from tests import factories as f

WEEKDAYS_8_16: dict[int, tuple[time, time] | None] = {d: (time(8), time(16)) for d in range(5)}


@dataclass
class Catalogue:
    repair: WorkshopCategory
    tyres: WorkshopCategory
    paint: WorkshopCategory
    service_root: ServiceCategory
    oil: ServiceCategory
    eu: ServiceCategory
    tyre_change: ServiceCategory
    oslo: Workshop
    lokka: Workshop
    baerum: Workshop
    drammen: Workshop
    bergen: Workshop
    closed: Workshop

    @property
    def active(self) -> list[Workshop]:
        return [self.oslo, self.lokka, self.baerum, self.drammen, self.bergen]


async def build_catalogue(session: Any) -> Catalogue:
    repair = await f.make_workshop_category(session, "Bilverksted", sort_order=1)
    tyres = await f.make_workshop_category(session, "Dekk", sort_order=2)
    paint = await f.make_workshop_category(session, "Lakk", sort_order=3)
    service_root = await f.make_service_category(session, "Service", workshop_category=repair)
    oil = await f.make_service_category(session, "Oljeskift", parent=service_root, workshop_category=repair)
    eu = await f.make_service_category(session, "EU-kontroll", workshop_category=repair)
    tyre_change = await f.make_service_category(session, "Dekkskift", workshop_category=tyres)

    oslo = await f.make_workshop(
        session,
        name="Oslo Bilservice",
        description="Service og reparasjon av alle bilmerker",
        city="Oslo",
        county="Oslo",
        postal_code="0150",
        latitude=59.9139,
        longitude=10.7522,
        categories=[repair],
        hours=WEEKDAYS_8_16,
        average_rating=4.6,
        total_reviews=12,
    )
    await f.make_service(session, oslo, title="EU-kontroll", price="990", categories=[eu])
    await f.make_service(session, oslo, title="Oljeskift", price="1490", categories=[oil], supports_walk_in=True)

    lokka = await f.make_workshop(
        session,
        name="Grünerløkka Dekk og Felg",
        description="Dekkhotell og dekkskift",
        city="Oslo",
        county="Oslo",
        postal_code="0552",
        latitude=59.9226,
        longitude=10.7590,
        categories=[tyres],
        hours={d: (time(7), time(20)) for d in range(6)},
        average_rating=3.8,
        total_reviews=5,
    )
    await f.make_service(session, lokka, title="Dekkskift", price="599", categories=[tyre_change])

    baerum = await f.make_workshop(
        session,
        name="Bærum Lakk & Karosseri",
        description="Lakkering og karosseriarbeid",
        city="Bærum",
        county="Akershus",
        postal_code="1337",
        latitude=59.8891,
        longitude=10.5236,
        categories=[paint],
        hours={},
        average_rating=2.5,
        total_reviews=2,
    )
    await f.make_service(session, baerum, title="Lakkering", price="4500")

    drammen = await f.make_workshop(
        session,
        name="Drammen Bilsenter",
        description="EU-kontroll og dekk",
        city="Drammen",
        county="Buskerud",
        postal_code="3015",
        latitude=59.7439,
        longitude=10.2045,
        categories=[repair, tyres],
        hours=WEEKDAYS_8_16,
        average_rating=4.1,
        total_reviews=30,
    )
    await f.make_service(session, drammen, title="EU-kontroll", price="1100", categories=[eu])
    await f.make_service(session, drammen, title="Dekkskift", price="700", categories=[tyre_change])

    bergen = await f.make_workshop(
        session,
        name="Bergen Motor",
        description="Verksted i Bergen sentrum",
        city="Bergen",
        county="Vestland",
        postal_code="5003",
        latitude=60.3913,
        longitude=5.3221,
        categories=[repair],
        hours=WEEKDAYS_8_16,
    )
    await f.make_service(session, bergen, title="Stor service", price="2500", categories=[service_root])

    closed = await f.make_workshop(session, name="Stengt Verksted", city="Oslo", county="Oslo", is_active=False)
    await f.make_service(session, closed, title="EU-kontroll", price="100", categories=[eu])
    await session.commit()
    return Catalogue(
        repair, tyres, paint, service_root, oil, eu, tyre_change, oslo, lokka, baerum, drammen, bergen, closed
    )


@pytest.fixture
async def catalogue(services: Services) -> Catalogue:
    async with services.sessionmaker() as session:
        return await build_catalogue(session)


def at_oslo_time(services: Services, year: int, month: int, day: int, hour: int, minute: int = 0) -> None:
    """Fix the marketplace clock at a Europe/Oslo wall-clock time."""
    from zoneinfo import ZoneInfo

    moment = datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Europe/Oslo")).astimezone(UTC)
    services.marketplace_cache.clock = lambda: moment
