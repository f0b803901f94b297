"""A local payment provider for development and tests without a Stripe account.

It follows Stripe's PaymentIntent states and understands Stripe's test payment methods:
`pm_card_visa` (the default) succeeds, `pm_card_authenticationRequired` / `pm_card_threeDSecure2Required`
stop at `requires_action` (confirming again completes the authentication), `pm_card_chargeDeclined`
and `pm_card_visa_chargeDeclined` are declined. It keeps no state: our `payments` table is the record,
and ids derive from the idempotency key, so a retried create returns the same intent.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

import msgspec

from app.domain.payments import states
from app.domain.payments.provider import PaymentDeclined, ProviderIntent, ProviderRejected

DEFAULT_PAYMENT_METHOD = "pm_card_visa"
DECLINING = frozenset(
    {"pm_card_chargeDeclined", "pm_card_visa_chargeDeclined", "pm_card_chargeDeclinedInsufficientFunds"}
)
AUTHENTICATING = frozenset({"pm_card_authenticationRequired", "pm_card_threeDSecure2Required"})


def _moved(current: ProviderIntent, status: str, next_action: dict[str, Any] | None = None) -> ProviderIntent:
    """The same intent in its next state; the previous step's action and error do not carry over."""
    return msgspec.structs.replace(current, status=status, next_action=next_action, last_payment_error=None)


class LocalProvider:
    name = "local"

    def __init__(self, salt: bytes | None = None) -> None:
        self._salt = salt or secrets.token_bytes(16)

    def _derive(self, label: str, key: str, length: int) -> str:
        return hmac.new(self._salt, f"{label}:{key}".encode(), hashlib.sha256).hexdigest()[:length]

    async def create_intent(
        self, *, amount: int, currency: str, idempotency_key: str, metadata: dict[str, str], description: str
    ) -> ProviderIntent:
        if amount <= 0:
            raise ProviderRejected("The amount must be positive.")
        intent_id = "pi_local_" + self._derive("id", idempotency_key, 24)
        return ProviderIntent(
            id=intent_id,
            client_secret=f"{intent_id}_secret_{self._derive('secret', idempotency_key, 24)}",
            amount=amount,
            currency=currency,
            status=states.REQUIRES_PAYMENT_METHOD,
        )

    async def confirm_intent(
        self, current: ProviderIntent, *, payment_method: str | None, return_url: str | None, idempotency_key: str
    ) -> ProviderIntent:
        if current.status not in states.CONFIRMABLE:
            raise ProviderRejected(
                f"A payment intent in status {current.status} cannot be confirmed.",
                code="PAYMENT_INTENT_UNEXPECTED_STATE",
            )
        method = payment_method
        if method is None:
            if current.status == states.REQUIRES_ACTION:  # the customer finished the authentication step
                return _moved(current, states.SUCCEEDED)
            method = DEFAULT_PAYMENT_METHOD
        if method in DECLINING:
            raise PaymentDeclined("Your card was declined.", fields={"payment_method": "card_declined"})
        if method in AUTHENTICATING:
            next_action = {
                "type": "redirect_to_url",
                "redirect_to_url": {"url": f"{return_url or ''}#authenticate-{current.id}", "return_url": return_url},
            }
            return _moved(current, states.REQUIRES_ACTION, next_action)
        return _moved(current, states.SUCCEEDED)

    async def cancel_intent(self, current: ProviderIntent, *, idempotency_key: str) -> ProviderIntent:
        if current.status in (states.SUCCEEDED, states.PROCESSING):
            raise ProviderRejected(
                f"A payment intent in status {current.status} cannot be canceled.",
                code="PAYMENT_INTENT_UNEXPECTED_STATE",
            )
        return _moved(current, states.CANCELED)

    async def aclose(self) -> None:
        return None
