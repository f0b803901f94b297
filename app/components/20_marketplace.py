"""The marketplace cache, on the app's key-value store (Redis, or the in-process store in embedded mode)."""

from __future__ import annotations

from contextlib import AsyncExitStack

from app.domain.marketplace.cache import EXTRAS_KEY, MarketplaceCache
from app.services import Services


async def setup(services: Services, stack: AsyncExitStack) -> None:
    prefix = "mkt:"
    cache = MarketplaceCache(services.kv, ttl_s=services.settings.cache_ttl_s, prefix=prefix)
    services.extras[EXTRAS_KEY] = cache
    stack.push_async_callback(cache.close)
