"""Which peers may tell us the client's address (`X-Forwarded-For`, `X-Forwarded-Proto`).

Per-IP limits count `request.client`. A peer that is not a configured proxy could put any address in
`X-Forwarded-For`, so the header is read only when the connection comes from `MINBIL_TRUSTED_PROXIES`
(addresses or networks); with none configured it is ignored. The app applies this itself (not the
server) so every way of serving it follows the same setting; `minbil serve` turns uvicorn's own
header handling off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from litestar.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.settings import Settings


def trust_proxies(settings: Settings, app: ASGIApp) -> ASGIApp:
    """`app` behind the middleware that takes the client address from trusted proxies' headers (pure ASGI,
    outside the router like app/middleware.py); `app` itself without proxies."""
    if not settings.trusted_proxies:
        return app
    # uvicorn's implementation: addresses and CIDR networks, and the right-most untrusted hop of the header
    # (uvicorn and Litestar each declare their own TypedDicts for the same ASGI scope and messages)
    factory = cast(Callable[..., ASGIApp], ProxyHeadersMiddleware)
    return factory(app, trusted_hosts=list(settings.trusted_proxies))
