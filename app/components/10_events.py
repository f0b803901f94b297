"""The event outbox relay and the channel layer: Redis pub/sub across instances, in-process when embedded.

Started with the app's services (embedded: with the first local subscriber); stopped, relay first, when the
lifespan ends.
"""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import AsyncExitStack

from app.domain.events.realtime import EXTRAS_KEY, Realtime
from app.domain.events.relay import OutboxRelay
from app.domain.uow import EVENTS_CHANNEL
from app.infra.channels import Channels, MemoryChannels, RedisChannels
from app.infra.connections import ConnectionRegistry, MemoryConnectionRegistry, RedisConnectionRegistry
from app.infra.pg_notify import PgListener, asyncpg_dsn
from app.services import Services, database_url


async def setup(services: Services, stack: AsyncExitStack) -> None:
    settings = services.settings
    channels: Channels
    connections: ConnectionRegistry
    tasks: list[asyncio.Task[None]] = []
    relay: OutboxRelay

    def start_relay() -> None:
        listener = PgListener(asyncpg_dsn(database_url(settings)), EVENTS_CHANNEL, services.event_relay_wakeup.set)
        listener.start()
        stack.push_async_callback(listener.stop)
        tasks.append(asyncio.create_task(relay.run(), name="outbox-relay"))

    if settings.redis_url and services.redis is not None:
        redis_channels = RedisChannels(settings.redis_url)
        redis_channels.start()
        channels = redis_channels
        connections = RedisConnectionRegistry(services.redis, prefix=settings.redis_prefix)
    else:
        # in-process channels reach only this process's subscribers: relay only in a process that has some
        # (the server), never in a command-line process that merely writes events
        channels = MemoryChannels(on_first_listener=start_relay)
        connections = MemoryConnectionRegistry()
    stack.push_async_callback(channels.close)

    relay = OutboxRelay(services, channels)
    services.extras[EXTRAS_KEY] = Realtime(channels=channels, relay=relay, connections=connections)

    async def stop_relay() -> None:
        relay.stop()
        for task in tasks:
            try:
                await asyncio.wait_for(asyncio.shield(task), 5)
            except (TimeoutError, Exception):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    stack.push_async_callback(stop_relay)
    if channels.shared:
        start_relay()
