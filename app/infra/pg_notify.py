"""A dedicated asyncpg connection that LISTENs on a PostgreSQL channel and calls back on each NOTIFY.

It reconnects by itself; while it is down, the caller's periodic poll covers the gap.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg
from sqlalchemy.engine import make_url

from app.tasks import cancel_and_wait

log = logging.getLogger(__name__)


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    """`postgresql+asyncpg://...` as a plain libpq URL for `asyncpg.connect`."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


class PgListener:
    def __init__(self, dsn: str, channel: str, on_notify: Callable[[], None], *, check_interval_s: float = 5.0) -> None:
        self.dsn = dsn
        self.channel = channel
        self.on_notify = on_notify
        self.check_interval_s = check_interval_s
        self._conn: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.connected = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"pg-listen-{self.channel}")

    def _callback(self, *_: object) -> None:
        self.on_notify()

    async def _run(self) -> None:
        delay = 0.2
        while not self._stopping:
            try:
                self._conn = await asyncpg.connect(
                    self.dsn, timeout=5, server_settings={"application_name": "minbil-listen"}
                )
                await self._conn.add_listener(self.channel, self._callback)
                self.connected.set()
                self.on_notify()  # anything committed while we were not listening
                delay = 0.2
                while not self._stopping and not self._conn.is_closed():
                    await asyncio.sleep(self.check_interval_s)
                    await self._conn.execute("SELECT 1")  # notices a dead connection
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("LISTEN %s connection failed: %s", self.channel, exc)
            finally:
                self.connected.clear()
                await self._close_conn()
            if not self._stopping:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _close_conn(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 2)

    async def stop(self) -> None:
        self._stopping = True
        await cancel_and_wait(self._task)
        await self._close_conn()
