"""A caller's favourites for the overlay on cached answers (the REST branch's module of the same name keeps
them in process; this one reads them)."""

from __future__ import annotations

from collections.abc import Iterable

from app.domain.uow import UnitOfWork
from db.repositories import marketplace as repo


async def favourites_among(uow: UnitOfWork, owner_id: int, org_nrs: Iterable[str]) -> set[str]:
    """The organisation numbers among `org_nrs` that the owner has as favourites."""
    return await repo.favourite_set(uow.session, owner_id, org_nrs)
