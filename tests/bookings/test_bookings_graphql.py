"""Bookings over GraphQL: create (with warnings), nested fields through loaders, mutations, the service log."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import event

from app.request_context import request_id_var
from app.services import Services
from app.values import utc_now
from tests.bookings.conftest import World, future_local, stored_booking, workshop
from tests.conftest import SignedIn
from tests.factories import make_booking
from tests.graphql_client import graphql
from tests.statements import recorded

CREATE = """
mutation($input: CreateBookingInput!) {
  createBooking(input: $input) {
    __typename
    ... on CreateBookingSuccess { group { groupId summary { count totalPrice } items { id status } } warnings { code } }
    ... on ValidationError { message fields { field reason } }
  }
}"""

LIST = """
query($first: Int!, $after: String) {
  bookings(first: $first, after: $after) {
    nodes { id status workshop { name } service { title } vehicle { registrationNumber } changeRequests { id } rating { rating } }
    groups { groupId summary { count } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def test_create_and_list_with_nested_fields(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    made = await graphql(
        client,
        CREATE,
        {
            "input": {
                "orgNr": world.workshop.org_nr,
                "serviceStartTime": future_local(),
                "services": [{"serviceId": world.oil.id}, {"serviceId": world.brakes.id}],
                "registrationNumber": "BT57225",
            }
        },
        owner,
    )
    payload = made["data"]["createBooking"]
    assert payload["__typename"] == "CreateBookingSuccess" and payload["group"]["summary"]["count"] == 2
    bad = await graphql(
        client,
        CREATE,
        {"input": {"orgNr": world.workshop.org_nr, "serviceStartTime": "2020-01-01 10:00", "serviceId": world.oil.id}},
        owner,
    )
    assert bad["data"]["createBooking"]["__typename"] == "ValidationError"
    for _ in range(3):
        await graphql(
            client,
            CREATE,
            {
                "input": {
                    "orgNr": world.workshop.org_nr,
                    "serviceStartTime": future_local(days=9),
                    "serviceId": world.oil.id,
                }
            },
            owner,
        )

    # only the request's own statements: the middleware sets the request id in the request's context, so the
    # relay and other background tasks (which never carry it) are not counted
    async def counted(rid: str, first: int) -> dict[str, Any]:
        response = await client.post(
            "/graphql",
            json={"query": LIST, "variables": {"first": first}},
            headers={**owner.headers, "X-Request-ID": rid},
        )
        assert response.status_code == 200 and response.headers["X-Request-ID"] == rid, response.text
        return response.json()

    with recorded(services, lambda statement: request_id_var.get() == "rq-small") as small_statements:
        page = await counted("rq-small", 3)
    with recorded(services, lambda statement: request_id_var.get() == "rq-large") as large_statements:
        full = await counted("rq-large", 20)
    small, large = len(small_statements), len(large_statements)
    assert "errors" not in full, full
    nodes = full["data"]["bookings"]["nodes"]
    assert len(nodes) == 5 and nodes[0]["workshop"]["name"] == "Bilservice Oslo"
    assert {n["service"]["title"] for n in nodes} == {"Oljeskift", "Bremser"}
    assert nodes[0]["vehicle"]["registrationNumber"] == "BT57225"
    # loaders: one statement per kind of field, whatever the page size
    assert 0 < small == large, (small_statements, large_statements)
    assert page["data"]["bookings"]["pageInfo"]["hasNextPage"] is True
    rest = await graphql(client, LIST, {"first": 20, "after": page["data"]["bookings"]["pageInfo"]["endCursor"]}, owner)
    assert len(rest["data"]["bookings"]["nodes"]) == 2


async def test_create_refuses_an_org_nr_with_a_wrong_check_digit(
    client: httpx.AsyncClient, owner: SignedIn, world: World
) -> None:
    query = CREATE.replace("message fields", "message code fields")
    made = await graphql(
        client,
        query,
        {"input": {"orgNr": "921460928", "serviceStartTime": future_local(), "serviceId": world.oil.id}},
        owner,
    )
    assert made["data"]["createBooking"] == {
        "__typename": "ValidationError",
        "message": "org_nr has an invalid check digit.",
        "code": "INVALID_ORG_NR",
        "fields": [{"field": "org_nr", "reason": "invalid_checksum"}],
    }


async def test_mutations_and_service_log(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, world: World, services: Services
) -> None:
    row = await stored_booking(services, owner_id=owner.owner_id, world=world, vehicle=world.car)
    await workshop(services, "confirm", str(row.id))
    moved = await graphql(
        client,
        """mutation($id: Int!, $t: String!) { rescheduleBooking(id: $id, serviceStartTime: $t) {
        __typename ... on BookingChangeSuccess { action changeRequest { requestType status } } } }""",
        {"id": row.id, "t": future_local(days=10)},
        owner,
    )
    assert moved["data"]["rescheduleBooking"] == {
        "__typename": "BookingChangeSuccess",
        "action": "change_requested",
        "changeRequest": {"requestType": "reschedule", "status": "pending"},
    }
    requests = await graphql(client, "{ changeRequests { requestType } bookingStatuses { code } }", None, owner)
    assert requests["data"]["changeRequests"] == [{"requestType": "reschedule"}]
    assert len(requests["data"]["bookingStatuses"]) == 6
    theirs = await graphql(
        client, """mutation($id: Int!) { cancelBooking(id: $id) { __typename } }""", {"id": row.id}, other_owner
    )
    assert theirs["data"]["cancelBooking"]["__typename"] == "NotFoundError"
    rate = await graphql(
        client,
        """mutation($id: Int!) { rateBooking(bookingId: $id, rating: 5) {
        __typename ... on ConflictError { code } } }""",
        {"id": row.id},
        owner,
    )
    assert rate["data"]["rateBooking"] == {"__typename": "ConflictError", "code": "RATING_NOT_ALLOWED"}
    done = await stored_booking(services, owner_id=owner.owner_id, world=world, vehicle=world.car, status="COMPLETED")
    rated = await graphql(
        client,
        """mutation($id: Int!) { rateBooking(bookingId: $id, rating: 4, message: "Bra") {
        __typename ... on RateBookingSuccess { rating { rating message } } } }""",
        {"id": done.id},
        owner,
    )
    assert rated["data"]["rateBooking"]["rating"] == {"rating": 4.0, "message": "Bra"}
    one = await graphql(
        client,
        """query($id: Int!) { booking(id: $id) { status workshop { name } service { title }
        vehicle { registrationNumber } changeRequests { requestType } rating { rating ratedAt } payment { id } } }""",
        {"id": done.id},
        owner,
    )
    booking = one["data"]["booking"]
    assert booking["status"] == "COMPLETED" and booking["rating"]["rating"] == 4.0 and booking["rating"]["ratedAt"]
    assert booking["workshop"]["name"] == "Bilservice Oslo" and booking["changeRequests"] == []
    assert booking["payment"] is None
    moved_one = await graphql(
        client, "query($id: Int!) { booking(id: $id) { changeRequests { requestType } } }", {"id": row.id}, owner
    )
    assert moved_one["data"]["booking"]["changeRequests"] == [{"requestType": "reschedule"}]
    hidden = await graphql(client, "query($id: Int!) { booking(id: $id) { id } }", {"id": row.id}, other_owner)
    assert hidden["errors"][0]["extensions"]["code"] == "BOOKING_NOT_FOUND"
    log = await graphql(
        client,
        """{ serviceLog { totalCount nodes { serviceTitle rating } } serviceLogSummary { count averageRating }
        vehicleHistory { registrationNumber summary { count } } myRatings { rating } }""",
        None,
        owner,
    )
    assert log["data"]["serviceLog"] == {"totalCount": 1, "nodes": [{"serviceTitle": "Oljeskift", "rating": 4.0}]}
    assert log["data"]["serviceLogSummary"] == {"count": 1, "averageRating": 4.0}
    assert log["data"]["vehicleHistory"]["registrationNumber"] == "BT57225"
    token = await graphql(
        client,
        """mutation { createServiceLogExportToken(input: {filter: {registrationNumber: "EK39085"}}) {
        __typename } }""",
        None,
        owner,
    )
    assert token["data"]["createServiceLogExportToken"]["__typename"] == "ForbiddenError"
    anonymous = await graphql(client, "{ bookings { nodes { id } } }")
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"


GROUPS = """
query($first: Int!, $after: String) {
  bookings(first: $first, after: $after) {
    nodes { id groupId }
    groups { groupId items { id } summary { count totalPrice status statuses earliestStart latestEnd } }
    pageInfo { hasNextPage endCursor }
  }
}"""


READ_BY_LIST = ("bookings", "enum_booking_statuses", "workshops", "messages")


async def _groups(services: Services, owner: SignedIn, world: World, sizes: list[int]) -> list[str]:
    """Groups of `sizes[i]` lines each; lines of one group start an hour apart, groups a day apart."""
    base = utc_now().replace(microsecond=0) + timedelta(days=30)
    ids = []
    async with services.sessionmaker() as session:
        for g, size in enumerate(sizes):
            group_id = str(uuid.uuid4())
            ids.append(group_id)
            for n in range(size):
                await make_booking(
                    session,
                    owner_id=owner.owner_id,
                    workshop=world.workshop,
                    service=world.brakes if n == 0 else world.oil,
                    group_id=group_id,
                    status="CANCELLED" if n == 1 else "REQUESTED",
                    start=base - timedelta(days=g) + timedelta(hours=n),
                )
        await session.commit()
    return ids


async def test_group_summaries_cover_the_whole_group(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    (group_id,) = await _groups(services, owner, world, [3])
    whole = {
        "count": 3,
        "totalPrice": 2500.5 + 1490 + 1490,
        "status": "MIXED",
        "statuses": {"REQUESTED": 2, "CANCELLED": 1},
    }
    first = (await graphql(client, GROUPS, {"first": 2}, owner))["data"]["bookings"]
    assert [n["groupId"] for n in first["nodes"]] == [group_id, group_id] and first["pageInfo"]["hasNextPage"]
    (on_first,) = first["groups"]
    assert len(on_first["items"]) == 2  # the group's lines on this page
    assert {k: on_first["summary"][k] for k in whole} == whole
    second = (await graphql(client, GROUPS, {"first": 2, "after": first["pageInfo"]["endCursor"]}, owner))["data"][
        "bookings"
    ]
    (on_second,) = second["groups"]
    assert len(on_second["items"]) == 1
    assert on_second["summary"] == on_first["summary"]
    assert on_first["summary"]["earliestStart"] < on_first["summary"]["latestEnd"]


async def test_group_summaries_take_a_fixed_number_of_statements(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    await _groups(services, owner, world, [2] * 12)
    await graphql(client, GROUPS, {"first": 1}, owner)  # warm the connection pool
    counts = []
    for first in (3, 20):
        statements: list[str] = []

        def count(*args: Any, seen: list[str] = statements) -> None:
            if any(f"FROM {table}" in args[2] for table in READ_BY_LIST):  # not the app's background work
                seen.append(args[2])

        event.listen(services.engine.sync_engine, "before_cursor_execute", count)
        try:
            page = (await graphql(client, GROUPS, {"first": first}, owner))["data"]["bookings"]
        finally:
            event.remove(services.engine.sync_engine, "before_cursor_execute", count)
        assert all(g["summary"]["count"] == 2 for g in page["groups"])
        counts.append(len(statements))
    assert counts[0] == counts[1] == 5  # the page, all lines of its groups, statuses, workshops, unread counts
