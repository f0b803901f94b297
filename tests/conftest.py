"""Shared fixtures: a migrated database per run, a clean schema per test, one app per test module.

`client`/`app`/`services` are the module's shared app, reset before each test (tables emptied, its Redis keys
deleted, in-process caches and replaced parts restored). A test that needs other settings builds its own
app with `app_factory(**overrides)`; a module whose every test needs other settings overrides `app_overrides`.
"""

from __future__ import annotations

import copy
import itertools
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any, cast

import httpx
import msgspec
import pytest
from asgi_lifespan import LifespanManager
from litestar import Litestar
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.passwords import hash_password
from app.domain.auth import service as auth_service
from app.domain.auth.validation import normalise_email
from app.main import create_app
from app.services import Services
from app.settings import Settings, load_settings
from db.engine import make_engine
from db.migrate import upgrade_head
from db.models import CarOwner, metadata
from db.repositories.events import RELAY_LOCK_KEY
from rest.schemas.auth import sign_in_response
from tests.infra import database_server, redis_server, run_database_name, with_database

KEEP_TABLES = {"enum_booking_statuses", "alembic_version"}
_test_counter = itertools.count()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture(scope="session")
def redis_cluster() -> bool:
    """Whether `redis_url` names a Redis Cluster node (tests/cluster overrides both)."""
    return False


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


@pytest.fixture(scope="session")
async def reset_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """One pooled engine for the per-test table reset (a new engine per test costs a connection each time)."""
    engine = create_async_engine(database_url, pool_size=1, max_overflow=0)
    yield engine
    await engine.dispose()


TRUNCATE_ALL = "TRUNCATE {} RESTART IDENTITY CASCADE".format(
    ", ".join(f'"{t.name}"' for t in metadata.sorted_tables if t.name not in KEEP_TABLES)
)


@pytest.fixture
async def clean_database(database_url: str, reset_engine: AsyncEngine) -> AsyncIterator[str]:
    """Every table but the reference data emptied before the test, ids restarted, in one statement.

    A shared app is still running: its relay is kept out by holding its lock, and a deadlock with any other
    late statement of the previous test is retried."""
    for attempt in range(3):
        try:
            async with reset_engine.begin() as conn:
                await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": RELAY_LOCK_KEY})
                await conn.execute(text(TRUNCATE_ALL))
            break
        except DBAPIError as exc:
            if "deadlock" not in str(exc) or attempt == 2:
                raise
    yield database_url


def make_test_settings(database: str, redis: str, prefix: str, tmp: Any, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database,
        "redis_url": redis,
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
        "media_dir": str(tmp / "media"),
        "data_dir": str(tmp / "data"),
        "log_json": False,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return load_settings({}, **values)


def new_prefix(kind: str = "") -> str:
    return f"minbil:test:{uuid.uuid4().hex[:8]}:{kind}{next(_test_counter)}:"


@pytest.fixture
def settings_factory(
    clean_database: str, redis_url: str, redis_cluster: bool, tmp_path: Any
) -> Callable[..., Settings]:
    prefix = new_prefix()

    def make(**overrides: Any) -> Settings:
        return make_test_settings(
            clean_database, redis_url, prefix, tmp_path, **{"redis_cluster": redis_cluster, **overrides}
        )

    return make


@pytest.fixture
def settings(request: pytest.FixtureRequest, settings_factory: Callable[..., Settings]) -> Settings:
    """The settings of the test's app when it has one (`client`, `app`, ...), otherwise the test's own."""
    if "app_client" in request.fixturenames:
        app: Litestar = request.getfixturevalue("app_client")[0]
        return app.state.services.settings
    return settings_factory()


AppFactory = Callable[..., Awaitable[tuple[Litestar, httpx.AsyncClient]]]

# An ASGI application as asgi-lifespan and httpx type it: plain mappings for the scope and the messages.
AsgiApp = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[MutableMapping[str, Any]]],
        Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ],
    Awaitable[None],
]


def asgi(app: Litestar) -> AsgiApp:
    """The app itself, for asgi-lifespan and httpx: Litestar types the same ASGI call with its own TypedDicts
    for scopes and events, which mypy does not take for the plain mappings those libraries declare."""
    return cast(AsgiApp, app)


async def start_app(settings: Settings) -> tuple[Litestar, httpx.AsyncClient, LifespanManager]:
    app = create_app(settings)
    manager = LifespanManager(asgi(app), startup_timeout=30, shutdown_timeout=30)
    await manager.__aenter__()
    # the raw app, not `manager.app`: asgi-lifespan shares one `scope["state"]` dict across requests,
    # and Litestar keeps per-request flags there
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi(app)), base_url="http://testserver")
    return app, client, manager


@pytest.fixture
async def app_factory(settings_factory: Callable[..., Settings]) -> AsyncIterator[AppFactory]:
    """Build an app (with its own lifespan) and an async client for it; closed after the test."""
    started: list[tuple[httpx.AsyncClient, LifespanManager]] = []

    async def make(**overrides: Any) -> tuple[Litestar, httpx.AsyncClient]:
        app, client, manager = await start_app(settings_factory(**overrides))
        started.append((client, manager))
        return app, client

    yield make
    for client, _ in started:
        await client.aclose()
    for _, manager in reversed(started):
        await manager.__aexit__(None, None, None)


@pytest.fixture(scope="module")
def app_overrides() -> dict[str, Any]:
    """Settings of the module's shared app besides the test defaults; a module overrides this fixture."""
    return {}


