"""The Notifications operations over REST, replayed with the reference's examples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.domain.notifications.publish import notify
from app.services import Services
from db.models import Booking, Notification
from tests.conftest import SignedIn
from tests.factories import stored_id
from tests.messages.conftest import booking_for, events_of, workshop_says
from tests.messages.test_messages_rest import LINK_FIELDS, PAGE_FIELDS, assert_structured

ITEM_FIELDS = {"id", "type", "title", "body", "data", "is_read", "created_at", "read_at"}


async def note(services: Services, owner_id: int, event: str = "booking.accepted", **data: Any) -> int:
    async with services.uow() as uow:
        n = await notify(uow, owner_id=owner_id, event=event, title=f"Varsel {event}", body="Tekst", data=data)
    assert n.id is not None
    return n.id


async def test_list_replays_reference_example(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, other_owner: SignedIn
) -> None:
    first = await note(services, owner.owner_id, "booking.requested", booking_id=1)
    second = await note(services, owner.owner_id, "booking.accepted", booking_id=1)
    await note(services, other_owner.owner_id)
    response = await client.get("/api/co/notifications", headers=owner.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"data", "meta", "links"}
    assert [n["id"] for n in body["data"]] == [second, first]  # newest first
    assert all(set(n) == ITEM_FIELDS for n in body["data"])
    assert body["data"][0]["type"] == "booking.accepted" and body["data"][0]["data"] == {"booking_id": 1}
    assert body["data"][0]["is_read"] is False and body["data"][0]["read_at"] is None
    assert set(body["meta"]) == PAGE_FIELDS | {"unread_total"}
    assert body["meta"]["unread_total"] == 2 and body["meta"]["total"] == 2
    assert set(body["links"]) == LINK_FIELDS
    assert body["links"]["self"] == "/api/co/notifications?status=unread&page=1&page_size=20"


async def test_list_status_type_since_and_paging(
    client: httpx.AsyncClient, services: Services, db_session: Any, owner: SignedIn
) -> None:
    old = await note(services, owner.owner_id, "booking.requested")
    read = await note(services, owner.owner_id, "booking.completed")
    msg = await note(services, owner.owner_id, "message.new")
    row = await db_session.get(Notification, old)
    row.created_at = datetime.now(UTC) - timedelta(days=3)
    await db_session.commit()
    await client.post(f"/api/co/notifications/{read}/mark-read", headers=owner.headers)

    unread = (await client.get("/api/co/notifications", headers=owner.headers)).json()
    assert {n["id"] for n in unread["data"]} == {old, msg}
    everything = (await client.get("/api/co/notifications", params={"status": "all"}, headers=owner.headers)).json()
    assert {n["id"] for n in everything["data"]} == {old, read, msg} and everything["meta"]["unread_total"] == 2
    booking_only = (
        await client.get("/api/co/notifications", params={"status": "all", "type": "booking"}, headers=owner.headers)
    ).json()
    assert {n["id"] for n in booking_only["data"]} == {old, read}
    csv = (
        await client.get(
            "/api/co/notifications",
            params={"status": "all", "type": "message.new,booking.requested"},
            headers=owner.headers,
        )
    ).json()
    assert {n["id"] for n in csv["data"]} == {old, msg}
    since = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    recent = (
        await client.get("/api/co/notifications", params={"status": "all", "since": since}, headers=owner.headers)
    ).json()
    assert {n["id"] for n in recent["data"]} == {read, msg}
    page = (
        await client.get(
            "/api/co/notifications", params={"status": "all", "page": 2, "page_size": 2}, headers=owner.headers
        )
    ).json()
    assert [n["id"] for n in page["data"]] == [old]
    assert page["meta"]["has_prev"] is True and page["meta"]["total_pages"] == 2
    assert page["links"]["prev"] == "/api/co/notifications?status=all&page=1&page_size=2"


@pytest.mark.parametrize("params", [{"status": "seen"}, {"since": "yesterday"}, {"page": 0}, {"page_size": 101}])
async def test_list_rejects_bad_filters(client: httpx.AsyncClient, owner: SignedIn, params: dict[str, Any]) -> None:
    error = assert_structured(
        await client.get("/api/co/notifications", params=params, headers=owner.headers), 400, "VALIDATION_ERROR"
    )
    assert error["fields"]


async def test_mark_read_replays_reference_example_and_marks_linked_messages(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, other_owner: SignedIn, booking: Booking
) -> None:
    first = await workshop_says(services, stored_id(booking), "Vi har en ledig time")
    second = await workshop_says(services, stored_id(booking), "Passer torsdag?")
    notes = (await client.get("/api/co/notifications", headers=owner.headers)).json()["data"]
    by_message = {n["data"]["message_id"]: n["id"] for n in notes}
    theirs = await note(services, other_owner.owner_id)
    response = await client.post(
        "/api/co/notifications/mark-read", headers=owner.headers, json={"ids": [by_message[first["id"]], theirs]}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"updated": 1, "messages_marked": 1}
    thread = (await client.get(f"/api/co/messages/{booking.id}", headers=owner.headers)).json()
    assert [m["is_read"] for m in thread["data"]] == [True, False]
    assert thread["meta"]["unread_count"] == 1
    again = await client.post(
        "/api/co/notifications/mark-read", headers=owner.headers, json={"ids": [by_message[first["id"]]]}
    )
    assert again.json() == {"updated": 0, "messages_marked": 0}
    last = await client.post(
        "/api/co/notifications/mark-read", headers=owner.headers, json={"ids": [by_message[second["id"]]]}
    )
    assert last.json() == {"updated": 1, "messages_marked": 1}
    changed = await events_of(services, owner.owner_id, "unread.changed")
    assert changed[-1].payload == {"messages": 0, "notifications": 0}
    still = (await client.get("/api/co/notifications/unread-count", headers=other_owner.headers)).json()
    assert still["data"] == {"unread_count": 1}


async def test_mark_read_rejects_bad_bodies(client: httpx.AsyncClient, owner: SignedIn) -> None:
    for body in ({}, {"ids": "1"}, {"ids": [0]}, {"ids": ["x"]}, {"ids": [True]}):
        response = await client.post("/api/co/notifications/mark-read", headers=owner.headers, json=body)
        error = assert_structured(response, 400, "VALIDATION_ERROR")
        assert error["fields"], body
    empty = await client.post("/api/co/notifications/mark-read", headers=owner.headers, json={"ids": []})
    assert empty.json() == {"updated": 0, "messages_marked": 0}


async def test_read_all_and_unread_count(
    client: httpx.AsyncClient, services: Services, db_session: Any, owner: SignedIn, other_owner: SignedIn
) -> None:
    booking = await booking_for(db_session, owner)
    await workshop_says(services, stored_id(booking), "Hei")
    await note(services, owner.owner_id)
    await note(services, other_owner.owner_id)
    count = await client.get("/api/co/notifications/unread-count", headers=owner.headers)
    assert count.status_code == 200
    body = count.json()
    assert body["data"] == {"unread_count": 2} and set(body["meta"]) == {"request_id", "generated_at"}
    response = await client.post("/api/co/notifications/read-all", headers=owner.headers)
    assert response.status_code == 200 and response.json() == {"updated": 2, "messages_marked": 1}
    assert (await client.get("/api/co/notifications/unread-count", headers=owner.headers)).json()["data"][
        "unread_count"
    ] == 0
    assert (await client.get("/api/co/notifications/unread-count", headers=other_owner.headers)).json()["data"][
        "unread_count"
    ] == 1
    again = await client.post("/api/co/notifications/read-all", headers=owner.headers)
    assert again.json() == {"updated": 0, "messages_marked": 0}


async def test_get_and_mark_one_with_ownership(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, other_owner: SignedIn
) -> None:
    mine = await note(services, owner.owner_id, "booking.declined", booking_id=7)
    theirs = await note(services, other_owner.owner_id)
    got = await client.get(f"/api/co/notifications/{mine}", headers=owner.headers)
    assert got.status_code == 200
    assert set(got.json()) == ITEM_FIELDS and got.json()["type"] == "booking.declined"
    for path in (
        f"/api/co/notifications/{theirs}",
        "/api/co/notifications/99999999",
        "/api/co/notifications/99999999999",
    ):
        error = assert_structured(await client.get(path, headers=owner.headers), 404, "NOT_FOUND")
        assert error["message"] == "Not found"
        assert_structured(await client.post(f"{path}/mark-read", headers=owner.headers), 404, "NOT_FOUND")
    marked = await client.post(f"/api/co/notifications/{mine}/mark-read", headers=owner.headers)
    assert marked.status_code == 200 and marked.json() == {"updated": 1, "messages_marked": 0}
    after = (await client.get(f"/api/co/notifications/{mine}", headers=owner.headers)).json()
    assert after["is_read"] is True and after["read_at"].endswith("Z")
    again = await client.post(f"/api/co/notifications/{mine}/mark-read", headers=owner.headers)
    assert again.json() == {"updated": 0, "messages_marked": 0}
    theirs_row = (await client.get(f"/api/co/notifications/{theirs}", headers=other_owner.headers)).json()
    assert theirs_row["is_read"] is False


async def test_reading_a_thread_reads_its_message_notifications(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    await workshop_says(services, stored_id(booking), "Hei")
    await note(services, owner.owner_id, "booking.accepted", booking_id=booking.id)
    await client.post("/api/co/messages/mark-read", headers=owner.headers, json={"thread_id": str(booking.id)})
    left = (await client.get("/api/co/notifications", headers=owner.headers)).json()["data"]
    assert [n["type"] for n in left] == ["booking.accepted"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/co/notifications"),
        ("POST", "/api/co/notifications/mark-read"),
        ("POST", "/api/co/notifications/read-all"),
        ("GET", "/api/co/notifications/unread-count"),
        ("GET", "/api/co/notifications/1"),
        ("POST", "/api/co/notifications/1/mark-read"),
        ("GET", "/api/co/messages/inbox"),
        ("GET", "/api/co/messages/1"),
        ("POST", "/api/co/messages/mark-read"),
    ],
)
async def test_without_token_is_the_auth_problem(client: httpx.AsyncClient, method: str, path: str) -> None:
    response = await client.request(method, path, json={"ids": [1]} if method == "POST" else None)
    assert response.status_code == 401
    body = response.json()
    assert (
        body["type"] == "https://minbil.dev/problems/auth" and body["status"] == 401 and body["code"] == "UNAUTHORIZED"
    )


async def test_notification_settings_gate_push_but_not_the_list(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    from db.repositories import notification_settings

    async with services.uow() as uow:
        await notification_settings.upsert(uow.session, owner.owner_id, [("message.new", "push", False)])
    await workshop_says(services, stored_id(booking), "Stille melding")
    assert await events_of(services, owner.owner_id, "notification.created") == []
    assert len(await events_of(services, owner.owner_id, "message.created")) == 1
    listed = (await client.get("/api/co/notifications", headers=owner.headers)).json()
    assert [n["type"] for n in listed["data"]] == ["message.new"]
