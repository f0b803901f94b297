"""Per-request DataLoaders. Each area adds its loaders here as attributes built from the services.

A loader's batch function runs one SQL statement for all the keys requested in one tick, so a
request's statement count does not grow with list size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.services import Services


class Loaders:
    def __init__(self, services: Services) -> None:
        self.services = services
