"""The shared test factories write rows the schema accepts."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession
from stdnum.no import orgnr

from db.repositories._core import run
from tests.conftest import SignedIn
from tests.factories import make_booking, make_service, make_vehicle, make_workshop, org_number


def test_org_numbers_are_valid_mod11() -> None:
    numbers = {org_number(seed) for seed in range(200)}
    assert len(numbers) == 200
    assert all(orgnr.is_valid(n) for n in numbers)


async def test_factories_build_a_booking(db_session: AsyncSession, owner: SignedIn) -> None:
    workshop = await make_workshop(db_session)
    service = await make_service(db_session, workshop, price="1290.50")
    vehicle = await make_vehicle(db_session, owner.owner_id)
    booking = await make_booking(
        db_session, owner_id=owner.owner_id, workshop=workshop, service=service, vehicle=vehicle
    )
    await db_session.commit()
    # read back what PostgreSQL stored, not the objects the factories hold
    row = (
        await run(
            db_session,
            text(
                "SELECT b.service_price::text, b.registration_number, b.workshop_org_nr, b.service_id, b.vehicle_id, b.status,"
                " v.registration_number, w.org_nr FROM bookings b JOIN vehicles v ON v.id = b.vehicle_id"
                " JOIN workshops w ON w.org_nr = b.workshop_org_nr WHERE b.id = :id"
            ).bindparams(id=booking.id),
        )
    ).one()
    price, plate, org_nr, service_id, vehicle_id, status, vehicle_plate, workshop_org = row
    assert price == "1290.50"
    assert plate == vehicle_plate and plate is not None
    assert org_nr == workshop_org and orgnr.is_valid(org_nr)
    assert (service_id, vehicle_id, status) == (service.id, vehicle.id, "REQUESTED")
