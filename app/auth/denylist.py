"""Access tokens revoked before they expire (sign-out), by `jti`, kept until their own expiry."""

from __future__ import annotations

import time

from app.infra.kv import KeyValue, KVUnavailable


class AccessDenylist:
    def __init__(self, kv: KeyValue) -> None:
        self.kv = kv
        self._local: dict[str, float] = {}  # survives a Redis outage within this instance

    async def deny(self, jti: str, expires_at_unix: int) -> None:
        ttl = max(1, expires_at_unix - int(time.time()))
        self._local[jti] = time.time() + ttl
        try:
            await self.kv.set(f"deny:{jti}", b"1", ttl_s=ttl)
        except KVUnavailable:
            pass

    async def is_denied(self, jti: str) -> bool:
        expiry = self._local.get(jti)
        if expiry is not None:
            if expiry > time.time():
                return True
            self._local.pop(jti, None)
        try:
            return await self.kv.get(f"deny:{jti}") is not None
        except KVUnavailable:
            return False
