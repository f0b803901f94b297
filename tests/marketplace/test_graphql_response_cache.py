"""Public marketplace queries answered from the marketplace cache (graphql_api.response_cache): the same bytes
as an execution, the caller's favourites on top, dropped by the marketplace invalidation, and every
per-request rule (tokens, budget) kept."""

from __future__ import annotations

from typing import Any

import httpx

from app.services import Services
from tests.conftest import AppFactory, SignedIn, sign_up_and_in
from tests.graphql_client import bearer, graphql, graphql_data
from tests.marketplace.conftest import Catalogue, build_catalogue
from tests.marketplace.test_graphql import workshop_id
from tests.statements import recorded, sessions_opened

SEARCH = """query Search($cities: [String!]) {
  workshops(filter: {cities: $cities}, sort: {field: NAME}, first: 10) {
    totalCount
    nodes { orgNr name isFavourite isOpenNow fav: isFavourite rating { average }
      services { title workshop { orgNr isFavourite } } }
  }
}"""
OSLO = {"cities": ["oslo"]}
ADD = "mutation($id: ID!) { addFavourite(input: {workshopId: $id}) { __typename } }"
REMOVE = "mutation($id: ID!) { removeFavourite(input: {workshopId: $id}) { __typename } }"


async def post(client: httpx.AsyncClient, query: str, variables: dict[str, Any], who: SignedIn | None = None) -> bytes:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=who.headers if who else {}
    )
    assert response.status_code == 200, response.text
    return response.content


def searched(services: Services) -> Any:
    """The search's own statements (not the caller's favourites)."""
    return recorded(services, lambda s: "/* marketplace:" in s and "favourite" not in s)


async def test_a_cached_answer_is_the_executed_one(
    client: httpx.AsyncClient, services: Services, catalogue: Catalogue, owner: SignedIn
) -> None:
    await graphql_data(client, ADD, {"id": workshop_id(catalogue.lokka.org_nr)}, owner)
    # a document seen for the first time runs as usual (the same operation in another text is another document)
    executed_anonymous = await post(client, SEARCH, OSLO)
    executed_owner = await post(client, SEARCH + "\n", OSLO, owner)
    with searched(services) as statements:
        shared = await post(client, SEARCH, OSLO)  # executed once for every caller and stored
    assert statements
    with searched(services) as statements:
        answers = [await post(client, SEARCH, OSLO), await post(client, SEARCH, OSLO, owner)]
    assert statements == []  # both from the cache
    assert shared == answers[0] == executed_anonymous
    assert answers[1] == executed_owner
    nodes = {n["name"]: n for n in (await graphql_data(client, SEARCH, OSLO, owner))["workshops"]["nodes"]}
    lokka, oslo = nodes["Grünerløkka Dekk og Felg"], nodes["Oslo Bilservice"]
    assert lokka["isFavourite"] is lokka["fav"] is True
    assert all(s["workshop"]["isFavourite"] for s in lokka["services"])
    assert oslo["isFavourite"] is oslo["fav"] is False


async def test_a_favourite_change_shows_at_once(
    client: httpx.AsyncClient, catalogue: Catalogue, owner: SignedIn
) -> None:
    def favourites(data: dict[str, Any]) -> dict[str, bool]:
        return {n["name"]: n["isFavourite"] for n in data["workshops"]["nodes"]}

    for _ in range(2):
        assert not any(favourites(await graphql_data(client, SEARCH, OSLO, owner)).values())
    oslo = workshop_id(catalogue.oslo.org_nr)
    await graphql_data(client, ADD, {"id": oslo}, owner)
    assert favourites(await graphql_data(client, SEARCH, OSLO, owner)) == {
        "Grünerløkka Dekk og Felg": False,
        "Oslo Bilservice": True,
    }
    assert not any(favourites(await graphql_data(client, SEARCH, OSLO)).values())  # not for anyone else
    other = await sign_up_and_in(client)
    assert not any(favourites(await graphql_data(client, SEARCH, OSLO, other)).values())
    await graphql_data(client, REMOVE, {"id": oslo}, owner)
    assert not any(favourites(await graphql_data(client, SEARCH, OSLO, owner)).values())


