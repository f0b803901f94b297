"""`Query.notification(id)` answers only the caller's notification, and the e-mail channel of the notification
settings decides whether a notification also writes a mail to the outbox."""

from __future__ import annotations

from typing import Any

import httpx
from sqlmodel import col, select

from app.services import Services
from db.models import Booking, EmailOutbox
from graphql_api.node import global_id
from tests.conftest import SignedIn
from tests.factories import stored_id
from tests.messages.conftest import workshop_says
from tests.messages.test_notifications_rest import note


def gid(type_name: str, key: Any) -> str:
    return str(global_id(type_name, key))


ONE = "query($id: ID!) { notification(id: $id) { id databaseId type title body bookingIds isRead } }"


async def _gql(client: httpx.AsyncClient, who: SignedIn, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_notification_by_id_is_the_callers_only(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, other_owner: SignedIn
) -> None:
    mine = await note(services, owner.owner_id, "booking.declined", booking_id=7)
    theirs = await note(services, other_owner.owner_id, "booking.accepted", booking_id=8)

    got = await _gql(client, owner, ONE, id=gid("Notification", mine))
    hidden = await _gql(client, owner, ONE, id=gid("Notification", theirs))
    missing = await _gql(client, owner, ONE, id=gid("Notification", 99999999))

    assert got == {
        "data": {
            "notification": {
                "id": gid("Notification", mine),
                "databaseId": mine,
                "type": "BOOKING_DECLINED",
                "title": "Varsel booking.declined",
                "body": "Tekst",
                "bookingIds": [gid("Booking", 7)],
                "isRead": False,
            }
        }
    }
    for body in (hidden, missing):  # the same answer: another's id reveals nothing
        assert body == {"data": {"notification": None}}, body
    theirs_seen = await _gql(client, other_owner, ONE, id=gid("Notification", theirs))
    assert theirs_seen["data"]["notification"]["databaseId"] == theirs


async def _outbox(services: Services, address: str) -> list[EmailOutbox]:
    async with services.sessionmaker() as session:
        stmt = select(EmailOutbox).where(col(EmailOutbox.to_address) == address).order_by(col(EmailOutbox.id))
        return list((await session.exec(stmt)).all())


async def test_email_enabled_writes_a_mail_and_disabled_writes_none(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    on = await client.put(
        "/api/co/settings/notifications", headers=owner.headers, json={"message.new": {"email": True}}
    )
    assert on.status_code == 200
    await workshop_says(services, stored_id(booking), "Bilen er klar til henting")

    mails = await _outbox(services, owner.email)
    assert [m.template for m in mails] == ["message.new"]
    first = (await client.get("/api/co/notifications", headers=owner.headers)).json()["data"][0]
    assert (mails[0].subject, mails[0].body) == (first["title"], first["body"])  # the mail is that notification

    off = await client.put(
        "/api/co/settings/notifications", headers=owner.headers, json={"message.new": {"email": False}}
    )
    assert off.status_code == 200
    await workshop_says(services, stored_id(booking), "En melding til")

    assert len(await _outbox(services, owner.email)) == 1
    listed = (await client.get("/api/co/notifications", headers=owner.headers)).json()
    assert [n["type"] for n in listed["data"]] == ["message.new", "message.new"]  # the in-app list has both
