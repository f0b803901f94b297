"""Figures read when /metrics is scraped, not per request: the outbox lag and the database pool.

The lag costs one indexed statement, made at most once per `LAG_EVERY_S` however often /metrics is asked,
and bounded by `LAG_TIMEOUT_S` so a slow database cannot hold a scrape.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time

from sqlalchemy.ext.asyncio import AsyncEngine

from app.metrics import OUTBOX_LAG, observe_pool
from db.repositories import events as repo

log = logging.getLogger(__name__)

LAG_EVERY_S = 1.0
LAG_TIMEOUT_S = 1.0


class ScrapeGauges:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._lag_at = -math.inf
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        observe_pool(self.engine.pool)
        async with self._lock:  # concurrent scrapes share one statement
            if time.monotonic() - self._lag_at < LAG_EVERY_S:
                return
            OUTBOX_LAG.set(await self._lag())
            self._lag_at = time.monotonic()

    async def _lag(self) -> float:
        try:
            async with asyncio.timeout(LAG_TIMEOUT_S), self.engine.connect() as conn:
                return await repo.oldest_unpublished_age_s(conn)
        except Exception as exc:  # a scrape reports, it does not fail
            log.debug("outbox lag not measured: %s", type(exc).__name__)
            return math.nan
