"""Batch reads for per-request loaders (GraphQL DataLoaders): one statement per batch, whatever its size.

Callers have already established that the bookings are the caller's (a thread they opened, or the
bookings of their own list).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from app.domain.messages.attachments import signed_view
from app.domain.messages.results import MessageView
from app.settings import Settings
from db.repositories import messages as repo

LATEST_PER_BOOKING = 50

Window = tuple[int, int, int]


async def thread_windows(
    session: AsyncSession, settings: Settings, keys: Sequence[Window]
) -> dict[Window, tuple[list[MessageView], int]]:
    """For (booking_id, offset, limit) keys: that window of the thread (oldest first) and the thread's size.
    One statement per distinct (offset, limit): every thread of a list asks for the same window."""
    by_window: dict[tuple[int, int], list[int]] = defaultdict(list)
    for booking_id, offset, limit in keys:
        by_window[(offset, limit)].append(booking_id)
    found: dict[Window, tuple[list[MessageView], int]] = {}
    for (offset, limit), booking_ids in by_window.items():
        pages = await repo.thread_pages(session, sorted(set(booking_ids)), offset, limit)
        for booking_id, (rows, total) in pages.items():
            found[(booking_id, offset, limit)] = ([signed_view(MessageView.from_row(m), settings) for m in rows], total)
    return found


async def latest_messages(
    session: AsyncSession, settings: Settings, booking_ids: Sequence[int], per_booking: int = LATEST_PER_BOOKING
) -> dict[int, list[MessageView]]:
    """The latest messages of each booking (oldest first)."""
    rows = await repo.messages_by_booking(session, list(booking_ids), per_booking)
    return {b: [signed_view(MessageView.from_row(m), settings) for m in rows.get(b, [])] for b in booking_ids}


async def unread_counts_by_booking(session: AsyncSession, booking_ids: Sequence[int]) -> dict[int, int]:
    """Unread workshop -> owner messages per booking."""
    return await repo.unread_by_booking(session, list(booking_ids))
