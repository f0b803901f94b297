"""Whether a session (a refresh-token family, the `sid` of its access tokens) has ended.

PostgreSQL decides (`refresh_tokens.revoked_at`). Redis and this process only cache its answer, so an
emptied or unreachable Redis never brings a revoked session back:
- in this process: an active session for `local_ttl_s` (about a second: how late another instance's
  revocation may be seen here), a revoked one until its tokens have expired;
- in Redis, shared by the instances: a revoked session until its tokens have expired (written by the
  instance that revoked it, after the commit), an active one for `SHARED_ACTIVE_TTL_S`, written only if
  absent so it never overwrites a revocation. If Redis refuses that write, it is retried in the
  background for as long as an "active" entry written before the revocation can live.
A warm cache answers without PostgreSQL; concurrent misses for one session share one query.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from app.domain.ports import KeyValue, KVUnavailable
from app.single_flight import SingleFlight
from app.tasks import cancel_and_wait
from db.repositories import auth as repo

ACTIVE, REVOKED = b"a", b"r"
SHARED_ACTIVE_TTL_S = 30.0
PUBLISH_RETRY_S = 0.5
MAX_LOCAL_ENTRIES = 100_000


class SessionStates:
    def __init__(
        self, kv: KeyValue, sessionmaker: async_sessionmaker[AsyncSession], *, local_ttl_s: float, revoked_ttl_s: float
    ) -> None:
        self.kv = kv
        self.sessionmaker = sessionmaker
        self.local_ttl_s = local_ttl_s
        self.revoked_ttl_s = revoked_ttl_s
        self._local: dict[str, tuple[bool, float]] = {}  # sid -> (revoked, valid until on the monotonic clock)
        self._loads: SingleFlight[str, bool] = SingleFlight()
        self._unpublished: dict[str, float] = {}  # revocations Redis refused -> give up at (monotonic)
        self._publisher: asyncio.Task[None] | None = None
        self.database_reads = 0  # for tests and diagnostics: how often the cache missed

    async def is_revoked(self, sid: str) -> bool:
        cached = self._local.get(sid)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        return await self._loads.run(sid, lambda: self._look_up_and_remember(sid))

    async def _look_up_and_remember(self, sid: str) -> bool:
        revoked = await self._lookup(sid)
        self._remember_locally(sid, revoked)
        return revoked

    async def mark_revoked(self, sids: Iterable[str]) -> None:
        """Call after the revocation is committed: this instance at once, the others through Redis."""
        for sid in sids:
            self._remember_locally(sid, True)
            try:
                await self.kv.set(self._key(sid), REVOKED, ttl_s=self.revoked_ttl_s)
            except KVUnavailable:
                self._unpublished[sid] = time.monotonic() + SHARED_ACTIVE_TTL_S
        if self._unpublished and (self._publisher is None or self._publisher.done()):
            self._publisher = asyncio.create_task(self._publish_later(), name="session-revocations")

    async def _publish_later(self) -> None:
        while self._unpublished:
            await asyncio.sleep(PUBLISH_RETRY_S)
            for sid, give_up_at in list(self._unpublished.items()):
                if give_up_at > time.monotonic():
                    try:
                        await self.kv.set(self._key(sid), REVOKED, ttl_s=self.revoked_ttl_s)
                    except KVUnavailable:
                        break
                self._unpublished.pop(sid, None)

    async def close(self) -> None:
        await cancel_and_wait(self._publisher)

    async def _lookup(self, sid: str) -> bool:
        try:
            shared = await self.kv.get(self._key(sid))
        except KVUnavailable:
            shared = None
        if shared is not None:
            return shared == REVOKED
        self.database_reads += 1
        async with self.sessionmaker() as session:
            revoked = await repo.family_revoked(session, sid)
        try:
            if revoked:
                await self.kv.set(self._key(sid), REVOKED, ttl_s=self.revoked_ttl_s)
            else:
                await self.kv.set(self._key(sid), ACTIVE, ttl_s=SHARED_ACTIVE_TTL_S, only_if_absent=True)
        except KVUnavailable:
            pass
        return revoked

    def _remember_locally(self, sid: str, revoked: bool) -> None:
        if len(self._local) >= MAX_LOCAL_ENTRIES:
            now = time.monotonic()
            self._local = {k: v for k, v in self._local.items() if v[1] > now}
            if len(self._local) >= MAX_LOCAL_ENTRIES:
                self._local.clear()
        ttl = self.revoked_ttl_s if revoked else self.local_ttl_s
        self._local[sid] = (revoked, time.monotonic() + ttl)

    @staticmethod
    def _key(sid: str) -> str:
        return f"session:{sid}"
