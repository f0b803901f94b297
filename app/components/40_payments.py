"""The payment provider: Stripe when a secret key is configured; otherwise the local provider in development
and test, and none at all in production.

Use cases reach it through `app.domain.payments.provider.payment_provider(services)`, which answers
`PaymentsNotConfigured` (503) when there is none: production never simulates a charge.
"""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack

from app.domain.payments.provider import PROVIDER_KEY, PaymentProvider
from app.infra.payments.local import LocalProvider
from app.infra.payments.stripe_provider import StripeProvider
from app.services import Services

log = logging.getLogger(__name__)


def build_provider(services: Services) -> PaymentProvider | None:
    settings = services.settings
    if settings.stripe_secret_key:
        return StripeProvider(settings.stripe_secret_key, api_base=settings.stripe_api_base)
    if settings.production:
        return None
    return LocalProvider()


async def setup(services: Services, stack: AsyncExitStack) -> None:
    provider = build_provider(services)
    if provider is None:
        services.missing_provider(
            "payments",
            "MINBIL_STRIPE_SECRET_KEY is not set; every payment operation answers 503 PAYMENTS_NOT_CONFIGURED",
        )
        return
    if services.settings.production and not services.settings.stripe_webhook_secret:
        services.missing_provider(
            "payment webhooks",
            "MINBIL_STRIPE_WEBHOOK_SECRET is not set; Stripe webhooks answer 503 WEBHOOK_NOT_CONFIGURED",
        )
    services.extras[PROVIDER_KEY] = provider
    stack.push_async_callback(provider.aclose)
    log.info("payment provider: %s", provider.name)
