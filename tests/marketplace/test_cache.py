"""The marketplace cache: normalised keys, invalidation, single flight, and Redis outages."""

from __future__ import annotations

import asyncio
import uuid
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.domain.marketplace.cache import invalidate_marketplace
from app.infra.kv import RedisKV
from app.metrics import render_metrics
from app.services import Services
from tests import factories as f
from tests.conftest import AppFactory, SignedIn
from tests.marketplace.conftest import Catalogue, build_catalogue
from tests.statements import recorded


def statements(services: Services, marker: str = "marketplace:search") -> AbstractContextManager[list[str]]:
    return recorded(services, lambda statement: marker in statement)


async def test_equivalent_queries_share_one_key(
    client: httpx.AsyncClient, services: Services, catalogue: Catalogue
) -> None:
    a, b = catalogue.repair.id, catalogue.tyres.id
    first = await client.get(f"/api/co/shops?workshop_category_id={a},{b}&lat=59.9139&lng=10.7522&radius_km=40")
    assert first.headers["x-cache"] == "MISS"
    variants = [
        f"/api/co/shops?lng=10.7522&lat=59.9139&max_distance_km=40&workshop_category_id={b}&workshop_category_id={a}",
        f"/api/co/shops?radius_km=40&workshop_category_id={b},{a}&lat=59.9139&lng=10.7522&page=1&page_size=20",
        f"/api/co/shops?workshop_category_id={a}&workshop_category_id={b}&lat=59.9139&lng=10.7522&radius_km=40&sort=distance&order=asc",
    ]
    for url in variants:
        response = await client.get(url)
        assert response.headers["x-cache"] == "HIT", url
        assert response.json()["data"] == first.json()["data"]
    other = await client.get(f"/api/co/shops?workshop_category_id={a}&lat=59.9139&lng=10.7522&radius_km=40")
    assert other.headers["x-cache"] == "MISS"
    body, _ = render_metrics()
    assert b'minbil_cache_events_total{operation="rest_shops",result="hit"}' in body


async def test_a_rating_through_the_api_invalidates_the_cached_answers(
    client: httpx.AsyncClient, services: Services, catalogue: Catalogue, owner: SignedIn
) -> None:
    async with services.sessionmaker() as session:
        service = await f.make_service(session, catalogue.bergen, title="Hjulskift", price="800")
        start = datetime.now(UTC) - timedelta(days=3)
        booking = await f.make_booking(
            session,
            owner_id=owner.owner_id,
            workshop=catalogue.bergen,
            service=service,
            status="COMPLETED",
            start=start,
            service_actual_end_time=start + timedelta(hours=1),
        )
        await session.commit()
    shop = f"/api/co/shops/{catalogue.bergen.org_nr}"
    before = await client.get(shop)
    listing = await client.get("/api/co/shops?min_rating=4")
    assert before.headers["x-cache"] == "MISS" and listing.headers["x-cache"] == "MISS"
    assert before.json()["total_ratings"] == {"average_rating": 0.0, "total_reviews": 0}
    assert "Bergen Motor" not in [w["name"] for w in listing.json()["data"]]
    assert (await client.get(shop)).headers["x-cache"] == "HIT"
    assert (await client.get("/api/co/shops?min_rating=4")).headers["x-cache"] == "HIT"

    rated = await client.post(f"/api/co/rating/rate/{booking.id}", json={"service_rating": 5}, headers=owner.headers)
    assert rated.status_code in (200, 201), rated.text

    after = await client.get(shop)
    assert after.headers["x-cache"] == "MISS"
    assert after.json()["total_ratings"] == {"average_rating": 5.0, "total_reviews": 1}
    refreshed = await client.get("/api/co/shops?min_rating=4")
    assert refreshed.headers["x-cache"] == "MISS"
    assert "Bergen Motor" in [w["name"] for w in refreshed.json()["data"]]


async def test_fifty_concurrent_misses_run_one_query(
    client: httpx.AsyncClient, services: Services, catalogue: Catalogue
) -> None:
    with statements(services) as seen:
        responses = await asyncio.gather(*(client.get("/api/co/shops?city=oslo&sort=rating") for _ in range(50)))
    assert all(r.status_code == 200 for r in responses)
    assert len({r.json()["data"][0]["org_nr"] for r in responses}) == 1
    assert len(seen) == 1, [r.headers["x-cache"] for r in responses]


