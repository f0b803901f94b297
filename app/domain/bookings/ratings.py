"""Ratings of completed bookings: create or update, list the owner's, keep the workshop's average."""

from __future__ import annotations

import logging

from app.domain.bookings import views
from app.domain.bookings.inputs import optional_text
from app.domain.bookings.queries import owned_booking
from app.domain.bookings.results import RatingItem, RatingsList
from app.domain.bookings.states import COMPLETED
from app.domain.bookings.times import now_utc
from app.domain.marketplace.cache import invalidate_marketplace
from app.domain.uow import UnitOfWork
from app.errors import Conflict, ValidationFailed
from db.repositories import bookings as repo

log = logging.getLogger(__name__)


def _score(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationFailed(
            "service_rating must be a number from 0 to 5.",
            code="INVALID_RATING",
            fields={"service_rating": "required" if value is None else "invalid_type"},
        )
    score = float(value)
    if not 0 <= score <= 5:
        raise ValidationFailed(
            "service_rating must be between 0 and 5.", code="INVALID_RATING", fields={"service_rating": "out_of_range"}
        )
    return score


async def rate(
    uow: UnitOfWork,
    owner_id: int,
    booking_id: int,
    *,
    service_rating: object,
    service_rating_message: object = None,
    private_service_rating: object = None,
) -> RatingItem:
    score = _score(service_rating)
    message = optional_text(service_rating_message, "service_rating_message", limit=2000)
    if private_service_rating is not None and not isinstance(private_service_rating, bool):
        raise ValidationFailed(
            "private_service_rating must be true or false.", fields={"private_service_rating": "invalid_type"}
        )
    row = await owned_booking(uow, owner_id, booking_id, for_update=True)
    if row.status != COMPLETED:
        raise Conflict(
            f"Booking {booking_id} is {row.status}; only completed bookings can be rated.",
            code="RATING_NOT_ALLOWED",
            fields={"booking_id": "not_completed"},
        )
    now = now_utc()
    row.service_rating = score
    row.service_rating_message = message
    row.private_service_rating = bool(private_service_rating)
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
    rows = await repo.rated_bookings(uow.session, owner_id)
    workshops = await repo.workshops_by_org(uow.session, (r.workshop_org_nr for r in rows))
    items = [
        views.rating_item(r, workshops[r.workshop_org_nr].name if r.workshop_org_nr in workshops else None)
        for r in rows
    ]
    return RatingsList(total=len(items), items=items)
