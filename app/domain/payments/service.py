"""Payment use cases: intents for booking groups, confirmation, and Stripe webhooks.

The amount is always computed here from the booked prices (the group's payable lines, NOK -> øre);
a booking group has at most one open intent (the database enforces it with a partial unique index,
and creation is serialised per group). Webhook events are processed once per event id.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.domain.events.envelope import BOOKING_UPDATED
from app.domain.notifications.publish import notify
from app.domain.payments import states
from app.domain.payments.commands import ConfirmPaymentIntent, CreatePaymentIntent
from app.domain.payments.inputs import CURRENCY, parse_booking_id
from app.domain.payments.provider import ProviderIntent, ProviderRejected, payment_provider
from app.domain.payments.results import PaymentView, WebhookResult
from app.domain.payments.signature import verify_signature
from app.domain.uow import UnitOfWork
from app.errors import Conflict, NotFound, ServiceUnavailable, ValidationFailed
from app.values import utc_now
from db.models import Payment
from db.repositories import payments as repo
from db.repositories.payments import UNPAYABLE_LINE_STATUSES, GroupLine

log = logging.getLogger(__name__)

PAYMENT_SUCCEEDED = "payment.succeeded"


def to_minor_units(total: Decimal) -> int:
    """NOK (two decimals) to øre, exactly."""
    return int((total * 100).to_integral_value(rounding=ROUND_HALF_UP))


def format_nok(amount: int) -> str:
    """`199000` -> `1 990,00 kr` (Norwegian notation)."""
    kroner, ore = divmod(amount, 100)
    return f"{kroner:,}".replace(",", " ") + f",{ore:02d} kr"


def _payable(lines: list[GroupLine]) -> list[GroupLine]:
    return [line for line in lines if line.status not in UNPAYABLE_LINE_STATUSES]


def _total(payable: list[GroupLine]) -> int:
    return to_minor_units(sum((line.price for line in payable), Decimal("0")))


def _provider_intent(payment: Payment, intent_id: str) -> ProviderIntent:
    """The provider's intent as we last recorded it."""
    return ProviderIntent(
        id=intent_id,
        client_secret=payment.client_secret,
        amount=payment.amount,
        currency=payment.currency,
        status=payment.status,
    )


async def _cancel_stale(uow: UnitOfWork, payment: Payment) -> None:
    """Cancel an unconfirmed intent whose amount no longer matches the booking (at the provider too)."""
    provider = payment_provider(uow.services)
    if provider.name == payment.provider and payment.provider_intent_id:
        intent = await provider.cancel_intent(
            _provider_intent(payment, payment.provider_intent_id), idempotency_key=f"minbil-cancel-{payment.id}"
        )
        if intent.status != states.CANCELED:
            raise ProviderRejected("The payment provider did not cancel the outdated payment intent.")
    await _apply(uow, payment, states.CANCELED, int(time.time()))


def _view(payment: Payment, lines: list[GroupLine]) -> PaymentView:
    payable = _payable(lines)
    paid_times = [line.paid_at for line in payable if line.paid_at is not None]
    paid = payment.status == states.SUCCEEDED or (bool(payable) and len(paid_times) == len(payable))
    data = payment.provider_data or {}
    return PaymentView(
        id=payment.id,
        provider=payment.provider,
        provider_intent_id=payment.provider_intent_id,
        client_secret=payment.client_secret if states.is_open(payment.status) else None,
        amount=payment.amount,
        currency=payment.currency,
        status=payment.status,
        group_id=payment.group_id,
        booking_ids=[line.booking_id for line in payable] or [line.booking_id for line in lines],
        paid=paid,
        paid_at=max(paid_times) if paid and paid_times else payment.succeeded_at,
        next_action=data.get("next_action") if payment.status == states.REQUIRES_ACTION else None,
        last_payment_error=data.get("last_payment_error"),
        created_at=payment.created_at,
        updated_at=payment.updated_at,
        succeeded_at=payment.succeeded_at,
    )


def check_available(uow: UnitOfWork) -> None:
    """Every payment operation answers "not configured" first, before its input is looked at."""
    payment_provider(uow.services)


async def _resolve_group(uow: UnitOfWork, owner_id: int, command: CreatePaymentIntent) -> str:
    if command.booking_id is None:
        assert command.group_id is not None  # a command names one of the two
        return command.group_id
    found = await repo.group_of_booking(uow.session, command.booking_id, owner_id)
    if found is None:
        raise NotFound("Booking not found.", code="BOOKING_NOT_FOUND")
    return found