class SharedApp:
    """One app per test module. `reset()` before each test gives it the state of a freshly started app:
    in-process state (caches, replaced parts, counters) back to what it was after start-up, its Redis keys and
    stored media gone."""

    def __init__(self, app: Litestar, client: httpx.AsyncClient, manager: LifespanManager) -> None:
        self.app, self.client, self.manager = app, client, manager
        services: Services = app.state.services
        self.services = services
        parts = [
            services,
            services.sessions,
            services.rate_limiter,
            services.tokens,
            services.mailer,
            services.realtime,
            services.marketplace_cache,
            services.registry,
            services.storage,
            services.payments,
        ]
        self.saved = [
            (
                part,
                {
                    name: (value, copy.copy(value) if isinstance(value, (dict, list, set)) else None)
                    for name, value in vars(part).items()
                },
            )
            for part in parts
            if hasattr(part, "__dict__")
        ]

    async def reset(self, redis: Redis | RedisCluster) -> None:
        services = self.services
        await services.marketplace_cache.close()  # its background refreshes of the previous test
        await services.sessions.close()  # a revocation still being retried
        for part, attributes in self.saved:
            for name, (value, content) in attributes.items():
                setattr(part, name, value)
                if content is not None:  # a container filled later: back to its content after start-up
                    value.clear()
                    value.update(content) if not isinstance(value, list) else value.extend(content)
        media = Path(services.settings.media_dir)  # what earlier tests uploaded
        if media.exists():
            shutil.rmtree(media)
        prefix = services.settings.redis_prefix
        keys = [key async for key in redis.scan_iter(match=prefix + "*", count=1000)]
        if keys:
            await redis.unlink(*keys)

    async def close(self) -> None:
        await self.client.aclose()
        await self.manager.__aexit__(None, None, None)


@pytest.fixture(scope="module")
async def shared_app(
    database_url: str,
    redis_url: str,
    redis_cluster: bool,
    tmp_path_factory: pytest.TempPathFactory,
    app_overrides: dict[str, Any],
) -> AsyncIterator[SharedApp]:
    settings = make_test_settings(
        database_url,
        redis_url,
        new_prefix("m"),
        tmp_path_factory.mktemp("app"),
        **{"redis_cluster": redis_cluster, **app_overrides},
    )
    shared = SharedApp(*await start_app(settings))
    yield shared
    await shared.close()


@pytest.fixture
async def app_client(
    shared_app: SharedApp, clean_database: str, redis_client: Redis | RedisCluster
) -> tuple[Litestar, httpx.AsyncClient]:
    await shared_app.reset(redis_client)
    return shared_app.app, shared_app.client


@pytest.fixture
def app(app_client: tuple[Litestar, httpx.AsyncClient]) -> Litestar:
    return app_client[0]


@pytest.fixture
def client(app_client: tuple[Litestar, httpx.AsyncClient]) -> httpx.AsyncClient:
    return app_client[1]


@pytest.fixture
def services(app: Litestar) -> Services:
    return app.state.services


@pytest.fixture
async def db_session(services: Services) -> AsyncIterator[AsyncSession]:
    """A session on the app's database for arranging rows; commit what the app must see."""
    async with services.sessionmaker() as session:
        yield session


@pytest.fixture
async def redis_client(redis_url: str, redis_cluster: bool) -> AsyncIterator[Redis | RedisCluster]:
    client = RedisCluster.from_url(redis_url) if redis_cluster else Redis.from_url(redis_url)
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


# the modules that test signing up and in (and their rate limits): their owners go through the HTTP endpoints
HTTP_SIGN_UP_MODULES = {
    "tests/test_auth_rest.py",
    "tests/test_auth_sessions.py",
    "tests/foundation/test_jwt.py",
    "tests/foundation/test_rate_limits.py",
    "tests/test_auth_expiry_and_limits.py",
}
_sign_up_over_http = False
_password_hashes: dict[str, str] = {}  # password -> its hash, computed once per run


@pytest.fixture(autouse=True)
def _sign_up_mode(request: pytest.FixtureRequest) -> None:
    global _sign_up_over_http
    # the module that defines the test: tests/cluster runs other modules' tests on a Redis Cluster
    function = getattr(request.node, "function", None)
    module = getattr(function, "__module__", "") or ""
    path = module.replace(".", "/") + ".py" if module.startswith("tests.") else ""
    path = path or request.node.path.relative_to(request.config.rootpath).as_posix()
    _sign_up_over_http = path in HTTP_SIGN_UP_MODULES


def _in_process_services(client: httpx.AsyncClient) -> Services | None:
    """The services of the app behind an in-process client; None for a client of a served app."""
    transport = getattr(client, "_transport", None)
    app = getattr(transport, "app", None)
    state = getattr(app, "state", None)
    return getattr(state, "services", None) if state is not None else None


async def create_owner(services: Services, email: str, password: str) -> SignedIn:
    """What sign-up and sign-in store and answer (the owner, a session, its tokens), without their HTTP
    requests and their two argon2 computations per owner."""
    if password not in _password_hashes:
        _password_hashes[password] = await hash_password(password)
    async with services.uow() as uow:
        owner = CarOwner(email=normalise_email(email), password_hash=_password_hashes[password])
        uow.session.add(owner)
        await uow.session.flush()
        session = await auth_service._start_session(uow, owner, family_id=str(uuid.uuid4()), user_agent=None)
    body = msgspec.to_builtins(sign_in_response(session, services.settings.public_base_url))
    return SignedIn(email, password, body)


async def sign_up_and_in(
    client: httpx.AsyncClient, email: str | None = None, password: str = "StrongPass123!"
) -> SignedIn:
    email = email or f"owner-{uuid.uuid4().hex[:10]}@minbil.io"
    services = _in_process_services(client)
    if services is not None and not _sign_up_over_http:
        return await create_owner(services, email, password)
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
