"""Notification settings: seven documented events, two channels, stored overrides over the defaults."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from app.domain.account.commands import UpdateNotificationSettings
from app.domain.uow import UnitOfWork
from app.errors import NotFound
from db.repositories import auth as auth_repo
from db.repositories import notification_settings as repo

EVENTS: tuple[str, ...] = (
    "booking.requested",
    "booking.accepted",
    "booking.declined",
    "booking.updated",
    "booking.completed",
    "message.new",
    "rating.reminder",
)
CHANNELS: tuple[str, ...] = ("email", "push")

# what an owner gets before changing anything: everything in the app (push); mail for the milestones
DEFAULTS: dict[str, dict[str, bool]] = {
    "booking.requested": {"email": True, "push": True},
    "booking.accepted": {"email": True, "push": True},
    "booking.declined": {"email": True, "push": True},
    "booking.updated": {"email": False, "push": True},
    "booking.completed": {"email": True, "push": True},
    "message.new": {"email": False, "push": True},
    "rating.reminder": {"email": True, "push": True},
}


def merge(overrides: list[tuple[str, str, bool]]) -> dict[str, dict[str, bool]]:
    """Defaults with stored overrides applied; overrides of unknown events or channels are ignored."""
    merged = {event: dict(channels) for event, channels in DEFAULTS.items()}
    for event, channel, enabled in overrides:
        if event in merged and channel in merged[event]:
            merged[event][channel] = enabled
    return merged


async def effective_settings(session: AsyncSession, owner_id: int) -> dict[str, dict[str, bool]]:
    return merge(await repo.overrides(session, owner_id))


async def channel_enabled(session: AsyncSession, owner_id: int, event: str, channel: str) -> bool:
    stored = await repo.override(session, owner_id, event, channel)
    if stored is not None:
        return stored
    return DEFAULTS.get(event, {}).get(channel, False)


async def _require_owner(uow: UnitOfWork, owner_id: int) -> None:
    owner = await auth_repo.get_owner(uow.session, owner_id)
    if owner is None or not owner.is_active:
        raise NotFound("User not found", code="NOT_FOUND")


async def notification_settings(uow: UnitOfWork, owner_id: int) -> dict[str, dict[str, bool]]:
    await _require_owner(uow, owner_id)
    return await effective_settings(uow.session, owner_id)


async def update_notification_settings(
    uow: UnitOfWork, owner_id: int, command: UpdateNotificationSettings
) -> dict[str, dict[str, bool]]:
    """Partial update: only the events and channels sent change; the merged result is returned."""
    await _require_owner(uow, owner_id)
    values = [(change.event, change.channel, change.enabled) for change in command.changes]
    await repo.upsert(uow.session, owner_id, values)
    return await effective_settings(uow.session, owner_id)
