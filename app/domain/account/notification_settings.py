"""Notification settings: stored overrides merged with the defaults, and partial updates."""

from __future__ import annotations

from app.domain.notifications.preferences import CHANNELS, DEFAULTS, EVENTS, effective_preferences
from app.domain.uow import UnitOfWork
from app.errors import NotFound, ValidationFailed
from db.repositories import auth as auth_repo
from db.repositories import notification_prefs


async def _require_owner(uow: UnitOfWork, owner_id: int) -> None:
    owner = await auth_repo.get_owner(uow.session, owner_id)
    if owner is None or not owner.is_active:
        raise NotFound("User not found", code="NOT_FOUND")


def parse_changes(body: object) -> list[tuple[str, str, bool]]:
    """`{"booking.accepted": {"email": true}}` -> [(event, channel, enabled)]; unknown names are a 400 naming them."""
    if not isinstance(body, dict):
        raise ValidationFailed("The body must be an object of events.", fields={"body": "must_be_object"})
    errors: dict[str, str] = {}
    values: list[tuple[str, str, bool]] = []
    for event, channels in body.items():
        if event not in EVENTS:
            errors[str(event)] = "unknown_event"
            continue
        if not isinstance(channels, dict):
            errors[event] = "must_be_object"
            continue
        for channel, enabled in channels.items():
            if channel not in CHANNELS:
                errors[f"{event}.{channel}"] = "unknown_channel"
            elif not isinstance(enabled, bool):
                errors[f"{event}.{channel}"] = "must_be_boolean"
            else:
                values.append((event, channel, enabled))
    if errors:
        names = ", ".join(errors)
        raise ValidationFailed(f"Unknown or invalid notification settings: {names}.", fields=errors)
    return values


async def notification_settings(uow: UnitOfWork, owner_id: int) -> dict[str, dict[str, bool]]:
    await _require_owner(uow, owner_id)
    return await effective_preferences(uow.session, owner_id)


async def update_notification_settings(uow: UnitOfWork, owner_id: int, body: object) -> dict[str, dict[str, bool]]:
    """Partial update: only the events and channels sent change; the merged result is returned."""
    values = parse_changes(body)
    await _require_owner(uow, owner_id)
    await notification_prefs.upsert(uow.session, owner_id, values)
    return await effective_preferences(uow.session, owner_id)


def merge(overrides: list[tuple[str, str, bool]]) -> dict[str, dict[str, bool]]:
    """Defaults with stored overrides applied (the same merge as `effective_preferences`, for batches)."""
    merged = {event: dict(channels) for event, channels in DEFAULTS.items()}
    for event, channel, enabled in overrides:
        if event in merged and channel in merged[event]:
            merged[event][channel] = enabled
    return merged
