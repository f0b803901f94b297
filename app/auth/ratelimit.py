"""Fixed-window rate limits whose counters live in the shared key-value store (Redis across instances).

When the store is unavailable the limiter follows `fail_mode`: "open" lets the request through (the
default: sign-in stays possible while Redis is down, and argon2 already bounds guessing speed), "closed"
answers 503 so no request goes unlimited.

Counts of one counter that arrive while its round trip is in flight wait and go together in the next one
(one INCRBY of their sum), and each gets the count it would have seen had they gone one by one. A burst (a
client opening 200 subscriptions at once, each one charged to the owner's GraphQL budget) then costs two
round trips and one connection instead of 200 concurrent ones, which exhausted the Redis client's pool
(100 connections) and opened its circuit breaker.
"""

from __future__ import annotations

import asyncio
import logging
import time

from app.domain.ports import KeyValue, KVUnavailable
from app.errors import RateLimited, ServiceUnavailable

log = logging.getLogger(__name__)

_LEAD = object()  # the outcome that tells a waiting count to send the next round trip itself


def parse_rate(spec: str) -> tuple[int, int]:
    count, _, seconds = spec.partition("/")
    return int(count), int(seconds or 60)


class _Count:
    __slots__ = ("amount", "future", "refused_above")

    def __init__(self, amount: int, refused_above: int | None) -> None:
        self.amount = amount
        self.refused_above = refused_above  # a spend over this count is given back
        self.future: asyncio.Future[object] | None = None


class RateLimiter:
    def __init__(self, kv: KeyValue, *, fail_mode: str = "open") -> None:
        self.kv = kv
        self.fail_mode = fail_mode
        self._in_flight: set[str] = set()  # counters with a round trip under way
        self._waiting: dict[str, list[_Count]] = {}  # counts that go in a counter's next round trip
        self.round_trips = 0  # for tests and diagnostics

    async def hit(self, bucket: str, identity: str, *, limit: int, window_s: int) -> None:
        """Count one request; raise `RateLimited` (with the seconds until the window resets) past `limit`."""
        await self._count(bucket, identity, limit=limit, window_s=window_s, amount=1, give_back=False)

    async def spend(self, bucket: str, identity: str, amount: int, *, limit: int, window_s: int) -> None:
        """Spend `amount` from a budget of `limit` per window; raise `RateLimited` when it does not fit. A refused
        amount is given back, so what is left of the window still serves smaller amounts."""
        await self._count(bucket, identity, limit=limit, window_s=window_s, amount=amount, give_back=True)

    async def _count(
        self, bucket: str, identity: str, *, limit: int, window_s: int, amount: int, give_back: bool
    ) -> None:
        window = int(time.time() // window_s)
        key = f"rl:{bucket}:{identity}:{window}"
        try:
            count = await self._add(key, _Count(amount, limit if give_back else None), ttl_s=window_s + 1)
        except KVUnavailable as exc:
            if self.fail_mode == "closed":
                raise ServiceUnavailable("Rate limiting is unavailable; try again shortly.", retry_after=5) from None
            log.warning("rate limiter store unavailable (%s); allowing %s request", exc, bucket)
            return
        if count > limit:
            retry_after = int((window + 1) * window_s - time.time()) + 1
            raise RateLimited("Too many requests. Try again later.", retry_after=retry_after)

    async def _add(self, key: str, count: _Count, *, ttl_s: float) -> int:
        """The counter's value after `count` (as if counts went one at a time, in arrival order)."""
        if key in self._in_flight:
            count.future = asyncio.get_running_loop().create_future()
            self._waiting.setdefault(key, []).append(count)
            try:
                outcome = await count.future
            except asyncio.CancelledError:
                future = count.future
                if future.done() and not future.cancelled() and future.result() is _LEAD:
                    self._hand_on(key)  # chosen to lead, cancelled before it could: the next one leads
                raise
            if outcome is not _LEAD:
                return outcome  # type: ignore[return-value]
            batch = self._waiting.pop(key, [count])
        else:
            self._in_flight.add(key)
            batch = [count]
        try:
            return await self._round_trip(key, batch, ttl_s, own=count)
        finally:
            self._hand_on(key)

    def _hand_on(self, key: str) -> None:
        """The counter's next round trip is led by the first count waiting for it (or nobody is in flight)."""
        waiting = self._waiting.get(key)
        while waiting:
            first = waiting[0]
            if first.future is not None and not first.future.done():
                first.future.set_result(_LEAD)
                return
            waiting.pop(0)  # cancelled while waiting
        self._waiting.pop(key, None)
        self._in_flight.discard(key)

    async def _round_trip(self, key: str, batch: list[_Count], ttl_s: float, *, own: _Count) -> int:
        total = sum(c.amount for c in batch)
        self.round_trips += 1
        try:
            value = await self.kv.incr(key, ttl_s=ttl_s, amount=total)
            running, given_back, counts = value - total, 0, []
            for c in batch:
                running += c.amount
                counts.append(running)
                if c.refused_above is not None and running > c.refused_above:
                    running -= c.amount  # refused: given back before the next count
                    given_back += c.amount
            if given_back:
                await self.kv.incr(key, amount=-given_back)
        except BaseException as exc:
            for c in batch:
                if c is not own and c.future is not None and not c.future.done():
                    if isinstance(exc, KVUnavailable):
                        c.future.set_exception(KVUnavailable(str(exc)))
                    else:
                        c.future.set_exception(exc if isinstance(exc, Exception) else KVUnavailable("cancelled"))
            raise
        mine = 0
        for c, n in zip(batch, counts, strict=True):
            if c is own:
                mine = n
            elif c.future is not None and not c.future.done():
                c.future.set_result(n)
        return mine
