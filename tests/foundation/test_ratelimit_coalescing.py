"""Concurrent counts of one rate-limit counter share round trips to the store and still count one by one."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence

import pytest

from app.auth.ratelimit import RateLimiter
from app.domain.ports import KVUnavailable
from app.errors import RateLimited
from app.infra.kv import MemoryKV


class SlowKV(MemoryKV):
    """A store whose increments take a round trip (they yield to the loop), counted."""

    def __init__(self, *, fail: bool = False) -> None:
        super().__init__()
        self.calls = 0
        self.fail = fail

    async def incr(self, key: str, ttl_s: float | None = None, amount: int = 1) -> int:
        self.calls += 1
        await asyncio.sleep(0.01)
        if self.fail:
            raise KVUnavailable("Too many connections")
        return await super().incr(key, ttl_s, amount)


async def _outcomes(calls: Sequence[Awaitable[None]]) -> tuple[int, int]:
    results = await asyncio.gather(*calls, return_exceptions=True)
    refused = sum(1 for r in results if isinstance(r, RateLimited))
    assert all(r is None or isinstance(r, RateLimited) for r in results), results
    return len(results) - refused, refused


async def test_a_burst_of_hits_takes_two_round_trips_and_admits_exactly_the_limit() -> None:
    kv = SlowKV()
    limiter = RateLimiter(kv)
    calls = [asyncio.ensure_future(limiter.hit("b", "who", limit=30, window_s=60)) for _ in range(200)]
    assert await _outcomes(calls) == (30, 170)
    assert kv.calls == 2  # the first count alone, then the other 199 together
    await limiter.hit("b", "other", limit=1, window_s=60)  # other counters are their own: not refused


async def test_a_burst_of_spends_gives_back_what_it_refused() -> None:
    kv = SlowKV()
    limiter = RateLimiter(kv)
    calls = [asyncio.ensure_future(limiter.spend("cost", "who", 3, limit=100, window_s=60)) for _ in range(50)]
    assert await _outcomes(calls) == (33, 17)
    # what is left of the window (1) still serves a smaller amount, as with counts one by one
    await limiter.spend("cost", "who", 1, limit=100, window_s=60)
    with pytest.raises(RateLimited):
        await limiter.spend("cost", "who", 1, limit=100, window_s=60)


async def test_a_failed_round_trip_fails_every_count_it_carried_open() -> None:
    kv = SlowKV(fail=True)
    limiter = RateLimiter(kv)
    calls = [asyncio.ensure_future(limiter.hit("b", "who", limit=1, window_s=60)) for _ in range(20)]
    assert await _outcomes(calls) == (20, 0)  # fail mode "open": allowed, with a warning each
    assert kv.calls == 2
    kv.fail = False
    await limiter.hit("b", "who", limit=1, window_s=60)  # nothing stays in flight: counted, not refused


async def test_a_cancelled_count_does_not_stall_the_counter() -> None:
    limiter = RateLimiter(SlowKV())
    first = asyncio.ensure_future(limiter.hit("b", "who", limit=10, window_s=60))
    await asyncio.sleep(0)
    waiting = [asyncio.ensure_future(limiter.hit("b", "who", limit=10, window_s=60)) for _ in range(3)]
    await asyncio.sleep(0)
    waiting[0].cancel()  # the one that would lead the next round trip
    await first
    await asyncio.wait_for(asyncio.gather(*waiting[1:]), 5)
    await asyncio.wait_for(limiter.hit("b", "who", limit=10, window_s=60), 5)
