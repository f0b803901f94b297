"""Bookings over GraphQL: create (with warnings), nested fields through loaders, mutations, the service log."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import event

from app.services import Services
from tests.bookings.conftest import World, future_local, stored_booking, workshop
from tests.conftest import SignedIn

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


async def gql(client: httpx.AsyncClient, who: SignedIn | None, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables},
                                 headers=who.headers if who else {})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_create_and_list_with_nested_fields(client: httpx.AsyncClient, owner: SignedIn, world: World,
                                                  services: Services) -> None:
    made = await gql(client, owner, CREATE, input={"orgNr": world.workshop.org_nr, "serviceStartTime": future_local(),
                                                   "services": [{"serviceId": world.oil.id}, {"serviceId": world.brakes.id}],
                                                   "registrationNumber": "BT57225"})
    payload = made["data"]["createBooking"]
    assert payload["__typename"] == "CreateBookingSuccess" and payload["group"]["summary"]["count"] == 2
    bad = await gql(client, owner, CREATE, input={"orgNr": world.workshop.org_nr, "serviceStartTime": "2020-01-01 10:00",
                                                  "serviceId": world.oil.id})
    assert bad["data"]["createBooking"]["__typename"] == "ValidationError"
    for _ in range(3):
        await gql(client, owner, CREATE, input={"orgNr": world.workshop.org_nr, "serviceStartTime": future_local(days=9),
                                                "serviceId": world.oil.id})
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(services.engine.sync_engine, "before_cursor_execute", count)
    try:
        page = await gql(client, owner, LIST, first=3)
        small = len(statements)
        statements.clear()
        full = await gql(client, owner, LIST, first=20)
        large = len(statements)
    finally:
        event.remove(services.engine.sync_engine, "before_cursor_execute", count)
    assert "errors" not in full, full
    nodes = full["data"]["bookings"]["nodes"]
    assert len(nodes) == 5 and nodes[0]["workshop"]["name"] == "Bilservice Oslo"
    assert {n["service"]["title"] for n in nodes} == {"Oljeskift", "Bremser"}
    assert nodes[0]["vehicle"]["registrationNumber"] == "BT57225"
    assert large <= small  # loaders: the statement count does not grow with the page
    assert page["data"]["bookings"]["pageInfo"]["hasNextPage"] is True
    rest = await gql(client, owner, LIST, first=20, after=page["data"]["bookings"]["pageInfo"]["endCursor"])
    assert len(rest["data"]["bookings"]["nodes"]) == 2


async def test_mutations_and_service_log(client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn,
                                         world: World, services: Services) -> None:
    row = await stored_booking(services, owner_id=owner.owner_id, world=world, vehicle=world.car)
    await workshop(services, "confirm", str(row.id))
    moved = await gql(client, owner, """mutation($id: Int!, $t: String!) { rescheduleBooking(id: $id, serviceStartTime: $t) {
        __typename ... on BookingChangeSuccess { action changeRequest { requestType status } } } }""",
                      id=row.id, t=future_local(days=10))
    assert moved["data"]["rescheduleBooking"] == {"__typename": "BookingChangeSuccess", "action": "change_requested",
                                                  "changeRequest": {"requestType": "reschedule", "status": "pending"}}
    requests = await gql(client, owner, "{ changeRequests { requestType } bookingStatuses { code } }")
    assert requests["data"]["changeRequests"] == [{"requestType": "reschedule"}]
    assert len(requests["data"]["bookingStatuses"]) == 6
    theirs = await gql(client, other_owner, """mutation($id: Int!) { cancelBooking(id: $id) { __typename } }""", id=row.id)
    assert theirs["data"]["cancelBooking"]["__typename"] == "NotFoundError"
    rate = await gql(client, owner, """mutation($id: Int!) { rateBooking(bookingId: $id, rating: 5) {
        __typename ... on ConflictError { code } } }""", id=row.id)
    assert rate["data"]["rateBooking"] == {"__typename": "ConflictError", "code": "RATING_NOT_ALLOWED"}
    done = await stored_booking(services, owner_id=owner.owner_id, world=world, vehicle=world.car, status="COMPLETED")
    rated = await gql(client, owner, """mutation($id: Int!) { rateBooking(bookingId: $id, rating: 4, message: "Bra") {
        __typename ... on RateBookingSuccess { rating { rating message } } } }""", id=done.id)
    assert rated["data"]["rateBooking"]["rating"] == {"rating": 4.0, "message": "Bra"}
    one = await gql(client, owner, """query($id: Int!) { booking(id: $id) { status workshop { name } service { title }
        vehicle { registrationNumber } changeRequests { requestType } rating { rating ratedAt } payment { id } } }""", id=done.id)
    booking = one["data"]["booking"]
    assert booking["status"] == "COMPLETED" and booking["rating"]["rating"] == 4.0 and booking["rating"]["ratedAt"]
    assert booking["workshop"]["name"] == "Bilservice Oslo" and booking["changeRequests"] == []
    assert booking["payment"] is None
    moved_one = await gql(client, owner, "query($id: Int!) { booking(id: $id) { changeRequests { requestType } } }", id=row.id)
    assert moved_one["data"]["booking"]["changeRequests"] == [{"requestType": "reschedule"}]
    hidden = await gql(client, other_owner, "query($id: Int!) { booking(id: $id) { id } }", id=row.id)
    assert hidden["errors"][0]["extensions"]["code"] == "BOOKING_NOT_FOUND"
    log = await gql(client, owner, """{ serviceLog { total items { serviceTitle rating } } serviceLogSummary { count averageRating }
        vehicleHistory { registrationNumber summary { count } } myRatings { rating } }""")
    assert log["data"]["serviceLog"] == {"total": 1, "items": [{"serviceTitle": "Oljeskift", "rating": 4.0}]}
    assert log["data"]["serviceLogSummary"] == {"count": 1, "averageRating": 4.0}
    assert log["data"]["vehicleHistory"]["registrationNumber"] == "BT57225"
    token = await gql(client, owner, """mutation { createServiceLogExportToken(filter: {registrationNumber: "EK39085"}) {
        __typename } }""")
    assert token["data"]["createServiceLogExportToken"]["__typename"] == "ForbiddenError"
    anonymous = await gql(client, None, "{ bookings { nodes { id } } }")
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"
