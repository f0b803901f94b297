"""SQL for payments: intents, the booking groups they pay for, and processed webhook events."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy
from sqlalchemy import func, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Booking, Payment, ProcessedWebhookEvent
from db.repositories._core import add_row, run

UNPAYABLE_LINE_STATUSES = ("CANCELLED", "DECLINED")


class GroupLine:
    """The fields of one booking line that payments need."""

    __slots__ = ("booking_id", "group_id", "owner_id", "paid_at", "price", "status", "title", "workshop_org_nr")

    def __init__(self, row: Any) -> None:
        self.booking_id: int = row.id
        self.group_id: str = row.group_id
        self.owner_id: int = row.owner_id
        self.price: Decimal = row.service_price
        self.status: str = row.status
        self.paid_at: datetime | None = row.paid_at
        self.title: str = row.service_title
        self.workshop_org_nr: str = row.workshop_org_nr


# eight columns: past the four that SQLModel's `select` types, so these statements go through `run`
_LINE_COLUMNS = (
    col(Booking.id),
    col(Booking.group_id),
    col(Booking.owner_id),
    col(Booking.service_price),
    col(Booking.status),
    col(Booking.paid_at),
    col(Booking.service_title),
    col(Booking.workshop_org_nr),
)


async def group_of_booking(session: AsyncSession, booking_id: int, owner_id: int) -> str | None:
    """The group id of the caller's booking line, or None when it is not theirs."""
    stmt = select(Booking.group_id).where(Booking.id == booking_id, Booking.owner_id == owner_id)
    return (await session.exec(stmt)).first()


async def group_lines(session: AsyncSession, group_id: str, owner_id: int) -> list[GroupLine]:
    """Every line of the caller's booking group, by id (empty when the group is not theirs)."""
    stmt = (
        sqlalchemy.select(*_LINE_COLUMNS)
        .where(col(Booking.group_id) == group_id, col(Booking.owner_id) == owner_id)
        .order_by(col(Booking.id))
    )
    rows = (await run(session, stmt)).all()
    return [GroupLine(row) for row in rows]


async def lock_group(session: AsyncSession, group_id: str) -> None:
    """Serialise intent creation for one booking group until the transaction ends."""
    await run(
        session, text("select pg_advisory_xact_lock(hashtextextended(:key, 0))").bindparams(key=f"payments:{group_id}")
    )


async def open_payment_for_group(session: AsyncSession, group_id: str) -> Payment | None:
    stmt = select(Payment).where(Payment.group_id == group_id, col(Payment.status).not_in(("canceled", "succeeded")))
    return (await session.exec(stmt)).first()


async def succeeded_payment_for_group(session: AsyncSession, group_id: str) -> Payment | None:
    stmt = (
        select(Payment)
        .where(Payment.group_id == group_id, Payment.status == "succeeded")
        .order_by(col(Payment.created_at).desc())
    )
    return (await session.exec(stmt)).first()


async def count_payments_for_group(session: AsyncSession, group_id: str) -> int:
    stmt = select(func.count()).select_from(Payment).where(Payment.group_id == group_id)
    return int((await session.exec(stmt)).one())


async def add_payment(session: AsyncSession, payment: Payment) -> Payment:
    return await add_row(session, payment)


