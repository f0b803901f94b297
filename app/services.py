"""The service container: everything a use case or a face may need, built once per app lifespan by
`app.wiring.build_services`. It satisfies the domain's `DomainServices` protocol."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from redis.client import AbstractRedis
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.ratelimit import RateLimiter
from app.auth.sessions import SessionStates
from app.auth.tokens import TokenCodec
from app.domain.account.ports import MediaStorage, VehicleRegistry
from app.domain.marketplace.cache import MarketplaceCache
from app.domain.payments.provider import PaymentProvider
from app.domain.ports import ImageCleaner, KeyValue, Mailer
from app.domain.uow import unit_of_work
from app.realtime import Realtime
from app.settings import Settings


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    kv: KeyValue
    # `redis.asyncio.Redis`, or `RedisCluster` with `redis_cluster` (their common base: one type for msgspec)
    redis: AbstractRedis | None
    tokens: TokenCodec
    sessions: SessionStates  # has a session (refresh family) ended? cached; PostgreSQL decides
    rate_limiter: RateLimiter
    mailer: Mailer
    marketplace_cache: MarketplaceCache
    registry: VehicleRegistry
    storage: MediaStorage
    images: ImageCleaner
    payments: PaymentProvider | None  # None: production without a Stripe key (payments answer 503)
    realtime: Realtime
    event_relay_wakeup: asyncio.Event
    # (provider, consequence) of each outside service production runs without; the app names them at start-up
    missing_providers: list[tuple[str, str]] = field(default_factory=list)

    def uow(self) -> unit_of_work:
        """`async with services.uow() as uow:` one transaction."""
        return unit_of_work(self)

    async def wake_event_relay(self) -> None:
        self.event_relay_wakeup.set()
