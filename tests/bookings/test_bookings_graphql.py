"""Bookings over GraphQL: create (with warnings), nested fields through loaders, mutations with one input and exact
unions, the one connection shape paged both ways, global ids and `node` ownership, enums."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import event

from app.request_context import request_id_var
from app.services import Services
from app.values import utc_now
from graphql_api.node import global_id
from tests.bookings.conftest import World, future_local, oslo, stored_booking, workshop
from tests.conftest import SignedIn
from tests.factories import make_booking
from tests.graphql_client import graphql
from tests.statements import foreground, recorded

CREATE = """
mutation($input: CreateBookingInput!) {
  createBooking(input: $input) {
    __typename
    ... on CreateBookingSuccess {
      group { id groupId summary { count totalPrice } items { id databaseId status attachments { url name contentType } } }
      warnings { code bookingIds groupIds weekday overlappingCount }
    }
    ... on ValidationError { message code fields { field reason } }
  }
}"""

LIST = """
query($first: Int, $after: String, $last: Int, $before: String) {
  bookings(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { id } }
    nodes { id status workshop { name } service { title } vehicle { registrationNumber } changeRequests { id } rating { score } }
    groups { groupId summary { count } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


def instant(days: int = 5, hour: int = 10) -> str:
    """A future start as the DateTime scalar takes it (ISO 8601 with an offset)."""
    return oslo(future_local(days, hour)).isoformat()


def bid(booking_id: int | None) -> str:
    return str(global_id("Booking", booking_id))


def service_id(world: World, which: str = "oil") -> str:
    return str(global_id("Service", getattr(world, which).id))


async def test_create_and_list_with_nested_fields(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    made = await graphql(
        client,
        CREATE,
        {
            "input": {
                "orgNr": world.workshop.org_nr,
                "serviceStartTime": instant(),
                "services": [
                    {
                        "serviceId": service_id(world),
                        "attachments": [{"url": "https://cdn.minbil.no/a.jpg", "contentType": "image/jpeg"}],
                    },
                    {"serviceId": service_id(world, "brakes")},
                ],
                "registrationNumber": "BT57225",
            }
        },
        owner,
    )
    payload = made["data"]["createBooking"]
    assert payload["__typename"] == "CreateBookingSuccess", made
    group = payload["group"]
    assert group["summary"]["count"] == 2 and group["id"] == str(global_id("BookingGroup", group["groupId"]))
    first_line = group["items"][0]
    assert first_line["id"] == bid(first_line["databaseId"]) and first_line["status"] == "REQUESTED"
    assert first_line["attachments"] == [
        {"url": "https://cdn.minbil.no/a.jpg", "name": None, "contentType": "image/jpeg"}
    ]
    for days in (9, 10, 11):
        again = await graphql(
            client,
            CREATE,
            {
                "input": {
                    "orgNr": world.workshop.org_nr,
                    "serviceStartTime": instant(days),
                    "serviceId": service_id(world),
                }
            },
            owner,
        )
        assert again["data"]["createBooking"]["__typename"] == "CreateBookingSuccess", again

    # only the request's own statements: the middleware sets the request id in the request's context, so the
    # relay and other background tasks (which never carry it) are not counted
    async def counted(rid: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await client.post(
            "/graphql",
            json={"query": LIST, "variables": variables},
            headers={**owner.headers, "X-Request-ID": rid},
        )
        assert response.status_code == 200 and response.headers["X-Request-ID"] == rid, response.text
        return response.json()

    with recorded(services, lambda statement: request_id_var.get() == "rq-small") as small_statements:
        page = await counted("rq-small", {"first": 3})
    with recorded(services, lambda statement: request_id_var.get() == "rq-large") as large_statements:
        full = await counted("rq-large", {"first": 20})
    with recorded(services, lambda statement: request_id_var.get() == "rq-back") as back_statements:
        back = await counted("rq-back", {"last": 20})
    small, large = len(small_statements), len(large_statements)
    assert "errors" not in full, full
    nodes = full["data"]["bookings"]["nodes"]
    assert len(nodes) == 5 and full["data"]["bookings"]["totalCount"] == 5
    assert nodes[0]["workshop"]["name"] == "Bilservice Oslo"
    assert {n["service"]["title"] for n in nodes} == {"Oljeskift", "Bremser"}
    assert nodes[0]["vehicle"]["registrationNumber"] == "BT57225"
    # loaders: one statement per kind of field, whatever the page size or direction
    assert 0 < small == large == len(back_statements), (small_statements, large_statements, back_statements)
    assert back["data"]["bookings"]["nodes"] == nodes
    assert page["data"]["bookings"]["pageInfo"]["hasNextPage"] is True
    rest = await graphql(client, LIST, {"first": 20, "after": page["data"]["bookings"]["pageInfo"]["endCursor"]}, owner)
    assert len(rest["data"]["bookings"]["nodes"]) == 2


async def test_paging_backward_with_last_and_before_mirrors_paging_forward(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    base = utc_now().replace(microsecond=0) + timedelta(days=20)
    for n in range(5):
        await stored_booking(services, owner_id=owner.owner_id, world=world, start=base + timedelta(hours=n))
    same_start = [await stored_booking(services, owner_id=owner.owner_id, world=world, start=base) for _ in range(2)]
    full = (await graphql(client, LIST, {"first": 100}, owner))["data"]["bookings"]
    order = [e["node"]["id"] for e in full["edges"]]
    assert len(order) == 7 and full["totalCount"] == 7
    assert order[-3:-1] == [bid(b.id) for b in reversed(same_start)]  # same start: newest id first
    assert full["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": full["edges"][0]["cursor"],
        "endCursor": full["edges"][-1]["cursor"],
    }

    # from the end, three at a time
    walked: list[str] = []
    before = None
    while True:
        page = (await graphql(client, LIST, {"last": 3, "before": before}, owner))["data"]["bookings"]
        walked = [e["node"]["id"] for e in page["edges"]] + walked
        assert page["totalCount"] == 7 and page["pageInfo"]["hasNextPage"] is (before is not None)
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert walked == order

    # a window between two cursors, from either end
    after, before = full["edges"][1]["cursor"], full["edges"][5]["cursor"]
    forward = (await graphql(client, LIST, {"first": 2, "after": after, "before": before}, owner))["data"]["bookings"]
    backward = (await graphql(client, LIST, {"last": 2, "after": after, "before": before}, owner))["data"]["bookings"]
    assert [n["id"] for n in forward["nodes"]] == order[2:4]
    assert [n["id"] for n in backward["nodes"]] == order[3:5]
    assert forward["pageInfo"]["hasNextPage"] and forward["pageInfo"]["hasPreviousPage"]
    assert backward["pageInfo"]["hasNextPage"] and backward["pageInfo"]["hasPreviousPage"]

    both = await graphql(client, LIST, {"first": 2, "last": 2}, owner)
    assert both["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    assert {f["field"] for f in both["errors"][0]["extensions"]["fields"]} == {"first", "last"}
    too_many = await graphql(client, LIST, {"last": 101}, owner)
    assert too_many["errors"][0]["extensions"]["fields"] == [{"field": "last", "reason": "out_of_range"}]
    foreign = await graphql(client, LIST, {"last": 2, "before": "bm90IGEgY3Vyc29y"}, owner)
    assert foreign["errors"][0]["extensions"]["fields"] == [{"field": "before", "reason": "invalid_cursor"}]
    empty = (await graphql(client, LIST, {"first": 0}, owner))["data"]["bookings"]
    assert empty["nodes"] == [] and empty["pageInfo"]["hasNextPage"] is True and empty["totalCount"] == 7


async def test_create_refuses_an_org_nr_with_a_wrong_check_digit(
    client: httpx.AsyncClient, owner: SignedIn, world: World
) -> None:
    made = await graphql(
        client,
        CREATE,
        {"input": {"orgNr": "921460928", "serviceStartTime": instant(), "serviceId": service_id(world)}},
        owner,
    )
    assert made["data"]["createBooking"] == {
        "__typename": "ValidationError",
        "message": "org_nr has an invalid check digit.",
        "code": "INVALID_ORG_NR",
        "fields": [{"field": "input.orgNr", "reason": "invalid_checksum"}],
    }


async def test_validation_errors_name_input_paths(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    past = (utc_now() - timedelta(days=1)).isoformat()
    cases: list[tuple[dict[str, Any], dict[str, str]]] = [
        (
            {"orgNr": world.workshop.org_nr, "serviceStartTime": past, "serviceId": service_id(world)},
            {"field": "input.serviceStartTime", "reason": "in_past"},
        ),
        (
            {"orgNr": world.workshop.org_nr, "serviceStartTime": instant(), "services": [{"serviceId": bid(1)}]},
            {"field": "input.services[0].serviceId", "reason": "invalid_id"},
        ),
        (
            {
                "orgNr": world.workshop.org_nr,
                "serviceStartTime": instant(),
                "services": [{"serviceId": service_id(world), "message": "x" * 4001}],
            },
            {"field": "input.services[0].message", "reason": "too_long"},
        ),
        (
            {"orgNr": world.workshop.org_nr, "serviceStartTime": instant(), "serviceId": service_id(world, "foreign")},
            {"field": "input.serviceId", "reason": "not_in_workshop"},
        ),
        (
            {
                "orgNr": world.workshop.org_nr,
                "serviceStartTime": instant(),
                "serviceId": service_id(world),
                "idempotencyKey": " ",
            },
            {"field": "input.idempotencyKey", "reason": "invalid"},
        ),
    ]
    for given, field in cases:
        answer = (await graphql(client, CREATE, {"input": given}, owner))["data"]["createBooking"]
        assert answer["__typename"] == "ValidationError" and answer["fields"] == [field], (given, answer)

    done = await stored_booking(services, owner_id=owner.owner_id, world=world, status="COMPLETED")
    rated = await graphql(
        client,
        """mutation($input: RateBookingInput!) { rateBooking(input: $input) {
        __typename ... on ValidationError { fields { field reason } } } }""",
        {"input": {"bookingId": bid(done.id), "score": 6}},
        owner,
    )
    assert rated["data"]["rateBooking"] == {
        "__typename": "ValidationError",
        "fields": [{"field": "input.score", "reason": "out_of_range"}],
    }
    wrong_type = await graphql(
        client,
        """mutation($input: RescheduleBookingInput!) { rescheduleBooking(input: $input) {
        __typename ... on ValidationError { fields { field reason } } } }""",
        {"input": {"bookingId": str(global_id("ChangeRequest", done.id)), "serviceStartTime": instant()}},
        owner,
    )
    assert wrong_type["data"]["rescheduleBooking"]["fields"] == [{"field": "input.bookingId", "reason": "invalid_id"}]


RESCHEDULE = """mutation($input: RescheduleBookingInput!) { rescheduleBooking(input: $input) {
  __typename ... on BookingChangeSuccess { action changeRequest { requestType status } } } }"""
CANCEL = """mutation($input: CancelBookingInput!) { cancelBooking(input: $input) {
  __typename ... on NotFoundError { code }
  ... on CancelBookingSuccess { cancelled { id status } changeRequests { requestType } items { id } } } }"""
RATE = """mutation($input: RateBookingInput!) { rateBooking(input: $input) {
  __typename ... on ConflictError { code } ... on RateBookingSuccess { rating { id databaseId score message booking { id } } } } }"""


async def test_mutations_and_the_owners_lists(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, world: World, services: Services
) -> None:
    row = await stored_booking(services, owner_id=owner.owner_id, world=world, vehicle=world.car)
    await workshop(services, "confirm", str(row.id))
    moved = await graphql(
        client, RESCHEDULE, {"input": {"bookingId": bid(row.id), "serviceStartTime": instant(10)}}, owner
    )
    assert moved["data"]["rescheduleBooking"] == {
        "__typename": "BookingChangeSuccess",
        "action": "CHANGE_REQUESTED",
        "changeRequest": {"requestType": "RESCHEDULE", "status": "PENDING"},
    }
    requests = await graphql(
        client,
        """{ changeRequests(status: PENDING) { totalCount nodes { requestType booking { id } } }
        bookingStatuses { code displayName } }""",
        None,
        owner,
    )
    assert requests["data"]["changeRequests"] == {
        "totalCount": 1,
        "nodes": [{"requestType": "RESCHEDULE", "booking": {"id": bid(row.id)}}],
    }
    assert len(requests["data"]["bookingStatuses"]) == 6
    assert "REQUESTED" in {s["code"] for s in requests["data"]["bookingStatuses"]}
    theirs = await graphql(client, CANCEL, {"input": {"bookingId": bid(row.id)}}, other_owner)
    assert theirs["data"]["cancelBooking"] == {"__typename": "NotFoundError", "code": "BOOKING_NOT_FOUND"}
    rate = await graphql(client, RATE, {"input": {"bookingId": bid(row.id), "score": 5}}, owner)
    assert rate["data"]["rateBooking"] == {"__typename": "ConflictError", "code": "RATING_NOT_ALLOWED"}
    done = await stored_booking(services, owner_id=owner.owner_id, world=world, vehicle=world.car, status="COMPLETED")
    rated = await graphql(client, RATE, {"input": {"bookingId": bid(done.id), "score": 4, "message": "Bra"}}, owner)
    assert rated["data"]["rateBooking"]["rating"] == {
        "id": str(global_id("Rating", done.id)),
        "databaseId": done.id,
        "score": 4.0,
        "message": "Bra",
        "booking": {"id": bid(done.id)},
    }
    one = await graphql(
        client,
        """query($id: ID!) { booking(id: $id) { databaseId status workshop { name } service { databaseId title }
        vehicle { registrationNumber } changeRequests { requestType } rating { score ratedAt } payment { id } } }""",
        {"id": bid(done.id)},
        owner,
    )
    booking = one["data"]["booking"]
    assert booking["status"] == "COMPLETED" and booking["rating"]["score"] == 4.0 and booking["rating"]["ratedAt"]
    assert booking["workshop"]["name"] == "Bilservice Oslo" and booking["changeRequests"] == []
    assert booking["service"] == {"databaseId": world.oil.id, "title": "Oljeskift"}
    assert booking["payment"] is None and booking["databaseId"] == done.id
    moved_one = await graphql(
        client, "query($id: ID!) { booking(id: $id) { changeRequests { requestType } } }", {"id": bid(row.id)}, owner
    )
    assert moved_one["data"]["booking"]["changeRequests"] == [{"requestType": "RESCHEDULE"}]
    ratings = await graphql(
        client, "{ myRatings(last: 5) { totalCount nodes { score } pageInfo { hasPreviousPage } } }", None, owner
    )
    assert ratings["data"]["myRatings"] == {
        "totalCount": 1,
        "nodes": [{"score": 4.0}],
        "pageInfo": {"hasPreviousPage": False},
    }
    log = await graphql(
        client,
        """{ serviceLog { totalCount nodes { serviceTitle rating } } serviceLogSummary { count averageRating }
        vehicleHistory { registrationNumber summary { count } } }""",
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
    cancelled = await graphql(
        client, CANCEL, {"input": {"groupId": str(global_id("BookingGroup", row.group_id))}}, owner
    )
    payload = cancelled["data"]["cancelBooking"]
    assert payload["__typename"] == "CancelBookingSuccess", cancelled
    assert payload["cancelled"] == [] and payload["changeRequests"] == [{"requestType": "CANCEL"}]
    anonymous = await graphql(client, "{ bookings { nodes { id } } }")
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"


async def test_booking_by_id_is_null_for_another_owner_without_failing_the_query(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, world: World, services: Services
) -> None:
    row = await stored_booking(services, owner_id=owner.owner_id, world=world)
    query = "query($id: ID!) { booking(id: $id) { id } bookingStatuses { code } }"
    mine = await graphql(client, query, {"id": bid(row.id)}, owner)
    assert mine["data"]["booking"] == {"id": bid(row.id)}
    for who, gid in ((other_owner, bid(row.id)), (owner, bid(2_000_000_000))):
        hidden = await graphql(client, query, {"id": gid}, who)
        assert "errors" not in hidden and hidden["data"]["booking"] is None
        assert len(hidden["data"]["bookingStatuses"]) == 6
    anonymous = await graphql(client, query, {"id": bid(row.id)})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"


NODES = """query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
  ... on Booking { databaseId }
  ... on BookingGroup { groupId items { databaseId } }
  ... on ChangeRequest { databaseId requestType }
  ... on Rating { databaseId score } } }"""


async def test_nodes_resolve_only_the_owners_objects(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, world: World, services: Services
) -> None:
    line = await stored_booking(services, owner_id=owner.owner_id, world=world, status="CONFIRMED")
    rated = await stored_booking(
        services, owner_id=owner.owner_id, world=world, status="COMPLETED", service_rating=3.0, rated_at=utc_now()
    )
    asked = await client.post(
        "/api/co/bookings/change-requests",
        headers=owner.headers,
        json={"booking_id": line.id, "request_type": "cancel", "reason": "Syk"},
    )
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["id"]
    ids = [
        bid(line.id),
        str(global_id("BookingGroup", line.group_id)),
        str(global_id("ChangeRequest", request_id)),
        str(global_id("Rating", rated.id)),
        str(global_id("Rating", line.id)),  # not rated: no rating
        str(global_id("BookingGroup", "not-a-group")),
    ]
    mine = (await graphql(client, NODES, {"ids": ids}, owner))["data"]["nodes"]
    assert mine == [
        {"__typename": "Booking", "id": ids[0], "databaseId": line.id},
        {"__typename": "BookingGroup", "id": ids[1], "groupId": line.group_id, "items": [{"databaseId": line.id}]},
        {"__typename": "ChangeRequest", "id": ids[2], "databaseId": request_id, "requestType": "CANCEL"},
        {"__typename": "Rating", "id": ids[3], "databaseId": rated.id, "score": 3.0},
        None,
        None,
    ]
    theirs = await graphql(client, NODES, {"ids": ids}, other_owner)
    assert theirs["data"]["nodes"] == [None] * len(ids)
    anonymous = await graphql(client, NODES, {"ids": ids})
    assert anonymous["data"]["nodes"] == [None] * len(ids)

    # one lookup per type, whatever the number of ids
    more = [await stored_booking(services, owner_id=owner.owner_id, world=world) for _ in range(4)]
    await graphql(client, NODES, {"ids": ids}, owner)  # warm
    with recorded(services, foreground) as few:
        await graphql(client, NODES, {"ids": ids[:1]}, owner)
    with recorded(services, foreground) as many:
        await graphql(client, NODES, {"ids": [bid(b.id) for b in [line, *more]]}, owner)
    assert len(few) == len(many), (few, many)


async def test_enums_filter_and_show_statuses(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    done = await stored_booking(services, owner_id=owner.owner_id, world=world, status="COMPLETED")
    await stored_booking(services, owner_id=owner.owner_id, world=world, status="REQUESTED")
    listed = await graphql(
        client,
        "{ bookings(filter: {statuses: [COMPLETED, NO_SHOW]}) { totalCount nodes { databaseId status } } }",
        None,
        owner,
    )
    assert listed["data"]["bookings"] == {"totalCount": 1, "nodes": [{"databaseId": done.id, "status": "COMPLETED"}]}
    by_group = await graphql(
        client,
        "query($g: ID!) { bookings(filter: {groupId: $g}) { nodes { databaseId } } }",
        {"g": str(global_id("BookingGroup", done.group_id))},
        owner,
    )
    assert by_group["data"]["bookings"]["nodes"] == [{"databaseId": done.id}]
    not_a_group = await graphql(
        client, "query($g: ID!) { bookings(filter: {groupId: $g}) { totalCount } }", {"g": bid(done.id)}, owner
    )
    assert not_a_group["errors"][0]["extensions"]["fields"] == [{"field": "filter.groupId", "reason": "invalid_id"}]
    typo = await graphql(client, "{ bookings(filter: {statuses: [CONFIRMD]}) { totalCount } }", None, owner)
    assert typo["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    values = await graphql(
        client,
        """{ s: __type(name: "BookingStatus") { enumValues { name description } }
        t: __type(name: "ChangeRequestType") { enumValues { name } }
        w: __type(name: "BookingWarningCode") { enumValues { name } } }""",
        None,
        owner,
    )
    statuses = values["data"]["s"]["enumValues"]
    assert [v["name"] for v in statuses] == [
        "REQUESTED",
        "CONFIRMED",
        "IN_PROGRESS",
        "COMPLETED",
        "DECLINED",
        "CANCELLED",
        "NO_SHOW",
    ]
    assert all(v["description"] for v in statuses)
    assert [v["name"] for v in values["data"]["t"]["enumValues"]] == ["RESCHEDULE", "CANCEL"]
    assert "DOUBLE_BOOKING" in {v["name"] for v in values["data"]["w"]["enumValues"]}


async def test_warnings_are_typed(client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services) -> None:
    start = instant(12, hour=20)  # after the workshop closes
    first = await graphql(
        client,
        CREATE,
        {"input": {"orgNr": world.workshop.org_nr, "serviceStartTime": start, "serviceId": service_id(world)}},
        owner,
    )
    line = first["data"]["createBooking"]["group"]["items"][0]
    assert first["data"]["createBooking"]["warnings"] == [
        {
            "code": "OUTSIDE_OPENING_HOURS",
            "bookingIds": [],
            "groupIds": [],
            "weekday": oslo(future_local(12)).weekday(),
            "overlappingCount": None,
        }
    ]
    second = await graphql(
        client,
        CREATE,
        {
            "input": {
                "orgNr": world.workshop.org_nr,
                "serviceStartTime": start,
                "serviceId": service_id(world, "brakes"),
            }
        },
        owner,
    )
    codes = {w["code"]: w for w in second["data"]["createBooking"]["warnings"]}
    assert codes["DOUBLE_BOOKING"]["bookingIds"] == [line["id"]]
    assert codes["DOUBLE_BOOKING"]["groupIds"] == [first["data"]["createBooking"]["group"]["groupId"]]


GROUPS = """
query($first: Int!, $after: String) {
  bookings(first: $first, after: $after) {
    nodes { id groupId }
    groups { id groupId items { id } summary { count totalPrice status statuses { status count } earliestStart latestEnd } }
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
        "statuses": [{"status": "REQUESTED", "count": 2}, {"status": "CANCELLED", "count": 1}],
    }
    first = (await graphql(client, GROUPS, {"first": 2}, owner))["data"]["bookings"]
    assert [n["groupId"] for n in first["nodes"]] == [group_id, group_id] and first["pageInfo"]["hasNextPage"]
    (on_first,) = first["groups"]
    assert len(on_first["items"]) == 2  # the group's lines on this page
    summary = {**on_first["summary"], "statuses": sorted(on_first["summary"]["statuses"], key=lambda s: -s["count"])}
    assert {k: summary[k] for k in whole} == whole
    second = (await graphql(client, GROUPS, {"first": 2, "after": first["pageInfo"]["endCursor"]}, owner))["data"][
        "bookings"
    ]
    (on_second,) = second["groups"]
    assert len(on_second["items"]) == 1
    assert on_second["summary"] == on_first["summary"] and on_second["id"] == on_first["id"]
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
    # the page, the total, all lines of its groups, statuses, workshops, unread counts
    assert counts[0] == counts[1] == 6


REQUESTS_AND_RATINGS = """query($first: Int!) {
  changeRequests(first: $first) { totalCount edges { cursor node { requestType booking { databaseId workshop { name } } } } }
  myRatings(first: $first) { totalCount nodes { score booking { databaseId status } } }
}"""


async def test_change_requests_and_ratings_take_a_fixed_number_of_statements(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    async def add(n: int) -> None:
        for _ in range(n):
            line = await stored_booking(services, owner_id=owner.owner_id, world=world, status="CONFIRMED")
            asked = await client.post(
                "/api/co/bookings/change-requests",
                headers=owner.headers,
                json={"booking_id": line.id, "request_type": "cancel"},
            )
            assert asked.status_code == 201, asked.text
            await stored_booking(
                services,
                owner_id=owner.owner_id,
                world=world,
                status="COMPLETED",
                service_rating=4.0,
                rated_at=utc_now(),
            )

    await add(1)
    await graphql(client, REQUESTS_AND_RATINGS, {"first": 50}, owner)  # warm
    with recorded(services, foreground) as few:
        small = (await graphql(client, REQUESTS_AND_RATINGS, {"first": 50}, owner))["data"]
    await add(5)
    with recorded(services, foreground) as many:
        large = (await graphql(client, REQUESTS_AND_RATINGS, {"first": 50}, owner))["data"]
    assert small["changeRequests"]["totalCount"] == 1 and large["changeRequests"]["totalCount"] == 6
    assert len(large["myRatings"]["nodes"]) == 6 and large["myRatings"]["nodes"][0]["booking"]["status"] == "COMPLETED"
    assert {e["node"]["booking"]["workshop"]["name"] for e in large["changeRequests"]["edges"]} == {"Bilservice Oslo"}
    assert len(few) == len(many), (few, many)
