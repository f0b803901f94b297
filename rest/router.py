"""The /api/co router: every legacy controller, with the shared dependencies.

Each module in `rest.controllers` lists its controllers in `CONTROLLERS`; a new module is added to
`AREAS` by hand (the order is the order of the OpenAPI document's paths).
"""

from __future__ import annotations

from types import ModuleType

from litestar import Router

from rest.boundary import check_input
from rest.controllers import (
    auth,
    bookings,
    marketplace,
    media,
    messages,
    notifications,
    payments,
    presence,
    profile,
    realtime,
    service_log,
    settings,
    vehicles,
)
from rest.deps import DEPENDENCIES

AREAS: tuple[ModuleType, ...] = (
    auth,
    bookings,
    marketplace,
    media,
    messages,
    notifications,
    payments,
    presence,
    profile,
    realtime,
    service_log,
    settings,
    vehicles,
)


def rest_controllers() -> list[type]:
    return [controller for area in AREAS for controller in area.CONTROLLERS]


def build_rest_router() -> Router:
    return Router(
        path="/api/co", route_handlers=rest_controllers(), dependencies=DEPENDENCIES, before_request=check_input
    )


def build_media_router() -> Router:
    """Uploaded files are also served at /media/ (the documented place), beside /api/co/media/."""
    return Router(path="/", route_handlers=media.CONTROLLERS, dependencies=DEPENDENCIES, before_request=check_input)
