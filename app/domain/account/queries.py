"""Reads of several owners at once, for batch loaders: one statement per kind, whatever the number of owners."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from app.domain.account.notification_settings import merge
from db.repositories import account as account_repo


async def notification_settings_of_owners(
    session: AsyncSession, owner_ids: list[int]
) -> dict[int, dict[str, dict[str, bool]]]:
    """Each listed owner's notification settings: the defaults with that owner's stored overrides applied."""
    overrides: dict[int, list[tuple[str, str, bool]]] = {owner_id: [] for owner_id in owner_ids}
    for owner_id, event, channel, enabled in await account_repo.notification_overrides_of(session, owner_ids):
        overrides.setdefault(owner_id, []).append((event, channel, enabled))
    return {owner_id: merge(rows) for owner_id, rows in overrides.items()}


def default_notification_settings() -> dict[str, dict[str, bool]]:
    """The settings of an owner who changed nothing."""
    return merge([])
