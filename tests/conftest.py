"""Shared fixtures: a migrated database per run, a clean schema per test, an app per test."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from litestar import Litestar
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app.main import create_app
from app.services import Services
from app.settings import Settings, load_settings
from db.engine import make_engine
from db.migrate import upgrade_head
from db.models import metadata
from tests.infra import database_server, redis_server, run_database_name, with_database

KEEP_TABLES = {"enum_booking_statuses", "alembic_version"}
_test_counter = itertools.count()


@pytest.fixture(scope="session")
def redis_url() -> Any:
    with redis_server() as url:
        yield url


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    with database_server() as server_url:
        name = run_database_name()
        admin = create_async_engine(with_database(server_url, "postgres"), isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = with_database(server_url, name)
        engine = make_engine(url)
        await upgrade_head(engine)
        await engine.dispose()
        try:
            yield url
        finally:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await admin.dispose()


@pytest.fixture
async def clean_database(database_url: str) -> AsyncIterator[str]:
    """Every table but the reference data emptied before the test."""
    engine = create_async_engine(database_url)
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables if t.name not in KEEP_TABLES)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()
    yield database_url


@pytest.fixture
def settings_factory(clean_database: str, redis_url: str, tmp_path: Any) -> Callable[..., Settings]:
    prefix = f"minbil:test:{uuid.uuid4().hex[:8]}:{next(_test_counter)}:"

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": clean_database,
            "redis_url": redis_url,
            "redis_prefix": prefix,
            "jwt_secret": "test-secret-" + "x" * 40,
            "environment": "test",
            "auth_rate_limit": "1000/60",
            # the argon2id floor (m=19 MiB, t=2, p=1) instead of the production cost: sign-ups dominate test time
            "password_time_cost": 2,
            "password_memory_kib": 19 * 1024,
            "password_parallelism": 1,
            "vehicle_rate_limit": "1000/60",
            "api_keys": ("test-api-key",),
            "media_dir": str(tmp_path / "media"),
            "data_dir": str(tmp_path / "data"),
            "log_json": False,
            "log_level": "WARNING",
        }
        values.update(overrides)
        return load_settings({}, **values)

    return make


@pytest.fixture
def settings(settings_factory: Callable[..., Settings]) -> Settings:
    return settings_factory()


AppFactory = Callable[..., Awaitable[tuple[Litestar, httpx.AsyncClient]]]


@pytest.fixture
async def app_factory(settings_factory: Callable[..., Settings]) -> AsyncIterator[AppFactory]:
    """Build an app (with its own lifespan) and an async client for it; closed after the test."""
    managers: list[LifespanManager] = []
    clients: list[httpx.AsyncClient] = []

    async def make(**overrides: Any) -> tuple[Litestar, httpx.AsyncClient]:
        app = create_app(settings_factory(**overrides))
        manager = LifespanManager(app, startup_timeout=30, shutdown_timeout=30)
        await manager.__aenter__()
        managers.append(manager)
        # the raw app, not `manager.app`: asgi-lifespan shares one `scope["state"]` dict across requests,
        # and Litestar keeps per-request flags there
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        clients.append(client)
        return app, client

    yield make
    for client in clients:
        await client.aclose()
    for manager in reversed(managers):
        await manager.__aexit__(None, None, None)


@pytest.fixture
async def app_client(app_factory: AppFactory) -> tuple[Litestar, httpx.AsyncClient]:
    return await app_factory()


@pytest.fixture
def app(app_client: tuple[Litestar, httpx.AsyncClient]) -> Litestar:
    return app_client[0]


@pytest.fixture
def client(app_client: tuple[Litestar, httpx.AsyncClient]) -> httpx.AsyncClient:
    return app_client[1]


@pytest.fixture
def services(app: Litestar) -> Services:
    return app.state.services  # type: ignore[no-any-return]


@pytest.fixture
async def db_session(services: Services) -> AsyncIterator[Any]:
    """A session on the app's database for arranging rows; commit what the app must see."""
    async with services.sessionmaker() as session:
        yield session


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


class SignedIn:
    """A signed-up and signed-in owner, with the tokens and an `Authorization` header."""

    def __init__(self, email: str, password: str, body: dict[str, Any]) -> None:
        self.email = email
        self.password = password
        self.access_token: str = body["access_token"]
        self.refresh_token: str = body["refresh_token"]
        self.user: dict[str, Any] = body["user"]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    @property
    def owner_id(self) -> int:
        """The owner's database id (the `oid` claim of the access token)."""
        import jwt

        return int(jwt.decode(self.access_token, options={"verify_signature": False})["oid"])


async def sign_up_and_in(client: httpx.AsyncClient, email: str | None = None, password: str = "StrongPass123!") -> SignedIn:
    email = email or f"owner-{uuid.uuid4().hex[:10]}@minbil.io"
    response = await client.post("/api/co/auth/sign-up", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    response = await client.post("/api/co/auth/sign-in", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return SignedIn(email, password, response.json())


@pytest.fixture
async def owner(client: httpx.AsyncClient) -> SignedIn:
    return await sign_up_and_in(client)


@pytest.fixture
async def other_owner(client: httpx.AsyncClient) -> SignedIn:
    return await sign_up_and_in(client)
