"""Open realtime connections per owner, across instances: a Redis sorted set per owner (member = connection
id, score = expiry). Heartbeats push the expiry forward; a crashed instance's entries expire by themselves.
In embedded mode the registry lives in the process.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisClusterException, RedisError

from app.domain.ports import KVUnavailable


class RedisConnectionRegistry:
    """Each transaction touches one owner's key, so it also runs on a Redis Cluster (one slot per transaction)."""

    def __init__(self, client: Redis | RedisCluster, *, prefix: str, timeout_s: float = 1.5) -> None:
        self.client = client
        self.prefix = prefix
        self.timeout_s = timeout_s

    def _key(self, owner_id: int) -> str:
        return f"{self.prefix}ws:conns:{owner_id}"

    async def _run(self, commands: Callable[[Any], object]) -> list[Any]:
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                commands(pipe)
                results: list[Any] = await asyncio.wait_for(pipe.execute(), self.timeout_s)
                return results
        except (TimeoutError, RedisError, RedisClusterException, OSError) as exc:
            raise KVUnavailable(str(exc) or type(exc).__name__) from exc

    async def admit(self, owner_id: int, conn_id: str, *, limit: int, ttl_s: float) -> bool:
        key, now = self._key(owner_id), time.time()

        def commands(pipe: Any) -> None:
            pipe.zremrangebyscore(key, "-inf", now)
            pipe.zadd(key, {conn_id: now + ttl_s})
            pipe.zcard(key)
            pipe.expire(key, int(ttl_s) + 60)

        results = await self._run(commands)
        if int(results[2]) > limit:  # over the limit, counting ourselves: back out
            await self._run(lambda pipe: pipe.zrem(key, conn_id))
            return False
        return True

    async def refresh(self, owner_id: int, conn_id: str, *, ttl_s: float) -> None:
        key = self._key(owner_id)

        def commands(pipe: Any) -> None:
            pipe.zadd(key, {conn_id: time.time() + ttl_s}, xx=True)
            pipe.expire(key, int(ttl_s) + 60)

        await self._run(commands)

    async def release(self, owner_id: int, conn_id: str) -> int:
        key, now = self._key(owner_id), time.time()

        def commands(pipe: Any) -> None:
            pipe.zrem(key, conn_id)
            pipe.zremrangebyscore(key, "-inf", now)
            pipe.zcard(key)

        return int((await self._run(commands))[2])

    async def count(self, owner_id: int) -> int:
        key, now = self._key(owner_id), time.time()

        def commands(pipe: Any) -> None:
            pipe.zremrangebyscore(key, "-inf", now)
            pipe.zcard(key)

        return int((await self._run(commands))[1])


class MemoryConnectionRegistry:
    def __init__(self) -> None:
        self._conns: dict[int, dict[str, float]] = {}

    def _live(self, owner_id: int) -> dict[str, float]:
        now = time.time()
        entries = self._conns.setdefault(owner_id, {})
        for conn_id in [c for c, expiry in entries.items() if expiry <= now]:
            del entries[conn_id]
        return entries

    async def admit(self, owner_id: int, conn_id: str, *, limit: int, ttl_s: float) -> bool:
        entries = self._live(owner_id)
        if len(entries) >= limit:
            return False
        entries[conn_id] = time.time() + ttl_s
        return True

    async def refresh(self, owner_id: int, conn_id: str, *, ttl_s: float) -> None:
        entries = self._live(owner_id)
        if conn_id in entries:
            entries[conn_id] = time.time() + ttl_s

    async def release(self, owner_id: int, conn_id: str) -> int:
        entries = self._live(owner_id)
        entries.pop(conn_id, None)
        if not entries:
            self._conns.pop(owner_id, None)
            return 0
        return len(entries)

    async def count(self, owner_id: int) -> int:
        return len(self._live(owner_id))
