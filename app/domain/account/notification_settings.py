"""Notification settings: stored overrides merged with the defaults, and partial updates."""

from __future__ import annotations

from app.domain.account.commands import UpdateNotificationSettings
from app.domain.notifications.preferences import DEFAULTS, effective_preferences
from app.domain.uow import UnitOfWork
from app.errors import NotFound
from db.repositories import auth as auth_repo
from db.repositories import notification_prefs


async def _require_owner(uow: UnitOfWork, owner_id: int) -> None:
    owner = await auth_repo.get_owner(uow.session, owner_id)
    if owner is None or not owner.is_active:
        raise NotFound("User not found", code="NOT_FOUND")


async def notification_settings(uow: UnitOfWork, owner_id: int) -> dict[str, dict[str, bool]]:
    await _require_owner(uow, owner_id)
    return await effective_preferences(uow.session, owner_id)


async def update_notification_settings(
    uow: UnitOfWork, owner_id: int, command: UpdateNotificationSettings
) -> dict[str, dict[str, bool]]:
    """Partial update: only the events and channels sent change; the merged result is returned."""
    await _require_owner(uow, owner_id)
    values = [(change.event, change.channel, change.enabled) for change in command.changes]
    await notification_prefs.upsert(uow.session, owner_id, values)
    return await effective_preferences(uow.session, owner_id)


def merge(overrides: list[tuple[str, str, bool]]) -> dict[str, dict[str, bool]]:
    """Defaults with stored overrides applied (the same merge as `effective_preferences`, for batches)."""
    merged = {event: dict(channels) for event, channels in DEFAULTS.items()}
    for event, channel, enabled in overrides:
        if event in merged and channel in merged[event]:
            merged[event][channel] = enabled
    return merged
