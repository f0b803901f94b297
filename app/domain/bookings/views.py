"""Turning booking rows into the documented result shapes, with a fixed number of statements per list."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Set
from datetime import UTC, datetime
from typing import Any, overload

from sqlmodel.ext.asyncio.session import AsyncSession

from app.domain.bookings.policy import is_changeable
from app.domain.bookings.results import (
    BookingGroup,
    BookingLine,
    BookingWarning,
    ChangeRequestItem,
    GroupSummary,
    RatingItem,
    TimeWindow,
)
from app.domain.bookings.states import ACTIVE, COMPLETED
from app.domain.bookings.times import local_text
from app.values import utc_now
from db.models import Booking, BookingChangeRequest, CarOwner, Workshop
from db.repositories import bookings as repo


def parse_expand(expand: str | None) -> set[str]:
    tokens = {t.strip().lower() for t in (expand or "").split(",") if t.strip()}
    out: set[str] = set()
    if tokens & {"co", "carowner"}:
        out.add("co")
    if tokens & {"ws", "workshop"}:
        out.add("ws")
    return out


@overload
def t(value: datetime) -> datetime: ...
@overload
def t(value: datetime | None) -> datetime | None: ...
def t(value: datetime | None) -> datetime | None:
    """UTC, whole seconds (as the reference writes timestamps)."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(microsecond=0)


# the workshop as `expand=ws` shows it: these columns as they are stored, in this order
_WORKSHOP_FIELDS = ("org_nr", "name", "phone", "mobile", "email", "homepage", "logo", "average_rating", "total_reviews")


def _workshop_dict(w: Workshop) -> dict[str, Any]:
    return {name: getattr(w, name) for name in _WORKSHOP_FIELDS}


def _owner_dict(o: CarOwner) -> dict[str, Any]:
    return {
        "uid": o.uid,
        "email": o.email,
        "firstName": o.first_name,
        "lastName": o.last_name,
        "phone_number": o.phone_number,
        "address": o.address,
    }


class LineContext:
    """Everything needed to render a set of lines, loaded with one statement per kind."""

    def __init__(
        self,
        statuses: dict[str, str],
        workshops: dict[str, Workshop],
        unread: dict[int, int],
        owners: dict[int, CarOwner],
        now: datetime,
    ) -> None:
        self.statuses = statuses
        self.workshops = workshops
        self.unread = unread
        self.owners = owners
        self.now = now

    @classmethod
    async def load(cls, session: AsyncSession, rows: list[Booking], expand: Set[str] = frozenset()) -> LineContext:
        statuses = await repo.status_names(session)
        workshops = await repo.workshops_by_org(session, (r.workshop_org_nr for r in rows))
        unread = await repo.unread_counts(session, (r.id for r in rows if r.id is not None))
        owners = await repo.owners_by_id(session, (r.owner_id for r in rows)) if "co" in expand else {}
        return cls(statuses, workshops, unread, owners, utc_now())


def legacy_unread(messages: list[Any] | None) -> int:
    """Workshop messages of the legacy JSON thread on the booking that the owner has not read."""
    count = 0
    for item in messages or []:
        if not isinstance(item, dict):
            continue
        sender = str(item.get("sender_type") or item.get("sender_role") or item.get("from") or "").lower()
        read = bool(item["is_read"]) if "is_read" in item else not bool(item.get("unread", True))
        if sender == "workshop" and not read:
            count += 1
    return count


def line(row: Booking, ctx: LineContext, expand: Set[str] = frozenset()) -> BookingLine:
    assert row.id is not None
    workshop = ctx.workshops.get(row.workshop_org_nr)
    changeable = is_changeable(row, ctx.now)
    end = row.service_actual_end_time or row.service_estimated_end_time
    return BookingLine(
        id=row.id,
        group_id=row.group_id,
        workshop_org_nr=row.workshop_org_nr,
        service_id=row.service_id,
        service_title=row.service_title,
        service_description=row.service_description,
        service_price=float(row.service_price),
        service_start_time=t(row.service_start_time),
        service_estimated_end_time=t(row.service_estimated_end_time),
        service_actual_end_time=t(row.service_actual_end_time),
        registration_number=row.registration_number,
        attachments=list(row.attachments or []),
        status=row.status,
        status_display=ctx.statuses.get(row.status, row.status),
        verify_booked=row.verify_booked,
        verify_canceled=row.verify_canceled,
        verify_service_done=row.verify_service_done,
        cancel_request=row.cancel_request,
        messages=list(row.messages or []),
        unread_count=ctx.unread.get(row.id, 0) + legacy_unread(row.messages),
        time_window=TimeWindow(
            start=t(row.service_start_time),
            end=t(end),
            local_start=local_text(row.service_start_time),
            local_end=local_text(end),
        ),
        can_reschedule=changeable,
        can_request_cancel=changeable and not row.cancel_request,
        rating_allowed=row.status == COMPLETED,
        service_rating=row.service_rating,
        service_rating_message=row.service_rating_message,
        private_service_rating=row.private_service_rating,
        workshop_name=workshop.name if workshop else None,
        service_estimated_hours=float(row.service_estimated_hours),
        carowner=_owner_dict(ctx.owners[row.owner_id]) if "co" in expand and row.owner_id in ctx.owners else None,
        workshop=_workshop_dict(workshop) if "ws" in expand and workshop else None,
    )


