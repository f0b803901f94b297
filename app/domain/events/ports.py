"""What realtime delivery needs from outside: the channel layer and the registry of open connections.

`app.infra.channels` and `app.infra.connections` implement them (Redis across instances, in-process when
embedded). Pub/sub forgets what it could not deliver: listeners therefore get a `RESYNC` marker whenever the
layer (re)connects after a failure, catch up from the outbox and de-duplicate.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Protocol

RESYNC = b""  # the marker put in a listener's queue: "messages may have been missed, catch up"


class ChannelUnavailable(Exception):
    """The channel layer did not accept a publication (e.g. Redis is down)."""


class Listener:
    """One local consumer of one channel: messages (bytes) or `RESYNC` arrive in `queue`."""

    __slots__ = ("channel", "queue")

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=10_000)

    def deliver(self, data: bytes) -> None:
        try:
            self.queue.put_nowait(data)
        except asyncio.QueueFull:  # a stuck consumer: make it catch up from the database instead
            self._drain()
            self.queue.put_nowait(RESYNC)

    def _drain(self) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()


class Channels(Protocol):
    shared: bool  # True when other instances receive what this one publishes

    async def publish(self, messages: Iterable[tuple[str, bytes]]) -> None:
        """Publish all, or raise `ChannelUnavailable` (some may have gone out: consumers de-duplicate)."""
        ...

    async def listen(self, channel: str) -> Listener:
        """A listener registered locally; returns once the layer will deliver what is published from now on
        (or, when the layer is down, at once: a `RESYNC` follows when it is back)."""
        ...

    async def unlisten(self, listener: Listener) -> None: ...

    async def close(self) -> None: ...


class ConnectionRegistry(Protocol):
    """Open realtime connections per owner; raises `app.domain.ports.KVUnavailable` when its store is down."""

    async def admit(self, owner_id: int, conn_id: str, *, limit: int, ttl_s: float) -> bool:
        """Register unless the owner already has `limit` live connections."""
        ...

    async def refresh(self, owner_id: int, conn_id: str, *, ttl_s: float) -> None: ...
    async def release(self, owner_id: int, conn_id: str) -> int:
        """Unregister; returns how many live connections the owner still has."""
        ...

    async def count(self, owner_id: int) -> int: ...


class RealtimePorts(Protocol):
    """The realtime parts a use case reaches (presence, connection limits)."""

    @property
    def channels(self) -> Channels: ...

    @property
    def connections(self) -> ConnectionRegistry: ...
