"""SQL for the profile: locking the owner row, username look-ups."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import CarOwner, NotificationPreference


async def lock_owner(session: AsyncSession, owner_id: int) -> CarOwner | None:
    """The owner row, locked until the transaction ends (serialises profile and garage changes)."""
    stmt = select(CarOwner).where(CarOwner.id == owner_id).with_for_update()
    return (await session.exec(stmt)).first()


async def username_owner_id(session: AsyncSession, username: str) -> int | None:
    """The id of the owner holding this username (case-insensitively), if any."""
    stmt = select(CarOwner.id).where(func.lower(CarOwner.username) == username.lower())
    return (await session.exec(stmt)).first()


async def notification_overrides_of(session: AsyncSession, owner_ids: list[int]) -> list[tuple[int, str, str, bool]]:
    """Stored notification overrides of several owners in one statement: (owner_id, event, channel, enabled)."""
    if not owner_ids:
        return []
    stmt = select(
        NotificationPreference.owner_id,
        NotificationPreference.event,
        NotificationPreference.channel,
        NotificationPreference.enabled,
    ).where(col(NotificationPreference.owner_id).in_(owner_ids))
    result = await session.exec(stmt)
    return [(row[0], row[1], row[2], row[3]) for row in result.all()]
