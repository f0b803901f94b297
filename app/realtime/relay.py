"""The outbox relay: publishes committed `domain_events` rows to the channel layer.

One relay at a time per database does the work (a session-level advisory lock); the others find the lock
taken and wait for the next tick, so several instances publish each row once in the normal case. A tick:

1. claim up to `batch` unpublished rows (`FOR UPDATE SKIP LOCKED`), give the new ones a `seq` after the
   highest one (commit order, gap-free), commit: the rows are now visible to replays with their cursor;
2. publish them, in `seq` order, on their owners' channels;
3. mark them published. If the channel layer is down, step 3 does not happen: the rows are published
   again on a later tick (subscribers de-duplicate by event id), so nothing is lost.

Wake-ups: a commit in this process (the `wakeup` event), a PostgreSQL `NOTIFY` from any process, and a
periodic poll as the safety net.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app import tracing
from app.domain.events.envelope import EventEnvelope, encode, owner_channel
from app.domain.events.ports import Channels, ChannelUnavailable
from app.domain.events.presence import QUEUED_TYPES
from app.errors import DatabaseUnavailable
from app.metrics import EVENTS_PUBLISHED
from db.repositories import events as repo

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        channels: Channels,
        *,
        is_present: Callable[[int], Awaitable[bool]],
        wakeup: asyncio.Event,
        channel_prefix: str,
        poll_interval_s: float,
        batch: int = 500,
    ) -> None:
        self.engine = engine
        self.channels = channels
        self.is_present = is_present  # is the owner online or away? (offline: queue their messages)
        self.wakeup = wakeup
        self.channel_prefix = channel_prefix
        self.poll_interval_s = poll_interval_s
        self.batch = batch
        self.published_total = 0
        self.failures = 0
        self._stopping = False

    async def run_once(self) -> int:
        """One tick; returns how many events went out (0 when another relay holds the lock or none wait).

        Raises `ChannelUnavailable` when the channel layer refused them (they stay unpublished).
        """
        async with self.engine.connect() as conn:
            if not await repo.try_relay_lock(conn):
                await conn.rollback()
                return 0
            await conn.commit()
            try:
                envelopes = await self._claim(conn)
                if not envelopes:
                    return 0
                hooks = tracing.hooks
                if hooks is None:
                    await self._publish(envelopes)
                else:
                    with hooks.publishing(envelopes) as traced:
                        await self._publish(traced)
                await repo.mark_published(conn, [e.id for e in envelopes])
                queued = await self._offline_events(envelopes)
                if queued:
                    await repo.mark_queued(conn, queued)
                await conn.commit()
                self.published_total += len(envelopes)
                EVENTS_PUBLISHED.inc(len(envelopes))
                return len(envelopes)
            finally:
                try:
                    await conn.rollback()
                    await repo.relay_unlock(conn)
                    await conn.commit()
                except Exception:  # the connection is gone: PostgreSQL released the lock with it
                    await conn.invalidate()

    async def _publish(self, envelopes: list[EventEnvelope]) -> None:
        prefix = self.channel_prefix
        await self.channels.publish((owner_channel(prefix, e.owner_id), encode(e)) for e in envelopes)

    async def _offline_events(self, envelopes: list[EventEnvelope]) -> list[int]:
        """The ids of queueable events whose owner is offline (delivered again when they come online)."""
        owners = {e.owner_id for e in envelopes if e.type in QUEUED_TYPES}
        offline = {o for o in owners if not await self.is_present(o)}
        return [e.id for e in envelopes if e.owner_id in offline and e.type in QUEUED_TYPES]

    async def _claim(self, conn: AsyncConnection) -> list[EventEnvelope]:
        rows = await repo.claim_pending(conn, self.batch)
        if not rows:
            await conn.commit()
            return []
        fresh = sorted(r.id for r in rows if r.seq is None)
        assigned: dict[int, int] = {}
        if fresh:
            base = await repo.max_seq(conn)
            assigned = {event_id: base + i for i, event_id in enumerate(fresh, start=1)}
            await repo.assign_seq(conn, list(assigned), list(assigned.values()))
        await conn.commit()
        envelopes = [
            EventEnvelope(
                id=int(r.id),
                seq=int(r.seq if r.seq is not None else assigned[r.id]),
                owner_id=int(r.owner_id),
                type=r.event_type,
                payload=dict(r.payload or {}),
                created_at=r.created_at,
                traceparent=r.traceparent,
            )
            for r in rows
        ]
        envelopes.sort(key=lambda e: e.seq)
        return envelopes

    async def run(self) -> None:
        """Until `stop()`: tick, then wait for a wake-up or the poll interval."""
        wakeup = self.wakeup
        interval = self.poll_interval_s
        backoff = interval
        while not self._stopping:
            wakeup.clear()
            try:
                published = await self.run_once()
                backoff = interval
                if published >= self.batch:
                    continue  # more are waiting
            except ChannelUnavailable as exc:
                self.failures += 1
                log.warning("channel layer unavailable, events stay in the outbox: %s", exc)
                backoff = min(max(backoff * 2, 0.25), 2.0)
                await asyncio.sleep(backoff)
                continue
            except asyncio.CancelledError:
                raise
            except DatabaseUnavailable:  # logged by the engine; the events wait in the outbox until it is back
                self.failures += 1
                backoff = min(max(backoff * 2, 0.25), 5.0)
                await asyncio.sleep(backoff)
                continue
            except Exception:
                self.failures += 1
                log.exception("outbox relay tick failed")
                backoff = min(max(backoff * 2, 0.25), 5.0)
                await asyncio.sleep(backoff)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wakeup.wait(), interval)

    def stop(self) -> None:
        self._stopping = True
        self.wakeup.set()
