"""SQL for the in-app notification list and its read state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Notification


async def add(session: AsyncSession, notification: Notification) -> Notification:
    session.add(notification)
    await session.flush()
    await session.refresh(notification)
    return notification


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
    conditions = [Notification.owner_id == owner_id]
    if unread_only:
        conditions.append(Notification.is_read.is_(False))  # type: ignore[attr-defined]
    if types:
        conditions.append(_type_filter(types))
    if since is not None:
        conditions.append(Notification.created_at > since)  # type: ignore[arg-type, operator]
    stmt = (
        select(Notification, func.count().over().label("total"))
        .where(*conditions)
        .order_by(Notification.created_at.desc(), Notification.id.desc())  # type: ignore[attr-defined, union-attr]
        .offset(offset)
        .limit(limit)
    )
    rows = (await session.exec(stmt)).all()  # type: ignore[call-overload]
    if rows:
        return [r[0] for r in rows], int(rows[0][1])
    if offset == 0:
        return [], 0
    count = select(func.count()).select_from(Notification).where(*conditions)
    return [], int((await session.exec(count)).scalar_one())  # type: ignore[call-overload]


def _type_filter(types: Sequence[str]):  # type: ignore[no-untyped-def]
    """`booking` matches `booking` and every `booking.*` type; a full type matches itself."""
    from sqlalchemy import or_

    clauses = []
    for t in types:
        clauses.append(Notification.type == t)
        clauses.append(Notification.type.startswith(t + "."))  # type: ignore[attr-defined]
    return or_(*clauses)


async def unread_count(session: AsyncSession, owner_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(Notification)
        .where(
            Notification.owner_id == owner_id,
            Notification.is_read.is_(False),  # type: ignore[attr-defined]
        )
    )
    return int((await session.exec(stmt)).scalar_one())  # type: ignore[call-overload]


async def get_owned(session: AsyncSession, owner_id: int, notification_id: int) -> Notification | None:
    stmt = select(Notification).where(Notification.id == notification_id, Notification.owner_id == owner_id)
    return (await session.exec(stmt)).scalars().first()  # type: ignore[call-overload, no-any-return]


async def mark_read(
    session: AsyncSession, owner_id: int, ids: Sequence[int] | None, now: datetime
) -> list[Notification]:
    """Mark the owner's unread notifications among `ids` (all of them when None) read; the rows changed."""
    stmt = update(Notification).where(Notification.owner_id == owner_id, Notification.is_read.is_(False))  # type: ignore[attr-defined]
    if ids is not None:
        if not ids:
            return []
        stmt = stmt.where(Notification.id.in_(list(ids)))  # type: ignore[union-attr]
    stmt = stmt.values(is_read=True, read_at=now).returning(Notification)
    result = await session.exec(stmt)  # type: ignore[call-overload]
    return list(result.scalars().all())


async def mark_message_notifications_read(session: AsyncSession, owner_id: int, booking_id: int, now: datetime) -> int:
    """Unread `message.new` notifications of one thread become read (the owner has read the thread)."""
    stmt = (
        update(Notification)
        .where(
            Notification.owner_id == owner_id,
            Notification.is_read.is_(False),  # type: ignore[attr-defined]
            Notification.type == "message.new",
            Notification.data["booking_id"].as_integer() == booking_id,  # type: ignore[index]
        )
        .values(is_read=True, read_at=now)
    )
    result = await session.exec(stmt)  # type: ignore[call-overload]
    return int(result.rowcount or 0)
