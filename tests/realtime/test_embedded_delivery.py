"""Embedded mode (no Redis): in-process channels, with producers in other processes reaching them via the outbox.

A module of its own: the Redis-backed two-instance servers of `test_delivery.py` are stopped before it runs."""

from __future__ import annotations

import asyncio

import msgspec
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from app.settings import Settings
from tests.realtime.conftest import StartServer, drop_database, own_database, owner_with_booking
from tests.realtime.harness import MESSAGE_SUBSCRIPTION, GraphQLSocket, produce_messages, until_delivering


async def test_embedded_mode_without_redis_delivers_in_process(servers: StartServer, rt_settings: Settings) -> None:
    """No Redis: the relay publishes on in-process channels; producers elsewhere still reach it via the outbox."""
    # its own database: the module's Redis-backed servers must not relay these events to Redis instead
    settings = msgspec.structs.replace(
        rt_settings, redis_url=None, database_url=await own_database(rt_settings.database_url or "", "embedded")
    )
    engine = create_async_engine(settings.database_url or "")
    try:
        server = await servers(settings)
        async with AsyncSession(engine, expire_on_commit=False) as own_session:
            owner = await owner_with_booking(server.base_url, own_session)
        async with GraphQLSocket(server.ws_url, owner["access_token"]) as socket:
            await socket.subscribe("m", MESSAGE_SUBSCRIPTION)
            await until_delivering(socket, "m", server.base_url, owner)
            ids = await asyncio.to_thread(produce_messages, settings, booking_id=owner["booking_id"], count=3)
            received = [int((await socket.data("m"))["messageReceived"]["message"]["databaseId"]) for _ in range(3)]
        assert received == ids
        server.stop()
    finally:
        await engine.dispose()
        await drop_database(settings.database_url or "")
