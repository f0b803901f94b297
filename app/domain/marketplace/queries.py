"""Parts of several workshops at once, for batch loaders: one statement per part, whatever the number of
workshops asked for. Each answer has an entry (maybe empty) for every organisation number given."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from app.domain.marketplace.results import Address, CategoryRef, Contact, OpeningHour, PublicRating, ServiceItem
from db.repositories import marketplace as repo


async def services_of(session: AsyncSession, org_nrs: Sequence[str]) -> dict[str, list[ServiceItem]]:
    """Active services, cheapest first."""
    return await repo.services_for(session, org_nrs)


async def categories_of(session: AsyncSession, org_nrs: Sequence[str]) -> dict[str, list[CategoryRef]]:
    return await repo.workshop_categories_for(session, org_nrs)


async def opening_hours_of(session: AsyncSession, org_nrs: Sequence[str]) -> dict[str, list[OpeningHour]]:
    return await repo.opening_hours_for(session, org_nrs)


async def public_ratings_of(session: AsyncSession, org_nrs: Sequence[str]) -> dict[str, list[PublicRating]]:
    """The newest public ratings (never the private ones)."""
    return await repo.public_ratings_for(session, org_nrs)


async def addresses_of(session: AsyncSession, org_nrs: Sequence[str]) -> dict[str, list[Address]]:
    """Addresses, the primary one first."""
    return await repo.addresses_for(session, org_nrs)


async def contacts_of(session: AsyncSession, org_nrs: Sequence[str]) -> dict[str, list[Contact]]:
    return await repo.contacts_for(session, org_nrs)


async def favourites_among(session: AsyncSession, owner_id: int, org_nrs: Iterable[str]) -> set[str]:
    """The organisation numbers among `org_nrs` that the owner has as favourites."""
    return await repo.favourite_set(session, owner_id, org_nrs)
