"""What the payment use cases return (plain structs; the transports map them to their shapes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class PaymentView(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    provider: str
    provider_intent_id: str | None
    client_secret: str | None
    amount: int  # øre
    currency: str
    status: str
    group_id: str
    booking_ids: list[int]
    paid: bool
    paid_at: datetime | None
    next_action: dict[str, Any] | None
    last_payment_error: str | None
    created_at: datetime
    updated_at: datetime
    succeeded_at: datetime | None


class WebhookResult(msgspec.Struct, frozen=True, kw_only=True):
    event_id: str
    type: str
    duplicate: bool  # the event id was processed before: nothing was done this time
    applied: bool  # a payment's status changed because of this event
    payment_id: str | None = None
    status: str | None = None