async def create_intent(uow: UnitOfWork, owner_id: int, command: CreatePaymentIntent) -> PaymentView:
    """The open intent for the caller's booking group, created if there is none."""
    provider = payment_provider(uow.services)
    group = await _resolve_group(uow, owner_id, command)
    if not await repo.group_lines(uow.session, group, owner_id):
        raise NotFound("Booking group not found.", code="BOOKING_NOT_FOUND")
    await repo.lock_group(uow.session, group)  # one creator per group at a time; the rest find its intent
    lines = await repo.group_lines(uow.session, group, owner_id)
    payable = _payable(lines)
    if not payable:
        raise Conflict("Nothing to pay: every booking in the group is cancelled or declined.", code="NOTHING_TO_PAY")
    succeeded = await repo.succeeded_payment_for_group(uow.session, group)
    if succeeded is not None or all(line.paid_at is not None for line in payable):
        raise Conflict("This booking has already been paid.", code="ALREADY_PAID")
    total = _total(payable)
    existing = await repo.open_payment_for_group(uow.session, group)
    if existing is not None:
        if existing.amount == total or existing.status not in states.CONFIRMABLE:
            return _view(existing, lines)  # the open intent (a payment under way keeps its amount)
        await _cancel_stale(uow, existing)  # the booked prices changed since: replace the intent
    if total <= 0:
        raise Conflict("Nothing to pay: the booked services are free.", code="NOTHING_TO_PAY")
    attempt = await repo.count_payments_for_group(uow.session, group)
    # stable for a group, its attempt and its amount: a retry after any failure reuses it, a changed amount does not
    idempotency_key = f"minbil-pi-{group}-{attempt}-{total}"
    payment_id = "pay_" + secrets.token_hex(12)
    intent = await provider.create_intent(
        amount=total,
        currency=CURRENCY,
        idempotency_key=idempotency_key,
        metadata={
            "payment_id": payment_id,
            "group_id": group,
            "owner_id": str(owner_id),
            "booking_ids": ",".join(str(line.booking_id) for line in payable),
        },
        description=f"MinBil booking {group}",
    )
    if intent.amount != total or intent.currency != CURRENCY:
        log.error(
            "provider intent %s has %s %s, expected %s %s", intent.id, intent.amount, intent.currency, total, CURRENCY
        )
        raise ProviderRejected("The payment provider answered with a different amount.", code="PAYMENT_AMOUNT_MISMATCH")
    now = utc_now()
    payment = Payment(
        id=payment_id,
        owner_id=owner_id,
        group_id=group,
        provider=provider.name,
        provider_intent_id=intent.id,
        client_secret=intent.client_secret,
        amount=intent.amount,
        currency=intent.currency,
        status=intent.status,
        idempotency_key=idempotency_key,
        last_event_created=int(time.time()),
        provider_data=_provider_data({}, intent),
        created_at=now,
        updated_at=now,
    )
    await repo.add_payment(uow.session, payment)
    if payment.status == states.SUCCEEDED:  # a provider may answer a create with a finished payment
        await _on_succeeded(uow, payment)
    return _view(payment, lines)


async def get_intent(uow: UnitOfWork, owner_id: int, payment_id: str) -> PaymentView:
    payment_provider(uow.services)  # every payment operation answers "not configured" first
    payment = await repo.get_payment(uow.session, payment_id, owner_id=owner_id)
    if payment is None:
        raise NotFound("Payment not found.", code="PAYMENT_NOT_FOUND")
    return _view(payment, await repo.group_lines(uow.session, payment.group_id, owner_id))


async def payment_for_group(uow: UnitOfWork, owner_id: int, group_id: str) -> PaymentView | None:
    """The payment that matters for the caller's group (succeeded, else open, else newest), or None."""
    payment_provider(uow.services)
    found = await repo.latest_payments_for_groups(uow.session, [group_id], owner_id)
    payment = found.get(group_id)
    if payment is None:
        return None
    return _view(payment, await repo.group_lines(uow.session, group_id, owner_id))


async def payment_for_booking(uow: UnitOfWork, owner_id: int, booking_id: object) -> PaymentView | None:
    payment_provider(uow.services)
    group = await repo.group_of_booking(uow.session, parse_booking_id(booking_id), owner_id)
    if group is None:
        raise NotFound("Booking not found.", code="BOOKING_NOT_FOUND")
    return await payment_for_group(uow, owner_id, group)


async def payments_by_id(uow: UnitOfWork, owner_id: int, payment_ids: list[str]) -> dict[str, PaymentView]:
    """The caller's payments among `payment_ids` (global-id lookups), in one statement; others are left out."""
    payment_provider(uow.services)  # every payment operation answers "not configured" first
    found = await repo.owned_payments_with_lines(uow.session, owner_id, payment_ids)
    return {payment.id: _view(payment, lines) for payment, lines in found}


