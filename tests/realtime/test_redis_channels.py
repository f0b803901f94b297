"""The Redis channel layer's one pub/sub connection: a channel subscribed after the connection sat idle without
channels, and liveness pings answered on the connection the read loop reads."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from app.domain.events.ports import Listener
from app.infra.channels import RedisChannels
from tests.conftest import new_prefix


async def _connected(layer: RedisChannels) -> RedisChannels:
    layer.start()
    # the layer exposes no event for "connected"; from then on a listen waits for its confirmation
    while not layer._connected:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    return layer


@pytest.fixture
async def channels(redis_url: str) -> AsyncIterator[RedisChannels]:
    layer = await _connected(RedisChannels(redis_url, ping_every_s=0.2))
    yield layer
    await layer.close()


async def test_a_channel_subscribed_when_a_health_check_is_due_gets_its_messages(redis_url: str) -> None:
    # redis-py's own health check (every 10 s when configured) read the PING's answer beside the read loop when
    # a channel was subscribed while none was: "read() called while another coroutine is already waiting"
    layer = await _connected(RedisChannels(redis_url))
    try:
        first = await layer.listen(new_prefix("c"))
        await layer.unlisten(first)
        connection = layer._pubsub.connection
        assert connection is not None
        connection.next_health_check = 0  # due now, as after an idle spell
        channel = new_prefix("c")
        listener = await layer.listen(channel)
        await layer.publish([(channel, b"after the idle spell")])
        assert await asyncio.wait_for(listener.queue.get(), 5) == b"after the idle spell"
    finally:
        await layer.close()


async def _listening(channels: RedisChannels, channel: str) -> Listener:
    """A listener whose channel is confirmed."""
    listener = await channels.listen(channel)
    await channels.publish([(channel, b"probe")])
    assert await asyncio.wait_for(listener.queue.get(), 5) == b"probe"
    return listener


async def test_pings_keep_the_connection_without_resyncs(channels: RedisChannels) -> None:
    channel = new_prefix("c")
    listener = await _listening(channels, channel)
    await asyncio.sleep(1.5)  # several pings, answered as "pong" messages
    await channels.publish([(channel, b"still here")])
    assert await asyncio.wait_for(listener.queue.get(), 5) == b"still here"
    await asyncio.sleep(0.2)
    assert listener.queue.empty()  # no RESYNC: the connection was never dropped
