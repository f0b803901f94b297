"""The workshop side of a thread, as `minbil workshop reply` produces it."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain.messages.service import send_workshop_message
from app.errors import NotFound, ValidationFailed
from app.services import Services
from db.models import Booking, Notification
from tests.conftest import SignedIn
from tests.factories import stored_id
from tests.messages.conftest import events_of, workshop_says


async def test_workshop_message_writes_row_events_and_notification(
    services: Services, owner: SignedIn, booking: Booking, db_session: Any
) -> None:
    item = await workshop_says(services, stored_id(booking), "Bilen er klar")
    assert item["sender_type"] == "workshop" and item["from"] == "workshop" and item["unread"] is True
    assert item["text"] == item["message"] == item["content"] == "Bilen er klar"
    created = await events_of(services, owner.owner_id, "message.created")
    assert [e.payload["id"] for e in created] == [item["id"]]
    counts = await events_of(services, owner.owner_id, "unread.changed")
    assert counts[-1].payload == {"messages": 1, "notifications": 1}
    notes = await events_of(services, owner.owner_id, "notification.created")
    assert notes[0].payload["type"] == "message.new"
    assert notes[0].payload["data"]["message_id"] == item["id"]
    notification = await db_session.get(Notification, notes[0].payload["id"])
    assert notification.owner_id == owner.owner_id


async def test_workshop_message_to_missing_booking_and_empty_text(services: Services, booking: Booking) -> None:
    with pytest.raises(NotFound):
        async with services.uow() as uow:
            await send_workshop_message(uow, 999_999, "Hei")
    with pytest.raises(ValidationFailed):
        async with services.uow() as uow:
            await send_workshop_message(uow, stored_id(booking), "   ")
