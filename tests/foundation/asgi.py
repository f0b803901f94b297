"""The app as the plain ASGI callable the test clients are typed for."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, cast

from litestar import Litestar

Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]
]


def asgi_app(app: Litestar) -> ASGIApp:
    """`Litestar.__call__` names its scope and event types; asgi-lifespan and httpx take any mapping, so the
    types only meet through a cast (the call is the same object)."""
    return cast(ASGIApp, app)
