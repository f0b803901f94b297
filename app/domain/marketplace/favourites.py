"""A caller's favourites for the overlay on cached answers: through the in-process sets of
`app.domain.marketplace.favourite_sets`, kept coherent by `favourites_changed`."""

from __future__ import annotations

import weakref
from collections.abc import Iterable

from app.domain.uow import DomainServices, UnitOfWork
from db.repositories import marketplace as repo

# the owners whose favourites a unit of work changed: it reads them in its own transaction
_touched: weakref.WeakKeyDictionary[UnitOfWork, set[int]] = weakref.WeakKeyDictionary()


async def owner_favourites(services: DomainServices, owner_id: int) -> frozenset[str]:
    """Every organisation number the owner has as a favourite (from this process for up to `ttl_s`)."""

    async def load() -> set[str]:
        async with services.sessionmaker() as session:
            return await repo.favourite_org_nrs(session, owner_id)

    return await services.marketplace_cache.favourites.of(owner_id, load)


async def favourites_among(uow: UnitOfWork, owner_id: int, org_nrs: Iterable[str]) -> set[str]:
    """The organisation numbers among `org_nrs` that the owner has as favourites. Within a unit of work that
    changed the owner's favourites, its own (uncommitted) view."""
    if owner_id in _touched.get(uow, ()):
        return await repo.favourite_set(uow.session, owner_id, org_nrs)
    mine = await owner_favourites(uow.services, owner_id)
    return {o for o in org_nrs if o in mine}


def favourites_changed(uow: UnitOfWork, owner_id: int) -> None:
    """Call when the unit of work changes the owner's favourites: every instance forgets its set once committed."""
    _touched.setdefault(uow, set()).add(owner_id)
    sets = uow.services.marketplace_cache.favourites
    uow.after_commit(lambda: sets.changed(owner_id))
