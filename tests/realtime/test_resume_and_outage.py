"""Nothing lost: resume with `after:` across a disconnect, and a Redis outage while messages are sent."""

from __future__ import annotations

import asyncio
import subprocess
import time

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from app.settings import Settings
from tests.realtime.conftest import StartServer, drop_database, own_database, owner_with_booking
from tests.realtime.harness import MESSAGE_SUBSCRIPTION, GraphQLSocket, Server, free_port, produce_messages


async def test_resume_after_a_disconnect_while_messages_arrive_has_no_gap_and_no_duplicate(
    pair: tuple[Server, Server], session: AsyncSession, rt_settings: Settings
) -> None:
    a, b = pair
    owner = await owner_with_booking(a.base_url, session)
    socket = await GraphQLSocket(a.ws_url, owner["access_token"]).connect()
    await socket.subscribe("m", MESSAGE_SUBSCRIPTION)
    await asyncio.sleep(0.3)
    # 30 messages, one every 100 ms, from another process
    producer = asyncio.create_task(
        asyncio.to_thread(produce_messages, rt_settings, booking_id=owner["booking_id"], count=30, interval=0.1)
    )
    first = [(await socket.data("m", timeout=30))["messageReceived"] for _ in range(5)]
    await socket.close()  # disconnected while the producer goes on
    await asyncio.sleep(0.7)
    # reconnect to the OTHER instance, resuming after the last cursor seen
    async with GraphQLSocket(b.ws_url, owner["access_token"]) as again:
        await again.subscribe("m", MESSAGE_SUBSCRIPTION, {"after": first[-1]["cursor"]})
        ids = await producer
        rest = [(await again.data("m", timeout=30))["messageReceived"] for _ in range(25)]
        # nothing more, nothing twice: the next delivery is a sentinel sent after all of them
        sentinel = await asyncio.to_thread(
            produce_messages, rt_settings, booking_id=owner["booking_id"], count=1, text="sentinel"
        )
        assert int((await again.data("m", timeout=30))["messageReceived"]["message"]["databaseId"]) == sentinel[0]
    received = [int(e["message"]["databaseId"]) for e in first + rest]
    assert received == ids  # every message, once, in order
    cursors = [int(e["cursor"]) for e in first + rest]
    assert cursors == sorted(set(cursors))


class RedisServer:
    """Our own redis-server on a spare loopback port (the shared one is never stopped)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if (
                subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout.strip()
                == b"PONG"
            ):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


async def _unpublished(session: AsyncSession, owner_id: int) -> int:
    await session.commit()
    return int(
        (
            await (await session.connection()).execute(
                text("SELECT count(*) FROM domain_events WHERE owner_id = :o AND published_at IS NULL"), {"o": owner_id}
            )
        ).scalar_one()
    )


async def test_messages_sent_while_redis_is_down_are_all_delivered_when_it_returns(
    servers: StartServer, rt_settings: Settings
) -> None:
    redis = RedisServer()
    redis.start()
    try:
        # its own database too: no relay of another test's servers (on the shared Redis) may publish these events
        settings: Settings = msgspec.structs.replace(
            rt_settings, redis_url=redis.url, database_url=await own_database(rt_settings.database_url or "", "outage")
        )
        server = await servers(settings)
        engine = create_async_engine(settings.database_url or "")
        session = AsyncSession(engine, expire_on_commit=False)
        owner = await owner_with_booking(server.base_url, session)
        async with GraphQLSocket(server.ws_url, owner["access_token"]) as socket:
            await socket.subscribe("m", MESSAGE_SUBSCRIPTION)
            await asyncio.sleep(0.3)
            before = await asyncio.to_thread(
                produce_messages, settings, booking_id=owner["booking_id"], count=1, text="før"
            )
            assert (await socket.data("m", timeout=10))["messageReceived"]["message"]["databaseId"] == before[0]

            redis.stop()
            during = await asyncio.to_thread(
                produce_messages, settings, booking_id=owner["booking_id"], count=5, text="under"
            )
            await asyncio.sleep(1.5)
            assert await _unpublished(session, owner["owner_id"]) == 5  # waiting in the outbox
            assert socket.pending("m") == 0

            redis.start()  # back on the same port
            received = [
                int((await socket.data("m", timeout=30))["messageReceived"]["message"]["databaseId"]) for _ in range(5)
            ]
            assert received == during
            after = await asyncio.to_thread(
                produce_messages, settings, booking_id=owner["booking_id"], count=1, text="etter"
            )
            assert (await socket.data("m", timeout=10))["messageReceived"]["message"]["databaseId"] == after[0]
            # no duplicates from the outbox being published after the catch-up: the next one is a sentinel
            sentinel = await asyncio.to_thread(
                produce_messages, settings, booking_id=owner["booking_id"], count=1, text="sentinel"
            )
            assert (await socket.data("m", timeout=10))["messageReceived"]["message"]["databaseId"] == sentinel[0]
        for _ in range(100):
            if await _unpublished(session, owner["owner_id"]) == 0:
                break
            await asyncio.sleep(0.1)
        assert await _unpublished(session, owner["owner_id"]) == 0
        await session.close()
        await engine.dispose()
        server.stop()
        await drop_database(settings.database_url or "")
    finally:
        redis.stop()
