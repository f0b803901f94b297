"""One load per key at a time in this process: callers that ask while it runs share its outcome.

The marketplace cache's fills, the favourites sets and the session-revocation lookups each load something that
many concurrent requests want at once; without this each would run its own query or Redis round trip.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SingleFlight(Generic[K, V]):
    def __init__(self) -> None:
        self._running: dict[K, asyncio.Future[V]] = {}

    def __contains__(self, key: K) -> bool:
        return key in self._running

    def clear(self) -> None:
        """Forget every running load: later callers load anew (the running loads still answer theirs)."""
        self._running.clear()

    async def run(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        """`load()`'s value, or the value of the load of `key` already running. A failure reaches every caller
        that shared the load."""
        future = self._running.get(key)
        if future is not None:
            # shielded: a caller that gives up does not cancel the load the others wait for
            return await asyncio.shield(future)
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._running[key] = future
        try:
            value = await load()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here: the callers that shared it re-raise it themselves
            self._forget(key, future)
            raise
        future.set_result(value)
        self._forget(key, future)
        return value

    def _forget(self, key: K, future: asyncio.Future[V]) -> None:
        if self._running.get(key) is future:  # a later load of the key may have taken the place
            del self._running[key]
