"""Lenient input rules of the payment operations, shared by both faces so that a bad value gets the same
`ValidationFailed` (code, message, fields) from REST and GraphQL."""

from __future__ import annotations

from app.domain.limits import INT_MAX
from app.domain.payments.commands import ConfirmPaymentIntent, CreatePaymentIntent
from app.errors import ValidationFailed
from app.values import is_web_url

CURRENCY = "nok"
MAX_GROUP_ID_LENGTH = 36


def parse_booking_id(value: object) -> int:
    if isinstance(value, bool):
        raise ValidationFailed("booking_id must be a positive integer.", fields={"booking_id": "invalid"})
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise ValidationFailed("booking_id must be a positive integer.", fields={"booking_id": "invalid"})
    if number <= 0 or number > INT_MAX:
        raise ValidationFailed("booking_id must be a positive integer.", fields={"booking_id": "invalid"})
    return number


def _group_id(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > MAX_GROUP_ID_LENGTH:
        raise ValidationFailed("group_id must be a booking group id.", fields={"group_id": "invalid"})
    return value.strip()


def parse_create_intent(
    *, booking_id: object = None, group_id: object = None, amount: object = None, currency: object = None
) -> CreatePaymentIntent:
    """`amount` and `currency` are refused when sent: the price is the booked price, nothing else."""
    if amount is not None:
        raise ValidationFailed(
            "The amount is computed from the booked prices and cannot be sent.", fields={"amount": "not_allowed"}
        )
    if currency is not None and (not isinstance(currency, str) or currency.lower() != CURRENCY):
        raise ValidationFailed("Only NOK is supported.", fields={"currency": "unsupported"})
    has_booking = booking_id not in (None, "")
    has_group = group_id not in (None, "")
    if has_booking and has_group:
        raise ValidationFailed(
            "Send either booking_id or group_id, not both.", fields={"booking_id": "exclusive", "group_id": "exclusive"}
        )
    if not has_booking and not has_group:
        raise ValidationFailed(
            "booking_id or group_id is required.", fields={"booking_id": "required", "group_id": "required"}
        )
    if has_booking:
        return CreatePaymentIntent(booking_id=parse_booking_id(booking_id))
    return CreatePaymentIntent(group_id=_group_id(group_id))


def parse_confirm_intent(
    payment_id: str, *, payment_method: object = None, return_url: object = None
) -> ConfirmPaymentIntent:
    if payment_method is not None and (
        not isinstance(payment_method, str) or not payment_method.strip() or len(payment_method) > 255
    ):
        raise ValidationFailed("payment_method must be a payment method id.", fields={"payment_method": "invalid"})
    if return_url is not None and not is_web_url(return_url):
        raise ValidationFailed("return_url must be an http(s) URL.", fields={"return_url": "invalid"})
    return ConfirmPaymentIntent(
        payment_id=payment_id,
        payment_method=payment_method.strip() if isinstance(payment_method, str) else None,
        return_url=return_url if isinstance(return_url, str) else None,
    )
