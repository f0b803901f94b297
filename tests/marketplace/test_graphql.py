"""The marketplace over GraphQL: the connection, nested fields through DataLoaders, favourites mutations."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from strawberry import relay

from app.services import Services
from tests import factories as f
from tests.conftest import SignedIn
from tests.graphql_client import graphql_data
from tests.marketplace.conftest import Catalogue
from tests.statements import recorded

WORKSHOPS = """
query($first: Int!, $filter: WorkshopFilter) {
  workshops(first: $first, filter: $filter, sort: {field: NAME}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id databaseId orgNr name isFavourite isOpenNow rating { average totalReviews }
      services { id title price categories { name } } categories { id name }
      openingHours { weekday opensAt } } }
  }
}"""


async def test_statement_count_does_not_grow_with_first(
    client: httpx.AsyncClient, services: Services, owner: SignedIn
) -> None:
    async with services.sessionmaker() as session:
        category = await f.make_workshop_category(session, "Bilverksted")
        service_category = await f.make_service_category(session, "EU-kontroll")
        for n in range(120):
            workshop = await f.make_workshop(session, name=f"Verksted {n:03d}", categories=[category])
            await f.make_service(session, workshop, categories=[service_category])
        await session.commit()
    await graphql_data(client, WORKSHOPS, {"first": 1}, owner)  # warm the connection pool
    counts = []
    for first in (10, 100):
        with recorded(services, lambda statement: "/* marketplace:" in statement) as seen:
            data = await graphql_data(client, WORKSHOPS, {"first": first}, owner)
        assert len(data["workshops"]["edges"]) == first
        assert data["workshops"]["totalCount"] == 120
        assert all(
            e["node"]["services"][0]["categories"] == [{"name": "EU-kontroll"}] for e in data["workshops"]["edges"]
        )
        counts.append(len(seen))
    # the search, then services, their categories, workshop categories, opening hours and favourites: one each at
    # most (the caller's favourites, read by the first page, may still be in this instance's favourites layer)
    assert counts[0] <= 6 and counts[1] <= counts[0]


async def test_connection_filters_pages_and_facets(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    query = """query($after: String) { workshops(first: 2, after: $after, filter: {counties: ["Oslo", "Vestland"]},
        sort: {field: NAME}) { totalCount facets { cities { label count } } pageInfo { hasNextPage endCursor }
        nodes { name } } }"""
    first = (await graphql_data(client, query))["workshops"]
    assert first["totalCount"] == 3 and [n["name"] for n in first["nodes"]] == [
        "Bergen Motor",
        "Grünerløkka Dekk og Felg",
    ]
    assert {c["label"]: c["count"] for c in first["facets"]["cities"]} == {"Oslo": 2, "Bergen": 1}
    second = (await graphql_data(client, query, {"after": first["pageInfo"]["endCursor"]}))["workshops"]
    assert [n["name"] for n in second["nodes"]] == ["Oslo Bilservice"] and not second["pageInfo"]["hasNextPage"]
    bad = await client.post("/graphql", json={"query": "query { workshops(filter: {minRating: 7}) { totalCount } }"})
    assert bad.json()["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"


async def test_nearby_workshop_and_categories(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    data = await graphql_data(
        client,
        """query($org: String!) {
      nearbyWorkshops(lat: 59.9139, lng: 10.7522) { totalCount nodes { name distanceKm } }
      workshop(orgNr: $org) { name addresses { city } services { title } rating { average reviews { rating } } }
      missing: workshop(orgNr: "921460929") { name }
      workshopCategories { name }
      serviceCategories(tree: true) { name children { name } }
    }""",
        {"org": catalogue.oslo.org_nr},
    )
    assert [w["name"] for w in data["nearbyWorkshops"]["nodes"]] == ["Oslo Bilservice", "Grünerløkka Dekk og Felg"]
    assert data["nearbyWorkshops"]["totalCount"] == 2
    assert data["workshop"]["addresses"] == [{"city": "Oslo"}] and data["workshop"]["rating"]["average"] == 4.6
    assert data["missing"] is None
    assert [c["name"] for c in data["workshopCategories"]] == ["Bilverksted", "Dekk", "Lakk"]
    assert data["serviceCategories"][0] == {"name": "Service", "children": [{"name": "Oljeskift"}]}


def workshop_id(org_nr: str) -> str:
    return str(relay.GlobalID("Workshop", org_nr))


async def test_favourite_mutations_and_is_favourite(
    client: httpx.AsyncClient, catalogue: Catalogue, owner: SignedIn
) -> None:
    mutation = """mutation($id: ID!) { addFavourite(input: {workshopId: $id}) {
        __typename ... on FavouriteResult { orgNr changed workshop { name } }
        ... on ValidationError { code fields { field reason } } ... on UserError { code } } }"""
    lokka = workshop_id(catalogue.lokka.org_nr)
    added = await graphql_data(client, mutation, {"id": lokka}, owner)
    assert added["addFavourite"] == {
        "__typename": "FavouriteResult",
        "orgNr": catalogue.lokka.org_nr,
        "changed": True,
        "workshop": {"name": "Grünerløkka Dekk og Felg"},
    }
    again = await graphql_data(client, mutation, {"id": lokka}, owner)
    assert again["addFavourite"]["changed"] is False
    invalid = await graphql_data(client, mutation, {"id": workshop_id("123456789")}, owner)
    assert invalid["addFavourite"] == {
        "__typename": "ValidationError",
        "code": "INVALID_ORG_NR",
        "fields": [{"field": "input.workshopId", "reason": "invalid_checksum"}],
    }
    other_type = await graphql_data(client, mutation, {"id": str(relay.GlobalID("Booking", "1"))}, owner)
    assert other_type["addFavourite"]["fields"] == [{"field": "input.workshopId", "reason": "invalid_id"}]
    unknown = await graphql_data(client, mutation, {"id": workshop_id("921460929")}, owner)
    assert unknown["addFavourite"] == {"__typename": "NotFoundError", "code": "WORKSHOP_NOT_FOUND"}
    anonymous = await graphql_data(client, mutation, {"id": lokka})
    assert anonymous["addFavourite"]["__typename"] == "AuthenticationError"
    favs = await graphql_data(client, "{ favourites { totalCount nodes { name isFavourite } } }", None, owner)
    assert favs["favourites"] == {"totalCount": 1, "nodes": [{"name": "Grünerløkka Dekk og Felg", "isFavourite": True}]}
    listed = await graphql_data(
        client, '{ workshops(filter: {cities: ["oslo"]}) { nodes { name isFavourite } } }', None, owner
    )
    assert {n["name"]: n["isFavourite"] for n in listed["workshops"]["nodes"]} == {
        "Grünerløkka Dekk og Felg": True,
        "Oslo Bilservice": False,
    }
    removed = await graphql_data(
        client,
        """mutation($id: ID!) { removeFavourite(input: {workshopId: $id}) {
        ... on FavouriteResult { changed isFavourite } } }""",
        {"id": lokka},
        owner,
    )
    assert removed["removeFavourite"] == {"changed": True, "isFavourite": False}


async def test_car_brands_need_a_caller(client: httpx.AsyncClient, services: Services, owner: SignedIn) -> None:
    async with services.sessionmaker() as session:
        await f.make_car_brand(session, "Volvo")
        await session.commit()
    anonymous = await client.post("/graphql", json={"query": "{ carBrands { name } }"})
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "API_KEY_MISSING"
    assert (await graphql_data(client, "{ carBrands { name } }", None, owner))["carBrands"] == [{"name": "Volvo"}]
    assert (await graphql_data(client, "{ carBrands { name } }", headers={"x-api-key": "test-api-key"}))[
        "carBrands"
    ] == [{"name": "Volvo"}]


async def test_facets_through_fragments(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    direct = """{ workshops(filter: {counties: ["Oslo"]}) { facets { cities { label count } } } }"""
    named = """query { workshops(filter: {counties: ["Oslo"]}) { ...Results } }
        fragment Results on WorkshopConnection { totalCount facets { cities { label count } } }"""
    inline = """{ workshops(filter: {counties: ["Oslo"]}) { ... on WorkshopConnection { facets { cities { label count } } } } }"""
    nested = """query { workshops(filter: {counties: ["Oslo"]}) { ...Outer } }
        fragment Outer on WorkshopConnection { ... @include(if: true) { ...Inner } }
        fragment Inner on WorkshopConnection { facets { cities { label count } } }"""
    expected = [{"label": "Oslo", "count": 2}]
    for query in (direct, named, inline, nested):
        facets = (await graphql_data(client, query))["workshops"]["facets"]
        assert facets is not None, query
        assert facets["cities"] == expected, query
    skipped = """{ workshops { totalCount facets @skip(if: true) { cities { label } } } }"""
    assert "facets" not in (await graphql_data(client, skipped))["workshops"]


PAGE = """query($first: Int, $after: String, $last: Int, $before: String) {
  workshops(first: $first, after: $after, last: $last, before: $before, sort: {field: NAME}) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { name } } }"""
NAMES = ["Bergen Motor", "Bærum Lakk & Karosseri", "Drammen Bilsenter", "Grünerløkka Dekk og Felg", "Oslo Bilservice"]


async def test_workshops_pages_forward_and_backward(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    async def page(**variables: object) -> dict[str, Any]:
        return (await graphql_data(client, PAGE, variables))["workshops"]

    everything = await page()
    assert [n["name"] for n in everything["nodes"]] == NAMES and everything["totalCount"] == 5
    last_two = await page(last=2)
    assert [n["name"] for n in last_two["nodes"]] == NAMES[3:]
    assert last_two["pageInfo"]["hasPreviousPage"] and not last_two["pageInfo"]["hasNextPage"]
    before = await page(last=2, before=last_two["pageInfo"]["startCursor"])
    assert [n["name"] for n in before["nodes"]] == NAMES[1:3]
    first_two = await page(first=2)
    between = await page(after=first_two["pageInfo"]["endCursor"], before=last_two["pageInfo"]["endCursor"])
    assert [n["name"] for n in between["nodes"]] == NAMES[2:4]
    empty = await page(first=0)
    assert empty["nodes"] == [] and empty["totalCount"] == 5 and empty["pageInfo"]["hasNextPage"]


@pytest.mark.parametrize(
    ("variables", "fields"),
    [
        ({"first": 101}, {"first": "out_of_range"}),
        ({"first": -1}, {"first": "out_of_range"}),
        ({"last": 101}, {"last": "out_of_range"}),
        ({"first": 1, "last": 1}, {"first": "with_last", "last": "with_first"}),
        ({"after": "bm90LWEtY3Vyc29y"}, {"after": "invalid_cursor"}),
    ],
)
async def test_one_page_size_rule_refuses_never_clamps(
    client: httpx.AsyncClient, variables: dict[str, object], fields: dict[str, str]
) -> None:
    for query in (
        PAGE,
        PAGE.replace("workshops(", "nearbyWorkshops(lat: 59.9, lng: 10.7, ").replace(", sort: {field: NAME}", ""),
    ):
        error = (await client.post("/graphql", json={"query": query, "variables": variables})).json()["errors"][0]
        assert error["extensions"]["code"] == "VALIDATION_ERROR"
        assert {e["field"]: e["reason"] for e in error["extensions"]["fields"]} == fields


async def test_cursor_of_one_field_is_refused_by_another(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    cursor = (await graphql_data(client, PAGE, {"first": 1}))["workshops"]["pageInfo"]["endCursor"]
    query = "query($a: String) { nearbyWorkshops(lat: 59.9, lng: 10.7, after: $a) { totalCount } }"
    error = (await client.post("/graphql", json={"query": query, "variables": {"a": cursor}})).json()["errors"][0]
    assert error["extensions"]["code"] == "VALIDATION_ERROR"


async def test_nodes_of_the_marketplace(
    client: httpx.AsyncClient, services: Services, catalogue: Catalogue, owner: SignedIn
) -> None:
    async with services.sessionmaker() as session:
        brand = await f.make_car_brand(session, "Volvo")
        await session.commit()
    card = (
        await graphql_data(
            client,
            """query($org: String!) { workshop(orgNr: $org) { id databaseId orgNr services { id databaseId title }
              categories { id databaseId name } openingHours { weekday opensAt closesAt isClosed } } }""",
            {"org": catalogue.oslo.org_nr},
        )
    )["workshop"]
    assert card["id"] == workshop_id(catalogue.oslo.org_nr) and card["databaseId"] == int(catalogue.oslo.org_nr)
    assert card["openingHours"][0] == {"weekday": "MONDAY", "opensAt": "08:00", "closesAt": "16:00", "isClosed": False}
    service, category = card["services"][0], card["categories"][0]
    assert category == {
        "id": str(relay.GlobalID("WorkshopCategory", str(catalogue.repair.id))),
        "databaseId": catalogue.repair.id,
        "name": "Bilverksted",
    }
    ids = [
        card["id"],
        service["id"],
        category["id"],
        str(relay.GlobalID("ServiceCategory", str(catalogue.oil.id))),
        str(relay.GlobalID("CarBrand", str(brand.id))),
        workshop_id(catalogue.closed.org_nr),  # not listed
        workshop_id("not-a-number"),
        str(relay.GlobalID("Service", "999999")),
    ]
    query = """query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
        ... on Workshop { name } ... on Service { title workshop { orgNr } categories { name } }
        ... on WorkshopCategory { name } ... on ServiceCategory { name parent { name } workshopCategory { name } }
        ... on CarBrand { name } } }"""
    with recorded(services, lambda statement: "/* marketplace:" in statement) as seen:
        found = (await graphql_data(client, query, {"ids": ids}, owner))["nodes"]
    assert [n and n["__typename"] for n in found] == [
        "Workshop",
        "Service",
        "WorkshopCategory",
        "ServiceCategory",
        "CarBrand",
        None,
        None,
        None,
    ]
    assert found[1]["workshop"] == {"orgNr": catalogue.oslo.org_nr} and found[1]["title"] == service["title"]
    assert found[3]["parent"] == {"name": "Service"} and found[3]["workshopCategory"] == {"name": "Bilverksted"}
    assert len(seen) <= 8  # one statement per type, then one per nested loader field
    anonymous = (await graphql_data(client, query, {"ids": ids[4:5]}))["nodes"]
    assert anonymous == [None]  # brands need a caller, as in `carBrands`


async def test_favourites_connection_pages(
    client: httpx.AsyncClient, services: Services, catalogue: Catalogue, owner: SignedIn
) -> None:
    add = "mutation($id: ID!) { addFavourite(input: {workshopId: $id}) { __typename } }"
    for w in (catalogue.oslo, catalogue.lokka, catalogue.bergen):  # most recent first: bergen, lokka, oslo
        await graphql_data(client, add, {"id": workshop_id(w.org_nr)}, owner)
    query = """query($first: Int, $after: String, $last: Int, $before: String) {
        favourites(first: $first, after: $after, last: $last, before: $before) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor startCursor } nodes { orgNr isFavourite } } }"""
    first = (await graphql_data(client, query, {"first": 2}, owner))["favourites"]
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"]
    assert [n["orgNr"] for n in first["nodes"]] == [catalogue.bergen.org_nr, catalogue.lokka.org_nr]
    rest = (await graphql_data(client, query, {"after": first["pageInfo"]["endCursor"]}, owner))["favourites"]
    assert [n["orgNr"] for n in rest["nodes"]] == [catalogue.oslo.org_nr] and not rest["pageInfo"]["hasNextPage"]
    last = (await graphql_data(client, query, {"last": 1}, owner))["favourites"]
    assert [n["orgNr"] for n in last["nodes"]] == [catalogue.oslo.org_nr] and last["pageInfo"]["hasPreviousPage"]
    anonymous = (await client.post("/graphql", json={"query": query})).json()
    assert anonymous["data"] is None or anonymous["data"]["favourites"] is None
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"
