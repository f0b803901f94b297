"""Ratings and the service log: the reference's examples, validation, ownership and exports."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import jwt
from strawberry import relay

from app.domain.bookings.times import OSLO
from app.services import Services
from db.models import Workshop
from tests.bookings.conftest import World, stored_booking
from tests.conftest import SignedIn, sign_up_and_in
from tests.graphql_client import graphql
from tests.statements import foreground, recorded


async def completed(services: Services, owner: SignedIn, world: World, days_ago: int = 10, **fields: object) -> int:
    # mid-morning in Oslo on that day, so that the service's Oslo date is `days_ago` days back at any time of day
    start = datetime.combine(datetime.now(OSLO).date() - timedelta(days=days_ago), time(10), tzinfo=OSLO)
    row = await stored_booking(
        services,
        owner_id=owner.owner_id,
        world=world,
        status="COMPLETED",
        start=start,
        vehicle=world.car,
        service_actual_end_time=start + timedelta(hours=1),
        **fields,
    )
    assert row.id is not None
    return row.id


# --- ratings -------------------------------------------------------------------------------------


async def test_rating_reference_example_is_out_of_range(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    booking_id = await completed(services, owner, world)
    example = {"service_rating": 499.0, "service_rating_message": "string_value", "private_service_rating": True}
    for path in (
        f"/api/co/bookings/rate/{booking_id}",
        f"/api/co/rating/rate/{booking_id}",
        f"/api/co/rating/{booking_id}",
    ):
        response = await client.post(path, json=example, headers=owner.headers)
        assert response.status_code == 400, path
        assert response.json()["errors"] == [{"field": "service_rating", "reason": "out_of_range"}]
    wrong_type = await client.post(
        f"/api/co/rating/{booking_id}", json={"service_rating": "five"}, headers=owner.headers
    )
    assert wrong_type.status_code == 400


async def test_rating_routes_require_bearer(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/co/rating")).status_code == 401
    assert (await client.post("/api/co/rating/1", json={"service_rating": 5})).status_code == 401
    assert (await client.post("/api/co/rating/rate/1", json={"service_rating": 5})).status_code == 401


async def test_only_completed_bookings_can_be_rated(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    row = await stored_booking(services, owner_id=owner.owner_id, world=world, status="CONFIRMED", vehicle=world.car)
    response = await client.post(f"/api/co/rating/{row.id}", json={"service_rating": 4}, headers=owner.headers)
    assert response.status_code == 409 and response.json()["code"] == "RATING_NOT_ALLOWED"


async def test_rate_create_update_list_and_workshop_average(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, world: World, services: Services
) -> None:
    first = await completed(services, owner, world, days_ago=20)
    second = await completed(services, owner, world, days_ago=5)
    created = await client.post(
        f"/api/co/bookings/rate/{first}",
        headers=owner.headers,
        json={"service_rating": 5, "service_rating_message": "Topp", "private_service_rating": False},
    )
    assert created.status_code == 200
    data = created.json()["data"]
    assert data["service_rating"] == 5.0 and data["service_rating_message"] == "Topp" and data["rated_at"]
    await client.post(f"/api/co/rating/rate/{second}", json={"service_rating": 3}, headers=owner.headers)
    updated = await client.post(
        f"/api/co/rating/{second}", json={"service_rating": 2, "private_service_rating": True}, headers=owner.headers
    )
    assert updated.json()["data"]["service_rating"] == 2.0 and updated.json()["data"]["private_service_rating"] is True
    async with services.sessionmaker() as session:
        workshop = await session.get(Workshop, world.workshop.org_nr)
        assert workshop is not None and workshop.total_reviews == 2 and workshop.average_rating == 3.5
    for path in ("/api/co/rating", "/api/co/bookings/ratings"):
        listed = (await client.get(path, headers=owner.headers)).json()
        assert listed["total"] == 2 and {i["booking_id"] for i in listed["items"]} == {first, second}
        assert set(listed["items"][0]) == {
            "booking_id",
            "workshop_org_nr",
            "workshop_name",
            "service_id",
            "service_title",
            "registration_number",
            "status",
            "service_start_time",
            "service_estimated_end_time",
            "service_actual_end_time",
            "service_rating",
            "service_rating_message",
            "private_service_rating",
            "rated_at",
        }
    assert (await client.get("/api/co/rating", headers=other_owner.headers)).json() == {"total": 0, "items": []}
    line = (await client.get(f"/api/co/bookings/{first}", headers=owner.headers)).json()
    assert line["rating_allowed"] is True and line["service_rating"] == 5.0


# --- service log ---------------------------------------------------------------------------------


async def test_service_log_reference_examples_are_validated(
    client: httpx.AsyncClient, owner: SignedIn, world: World
) -> None:
    org = world.workshop.org_nr
    cases = [
        (f"/api/co/service-log/latest?limit=string_value&registration_number=BT57225&workshop_org_nr={org}", "limit"),
        (
            f"/api/co/service-log/list?page=string_value&page_size=string_value&registration_number=BT57225&workshop_org_nr={org}",
            "page",
        ),
        ("/api/co/service-log/vehicle-history/latest?limit=string_value&registration_number=BT57225", "limit"),
        ("/api/co/service-log/vehicle-history/list?page=string_value&page_size=string_value", "page"),
        ("/api/co/service-log/latest?limit=21", "limit"),
        ("/api/co/service-log/list?page_size=101", "page_size"),
        ("/api/co/service-log/summary?workshop_org_nr=12345", "workshop_org_nr"),
        ("/api/co/service-log/summary?date_from=12.02.2026", "date_from"),
        ("/api/co/service-log/list?date_from=2026-03-01&date_to=2026-02-01", "date_from"),
    ]
    for path, field in cases:
        response = await client.get(path, headers=owner.headers)
        assert response.status_code == 400, (path, response.text)
        assert response.json()["errors"][0]["field"] == field


async def test_service_log_examples_with_real_data(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, world: World, services: Services
) -> None:
    old = await completed(services, owner, world, days_ago=40, service_rating=4.0)
    new = await completed(services, owner, world, days_ago=2, service_rating=5.0)
    await stored_booking(services, owner_id=owner.owner_id, world=world, status="REQUESTED", vehicle=world.car)
    org = world.workshop.org_nr
    latest = await client.get(
        f"/api/co/service-log/latest?limit=5&registration_number=BT57225&workshop_org_nr={org}", headers=owner.headers
    )
    assert latest.status_code == 200
    assert [i["booking_id"] for i in latest.json()["data"]["items"]] == [new, old]
    listed = (await client.get("/api/co/service-log/list?page=2&page_size=1", headers=owner.headers)).json()["data"]
    assert listed["total"] == 2 and listed["pages"] == 2 and [i["id"] for i in listed["items"]] == [old]
    summary = (
        await client.get(
            f"/api/co/service-log/summary?registration_number=BT57225&workshop_org_nr={org}", headers=owner.headers
        )
    ).json()["data"]
    assert summary["count"] == 2 and summary["average_rating"] == 4.5 and summary["total_spent"] == 2980.0
    assert summary["last_service_date"] is not None
    ranged = (
        await client.get(
            f"/api/co/service-log/summary?date_from={(datetime.now(UTC) - timedelta(days=10)).date()}",
            headers=owner.headers,
        )
    ).json()["data"]
    assert ranged["count"] == 1
    history = (await client.get("/api/co/service-log/vehicle-history/summary", headers=owner.headers)).json()["data"]
    assert history["count"] == 2 and history["filters"]["registration_number"] == "BT57225"
    assert history["vehicle"]["registration_number"] == "BT57225"
    vlist = (await client.get("/api/co/service-log/vehicle-history/list", headers=owner.headers)).json()["data"]
    assert vlist["total"] == 2
    vlatest = (await client.get("/api/co/service-log/vehicle-history/latest?limit=1", headers=owner.headers)).json()[
        "data"
    ]
    assert [i["id"] for i in vlatest["items"]] == [new]
    records = (await client.get("/api/co/service-records", headers=owner.headers)).json()["data"]
    assert records["total"] == 2
    messages = await client.get(f"/api/co/service-log/messages/{new}", headers=owner.headers)
    assert messages.status_code == 200 and messages.json()["data"]["log_id"] == new
    # another owner: someone else's plate is 403, someone else's log is 404, and their own log is empty
    assert (
        await client.get("/api/co/service-log/list?registration_number=BT57225", headers=other_owner.headers)
    ).status_code == 403
    assert (await client.get(f"/api/co/service-log/messages/{new}", headers=other_owner.headers)).status_code == 404
    assert (await client.get("/api/co/service-log/summary", headers=other_owner.headers)).json()["data"]["count"] == 0
    assert (await client.get("/api/co/service-records", headers=other_owner.headers)).json()["data"]["total"] == 0


async def test_vehicle_history_without_a_vehicle_is_404(client: httpx.AsyncClient, world: World) -> None:
    from tests.conftest import sign_up_and_in

    nobody = await sign_up_and_in(client)
    response = await client.get("/api/co/service-log/vehicle-history/summary", headers=nobody.headers)
    assert response.status_code == 404 and response.json()["code"] == "NO_PRIMARY_VEHICLE"


async def test_export_token_and_download(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, world: World, services: Services
) -> None:
    await completed(services, owner, world, days_ago=3, service_rating=5.0, service_rating_message="Flott")
    org = world.workshop.org_nr
    issued = await client.get(
        f"/api/co/service-log/export-token?registration_number=BT57225&workshop_org_nr={org}"
        "&date_from=2026-01-01&date_to=2030-12-31",
        headers=owner.headers,
    )
    assert issued.status_code == 200
    data = issued.json()["data"]
    assert data["expires_in"] == 900 and "/api/co/service-records/export?token=" in data["download_url"]
    header = jwt.get_unverified_header(data["token"])
    assert header["typ"] == "svclog-export+jwt"
    # a browser link: no Bearer, only the token
    csv_file = await client.get(f"/api/co/service-records/export?token={data['token']}")
    assert csv_file.status_code == 200
    assert csv_file.headers["content-type"].startswith("text/csv")
    disposition = csv_file.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "minbil-servicehistorikk-BT57225-" in disposition
    lines = csv_file.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("booking_id,completed_at,registration_number")
    assert len(lines) == 2 and "Oljeskift" in lines[1] and "Flott" in lines[1]
    json_file = await client.get(f"/api/co/service-records/export?token={data['token']}&format=json")
    assert json_file.status_code == 200 and json_file.json()["data"]["total"] == 1
    assert json_file.headers["content-disposition"].endswith('.json"')
    # Bearer alone works too; nothing at all is a 401; a tampered or foreign token is refused
    assert (await client.get("/api/co/service-records/export", headers=owner.headers)).status_code == 200
    assert (await client.get("/api/co/service-records/export")).status_code == 401
    assert (await client.get(f"/api/co/service-records/export?token={data['token']}x")).status_code == 401
    assert (
        await client.get(f"/api/co/service-records/export?token={data['token']}", headers=other_owner.headers)
    ).status_code == 403
    widened = await client.get(f"/api/co/service-records/export?token={data['token']}&workshop_org_nr=921460929")
    assert widened.status_code == 403
    access = owner.access_token
    assert (await client.get(f"/api/co/service-records/export?token={access}")).status_code == 401
    listed = (await client.get("/api/co/service-log/list?export_token=1", headers=owner.headers)).json()["data"]
    assert listed["export_token"]["token"]
    assert (await client.get("/api/co/service-log/list", headers=owner.headers)).json()["data"]["export_token"] is None
    foreign = await client.get("/api/co/service-log/export-token?registration_number=EK39085", headers=owner.headers)
    assert foreign.status_code == 403


async def test_expired_export_token_is_401(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    from app.domain.service_log.results import Filters
    from app.domain.service_log.service import issue_export_token

    async with services.uow() as uow:
        sid = jwt.decode(owner.access_token, options={"verify_signature": False})["sid"]
        token = issue_export_token(uow, owner.owner_id, sid, Filters(), now=datetime.now(UTC) - timedelta(minutes=16))
    response = await client.get(f"/api/co/service-records/export?token={token.token}")
    assert response.status_code == 401 and response.json()["code"] == "EXPORT_TOKEN_EXPIRED"


async def test_export_honours_accept(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    booking_id = await completed(services, owner, world, days_ago=3, service_rating=5.0, service_rating_message="Flott")
    path = "/api/co/service-records/export"
    as_json = await client.get(path, headers={**owner.headers, "Accept": "application/json"})
    assert as_json.status_code == 200
    assert as_json.headers["content-type"] == "application/json"
    assert "accept" in as_json.headers["vary"].lower()
    body = as_json.json()
    assert set(body) == {"data", "meta"} and set(body["meta"]) == {"request_id", "generated_at"}
    assert body["data"]["total"] == 1 and body["data"]["items"][0]["booking_id"] == booking_id
    # CSV when asked for, by Accept or by ?format=csv (which wins over Accept), and by default
    for headers, query in (
        ({"Accept": "text/csv"}, ""),
        ({"Accept": "application/json"}, "?format=csv"),
        ({}, ""),
        ({"Accept": "*/*"}, ""),
        ({"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, ""),
    ):
        answer = await client.get(path + query, headers={**owner.headers, **headers})
        assert answer.status_code == 200, (headers, query)
        assert answer.headers["content-type"] == "text/csv; charset=utf-8", (headers, query)
        assert answer.content.decode("utf-8-sig").startswith("booking_id,")
    # JSON preferred by quality
    weighted = await client.get(path, headers={**owner.headers, "Accept": "text/csv;q=0.5, application/json"})
    assert weighted.headers["content-type"] == "application/json"
    # ?format=json is the same envelope, as a download
    as_file = await client.get(path + "?format=json", headers=owner.headers)
    assert as_file.json()["data"] == body["data"] and as_file.headers["content-disposition"].endswith('.json"')


async def test_export_links_end_with_the_session(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    await completed(services, owner, world, days_ago=3)
    issued = (await client.get("/api/co/service-log/export-token", headers=owner.headers)).json()["data"]
    listed = (await client.get("/api/co/service-log/list?export_token=1", headers=owner.headers)).json()["data"]
    mutation = """mutation { createServiceLogExportToken(input: {}) {
      ... on CreateServiceLogExportTokenSuccess { exportToken { token } } } }"""
    over_graphql = (await client.post("/graphql", json={"query": mutation}, headers=owner.headers)).json()
    tokens = [
        issued["token"],
        listed["export_token"]["token"],
        over_graphql["data"]["createServiceLogExportToken"]["exportToken"]["token"],
    ]
    for token in tokens:
        assert jwt.decode(token, options={"verify_signature": False})["sid"]
        assert (await client.get(f"/api/co/service-records/export?token={token}")).status_code == 200
    assert (await client.post("/api/co/auth/sign-out", headers=owner.headers)).status_code in (200, 204)
    for token in tokens:
        response = await client.get(f"/api/co/service-records/export?token={token}")
        assert response.status_code == 401 and response.json()["code"] == "TOKEN_REVOKED"


# --- the service log over GraphQL ----------------------------------------------------------------------------

LOG = """query($f: ServiceLogFilter, $first: Int, $after: String, $last: Int, $before: String) {
  serviceLog(filter: $f, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { bookingId logId serviceTitle completedAt } }
    nodes { logId }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


async def _log(client: httpx.AsyncClient, owner: SignedIn, **variables: object) -> dict[str, Any]:
    body = await graphql(client, LOG, variables, owner)
    assert "errors" not in body, body
    page: dict[str, Any] = body["data"]["serviceLog"]
    return page


def _ids(page: dict[str, Any]) -> list[int]:
    return [edge["node"]["logId"] for edge in page["edges"]]


async def test_service_log_is_a_connection_paged_both_ways(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    newest_first = [await completed(services, owner, world, days_ago=d) for d in (1, 2, 3, 4, 5)]
    first = await _log(client, owner, first=2)
    assert first["totalCount"] == 5 and _ids(first) == newest_first[:2]
    assert [n["logId"] for n in first["nodes"]] == newest_first[:2]
    assert first["edges"][0]["node"]["bookingId"] == str(relay.GlobalID("Booking", str(newest_first[0])))
    assert first["pageInfo"]["hasNextPage"] is True and first["pageInfo"]["hasPreviousPage"] is False
    second = await _log(client, owner, first=2, after=first["pageInfo"]["endCursor"])
    assert _ids(second) == newest_first[2:4] and second["pageInfo"]["hasPreviousPage"] is True
    rest = await _log(client, owner, first=10, after=second["pageInfo"]["endCursor"])
    assert _ids(rest) == newest_first[4:] and rest["pageInfo"]["hasNextPage"] is False
    last = await _log(client, owner, last=2)
    assert _ids(last) == newest_first[3:] and last["pageInfo"]["hasPreviousPage"] is True
    before = await _log(client, owner, last=2, before=last["pageInfo"]["startCursor"])
    assert _ids(before) == newest_first[1:3]
    assert _ids(await _log(client, owner)) == newest_first  # 20 by default
    assert (await _log(client, owner, first=0))["edges"] == []


async def test_service_log_page_sizes_follow_the_one_rule(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    await completed(services, owner, world)
    for variables, field in (
        ({"first": 101}, "first"),
        ({"first": -1}, "first"),
        ({"last": 101}, "last"),
        ({"first": 1, "last": 1}, "first"),
        ({"after": "bm90LWEtY3Vyc29y"}, "after"),
    ):
        body = await graphql(client, LOG, variables, owner)
        [error] = body["errors"]
        assert error["extensions"]["code"] == "VALIDATION_ERROR", body
        assert field in {f["field"] for f in error["extensions"]["fields"]}, body
    # a cursor of another field is refused too
    history = await graphql(client, "{ vehicleHistory(first: 1) { pageInfo { endCursor } } }", None, owner)
    cursor = history["data"]["vehicleHistory"]["pageInfo"]["endCursor"]
    body = await graphql(client, LOG, {"after": cursor}, owner)
    assert body["errors"][0]["extensions"]["fields"] == [{"field": "after", "reason": "invalid_cursor"}]


async def test_service_log_filters_take_days(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    recent = await completed(services, owner, world, days_ago=2)
    await completed(services, owner, world, days_ago=40)
    today = datetime.now(OSLO).date()
    since = (today - timedelta(days=10)).isoformat()
    page = await _log(client, owner, f={"dateFrom": since, "dateTo": today.isoformat()})
    assert _ids(page) == [recent] and page["totalCount"] == 1
    summary = await graphql(
        client,
        "query($f: ServiceLogFilter) { serviceLogSummary(filter: $f) { count lastServiceDate lastServiceAt } }",
        {"f": {"dateFrom": since}},
        owner,
    )
    got = summary["data"]["serviceLogSummary"]
    assert got["count"] == 1 and got["lastServiceDate"] == (today - timedelta(days=2)).isoformat()
    assert got["lastServiceAt"].endswith("Z")
    not_a_day = await graphql(client, LOG, {"f": {"dateFrom": "2026-13-01"}}, owner)
    assert not_a_day["data"] is None and not_a_day["errors"]
    backwards = await graphql(client, LOG, {"f": {"dateFrom": today.isoformat(), "dateTo": since}}, owner)
    assert backwards["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"


async def test_vehicle_history_is_a_connection_with_its_summary(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, world: World, services: Services
) -> None:
    newest_first = [await completed(services, owner, world, days_ago=d, service_rating=4.0) for d in (1, 2, 3)]
    query = """query($r: String, $first: Int) { vehicleHistory(registrationNumber: $r, first: $first) {
      registrationNumber totalCount nodes { logId } pageInfo { hasNextPage }
      summary { count averageRating lastServiceDate } } }"""
    primary = (await graphql(client, query, {"first": 2}, owner))["data"]["vehicleHistory"]
    assert primary["registrationNumber"] == "BT57225" and primary["totalCount"] == 3
    assert [n["logId"] for n in primary["nodes"]] == newest_first[:2] and primary["pageInfo"]["hasNextPage"]
    assert primary["summary"]["count"] == 3 and primary["summary"]["averageRating"] == 4.0
    named = (await graphql(client, query, {"r": "bt 57225"}, owner))["data"]["vehicleHistory"]
    assert [n["logId"] for n in named["nodes"]] == newest_first
    # another owner's vehicle, and an owner without any vehicle: null, no error
    assert await graphql(client, query, {"r": "EK39085"}, owner) == {"data": {"vehicleHistory": None}}
    newcomer = await sign_up_and_in(client)
    assert await graphql(client, query, None, newcomer) == {"data": {"vehicleHistory": None}}


EXPORT = """mutation($i: CreateServiceLogExportTokenInput!) { createServiceLogExportToken(input: $i) {
  __typename
  ... on CreateServiceLogExportTokenSuccess { exportToken { token expiresAt expiresIn downloadUrl } }
  ... on UserError { code }
  ... on ValidationError { fields { field reason } }
} }"""


async def test_export_token_mutation_answers_its_union(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    await completed(services, owner, world, days_ago=3)
    made = await graphql(
        client, EXPORT, {"i": {"filter": {"registrationNumber": "BT57225", "dateFrom": "2026-01-01"}}}, owner
    )
    success = made["data"]["createServiceLogExportToken"]
    assert success["__typename"] == "CreateServiceLogExportTokenSuccess"
    token = success["exportToken"]
    assert token["expiresIn"] == 900 and token["downloadUrl"].endswith(token["token"])
    claims = jwt.decode(token["token"], options={"verify_signature": False})
    assert claims["flt"] == {"registration_number": "BT57225", "date_from": "2026-01-01"}
    assert (await client.get(f"/api/co/service-records/export?token={token['token']}")).status_code == 200
    foreign = await graphql(client, EXPORT, {"i": {"filter": {"registrationNumber": "EK39085"}}}, owner)
    assert foreign["data"]["createServiceLogExportToken"]["__typename"] == "ForbiddenError"
    backwards = await graphql(
        client, EXPORT, {"i": {"filter": {"dateFrom": "2026-02-01", "dateTo": "2026-01-01"}}}, owner
    )
    refused = backwards["data"]["createServiceLogExportToken"]
    assert refused["__typename"] == "ValidationError"
    assert refused["fields"] == [{"field": "input.filter.dateFrom", "reason": "after_date_to"}]
    anonymous = await graphql(client, EXPORT, {"i": {}})
    assert anonymous["data"]["createServiceLogExportToken"]["__typename"] == "AuthenticationError"


async def test_service_log_statements_do_not_grow_with_the_page(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    for days in range(1, 13):
        await completed(services, owner, world, days_ago=days)
    query = """query($n: Int) { serviceLog(first: $n) { totalCount nodes { workshopName } }
      vehicleHistory(first: $n) { totalCount nodes { workshopName } summary { count } } }"""
    await graphql(client, query, {"n": 1}, owner)  # warm caches before counting
    with recorded(services, foreground) as small:
        one = await graphql(client, query, {"n": 1}, owner)
    with recorded(services, foreground) as large:
        many = await graphql(client, query, {"n": 12}, owner)
    assert len(one["data"]["serviceLog"]["nodes"]) == 1 and len(many["data"]["serviceLog"]["nodes"]) == 12
    assert len(many["data"]["vehicleHistory"]["nodes"]) == 12
    assert len(large) == len(small), "\n".join(large)
