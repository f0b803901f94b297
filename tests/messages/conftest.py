"""Bookings with threads for the message and notification tests."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from app.domain.messages.service import send_workshop_message
from app.services import Services
from db.models import Booking, DomainEvent
from tests.conftest import SignedIn
from tests.factories import make_booking, make_service, make_workshop

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


async def booking_for(db_session: Any, owner: SignedIn, **fields: Any) -> Booking:
    workshop = await make_workshop(db_session, name=fields.pop("workshop_name", None))
    service = await make_service(db_session, workshop)
    booking = await make_booking(db_session, owner_id=owner.owner_id, workshop=workshop, service=service, **fields)
    await db_session.commit()
    return booking


@pytest.fixture
async def booking(db_session: Any, owner: SignedIn) -> Booking:
    return await booking_for(db_session, owner)


async def workshop_says(
    services: Services, booking_id: int, text: str, attachments: tuple[Any, ...] = ()
) -> dict[str, Any]:
    """A workshop reply, as `minbil workshop reply` writes it; the message item."""
    from app.domain.messages.results import message_item

    async with services.uow() as uow:
        result = await send_workshop_message(uow, booking_id, text, attachments)
    return message_item(result.message)


async def events_of(services: Services, owner_id: int, event_type: str | None = None) -> list[DomainEvent]:
    async with services.sessionmaker() as session:
        stmt = select(DomainEvent).where(col(DomainEvent.owner_id) == owner_id).order_by(col(DomainEvent.id))
        rows = list((await session.exec(stmt)).all())
    return [e for e in rows if event_type is None or e.event_type == event_type]
