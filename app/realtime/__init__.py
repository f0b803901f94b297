"""Realtime delivery at run time: the outbox relay and the per-owner event streams of subscriptions.

The domain (`app.domain.events`) keeps the event types, payloads and presence rules; the channel layer and
the connection registry are adapters (`app.infra`); `app.wiring` puts them together into a `Realtime`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.events.ports import Channels, ConnectionRegistry
from app.realtime.memo import EventMemo
from app.realtime.relay import OutboxRelay


@dataclass
class Realtime:
    channels: Channels
    connections: ConnectionRegistry
    relay: OutboxRelay
    memo: EventMemo = field(default_factory=EventMemo)  # one owner's event presented once for all its subscriptions
