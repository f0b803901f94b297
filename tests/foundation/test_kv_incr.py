"""`RedisKV`'s compound operations: `incr`, one atomic script per call (INCRBY, and an expiry only on a key that
has none), and the two-key operations of the marketplace cache."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot

from app.infra.kv import RedisKV


@pytest.fixture
async def kv(redis_client: Redis | RedisCluster) -> AsyncIterator[RedisKV]:
    store = RedisKV(redis_client, timeout_s=2, prefix=f"minbil:test:kv:{uuid.uuid4().hex[:8]}:")
    yield store
    keys = [key async for key in redis_client.scan_iter(match=store.prefix + "*")]
    if keys:
        await redis_client.delete(*keys)


async def test_counts_and_starts_the_window_with_the_first_charge(kv: RedisKV) -> None:
    assert await kv.incr("c", ttl_s=60) == 1
    first = await kv.ttl("c")
    assert first is not None and 55 < first <= 60
    assert await kv.incr("c", ttl_s=600, amount=4) == 5
    later = await kv.ttl("c")
    assert later is not None and later <= first  # a later charge does not extend the window


async def test_a_refund_counts_down_and_keeps_the_window(kv: RedisKV) -> None:
    await kv.incr("c", ttl_s=60, amount=3)
    assert await kv.incr("c", amount=-2) == 1
    remaining = await kv.ttl("c")
    assert remaining is not None and remaining > 0


async def test_without_a_ttl_the_counter_does_not_expire(kv: RedisKV) -> None:
    assert await kv.incr("c") == 1
    assert await kv.incr("c") == 2
    assert await kv.ttl("c") is None


async def test_an_expired_window_starts_again(kv: RedisKV) -> None:
    assert await kv.incr("c", ttl_s=60) == 1
    await kv.delete("c")  # as when the window has passed
    assert await kv.incr("c", ttl_s=60) == 1
    assert (await kv.ttl("c") or 0) > 55


async def test_a_key_given_a_ttl_elsewhere_keeps_it(kv: RedisKV) -> None:
    await kv.set("c", b"7", ttl_s=30)
    assert await kv.incr("c", ttl_s=600) == 8
    remaining = await kv.ttl("c")
    assert remaining is not None and remaining <= 30


def _far_apart(kv: RedisKV) -> tuple[str, str]:
    """Two keys in slots of different thirds: on the three-primary cluster, on two nodes."""
    # two counters, not one: CRC16 is linear, so with one shared suffix the two slots would keep one distance
    for a, b in ((f"value-{i}", f"lock-{j}") for i in range(40) for j in range(40)):
        if abs(key_slot((kv.prefix + a).encode()) - key_slot((kv.prefix + b).encode())) > 16384 // 3 + 1:
            return a, b
    raise AssertionError(f"no two keys far apart under {kv.prefix!r}")


async def test_get_or_lock_reads_a_value_or_takes_the_free_lock(kv: RedisKV) -> None:
    key, lock = "{tag}:value", "{tag}:lock"  # one hash slot, as the script needs on a cluster
    assert await kv.get_or_lock(key, lock, 30) == (None, True)
    remaining = await kv.ttl(lock)
    assert remaining is not None and 25 < remaining <= 30
    assert await kv.get_or_lock(key, lock, 30) == (None, False)  # held: not taken again
    await kv.delete(lock)
    await kv.set(key, b"answer")
    assert await kv.get_or_lock(key, lock, 30) == (b"answer", False)
    assert await kv.get(lock) is None  # a value found takes no lock


async def test_set_and_delete_stores_the_value_and_frees_the_lock(kv: RedisKV) -> None:
    key, lock = _far_apart(kv)
    await kv.set(lock, b"1", ttl_s=30)
    await kv.set_and_delete(key, b"answer", 60, lock)
    assert await kv.get(key) == b"answer"
    remaining = await kv.ttl(key)
    assert remaining is not None and 55 < remaining <= 60
    assert await kv.get(lock) is None