async def get_payment(
    session: AsyncSession, payment_id: str, *, owner_id: int | None = None, for_update: bool = False
) -> Payment | None:
    stmt = select(Payment).where(Payment.id == payment_id)
    if owner_id is not None:
        stmt = stmt.where(Payment.owner_id == owner_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def lock_payment_by_intent(session: AsyncSession, provider_intent_id: str) -> Payment | None:
    stmt = select(Payment).where(Payment.provider_intent_id == provider_intent_id).with_for_update()
    return (await session.exec(stmt)).first()


async def latest_payments_for_groups(session: AsyncSession, group_ids: list[str], owner_id: int) -> dict[str, Payment]:
    """Per group, the payment that matters: the succeeded one, else the open one, else the newest."""
    if not group_ids:
        return {}
    rank = (
        func.row_number()
        .over(
            partition_by=col(Payment.group_id),
            order_by=_preferred_first(),
        )
        .label("rank")
    )
    inner = (
        select(Payment.id, rank).where(col(Payment.group_id).in_(group_ids), Payment.owner_id == owner_id).subquery()
    )
    stmt = select(Payment).join(inner, inner.c.id == Payment.id).where(inner.c.rank == 1)
    rows = (await session.exec(stmt)).all()
    return {p.group_id: p for p in rows}


async def mark_group_paid(session: AsyncSession, group_id: str, paid_at: datetime) -> list[int]:
    """Set `paid_at` on the group's payable lines not yet marked; the ids changed."""
    stmt = (
        update(Booking)
        .where(
            col(Booking.group_id) == group_id,
            col(Booking.paid_at).is_(None),
            col(Booking.status).not_in(UNPAYABLE_LINE_STATUSES),
        )
        .values(paid_at=paid_at, updated_at=paid_at)
        .returning(col(Booking.id))
    )
    return [row[0] for row in (await session.exec(stmt)).all()]


async def record_webhook_event(
    session: AsyncSession, *, event_id: str, event_type: str, payload: dict[str, Any], provider: str = "stripe"
) -> bool:
    """Insert the event id; False when it was already there (a repeat). Concurrent repeats wait on the
    first insert's transaction, then see the conflict."""
    stmt = (
        insert(ProcessedWebhookEvent)
        .values(event_id=event_id, provider=provider, event_type=event_type, payload=payload)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(col(ProcessedWebhookEvent.event_id))
    )
    return (await session.exec(stmt)).first() is not None


def _preferred_first() -> tuple[Any, ...]:
    """The order of a group's payments, the one that matters first: succeeded, else open, else the newest."""
    return (
        (col(Payment.status) == "succeeded").desc(),
        col(Payment.status).not_in(("canceled", "succeeded")).desc(),
        col(Payment.created_at).desc(),
    )


async def _with_lines(session: AsyncSession, chosen: Any) -> list[tuple[Payment, list[GroupLine]]]:
    """The payments whose ids `chosen` (a subquery) selects, each with its group's lines, in one statement."""
    stmt = (
        sqlalchemy.select(Payment, *_LINE_COLUMNS)
        .outerjoin(
            Booking,
            sqlalchemy.and_(
                col(Booking.group_id) == col(Payment.group_id), col(Booking.owner_id) == col(Payment.owner_id)
            ),
        )
        .where(col(Payment.id).in_(chosen))
        .order_by(col(Payment.id), col(Booking.id))
    )
    found: dict[str, tuple[Payment, list[GroupLine]]] = {}
    for row in (await run(session, stmt)).all():
        payment = row[0]
        _, lines = found.setdefault(payment.id, (payment, []))
        if row.id is not None:
            lines.append(GroupLine(row))
    return list(found.values())


async def preferred_payments_of_groups(
    session: AsyncSession, keys: list[tuple[int, str]]
) -> list[tuple[Payment, list[GroupLine]]]:
    """For each (owner id, group id), the payment that matters (as `latest_payments_for_groups`) with its group's
    lines: one statement whatever the number of keys and owners."""
    if not keys:
        return []
    rank = func.row_number().over(
        partition_by=(col(Payment.owner_id), col(Payment.group_id)), order_by=_preferred_first()
    )
    ranked = (
        sqlalchemy.select(col(Payment.id), rank.label("rank"))
        .where(sqlalchemy.tuple_(col(Payment.owner_id), col(Payment.group_id)).in_(keys))
        .subquery()
    )
    return await _with_lines(session, sqlalchemy.select(ranked.c.id).where(ranked.c.rank == 1))


async def owned_payments_with_lines(
    session: AsyncSession, owner_id: int, payment_ids: list[str]
) -> list[tuple[Payment, list[GroupLine]]]:
    """The owner's payments among `payment_ids`, each with its group's lines, in one statement."""
    if not payment_ids:
        return []
    chosen = sqlalchemy.select(col(Payment.id)).where(
        col(Payment.id).in_(payment_ids), col(Payment.owner_id) == owner_id
    )
    return await _with_lines(session, chosen)
