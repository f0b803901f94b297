"""The service container: everything a use case may need, built once per app lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.passwords import configure_hashing
from app.auth.ratelimit import RateLimiter
from app.auth.sessions import SessionStates
from app.auth.tokens import TokenCodec
from app.discovery import modules_of
from app.domain.uow import UnitOfWork, unit_of_work
from app.infra.kv import KeyValue, MemoryKV, RedisKV
from app.infra.mail import DroppingMailer, Mailer, build_mailer
from app.settings import Settings
from db.engine import make_engine, make_sessionmaker

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    kv: KeyValue
    redis: Redis | None
    tokens: TokenCodec
    sessions: SessionStates  # has a session (refresh family) ended? cached; PostgreSQL decides
    rate_limiter: RateLimiter
    mailer: Mailer
    event_relay_wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    # filled by the modules of `app.components`, each under its own key with a typed accessor
    extras: dict[str, Any] = field(default_factory=dict)
    # (provider, consequence) of each outside service production runs without; the app names them at start-up
    missing_providers: list[tuple[str, str]] = field(default_factory=list)

    def uow(self) -> Any:
        """`async with services.uow() as uow:` one transaction."""
        return unit_of_work(self)

    def new_uow(self, session: AsyncSession) -> UnitOfWork:
        return UnitOfWork(session, self)

    def missing_provider(self, name: str, consequence: str) -> None:
        self.missing_providers.append((name, consequence))

    async def wake_event_relay(self) -> None:
        self.event_relay_wakeup.set()


def database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    from app.embedded import embedded_database_url

    return embedded_database_url(settings.data_dir)


@asynccontextmanager
async def build_services(settings: Settings, *, migrate: bool = False) -> AsyncIterator[Services]:
    configure_hashing(
        time_cost=settings.password_time_cost,
        memory_kib=settings.password_memory_kib,
        parallelism=settings.password_parallelism,
    )
    async with AsyncExitStack() as stack:
        engine = make_engine(database_url(settings), connect_timeout_s=settings.database_connect_timeout_s)
        stack.push_async_callback(engine.dispose)
        if migrate:
            from db.migrate import upgrade_head

            await upgrade_head(engine)
        redis: Redis | None = None
        kv: KeyValue
        if settings.redis_url:
            redis = Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=1)
            stack.push_async_callback(redis.aclose)
            kv = RedisKV(redis, timeout_s=settings.redis_timeout_s, prefix=settings.redis_prefix)
        else:
            kv = MemoryKV()
        sessionmaker = make_sessionmaker(engine)
        services = Services(
            settings=settings,
            engine=engine,
            sessionmaker=sessionmaker,
            kv=kv,
            redis=redis,
            tokens=TokenCodec(
                secret=settings.jwt_secret,
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
                ttl_s=settings.access_token_ttl_s,
            ),
            sessions=SessionStates(
                kv,
                sessionmaker,
                local_ttl_s=settings.session_cache_s,
                # a revoked session stays revoked: cache it until any token it may have issued has expired
                revoked_ttl_s=max(settings.access_token_ttl_s, settings.realtime_token_ttl_s) + 60,
            ),
            rate_limiter=RateLimiter(kv, fail_mode=settings.rate_limit_fail_mode),
            mailer=build_mailer(settings),
        )
        stack.push_async_callback(services.sessions.close)
        if isinstance(services.mailer, DroppingMailer):
            services.missing_provider("mail", DroppingMailer.consequence)
        for component in modules_of("app.components"):
            setup = getattr(component, "setup", None)
            if setup is not None:
                await setup(services, stack)
        yield services
