"""The module's shared app is handed to each test as a freshly started app would be."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
from redis.asyncio import Redis
from sqlalchemy import func, select

from app.infra.vegvesen import OfflineRegistry
from app.services import Services
from db.models import CarOwner
from tests.conftest import SharedApp, SignedIn


async def test_reset_forgets_what_a_test_left_behind(
    shared_app: SharedApp,
    client: httpx.AsyncClient,
    services: Services,
    owner: SignedIn,
    redis_client: Redis,
    clean_database: str,
) -> None:
    registry = services.registry
    cache = services.marketplace_cache
    await services.kv.set("left-behind", b"1")
    services.registry = OfflineRegistry()  # a part replaced by a test
    cache.clock = lambda: datetime(2020, 1, 1, tzinfo=UTC)
    services.sessions._local["some-sid"] = (True, float("inf"))
    media = Path(services.settings.media_dir) / "profile" / "left.png"
    media.parent.mkdir(parents=True)
    media.write_bytes(b"x")

    await shared_app.reset(redis_client)

    assert await services.kv.get("left-behind") is None
    assert services.registry is registry
    assert cache.clock().year >= 2026
    assert "some-sid" not in services.sessions._local
    assert not media.exists()
    # the app still answers after a reset, and the owner made before it is still signed in (rows are kept:
    # emptying the tables is the job of `clean_database`, before the reset)
    async with services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(CarOwner)) == 1
    assert (await client.get("/api/co/profile", headers=owner.headers)).status_code == 200
