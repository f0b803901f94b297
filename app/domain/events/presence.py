"""Presence: explicit statuses (PUT /presence), open realtime connections, and the offline queue.

- An explicit `online`/`away` lasts `presence_ttl_s` (clients repeat it as a heartbeat); `offline` lasts a day
  or until the owner opens a realtime connection.
- Without an explicit status, an open subscription connection means online (connections heartbeat).
- `message.created` and `notification.created` events that the relay publishes while their owner is offline
  are marked queued; going `online` pushes the queued events to the owner's channel again (subscribers
  de-duplicate by event id) and answers how many (`queued_delivered`).
"""

from __future__ import annotations

import logging

import msgspec

from app.domain.events.envelope import MESSAGE_CREATED, NOTIFICATION_CREATED, encode, from_row, owner_channel
from app.domain.events.ports import ChannelUnavailable, ConnectionRegistry
from app.domain.ports import KeyValue, KVUnavailable
from app.domain.uow import DomainServices, UnitOfWork
from app.errors import ValidationFailed
from db.repositories import events as repo

log = logging.getLogger(__name__)

STATUSES = ("online", "offline", "away")
QUEUED_TYPES = frozenset({MESSAGE_CREATED, NOTIFICATION_CREATED})
OFFLINE_TTL_S = 24 * 3600


class PresenceResult(msgspec.Struct, frozen=True):
    status: str
    queued_delivered: int


def _status_key(owner_id: int) -> str:
    return f"presence:status:{owner_id}"


async def _explicit_status(kv: KeyValue, owner_id: int) -> str | None:
    raw = await kv.get(_status_key(owner_id))
    return raw.decode() if raw else None


async def explicit_status(services: DomainServices, owner_id: int) -> str | None:
    return await _explicit_status(services.kv, owner_id)


async def owner_present(kv: KeyValue, connections: ConnectionRegistry, owner_id: int) -> bool:
    """Online or away (explicitly, or through an open connection). Unknown (store down) counts as present.

    Takes the two stores rather than the services: the outbox relay asks it for every queueable event."""
    try:
        status = await _explicit_status(kv, owner_id)
        if status is not None:
            return status != "offline"
        return await connections.count(owner_id) > 0
    except KVUnavailable:
        return True


async def is_present(services: DomainServices, owner_id: int) -> bool:
    return await owner_present(services.kv, services.realtime.connections, owner_id)


async def current_status(services: DomainServices, owner_id: int) -> str:
    try:
        status = await explicit_status(services, owner_id)
        if status is not None:
            return status
        return "online" if await services.realtime.connections.count(owner_id) > 0 else "offline"
    except KVUnavailable:
        return "offline"


async def set_presence(uow: UnitOfWork, owner_id: int, status: str | None) -> PresenceResult:
    value = (status or "").strip().lower()
    if value not in STATUSES:
        raise ValidationFailed(
            "status must be one of: online, offline, away.", fields={"status": "must be one of: online, offline, away"}
        )
    services = uow.services
    ttl = OFFLINE_TTL_S if value == "offline" else services.settings.presence_ttl_s
    try:
        await services.kv.set(_status_key(owner_id), value.encode(), ttl_s=ttl)
    except KVUnavailable:
        log.warning("presence store unavailable; status of owner %s not recorded", owner_id)
    delivered = await deliver_queued(uow, owner_id) if value == "online" else 0
    return PresenceResult(status=value, queued_delivered=delivered)


async def deliver_queued(uow: UnitOfWork, owner_id: int) -> int:
    """Push the owner's queued events to their channel; they stay queued if the channel layer is down."""
    rows = await repo.take_queued(uow.session, owner_id)
    if not rows:
        return 0
    envelopes = [from_row(r) for r in rows]
    channel = owner_channel(uow.settings.redis_prefix, owner_id)
    try:
        await uow.services.realtime.channels.publish((channel, encode(e)) for e in envelopes)
    except ChannelUnavailable:
        log.warning("channel layer unavailable; %s queued events of owner %s wait", len(envelopes), owner_id)
        return 0
    await repo.clear_queued(uow.session, [e.id for e in envelopes])
    return len(envelopes)


async def clear_explicit_offline(services: DomainServices, owner_id: int) -> None:
    """A new realtime connection means the owner is back: an explicit `offline` no longer holds."""
    try:
        if await explicit_status(services, owner_id) == "offline":
            await services.kv.delete(_status_key(owner_id))
    except KVUnavailable:
        pass
