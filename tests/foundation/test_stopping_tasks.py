"""Stopping background tasks ends them even when a cancellation is lost.

On Python 3.11 `asyncio.wait_for` returns the inner result when the inner awaitable finishes in the same loop
turn as the cancellation of the waiting task, and the cancellation is gone: the task runs on into its next
await. A process whose marketplace follower was cancelled while its channel subscription was being confirmed
never finished shutting down (a producer process hung until killed). These tests lose a cancellation on
purpose, the way `wait_for` does, and require the stop to finish anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Iterable
from typing import Any

import pytest

from app.domain.events.ports import Listener
from app.domain.marketplace.cache import MarketplaceCache
from app.infra.kv import MemoryKV
from app.tasks import cancel_and_wait


async def ends_within(stop: Coroutine[Any, Any, None], seconds: float) -> bool:
    """Whether `stop` finished within `seconds`; unlike `wait_for`, the wait does not cancel it at the end,
    since a stop that swallows its own cancellation would then seem to have finished."""
    stopping = asyncio.ensure_future(stop)
    done, _ = await asyncio.wait({stopping}, timeout=seconds)
    if not done:
        stopping.cancel()
    return bool(done)


async def _swallows_one_cancel(started: asyncio.Event) -> str:
    """Loses the first cancellation, as `wait_for` does when its inner awaitable finished meanwhile."""
    started.set()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.sleep(30)
    await asyncio.sleep(30)  # a cancellation here is delivered as usual
    return "ran to the end"


async def test_a_task_that_lost_its_cancellation_is_stopped() -> None:
    started = asyncio.Event()
    task = asyncio.create_task(_swallows_one_cancel(started))
    await started.wait()
    assert await ends_within(cancel_and_wait(task), 5)
    assert task.cancelled()


async def test_a_failure_on_the_way_out_is_retrieved_not_raised() -> None:
    async def fails_when_cancelled() -> None:
        try:
            await asyncio.sleep(30)
        finally:
            raise RuntimeError("cleanup failed")

    task = asyncio.create_task(fails_when_cancelled())
    await asyncio.sleep(0)
    assert await ends_within(cancel_and_wait(task), 5)
    assert isinstance(task.exception(), RuntimeError)


async def test_the_caller_being_cancelled_still_propagates() -> None:
    started = asyncio.Event()
    task = asyncio.create_task(_swallows_one_cancel(started))
    await started.wait()
    stopper = asyncio.create_task(cancel_and_wait(task))
    await asyncio.sleep(0)
    stopper.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stopper
    task.cancel()


class _ChannelsLosingACancel:
    """A channel layer whose subscription is confirmed in the same turn as the follower is cancelled."""

    shared = True

    def __init__(self) -> None:
        self.listening = asyncio.Event()
        self.unlistened: list[str] = []

    async def listen(self, channel: str) -> Listener:
        self.listening.set()
        # the confirmation arrived together with the cancellation: wait_for returns it
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(30)
        return Listener(channel)

    async def unlisten(self, listener: Listener) -> None:
        self.unlistened.append(listener.channel)

    async def publish(self, messages: Iterable[tuple[str, bytes]]) -> None:
        return None


@pytest.mark.parametrize("part", ["cache", "favourites"])
async def test_the_marketplace_followers_stop_when_a_cancellation_is_lost(part: str) -> None:
    cache = MarketplaceCache(MemoryKV(), prefix="mkt-stop:")
    channels = _ChannelsLosingACancel()
    if part == "cache":
        cache.follow(channels, "mkt:invalidations")  # type: ignore[arg-type]
    else:
        cache.favourites.follow(channels, "mkt:favourites")  # type: ignore[arg-type]
    await channels.listening.wait()
    assert await ends_within(cache.stop_following(), 5)
    assert channels.unlistened  # the follower left its channel on the way out
