"""A unit of work: one session and transaction, plus the services a use case may reach.

Transports open one per request (REST) or per mutation (GraphQL). `emit` writes a domain event into
the outbox in the same transaction; `after_commit` callbacks run once the transaction has committed,
`on_rollback` callbacks when it is rolled back or its commit fails (removing files stored for it).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from app import tracing
from app.auth.ratelimit import RateLimiter
from app.auth.sessions import SessionStates
from app.auth.tokens import TokenCodec
from app.domain.account.ports import MediaStorage, VehicleRegistry
from app.domain.events.ports import RealtimePorts
from app.domain.marketplace.cache import MarketplaceCache
from app.domain.payments.provider import PaymentProvider
from app.domain.ports import ImageCleaner, KeyValue, Mailer
from app.settings import Settings
from db.models import DomainEvent
from db.repositories import events as events_repo

log = logging.getLogger(__name__)


class DomainServices(Protocol):
    """The long-lived parts a use case may reach; `app.services.Services` is the one the app builds.

    Read-only properties, so a container may hold a more specific type (a `Realtime` with its relay)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def engine(self) -> AsyncEngine: ...
    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]: ...
    @property
    def kv(self) -> KeyValue: ...
    @property
    def tokens(self) -> TokenCodec: ...
    @property
    def sessions(self) -> SessionStates: ...
    @property
    def rate_limiter(self) -> RateLimiter: ...
    @property
    def mailer(self) -> Mailer: ...
    @property
    def realtime(self) -> RealtimePorts: ...
    @property
    def marketplace_cache(self) -> MarketplaceCache: ...
    @property
    def registry(self) -> VehicleRegistry: ...
    @property
    def storage(self) -> MediaStorage: ...
    @property
    def images(self) -> ImageCleaner: ...
    @property
    def payments(self) -> PaymentProvider | None: ...

    async def wake_event_relay(self) -> None:
        """Tell this process's outbox relay that events were committed."""
        ...


class UnitOfWork:
    def __init__(self, open_session: Callable[[], AsyncSession], services: DomainServices) -> None:
        # opened on first use: a request answered from memory (a cached answer, in-process favourites) would
        # otherwise build and close a session it never needed
        self._open_session = open_session
        self._session: AsyncSession | None = None
        self.services = services
        self._after_commit: list[Callable[[], Awaitable[Any]]] = []
        self._on_rollback: list[Callable[[], Awaitable[Any]]] = []
        self.events_written = 0

    @property
    def session(self) -> AsyncSession:
        session = self._session
        if session is None:
            session = self._session = self._open_session()
        return session

    @property
    def in_transaction(self) -> bool:
        return self._session is not None and self._session.in_transaction()

    @property
    def settings(self) -> Settings:
        return self.services.settings

    def after_commit(self, callback: Callable[[], Awaitable[Any]]) -> None:
        self._after_commit.append(callback)

    def on_rollback(self, callback: Callable[[], Awaitable[Any]]) -> None:
        self._on_rollback.append(callback)

    def emit(self, owner_id: int, event_type: str, payload: dict[str, Any]) -> DomainEvent:
        """Record an event for `owner_id`; it is published after commit (transactional outbox)."""
        hooks = tracing.hooks
        traceparent = hooks.traceparent() if hooks is not None else None
        event = DomainEvent(owner_id=owner_id, event_type=event_type, payload=payload, traceparent=traceparent)
        self.session.add(event)
        self.events_written += 1
        return event

    async def commit(self) -> None:
        if self.events_written:
            await events_repo.notify_relays(self.session)
        try:
            if self._session is not None:
                await self._session.commit()
        except Exception:
            self._after_commit.clear()
            await self._undo()
            raise
        self._on_rollback.clear()
        callbacks, self._after_commit = self._after_commit, []
        if self.events_written:
            self.events_written = 0
            callbacks.append(self.services.wake_event_relay)
        for callback in callbacks:
            try:
                await callback()
            except Exception:  # the change is committed; a failed follow-up must not undo the answer
                log.exception("after-commit callback failed")

    async def rollback(self) -> None:
        self._after_commit.clear()
        self.events_written = 0
        try:
            if self._session is not None:
                await self._session.rollback()
        finally:
            await self._undo()

    async def close(self) -> None:
        """Release the session's connection (none was opened if the session was never used)."""
        if self._session is not None:
            await self._session.close()

    async def _undo(self) -> None:
        callbacks, self._on_rollback = self._on_rollback, []
        for callback in reversed(callbacks):
            try:
                await callback()
            except Exception:  # the rollback stands; a file left behind is only wasted space
                log.exception("rollback callback failed")


class unit_of_work:  # lower case: it reads as a function, `async with unit_of_work(services) as uow`
    """Commit when the block ends normally, roll back when it raises.

    A class rather than an `@asynccontextmanager` generator on purpose: the REST face enters it inside a
    generator dependency that Litestar abandons when a sibling dependency fails (a 401 from `claims`). The
    garbage collector then finalizes that generator, and a nested generator would be finalized concurrently
    with it ("aclose(): asynchronous generator is already running").
    """

    def __init__(self, services: DomainServices) -> None:
        self._services = services
        self._uow: UnitOfWork | None = None

    async def __aenter__(self) -> UnitOfWork:
        self._uow = UnitOfWork(self._services.sessionmaker, self._services)
        return self._uow

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        uow, self._uow = self._uow, None
        assert uow is not None
        try:
            if exc_type is None:
                await uow.commit()
            else:
                await uow.rollback()
        finally:
            await uow.close()
