"""Parts of several workshops at once, for batch loaders: one statement per part, whatever the number of
workshops asked for. Each answer has an entry (maybe empty) for every organisation number given."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from app.domain.uow import UnitOfWork
from app.values import is_valid_org_nr
from db.read_models.marketplace import (
    CarBrandItem,
    ServiceCategoryItem,
    ServiceItem,
    WorkshopCategoryItem,
    WorkshopSummary,
)
from db.repositories import marketplace as repo

# The repository's batch reads under the names the loaders use; each is already typed by its read model.
services_of = repo.services_for  # active services, cheapest first
categories_of = repo.workshop_categories_for
opening_hours_of = repo.opening_hours_for
public_ratings_of = repo.public_ratings_for  # the newest public ratings (never the private ones)
MAX_PUBLIC_REVIEWS = repo.PUBLIC_RATINGS_LIMIT  # how many of them a workshop shows
addresses_of = repo.addresses_for  # the primary address first
contacts_of = repo.contacts_for


async def favourites_among(session: AsyncSession, owner_id: int, org_nrs: Iterable[str]) -> set[str]:
    """The organisation numbers among `org_nrs` that the owner has as favourites."""
    return await repo.favourite_set(session, owner_id, org_nrs)


summaries_of = repo.summaries_for  # search rows (the workshop card) of given workshops, active ones only
workshop_category_items_of = repo.workshop_category_items_for  # whole category rows, for typed category objects


async def favourite_flags(session: AsyncSession, keys: Sequence[tuple[int, str]]) -> dict[tuple[int, str], bool]:
    """Which `(owner_id, org_nr)` pairs are favourites: one statement per owner among the keys (a request has one)."""
    by_owner: dict[int, list[str]] = {}
    for owner_id, org_nr in keys:
        by_owner.setdefault(owner_id, []).append(org_nr)
    flags: dict[tuple[int, str], bool] = {}
    for owner_id, org_nrs in by_owner.items():
        found = await repo.favourite_set(session, owner_id, org_nrs)
        flags.update({(owner_id, org_nr): org_nr in found for org_nr in org_nrs})
    return flags


# --- lookups by id (global object identification): one statement per type -----------------------------


async def workshops_by_org_nr(uow: UnitOfWork, org_nrs: Sequence[str]) -> Mapping[str, WorkshopSummary]:
    """Active workshops among `org_nrs` (numbers that cannot be organisation numbers are simply not found)."""
    wanted = [o for o in dict.fromkeys(org_nrs) if is_valid_org_nr(o)]
    return await repo.summaries_for(uow.session, wanted) if wanted else {}


async def services_by_id(uow: UnitOfWork, ids: Sequence[int]) -> Mapping[int, ServiceItem]:
    return await repo.services_by_id(uow.session, ids)


async def workshop_categories_by_id(session: AsyncSession, ids: Sequence[int]) -> Mapping[int, WorkshopCategoryItem]:
    """Workshop categories by id, inactive ones included (a link may still name one)."""
    rows = await repo.workshop_categories(session, ids=ids, include_inactive=True)
    return {c.id: c for c in rows}


async def service_categories_by_id(session: AsyncSession, ids: Sequence[int]) -> Mapping[int, ServiceCategoryItem]:
    """Service categories by id, inactive ones included (a link or a parent may still name one)."""
    rows = await repo.service_categories(session, ids=ids, include_inactive=True)
    return {c.id: c for c in rows}


async def car_brands_by_id(uow: UnitOfWork, ids: Sequence[int]) -> Mapping[int, CarBrandItem]:
    return await repo.car_brands_by_id(uow.session, ids)
