"""What an owner would notice: other owners' bookings stay out of reach (nothing changes in the database),
change requests over GraphQL and their isolation, inactive workshops and services, the 24 h change boundary,
and a cancellation racing the workshop's confirmation."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from app.domain.bookings import changes
from app.domain.bookings import workshop as workshop_side
from app.domain.bookings.commands import ConfirmBooking
from app.errors import Conflict
from app.services import Services
from db.models import Booking, BookingChangeRequest, Service, Workshop
from graphql_api.node import global_id
from graphql_api.scalars import serialize_datetime
from tests.bookings.conftest import World, future_local, oslo, stored_booking
from tests.conftest import SignedIn
from tests.factories import stored_id
from tests.graphql_client import graphql
from tests.messages.conftest import workshop_says

RESCHEDULE = """mutation($id: ID!, $t: DateTime!) { rescheduleBooking(input: {bookingId: $id, serviceStartTime: $t}) {
  __typename ... on NotFoundError { code } ... on BookingChangeSuccess { action booking { status } changeRequest { requestType } } } }"""
RATE = """mutation($id: ID!) { rateBooking(input: {bookingId: $id, score: 2, message: "Nei"}) {
  __typename ... on NotFoundError { code } } }"""
MARK_READ = """mutation($id: ID!) {
  markThreadRead(input: {bookingId: $id}) { __typename ... on NotFoundError { code } }
}"""
REQUEST_CHANGE = """mutation($id: ID!, $kind: ChangeRequestType!, $t: DateTime, $reason: String) {
  requestBookingChange(input: {bookingId: $id, requestType: $kind, requestedStartTime: $t, reason: $reason}) {
    __typename
    ... on ChangeRequestSuccess {
      changeRequest { id databaseId booking { databaseId } requestType status reason requestedStartTime }
    }
    ... on NotFoundError { code }
    ... on ValidationError { code fields { field } }
  } }"""


def gid(row: Booking) -> str:
    return str(global_id("Booking", stored_id(row)))


async def _row(services: Services, booking_id: int) -> Booking:
    async with services.sessionmaker() as session:
        row = await session.get(Booking, booking_id)
        assert row is not None
        return row


async def _requests_of(services: Services, booking_id: int) -> list[BookingChangeRequest]:
    async with services.sessionmaker() as session:
        stmt = select(BookingChangeRequest).where(col(BookingChangeRequest.booking_id) == booking_id)
        return list((await session.exec(stmt)).all())


async def test_graphql_changes_to_another_owners_booking_are_not_found_and_change_nothing(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, world: World, services: Services
) -> None:
    open_row = await stored_booking(
        services, owner_id=owner.owner_id, world=world, vehicle=world.car, start=datetime.now(UTC) + timedelta(days=6)
    )
    done_row = await stored_booking(
        services,
        owner_id=owner.owner_id,
        world=world,
        vehicle=world.car,
        status="COMPLETED",
        start=datetime.now(UTC) - timedelta(days=2),
    )
    await workshop_says(services, stored_id(open_row), "Bilen er klar")
    before_open, before_done = await _row(services, stored_id(open_row)), await _row(services, stored_id(done_row))

    moved = await graphql(
        client, RESCHEDULE, {"id": gid(open_row), "t": oslo(future_local(days=12)).isoformat()}, other_owner
    )
    rated = await graphql(client, RATE, {"id": gid(done_row)}, other_owner)
    read = await graphql(client, MARK_READ, {"id": str(global_id("Booking", open_row.id))}, other_owner)

    assert moved["data"]["rescheduleBooking"] == {"__typename": "NotFoundError", "code": "BOOKING_NOT_FOUND"}
    assert rated["data"]["rateBooking"] == {"__typename": "NotFoundError", "code": "BOOKING_NOT_FOUND"}
    assert read["data"]["markThreadRead"]["__typename"] == "NotFoundError"
    after_open, after_done = await _row(services, stored_id(open_row)), await _row(services, stored_id(done_row))
    assert after_open.service_start_time == before_open.service_start_time and after_open.status == "REQUESTED"
    assert after_open.updated_at == before_open.updated_at
    assert await _requests_of(services, stored_id(open_row)) == []
    assert after_done.service_rating is None and after_done.service_rating_message is None
    assert after_done.updated_at == before_done.updated_at
    thread = await graphql(
        client,
        "query($id: ID!) { thread(bookingId: $id) { unreadCount readAt } }",
        {"id": str(global_id("Booking", open_row.id))},
        owner,
    )
    assert thread["data"]["thread"] == {"unreadCount": 1, "readAt": None}


async def test_request_booking_change_over_graphql(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, world: World, services: Services
) -> None:
    row = await stored_booking(services, owner_id=owner.owner_id, world=world, vehicle=world.car)
    await workshop_side_confirm(services, stored_id(row))
    wanted = future_local(days=14, hour=9)

    made = await graphql(
        client,
        REQUEST_CHANGE,
        {"id": gid(row), "kind": "RESCHEDULE", "t": oslo(wanted).isoformat(), "reason": "Ferie"},
        owner,
    )

    request = made["data"]["requestBookingChange"]
    assert request["__typename"] == "ChangeRequestSuccess", made
    item = request["changeRequest"]
    assert (item["booking"]["databaseId"], item["requestType"], item["status"], item["reason"]) == (
        row.id,
        "RESCHEDULE",
        "PENDING",
        "Ferie",
    )
    assert item["requestedStartTime"] == serialize_datetime(oslo(wanted))
    stored = await _requests_of(services, stored_id(row))
    assert [(r.id, r.request_type, r.status) for r in stored] == [(item["databaseId"], "reschedule", "pending")]
    assert (
        await _row(services, stored_id(row))
    ).status == "CONFIRMED"  # the workshop decides; the booking is unchanged

    missing_time = await graphql(client, REQUEST_CHANGE, {"id": gid(row), "kind": "RESCHEDULE"}, owner)
    assert missing_time["data"]["requestBookingChange"]["__typename"] == "ValidationError"
    assert [f["field"] for f in missing_time["data"]["requestBookingChange"]["fields"]] == ["input.requestedStartTime"]
    bad_kind = await graphql(client, REQUEST_CHANGE, {"id": gid(row), "kind": "teleport"}, owner)
    assert bad_kind["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT" and bad_kind["data"] is None
    theirs = await graphql(client, REQUEST_CHANGE, {"id": gid(row), "kind": "CANCEL"}, other_owner)
    assert theirs["data"]["requestBookingChange"] == {"__typename": "NotFoundError", "code": "BOOKING_NOT_FOUND"}
    assert len(await _requests_of(services, stored_id(row))) == 1


async def workshop_side_confirm(services: Services, booking_id: int) -> None:
    async with services.uow() as uow:
        await workshop_side.confirm(uow, ConfirmBooking(target=str(booking_id)))


async def test_change_requests_list_is_per_owner(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, world: World, services: Services
) -> None:
    mine = await stored_booking(services, owner_id=owner.owner_id, world=world, vehicle=world.car, status="CONFIRMED")
    theirs = await stored_booking(
        services, owner_id=other_owner.owner_id, world=world, vehicle=world.other_car, status="CONFIRMED"
    )
    for who, row in ((owner, mine), (other_owner, theirs)):
        response = await client.post(
            "/api/co/bookings/change-requests",
            headers=who.headers,
            json={"booking_id": row.id, "request_type": "cancel", "reason": f"for {row.id}"},
        )
        assert response.status_code == 201, response.text

    listed = {}
    for who in (owner, other_owner):
        response = await client.get("/api/co/bookings/change-requests", headers=who.headers)
        assert response.status_code == 200
        listed[who.owner_id] = [(r["booking_id"], r["reason"]) for r in response.json()]
    assert listed[owner.owner_id] == [(mine.id, f"for {mine.id}")]
    assert listed[other_owner.owner_id] == [(theirs.id, f"for {theirs.id}")]
    peek = await client.get("/api/co/bookings/change-requests", params={"booking_id": theirs.id}, headers=owner.headers)
    assert peek.status_code == 200 and peek.json() == []  # filtering by their booking id reveals nothing


@pytest.mark.parametrize("what", ["workshop", "service"])
async def test_booking_an_inactive_workshop_or_service_is_a_clear_4xx(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services, what: str
) -> None:
    async with services.sessionmaker() as session:
        row: Workshop | Service | None = (
            await session.get(Workshop, world.workshop.org_nr)
            if what == "workshop"
            else await session.get(Service, world.oil.id)
        )
        assert row is not None
        row.is_active = False
        await session.commit()
    body = {
        "org_nr": world.workshop.org_nr,
        "service_start_time": future_local(),
        "registration_number": "BT57225",
        "service_id": world.oil.id,
    }

    response = await client.post("/api/co/bookings", json=body, headers=owner.headers)

    expected = (404, "org_nr") if what == "workshop" else (400, "service_id")
    assert response.status_code == expected[0], response.text
    assert expected[1] in response.text
    async with services.sessionmaker() as session:
        assert (await session.exec(select(Booking))).all() == []


@pytest.mark.parametrize(
    ("ahead", "direct"),
    [(timedelta(hours=24, minutes=1), True), (timedelta(hours=24), True), (timedelta(hours=23, minutes=59), False)],
    ids=["24h01m-direct", "24h00m-direct", "23h59m-request"],
)
async def test_the_24_hour_boundary_decides_direct_change_or_request(
    client: httpx.AsyncClient,
    owner: SignedIn,
    world: World,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    ahead: timedelta,
    direct: bool,
) -> None:
    start = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Oslo
    row = await stored_booking(services, owner_id=owner.owner_id, world=world, vehicle=world.car, start=start)
    frozen = start - ahead
    monkeypatch.setattr(changes, "utc_now", lambda: frozen)

    moved = await graphql(client, RESCHEDULE, {"id": gid(row), "t": "2031-03-06T11:00:00+01:00"}, owner)

    payload = moved["data"]["rescheduleBooking"]
    assert payload["__typename"] == "BookingChangeSuccess", moved
    after = await _row(services, stored_id(row))
    if direct:
        assert payload["changeRequest"] is None
        assert after.service_start_time == datetime(2031, 3, 6, 10, 0, tzinfo=UTC)
        assert await _requests_of(services, stored_id(row)) == []
    else:
        assert payload["changeRequest"] == {"requestType": "RESCHEDULE"}
        assert after.service_start_time == start
        assert [r.request_type for r in await _requests_of(services, stored_id(row))] == ["reschedule"]


async def _confirm_or_conflict(services: Services, booking_id: int) -> str:
    try:
        async with services.uow() as uow:
            await workshop_side.confirm(uow, ConfirmBooking(target=str(booking_id)))
    except Conflict:
        return "refused"
    return "confirmed"


async def test_a_cancel_racing_the_workshop_confirm_has_one_winner(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    for day in range(4):
        row = await stored_booking(
            services,
            owner_id=owner.owner_id,
            world=world,
            vehicle=world.car,
            start=datetime.now(UTC) + timedelta(days=5 + day),
        )

        cancel, confirm = await asyncio.gather(
            client.post("/api/co/bookings/cancel", json={"booking_id": row.id}, headers=owner.headers),
            _confirm_or_conflict(services, stored_id(row)),
        )

        assert cancel.status_code == 200, cancel.text
        after = await _row(services, stored_id(row))
        requests = await _requests_of(services, stored_id(row))
        body: dict[str, Any] = cancel.json()["data"]
        if confirm == "confirmed":
            # the workshop was first: the owner's cancellation became a request to the workshop
            assert after.status == "CONFIRMED" and after.verify_booked is True
            assert [(r.request_type, r.status) for r in requests] == [("cancel", "pending")]
            assert len(body["change_requests"]) == 1
        else:
            assert confirm == "refused"
            assert after.status == "CANCELLED" and after.verify_booked is False
            assert requests == []


@pytest.mark.parametrize(
    ("ahead", "direct"),
    [(timedelta(hours=24, minutes=1), True), (timedelta(hours=23, minutes=59), False)],
    ids=["24h01m-cancelled", "23h59m-request"],
)
async def test_the_24_hour_boundary_decides_cancel_or_cancel_request(
    client: httpx.AsyncClient,
    owner: SignedIn,
    world: World,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    ahead: timedelta,
    direct: bool,
) -> None:
    start = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
    row = await stored_booking(services, owner_id=owner.owner_id, world=world, vehicle=world.car, start=start)
    frozen = start - ahead
    monkeypatch.setattr(changes, "utc_now", lambda: frozen)

    response = await client.post("/api/co/bookings/cancel", json={"booking_id": row.id}, headers=owner.headers)

    assert response.status_code == 200, response.text
    requests = [(r.request_type, r.status) for r in await _requests_of(services, stored_id(row))]
    if direct:
        assert (await _row(services, stored_id(row))).status == "CANCELLED" and requests == []
    else:
        assert (await _row(services, stored_id(row))).status == "REQUESTED" and requests == [("cancel", "pending")]
