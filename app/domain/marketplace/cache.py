"""The marketplace cache: one service-level read-through cache shared by REST and GraphQL.

- Keys: `mkt:<kind>:v<version>:{<digest of the normalised query>}`. Equal searches normalise to equal structs,
  so parameter order, CSV versus repeated values, defaults and aliases all meet at one key. The digest is the
  key's hash tag, so its lock and refresh keys live in its slot on a Redis Cluster.
- Values: msgspec MessagePack of the domain result, behind an 8-byte "fresh until" stamp. Per-user data is
  never stored; callers overlay it after the read.
- Invalidation is O(1): `invalidate_all()` increments the version number that every key embeds; old entries
  are never read again and expire by their TTL. No key scans.
- Single flight: concurrent misses of one key in this process share one future; across processes a short
  Redis lock (`SET NX PX`) elects one loader and the others poll for its value for a moment. The lock is
  taken in the round trip that finds the value missing, and freed in the one that stores it: a miss costs
  two round trips, a value from the store one.
- Early refresh: a hit in the last fifth of an entry's life reloads it in the background (one loader per key),
  so hot keys do not all expire at once.
- If the store is slow or down (`KVUnavailable`: short timeout plus circuit breaker in `RedisKV`), requests
  are served from PostgreSQL directly; the cache resumes by itself when the store answers again.
- In front of the store, each process keeps the version and the decoded values it read for `local_ttl_s`
  (about a second), so a hot key costs no round trip and no decode. `invalidate_all()` drops them here at
  once and tells the other instances on the `invalidations` channel; a lost message is covered by the short
  lifetime (another instance sees the new version within `local_ttl_s`). Views of a value (an encoded
  answer) live with its in-process entry: `get_or_load_view`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import struct
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

import msgspec

from app.domain.events.ports import RESYNC, Channels, ChannelUnavailable
from app.domain.marketplace.favourite_sets import FavouriteSets
from app.domain.ports import KeyValue, KVUnavailable
from app.metrics import CacheMeter, cache_meter
from app.single_flight import SingleFlight
from app.tasks import cancel_and_wait
from app.values import utc_now

log = logging.getLogger(__name__)

T = TypeVar("T")
V = TypeVar("V")
_STAMP = struct.Struct(">d")
_UNDECODABLE = (msgspec.DecodeError, msgspec.ValidationError, struct.error)  # an entry of another format or torn

HIT, MISS, BYPASS = "HIT", "MISS", "BYPASS"
MAX_LOCAL_ENTRIES = 2048
_DROP_ALL = b"*"


class _Local:
    """A value read from (or written to) the store, held in this process for a moment, with its views."""

    __slots__ = ("fresh_until", "until", "value", "views")

    def __init__(self, value: Any, until: float, fresh_until: float) -> None:
        self.value = value
        self.until = until  # monotonic
        self.fresh_until = fresh_until  # wall clock, as stamped in the store
        self.views: dict[Any, Any] = {}


class MarketplaceCache:
    def __init__(
        self,
        kv: KeyValue,
        *,
        ttl_s: float = 60.0,
        prefix: str = "mkt:",
        refresh_fraction: float = 0.2,
        lock_ttl_s: float = 5.0,
        wait_s: float = 2.0,
        poll_s: float = 0.02,
    ) -> None:
        self.kv = kv
        self.ttl_s = max(1.0, float(ttl_s))
        self.prefix = prefix
        self.refresh_fraction = refresh_fraction
        self.lock_ttl_s = lock_ttl_s
        self.wait_s = wait_s
        self.poll_s = poll_s
        self.enabled = True
        # the clock of time-dependent answers (open now); tests replace it
        self.clock: Callable[[], datetime] = utc_now
        self._flights: SingleFlight[str, Any] = SingleFlight()
        self._background: set[asyncio.Task[Any]] = set()
        self._invalidation_pending = False
        self._encoder = msgspec.msgpack.Encoder()
        self.local_ttl_s = 1.0  # how late another instance's invalidation may be seen here if its message is lost
        # in the order they were remembered, all with one lifetime: the first is always the first to expire
        self._local: OrderedDict[str, _Local] = OrderedDict()
        self._digests: dict[int, tuple[Any, str]] = {}
        self._local_version: int | None = None
        self._local_version_until = 0.0
        self._epoch = 0  # bumped on every local drop: a version read that raced with it is not kept
        self._channels: Channels | None = None
        self._channel = ""
        self._follower: asyncio.Task[None] | None = None
        # callers' favourites, overlaid on cached answers: per-user, so beside the shared values, not in them
        self.favourites = FavouriteSets(ttl_s=self.local_ttl_s)

    # --- keys -------------------------------------------------------------------------------------

    @property
    def version_key(self) -> str:
        return self.prefix + "version"

    def digest(self, key_parts: Any) -> str:
        # by identity: callers that keep their key objects (parsed queries) skip the encoding and hashing
        held = self._digests.get(id(key_parts))
        if held is not None and held[0] is key_parts:
            return held[1]
        digest = hashlib.blake2b(self._encoder.encode(key_parts), digest_size=16).hexdigest()
        if not isinstance(key_parts, msgspec.Struct) or not key_parts.__struct_config__.frozen:
            return digest  # a mutable key may change under the same identity
        if len(self._digests) >= MAX_LOCAL_ENTRIES:
            self._digests.clear()
        self._digests[id(key_parts)] = (key_parts, digest)  # the reference keeps the id from being reused
        return digest

    async def _version(self) -> int:
        if self._local_version is not None and time.monotonic() < self._local_version_until:
            return self._local_version
        if self._invalidation_pending:
            await self.kv.incr(self.version_key)
            self._invalidation_pending = False
        epoch = self._epoch
        raw = await self.kv.get(self.version_key)
        version = int(raw) if raw else 0
        if epoch == self._epoch:
            self._local_version = version
            self._local_version_until = time.monotonic() + self.local_ttl_s
        return version

    # --- the in-process layer -----------------------------------------------------------------------

    @property
    def held(self) -> int:
        """How many values this process holds (live or not yet let go)."""
        return len(self._local)

    def drop_local(self) -> None:
        """Forget the version and every value held in this process (they are read again from the store)."""
        self._epoch += 1
        self._local_version = None
        self._local.clear()

    def _remember(self, key: str, value: Any, fresh_until: float) -> _Local:
        now = time.monotonic()
        local = self._local
        # let go of what has expired as new values come: a burst of distinct searches would otherwise keep
        # up to MAX_LOCAL_ENTRIES answers (tens of MB, and that many more objects for every full collection)
        while local and next(iter(local.values())).until <= now:
            local.popitem(last=False)
        if len(local) >= MAX_LOCAL_ENTRIES:
            local.popitem(last=False)
        entry = _Local(value, now + self.local_ttl_s, fresh_until)
        local[key] = entry
        local.move_to_end(key)
        return entry

    def follow(self, channels: Channels, channel: str) -> None:
        """Drop the in-process layer whenever any instance invalidates (messages on `channel`), and whenever
        the channel layer reconnects (messages may have been lost)."""
        self._channels, self._channel = channels, channel
        self._follower = asyncio.get_running_loop().create_task(self._follow(channels, channel), name="mkt-follow")

    async def _follow(self, channels: Channels, channel: str) -> None:
        listener = await channels.listen(channel)
        try:
            while True:
                message = await listener.queue.get()
                if message in (RESYNC, _DROP_ALL):
                    self.drop_local()
        finally:
            with contextlib.suppress(Exception):
                await channels.unlisten(listener)

    async def _announce(self) -> None:
        if self._channels is None:
            return
        try:
            await self._channels.publish([(self._channel, _DROP_ALL)])
        except ChannelUnavailable:
            log.warning("marketplace cache invalidation not announced; other instances follow within %ss", 1)

    # --- public API -------------------------------------------------------------------------------

    async def invalidate_all(self) -> None:
        """Make every cached marketplace answer unreachable (one INCR), here at once and on the other instances
        as soon as they hear of it (within `local_ttl_s` if they do not)."""
        self.drop_local()
        try:
            await self.kv.incr(self.version_key)
            self._invalidation_pending = False
        except KVUnavailable:
            # the store is down, so nothing can be read from it now; bump the version as soon as it is back
            self._invalidation_pending = True
            log.warning("marketplace cache invalidation deferred: store unavailable")
        self.drop_local()  # a version read while the INCR was on its way must not be kept
        await self._announce()

    async def get_or_load(
        self,
        kind: str,
        key_parts: Any,
        loader: Callable[[], Awaitable[T]],
        type_: type[T],
        meter: CacheMeter | None = None,
    ) -> tuple[T, str]:
        """The cached value for `key_parts`, or `loader()`'s (stored). Returns the value and HIT, MISS or BYPASS.

        `loader` must open its own database session: it may run once on behalf of many callers, or in the
        background for an early refresh. The value may be shared with other callers: never mutate it.
        `meter` counts the lookup for the operation that asked (by default, for `kind`).
        """
        _entry, value, status = await self._lookup(kind, key_parts, loader, type_, meter)
        return value, status

    async def get_or_load_view(
        self,
        kind: str,
        key_parts: Any,
        loader: Callable[[], Awaitable[T]],
        type_: type[T],
        view: Any,
        make: Callable[[T], V],
        meter: CacheMeter | None = None,
    ) -> tuple[V, str]:
        """`make(value)` for the cached value, made once per in-process entry and shared until it is dropped.
        `view` names what `make` makes (two callers with different `make` use different names)."""
        entry, value, status = await self._lookup(kind, key_parts, loader, type_, meter)
        if entry is None:
            return make(value), status
        try:
            made: V = entry.views[view]
        except KeyError:
            made = entry.views[view] = make(value)
        return made, status

    async def _lookup(
        self,
        kind: str,
        key_parts: Any,
        loader: Callable[[], Awaitable[T]],
        type_: type[T],
        meter: CacheMeter | None,
    ) -> tuple[_Local | None, T, str]:
        if meter is None:
            meter = cache_meter(kind)  # callers that name no operation count as their kind
        digest = self.digest(key_parts)
        if not self.enabled:
            return None, await self._flights.run(f"bypass:{kind}:{digest}", loader), BYPASS
        try:
            version = await self._version()
        except KVUnavailable:
            meter.bypass.inc()
            return None, await self._flights.run(f"bypass:{kind}:{digest}", loader), BYPASS
        # the digest is the key's hash tag: its lock and refresh keys share its slot on a Redis Cluster
        key = f"{self.prefix}{kind}:v{version}:{{{digest}}}"
        entry = self._local.get(key)
        if entry is not None and entry.until > time.monotonic():
            meter.hit.inc()
            if time.time() >= entry.fresh_until:
                entry.fresh_until = math.inf  # one refresh per entry; its value is read again once it is done
                self._refresh_in_background(meter, key, loader)
            return entry, entry.value, HIT
        epoch = self._epoch
        try:
            # the callers of this process that miss together share one look at the store
            value, status, fresh_until = await self._flights.run(key, lambda: self._read_or_fill(key, loader, type_))
        except KVUnavailable:
            meter.bypass.inc()
            return None, await self._flights.run(f"bypass:{kind}:{digest}", loader), BYPASS
        if status == HIT:
            meter.hit.inc()
            if time.time() >= fresh_until:
                self._refresh_in_background(meter, key, loader)
        else:
            meter.miss.inc()
        entry = self._local.get(key)
        if entry is None or entry.value is not value:
            entry = self._remember(key, value, fresh_until) if epoch == self._epoch else None
        return entry, value, status

    async def stop_following(self) -> None:
        await self.favourites.stop_following()
        await cancel_and_wait(self._follower)

    async def close(self) -> None:
        """Stop the background refreshes and forget what this process holds."""
        self.drop_local()
        self.favourites.drop()
        self._flights.clear()
        tasks = list(self._background)
        for task in tasks:  # all cancelled first: they unwind together, not one after another
            task.cancel()
        for task in tasks:
            await cancel_and_wait(task)

    # --- internals --------------------------------------------------------------------------------

    @property
    def _fresh_s(self) -> float:
        return self.ttl_s * (1.0 - self.refresh_fraction)

    async def _store(self, key: str, value: Any, *, unlock: str | None = None) -> float:
        """Store `value` behind its "fresh until" stamp, and free the lock `unlock` in the same round trip;
        returns the stamp. A store that is down is not an error: the value was loaded all the same."""
        fresh_until = time.time() + self._fresh_s
        encoded = _STAMP.pack(fresh_until) + self._encoder.encode(value)
        with contextlib.suppress(KVUnavailable):
            if unlock is None:
                await self.kv.set(key, encoded, ttl_s=self.ttl_s)
            else:
                await self.kv.set_and_delete(key, encoded, self.ttl_s, unlock)
        return fresh_until

    def _decode(self, raw: bytes, type_: type[T]) -> tuple[T, float]:
        """A stored value and its "fresh until" stamp (one of `_UNDECODABLE` when it does not decode)."""
        return msgspec.msgpack.decode(memoryview(raw)[_STAMP.size :], type=type_), _STAMP.unpack_from(raw)[0]

    async def _read_or_fill(self, key: str, loader: Callable[[], Awaitable[T]], type_: type[T]) -> tuple[T, str, float]:
        """The stored value (HIT), or `loader()`'s, stored (MISS), with its "fresh until". The look and the lock
        are one round trip: a hit takes no lock, and a miss that takes it loads; a miss that finds it taken
        waits a moment for the other instance's value. `KVUnavailable` when the store cannot be asked."""
        lock_key = key + ":lock"
        raw, leader = await self.kv.get_or_lock(key, lock_key, self.lock_ttl_s)
        if raw is not None:
            try:
                value, fresh_until = self._decode(raw, type_)
            except _UNDECODABLE:
                log.warning("undecodable marketplace cache entry %s; reloading", key)
            else:
                return value, HIT, fresh_until
        elif not leader:  # another instance is loading this key: wait for its value for a moment
            deadline = time.monotonic() + self.wait_s
            while time.monotonic() < deadline:
                await asyncio.sleep(self.poll_s)
                try:
                    raw = await self.kv.get(key)
                except KVUnavailable:
                    break
                if raw is not None:
                    try:
                        value, fresh_until = self._decode(raw, type_)
                    except _UNDECODABLE:
                        break
                    return value, HIT, fresh_until
        try:
            value = await loader()
        except BaseException:
            if leader:
                await self._release(lock_key)
            raise
        return value, MISS, await self._store(key, value, unlock=lock_key if leader else None)

    async def _release(self, lock_key: str) -> None:
        with contextlib.suppress(KVUnavailable):
            await self.kv.delete(lock_key)

    def _refresh_in_background(self, meter: CacheMeter, key: str, loader: Callable[[], Awaitable[Any]]) -> None:
        if key + ":bg" in self._flights:
            return

        async def refresh() -> None:
            lock_key = key + ":refresh"
            try:
                if not await self.kv.set(lock_key, b"1", ttl_s=self.lock_ttl_s, only_if_absent=True):
                    return
                value = await loader()
                await self._store(key, value)
                meter.refresh.inc()
                self._local.pop(key, None)  # read the new value from the store
            except KVUnavailable:
                return
            except Exception:
                log.exception("marketplace cache refresh failed for %s", key)

        async def run() -> None:
            await self._flights.run(key + ":bg", refresh)

        task = asyncio.get_running_loop().create_task(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)


class HasMarketplaceCache(Protocol):
    @property
    def marketplace_cache(self) -> MarketplaceCache: ...


async def invalidate_marketplace(services: HasMarketplaceCache) -> None:
    """Call after committing a change that alters what searches or workshop pages return
    (a rating, a workshop or service change, seeding)."""
    await services.marketplace_cache.invalidate_all()
