"""Payments wire shapes. The reference documents the `{data, meta}` envelope with an empty `data` and
no request body; these are the fields we fill in (Stripe's PaymentIntent vocabulary)."""

from __future__ import annotations

from typing import Any

import msgspec

from app.domain.payments.commands import ConfirmPaymentIntent, CreatePaymentIntent
from app.domain.payments.inputs import parse_confirm_intent, parse_create_intent
from app.domain.payments.results import PaymentView, WebhookResult
from app.mapping import same_named
from rest.envelope import envelope_meta, iso
from rest.schemas.common import EnvelopeMeta


class CreatePaymentIntentRequest(msgspec.Struct, kw_only=True):
    """`{booking_id}` (any line of the group) or `{group_id}`. `amount` is refused: the server computes it."""

    booking_id: int | str | None = None
    group_id: str | None = None
    amount: Any = None
    currency: str | None = None

    def to_command(self) -> CreatePaymentIntent:
        return parse_create_intent(
            booking_id=self.booking_id, group_id=self.group_id, amount=self.amount, currency=self.currency
        )


class ConfirmPaymentIntentRequest(msgspec.Struct, kw_only=True):
    payment_method: str | None = None
    return_url: str | None = None

    def to_command(self, payment_id: str) -> ConfirmPaymentIntent:
        return parse_confirm_intent(payment_id, payment_method=self.payment_method, return_url=self.return_url)


class PaymentIntentData(msgspec.Struct, kw_only=True):
    id: str
    payment_id: str
    object: str
    provider: str
    provider_intent_id: str | None
    client_secret: str | None
    amount: int  # øre
    amount_nok: str  # "1990.00"
    currency: str
    status: str
    group_id: str
    booking_id: int | None
    booking_ids: list[int]
    paid: bool
    paid_at: str | None
    next_action: dict[str, Any] | None
    last_payment_error: str | None
    created_at: str | None
    updated_at: str | None


class PaymentIntentResponse(msgspec.Struct):
    data: PaymentIntentData
    meta: EnvelopeMeta


class StripeWebhookAck(msgspec.Struct, kw_only=True):
    received: bool
    event_id: str
    type: str
    duplicate: bool


class StripeWebhookResponse(msgspec.Struct):
    data: StripeWebhookAck
    meta: EnvelopeMeta


def payment_intent_data(view: PaymentView) -> PaymentIntentData:
    return same_named(
        PaymentIntentData,
        view,
        payment_id=view.id,
        object="payment_intent",
        amount_nok=f"{view.amount // 100}.{view.amount % 100:02d}",
        booking_id=view.booking_ids[0] if view.booking_ids else None,
        paid_at=iso(view.paid_at),
        created_at=iso(view.created_at),
        updated_at=iso(view.updated_at),
    )


def payment_intent_response(view: PaymentView) -> PaymentIntentResponse:
    return PaymentIntentResponse(data=payment_intent_data(view), meta=envelope_meta())


def webhook_response(result: WebhookResult) -> StripeWebhookResponse:
    return StripeWebhookResponse(
        data=StripeWebhookAck(received=True, event_id=result.event_id, type=result.type, duplicate=result.duplicate),
        meta=envelope_meta(),
    )
