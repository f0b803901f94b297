"""The marketplace over GraphQL: the connection, nested fields through DataLoaders, favourites mutations."""

from __future__ import annotations

import httpx

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
    edges { cursor node { orgNr name isFavourite isOpenNow rating { average totalReviews }
      services { title price categories { name } } categories { name } openingHours { day opensAt } } }
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
    assert counts == [5, 5]  # the search, then services, categories, opening hours and favourites: one each


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
      nearbyWorkshops(lat: 59.9139, lng: 10.7522) { name distanceKm }
      workshop(orgNr: $org) { name addresses { city } services { title } rating { average reviews { rating } } }
      missing: workshop(orgNr: "921460929") { name }
      workshopCategories { name }
      serviceCategories(tree: true) { name children { name } }
    }""",
        {"org": catalogue.oslo.org_nr},
    )
    assert [w["name"] for w in data["nearbyWorkshops"]] == ["Oslo Bilservice", "Grünerløkka Dekk og Felg"]
    assert data["workshop"]["addresses"] == [{"city": "Oslo"}] and data["workshop"]["rating"]["average"] == 4.6
    assert data["missing"] is None
    assert [c["name"] for c in data["workshopCategories"]] == ["Bilverksted", "Dekk", "Lakk"]
    assert data["serviceCategories"][0] == {"name": "Service", "children": [{"name": "Oljeskift"}]}


async def test_favourite_mutations_and_is_favourite(
    client: httpx.AsyncClient, catalogue: Catalogue, owner: SignedIn
) -> None:
    mutation = """mutation($org: String!) { addFavourite(orgNr: $org) {
        __typename ... on FavouriteResult { orgNr changed } ... on UserError { code } } }"""
    added = await graphql_data(client, mutation, {"org": catalogue.lokka.org_nr}, owner)
    assert added["addFavourite"] == {"__typename": "FavouriteResult", "orgNr": catalogue.lokka.org_nr, "changed": True}
    again = await graphql_data(client, mutation, {"org": catalogue.lokka.org_nr}, owner)
    assert again["addFavourite"]["changed"] is False
    invalid = await graphql_data(client, mutation, {"org": "123456789"}, owner)
    assert invalid["addFavourite"] == {"__typename": "ValidationError", "code": "INVALID_ORG_NR"}
    anonymous = await graphql_data(client, mutation, {"org": catalogue.lokka.org_nr})
    assert anonymous["addFavourite"]["__typename"] == "AuthenticationError"
    favs = await graphql_data(client, "{ favourites { name isFavourite } }", None, owner)
    assert favs["favourites"] == [{"name": "Grünerløkka Dekk og Felg", "isFavourite": True}]
    listed = await graphql_data(
        client, '{ workshops(filter: {cities: ["oslo"]}) { nodes { name isFavourite } } }', None, owner
    )
    assert {n["name"]: n["isFavourite"] for n in listed["workshops"]["nodes"]} == {
        "Grünerløkka Dekk og Felg": True,
        "Oslo Bilservice": False,
    }
    removed = await graphql_data(
        client,
        """mutation($org: String!) { removeFavourite(orgNr: $org) {
        ... on FavouriteResult { changed isFavourite } } }""",
        {"org": catalogue.lokka.org_nr},
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
