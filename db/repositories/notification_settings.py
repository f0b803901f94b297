"""SQL for the stored notification settings (overrides of the defaults, one per event and channel)."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import NotificationPreference


async def overrides(session: AsyncSession, owner_id: int) -> list[tuple[str, str, bool]]:
    stmt = select(NotificationPreference.event, NotificationPreference.channel, NotificationPreference.enabled).where(
        NotificationPreference.owner_id == owner_id
    )
    result = await session.exec(stmt)
    return [(row[0], row[1], row[2]) for row in result.all()]


async def override(session: AsyncSession, owner_id: int, event: str, channel: str) -> bool | None:
    stmt = select(NotificationPreference.enabled).where(
        NotificationPreference.owner_id == owner_id,
        NotificationPreference.event == event,
        NotificationPreference.channel == channel,
    )
    return (await session.exec(stmt)).first()


async def upsert(session: AsyncSession, owner_id: int, values: list[tuple[str, str, bool]]) -> None:
    if not values:
        return
    stmt = insert(NotificationPreference).values(
        [{"owner_id": owner_id, "event": e, "channel": c, "enabled": v} for e, c, v in values]
    )
    stmt = stmt.on_conflict_do_update(
        constraint="uq_notification_pref",
        set_={"enabled": stmt.excluded.enabled, "updated_at": stmt.excluded.updated_at},
    )
    await session.exec(stmt)
