"""The notification settings model: seven documented events, two channels, stored overrides over defaults."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from db.repositories import notification_prefs as repo

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


async def effective_preferences(session: AsyncSession, owner_id: int) -> dict[str, dict[str, bool]]:
    merged = {event: dict(channels) for event, channels in DEFAULTS.items()}
    for event, channel, enabled in await repo.overrides(session, owner_id):
        if event in merged and channel in merged[event]:
            merged[event][channel] = enabled
    return merged


async def channel_enabled(session: AsyncSession, owner_id: int, event: str, channel: str) -> bool:
    stored = await repo.override(session, owner_id, event, channel)
    if stored is not None:
        return stored
    return DEFAULTS.get(event, {}).get(channel, False)
