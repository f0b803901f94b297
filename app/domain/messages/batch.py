"""Batch reads for per-request loaders (GraphQL DataLoaders): one statement per batch, whatever its size.

Callers have already established that the bookings are the caller's (a thread they opened, or the
bookings of their own list).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from app.domain.messages.attachments import signed_view
from app.domain.messages.results import MessageView
from db.repositories import messages as repo

if TYPE_CHECKING:
    from app.domain.uow import DomainServices as Services

LATEST_PER_BOOKING = 50


async def thread_windows(
    services: Services, keys: Sequence[tuple[int, int, int]]
) -> list[tuple[list[MessageView], int]]:
    """For (booking_id, offset, limit) keys: that window of the thread (oldest first) and the thread's size."""
    by_window: dict[tuple[int, int], list[int]] = defaultdict(list)
    for booking_id, offset, limit in keys:
        by_window[(offset, limit)].append(booking_id)
    found: dict[tuple[int, int, int], tuple[list[MessageView], int]] = {}
    async with services.sessionmaker() as session:
        for (offset, limit), booking_ids in by_window.items():
            pages = await repo.thread_pages(session, sorted(set(booking_ids)), offset, limit)
            for booking_id, (rows, total) in pages.items():
                found[(booking_id, offset, limit)] = (
                    [signed_view(MessageView.from_row(m), services.settings) for m in rows],
                    total,
                )
    return [found.get(key, ([], 0)) for key in keys]


async def latest_messages(
    services: Services, booking_ids: Sequence[int], per_booking: int = LATEST_PER_BOOKING
) -> list[list[MessageView]]:
    """The latest messages of each booking (oldest first)."""
    async with services.sessionmaker() as session:
        rows = await repo.messages_by_booking(session, list(booking_ids), per_booking)
    return [[signed_view(MessageView.from_row(m), services.settings) for m in rows.get(b, [])] for b in booking_ids]


async def unread_counts_by_booking(services: Services, booking_ids: Sequence[int]) -> list[int]:
    """Unread workshop -> owner messages per booking."""
    async with services.sessionmaker() as session:
        counts = await repo.unread_by_booking(session, list(booking_ids))
    return [counts.get(b, 0) for b in booking_ids]
