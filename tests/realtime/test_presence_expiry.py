"""An explicit `online` without heartbeat expires after `presence_ttl_s`: the owner counts as offline again
(the relay then queues their messages and notifications instead of counting them delivered)."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from app.domain.events.presence import current_status, is_present
from tests.conftest import AppFactory, sign_up_and_in


async def test_online_without_heartbeat_expires_to_offline(app_factory: AppFactory) -> None:
    app, client = await app_factory(presence_ttl_s=1)
    services = app.state.services
    owner = await sign_up_and_in(client)
    assert await current_status(services, owner.owner_id) == "offline"

    online = await client.put("/api/co/presence", json={"status": "online"}, headers=owner.headers)

    assert online.status_code == 200, online.text
    assert await current_status(services, owner.owner_id) == "online"
    assert await is_present(services, owner.owner_id) is True
    deadline = time.monotonic() + 15
    while await current_status(services, owner.owner_id) != "offline":
        assert time.monotonic() < deadline, "the online status never expired"
        await asyncio.sleep(0.1)
    assert await is_present(services, owner.owner_id) is False


async def test_a_heartbeat_renews_the_status(app_factory: AppFactory, redis_client: Redis) -> None:
    app, client = await app_factory(presence_ttl_s=30)
    services = app.state.services
    owner = await sign_up_and_in(client)
    key = f"{services.settings.redis_prefix}presence:status:{owner.owner_id}"
    await client.put("/api/co/presence", json={"status": "online"}, headers=owner.headers)
    await redis_client.expire(key, 2)  # as if most of the lifetime had passed

    again = await client.put("/api/co/presence", json={"status": "online"}, headers=owner.headers)

    assert again.status_code == 200
    assert 2 < await redis_client.ttl(key) <= 30
