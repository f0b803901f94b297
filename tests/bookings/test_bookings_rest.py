"""Booking and BookingStatus over REST: the reference's examples replayed, the lifecycle, policy,
atomic multi-service create, idempotency, warnings and ownership."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import ColumnElement, func
from sqlmodel import SQLModel, col, select

from app.services import Services
from db.models import Booking, DomainEvent, IdempotencyRecord, Notification
from tests.bookings.conftest import World, book, future_local, oslo, stored_booking, workshop
from tests.conftest import AppFactory, SignedIn
from tests.factories import stored_id

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code", "message", "where"}
LINE_KEYS = {
    "id",
    "group_id",
    "workshop_org_nr",
    "service_id",
    "service_title",
    "service_description",
    "service_price",
    "service_start_time",
    "service_estimated_end_time",
    "service_actual_end_time",
    "registration_number",
    "attachments",
    "status",
    "status_display",
    "verify_booked",
    "verify_canceled",
    "verify_service_done",
    "cancel_request",
    "messages",
    "unread_count",
    "time_window",
    "can_reschedule",
    "can_request_cancel",
    "rating_allowed",
    "service_rating",
    "service_rating_message",
    "private_service_rating",
    "workshop_name",
    "service_estimated_hours",
    "carowner",
    "workshop",
}


async def count(services: Services, model: type[SQLModel], *where: ColumnElement[bool]) -> int:
    async with services.sessionmaker() as session:
        result = await session.exec(select(func.count()).select_from(model).where(*where))
        return result.one()


# --- statuses ------------------------------------------------------------------------------------


async def test_booking_statuses_both_routes(client: httpx.AsyncClient) -> None:
    legacy = await client.get("/api/co/bookings/booking-statuses")
    assert legacy.status_code == 200
    codes = [s["code"] for s in legacy.json()]
    assert codes == ["REQUESTED", "CONFIRMED", "IN_PROGRESS", "COMPLETED", "DECLINED", "CANCELLED"]
    assert set(legacy.json()[0]) == {"id", "code", "display_name", "sort_order", "is_active"}
    newer = await client.get("/api/co/booking-statuses")
    assert newer.status_code == 200
    body = newer.json()
    assert body["meta"] == {"count": 6}
    assert [s["code"] for s in body["data"]] == codes
    assert body["data"][0]["display_name"] == "Forespurt"


# --- create --------------------------------------------------------------------------------------


async def test_create_reference_example_is_refused_with_400(
    client: httpx.AsyncClient, owner: SignedIn, world: World
) -> None:
    example = {
        "org_nr": "921460929",
        "service_id": 1,
        "services": [{"service_id": 77, "message": "string_value", "attachments": [{}]}],
        "service_start_time": "2025-11-30 09:00",
        "registration_number": "BT57225",
        "attachments": [{}],
        "message": {},
    }
    response = await client.post("/api/co/bookings", json=example, headers=owner.headers)
    assert response.status_code == 400
    body = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["errors"] == [{"field": "service_start_time", "reason": "in_past"}]


async def test_create_requires_bearer(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post("/api/co/bookings", json={"org_nr": world.workshop.org_nr})
    assert response.status_code == 401


async def test_create_multi_service_group(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    start = future_local(days=6, hour=9)
    response = await book(client, owner, world, services=[stored_id(world.oil), stored_id(world.brakes)], start=start)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body["meta"]) >= {"request_id", "generated_at"}
    group = body["data"]
    assert len(group["items"]) == 2 and {i["group_id"] for i in group["items"]} == {group["group_id"]}
    first = group["items"][0]
    assert set(first) == LINE_KEYS
    assert first["status"] == "REQUESTED" and first["status_display"] == "Forespurt"
    assert first["service_title"] == "Oljeskift" and first["service_price"] == 1490.0
    assert first["service_start_time"] == oslo(start).strftime("%Y-%m-%dT%H:%M:%SZ")
    brakes = group["items"][1]
    assert brakes["service_estimated_hours"] == 2.0
    assert brakes["service_estimated_end_time"] == (oslo(start) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert group["summary"]["count"] == 2 and group["summary"]["total_price"] == 3990.5
    assert group["warnings"] == []
    # the owner hears about it: a notification and one realtime event per line
    assert await count(services, Notification, col(Notification.type) == "booking.requested") == 1
    assert await count(services, DomainEvent, col(DomainEvent.event_type) == "booking.updated") == 2


async def test_create_accepts_iso_8601_and_service_id_with_message(
    client: httpx.AsyncClient, owner: SignedIn, world: World
) -> None:
    start = (datetime.now(UTC) + timedelta(days=4)).replace(microsecond=0)
    response = await client.post(
        "/api/co/bookings",
        headers=owner.headers,
        json={
            "org_nr": world.workshop.org_nr,
            "service_id": world.oil.id,
            "message": "Bråk fra motoren",
            "service_start_time": start.isoformat(),
            "registration_number": "bt 57225",
        },
    )
    assert response.status_code == 200, response.text
    line = response.json()["data"]["items"][0]
    assert line["service_start_time"] == start.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert line["messages"][0]["message_text"] == "Bråk fra motoren"


async def test_one_bad_service_writes_nothing(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    response = await book(client, owner, world, services=[stored_id(world.oil), stored_id(world.foreign)])
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "SERVICE_NOT_IN_WORKSHOP"
    assert body["errors"] == [{"field": "services[1].service_id", "reason": "not_in_workshop"}]
    assert str(world.foreign.id) in body["message"]
    missing = await book(client, owner, world, services=[stored_id(world.oil), 999999])
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "services[1].service_id"
    assert await count(services, Booking) == 0


async def test_vehicle_must_be_the_callers(client: httpx.AsyncClient, owner: SignedIn, world: World) -> None:
    response = await book(client, owner, world, registration_number="EK39085")
    assert response.status_code == 403
    assert response.json()["errors"] == [{"field": "registration_number", "reason": "not_your_vehicle"}]


async def test_bad_inputs_name_the_field(client: httpx.AsyncClient, owner: SignedIn, world: World) -> None:
    cases = [
        ({"org_nr": "12345"}, "org_nr"),
        ({"service_start_time": "tomorrow"}, "service_start_time"),
        ({"service_id": "one"}, "service_id"),
        ({"services": "oil"}, "services"),
    ]
    for override, field in cases:
        body = {
            "org_nr": world.workshop.org_nr,
            "service_id": world.oil.id,
            "service_start_time": future_local(),
            "registration_number": "BT57225",
            **override,
        }
        response = await client.post("/api/co/bookings", json=body, headers=owner.headers)
        assert response.status_code == 400, (override, response.text)
        assert response.json()["errors"][0]["field"] == field


async def test_unknown_workshop_is_404(client: httpx.AsyncClient, owner: SignedIn, world: World) -> None:
    response = await book(client, owner, world, org_nr="921460929")
    assert response.status_code == 404 and response.json()["code"] == "WORKSHOP_NOT_FOUND"


async def test_org_nr_with_a_wrong_check_digit_is_400(client: httpx.AsyncClient, owner: SignedIn, world: World) -> None:
    # 921460929 is valid; changing only its MOD11 check digit leaves nine digits that name no organisation
    response = await book(client, owner, world, org_nr="921460928")
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "INVALID_ORG_NR"
    assert body["errors"] == [{"field": "org_nr", "reason": "invalid_checksum"}]
    malformed = await book(client, owner, world, org_nr="12345")
    assert malformed.status_code == 400 and malformed.json()["code"] == "INVALID_ORG_NR"
    assert malformed.json()["errors"] == [{"field": "org_nr", "reason": "invalid_org_nr"}]


# --- warnings ------------------------------------------------------------------------------------


async def test_warnings_do_not_block(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, world: World
) -> None:
    start = future_local(days=7, hour=10)
    first = await book(client, owner, world, start=start)
    assert first.json()["data"]["warnings"] == []
    again = await book(client, owner, world, start=start)
    assert again.status_code == 200
    codes = {w["code"] for w in again.json()["data"]["warnings"]}
    assert "DOUBLE_BOOKING" in codes
    double = next(w for w in again.json()["data"]["warnings"] if w["code"] == "DOUBLE_BOOKING")
    assert set(double) == {"code", "detail", "meta"} and double["meta"]["booking_ids"]
    late = await book(client, owner, world, start=future_local(days=8, hour=20))
    assert [w["code"] for w in late.json()["data"]["warnings"]] == ["OUTSIDE_OPENING_HOURS"]
    busy = await client.post(
        "/api/co/bookings",
        headers=other_owner.headers,
        json={
            "org_nr": world.workshop.org_nr,
            "service_id": world.oil.id,
            "service_start_time": start,
            "registration_number": "EK39085",
        },
    )
    assert busy.status_code == 200
    assert [w["code"] for w in busy.json()["data"]["warnings"]] == ["WORKSHOP_OVERLAP"]


# --- idempotency ---------------------------------------------------------------------------------


async def test_idempotency_key_replays_and_conflicts(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    start = future_local(days=9)
    key = {"Idempotency-Key": "booking-abc-1"}
    first = await book(client, owner, world, start=start, headers=key)
    second = await book(client, owner, world, start=start, headers=key)
    assert first.status_code == second.status_code == 200
    assert first.json()["data"] == second.json()["data"]
    assert await count(services, Booking) == 1
    other = await book(client, owner, world, start=future_local(days=10), headers=key)
    assert other.status_code == 409 and other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await count(services, Booking) == 1
    assert await count(services, IdempotencyRecord) == 1


async def test_concurrent_retries_create_one_group(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    start = future_local(days=11)
    key = {"Idempotency-Key": "same-key"}
    responses = await asyncio.gather(*(book(client, owner, world, start=start, headers=key) for _ in range(5)))
    assert {r.status_code for r in responses} == {200}
    assert len({r.json()["data"]["group_id"] for r in responses}) == 1
    assert await count(services, Booking) == 1


async def test_failed_first_attempt_does_not_burn_the_key(
    client: httpx.AsyncClient, owner: SignedIn, world: World
) -> None:
    key = {"Idempotency-Key": "retry-after-fix"}
    bad = await book(client, owner, world, services=[stored_id(world.foreign)], headers=key)
    assert bad.status_code == 400
    good = await book(client, owner, world, headers=key)
    assert good.status_code == 200


# --- list and get --------------------------------------------------------------------------------


async def test_list_grouped_flat_and_expanded(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, world: World
) -> None:
    await book(client, owner, world, services=[stored_id(world.oil), stored_id(world.brakes)])
    await book(client, owner, world, start=future_local(days=12))
    await client.post(
        "/api/co/bookings",
        headers=other_owner.headers,
        json={
            "org_nr": world.workshop.org_nr,
            "service_id": world.oil.id,
            "service_start_time": future_local(days=13),
            "registration_number": "EK39085",
        },
    )
    grouped = (await client.get("/api/co/bookings", headers=owner.headers)).json()
    assert len(grouped) == 2 and sorted(len(g["items"]) for g in grouped) == [1, 2]
    assert set(grouped[0]) == {"group_id", "items", "summary", "warnings"}
    assert grouped[0]["items"][0]["carowner"] is None and grouped[0]["items"][0]["workshop"] is None
    flat = (await client.get("/api/co/bookings?grouped=0", headers=owner.headers)).json()
    assert len(flat) == 3 and set(flat[0]) == LINE_KEYS
    expanded = (await client.get("/api/co/bookings?grouped=0&expand=co,ws", headers=owner.headers)).json()
    assert expanded[0]["carowner"]["email"] == owner.email
    assert expanded[0]["workshop"]["name"] == "Bilservice Oslo"
    bad = await client.get("/api/co/bookings?grouped=maybe", headers=owner.headers)
    assert bad.status_code == 400


async def test_get_one_and_ownership(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, world: World
) -> None:
    line = (await book(client, owner, world)).json()["data"]["items"][0]
    mine = await client.get(f"/api/co/bookings/{line['id']}?expand=ws", headers=owner.headers)
    assert mine.status_code == 200 and set(mine.json()) == LINE_KEYS
    assert mine.json()["workshop"]["org_nr"] == world.workshop.org_nr
    for method, path, body in [
        ("GET", f"/api/co/bookings/{line['id']}", None),
        ("PUT", f"/api/co/bookings/{line['id']}", {"message": "hei"}),
        ("POST", "/api/co/bookings/cancel", {"booking_id": line["id"]}),
        ("POST", "/api/co/bookings/cancel", {"group_id": line["group_id"]}),
        ("POST", "/api/co/bookings/change-requests", {"booking_id": line["id"], "request_type": "cancel"}),
        ("POST", f"/api/co/bookings/rate/{line['id']}", {"service_rating": 4}),
        ("POST", f"/api/co/rating/{line['id']}", {"service_rating": 4}),
        ("POST", f"/api/co/rating/rate/{line['id']}", {"service_rating": 4}),
    ]:
        response = await client.request(method, path, json=body, headers=other_owner.headers)
        assert response.status_code == 404, (method, path, response.text)
    assert (await client.get("/api/co/bookings", headers=other_owner.headers)).json() == []
    assert (await client.get("/api/co/bookings/999999", headers=owner.headers)).status_code == 404


# --- update, cancel, policy ----------------------------------------------------------------------


async def test_put_reference_example_is_400(client: httpx.AsyncClient, owner: SignedIn, world: World) -> None:
    line = (await book(client, owner, world)).json()["data"]["items"][0]
    example = {
        "service_start_time": "2026-02-12T10:00:00Z",
        "status": "string_value",
        "cancellation_reason": 59.9139,
        "attachments": [{}],
        "message": {},
    }
    response = await client.put(f"/api/co/bookings/{line['id']}", json=example, headers=owner.headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "status"
    nothing = await client.put(f"/api/co/bookings/{line['id']}", json={}, headers=owner.headers)
    assert nothing.status_code == 400 and nothing.json()["code"] == "NOTHING_TO_UPDATE"
    confirm = await client.put(f"/api/co/bookings/{line['id']}", json={"status": "CONFIRMED"}, headers=owner.headers)
    assert confirm.status_code == 400 and confirm.json()["code"] == "STATUS_NOT_ALLOWED"


async def test_reschedule_directly_when_far_ahead(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    line = (await book(client, owner, world, start=future_local(days=5))).json()["data"]["items"][0]
    new_start = future_local(days=14, hour=13)
    response = await client.put(
        f"/api/co/bookings/{line['id']}", json={"service_start_time": new_start}, headers=owner.headers
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["action"] == "rescheduled" and data["change_request"] is None
    assert data["booking"]["service_start_time"] == oslo(new_start).strftime("%Y-%m-%dT%H:%M:%SZ")
    past = await client.put(
        f"/api/co/bookings/{line['id']}", json={"service_start_time": "2020-01-01 10:00"}, headers=owner.headers
    )
    assert past.status_code == 400


async def test_reschedule_within_24h_becomes_a_change_request(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    soon = datetime.now(UTC) + timedelta(hours=20)
    row = await stored_booking(services, owner_id=owner.owner_id, world=world, start=soon, vehicle=world.car)
    response = await client.put(
        f"/api/co/bookings/{row.id}", json={"service_start_time": future_local(days=6)}, headers=owner.headers
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["action"] == "change_requested" and "24 hours" in data["message"]
    assert data["change_request"]["request_type"] == "reschedule" and data["change_request"]["status"] == "pending"
    assert data["booking"]["service_start_time"] == soon.strftime("%Y-%m-%dT%H:%M:%SZ")
    again = await client.put(
        f"/api/co/bookings/{row.id}", json={"service_start_time": future_local(days=7)}, headers=owner.headers
    )
    assert again.status_code == 409 and again.json()["code"] == "CHANGE_REQUEST_PENDING"


async def test_confirmed_booking_cancel_becomes_a_request_and_workshop_resolves(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    line = (await book(client, owner, world)).json()["data"]["items"][0]
    await workshop(services, "confirm", str(line["id"]))
    response = await client.put(
        f"/api/co/bookings/{line['id']}",
        json={"status": "CANCELLED", "cancellation_reason": "Bilen er solgt"},
        headers=owner.headers,
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["action"] == "change_requested" and "confirmed" in data["message"]
    assert data["booking"]["status"] == "CONFIRMED" and data["booking"]["cancel_request"] is True
    assert data["booking"]["can_request_cancel"] is False
    requests = (await client.get("/api/co/bookings/change-requests", headers=owner.headers)).json()
    assert len(requests) == 1 and requests[0]["reason"] == "Bilen er solgt"
    assert set(requests[0]) == {
        "id",
        "booking_id",
        "group_id",
        "request_type",
        "status",
        "reason",
        "requested_start_time",
        "created_at",
        "resolved_at",
    }
    await workshop(services, "approve-change", str(requests[0]["id"]), "--note", "OK")
    after = (await client.get(f"/api/co/bookings/{line['id']}", headers=owner.headers)).json()
    assert after["status"] == "CANCELLED" and after["verify_canceled"] is True and after["cancel_request"] is False
    resolved = (await client.get("/api/co/bookings/change-requests", headers=owner.headers)).json()[0]
    assert resolved["status"] == "approved" and resolved["resolved_at"]


async def test_direct_cancel_and_final_status_is_409(client: httpx.AsyncClient, owner: SignedIn, world: World) -> None:
    line = (await book(client, owner, world)).json()["data"]["items"][0]
    response = await client.put(
        f"/api/co/bookings/{line['id']}",
        json={"status": "cancelled", "cancellation_reason": "Ombestemt meg"},
        headers=owner.headers,
    )
    assert response.status_code == 200 and response.json()["data"]["action"] == "cancelled"
    assert response.json()["data"]["booking"]["status"] == "CANCELLED"
    again = await client.put(f"/api/co/bookings/{line['id']}", json={"status": "CANCELLED"}, headers=owner.headers)
    assert again.status_code == 409 and "CANCELLED" in again.json()["message"]
    move = await client.put(
        f"/api/co/bookings/{line['id']}", json={"service_start_time": future_local(days=9)}, headers=owner.headers
    )
    assert move.status_code == 409


async def test_append_message_and_attachments(client: httpx.AsyncClient, owner: SignedIn, world: World) -> None:
    line = (await book(client, owner, world)).json()["data"]["items"][0]
    response = await client.put(
        f"/api/co/bookings/{line['id']}",
        headers=owner.headers,
        json={"message": "Hjulene ligger i bagasjerommet", "attachments": ["https://cdn.minbil.no/a.jpg"]},
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["action"] == "updated" and data["booking"]["status"] == "REQUESTED"
    assert data["booking"]["messages"][-1]["message_text"] == "Hjulene ligger i bagasjerommet"
    assert data["booking"]["attachments"] == ["https://cdn.minbil.no/a.jpg"]


async def test_cancel_route_example_and_group(client: httpx.AsyncClient, owner: SignedIn, world: World) -> None:
    example = {"group_id": "string_value", "booking_id": 1, "cancellation_reason": 59.9139}
    response = await client.post("/api/co/bookings/cancel", json=example, headers=owner.headers)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "cancellation_reason"
    empty = await client.post("/api/co/bookings/cancel", json={}, headers=owner.headers)
    assert empty.status_code == 400
    group = (await book(client, owner, world, services=[stored_id(world.oil), stored_id(world.brakes)])).json()["data"]
    done = await client.post(
        "/api/co/bookings/cancel",
        json={"group_id": group["group_id"], "cancellation_reason": "Feil dato"},
        headers=owner.headers,
    )
    assert done.status_code == 200
    data = done.json()["data"]
    assert sorted(data["cancelled"]) == sorted(i["id"] for i in group["items"])
    assert {i["status"] for i in data["items"]} == {"CANCELLED"}
    again = await client.post("/api/co/bookings/cancel", json={"group_id": group["group_id"]}, headers=owner.headers)
    assert again.status_code == 409


async def test_change_request_route(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    example = {
        "booking_id": 1,
        "request_type": "string_value",
        "requested_start_time": "2026-02-12T10:00:00Z",
        "reason": "string_value",
    }
    bad = await client.post("/api/co/bookings/change-requests", json=example, headers=owner.headers)
    assert bad.status_code == 400 and bad.json()["errors"] == [{"field": "request_type", "reason": "invalid"}]
    line = (await book(client, owner, world)).json()["data"]["items"][0]
    no_time = await client.post(
        "/api/co/bookings/change-requests",
        headers=owner.headers,
        json={"booking_id": line["id"], "request_type": "reschedule"},
    )
    assert no_time.status_code == 400
    created = await client.post(
        "/api/co/bookings/change-requests",
        headers=owner.headers,
        json={
            "booking_id": line["id"],
            "request_type": "reschedule",
            "requested_start_time": future_local(days=15),
            "reason": "Reiser bort",
        },
    )
    assert created.status_code == 201
    item = created.json()
    assert item["status"] == "pending" and item["group_id"] == line["group_id"]
    await workshop(services, "reject-change", str(item["id"]))
    listed = (await client.get("/api/co/bookings/change-requests", headers=owner.headers)).json()
    assert listed[0]["status"] == "rejected"
    unchanged = (await client.get(f"/api/co/bookings/{line['id']}", headers=owner.headers)).json()
    assert unchanged["service_start_time"] == line["service_start_time"]


async def test_booking_status_database_error_is_the_located_problem(app_factory: AppFactory) -> None:
    _, client = await app_factory(database_url="postgresql+asyncpg://postgres@127.0.0.1:5432/minbil_no_such_database")
    response = await client.get("/api/co/booking-statuses")
    assert response.status_code == 500
    body = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert body["where"]["layer"] == "rest" and body["where"]["component"] == "booking_statuses"
    assert body["where"]["step"] and "Traceback" not in response.text


async def test_legacy_thread_unread_counts(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    row = await stored_booking(
        services,
        owner_id=owner.owner_id,
        world=world,
        vehicle=world.car,
        messages=[
            {"sender_type": "workshop", "message_text": "Hei", "is_read": False},
            {"sender_type": "workshop", "message_text": "Lest", "is_read": True},
            {"sender_type": "carowner", "message_text": "Takk"},
        ],
    )
    got = (await client.get(f"/api/co/bookings/{row.id}", headers=owner.headers)).json()
    assert got["unread_count"] == 1 and len(got["messages"]) == 3


async def test_workshop_list_command(owner: SignedIn, world: World, services: Services) -> None:
    await stored_booking(services, owner_id=owner.owner_id, world=world, vehicle=world.car)
    await stored_booking(services, owner_id=owner.owner_id, world=world, vehicle=world.car, status="CONFIRMED")
    everything = await workshop(services, "list", "--org-nr", world.workshop.org_nr)
    assert len(everything) == 2
    requested = await workshop(services, "list", "--status", "requested")
    assert [line.status for line in requested] == ["REQUESTED"]


async def test_attachments_cannot_reference_private_message_files(
    client: httpx.AsyncClient, owner: SignedIn, world: World
) -> None:
    """Such a reference would be answered with fresh signed links to a conversation's file."""
    line = (await book(client, owner, world)).json()["data"]["items"][0]
    private = "/api/co/media/messages/" + "A" * 32 + ".pdf"
    for attachments in ([private], [{"url": "/media/messages/" + "A" * 32 + ".pdf"}], [f"{private}?exp=1&sig=00"]):
        response = await client.put(
            f"/api/co/bookings/{line['id']}",
            headers=owner.headers,
            json={"message": "se vedlegg", "attachments": attachments},
        )
        assert response.status_code == 400, attachments
        assert response.json()["errors"] == [{"field": "attachments", "reason": "private_media"}]
    created = await book(client, owner, world, attachments=[private])
    assert created.status_code == 400 and created.json()["errors"] == [
        {"field": "attachments", "reason": "private_media"}
    ]
