"""The payment provider interface: what the use cases need from Stripe or the local stand-in.

Both implementations speak Stripe's PaymentIntent model (ids `pi_...`, a `client_secret`, an amount in
the smallest currency unit and the documented statuses), so the use cases never branch on the provider.
"""

from __future__ import annotations

from typing import Any, Protocol

import msgspec

from app.errors import DomainError, ServiceUnavailable, ValidationFailed


class ProviderIntent(msgspec.Struct, frozen=True, kw_only=True):
    """A PaymentIntent as the provider reports it."""

    id: str
    client_secret: str | None
    amount: int
    currency: str
    status: str
    next_action: dict[str, Any] | None = None
    last_payment_error: str | None = None


class PaymentDeclined(ValidationFailed):
    """The provider refused the payment method (a card decline); the intent stays payable."""

    code = "PAYMENT_DECLINED"


class ProviderUnavailable(ServiceUnavailable):
    code = "PAYMENT_PROVIDER_UNAVAILABLE"


class PaymentsNotConfigured(ServiceUnavailable):
    """Production without a payment provider: nothing is charged, simulated or recorded."""

    code = "PAYMENTS_NOT_CONFIGURED"
    default_message = "Payments are not configured on this server."
    default_retry_after = 3600


class ProviderRejected(DomainError, status=409, code="PAYMENT_PROVIDER_REJECTED", title="Conflict"):
    """The provider rejected the request itself (bad state, bad parameters)."""


class PaymentProvider(Protocol):
    name: str

    async def create_intent(
        self, *, amount: int, currency: str, idempotency_key: str, metadata: dict[str, str], description: str
    ) -> ProviderIntent: ...

    async def confirm_intent(
        self, current: ProviderIntent, *, payment_method: str | None, return_url: str | None, idempotency_key: str
    ) -> ProviderIntent: ...

    async def cancel_intent(self, current: ProviderIntent, *, idempotency_key: str) -> ProviderIntent: ...

    async def aclose(self) -> None: ...


class HasPayments(Protocol):
    @property
    def payments(self) -> PaymentProvider | None: ...


def payment_provider(services: HasPayments) -> PaymentProvider:
    """The provider chosen at start-up by `app.wiring`; none there (production without a Stripe key) raises
    `PaymentsNotConfigured`. Every payment use case asks for it first, so without a provider no payment
    operation reads, writes or simulates anything."""
    if services.payments is None:
        raise PaymentsNotConfigured()
    return services.payments
