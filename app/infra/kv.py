"""The key-value store (`app.domain.ports.KeyValue`) on Redis, with an in-process twin for embedded mode.

The Redis implementation uses a short timeout and a circuit breaker: when Redis is slow or down, calls
fail fast with `KVUnavailable` instead of every request waiting for a timeout, and the breaker closes
again by itself once a probe succeeds.
"""

from __future__ import annotations

import asyncio
import fnmatch
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisClusterException, RedisError

from app.domain.ports import KVUnavailable

T = TypeVar("T")


class CircuitBreaker:
    """Opens after `threshold` consecutive failures; lets one probe through every `cooldown_s`."""

    def __init__(self, threshold: int = 3, cooldown_s: float = 2.0) -> None:
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self.failures = 0
        self.opened_at: float | None = None

    def allow(self) -> bool:
        if self.opened_at is None:
            return True
        if time.monotonic() - self.opened_at >= self.cooldown_s:
            self.opened_at = time.monotonic()  # one probe per cooldown
            return True
        return False

    def record_success(self) -> None:
        self.failures = 0
        self.opened_at = None

    def record_failure(self) -> None:
        self.failures += 1
        if self.failures >= self.threshold:
            self.opened_at = time.monotonic()

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None


# INCRBY, and the expiry only on a key that has none yet (a counter's window starts with its first charge): one
# atomic round trip on one key, so it also runs on a Redis Cluster (a MULTI pipeline cost two more round trips)
INCR_SCRIPT = """
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and redis.call('PTTL', KEYS[1]) == -1 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return value
"""


# the value, or else the lock if it is free: a miss's look and its lock in one round trip, and a hit takes no lock
GET_OR_LOCK_SCRIPT = """
local value = redis.call('GET', KEYS[1])
if value then
    return {value, 0}
end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1]) then
    return {false, 1}
end
return {false, 0}
"""


class RedisKV:
    """Every operation names one key, two of one hash slot (`get_or_lock`), or two in a pipeline without MULTI
    (which the cluster client splits by node), so the store runs unchanged on one Redis or on a Redis Cluster."""

    shared = True

    def __init__(self, client: Redis | RedisCluster, *, timeout_s: float = 0.25, prefix: str = "minbil:") -> None:
        self.client = client
        self.timeout_s = timeout_s
        self.prefix = prefix
        self.breaker = CircuitBreaker()
        self._incr = client.register_script(INCR_SCRIPT)
        self._get_or_lock = client.register_script(GET_OR_LOCK_SCRIPT)

    def _k(self, key: str) -> str:
        return self.prefix + key

    async def _call(self, operation: Callable[[], Awaitable[T]]) -> T:
        if not self.breaker.allow():
            raise KVUnavailable("redis circuit open")
        try:
            async with asyncio.timeout(self.timeout_s):  # wait_for would wrap each call in a task of its own
                result = await operation()
        except (TimeoutError, RedisError, RedisClusterException, OSError) as exc:
            self.breaker.record_failure()
            raise KVUnavailable(str(exc) or type(exc).__name__) from exc
        self.breaker.record_success()
        return result

    async def get(self, key: str) -> bytes | None:
        value = await self._call(lambda: self.client.get(self._k(key)))
        return value.encode() if isinstance(value, str) else value  # the client is not set to decode

    async def set(self, key: str, value: bytes, ttl_s: float | None = None, *, only_if_absent: bool = False) -> bool:
        px = int(ttl_s * 1000) if ttl_s else None
        result = await self._call(lambda: self.client.set(self._k(key), value, px=px, nx=only_if_absent))
        return bool(result)

    async def delete(self, *keys: str) -> int:
        if not keys:
            return 0
        return int(await self._call(lambda: self.client.delete(*(self._k(k) for k in keys))))

    async def get_or_lock(self, key: str, lock_key: str, ttl_s: float) -> tuple[bytes | None, bool]:
        keys, args = [self._k(key), self._k(lock_key)], [max(1, int(ttl_s * 1000))]
        value, taken = await self._call(lambda: self._get_or_lock(keys=keys, args=args))
        return value.encode() if isinstance(value, str) else value, bool(taken)

    async def set_and_delete(self, key: str, value: bytes, ttl_s: float | None, delete_key: str) -> None:
        # a pipeline without MULTI: on a cluster the two keys may live on two nodes, and the order does not
        # matter (a lock freed before the value lands only means one load too many)
        def both() -> Awaitable[list[Any]]:
            pipe = self.client.pipeline(transaction=False)
            pipe.set(self._k(key), value, px=int(ttl_s * 1000) if ttl_s else None)
            pipe.delete(self._k(delete_key))
            return pipe.execute()

        await self._call(both)

    async def incr(self, key: str, ttl_s: float | None = None, amount: int = 1) -> int:
        ttl_ms = max(1, int(ttl_s * 1000)) if ttl_s else 0
        return int(await self._call(lambda: self._incr(keys=[self._k(key)], args=[amount, ttl_ms])))

    async def ttl(self, key: str) -> float | None:
        ms = await self._call(lambda: self.client.pttl(self._k(key)))
        return None if ms is None or ms < 0 else ms / 1000

    async def ping(self) -> bool:
        try:
            return bool(await self._call(self.client.ping))
        except KVUnavailable:
            return False


class MemoryKV:
    """In-process store for embedded mode and single-instance use."""

    shared = False

    def __init__(self) -> None:
        self._data: dict[str, tuple[bytes, float | None]] = {}

    def _live(self, key: str) -> tuple[bytes, float | None] | None:
        item = self._data.get(key)
        if item is None:
            return None
        if item[1] is not None and item[1] <= time.monotonic():
            del self._data[key]
            return None
        return item

    async def get(self, key: str) -> bytes | None:
        item = self._live(key)
        return None if item is None else item[0]

    async def set(self, key: str, value: bytes, ttl_s: float | None = None, *, only_if_absent: bool = False) -> bool:
        if only_if_absent and self._live(key) is not None:
            return False
        self._data[key] = (value, time.monotonic() + ttl_s if ttl_s else None)
        if len(self._data) > 100_000:
            self._evict()
        return True

    async def delete(self, *keys: str) -> int:
        return sum(1 for k in keys if self._data.pop(k, None) is not None)

    async def get_or_lock(self, key: str, lock_key: str, ttl_s: float) -> tuple[bytes | None, bool]:
        value = await self.get(key)
        if value is not None:
            return value, False
        return None, await self.set(lock_key, b"1", ttl_s, only_if_absent=True)

    async def set_and_delete(self, key: str, value: bytes, ttl_s: float | None, delete_key: str) -> None:
        await self.set(key, value, ttl_s)
        await self.delete(delete_key)

    async def incr(self, key: str, ttl_s: float | None = None, amount: int = 1) -> int:
        item = self._live(key)
        if item is None:
            value, expires = amount, (time.monotonic() + ttl_s if ttl_s else None)
        else:
            value, expires = int(item[0]) + amount, item[1]
        self._data[key] = (str(value).encode(), expires)
        return value

    async def ttl(self, key: str) -> float | None:
        item = self._live(key)
        if item is None or item[1] is None:
            return None
        return max(0.0, item[1] - time.monotonic())

    async def ping(self) -> bool:
        return True

    def keys(self, pattern: str = "*") -> list[str]:
        return [k for k in list(self._data) if self._live(k) is not None and fnmatch.fnmatch(k, pattern)]

    def _evict(self) -> None:
        now = time.monotonic()
        for key in [k for k, (_, exp) in self._data.items() if exp is not None and exp <= now]:
            del self._data[key]
