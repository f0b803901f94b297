"""The account area's long-lived parts: the vehicle registry client and the image storage.

Without `vegvesen_api_key` the offline registry answers in development and test (embedded mode, demos);
production refuses lookups (503 REGISTRY_NOT_CONFIGURED) unless `vegvesen_offline` asks for the offline
registry. Accessors: `app.domain.account.ports.vehicle_registry(services)` and `media_storage(services)`.
"""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack

from app.domain.account.ports import REGISTRY_KEY, STORAGE_KEY
from app.infra.storage import LocalStorage
from app.infra.vegvesen import OfflineRegistry, UnconfiguredRegistry, VegvesenRegistry
from app.services import Services

log = logging.getLogger(__name__)


async def setup(services: Services, stack: AsyncExitStack) -> None:
    settings = services.settings
    registry: VegvesenRegistry | OfflineRegistry | UnconfiguredRegistry
    if settings.vegvesen_api_key:
        registry = VegvesenRegistry(
            api_key=settings.vegvesen_api_key,
            base_url=settings.vegvesen_base_url,
            kv=services.kv,
            timeout_s=settings.vegvesen_timeout_s,
        )
    elif settings.production and not settings.vegvesen_offline:
        services.missing_provider(
            "vehicle registry",
            "MINBIL_VEGVESEN_API_KEY is not set; vehicle lookups answer "
            "503 REGISTRY_NOT_CONFIGURED (MINBIL_VEGVESEN_OFFLINE=true "
            "serves the offline registry instead)",
        )
        registry = UnconfiguredRegistry()
    else:
        log.info("no Vegvesen API key configured: vehicle data comes from the offline registry")
        registry = OfflineRegistry()
    stack.push_async_callback(registry.aclose)
    services.extras[REGISTRY_KEY] = registry
    services.extras[STORAGE_KEY] = LocalStorage(settings.media_dir)
