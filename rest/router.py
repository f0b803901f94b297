"""The /api/co router: every legacy controller, with the shared dependencies.

Each module in `rest.controllers` lists its controllers in `CONTROLLERS`.
"""

from __future__ import annotations

from litestar import Router

from app.discovery import modules_of
from rest.boundary import check_input
from rest.deps import DEPENDENCIES


def rest_controllers() -> list[type]:
    return [
        controller for module in modules_of("rest.controllers") for controller in getattr(module, "CONTROLLERS", [])
    ]


def build_rest_router() -> Router:
    return Router(
        path="/api/co", route_handlers=rest_controllers(), dependencies=DEPENDENCIES, before_request=check_input
    )


def build_media_router() -> Router:
    """Uploaded files are also served at /media/ (the documented place), beside /api/co/media/."""
    from rest.controllers.media import MediaController

    return Router(path="/", route_handlers=[MediaController], dependencies=DEPENDENCIES, before_request=check_input)
