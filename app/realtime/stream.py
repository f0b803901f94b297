"""An owner's event stream for one subscription: replay after a cursor, then live, with no gap and no duplicate.

1. Listen on the owner's channel first (live events from now on are buffered in the listener's queue).
2. Replay from the database every sequenced event with `seq > after` (or, without `after`, remember the
   owner's current highest `seq` as the starting point).
3. Drain the live queue, dropping event ids already delivered. A `RESYNC` from the channel layer (it lost
   its connection) replays from the last delivered `seq` again.

The caller's token is checked at every event and every `auth_check_s`: an expired or revoked token ends
the stream with `Unauthenticated`. Each database access is a short session of its own.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncGenerator, Callable, Collection

import msgspec

from app.auth.tokens import AccessClaims
from app.domain.auth.service import ensure_active
from app.domain.events.envelope import (
    MESSAGE_CREATED,
    NOTIFICATION_CREATED,
    UNREAD_CHANGED,
    EventEnvelope,
    decode,
    from_row,
    owner_channel,
)
from app.domain.events.ports import RESYNC
from app.domain.uow import DomainServices
from app.metrics import SUBSCRIPTIONS
from db.repositories import events as repo

REPLAY_PAGE = 500


class _Seen:
    """The last `size` delivered event ids."""

    def __init__(self, size: int = 4096) -> None:
        self._order: deque[int] = deque()
        self._ids: set[int] = set()
        self._size = size

    def add(self, event_id: int) -> bool:
        """True when new."""
        if event_id in self._ids:
            return False
        self._ids.add(event_id)
        self._order.append(event_id)
        if len(self._order) > self._size:
            self._ids.discard(self._order.popleft())
        return True


class _Decoded:
    """The last `size` decoded channel messages: one message reaches every subscription of its owner in this
    process as the same bytes, decoded once (the envelope is immutable)."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._envelopes: dict[bytes, EventEnvelope] = {}

    def __call__(self, data: bytes) -> EventEnvelope:
        event = self._envelopes.get(data)
        if event is None:
            event = self._envelopes[data] = decode(data)
            if len(self._envelopes) > self._size:
                del self._envelopes[next(iter(self._envelopes))]
        return event


_decoded = _Decoded()


async def _replay(
    services: DomainServices, owner_id: int, after: int, types: Collection[str] | None
) -> list[EventEnvelope]:
    out: list[EventEnvelope] = []
    cursor = after
    while True:
        async with services.sessionmaker() as session:
            rows = await repo.events_after(session, owner_id, cursor, list(types) if types else None, REPLAY_PAGE)
        out.extend(from_row(r) for r in rows)
        if len(rows) < REPLAY_PAGE:
            return out
        cursor = int(rows[-1].seq)


async def _owner_max_seq(services: DomainServices, owner_id: int) -> int:
    async with services.sessionmaker() as session:
        return await repo.owner_max_seq(session, owner_id)


async def owner_events(
    services: DomainServices,
    claims: AccessClaims,
    *,
    types: Collection[str] | None = None,
    after: int | None = None,
    accept: Callable[[EventEnvelope], bool] | None = None,
    auth_check_s: float | None = None,
    announce_ready: bool = False,
) -> AsyncGenerator[EventEnvelope | None]:
    """Events of the caller (only theirs), of `types`, passing `accept`; see the module docstring.

    With `announce_ready`, yields `None` once, when listening (and the replay) has been done.
    """
    rt = services.realtime
    owner_id = claims.owner_id
    interval = auth_check_s or services.settings.realtime_heartbeat_s  # the socket watcher checks more often
    await ensure_active(services, claims)
    listener = await rt.channels.listen(owner_channel(services.settings.redis_prefix, owner_id))
    seen = _Seen()

    def wanted(event: EventEnvelope) -> bool:
        return (not types or event.type in types) and (accept is None or accept(event))

    SUBSCRIPTIONS.inc()
    try:
        if after is None:
            cursor = await _owner_max_seq(services, owner_id)
        else:
            cursor = max(0, after)
            for event in await _replay(services, owner_id, cursor, types):
                cursor = max(cursor, event.seq)
                if seen.add(event.id) and wanted(event):
                    yield event
        if announce_ready:
            yield None
        next_check = time.monotonic() + interval
        while True:
            queue = listener.queue
            try:
                if queue.empty():
                    timeout = max(0.0, min(next_check - time.monotonic(), claims.exp - time.time() + 0.05))
                    # a deadline on this task, not wait_for's task per event: 200 subscriptions of one event
                    # would start 200 tasks
                    async with asyncio.timeout(timeout):
                        data = await queue.get()
                else:
                    data = queue.get_nowait()
            except TimeoutError:
                await ensure_active(services, claims)
                next_check = time.monotonic() + interval
                continue
            if data == RESYNC:
                for event in await _replay(services, owner_id, cursor, types):
                    cursor = max(cursor, event.seq)
                    if seen.add(event.id) and wanted(event):
                        await ensure_active(services, claims)
                        yield event
                continue
            event = _decoded(data)
            if event.owner_id != owner_id or not seen.add(event.id):
                continue
            cursor = max(cursor, event.seq)
            if wanted(event):
                await ensure_active(services, claims)
                yield event
    finally:
        SUBSCRIPTIONS.dec()
        await rt.channels.unlisten(listener)


class UnreadCounts(msgspec.Struct, frozen=True):
    messages: int  # unread workshop -> owner messages
    notifications: int  # unread notifications


async def unread_counts(services: DomainServices, owner_id: int) -> UnreadCounts:
    async with services.sessionmaker() as session:
        messages, notifications = await repo.unread_counts(session, owner_id)
    return UnreadCounts(messages=messages, notifications=notifications)


UNREAD_TRIGGERS = frozenset({MESSAGE_CREATED, NOTIFICATION_CREATED, UNREAD_CHANGED})


async def unread_count_updates(services: DomainServices, claims: AccessClaims) -> AsyncGenerator[UnreadCounts]:
    """The caller's unread counts now, then again whenever an event may have changed them and they did."""
    events = owner_events(services, claims, types=UNREAD_TRIGGERS, announce_ready=True)
    try:
        last: UnreadCounts | None = None
        async for _ in events:  # first the ready marker (listening), then each trigger
            current = await unread_counts(services, claims.owner_id)
            if current != last:
                last = current
                yield current
    finally:
        await events.aclose()
