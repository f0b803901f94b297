"""Engine and session factories (async SQLAlchemy on asyncpg, SQLModel sessions).

The engine is also the one place that decides which failures mean "the database is unavailable": it raises
`DatabaseUnavailable` in place of the driver's error, so callers never see a socket error as a 500.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import DatabaseUnavailable

log = logging.getLogger(__name__)

# SQLSTATE classes and codes of a server that cannot serve now: connection exceptions, insufficient resources
# (too many connections, out of memory or disk), operator intervention (shutting down, starting up)
_UNAVAILABLE_SQLSTATES = ("08", "53", "57P01", "57P02", "57P03")
_LOG_EVERY_S = 5.0
# a pooled connection idle this long is pinged before it is lent out (see `_ping_if_idle`)
PING_AFTER_IDLE_S = 1.0
_last_logged = 0.0


def _sqlstate(error: BaseException) -> str:
    return str(getattr(error, "sqlstate", None) or getattr(error, "pgcode", None) or "")


def database_unavailable(error: BaseException | None) -> bool:
    """True when `error`, or an error it was raised from, says the server could not be reached or cannot serve."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, (DatabaseUnavailable, OSError, sa_exc.TimeoutError)):  # OSError covers TimeoutError
            return True
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return True
        if _sqlstate(error).startswith(_UNAVAILABLE_SQLSTATES):
            return True
        error = error.__cause__ or error.__context__
    return False


def _unavailable(error: BaseException) -> DatabaseUnavailable:
    global _last_logged
    if time.monotonic() - _last_logged >= _LOG_EVERY_S:  # one line per few seconds during an outage, not per request
        _last_logged = time.monotonic()
        log.warning("database unavailable: %s: %s", type(error).__name__, error)
    return DatabaseUnavailable()


class _Pool(AsyncAdaptedQueuePool):
    """Failing to get a connection (refused, connect timeout, pool exhausted for `timeout` s) is an outage."""

    def connect(self) -> Any:
        try:
            return super().connect()
        except Exception as error:
            if database_unavailable(error):
                raise _unavailable(error) from error
            raise


def _on_error(context: ExceptionContext) -> None:
    """A statement that failed because the connection broke (not because of the statement) is an outage."""
    if context.is_pre_ping:  # the pool reconnects by itself; a failed reconnect surfaces through `_Pool.connect`
        return
    if context.is_disconnect or database_unavailable(context.original_exception):
        raise _unavailable(context.original_exception)


def _note_return(dbapi_connection: Any, record: Any) -> None:
    record.info["returned_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """SQLAlchemy's pre-ping for a connection that sat idle in the pool, not for one handed back a moment ago.

    The asyncpg dialect's ping is three round trips (BEGIN, an empty statement, ROLLBACK), paid on every
    checkout: 12% of an uncached search's CPU under load, where connections go straight from one request to
    the next. A connection that worked less than `PING_AFTER_IDLE_S` ago is lent without it; one that waited
    longer (a restart or a dropped link may have closed it meanwhile) is pinged, and a failed ping makes the
    pool replace it and every connection older than it, as the built-in pre-ping does.
    """
    returned_at = record.info.get("returned_at")
    if returned_at is None or time.monotonic() - returned_at < PING_AFTER_IDLE_S:
        return
    try:
        dbapi_connection.ping()
    except Exception as error:
        raise sa_exc.InvalidatePoolError() from error


def make_engine(url: str, *, pool_size: int = 20, echo: bool = False, connect_timeout_s: float = 3.0) -> AsyncEngine:
    """`connect_timeout_s` bounds both a new connection and the wait for a pooled one, so requests answer
    promptly (503) when the server is down or unreachable."""
    engine = create_async_engine(
        url,
        poolclass=_Pool,
        pool_size=pool_size,
        max_overflow=10,
        pool_timeout=connect_timeout_s,
        pool_pre_ping=False,  # `_ping_if_idle` instead
        echo=echo,
        # a statement error's text (logged with the traceback of an unexpected failure) leaves out the bound
        # values: they include mail bodies with reset links, token hashes and password hashes
        hide_parameters=True,
        connect_args={
            "timeout": connect_timeout_s,
            "server_settings": {"application_name": "minbil", "timezone": "UTC"},
        },
    )
    event.listen(engine.sync_engine, "handle_error", _on_error)
    event.listen(engine.sync_engine.pool, "checkin", _note_return)
    event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def transaction(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session whose work commits when the block ends and rolls back if it raises."""
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
