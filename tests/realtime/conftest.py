"""Fixtures of the realtime tests: app servers in subprocesses, an owner with a booking, database access."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from app.settings import Settings, load_settings
from db.engine import make_engine
from db.migrate import upgrade_head
from tests.factories import make_booking, make_service, make_workshop
from tests.infra import with_database
from tests.realtime.harness import Server, sign_up


@pytest.fixture(scope="module")
def rt_settings(
    database_url: str, redis_url: str, redis_cluster: bool, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """Settings of this module's servers (the run's database; every test makes its own owners)."""
    tmp = tmp_path_factory.mktemp("realtime")
    return load_settings(
        {},
        database_url=database_url,
        redis_url=redis_url,
        redis_cluster=redis_cluster,
        redis_prefix=f"minbil:rt:{uuid.uuid4().hex[:8]}:",
        jwt_secret="test-secret-" + "x" * 40,
        environment="test",
        auth_rate_limit="100000/60",
        data_dir=str(tmp / "data"),
        media_dir=str(tmp / "media"),
        log_json=False,
        log_level="WARNING",
    )


@pytest.fixture(scope="module")
async def pair(rt_settings: Settings) -> AsyncIterator[tuple[Server, Server]]:
    """Two app instances (A, B) sharing PostgreSQL and Redis, for the whole module."""
    a, b = Server(rt_settings), Server(rt_settings)
    try:
        await asyncio.gather(a.start(), b.start())
        yield a, b
    finally:
        a.stop()
        b.stop()


StartServer = Callable[..., Awaitable[Server]]


@pytest.fixture
async def servers(rt_settings: Settings) -> AsyncIterator[StartServer]:
    """Start app instances (`await servers()`) sharing the test's PostgreSQL and Redis; stopped after the test."""
    started: list[Server] = []

    async def start(settings: Settings | None = None, **env: str) -> Server:
        server = Server(settings or rt_settings, **env)
        started.append(server)
        return await server.start()

    yield start
    for server in started:
        server.stop()


@pytest.fixture
async def session(rt_settings: Settings) -> AsyncIterator[AsyncSession]:
    engine = create_async_engine(rt_settings.database_url or "")
    async with AsyncSession(engine, expire_on_commit=False) as s:
        yield s
    await engine.dispose()


async def own_database(database_url: str, suffix: str) -> str:
    """A migrated database of its own beside the run's, so no relay of another test's servers sees its events."""
    name = f"{make_url(database_url).database}_{suffix}"
    admin = create_async_engine(with_database(database_url, "postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    url = with_database(database_url, name)
    engine = make_engine(url)
    await upgrade_head(engine)
    await engine.dispose()
    return url


async def drop_database(url: str) -> None:
    admin = create_async_engine(with_database(url, "postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    await admin.dispose()


async def owner_with_booking(base_url: str, session: AsyncSession) -> dict[str, Any]:
    """A signed-in owner (`access_token`, `owner_id`) and one booking of theirs (`booking_id`)."""
    owner = await sign_up(base_url)
    workshop = await make_workshop(session)
    service = await make_service(session, workshop)
    booking = await make_booking(session, owner_id=owner["owner_id"], workshop=workshop, service=service)
    await session.commit()
    owner["booking_id"] = booking.id
    owner["org_nr"] = workshop.org_nr
    return owner
