"""SQL for the profile: locking the owner row, username look-ups."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import CarOwner


async def lock_owner(session: AsyncSession, owner_id: int) -> CarOwner | None:
    """The owner row, locked until the transaction ends (serialises profile and garage changes)."""
    stmt = select(CarOwner).where(CarOwner.id == owner_id).with_for_update()  # type: ignore[arg-type]
    result = await session.exec(stmt)  # type: ignore[call-overload]
    return result.scalars().first()


async def username_owner_id(session: AsyncSession, username: str) -> int | None:
    """The id of the owner holding this username (case-insensitively), if any."""
    stmt = select(CarOwner.id).where(func.lower(CarOwner.username) == username.lower())
    result = await session.exec(stmt)  # type: ignore[call-overload]
    return result.scalars().first()


async def notification_overrides_of(session: AsyncSession, owner_ids: list[int]) -> list[tuple[int, str, str, bool]]:
    """Stored notification overrides of several owners in one statement: (owner_id, event, channel, enabled)."""
    from db.models import NotificationPreference

    if not owner_ids:
        return []
    stmt = select(
        NotificationPreference.owner_id,
        NotificationPreference.event,
        NotificationPreference.channel,
        NotificationPreference.enabled,
    ).where(NotificationPreference.owner_id.in_(owner_ids))  # type: ignore[attr-defined]
    result = await session.exec(stmt)  # type: ignore[call-overload]
    return [(row[0], row[1], row[2], row[3]) for row in result.all()]
