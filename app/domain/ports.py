"""What the domain needs from outside the process, as Protocols: the key-value store, mail, image decoding.

`app.infra` implements them; the composition root (`app.wiring`) chooses the implementations. Ports of one
area live beside it (`account/ports.py`, `events/ports.py`, `payments/provider.py`).
"""

from __future__ import annotations

from typing import Protocol

import msgspec


class KVUnavailable(Exception):
    """The store did not answer in time or is known to be down."""


class KeyValue(Protocol):
    shared: bool  # True when other app instances see the same data

    async def get(self, key: str) -> bytes | None: ...
    async def set(
        self, key: str, value: bytes, ttl_s: float | None = None, *, only_if_absent: bool = False
    ) -> bool: ...
    async def delete(self, *keys: str) -> int: ...
    async def get_or_lock(self, key: str, lock_key: str, ttl_s: float) -> tuple[bytes | None, bool]:
        """`key`'s value; when it has none, `lock_key` is also taken for `ttl_s` if free (True when taken). One
        round trip; on a Redis Cluster the two keys must share a hash tag (one slot)."""
        ...

    async def set_and_delete(self, key: str, value: bytes, ttl_s: float | None, delete_key: str) -> None:
        """Store `key` and delete `delete_key` (a lock freed with the value it guarded): one round trip."""
        ...

    async def incr(self, key: str, ttl_s: float | None = None, amount: int = 1) -> int:
        """Add `amount`; the expiry is set when the key is created (fixed window)."""
        ...

    async def ttl(self, key: str) -> float | None: ...
    async def ping(self) -> bool: ...


class Mailer(Protocol):
    async def send(self, to_address: str, subject: str, body: str) -> None: ...


class CleanImage(msgspec.Struct, frozen=True):
    data: bytes
    width: int
    height: int


class ImageCleaner(Protocol):
    def clean(self, data: bytes, extension: str, *, field: str, max_pixels: int) -> CleanImage:
        """The image re-encoded in its own format without metadata, upright.

        `ValidationFailed` naming `field` when the bytes do not decode as that format or declare more than
        `max_pixels`. CPU-bound: callers run it in a worker thread.
        """
        ...
