"""Fault injection for tests: a TCP proxy a test can cut and restore, and what the event loop reports.

The shared PostgreSQL server is never stopped: an app under test reaches it through a `TcpProxy`, and
cutting the proxy is, for that app, the database going away (new connections refused, open ones dropped).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Awaitable, Callable

from sqlalchemy.engine import make_url


class TcpProxy:
    """A loopback TCP forwarder in front of `target_host:target_port`, on a port that stays the same across cuts.

    `cut()` refuses new connections and drops the open ones (the server is unreachable); `hang()` accepts
    connections but never answers (a partition: packets go nowhere); `restore()` forwards again.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._hanging = False
        self._writers: set[asyncio.StreamWriter] = set()

    @classmethod
    def for_database(cls, url: str) -> TcpProxy:
        parsed = make_url(url)
        return cls(parsed.host or "127.0.0.1", parsed.port or 5432)

    def url_through(self, url: str) -> str:
        """`url` with its host and port replaced by the proxy's."""
        return make_url(url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    async def start(self) -> TcpProxy:
        self._hanging = False
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def cut(self) -> None:
        await self._close_server()
        self._drop_connections()

    async def hang(self) -> None:
        await self.cut()
        await self.start()
        self._hanging = True

    async def restore(self) -> None:
        await self.cut()
        await self.start()

    async def close(self) -> None:
        await self.cut()

    async def _close_server(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _drop_connections(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        if self._hanging:
            return  # kept open, never answered, until the next cut or restore
        try:
            up_reader, up_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self._writers.add(up_writer)
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.transport.abort() if writer.transport.is_closing() else writer.close()
            self._writers.discard(writer)


async def loop_errors_during(action: Callable[[], Awaitable[None]]) -> list[str]:
    """What the event loop reports (e.g. "Task exception was never retrieved") while `action` runs and just after."""
    loop = asyncio.get_running_loop()
    reported: list[str] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(
        lambda _loop, context: reported.append(f"{context.get('message')}: {context.get('exception')!r}")
    )
    try:
        await action()
        for _ in range(5):  # abandoned async generators are finalized by tasks the loop schedules on collection
            gc.collect()
            await asyncio.sleep(0.01)
    finally:
        loop.set_exception_handler(previous)
    return reported
