"""Per-request DataLoaders.

An area defines a class holding its loaders (constructed with the services) and asks the context for
its per-request instance: `info.context.loaders.get(WorkshopLoaders)`. A loader's batch function runs
one SQL statement for all keys requested in one tick, so statement counts do not grow with list size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from app.services import Services

T = TypeVar("T")


class Loaders:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._groups: dict[Callable[[Services], object], object] = {}

    def get(self, group: Callable[[Services], T]) -> T:
        """The request's one instance of `group` (a class constructed with the services), made on first use."""
        if group not in self._groups:
            self._groups[group] = group(self.services)
        return cast(T, self._groups[group])
