"""A search that misses the cache costs a bounded number of SQL statements, whatever its filters and page size."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from app.services import Services
from tests.marketplace.conftest import Catalogue, at_oslo_time
from tests.statements import foreground, recorded, sessions_opened

MAX_STATEMENTS = 3


def every_filter(catalogue: Catalogue) -> str:
    """Each filter the search knows, a category with sub-categories, the market layout and the facets."""
    return (
        f"q=bilservice&workshop_category_id={catalogue.repair.id},{catalogue.tyres.id}"
        f"&service_category_id={catalogue.service_root.id},{catalogue.eu.id}"
        "&city=Oslo&county=Oslo&postal_code=0150&min_rating=1&price_min=100&price_max=5000"
        "&lat=59.9139&lng=10.7522&radius_km=40&open_now=true&layout=market&include_facets=true"
    )


@pytest.mark.parametrize("page_size", [1, 20, 100])
@pytest.mark.parametrize("sort", ["distance", "price", "rating", "name", "relevance"])
async def test_a_cache_miss_with_every_filter_runs_at_most_three_statements(
    client: httpx.AsyncClient, services: Services, catalogue: Catalogue, page_size: int, sort: str
) -> None:
    at_oslo_time(services, 2026, 12, 7, 10, 0)  # a Monday morning: the Oslo workshop is open
    url = f"/api/co/shops?{every_filter(catalogue)}&sort={sort}&page_size={page_size}"
    await client.get("/health")
    with recorded(services, foreground) as seen:
        response = await client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["x-cache"] == "MISS"
    body = response.json()
    assert [w["name"] for w in body["data"]["results"]] == ["Oslo Bilservice"]
    assert body["meta"]["total"] == 1
    assert len(seen) <= MAX_STATEMENTS, seen


@pytest.mark.parametrize("page_size", [1, 2, 100])
async def test_a_page_past_the_end_still_counts_in_at_most_three_statements(
    client: httpx.AsyncClient, services: Services, catalogue: Catalogue, page_size: int
) -> None:
    url = (
        f"/api/co/shops?service_category_id={catalogue.service_root.id}&layout=market&include_facets=true"
        f"&lat=59.9139&lng=10.7522&page=50&page_size={page_size}"
    )
    with recorded(services, foreground) as seen:
        response = await client.get(url)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"]["results"] == [] and body["meta"]["total"] == 2
    assert [w["name"] for w in body["data"]["nearby_top"]] == ["Oslo Bilservice", "Bergen Motor"]
    assert len(seen) <= MAX_STATEMENTS, seen


async def test_the_connections_a_miss_used_are_transactional_again_afterwards(
    client: httpx.AsyncClient, services: Services, catalogue: Catalogue
) -> None:
    """The miss runs its one statement outside a transaction; the pool must not hand that mode on."""
    for n in range(12):  # one after the other: the pool hands the same connection back each time
        assert (await client.get(f"/api/co/shops?lat=59.9139&lng=10.7522&radius_km={40 + n}")).status_code == 200
    rename = text("UPDATE workshops SET name = 'Endret' WHERE org_nr = :o")
    async with services.engine.connect() as connection:
        await connection.execute(rename, {"o": catalogue.oslo.org_nr})
        await connection.rollback()
        name = (
            await connection.execute(text("SELECT name FROM workshops WHERE org_nr = :o"), {"o": catalogue.oslo.org_nr})
        ).scalar_one()
    assert name == "Oslo Bilservice"


async def test_an_anonymous_cache_miss_runs_its_one_statement_without_an_orm_session(
    client: httpx.AsyncClient, services: Services, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the fill is one statement on a pooled connection in autocommit; a session around it only kept books
    opened = sessions_opened(services, monkeypatch)
    with recorded(services, foreground) as seen:
        response = await client.get("/api/co/shops?lat=59.9139&lng=10.7522&sort=distance&radius_km=30")
    assert response.status_code == 200, response.text
    assert response.headers["x-cache"] == "MISS"
    assert [w["name"] for w in response.json()["data"]][:1] == ["Oslo Bilservice"]
    assert [s.split("*/")[0] for s in seen] == ["/* marketplace:search "]
    assert opened == []
