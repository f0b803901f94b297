"""Per-request DataLoaders.

An area defines a class holding its loaders (constructed with the services) and asks the context for
its per-request instance: `info.context.loaders.get(WorkshopLoaders)`. A loader's batch function runs
one SQL statement for all keys requested in one tick, so statement counts do not grow with list size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from app.services import Services

T = TypeVar("T")


class Loaders:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._groups: dict[type, Any] = {}

    def get(self, group: type[T]) -> T:
        instance = self._groups.get(group)
        if instance is None:
            instance = self._groups[group] = group(self.services)  # type: ignore[call-arg]
        return instance  # type: ignore[no-any-return]
