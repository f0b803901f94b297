"""The typed commands of the payment use cases; the faces build them with `app.domain.payments.inputs`."""

from __future__ import annotations

import msgspec


class CreatePaymentIntent(msgspec.Struct, frozen=True, kw_only=True):
    """Exactly one of `booking_id` (any line of the group) and `group_id`. No amount: the server computes it."""

    booking_id: int | None = None
    group_id: str | None = None


class ConfirmPaymentIntent(msgspec.Struct, frozen=True, kw_only=True):
    payment_id: str
    payment_method: str | None = None
    return_url: str | None = None
