"""Reading bookings: the owner's lines and groups, one line, statuses, change requests."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app.domain.bookings import views
from app.domain.bookings.results import (
    BookedService,
    BookedVehicle,
    BookedWorkshop,
    BookingGroup,
    BookingLine,
    ChangeRequestItem,
    LinePage,
    RatingItem,
    StatusItem,
)
from app.domain.bookings.states import require_status
from app.domain.uow import UnitOfWork
from app.errors import NotFound, ValidationFailed
from app.values import plate_text
from db.models import Booking
from db.repositories import bookings as repo

_UUID = re.compile(r"^[0-9a-fA-F-]{36}$")


def not_found(booking_id: object) -> NotFound:
    return NotFound(f"Booking {booking_id} was not found.", code="BOOKING_NOT_FOUND")


async def statuses(uow: UnitOfWork) -> list[StatusItem]:
    rows = await repo.list_statuses(uow.session)
    return [
        StatusItem(
            id=r.id or 0, code=r.code, display_name=r.display_name, sort_order=r.sort_order, is_active=r.is_active
        )
        for r in rows
    ]


async def owned_booking(uow: UnitOfWork, owner_id: int, booking_id: int, *, for_update: bool = False) -> Booking:
    """The owner's booking line; another owner's line is indistinguishable from a missing one (404)."""
    row = await repo.get_booking(uow.session, booking_id, for_update=for_update)
    if row is None or row.owner_id != owner_id:
        raise not_found(booking_id)
    return row


async def get_booking(uow: UnitOfWork, owner_id: int, booking_id: int, *, expand: str | None = None) -> BookingLine:
    row = await owned_booking(uow, owner_id, booking_id)
    tokens = views.parse_expand(expand)
    return (await views.lines(uow.session, [row], tokens))[0]


def parse_grouped(value: object) -> bool:
    if value is None or value == "":
        return True
    text = str(value).strip().lower()
    if text in {"1", "true", "yes"}:
        return True
    if text in {"0", "false", "no"}:
        return False
    raise ValidationFailed("grouped must be 1 or 0.", fields={"grouped": "invalid_boolean"})


def _status_codes(status: str | None) -> list[str] | None:
    """A comma-separated status filter as status codes (an unknown one is refused, naming `status`)."""
    return [require_status(s.strip()) for s in status.split(",") if s.strip()] if status else None


async def list_lines(
    uow: UnitOfWork, owner_id: int, *, expand: str | None = None, status: str | None = None
) -> list[BookingLine]:
    rows = await repo.list_owner_bookings(uow.session, owner_id, statuses=_status_codes(status))
    return await views.lines(uow.session, rows, views.parse_expand(expand))


async def page_of_lines(
    uow: UnitOfWork,
    owner_id: int,
    *,
    size: int,
    forward: bool = True,
    statuses: Sequence[str] | None = None,
    group_id: str | None = None,
    registration_number: str | None = None,
    after: tuple[datetime, int] | None = None,
    before: tuple[datetime, int] | None = None,
) -> LinePage:
    """A page of the owner's lines (newest start first) strictly between the keys `after` and `before`: the
    first `size` of that range (`forward`), or its last `size`; with their groups, each summarised over all
    its lines, also those on other pages or outside the filter. `has_more`: the range holds more lines beyond
    the page in the direction of travel. A fixed number of statements, whatever the page or group sizes."""
    codes = [require_status(s) for s in statuses] if statuses else None
    plate = plate_text(registration_number) if registration_number else None
    rows = await repo.list_owner_bookings(
        uow.session,
        owner_id,
        statuses=codes,
        group_id=group_id,
        registration_number=plate,
        after=after,
        before=before,
        limit=size + 1,
        newest_first=forward,
    )
    page_rows = rows[:size] if forward else list(reversed(rows[:size]))
    total = await repo.count_owner_bookings(
        uow.session, owner_id, statuses=codes, group_id=group_id, registration_number=plate
    )
    group_rows = await repo.lines_of_groups(uow.session, (r.group_id for r in page_rows), owner_id=owner_id)
    every_row = list({r.id: r for r in [*group_rows, *page_rows]}.values())
    by_id = {line.id: line for line in await views.lines(uow.session, every_row)}
    page = [by_id[r.id] for r in page_rows if r.id is not None]
    return LinePage(
        items=page,
        groups=views.page_groups(page, list(by_id.values())),
        has_more=len(rows) > size,
        total=total,
    )


async def lines_by_id(uow: UnitOfWork, owner_id: int, booking_ids: Sequence[int]) -> dict[int, BookingLine]:
    """The owner's lines among `booking_ids` (another owner's and missing ones left out)."""
    rows = await repo.owner_bookings_by_ids(uow.session, owner_id, booking_ids)
    return {line.id: line for line in await views.lines(uow.session, list(rows.values()))}


async def owned_lines_of(session: AsyncSession, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], BookingLine]:
    """Lines by `(owner_id, booking_id)`, for a loader: a line of another owner is left out."""
    wanted: dict[int, set[int]] = {}
    for owner_id, booking_id in keys:
        wanted.setdefault(owner_id, set()).add(booking_id)
    rows: list[Booking] = []
    for owner_id, ids in wanted.items():  # one owner per request in practice: one statement
        rows.extend((await repo.owner_bookings_by_ids(session, owner_id, ids)).values())
    return {(r.owner_id, line.id): line for r, line in zip(rows, await views.lines(session, rows), strict=True)}


async def groups_by_id(uow: UnitOfWork, owner_id: int, group_ids: Sequence[str]) -> dict[str, BookingGroup]:
    """The owner's booking groups among `group_ids`, each with all its lines (a key that cannot be a group id
    finds nothing)."""
    keys = [g for g in group_ids if _UUID.match(g)]
    rows = await repo.lines_of_groups(uow.session, keys, owner_id=owner_id)
    return {g.group_id: g for g in views.group(await views.lines(uow.session, rows))}


async def list_bookings(
    uow: UnitOfWork, owner_id: int, *, grouped: object = None, expand: str | None = None, status: str | None = None
) -> list[BookingGroup] | list[BookingLine]:
    as_groups = parse_grouped(grouped)
    items = await list_lines(uow, owner_id, expand=expand, status=status)
    return views.group(items) if as_groups else items


async def change_requests(
    uow: UnitOfWork, owner_id: int, *, status: str | None = None, booking_id: int | None = None
) -> list[ChangeRequestItem]:
    rows = await repo.change_requests_for_owner(uow.session, owner_id, status=status, booking_id=booking_id)
    return [views.change_request_item(r) for r in rows]


async def count_change_requests(uow: UnitOfWork, owner_id: int, *, status: str | None = None) -> int:
    return await repo.count_change_requests(uow.session, owner_id, status=status)


async def change_request_window(
    uow: UnitOfWork, owner_id: int, *, status: str | None = None, offset: int, limit: int
) -> list[ChangeRequestItem]:
    """Positions [offset, offset + limit) of the owner's change requests, newest first."""
    if limit <= 0:
        return []
    rows = await repo.change_requests_for_owner(uow.session, owner_id, status=status, offset=offset, limit=limit)
    return [views.change_request_item(r) for r in rows]