async def payments_of_groups(session: AsyncSession, keys: list[tuple[int, str]]) -> dict[tuple[int, str], PaymentView]:
    """Batch loader form of `payment_for_group`, keyed by (owner id, group id): one statement for every key.
    The caller checks that payments are configured (`payment_provider`) before loading."""
    found = await repo.preferred_payments_of_groups(session, keys)
    return {(payment.owner_id, payment.group_id): _view(payment, lines) for payment, lines in found}


async def confirm_intent(uow: UnitOfWork, owner_id: int, command: ConfirmPaymentIntent) -> PaymentView:
    """Confirm the caller's intent with the provider. Confirming a payment that is already processing
    or succeeded answers its current state without a second charge."""
    provider = payment_provider(uow.services)
    payment_id = command.payment_id
    payment = await repo.get_payment(uow.session, payment_id, owner_id=owner_id, for_update=True)
    if payment is None:
        raise NotFound("Payment not found.", code="PAYMENT_NOT_FOUND")
    lines = await repo.group_lines(uow.session, payment.group_id, owner_id)
    if payment.status == states.CANCELED:
        raise Conflict("This payment was canceled; create a new one.", code="PAYMENT_CANCELED")
    if payment.status not in states.CONFIRMABLE:
        return _view(payment, lines)
    if payment.review_reason:
        raise Conflict(
            "This payment is being reviewed; contact support before paying again.", code="PAYMENT_UNDER_REVIEW"
        )
    if payment.amount != _total(_payable(lines)):
        raise Conflict(
            "The booked prices changed since this payment was created; create the payment intent again.",
            code="AMOUNT_CHANGED",
        )
    if provider.name != payment.provider or not payment.provider_intent_id:
        raise ProviderRejected("This payment belongs to another payment provider; create a new one.")
    intent = await provider.confirm_intent(
        _provider_intent(payment, payment.provider_intent_id),
        payment_method=command.payment_method,
        return_url=command.return_url,
        idempotency_key=f"minbil-confirm-{payment.id}-{uuid.uuid4().hex[:16]}",
    )
    await _apply(uow, payment, intent.status, int(time.time()), intent=intent)
    return _view(payment, lines)


def _provider_data(
    data: dict[str, Any], intent: ProviderIntent | None = None, obj: dict[str, Any] | None = None
) -> dict[str, Any]:
    merged = dict(data)
    if intent is not None:
        merged["next_action"] = intent.next_action
        merged["last_payment_error"] = intent.last_payment_error
    if obj is not None:
        merged["next_action"] = obj.get("next_action") if isinstance(obj.get("next_action"), dict) else None
        error = obj.get("last_payment_error")
        merged["last_payment_error"] = error.get("message") if isinstance(error, dict) else None
    return merged


async def _apply(
    uow: UnitOfWork,
    payment: Payment,
    status: str,
    reported_at: int,
    *,
    intent: ProviderIntent | None = None,
    obj: dict[str, Any] | None = None,
) -> bool:
    """Take a reported status if the ordering rule says so; run the success effects once."""
    if not states.should_apply(payment.status, payment.last_event_created, status, reported_at):
        return False
    payment.status = status
    payment.last_event_created = max(reported_at, payment.last_event_created or 0)
    payment.provider_data = _provider_data(payment.provider_data or {}, intent, obj)
    payment.updated_at = utc_now()
    uow.session.add(payment)
    if status == states.SUCCEEDED:
        await _on_succeeded(uow, payment)
    await uow.session.flush()
    return True


async def _on_succeeded(uow: UnitOfWork, payment: Payment) -> None:
    now = utc_now()
    payment.succeeded_at = payment.succeeded_at or now
    uow.session.add(payment)
    await uow.session.flush()
    marked = await repo.mark_group_paid(uow.session, payment.group_id, now)
    lines = await repo.group_lines(uow.session, payment.group_id, payment.owner_id)
    payable = _payable(lines)
    booking_ids = [line.booking_id for line in payable]
    payload = {
        "payment_id": payment.id,
        "group_id": payment.group_id,
        "booking_ids": booking_ids,
        "amount": payment.amount,
        "currency": payment.currency,
        "status": payment.status,
        "paid_at": now.isoformat(),
    }
    uow.emit(payment.owner_id, PAYMENT_SUCCEEDED, payload)
    for line in payable:
        if line.booking_id in marked:
            uow.emit(
                payment.owner_id,
                BOOKING_UPDATED,
                {
                    "booking_id": line.booking_id,
                    "group_id": line.group_id,
                    "status": line.status,
                    "paid": True,
                    "paid_at": now.isoformat(),
                    "payment_id": payment.id,
                },
            )
    titles = ", ".join(dict.fromkeys(line.title for line in payable))
    await notify(
        uow,
        owner_id=payment.owner_id,
        event=BOOKING_UPDATED,
        title="Betaling mottatt",
        body=f"Vi har mottatt betalingen på {format_nok(payment.amount)} for {titles}.",
        data={
            "payment_id": payment.id,
            "group_id": payment.group_id,
            "booking_ids": booking_ids,
            "amount": payment.amount,
            "currency": payment.currency,
            "kind": PAYMENT_SUCCEEDED,
        },
    )


