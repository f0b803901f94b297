"""What subscriptions derive from one owner's event, computed once per process for all of that owner's subscriptions.

Every subscription of an owner receives the same event. Each used to build its own answer object from it (for a
booking, with a database read of its own) and the GraphQL executor then ran the same selection on each copy.
`EventMemo.once` builds the object once per (kind, event) and hands the same one to every subscription that asks;
`EventMemo.derived` gives that object a place for further results computed from it (the executed selections).

The key holds the owner and the event's identity (id, cursor, commit time), and only the owner's streams present
the owner's events (they drop any other owner's before presenting), so a value can never reach another owner.
Entries live for `ttl_s` (a fan-out takes milliseconds; resumes that replay old events build their own again)
and at most `size` of them are kept.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar

T = TypeVar("T")


def event_key(kind: str, owner_id: int, event_id: int, seq: int, created_at: datetime | None) -> Hashable:
    return (kind, owner_id, event_id, seq, created_at)


class _Entry:
    __slots__ = ("derived", "expires", "value")

    def __init__(self, value: asyncio.Future[Any], expires: float) -> None:
        self.value = value
        self.expires = expires
        self.derived: dict[Hashable, Any] = {}


class EventMemo:
    def __init__(self, *, size: int = 512, ttl_s: float = 30.0) -> None:
        self.size = size
        self.ttl_s = ttl_s
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._by_value: dict[int, _Entry] = {}  # id(value) -> its entry (the entry keeps the value alive)
        self.builds = 0  # for tests and diagnostics: how many values were built

    async def once(self, key: Hashable, build: Callable[[], Awaitable[T]]) -> T:
        """`build()`'s value for `key`, built by the first caller; concurrent and later callers get the same object.

        When the first caller's build fails (or is cancelled), each waiting caller builds its own instead."""
        now = time.monotonic()
        self._expire(now)
        entry = self._entries.get(key)
        if entry is not None:
            done = entry.value
            if done.done() and not done.cancelled() and done.exception() is None:
                return done.result()
            try:
                return await asyncio.shield(entry.value)
            except asyncio.CancelledError:
                if not entry.value.cancelled():
                    raise  # this caller was cancelled, not the build
            except Exception:
                pass
            return await build()
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        entry = _Entry(future, now + self.ttl_s)
        self._entries[key] = entry
        try:
            value = await build()
        except BaseException as exc:
            self._drop(key)
            if isinstance(exc, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(exc)
                future.exception()  # retrieved: the waiters build their own
            raise
        self.builds += 1
        future.set_result(value)
        if value is not None:
            self._by_value[id(value)] = entry
        return value

    def derived(self, value: object) -> dict[Hashable, Any] | None:
        """The store of results derived from a value that `once` built and still holds; None for any other."""
        entry = self._by_value.get(id(value))
        if entry is None or not entry.value.done() or entry.value.cancelled() or entry.value.exception() is not None:
            return None
        return entry.derived if entry.value.result() is value else None

    def _expire(self, now: float) -> None:
        entries = self._entries
        while entries:
            key, entry = next(iter(entries.items()))
            if entry.expires > now and len(entries) <= self.size:
                return
            self._drop(key)

    def _drop(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is None or not entry.value.done() or entry.value.cancelled() or entry.value.exception() is not None:
            return
        value = entry.value.result()
        if self._by_value.get(id(value)) is entry:
            del self._by_value[id(value)]
