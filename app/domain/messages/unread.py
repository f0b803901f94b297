"""The owner's unread counters (workshop messages not read, notifications not read) and their event."""

from __future__ import annotations

from app.domain.events.envelope import UNREAD_CHANGED
from app.domain.messages.results import UnreadCounts
from app.domain.uow import UnitOfWork
from db.repositories import messages as repo
from db.repositories import notifications as notification_repo


async def unread_counts(uow: UnitOfWork, owner_id: int) -> UnreadCounts:
    return UnreadCounts(
        messages=await repo.owner_unread(uow.session, owner_id),
        notifications=await notification_repo.unread_count(uow.session, owner_id),
    )


async def emit_unread_changed(uow: UnitOfWork, owner_id: int) -> UnreadCounts:
    """Record the owner's current counters as an `unread.changed` event (after the change is flushed)."""
    await uow.session.flush()
    counts = await unread_counts(uow, owner_id)
    uow.emit(owner_id, UNREAD_CHANGED, {"messages": counts.messages, "notifications": counts.notifications})
    return counts
