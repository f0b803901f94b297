"""Developer access: the keys (`MINBIL_DEVELOPER_KEYS`, sent as `x-developer-key`) that open the schema documents,
GraphQL introspection and the OpenAPI document, in production. Nothing else depends on them."""

from __future__ import annotations

import hmac

from app.settings import Settings

DEVELOPER_KEY_HEADER = "x-developer-key"


def is_developer(settings: Settings, presented: str | None) -> bool:
    """Constant-time comparison against every configured key (no early exit on a match)."""
    if not presented:
        return False
    given = presented.encode()
    matched = False
    for key in settings.developer_keys:
        matched |= hmac.compare_digest(given, key.encode())
    return matched
