"""Parts of several workshops at once, for batch loaders: one statement per part, whatever the number of
workshops asked for. Each answer has an entry (maybe empty) for every organisation number given."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel.ext.asyncio.session import AsyncSession

from db.repositories import marketplace as repo

# The repository's batch reads under the names the loaders use; each is already typed by its read model.
services_of = repo.services_for  # active services, cheapest first
categories_of = repo.workshop_categories_for
opening_hours_of = repo.opening_hours_for
public_ratings_of = repo.public_ratings_for  # the newest public ratings (never the private ones)
addresses_of = repo.addresses_for  # the primary address first
contacts_of = repo.contacts_for


async def favourites_among(session: AsyncSession, owner_id: int, org_nrs: Iterable[str]) -> set[str]:
    """The organisation numbers among `org_nrs` that the owner has as favourites."""
    return await repo.favourite_set(session, owner_id, org_nrs)
