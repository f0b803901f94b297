"""Stripe through the official `stripe` package (async calls over its HTTPX client).

Every create carries an idempotency key (stable per booking group and attempt), so a retried create
returns the intent Stripe already made instead of a second one.
"""

from __future__ import annotations

import logging
from typing import Any

import stripe
from stripe.params._payment_intent_confirm_params import PaymentIntentConfirmParams

from app.domain.payments.provider import PaymentDeclined, ProviderIntent, ProviderRejected, ProviderUnavailable
from app.errors import DomainError

log = logging.getLogger(__name__)


def _intent(resource: Any) -> ProviderIntent:
    obj = resource.to_dict() if hasattr(resource, "to_dict") else dict(resource)
    error = obj.get("last_payment_error")
    next_action = obj.get("next_action")
    return ProviderIntent(
        id=obj["id"],
        client_secret=obj.get("client_secret"),
        amount=int(obj["amount"]),
        currency=str(obj.get("currency") or "nok"),
        status=str(obj["status"]),
        next_action=next_action or None,
        last_payment_error=(error.get("message") if error else None),
    )


def _translate(exc: stripe.StripeError) -> DomainError:
    if isinstance(exc, stripe.CardError):
        return PaymentDeclined(
            exc.user_message or "Your card was declined.", fields={"payment_method": str(exc.code or "card_declined")}
        )
    if isinstance(exc, stripe.IdempotencyError):
        return ProviderRejected(
            "The payment provider refused a repeated request with different details.",
            code="PAYMENT_IDEMPOTENCY_CONFLICT",
        )
    if isinstance(exc, stripe.InvalidRequestError):
        return ProviderRejected(
            exc.user_message or "The payment provider rejected the request.",
            code=str(exc.code or "payment_provider_rejected").upper(),
        )
    if isinstance(exc, (stripe.AuthenticationError, stripe.PermissionError)):
        log.error("stripe rejected our credentials: %s", exc.user_message or type(exc).__name__)
        return ProviderUnavailable("The payment provider is not available.", retry_after=60)
    log.warning("stripe call failed: %s", type(exc).__name__)
    return ProviderUnavailable("The payment provider is not available right now.", retry_after=5)


class StripeProvider:
    name = "stripe"

    def __init__(
        self,
        api_key: str,
        *,
        api_base: str | None = None,
        timeout_s: float = 10.0,
        max_network_retries: int = 2,
        http_client: stripe.HTTPClient | None = None,
    ) -> None:
        self._http = http_client or stripe.HTTPXClient(timeout=timeout_s)
        self._client = stripe.StripeClient(
            api_key,
            http_client=self._http,
            max_network_retries=max_network_retries,
            base_addresses={"api": api_base.rstrip("/")} if api_base else None,
        )

    async def create_intent(
        self, *, amount: int, currency: str, idempotency_key: str, metadata: dict[str, str], description: str
    ) -> ProviderIntent:
        try:
            obj = await self._client.v1.payment_intents.create_async(
                params={
                    "amount": amount,
                    "currency": currency,
                    "metadata": metadata,
                    "description": description,
                    "automatic_payment_methods": {"enabled": True},
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise _translate(exc) from exc
        return _intent(obj)

    async def retrieve_intent(self, intent_id: str) -> ProviderIntent:
        try:
            obj = await self._client.v1.payment_intents.retrieve_async(intent_id)
        except stripe.StripeError as exc:
            raise _translate(exc) from exc
        return _intent(obj)

    async def confirm_intent(
        self, current: ProviderIntent, *, payment_method: str | None, return_url: str | None, idempotency_key: str
    ) -> ProviderIntent:
        params: PaymentIntentConfirmParams = {}
        if payment_method:
            params["payment_method"] = payment_method
        if return_url:
            params["return_url"] = return_url
        try:
            obj = await self._client.v1.payment_intents.confirm_async(
                current.id,
                params=params,
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise _translate(exc) from exc
        return _intent(obj)

    async def cancel_intent(self, current: ProviderIntent, *, idempotency_key: str) -> ProviderIntent:
        try:
            obj = await self._client.v1.payment_intents.cancel_async(
                current.id,
                params={"cancellation_reason": "abandoned"},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise _translate(exc) from exc
        return _intent(obj)

    async def aclose(self) -> None:
        await self._http.close_async()
