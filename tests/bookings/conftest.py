"""Fixtures for the booking tests: a workshop with services and an owner with a car."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from app.services import Services
from db.models import Booking, Service, Vehicle, Workshop
from tests.conftest import SignedIn
from tests.factories import make_booking, make_service, make_vehicle, make_workshop

OSLO = ZoneInfo("Europe/Oslo")


@dataclass
class World:
    workshop: Workshop
    other_workshop: Workshop
    oil: Service
    brakes: Service
    foreign: Service
    car: Vehicle
    other_car: Vehicle


def future_local(days: int = 5, hour: int = 10) -> str:
    """`YYYY-MM-DD HH:MM` (Oslo) on a weekday `days` ahead or later, at `hour`."""
    day = datetime.now(OSLO).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return f"{day.isoformat()} {hour:02d}:00"


def oslo(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=OSLO).astimezone(UTC)


@pytest.fixture
async def world(services: Services, owner: SignedIn, other_owner: SignedIn) -> World:
    async with services.sessionmaker() as session:
        workshop = await make_workshop(
            session, name="Bilservice Oslo", hours={d: (time(8), time(16)) for d in range(5)}
        )
        other = await make_workshop(session, name="Annet Verksted")
        oil = await make_service(
            session, workshop, title="Oljeskift", price="1490", estimated_time=1.0, description="Olje og filter"
        )
        brakes = await make_service(session, workshop, title="Bremser", price="2500.50", estimated_time=2.0)
        foreign = await make_service(session, other, title="EU-kontroll", price="990")
        car = await make_vehicle(session, owner.owner_id, registration_number="BT57225")
        other_car = await make_vehicle(session, other_owner.owner_id, registration_number="EK39085")
        await session.commit()
        for row in (workshop, other, oil, brakes, foreign, car, other_car):
            await session.refresh(row)
        return World(workshop, other, oil, brakes, foreign, car, other_car)


async def book(
    client: httpx.AsyncClient,
    who: SignedIn,
    world: World,
    *,
    services: list[int] | None = None,
    start: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> httpx.Response:
    body: dict[str, Any] = {
        "org_nr": world.workshop.org_nr,
        "service_start_time": start or future_local(),
        "registration_number": "BT57225",
        **extra,
    }
    if services is not None:
        body["services"] = [{"service_id": s} for s in services]
    elif "service_id" not in body:
        body["service_id"] = world.oil.id
    return await client.post("/api/co/bookings", json=body, headers={**who.headers, **(headers or {})})


async def stored_booking(
    services: Services,
    *,
    owner_id: int,
    world: World,
    status: str = "REQUESTED",
    start: datetime | None = None,
    vehicle: Vehicle | None = None,
    **fields: Any,
) -> Booking:
    """A booking row written straight to the database (a state reached earlier)."""
    async with services.sessionmaker() as session:
        row = await make_booking(
            session,
            owner_id=owner_id,
            workshop=world.workshop,
            service=world.oil,
            status=status,
            start=start,
            vehicle=vehicle,
            **fields,
        )
        await session.commit()
        await session.refresh(row)
        return row


async def workshop(services: Services, *argv: str) -> Any:
    """Run `minbil workshop <argv>` in-process against the app's database."""
    from app.cli import build_parser
    from app.commands.workshop import action_for, run_action

    args = build_parser().parse_args(["workshop", *argv])
    return await run_action(action_for(args), services)