async def test_stampede_across_instances_waits_for_the_leader(services: Services, catalogue: Catalogue) -> None:
    """Two cache objects on one Redis behave like two app instances: only one loads."""
    from app.domain.marketplace.cache import MarketplaceCache

    calls = 0

    async def loader() -> list[int]:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.2)
        return [1, 2, 3]

    one = MarketplaceCache(services.kv, prefix="mkt-x:")
    two = MarketplaceCache(services.kv, prefix="mkt-x:")
    results = await asyncio.gather(
        *(cache.get_or_load("t", "k", loader, list[int]) for cache in (one, two) for _ in range(5))
    )
    assert calls == 1
    assert all(value == [1, 2, 3] for value, _ in results)


async def test_early_refresh_reloads_hot_keys_before_expiry(services: Services) -> None:
    from app.domain.marketplace.cache import HIT, MarketplaceCache

    calls = 0

    async def loader() -> int:
        nonlocal calls
        calls += 1
        return calls

    cache = MarketplaceCache(services.kv, prefix="mkt-r:", ttl_s=60, refresh_fraction=1.0)  # every hit is "late"
    assert (await cache.get_or_load("t", "k", loader, int)) == (1, "MISS")
    value, status = await cache.get_or_load("t", "k", loader, int)
    assert (value, status) == (1, HIT)  # served from the cache while the refresh runs
    await asyncio.gather(*cache._background)
    await services.kv.delete("mkt-r:t:v0:{" + cache.digest("k") + "}:refresh")
    assert (await cache.get_or_load("t", "k", loader, int))[0] == 2


async def test_redis_down_still_answers_from_postgres(app_factory: AppFactory) -> None:
    app, client = await app_factory(redis_url="redis://127.0.0.1:1/0")
    services: Services = app.state.services
    async with services.sessionmaker() as session:
        catalogue = await build_catalogue(session)
    for _ in range(5):
        response = await client.get("/api/co/shops?city=oslo")
        assert response.status_code == 200
        assert response.headers["x-cache"] == "MISS"
        assert len(response.json()["data"]) == 2
    detail = await client.get(f"/api/co/shops/{catalogue.oslo.org_nr}")
    assert detail.status_code == 200
    await invalidate_marketplace(services)  # deferred, not an error
    assert services.marketplace_cache._invalidation_pending
    # the breaker is open: requests do not wait for Redis timeouts one by one
    assert isinstance(services.kv, RedisKV)
    assert services.kv.breaker.is_open


async def test_embedded_store_runs_the_same_cache(app_factory: AppFactory) -> None:
    app, client = await app_factory(redis_url=None)
    services: Services = app.state.services
    assert not services.kv.shared
    async with services.sessionmaker() as session:
        await build_catalogue(session)
    assert (await client.get("/api/co/shops")).headers["x-cache"] == "MISS"
    assert (await client.get("/api/co/shops?page=1")).headers["x-cache"] == "HIT"
    await invalidate_marketplace(services)
    assert (await client.get("/api/co/shops")).headers["x-cache"] == "MISS"


async def test_a_miss_costs_two_redis_round_trips_and_a_stored_value_one(services: Services) -> None:
    """The look that finds nothing takes the lock; the store frees it. A value from the store takes no lock."""
    from app.domain.marketplace.cache import HIT, MISS, MarketplaceCache

    kv = services.kv
    assert isinstance(kv, RedisKV)
    prefix = f"mkt-rt-{uuid.uuid4().hex[:8]}:"
    cache = MarketplaceCache(kv, prefix=prefix)
    other = MarketplaceCache(kv, prefix=prefix)  # another instance, with nothing in its process yet
    await cache.get_or_load("t", "warm", _one, int)  # the version is read once and kept
    await other.get_or_load("t", "warm", _one, int)
    trips = 0
    call = kv._call

    async def counted(operation: Any) -> Any:
        nonlocal trips
        trips += 1
        return await call(operation)

    kv._call = counted  # type: ignore[method-assign]
    try:
        assert await cache.get_or_load("t", "k", _one, int) == (1, MISS)
        assert trips == 2
        trips = 0
        assert await asyncio.gather(*(other.get_or_load("t", "k", _one, int) for _ in range(5))) == [(1, HIT)] * 5
        assert trips == 1  # five callers of one process share one look
    finally:
        del kv._call
    key = prefix + "t:v0:{" + cache.digest("k") + "}"
    assert await kv.get(key + ":lock") is None  # the lock went with the store
    assert await kv.get(key) is not None


async def _one() -> int:
    return 1
