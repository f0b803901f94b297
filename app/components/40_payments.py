"""The payment provider: Stripe when a secret key is configured, the local provider otherwise.

Use cases reach it through `app.domain.payments.provider.payment_provider(services)`.
"""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack

from app.domain.payments.provider import PROVIDER_KEY, PaymentProvider
from app.infra.payments.local import LocalProvider
from app.infra.payments.stripe_provider import StripeProvider
from app.services import Services

log = logging.getLogger(__name__)


def build_provider(services: Services) -> PaymentProvider:
    settings = services.settings
    if settings.stripe_secret_key:
        return StripeProvider(settings.stripe_secret_key, api_base=settings.stripe_api_base)
    return LocalProvider()


async def setup(services: Services, stack: AsyncExitStack) -> None:
    provider = build_provider(services)
    services.extras[PROVIDER_KEY] = provider
    stack.push_async_callback(provider.aclose)
    log.info("payment provider: %s", provider.name)
