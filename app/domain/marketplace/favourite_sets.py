"""Each caller's favourites, held in this process for a moment, for the overlay on cached answers.

PostgreSQL decides. An owner's whole set is read once (one statement) and kept for `ttl_s` (about a
second); a change drops it here once committed and tells the other instances on a channel. A lost message
is covered by the short lifetime: another instance sees the change within `ttl_s`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable

from app.domain.events.ports import RESYNC, Channels, ChannelUnavailable
from app.single_flight import SingleFlight
from app.tasks import cancel_and_wait

log = logging.getLogger(__name__)

MAX_OWNERS = 50_000
_ALL = b"*"


class FavouriteSets:
    def __init__(self, *, ttl_s: float = 1.0) -> None:
        self.ttl_s = ttl_s
        self._sets: dict[int, tuple[frozenset[str], float]] = {}  # owner -> (org numbers, valid until, monotonic)
        self._loads: SingleFlight[int, frozenset[str]] = SingleFlight()
        self._epoch = 0  # bumped on every drop: a read that raced with a change is not kept
        self._channels: Channels | None = None
        self._channel = ""
        self._follower: asyncio.Task[None] | None = None
        self.database_reads = 0  # for tests and diagnostics

    async def of(self, owner_id: int, load: Callable[[], Awaitable[Iterable[str]]]) -> frozenset[str]:
        held = self._sets.get(owner_id)
        if held is not None and held[1] > time.monotonic():
            return held[0]

        async def load_and_keep() -> frozenset[str]:
            epoch = self._epoch
            self.database_reads += 1
            found = frozenset(await load())
            if epoch == self._epoch:  # not dropped meanwhile: what was read may be older than the drop
                self._keep(owner_id, found)
            return found

        return await self._loads.run(owner_id, load_and_keep)

    def _keep(self, owner_id: int, found: frozenset[str]) -> None:
        if len(self._sets) >= MAX_OWNERS:
            now = time.monotonic()
            self._sets = {k: v for k, v in self._sets.items() if v[1] > now}
            if len(self._sets) >= MAX_OWNERS:
                self._sets.clear()
        self._sets[owner_id] = (found, time.monotonic() + self.ttl_s)

    def drop(self, owner_id: int | None = None) -> None:
        """Forget one owner's set (or all of them): the next read goes to the database."""
        self._epoch += 1
        if owner_id is None:
            self._sets.clear()
        else:
            self._sets.pop(owner_id, None)

    async def changed(self, owner_id: int) -> None:
        """After a committed change of the owner's favourites: here at once, the other instances by message."""
        self.drop(owner_id)
        if self._channels is not None:
            try:
                await self._channels.publish([(self._channel, str(owner_id).encode())])
            except ChannelUnavailable:
                log.warning("favourites change not announced; other instances follow within %ss", self.ttl_s)

    def follow(self, channels: Channels, channel: str) -> None:
        self._channels, self._channel = channels, channel
        self._follower = asyncio.get_running_loop().create_task(self._follow(channels, channel), name="fav-follow")

    async def _follow(self, channels: Channels, channel: str) -> None:
        listener = await channels.listen(channel)
        try:
            while True:
                message = await listener.queue.get()
                if message in (RESYNC, _ALL) or not message.isdigit():
                    self.drop()
                else:
                    self.drop(int(message))
        finally:
            with contextlib.suppress(Exception):
                await channels.unlisten(listener)

    async def stop_following(self) -> None:
        await cancel_and_wait(self._follower)
