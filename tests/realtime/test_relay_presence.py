"""The relay learns whether an owner is present from the callable it is given, not from the presence module."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.events.envelope import BOOKING_UPDATED, MESSAGE_CREATED, NOTIFICATION_CREATED, EventEnvelope
from app.domain.events.ports import Listener
from app.realtime.relay import OutboxRelay


class _Channels:
    shared = False

    async def publish(self, messages: Any) -> None: ...
    async def listen(self, channel: str) -> Listener:
        return Listener(channel)

    async def unlisten(self, listener: Listener) -> None: ...
    async def close(self) -> None: ...


async def test_events_of_absent_owners_are_queued_by_the_given_presence_check() -> None:
    asked: list[int] = []

    async def is_present(owner_id: int) -> bool:
        asked.append(owner_id)
        return owner_id == 1

    relay = OutboxRelay(
        cast(AsyncEngine, None),  # no database: only the presence step runs
        _Channels(),
        is_present=is_present,
        wakeup=asyncio.Event(),
        channel_prefix="t:",
        poll_interval_s=1.0,
    )
    envelopes = [
        EventEnvelope(id=10, seq=1, owner_id=1, type=MESSAGE_CREATED, payload={}),
        EventEnvelope(id=11, seq=2, owner_id=2, type=MESSAGE_CREATED, payload={}),
        EventEnvelope(id=12, seq=3, owner_id=2, type=NOTIFICATION_CREATED, payload={}),
        EventEnvelope(id=13, seq=4, owner_id=3, type=BOOKING_UPDATED, payload={}),  # never queued
    ]

    assert await relay._offline_events(envelopes) == [11, 12]
    assert sorted(asked) == [1, 2]  # owner 3 has nothing queueable: not asked
