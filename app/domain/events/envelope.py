"""What travels on an owner's channel: one committed, sequenced outbox row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

# event types (`domain_events.event_type`)
MESSAGE_CREATED = "message.created"
NOTIFICATION_CREATED = "notification.created"
BOOKING_UPDATED = "booking.updated"
UNREAD_CHANGED = "unread.changed"
PAYMENT_SUCCEEDED = "payment.succeeded"


class EventEnvelope(msgspec.Struct, frozen=True, omit_defaults=True):
    id: int  # domain_events.id: the de-duplication key
    seq: int  # publication order: the resume cursor
    owner_id: int
    type: str
    payload: dict[str, Any]
    created_at: datetime | None = None
    # W3C traceparent of the relay's publish span (traces on only): delivery continues that trace
    traceparent: str | None = None


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(EventEnvelope)


def encode(envelope: EventEnvelope) -> bytes:
    return _encoder.encode(envelope)


def decode(data: bytes) -> EventEnvelope:
    return _decoder.decode(data)


def from_row(row: Any) -> EventEnvelope:
    return EventEnvelope(
        id=int(row.id),
        seq=int(row.seq),
        owner_id=int(row.owner_id),
        type=row.event_type,
        payload=dict(row.payload or {}),
        created_at=row.created_at,
    )


def owner_channel(prefix: str, owner_id: int) -> str:
    """The channel of one owner's events (one per owner: nobody else's events travel on it)."""
    return f"{prefix}owner:{owner_id}"
