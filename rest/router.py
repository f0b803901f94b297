"""The /api/co router: every legacy controller, with the shared dependencies."""

from __future__ import annotations

from litestar import Router

from rest.controllers.auth import AuthController
from rest.deps import DEPENDENCIES

CONTROLLERS: list[type] = [
    AuthController,
]


def build_rest_router() -> Router:
    return Router(path="/api/co", route_handlers=CONTROLLERS, dependencies=DEPENDENCIES)
