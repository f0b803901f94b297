"""Ratings of completed bookings: create or update, list the owner's, keep the workshop's average."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from app.domain.bookings import views
from app.domain.bookings.commands import RateBooking
from app.domain.bookings.queries import owned_booking
from app.domain.bookings.results import RatingItem, RatingsList
from app.domain.bookings.states import COMPLETED
from app.domain.marketplace.cache import invalidate_marketplace
from app.domain.uow import UnitOfWork
from app.errors import Conflict
from app.values import utc_now
from db.models import Booking
from db.repositories import bookings as repo

log = logging.getLogger(__name__)


async def rate(uow: UnitOfWork, owner_id: int, command: RateBooking) -> RatingItem:
    booking_id = command.booking_id
    row = await owned_booking(uow, owner_id, booking_id, for_update=True)
    if row.status != COMPLETED:
        raise Conflict(
            f"Booking {booking_id} is {row.status}; only completed bookings can be rated.",
            code="RATING_NOT_ALLOWED",
            fields={"booking_id": "not_completed"},
        )
    now = utc_now()
    row.service_rating = command.score
    row.service_rating_message = command.message
    row.private_service_rating = command.private
    row.rated_at = now
    await repo.touch(uow.session, row, now)
    await repo.recompute_workshop_rating(uow.session, row.workshop_org_nr, now)
    _invalidate_marketplace_after_commit(uow)
    workshops = await repo.workshops_by_org(uow.session, [row.workshop_org_nr])
    workshop = workshops.get(row.workshop_org_nr)
    return views.rating_item(row, workshop.name if workshop else None)


def _invalidate_marketplace_after_commit(uow: UnitOfWork) -> None:
    services = uow.services

    async def invalidate() -> None:
        await invalidate_marketplace(services)

    uow.after_commit(invalidate)


async def my_ratings(uow: UnitOfWork, owner_id: int) -> RatingsList:
    items = await _items(uow, await repo.rated_bookings(uow.session, owner_id))
    return RatingsList(total=len(items), items=items)


async def count_ratings(uow: UnitOfWork, owner_id: int) -> int:
    return await repo.count_rated_bookings(uow.session, owner_id)


async def rating_window(uow: UnitOfWork, owner_id: int, *, offset: int, limit: int) -> list[RatingItem]:
    """Positions [offset, offset + limit) of the owner's ratings, newest first."""
    if limit <= 0:
        return []
    rows = await repo.rated_bookings(uow.session, owner_id, offset=offset, limit=limit)
    return await _items(uow, rows)


async def ratings_by_id(uow: UnitOfWork, owner_id: int, booking_ids: Sequence[int]) -> dict[int, RatingItem]:
    """The ratings of the owner's rated lines among `booking_ids` (a rating's key is its line's id)."""
    rows = await repo.owner_rated_bookings_by_ids(uow.session, owner_id, booking_ids)
    return {item.booking_id: item for item in await _items(uow, rows)}


async def _items(uow: UnitOfWork, rows: list[Booking]) -> list[RatingItem]:
    workshops = await repo.workshops_by_org(uow.session, (r.workshop_org_nr for r in rows))
    return [
        views.rating_item(r, workshops[r.workshop_org_nr].name if r.workshop_org_nr in workshops else None)
        for r in rows
    ]
