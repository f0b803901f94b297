"""Per-request DataLoaders.

An area defines a class holding its loaders (constructed with the services) and asks the context for
its per-request instance: `info.context.loaders.get(WorkshopLoaders)`. A loader's batch function runs
one SQL statement for all keys requested in one tick, so statement counts do not grow with list size.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import TypeVar, cast

from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from app.services import Services

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Loaders:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._groups: dict[Callable[[Services], object], object] = {}

    def get(self, group: Callable[[Services], T]) -> T:
        """The request's one instance of `group` (a class constructed with the services), made on first use."""
        if group not in self._groups:
            self._groups[group] = group(self.services)
        return cast(T, self._groups[group])


def batch_loader(
    services: Services,
    fetch: Callable[[AsyncSession, list[K]], Awaitable[Mapping[K, V]]],
    missing: Callable[[], V],
) -> DataLoader[K, V]:
    """A loader whose batch is one domain query (`fetch`, by key) in its own session; `missing()` answers
    the keys the query did not find. Loaders read outside the transaction of any mutation."""

    async def load(keys: list[K]) -> list[V]:
        async with services.sessionmaker() as session:
            found = await fetch(session, keys)
        return [found[key] if key in found else missing() for key in keys]

    return DataLoader(load_fn=load)


def none() -> None:
    """`missing` of the loaders of one optional value per key."""
    return None
