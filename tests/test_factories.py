"""The shared test factories write rows the schema accepts."""

from __future__ import annotations

from stdnum.no import orgnr

from tests.conftest import SignedIn
from tests.factories import make_booking, make_service, make_vehicle, make_workshop, org_number


def test_org_numbers_are_valid_mod11() -> None:
    numbers = {org_number(seed) for seed in range(200)}
    assert len(numbers) == 200
    assert all(orgnr.is_valid(n) for n in numbers)


async def test_factories_build_a_booking(db_session, owner: SignedIn) -> None:  # type: ignore[no-untyped-def]
    workshop = await make_workshop(db_session)
    service = await make_service(db_session, workshop, price="1290.50")
    vehicle = await make_vehicle(db_session, owner.owner_id)
    booking = await make_booking(db_session, owner_id=owner.owner_id, workshop=workshop, service=service, vehicle=vehicle)
    await db_session.commit()
    assert booking.id is not None
    assert str(booking.service_price) == "1290.50"
    assert booking.registration_number == vehicle.registration_number