async def test_the_marketplace_invalidation_drops_cached_answers(
    client: httpx.AsyncClient, services: Services, catalogue: Catalogue
) -> None:
    for _ in range(2):
        await graphql_data(client, SEARCH, OSLO)
    async with services.sessionmaker() as session:
        renamed = await session.merge(catalogue.oslo)
        renamed.name = "Oslo Bilservice AS"
        await session.commit()
    names = [n["name"] for n in (await graphql_data(client, SEARCH, OSLO))["workshops"]["nodes"]]
    assert "Oslo Bilservice" in names  # the cached answer, until the marketplace cache is invalidated
    await services.marketplace_cache.invalidate_all()
    names = [n["name"] for n in (await graphql_data(client, SEARCH, OSLO))["workshops"]["nodes"]]
    assert "Oslo Bilservice AS" in names


async def test_mutations_and_private_queries_never_come_from_the_cache(
    client: httpx.AsyncClient, catalogue: Catalogue, owner: SignedIn
) -> None:
    mixed = """query Mixed($cities: [String!]) { favourites { totalCount }
        workshops(filter: {cities: $cities}) { nodes { name isFavourite } } }"""
    for _ in range(2):
        assert (await graphql_data(client, mixed, OSLO, owner))["favourites"]["totalCount"] == 0
    add = "mutation($id: ID!) { addFavourite(input: {workshopId: $id}) { ... on FavouriteResult { changed } } }"
    lokka = {"id": workshop_id(catalogue.lokka.org_nr)}
    assert [(await graphql_data(client, add, lokka, owner))["addFavourite"]["changed"] for _ in range(3)] == [
        True,
        False,
        False,
    ]
    assert (await graphql_data(client, mixed, OSLO, owner))["favourites"]["totalCount"] == 1


async def test_tokens_are_still_checked_on_a_cached_document(
    client: httpx.AsyncClient, catalogue: Catalogue, owner: SignedIn
) -> None:
    for _ in range(2):
        await graphql_data(client, SEARCH, OSLO, owner)
    refused = await graphql(client, SEARCH, OSLO, headers=bearer("not-a-token"))
    assert refused["data"] is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["INVALID_TOKEN"]
    signed_out = await client.post("/api/co/auth/sign-out", headers=owner.headers)
    assert signed_out.status_code < 300, signed_out.text
    revoked = await graphql(client, SEARCH, OSLO, owner)
    assert revoked["data"] is None
    assert [e["extensions"]["code"] for e in revoked["errors"]] == ["TOKEN_REVOKED"]


async def test_the_budget_is_still_spent_and_refused_on_a_cached_document(app_factory: AppFactory) -> None:
    app, client = await app_factory(graphql_cost_budget="2000/100000")
    services: Services = app.state.services
    async with services.sessionmaker() as session:
        await build_catalogue(session)
    owner = await sign_up_and_in(client)
    answered = 0
    while True:
        body = await graphql(client, SEARCH, OSLO, owner)
        if "errors" in body:
            break
        answered += 1
    assert answered > 2  # most of them from the cache
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["RATE_LIMITED"]
    assert "errors" not in await graphql(client, SEARCH, OSLO)  # the anonymous caller has a budget of its own


async def test_a_signed_in_answer_from_memory_opens_no_database_session(
    client: httpx.AsyncClient, services: Services, catalogue: Catalogue, owner: SignedIn, monkeypatch: Any
) -> None:
    await graphql_data(client, ADD, {"id": workshop_id(catalogue.lokka.org_nr)}, owner)
    await post(client, SEARCH, OSLO, owner)  # stored, and the owner's favourites are held in this process
    opened = sessions_opened(services, monkeypatch)
    body = await post(client, SEARCH, OSLO, owner)
    assert b'"isFavourite":true' in body
    assert opened == []  # the cached answer and the in-process favourites need no session
