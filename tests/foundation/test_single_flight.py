"""The one single-flight helper the caches share (`app.single_flight`)."""

from __future__ import annotations

import asyncio

import pytest

from app.single_flight import SingleFlight


class Counting:
    """A load whose value is the number of times it has run."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self) -> int:
        self.calls += 1
        return self.calls


async def test_concurrent_callers_share_one_load() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    calls = 0

    async def load() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        return 7

    assert await asyncio.gather(*(flights.run("k", load) for _ in range(20))) == [7] * 20
    assert calls == 1
    assert "k" not in flights  # finished: the next caller loads again
    assert await flights.run("k", load) == 7 and calls == 2


async def test_a_failure_reaches_every_caller_and_is_not_kept() -> None:
    flights: SingleFlight[str, int] = SingleFlight()

    async def fails() -> int:
        await asyncio.sleep(0.02)
        raise LookupError("down")

    results = await asyncio.gather(*(flights.run("k", fails) for _ in range(5)), return_exceptions=True)
    assert all(isinstance(r, LookupError) for r in results)
    assert "k" not in flights


async def test_a_caller_that_gives_up_does_not_cancel_the_shared_load() -> None:
    flights: SingleFlight[str, str] = SingleFlight()
    release = asyncio.Event()

    async def load() -> str:
        await release.wait()
        return "done"

    leader = asyncio.create_task(flights.run("k", load))
    await asyncio.sleep(0)
    follower = asyncio.create_task(flights.run("k", load))
    await asyncio.sleep(0)
    follower.cancel()
    with pytest.raises(asyncio.CancelledError):
        await follower
    release.set()
    assert await leader == "done"


async def test_after_a_clear_callers_load_anew_while_the_running_load_answers_its_own() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    release = asyncio.Event()
    calls = 0

    async def load() -> int:
        nonlocal calls
        calls += 1
        mine = calls
        await release.wait()
        return mine

    first = asyncio.create_task(flights.run("k", load))
    await asyncio.sleep(0)
    flights.clear()
    second = asyncio.create_task(flights.run("k", load))
    await asyncio.sleep(0)
    release.set()
    assert (await first, await second) == (1, 2)
