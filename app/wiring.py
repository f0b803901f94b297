"""The composition root of the service container: which adapter serves each port, in which order the
long-lived parts are built, and how they are closed (in reverse order, by one exit stack).

Each builder below makes one part from the settings and the parts built before it; `build_services` calls
them in a fixed order. Adding a part: write its builder, call it here, add the typed field to `Services`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisClusterException, RedisError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.passwords import configure_hashing
from app.auth.ratelimit import RateLimiter
from app.auth.sessions import SessionStates
from app.auth.tokens import TokenCodec
from app.domain.account.ports import MediaStorage, VehicleRegistry
from app.domain.events.ports import Channels, ConnectionRegistry
from app.domain.events.presence import owner_present
from app.domain.marketplace.cache import MarketplaceCache
from app.domain.payments.provider import PaymentProvider
from app.domain.ports import KeyValue, Mailer
from app.embedded import embedded_database_url
from app.infra.channels import MemoryChannels, RedisChannels
from app.infra.connections import MemoryConnectionRegistry, RedisConnectionRegistry
from app.infra.images import PillowImages
from app.infra.kv import MemoryKV, RedisKV
from app.infra.mail import DroppingMailer, build_mailer
from app.infra.payments.local import LocalProvider
from app.infra.payments.stripe_provider import StripeProvider
from app.infra.pg_notify import PgListener, asyncpg_dsn
from app.infra.sharded_channels import ShardedRedisChannels
from app.infra.storage import LocalStorage
from app.infra.vegvesen import OfflineRegistry, UnconfiguredRegistry, VegvesenRegistry
from app.realtime import Realtime
from app.realtime.relay import OutboxRelay
from app.services import Services
from app.settings import Settings
from app.tasks import cancel_and_wait
from db.engine import make_engine, make_sessionmaker
from db.migrate import upgrade_head
from db.repositories.events import EVENTS_CHANNEL

log = logging.getLogger(__name__)

Missing = list[tuple[str, str]]  # (provider, consequence): named in the log at start-up


def database_url(settings: Settings) -> str:
    return settings.database_url or embedded_database_url(settings.data_dir)


async def database(settings: Settings, stack: AsyncExitStack, *, migrate: bool) -> AsyncEngine:
    engine = make_engine(
        database_url(settings),
        pool_size=settings.database_pool_size,
        connect_timeout_s=settings.database_connect_timeout_s,
    )
    stack.push_async_callback(engine.dispose)
    if migrate:
        await upgrade_head(engine)
    return engine


def key_value(settings: Settings, stack: AsyncExitStack) -> tuple[Redis | RedisCluster | None, KeyValue]:
    """Redis when configured (shared by every instance), otherwise the in-process store (embedded mode). With
    `redis_cluster`, `redis_url` names one node of a Redis Cluster and the client finds the others."""
    if not settings.redis_url:
        return None, MemoryKV()
    # no socket_timeout: every caller bounds its own calls (`RedisKV` by `redis_timeout_s`, the connection
    # registry by its own), sooner than a client-wide timeout would; with one set, redis-py wraps each send in
    # a task of its own (`wait_for`) and each read in a timeout, about a tenth of a command's CPU
    redis: Redis | RedisCluster
    if settings.redis_cluster:
        redis = RedisCluster.from_url(settings.redis_url, socket_timeout=None, socket_connect_timeout=1)
    else:
        redis = Redis.from_url(settings.redis_url, socket_timeout=None, socket_connect_timeout=1)
    stack.push_async_callback(redis.aclose)
    return redis, RedisKV(redis, timeout_s=settings.redis_timeout_s, prefix=settings.redis_prefix)


async def load_slot_map(redis: RedisCluster) -> None:
    """redis-py's cluster client loads the slot map on its first command, and concurrent first commands race
    with that load (some fail on a connection the load closes): load it before requests arrive. A cluster that
    does not answer yet is no reason not to start; the client loads the map with the first command then."""
    with contextlib.suppress(TimeoutError, RedisError, RedisClusterException, OSError):
        await asyncio.wait_for(redis.initialize(), 2)


def token_codec(settings: Settings) -> TokenCodec:
    return TokenCodec(
        secret=settings.jwt_secret,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_s=settings.access_token_ttl_s,
    )


def mailer(settings: Settings, missing: Missing) -> Mailer:
    built = build_mailer(settings)
    if isinstance(built, DroppingMailer):
        missing.append(("mail", DroppingMailer.consequence))
    return built


def realtime(
    settings: Settings,
    engine: AsyncEngine,
    kv: KeyValue,
    redis: Redis | RedisCluster | None,
    wakeup: asyncio.Event,
    stack: AsyncExitStack,
) -> Realtime:
    """The channel layer, the connection registry and the outbox relay.

    Redis pub/sub across instances (sharded pub/sub on a Redis Cluster); in-process when embedded. The relay starts with the services when
    channels are shared, and with the first local subscriber otherwise: in-process channels reach only this
    process's subscribers, so a command-line process that merely writes events never relays. The relay is
    stopped first when the lifespan ends.
    """
    channels: Channels
    connections: ConnectionRegistry
    tasks: list[asyncio.Task[None]] = []

    def start_relay() -> None:
        listener = PgListener(asyncpg_dsn(database_url(settings)), EVENTS_CHANNEL, wakeup.set)
        listener.start()
        stack.push_async_callback(listener.stop)
        tasks.append(asyncio.create_task(relay.run(), name="outbox-relay"))

    if settings.redis_url and redis is not None:
        redis_channels: RedisChannels | ShardedRedisChannels
        if settings.redis_cluster:
            redis_channels = ShardedRedisChannels(settings.redis_url)
        else:
            redis_channels = RedisChannels(settings.redis_url)
        redis_channels.start()
        channels = redis_channels
        connections = RedisConnectionRegistry(redis, prefix=settings.redis_prefix)
    else:
        channels = MemoryChannels(on_first_listener=start_relay)
        connections = MemoryConnectionRegistry()
    stack.push_async_callback(channels.close)

    relay = OutboxRelay(
        engine,
        channels,
        is_present=partial(owner_present, kv, connections),
        wakeup=wakeup,
        channel_prefix=settings.redis_prefix,
        poll_interval_s=settings.realtime_poll_interval_s,
    )

    async def stop_relay() -> None:
        relay.stop()
        for task in tasks:
            try:
                await asyncio.wait_for(asyncio.shield(task), 5)
            except (TimeoutError, Exception):
                await cancel_and_wait(task)

    stack.push_async_callback(stop_relay)
    if channels.shared:
        start_relay()
    return Realtime(channels=channels, connections=connections, relay=relay)


def marketplace_cache(settings: Settings, kv: KeyValue, channels: Channels, stack: AsyncExitStack) -> MarketplaceCache:
    """The marketplace cache; its in-process layers follow the other instances' invalidations and favourites
    changes on two channels of the channel layer."""
    cache = MarketplaceCache(kv, ttl_s=settings.cache_ttl_s, prefix="mkt:")
    stack.push_async_callback(cache.close)
    if channels.shared:
        # in-process channels reach only this process, which drops its own layer at once; listening on them
        # would also start the outbox relay here (it starts with the first local listener) in processes that
        # have no subscribers and would publish their events to nobody
        cache.follow(channels, settings.redis_prefix + "mkt:invalidations")
        cache.favourites.follow(channels, settings.redis_prefix + "mkt:favourites")
        stack.push_async_callback(cache.stop_following)
    return cache


def vehicle_registry(settings: Settings, kv: KeyValue, stack: AsyncExitStack, missing: Missing) -> VehicleRegistry:
    """Vegvesen with an API key. Without one, the offline registry answers in development and test (embedded
    mode, demos); production refuses lookups (503 REGISTRY_NOT_CONFIGURED) unless `vegvesen_offline` asks
    for the offline registry."""
    registry: VegvesenRegistry | OfflineRegistry | UnconfiguredRegistry
    if settings.vegvesen_api_key:
        registry = VegvesenRegistry(
            api_key=settings.vegvesen_api_key,
            base_url=settings.vegvesen_base_url,
            kv=kv,
            timeout_s=settings.vegvesen_timeout_s,
        )
    elif settings.production and not settings.vegvesen_offline:
        missing.append(
            (
                "vehicle registry",
                "MINBIL_VEGVESEN_API_KEY is not set; vehicle lookups answer "
                "503 REGISTRY_NOT_CONFIGURED (MINBIL_VEGVESEN_OFFLINE=true "
                "serves the offline registry instead)",
            )
        )
        registry = UnconfiguredRegistry()
    else:
        log.info("no Vegvesen API key configured: vehicle data comes from the offline registry")
        registry = OfflineRegistry()
    stack.push_async_callback(registry.aclose)
    return registry


def media_storage(settings: Settings) -> MediaStorage:
    """The local folder unless `media_store` names a bucket; the S3 client is imported only then."""
    if not settings.media_store:
        return LocalStorage(settings.media_dir)
    from app.infra.s3storage import S3Storage

    return S3Storage.from_settings(settings)


def payment_provider(settings: Settings, stack: AsyncExitStack, missing: Missing) -> PaymentProvider | None:
    """Stripe when a secret key is configured; otherwise the local provider in development and test, and none
    at all in production (`payment_provider(services)` then answers 503: production never simulates a charge)."""
    provider: PaymentProvider
    if settings.stripe_secret_key:
        provider = StripeProvider(settings.stripe_secret_key, api_base=settings.stripe_api_base)
    elif settings.production:
        missing.append(
            (
                "payments",
                "MINBIL_STRIPE_SECRET_KEY is not set; every payment operation answers 503 PAYMENTS_NOT_CONFIGURED",
            )
        )
        return None
    else:
        provider = LocalProvider()
    if settings.production and not settings.stripe_webhook_secret:
        missing.append(
            (
                "payment webhooks",
                "MINBIL_STRIPE_WEBHOOK_SECRET is not set; Stripe webhooks answer 503 WEBHOOK_NOT_CONFIGURED",
            )
        )
    stack.push_async_callback(provider.aclose)
    log.info("payment provider: %s", provider.name)
    return provider


@asynccontextmanager
async def build_services(settings: Settings, *, migrate: bool = False) -> AsyncIterator[Services]:
    """The app's services, in build order; closed in reverse order when the block ends."""
    configure_hashing(
        time_cost=settings.password_time_cost,
        memory_kib=settings.password_memory_kib,
        parallelism=settings.password_parallelism,
    )
    async with AsyncExitStack() as stack:
        missing: Missing = []
        engine = await database(settings, stack, migrate=migrate)
        redis, kv = key_value(settings, stack)
        if isinstance(redis, RedisCluster):
            await load_slot_map(redis)
        sessionmaker = make_sessionmaker(engine)
        sessions = SessionStates(
            kv,
            sessionmaker,
            local_ttl_s=settings.session_cache_s,
            # a revoked session stays revoked: cache it until any token it may have issued has expired
            revoked_ttl_s=max(settings.access_token_ttl_s, settings.realtime_token_ttl_s) + 60,
        )
        stack.push_async_callback(sessions.close)
        mail = mailer(settings, missing)
        wakeup = asyncio.Event()
        live = realtime(settings, engine, kv, redis, wakeup, stack)
        cache = marketplace_cache(settings, kv, live.channels, stack)
        registry = vehicle_registry(settings, kv, stack, missing)
        storage = media_storage(settings)
        payments = payment_provider(settings, stack, missing)
        yield Services(
            settings=settings,
            engine=engine,
            sessionmaker=sessionmaker,
            kv=kv,
            redis=redis,
            tokens=token_codec(settings),
            sessions=sessions,
            rate_limiter=RateLimiter(kv, fail_mode=settings.rate_limit_fail_mode),
            mailer=mail,
            marketplace_cache=cache,
            registry=registry,
            storage=storage,
            images=PillowImages(),
            payments=payments,
            realtime=live,
            event_relay_wakeup=wakeup,
            missing_providers=missing,
        )
