"""Fixed-window rate limits whose counters live in the shared key-value store (Redis across instances).

When the store is unavailable the limiter follows `fail_mode`: "open" lets the request through (the
default: sign-in stays possible while Redis is down, and argon2 already bounds guessing speed), "closed"
answers 503 so no request goes unlimited.
"""

from __future__ import annotations

import logging
import time

from app.domain.ports import KeyValue, KVUnavailable
from app.errors import RateLimited, ServiceUnavailable

log = logging.getLogger(__name__)


def parse_rate(spec: str) -> tuple[int, int]:
    count, _, seconds = spec.partition("/")
    return int(count), int(seconds or 60)


class RateLimiter:
    def __init__(self, kv: KeyValue, *, fail_mode: str = "open") -> None:
        self.kv = kv
        self.fail_mode = fail_mode

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
            count = await self.kv.incr(key, ttl_s=window_s + 1, amount=amount)
            if count > limit and give_back:
                await self.kv.incr(key, amount=-amount)
        except KVUnavailable:
            if self.fail_mode == "closed":
                raise ServiceUnavailable("Rate limiting is unavailable; try again shortly.", retry_after=5) from None
            log.warning("rate limiter store unavailable; allowing %s request", bucket)
            return
        if count > limit:
            retry_after = int((window + 1) * window_s - time.time()) + 1
            raise RateLimited("Too many requests. Try again later.", retry_after=retry_after)
