"""Per-request loaders over messages, one statement per batch (`info.context.loaders.get(MessageLoaders)`).

- `window`: (booking_id, offset, limit) -> (that window of the thread, oldest first; the thread's size)
- `latest`: booking_id -> the latest messages (up to 50, oldest first)
- `unread`: booking_id -> the workshop's messages the owner has not read
- `thread`: (owner_id, booking_id) -> the owner's thread of that booking (None for another owner's)

The bookings area may use `latest`/`unread` for a booking's messages, with `Message.of(view)` for the items.
Callers have established that the bookings are the caller's.
"""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from app.domain.messages import batch
from app.domain.messages import service as messages
from app.domain.messages.results import MessageView, ThreadInfo
from graphql_api.loaders import batch_loader, none, owner_batch_loader
from graphql_api.reading import RequestReader


def _no_window() -> tuple[list[MessageView], int]:
    return [], 0


def _no_messages() -> list[MessageView]:
    return []


def _zero() -> int:
    return 0


class MessageLoaders:
    def __init__(self, reader: RequestReader) -> None:
        settings = reader.services.settings
        self.window: DataLoader[batch.Window, tuple[list[MessageView], int]] = batch_loader(
            reader, lambda session, keys: batch.thread_windows(session, settings, keys), _no_window
        )
        self.latest: DataLoader[int, list[MessageView]] = batch_loader(
            reader, lambda session, keys: batch.latest_messages(session, settings, keys), _no_messages
        )
        self.unread: DataLoader[int, int] = batch_loader(reader, batch.unread_counts_by_booking, _zero)
        self.thread: DataLoader[tuple[int, int], ThreadInfo | None] = owner_batch_loader(
            reader, messages.threads_by_booking, none
        )
