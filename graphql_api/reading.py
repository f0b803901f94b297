"""One read session per GraphQL request.

Every query resolver and every DataLoader batch of an HTTP request reads through the request's one session
(`info.context.read(...)`), opened on first use and committed and closed when the operation ends
(`CloseReads`), so a query of ten fields holds one connection, not ten. graphql-core resolves sibling fields
concurrently and a connection runs one statement at a time, so uses take turns (a lock); a read never waits on
a loader while holding it, so turns cannot deadlock.

Over a WebSocket the context lives as long as the socket: there each use gets its own short session, so an idle
subscription holds no connection between events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, TypeVar

from app.domain.uow import UnitOfWork
from app.services import Services

A = ParamSpec("A")
R = TypeVar("R")


class RequestReader:
    def __init__(self, services: Services, *, session_per_use: bool) -> None:
        self.services = services
        self._per_use = session_per_use
        # DataLoaders keep what they loaded for the request; a socket's context outlives many events, each of
        # which must show the objects as they are when it is delivered
        self.caches = not session_per_use
        self._lock = asyncio.Lock()
        self._uow: UnitOfWork | None = None

    async def run(
        self, read: Callable[Concatenate[UnitOfWork, A], Awaitable[R]], /, *args: A.args, **kwargs: A.kwargs
    ) -> R:
        """`read(uow, *args, **kwargs)` on the request's session."""
        async with self._lock:
            if self._per_use:
                async with self.services.uow() as uow:
                    return await read(uow, *args, **kwargs)
            if self._uow is None:
                self._uow = UnitOfWork(self.services.sessionmaker, self.services)
            try:
                return await read(self._uow, *args, **kwargs)
            except BaseException:
                # a failed statement aborts the transaction; the next read starts a fresh one
                await self._uow.rollback()
                raise

    async def close(self) -> None:
        """Commit (a read may record what it served, e.g. read receipts) and release the connection."""
        async with self._lock:
            uow, self._uow = self._uow, None
            if uow is None:
                return
            try:
                if uow.in_transaction:  # a read answered from memory began none
                    await uow.commit()
            except BaseException:
                await uow.rollback()
                raise
            finally:
                await uow.close()