def _flag_mismatch(uow: UnitOfWork, payment: Payment, obj: dict[str, Any], event_id: str) -> bool:
    """Flag the payment for review when a success reports another amount or currency than the intent's.

    Such a payment is never marked paid automatically (a client-side or provider-side change of the
    amount must not buy a booking at another price); it stays flagged for a person to settle.
    """
    reported_amount = obj.get("amount_received") or obj.get("amount")
    reported_currency = obj.get("currency")
    reason = None
    if isinstance(reported_amount, int) and reported_amount != payment.amount:
        reason = "amount_mismatch"
    elif isinstance(reported_currency, str) and reported_currency.lower() != payment.currency:
        reason = "currency_mismatch"
    if reason is None:
        return False
    log.error(
        "stripe event %s reports %s %s for payment %s of %s %s: not marked paid, flagged for review (%s)",
        event_id,
        reported_amount,
        reported_currency,
        payment.id,
        payment.amount,
        payment.currency,
        reason,
    )
    payment.review_reason = reason
    payment.provider_data = {
        **(payment.provider_data or {}),
        "review": {"event_id": event_id, "amount": reported_amount, "currency": reported_currency},
    }
    payment.updated_at = utc_now()
    uow.session.add(payment)
    return True


def _parse_event(payload: bytes) -> dict[str, Any]:
    try:
        event = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(
            "The webhook body is not JSON.", code="INVALID_PAYLOAD", fields={"body": "invalid_json"}
        ) from None
    if not isinstance(event, dict):
        raise ValidationFailed(
            "The webhook body must be an event object.", code="INVALID_PAYLOAD", fields={"body": "invalid"}
        )
    problems: dict[str, str] = {}
    if not isinstance(event.get("id"), str) or not event["id"] or len(event["id"]) > 255:
        problems["id"] = "required"
    if not isinstance(event.get("type"), str) or not event["type"] or len(event["type"]) > 64:
        problems["type"] = "required"
    if not isinstance(event.get("created"), int) or isinstance(event.get("created"), bool):
        problems["created"] = "required"
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        problems["data.object"] = "required"
    if problems:
        raise ValidationFailed("The webhook event is incomplete.", code="INVALID_PAYLOAD", fields=problems)
    return event


async def handle_stripe_webhook(uow: UnitOfWork, *, payload: bytes, signature: str | None) -> WebhookResult:
    """Verify the raw body, record the event id (first delivery only), and apply it."""
    payment_provider(uow.services)  # without a provider no event is verified, recorded or applied
    secret = uow.settings.stripe_webhook_secret
    if not secret:
        raise ServiceUnavailable("Stripe webhooks are not configured on this server.", code="WEBHOOK_NOT_CONFIGURED")
    verify_signature(payload, signature, secret)
    event = _parse_event(payload)
    event_id, event_type, created = event["id"], event["type"], event["created"]
    first = await repo.record_webhook_event(uow.session, event_id=event_id, event_type=event_type, payload=event)
    if not first:
        return WebhookResult(event_id=event_id, type=event_type, duplicate=True, applied=False)
    if not event_type.startswith("payment_intent."):
        return WebhookResult(event_id=event_id, type=event_type, duplicate=False, applied=False)
    obj = event["data"]["object"]
    intent_id, status = obj.get("id"), obj.get("status")
    if not isinstance(intent_id, str) or not isinstance(status, str):
        return WebhookResult(event_id=event_id, type=event_type, duplicate=False, applied=False)
    payment = await repo.lock_payment_by_intent(uow.session, intent_id)
    if payment is None:
        log.info("stripe event %s for unknown payment intent %s ignored", event_id, intent_id)
        return WebhookResult(event_id=event_id, type=event_type, duplicate=False, applied=False)
    if status == states.SUCCEEDED and (payment.review_reason or _flag_mismatch(uow, payment, obj, event_id)):
        applied = False  # acknowledged all the same: Stripe would redeliver the same event forever
    else:
        applied = await _apply(uow, payment, status, created, obj=obj)
    return WebhookResult(
        event_id=event_id,
        type=event_type,
        duplicate=False,
        applied=applied,
        payment_id=payment.id,
        status=payment.status,
    )