async def lines(session: AsyncSession, rows: list[Booking], expand: Set[str] = frozenset()) -> list[BookingLine]:
    ctx = await LineContext.load(session, rows, expand)
    return [line(r, ctx, expand) for r in rows]


def group_warnings(items: list[BookingLine]) -> list[BookingWarning]:
    """Warnings a stored group still carries: a pending cancellation, or a line already past its start."""
    warnings: list[BookingWarning] = []
    now = utc_now()
    for item in items:
        if item.cancel_request:
            warnings.append(
                BookingWarning(
                    code="CANCEL_REQUEST_PENDING",
                    detail="A cancellation request awaits the workshop's answer.",
                    meta={"booking_id": item.id},
                )
            )
        if item.status in ACTIVE and item.status != "IN_PROGRESS" and item.service_start_time <= now:
            warnings.append(
                BookingWarning(
                    code="START_TIME_PASSED",
                    detail="The start time has passed without the service being started.",
                    meta={"booking_id": item.id},
                )
            )
    return warnings


def summarise(items: list[BookingLine]) -> GroupSummary:
    counts = Counter(i.status for i in items)
    if len(counts) == 1:
        overall = next(iter(counts))
    elif not counts:
        overall = "EMPTY"
    else:
        overall = "MIXED"
    starts = [i.service_start_time for i in items]
    ends = [e for e in (i.service_actual_end_time or i.service_estimated_end_time for i in items) if e is not None]
    first = items[0] if items else None
    return GroupSummary(
        count=len(items),
        total_price=round(sum(i.service_price for i in items), 2),
        currency="NOK",
        earliest_start=min(starts) if starts else None,
        latest_end=max(ends) if ends else None,
        workshop_org_nr=first.workshop_org_nr if first else None,
        workshop_name=first.workshop_name if first else None,
        registration_number=first.registration_number if first else None,
        status=overall,
        statuses=dict(counts),
    )


def group(items: list[BookingLine], warnings: list[BookingWarning] | None = None) -> list[BookingGroup]:
    """Lines grouped by `group_id`, groups in the order their first line appears."""
    by_group: dict[str, list[BookingLine]] = defaultdict(list)
    for item in items:
        by_group[item.group_id].append(item)
    groups = []
    for group_id, members in by_group.items():
        members.sort(key=lambda i: (i.service_start_time, i.id))
        groups.append(
            BookingGroup(
                group_id=group_id,
                items=members,
                summary=summarise(members),
                warnings=(warnings if warnings is not None else group_warnings(members)),
            )
        )
    return groups


def page_groups(page: list[BookingLine], whole: list[BookingLine]) -> list[BookingGroup]:
    """The groups of a page of lines, in the order their first line appears: each with its lines on the page,
    and the summary and warnings of all its lines (`whole`), so that a group split across pages adds up."""
    members: dict[str, list[BookingLine]] = defaultdict(list)
    for item in whole:
        members[item.group_id].append(item)
    groups = []
    for g in group(page):
        everything = sorted(members.get(g.group_id) or g.items, key=lambda i: (i.service_start_time, i.id))
        groups.append(
            BookingGroup(
                group_id=g.group_id, items=g.items, summary=summarise(everything), warnings=group_warnings(everything)
            )
        )
    return groups


def change_request_item(r: BookingChangeRequest, *, with_note: bool = False) -> ChangeRequestItem:
    assert r.id is not None
    item = ChangeRequestItem(
        id=r.id,
        booking_id=r.booking_id,
        group_id=r.group_id,
        request_type=r.request_type,
        status=r.status,
        reason=r.reason,
        requested_start_time=t(r.requested_start_time),
        created_at=t(r.created_at),
        resolved_at=t(r.resolved_at),
    )
    if with_note:
        item.resolution_note = r.resolution_note
    return item


def rating_item(row: Booking, workshop_name: str | None) -> RatingItem:
    assert row.id is not None
    return RatingItem(
        booking_id=row.id,
        workshop_org_nr=row.workshop_org_nr,
        workshop_name=workshop_name,
        service_id=row.service_id,
        service_title=row.service_title,
        registration_number=row.registration_number,
        status=row.status,
        service_start_time=t(row.service_start_time),
        service_estimated_end_time=t(row.service_estimated_end_time),
        service_actual_end_time=t(row.service_actual_end_time),
        service_rating=row.service_rating,
        service_rating_message=row.service_rating_message,
        private_service_rating=row.private_service_rating,
        rated_at=t(row.rated_at),
    )


def realtime_payload(row: Booking, status_display: str) -> dict[str, Any]:
    return {
        "booking_id": row.id,
        "group_id": row.group_id,
        "status": row.status,
        "status_display": status_display,
        "service_start_time": (t(row.service_start_time) or row.service_start_time).isoformat().replace("+00:00", "Z"),
        "updated_at": (t(row.updated_at) or row.updated_at).isoformat().replace("+00:00", "Z"),
    }
