"""All 22 Messages and Notifications operations replayed with the reference's own examples: each request
as documented (placeholders swapped for real ids), each answer with exactly the documented fields."""

from __future__ import annotations

from typing import Any

import httpx

from app.domain.notifications.publish import notify
from app.services import Services
from db.models import Booking
from tests.conftest import SignedIn
from tests.factories import stored_id
from tests.messages.conftest import workshop_says

MESSAGE_ITEM = {
    "id": 1,
    "booking_id": 1,
    "workshop_org_nr": "921460929",
    "sender_type": "string_value",
    "message_text": "string_value",
    "attachments": [{}],
    "is_read": True,
    "created_at": "string_value",
    "text": "string_value",
    "message": "string_value",
    "content": "string_value",
    "sender_role": "string_value",
    "from": "string_value",
    "unread": True,
}
LINKS = {
    "self": "string_value",
    "first": "string_value",
    "prev": "string_value",
    "next": "string_value",
    "last": "string_value",
}
THREAD_LIST = {
    "data": [
        {
            "id": 123,
            "thread_id": "string_value",
            "booking_id": 1,
            "workshop_org_nr": "921460929",
            "workshop_name": "string_value",
            "org_nr": "921460929",
            "last_message": MESSAGE_ITEM,
            "unread_count": 1,
            "total_messages": 1,
            "updated_at": "2026-02-12",
            "read_at": "string_value",
        }
    ],
    "meta": {
        "page": 1,
        "page_size": 1,
        "total": 1,
        "total_pages": 1,
        "has_next": True,
        "has_prev": True,
        "unread_total": 1,
    },
    "links": LINKS,
}
MESSAGE_LIST = {
    "data": [MESSAGE_ITEM],
    "meta": {
        "org_nr": "921460929",
        "page": 1,
        "page_size": 1,
        "total": 1,
        "total_pages": 1,
        "has_next": True,
        "has_prev": True,
        "unread_count": 1,
    },
    "links": LINKS,
}
READ_UP_TO = {"updated": 1, "json_updated": 1, "unread_count": 1, "read_at": "string_value"}
SEND = {"message": MESSAGE_ITEM, "unread_count": 1}
OPTIONS = {
    "data": {},
    "meta": {"request_id": "f59ee325-0445-4bd0-9bf1-73edcd7da151", "generated_at": "2026-02-12T10:00:00Z"},
}
NOTIFICATION_ITEM = {
    "id": 1,
    "type": "string_value",
    "title": "string_value",
    "body": "string_value",
    "data": {},
    "is_read": True,
    "created_at": "string_value",
    "read_at": "string_value",
}
NOTIFICATION_LIST = {
    "data": [NOTIFICATION_ITEM],
    "meta": {
        "page": 1,
        "page_size": 1,
        "total": 1,
        "total_pages": 1,
        "has_next": True,
        "has_prev": True,
        "unread_total": 1,
    },
    "links": LINKS,
}
MARK_READ = {"updated": 1, "messages_marked": 1}
UNREAD_COUNT = {
    "data": {},
    "meta": {"request_id": "f59ee325-0445-4bd0-9bf1-73edcd7da151", "generated_at": "2026-02-12T10:00:00Z"},
}


# Fields the reference documents as nullable: only these may answer null where the example has a value.
NULLABLE = {"read_at", "prev", "next"}


def same_type(body: Any, example: Any) -> bool:
    if isinstance(example, bool):
        return isinstance(body, bool)
    if isinstance(example, int):
        return isinstance(body, int) and not isinstance(body, bool)
    if isinstance(example, float):
        return isinstance(body, (int, float)) and not isinstance(body, bool)
    return isinstance(body, type(example))


def same_shape(body: Any, example: Any, where: str = "$") -> None:
    """The body has exactly the example's fields with the example's types, recursively (an empty example
    object allows any fields); null only where the reference field is nullable."""
    if isinstance(example, dict):
        assert isinstance(body, dict), (where, body)
        if example:
            assert set(body) == set(example), (where, sorted(set(body) ^ set(example)))
            for key, value in example.items():
                if body[key] is None:
                    assert key in NULLABLE, (f"{where}.{key}", "null for a non-nullable field")
                    continue
                same_shape(body[key], value, f"{where}.{key}")
    elif isinstance(example, list):
        assert isinstance(body, list), (where, body)
        if example:
            for i, item in enumerate(body):
                same_shape(item, example[0], f"{where}[{i}]")
    else:
        assert same_type(body, example), (where, type(body).__name__, "expected", type(example).__name__, body)