async def change_requests_by_id(
    uow: UnitOfWork, owner_id: int, request_ids: Sequence[int]
) -> dict[int, ChangeRequestItem]:
    """The owner's change requests among `request_ids` (another owner's and missing ones left out)."""
    rows = await repo.owner_change_requests_by_ids(uow.session, owner_id, request_ids)
    return {request_id: views.change_request_item(r) for request_id, r in rows.items()}


# What booking lines point at, for batch loaders: one statement per kind, whatever the number of lines.
# Sessions rather than units of work: a loader reads outside any mutation's transaction.


async def workshops_of(session: AsyncSession, org_nrs: Iterable[str]) -> dict[str, BookedWorkshop]:
    rows = await repo.workshops_by_org(session, org_nrs)
    return {
        org_nr: BookedWorkshop(
            org_nr=w.org_nr,
            name=w.name,
            phone=w.phone,
            email=w.email,
            average_rating=w.average_rating,
            total_reviews=w.total_reviews,
        )
        for org_nr, w in rows.items()
    }


async def services_of(session: AsyncSession, service_ids: Iterable[int]) -> dict[int, BookedService]:
    rows = await repo.services_by_id(session, service_ids)
    return {
        service_id: BookedService(
            id=service_id,
            title=s.title,
            description=s.description,
            price=float(s.price),
            estimated_time=float(s.estimated_time),
        )
        for service_id, s in rows.items()
    }


async def vehicles_of(session: AsyncSession, plates: Iterable[str]) -> dict[str, BookedVehicle]:
    rows = await repo.vehicles_by_plate(session, plates)
    return {
        plate: BookedVehicle(
            registration_number=v.registration_number, brand=v.brand, model=v.model, model_year=v.model_year
        )
        for plate, v in rows.items()
    }


async def change_requests_of(session: AsyncSession, booking_ids: Iterable[int]) -> dict[int, list[ChangeRequestItem]]:
    """Each line's change requests, newest first; lines without any are left out."""
    out: dict[int, list[ChangeRequestItem]] = {}
    for row in await repo.change_requests_for_bookings(session, booking_ids):
        out.setdefault(row.booking_id, []).append(views.change_request_item(row))
    return out


async def ratings_of(session: AsyncSession, booking_ids: Iterable[int]) -> dict[int, RatingItem]:
    """The ratings of the rated lines among `booking_ids`, with their workshop's name (two statements)."""
    rows = await repo.bookings_by_ids(session, booking_ids)
    workshops = await repo.workshops_by_org(session, (r.workshop_org_nr for r in rows.values()))
    out: dict[int, RatingItem] = {}
    for booking_id, row in rows.items():
        if row.service_rating is not None:
            workshop = workshops.get(row.workshop_org_nr)
            out[booking_id] = views.rating_item(row, workshop.name if workshop else None)
    return out
