"""A partitioned Redis (connections accepted, nothing answered) costs a search a bounded wait, not a hang.

One node behind one proxy: a Redis Cluster's client finds the other nodes by the addresses they announce and
would go around the proxy, so this is not repeated on the cluster (tests/cluster repeats test_cache.py).
"""

from __future__ import annotations

import time

import httpx

from app.infra.kv import RedisKV
from app.services import Services
from tests.conftest import AppFactory
from tests.faults import TcpProxy
from tests.marketplace.conftest import build_catalogue


async def test_a_redis_that_never_answers_delays_a_search_by_at_most_its_call_timeout(
    app_factory: AppFactory, redis_url: str
) -> None:
    # the Redis client has no socket timeout of its own (redis-py pays a task per send for one): each call is
    # bounded by its caller, so a partition (connections accepted, nothing answered) costs a search
    # `redis_timeout_s` per call until the breaker opens, not a hang
    target = httpx.URL(redis_url)
    proxy = await TcpProxy(target.host, target.port or 6379).start()
    try:
        app, client = await app_factory(redis_url=f"redis://127.0.0.1:{proxy.port}{target.path or '/0'}")
        services: Services = app.state.services
        async with services.sessionmaker() as session:
            await build_catalogue(session)
        assert (await client.get("/api/co/shops?city=oslo")).headers["x-cache"] == "MISS"
        await proxy.hang()
        for attempt in range(4):
            started = time.monotonic()
            response = await client.get(f"/api/co/shops?city=oslo&page={attempt + 1}")
            assert response.status_code == 200, response.text
            assert time.monotonic() - started < 2.0  # a few calls of 0.25 s, where a hang would be forever
        assert isinstance(services.kv, RedisKV)
        assert services.kv.breaker.is_open
    finally:
        await proxy.close()