async def test_every_operation_answers_the_documented_shape(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    h = owner.headers
    first = await workshop_says(services, stored_id(booking), "Hei fra verkstedet")
    await workshop_says(services, stored_id(booking), "Bilen er klar")
    bid = booking.id

    async def call(method: str, path: str, status: int, example: Any, **kwargs: Any) -> Any:
        response = await client.request(method, "/api/co" + path, **kwargs)
        assert response.status_code == status, (method, path, response.text)
        body = response.json()
        same_shape(body, example)
        return body

    # Messages (8)
    inbox = await call("GET", "/messages/inbox?page=1&page_size=20&q=klar", 200, THREAD_LIST, headers=h)
    assert inbox["data"][0]["thread_id"] == str(bid)
    for path in (f"/messages/thread/{bid}", f"/messages/{bid}", f"/messages/{bid}/messages"):
        listed = await call("GET", f"{path}?page=1&size=20", 200, MESSAGE_LIST, headers=h)
        assert listed["meta"]["unread_count"] == 2
    sent = await call(
        "POST",
        "/messages/send",
        201,
        SEND,
        headers=h,
        json={
            "thread_id": str(bid),
            "message": "string_value",
            "org_nr": booking.workshop_org_nr,
            "attachments": [
                {
                    "url": "https://cdn.minbil.no/string_value.png",
                    "content_type": "image/png",
                    "name": "string_value",
                    "size": 1,
                }
            ],
        },
    )
    assert sent["message"]["attachments"][0]["size"] == 1
    read = await call(
        "POST",
        "/messages/mark-read",
        200,
        READ_UP_TO,
        headers=h,
        json={"thread_id": str(bid), "last_read_id": first["id"], "last_read_at": "2026-02-12T10:00:00Z"},
    )
    assert read["updated"] == 1
    for path in (f"/messages/thread/{bid}/read-up-to", f"/messages/{bid}/messages/read-up-to"):
        await call(
            "POST",
            path,
            200,
            READ_UP_TO,
            headers=h,
            json={"last_read_id": first["id"], "last_read_at": "2026-02-12T10:00:00Z"},
        )
    # the eight OPTIONS operations, without a token
    for path in (
        "/messages/inbox",
        "/messages/mark-read",
        "/messages/send",
        f"/messages/thread/{bid}",
        f"/messages/thread/{bid}/read-up-to",
        f"/messages/{bid}",
        f"/messages/{bid}/messages",
        f"/messages/{bid}/messages/read-up-to",
    ):
        await call("OPTIONS", path, 200, OPTIONS)

    # Notifications (6)
    async with services.uow() as uow:
        n = await notify(
            uow,
            owner_id=owner.owner_id,
            event="booking.accepted",
            title="Booking bekreftet",
            body="Verkstedet har bekreftet bookingen",
            data={"booking_id": bid},
        )
    listed = await call(
        "GET", "/notifications?status=all&type=booking,message&page=1&page_size=20", 200, NOTIFICATION_LIST, headers=h
    )
    assert listed["meta"]["total"] == 3
    await call("GET", "/notifications/unread-count", 200, UNREAD_COUNT, headers=h)
    await call("GET", f"/notifications/{n.id}", 200, NOTIFICATION_ITEM, headers=h)
    one = await call("POST", f"/notifications/{n.id}/mark-read", 200, MARK_READ, headers=h)
    assert one["updated"] == 1
    another = next(item["id"] for item in listed["data"] if item["id"] != n.id)
    by_ids = await call("POST", "/notifications/mark-read", 200, MARK_READ, headers=h, json={"ids": [another]})
    assert by_ids["updated"] == 1
    # three notifications, two read one by one: read-all has exactly one left to mark
    marked = await call("POST", "/notifications/read-all", 200, MARK_READ, headers=h)
    assert marked["updated"] == 1
    count = await call("GET", "/notifications/unread-count", 200, UNREAD_COUNT, headers=h)
    assert count["data"] == {"unread_count": 0}
