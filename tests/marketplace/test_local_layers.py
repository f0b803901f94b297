"""The in-process layers in front of Redis: cache values, favourites, verified tokens.

Each must stay coherent: a change on this instance is seen at once, one on another instance as soon as its
message arrives, and within about a second if the message is lost."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import msgspec
import pytest
from sqlalchemy import update
from sqlmodel import col

from app.auth import tokens as tokens_module
from app.domain.marketplace import search
from app.domain.marketplace.cache import HIT, MISS, MarketplaceCache, invalidate_marketplace
from app.errors import Unauthenticated
from app.services import Services
from db.models import Workshop
from rest.schemas.marketplace import workshop_list_response
from tests.conftest import AppFactory, SignedIn, sign_up_and_in
from tests.marketplace.conftest import Catalogue, build_catalogue
from tests.statements import recorded

SHOPS = "/api/co/shops?lat=59.9139&lng=10.7522&sort=distance&page_size=20&radius_km=25"
MARKET = SHOPS + "&layout=market"
FAVORITS = "/api/co/favorits/"


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not await check():
        assert time.monotonic() < deadline, "the condition never held"
        await asyncio.sleep(0.05)


def marks(body: dict[str, Any]) -> dict[str, bool]:
    data = body["data"]
    rows = data if isinstance(data, list) else data["nearby_top"] + data["results"]
    return {row["org_nr"]: row["is_favourite"] for row in rows}


async def test_the_patched_bytes_are_the_encoded_overlaid_page(
    client: httpx.AsyncClient, services: Services, catalogue: Catalogue, owner: SignedIn
) -> None:
    """The answer kept as bytes and patched per caller is byte for byte the encoding of the overlaid page."""
    favourite = catalogue.lokka.org_nr
    assert (await client.post(FAVORITS, json={"org_nr": favourite}, headers=owner.headers)).status_code == 201
    for url in (SHOPS, MARKET):
        for headers in ({}, owner.headers):
            for _ in range(2):  # MISS, then HIT
                response = await client.get(url, headers=headers)
                assert response.status_code == 200
                assert response.headers["content-type"] == "application/json"
                async with services.uow() as uow:
                    params = {k: [v] for k, v in httpx.URL(url).params.items()}
                    query = search.parse_search(services, "shops", params)
                    outcome = await search.search(uow, query, owner_id=owner.owner_id if headers else None)
                expected = msgspec.json.encode(workshop_list_response("/api/co/shops", query, outcome.page))
                assert response.content == expected
            assert marks(response.json())[favourite] is bool(headers)


async def test_a_favourite_change_shows_at_once_on_this_instance(
    client: httpx.AsyncClient, catalogue: Catalogue, owner: SignedIn
) -> None:
    org = catalogue.oslo.org_nr
    assert marks((await client.get(SHOPS, headers=owner.headers)).json())[org] is False
    assert (await client.post(FAVORITS, json={"org_nr": org}, headers=owner.headers)).status_code == 201
    after = await client.get(SHOPS, headers=owner.headers)
    assert after.headers["x-cache"] == HIT and marks(after.json())[org] is True
    assert marks((await client.get(SHOPS)).json())[org] is False  # shared bytes stay caller-free
    assert (await client.delete(FAVORITS, params={"org_nr": org}, headers=owner.headers)).status_code == 200
    assert marks((await client.get(SHOPS, headers=owner.headers)).json())[org] is False


async def test_a_warm_favourite_set_answers_without_the_database(
    client: httpx.AsyncClient, services: Services, catalogue: Catalogue, owner: SignedIn
) -> None:
    await client.get(SHOPS, headers=owner.headers)
    with recorded(services, lambda statement: "favourite" in statement) as seen:
        for _ in range(5):
            assert (await client.get(SHOPS, headers=owner.headers)).headers["x-cache"] == HIT
    assert len(seen) <= 1  # at most one re-read once the in-process set aged


async def _two_instances(app_factory: AppFactory) -> tuple[Services, httpx.AsyncClient, Services, httpx.AsyncClient]:
    first_app, first = await app_factory()
    prefix = first_app.state.services.settings.redis_prefix
    second_app, second = await app_factory(redis_prefix=prefix)
    return first_app.state.services, first, second_app.state.services, second


async def test_an_invalidation_on_one_instance_drops_the_other_instances_values(app_factory: AppFactory) -> None:
    one, _first, two, second = await _two_instances(app_factory)
    async with one.sessionmaker() as session:
        catalogue = await build_catalogue(session)
    assert (await second.get(SHOPS)).headers["x-cache"] == MISS
    assert (await second.get(SHOPS)).headers["x-cache"] == HIT  # now held in the second process
    two.marketplace_cache.local_ttl_s = 3600.0  # only the message can make it read again
    two.marketplace_cache.drop_local()
    assert (await second.get(SHOPS)).headers["x-cache"] == HIT
    async with one.sessionmaker() as session:
        await session.exec(
            update(Workshop).where(col(Workshop.org_nr) == catalogue.oslo.org_nr).values(name="Oslo Bilservice Renamed")
        )
        await session.commit()
    await invalidate_marketplace(one)

    async def renamed() -> bool:
        response = await second.get(SHOPS)
        return "Oslo Bilservice Renamed" in response.text and response.headers["x-cache"] == MISS

    await eventually(renamed)


async def test_a_lost_invalidation_message_is_covered_by_the_short_lifetime(services: Services) -> None:
    """Two caches on one Redis without a channel between them, as if every message were lost."""
    calls = 0

    async def loader() -> int:
        nonlocal calls
        calls += 1
        return calls

    one = MarketplaceCache(services.kv, prefix="mkt-lost:")
    two = MarketplaceCache(services.kv, prefix="mkt-lost:")
    two.local_ttl_s = 0.2
    assert await two.get_or_load("t", "k", loader, int) == (1, MISS)
    assert await two.get_or_load("t", "k", loader, int) == (1, HIT)
    await one.invalidate_all()
    await asyncio.sleep(two.local_ttl_s)
    assert await two.get_or_load("t", "k", loader, int) == (2, MISS)


async def test_an_invalidation_here_is_seen_at_once(services: Services) -> None:
    calls = 0

    async def loader() -> int:
        nonlocal calls
        calls += 1
        return calls

    cache = MarketplaceCache(services.kv, prefix="mkt-here:")
    cache.local_ttl_s = 3600.0
    assert await cache.get_or_load("t", "k", loader, int) == (1, MISS)
    assert await cache.get_or_load("t", "k", loader, int) == (1, HIT)
    await cache.invalidate_all()
    assert await cache.get_or_load("t", "k", loader, int) == (2, MISS)


async def test_a_favourite_change_reaches_the_other_instance(app_factory: AppFactory) -> None:
    one, first, two, second = await _two_instances(app_factory)
    async with one.sessionmaker() as session:
        catalogue = await build_catalogue(session)
    signed = await sign_up_and_in(first)
    org = catalogue.oslo.org_nr
    assert marks((await second.get(SHOPS, headers=signed.headers)).json())[org] is False
    two.marketplace_cache.favourites.ttl_s = 3600.0  # only the message can make it read again
    two.marketplace_cache.favourites.drop()
    assert marks((await second.get(SHOPS, headers=signed.headers)).json())[org] is False
    assert (await first.post(FAVORITS, json={"org_nr": org}, headers=signed.headers)).status_code == 201

    async def marked() -> bool:
        return marks((await second.get(SHOPS, headers=signed.headers)).json())[org] is True

    await eventually(marked)


async def test_a_revoked_session_is_refused_on_another_instance_with_its_token_verified_there(
    app_factory: AppFactory,
) -> None:
    _, first, two, second = await _two_instances(app_factory)
    signed = await sign_up_and_in(first)
    assert (await second.get(SHOPS, headers=signed.headers)).status_code == 200
    assert signed.access_token in two.tokens._verified  # the token cache is on
    assert (await first.post("/api/co/auth/sign-out", headers=signed.headers)).status_code == 200

    async def refused() -> bool:
        response = await second.get(SHOPS, headers=signed.headers)
        return response.status_code == 401 and response.json()["code"] == "TOKEN_REVOKED"

    await eventually(refused)


async def test_an_expired_token_is_never_served_from_the_token_cache(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    codec = services.tokens
    issued = codec.issue(owner_uid="u", owner_id=1, session_id="s", ttl_s=60)
    claims = codec.decode(issued.token)
    assert codec._verified[issued.token] == claims

    class Later:
        @staticmethod
        def time() -> float:
            return float(claims.exp)

    monkeypatch.setattr(tokens_module, "time", Later)
    with pytest.raises(Unauthenticated) as refused:
        codec.decode(issued.token)
    assert refused.value.code == "TOKEN_EXPIRED"
    assert issued.token not in codec._verified


async def test_a_cached_token_is_still_refused_for_another_scope(services: Services) -> None:
    codec = services.tokens
    issued = codec.issue(owner_uid="u", owner_id=1, session_id="s", scope=tokens_module.REALTIME_SCOPE)
    codec.decode(issued.token, scopes=(tokens_module.REALTIME_SCOPE,))
    with pytest.raises(Unauthenticated) as refused:
        codec.decode(issued.token)
    assert refused.value.code == "INVALID_TOKEN"


async def test_values_past_their_moment_in_process_are_let_go_as_new_ones_come(services: Services) -> None:
    """The in-process layer holds about a second of answers, not the last 2,048 whatever their age: a burst of
    distinct searches (each answer ~10-50 KiB with its encoded views) must not stay in memory after it."""
    cache = services.marketplace_cache
    cache.local_ttl_s = 1.0

    async def load() -> int:
        return 1

    for n in range(20):
        await cache.get_or_load("test", ("burst", n), load, int)
    assert cache.held == 20
    await asyncio.sleep(1.05)
    await cache.get_or_load("test", ("after", 0), load, int)
    assert cache.held == 1
