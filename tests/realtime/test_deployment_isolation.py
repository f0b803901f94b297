"""Two deployments (each its own PostgreSQL database) sharing one Redis server stay apart: Redis pub/sub ignores
the database number, so every key and channel carries a prefix that, by default, comes from the database.

The settings here do not set `redis_prefix`: the default derivation is what is under test.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app.domain.events.envelope import decode, owner_channel
from app.domain.events.ports import RESYNC, Listener
from app.main import create_app
from app.services import Services
from app.settings import Settings, load_settings
from tests.conftest import asgi, sign_up_and_in
from tests.factories import make_booking, make_service, make_workshop
from tests.realtime.conftest import drop_database, own_database

MARKER = b"end-of-test"


def _deployment_settings(database_url: str, redis_url: str, tmp: Any) -> Settings:
    return load_settings(
        {},
        database_url=database_url,
        redis_url=redis_url,
        jwt_secret="test-secret-" + "x" * 40,
        environment="test",
        auth_rate_limit="1000/60",
        password_time_cost=2,
        password_memory_kib=19 * 1024,
        password_parallelism=1,
        data_dir=str(tmp / "data"),
        media_dir=str(tmp / "media"),
        log_json=False,
        log_level="WARNING",
    )


class Deployment:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = create_app(settings)
        self.manager = LifespanManager(asgi(self.app), startup_timeout=30, shutdown_timeout=30)
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi(self.app)), base_url="http://testserver")

    @property
    def services(self) -> Services:
        return self.app.state.services

    async def listen(self, owner_id: int) -> Listener:
        """What a GraphQL subscription of `owner_id` on this deployment listens to."""
        return await self.services.realtime.channels.listen(
            owner_channel(self.services.settings.redis_prefix, owner_id)
        )


@pytest.fixture
async def two_deployments(
    database_url: str, redis_url: str, tmp_path: Any
) -> AsyncIterator[tuple[Deployment, Deployment]]:
    suffix = uuid.uuid4().hex[:6]
    urls = [await own_database(database_url, f"iso_a_{suffix}"), await own_database(database_url, f"iso_b_{suffix}")]
    deployments = [
        Deployment(_deployment_settings(url, redis_url, tmp_path / name)) for url, name in zip(urls, "ab", strict=True)
    ]
    try:
        for deployment in deployments:
            await deployment.manager.__aenter__()
        yield deployments[0], deployments[1]
    finally:
        for deployment in deployments:
            await deployment.client.aclose()
            await deployment.manager.__aexit__(None, None, None)
        for url in urls:
            await drop_database(url)


async def _next_message(listener: Listener) -> bytes:
    while True:
        data = await asyncio.wait_for(listener.queue.get(), 30)
        if data != RESYNC:
            return data


async def test_an_owner_hears_only_the_events_of_their_own_deployment(
    two_deployments: tuple[Deployment, Deployment],
) -> None:
    a, b = two_deployments
    assert a.settings.redis_prefix != b.settings.redis_prefix
    owner_a = await sign_up_and_in(a.client)
    owner_b = await sign_up_and_in(b.client)
    assert owner_a.owner_id == owner_b.owner_id == 1  # the same id in both databases
    heard_on_b = await b.listen(1)
    heard_on_a = await a.listen(1)

    async with a.services.sessionmaker() as session:
        workshop = await make_workshop(session)
        booking = await make_booking(
            session, owner_id=1, workshop=workshop, service=await make_service(session, workshop)
        )
        await session.commit()
    sent = await a.client.post(
        "/api/co/messages/send", json={"thread_id": str(booking.id), "message": "hei"}, headers=owner_a.headers
    )
    assert sent.status_code == 201, sent.text

    event = decode(await _next_message(heard_on_a))
    assert event.owner_id == 1 and event.type == "message.created"
    # published after A's event reached Redis: B's listener gets this first unless A's event leaked to it
    await b.services.realtime.channels.publish([(owner_channel(b.settings.redis_prefix, 1), MARKER)])
    assert await _next_message(heard_on_b) == MARKER


async def test_keys_of_one_deployment_are_not_seen_by_the_other(two_deployments: tuple[Deployment, Deployment]) -> None:
    a, b = two_deployments
    await a.services.kv.set("presence:status:1", b"online", ttl_s=60)
    assert await a.services.kv.get("presence:status:1") == b"online"
    assert await b.services.kv.get("presence:status:1") is None


def test_the_default_prefix_follows_the_database_and_an_explicit_one_wins() -> None:
    def prefix(**values: Any) -> str:
        return load_settings({}, jwt_secret="test-secret-" + "x" * 40, **values).redis_prefix

    base = "postgresql+asyncpg://app:secret@db.internal:5432/minbil"
    assert prefix(database_url=base).startswith("minbil:minbil:")
    others = {
        prefix(database_url=url)
        for url in (
            "postgresql+asyncpg://app:secret@db.internal:5432/minbil_staging",  # another database
            "postgresql+asyncpg://app:secret@db2.internal:5432/minbil",  # the same name on another server
            "postgresql+asyncpg://app:secret@db.internal:5433/minbil",  # ... or another port
        )
    }
    assert len(others) == 3 and prefix(database_url=base) not in others
    # instances of one deployment agree whatever credentials they use
    assert prefix(database_url="postgresql+asyncpg://worker:other@db.internal/minbil") == prefix(database_url=base)
    assert (
        load_settings(
            {"MINBIL_REDIS_PREFIX": "shop:"}, jwt_secret="test-secret-" + "x" * 40, database_url=base
        ).redis_prefix
        == "shop:"
    )
