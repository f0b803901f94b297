"""SQL for the in-app notification list and its read state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Notification
from db.repositories._core import add_row, counted_page


async def add(session: AsyncSession, notification: Notification) -> Notification:
    return await add_row(session, notification, reread=True)


async def page(
    session: AsyncSession,
    owner_id: int,
    *,
    unread_only: bool,
    types: Sequence[str],
    since: datetime | None,
    offset: int,
    limit: int,
) -> tuple[list[Notification], int]:
    """Newest first (created_at DESC, id DESC), and the number matching the filters."""
    conditions = [col(Notification.owner_id) == owner_id]
    if unread_only:
        conditions.append(col(Notification.is_read).is_(False))
    if types:
        conditions.append(_type_filter(types))
    if since is not None:
        conditions.append(col(Notification.created_at) > since)
    return await counted_page(
        session,
        Notification,
        conditions,
        [col(Notification.created_at).desc(), col(Notification.id).desc()],
        offset=offset,
        limit=limit,
        empty_first_page_is_empty=limit > 0,
    )


def _type_filter(types: Sequence[str]) -> ColumnElement[bool]:
    """`booking` matches `booking` and every `booking.*` type; a full type matches itself."""
    clauses: list[ColumnElement[bool]] = []
    for t in types:
        clauses.append(col(Notification.type) == t)
        clauses.append(col(Notification.type).startswith(t + "."))
    return or_(*clauses)


async def unread_count(session: AsyncSession, owner_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(Notification)
        .where(
            Notification.owner_id == owner_id,
            col(Notification.is_read).is_(False),
        )
    )
    return int((await session.exec(stmt)).one())


async def get_owned(session: AsyncSession, owner_id: int, notification_id: int) -> Notification | None:
    stmt = select(Notification).where(Notification.id == notification_id, Notification.owner_id == owner_id)
    return (await session.exec(stmt)).first()


async def owned(session: AsyncSession, owner_id: int, ids: Sequence[int]) -> dict[int, Notification]:
    """The owner's notifications among `ids` (other owners' ids are left out); one statement."""
    if not ids:
        return {}
    stmt = select(Notification).where(Notification.owner_id == owner_id, col(Notification.id).in_(list(ids)))
    return {n.id or 0: n for n in (await session.exec(stmt)).all()}


async def mark_read(
    session: AsyncSession, owner_id: int, ids: Sequence[int] | None, now: datetime
) -> list[Notification]:
    """Mark the owner's unread notifications among `ids` (all of them when None) read; the rows changed."""
    stmt = update(Notification).where(col(Notification.owner_id) == owner_id, col(Notification.is_read).is_(False))
    if ids is not None:
        if not ids:
            return []
        stmt = stmt.where(col(Notification.id).in_(list(ids)))
    result = await session.exec(stmt.values(is_read=True, read_at=now).returning(Notification))
    return list(result.scalars().all())


async def mark_message_notifications_read(session: AsyncSession, owner_id: int, booking_id: int, now: datetime) -> int:
    """Unread `message.new` notifications of one thread become read (the owner has read the thread)."""
    stmt = (
        update(Notification)
        .where(
            col(Notification.owner_id) == owner_id,
            col(Notification.is_read).is_(False),
            col(Notification.type) == "message.new",
            col(Notification.data)["booking_id"].as_integer() == booking_id,
        )
        .values(is_read=True, read_at=now)
    )
    result = await session.exec(stmt)
    return int(result.rowcount or 0)
