"""EventMemo: one build per key for concurrent and later callers; a failed build does not fail the others."""

from __future__ import annotations

import asyncio

import pytest

from app.realtime.memo import EventMemo, event_key


async def test_concurrent_callers_share_one_build_and_its_derived_store() -> None:
    memo = EventMemo()
    builds = 0

    async def build() -> object:
        nonlocal builds
        builds += 1
        await asyncio.sleep(0)
        return object()

    key = event_key("messageReceived", 1, 10, 5, None)
    values = await asyncio.gather(*(memo.once(key, build) for _ in range(20)))
    assert builds == 1 and all(v is values[0] for v in values)
    assert await memo.once(key, build) is values[0]
    store = memo.derived(values[0])
    assert store is not None and store is memo.derived(values[0])
    assert memo.derived(object()) is None  # anything it did not build has no store


async def test_keys_of_other_owners_or_events_are_built_apart() -> None:
    memo = EventMemo()
    a = await memo.once(event_key("k", 1, 10, 5, None), lambda: asyncio.sleep(0, result=object()))
    b = await memo.once(event_key("k", 2, 10, 5, None), lambda: asyncio.sleep(0, result=object()))
    c = await memo.once(event_key("k", 1, 11, 6, None), lambda: asyncio.sleep(0, result=object()))
    assert a is not b and a is not c


async def test_when_the_first_build_fails_the_waiting_callers_build_their_own() -> None:
    memo = EventMemo()
    gate = asyncio.Event()

    async def failing() -> object:
        await gate.wait()
        raise RuntimeError("database gone")

    key = event_key("bookingUpdated", 1, 10, 5, None)
    first = asyncio.ensure_future(memo.once(key, failing))
    await asyncio.sleep(0)
    waiting = asyncio.ensure_future(memo.once(key, lambda: asyncio.sleep(0, result="own")))
    await asyncio.sleep(0)
    gate.set()
    with pytest.raises(RuntimeError):
        await first
    assert await waiting == "own"


async def test_entries_are_bounded() -> None:
    memo = EventMemo(size=3)
    values = [
        await memo.once(event_key("k", 1, i, i, None), lambda: asyncio.sleep(0, result=object())) for i in range(5)
    ]
    assert memo.derived(values[0]) is None and memo.derived(values[-1]) is not None
