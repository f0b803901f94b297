"""Per-request DataLoaders, one style for every area.

An area defines a class holding its loaders (constructed with the request's reader) and asks the context for
its per-request instance: `info.context.loaders.get(WorkshopLoaders)`. A loader's batch function is one domain
query for all keys requested in one tick, run on the request's read session, so statement counts do not grow
with list size.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import TypeVar, cast

from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from app.domain.uow import UnitOfWork
from graphql_api.reading import RequestReader

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Loaders:
    def __init__(self, reader: RequestReader) -> None:
        self.reader = reader
        self._groups: dict[Callable[[RequestReader], object], object] = {}

    def get(self, group: Callable[[RequestReader], T]) -> T:
        """The request's one instance of `group` (a class constructed with the reader), made on first use."""
        if group not in self._groups:
            self._groups[group] = group(self.reader)
        return cast(T, self._groups[group])


def batch_loader(
    reader: RequestReader,
    fetch: Callable[[AsyncSession, list[K]], Awaitable[Mapping[K, V]]],
    missing: Callable[[], V],
) -> DataLoader[K, V]:
    """A loader whose batch is one domain query (`fetch`, by key) on the request's read session; `missing()`
    answers the keys the query did not find."""

    async def fetch_in(uow: UnitOfWork, keys: list[K]) -> Mapping[K, V]:
        return await fetch(uow.session, keys)

    async def load(keys: list[K]) -> list[V]:
        found = await reader.run(fetch_in, keys)
        return [found[key] if key in found else missing() for key in keys]

    return DataLoader(load_fn=load, cache=reader.caches)


def none() -> None:
    """`missing` of the loaders of one optional value per key."""
    return None


def owner_batch_loader(
    reader: RequestReader,
    fetch: Callable[[UnitOfWork, int, list[int]], Awaitable[Mapping[int, V]]],
    missing: Callable[[], V],
) -> DataLoader[tuple[int, int], V]:
    """A loader keyed by (owner_id, id) whose batch is the owner-checked domain query `fetch(uow, owner_id, ids)`,
    once per owner in the batch (a request has one caller, so one statement)."""

    async def load(keys: list[tuple[int, int]]) -> list[V]:
        found: dict[tuple[int, int], V] = {}
        for owner_id in dict.fromkeys(owner for owner, _ in keys):
            ids = [key for owner, key in keys if owner == owner_id]
            for key, value in (await reader.run(fetch, owner_id, ids)).items():
                found[(owner_id, key)] = value
        return [found[key] if key in found else missing() for key in keys]

    return DataLoader(load_fn=load, cache=reader.caches)
