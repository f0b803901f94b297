"""`bookingUpdated` with another owner's booking id never delivers (replayed or live), `notificationReceived`
resumes after a cursor with nothing lost and nothing twice.

"Nothing" is checked with a sentinel: an event sent after the one under test is awaited first, so a late
stray event would already be queued when the check runs.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text

from app.settings import Settings
from tests.realtime.conftest import owner_with_booking
from tests.realtime.harness import (
    BOOKING_SUBSCRIPTION,
    NOTIFICATION_SUBSCRIPTION,
    ROOT,
    GraphQLSocket,
    Server,
    booking_gid,
    produce_messages,
    server_env,
)


@pytest.fixture(scope="module")
async def server(rt_settings: Settings) -> AsyncIterator[Server]:
    instance = Server(rt_settings)
    try:
        yield await instance.start()
    finally:
        instance.stop()


async def _published(session: Any, owner_id: int, count: int) -> None:
    """Wait until the relay has published `count` events of the owner (their seq, the cursor, is then set)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        await session.commit()
        done = (
            await session.exec(
                text("SELECT count(*) FROM domain_events WHERE owner_id = :o AND published_at IS NOT NULL").bindparams(
                    o=owner_id
                )
            )
        ).scalar()
        if done >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("events not published")


async def test_each_booking_event_shows_the_booking_and_its_nested_fields_as_they_are_when_delivered(
    server: Server, session: Any, rt_settings: Settings
) -> None:
    """A socket outlives many events: nothing a nested field loaded for one event is reused for the next."""
    me = await owner_with_booking(server.base_url, session)
    query = """subscription($b: ID) { bookingUpdated(bookingId: $b) {
      cursor booking { status thread { unreadCount totalMessages } } } }"""
    async with GraphQLSocket(server.ws_url, me["access_token"]) as socket:
        await socket.subscribe("b", query, {"b": booking_gid(me["booking_id"])})
        await asyncio.sleep(0.3)  # registered before the first event
        await asyncio.to_thread(
            produce_messages, rt_settings, booking_id=me["booking_id"], event="booking.updated", status="CONFIRMED"
        )
        first = (await socket.data("b", timeout=30))["bookingUpdated"]["booking"]
        await asyncio.to_thread(produce_messages, rt_settings, booking_id=me["booking_id"], text="Klar")
        await asyncio.to_thread(
            produce_messages, rt_settings, booking_id=me["booking_id"], event="booking.updated", status="IN_PROGRESS"
        )
        second = (await socket.data("b", timeout=30))["bookingUpdated"]["booking"]
    assert first == {"status": "CONFIRMED", "thread": {"unreadCount": 0, "totalMessages": 0}}
    assert second == {"status": "IN_PROGRESS", "thread": {"unreadCount": 1, "totalMessages": 1}}


async def test_booking_updated_with_another_owners_booking_id_delivers_nothing(
    server: Server, session: Any, rt_settings: Settings
) -> None:
    me = await owner_with_booking(server.base_url, session)
    them = await owner_with_booking(server.base_url, session)
    await asyncio.to_thread(
        produce_messages, rt_settings, booking_id=them["booking_id"], event="booking.updated", status="CONFIRMED"
    )
    await _published(session, them["owner_id"], 1)

    async with GraphQLSocket(server.ws_url, me["access_token"]) as socket:
        # from the start of the stream: a stored update of their booking would be replayed here
        await socket.subscribe(
            "theirs", BOOKING_SUBSCRIPTION, {"bookingId": booking_gid(them["booking_id"]), "after": "0"}
        )
        await socket.subscribe("mine", BOOKING_SUBSCRIPTION, {"bookingId": booking_gid(me["booking_id"]), "after": "0"})
        await asyncio.to_thread(
            produce_messages, rt_settings, booking_id=me["booking_id"], event="booking.updated", status="CONFIRMED"
        )
        first = (await socket.data("mine", timeout=30))["bookingUpdated"]["booking"]
        # live: another update of their booking, then a sentinel on mine
        await asyncio.to_thread(
            produce_messages, rt_settings, booking_id=them["booking_id"], event="booking.updated", status="IN_PROGRESS"
        )
        await _published(session, them["owner_id"], 2)
        await asyncio.to_thread(
            produce_messages, rt_settings, booking_id=me["booking_id"], event="booking.updated", status="IN_PROGRESS"
        )
        sentinel = (await socket.data("mine", timeout=30))["bookingUpdated"]["booking"]

        assert (first["bookingId"], first["status"]) == (booking_gid(me["booking_id"]), "CONFIRMED")
        assert (sentinel["bookingId"], sentinel["status"]) == (booking_gid(me["booking_id"]), "IN_PROGRESS")
        assert socket.pending("theirs") == 0  # neither refused nor delivered: their events are not in my stream
        assert socket.closed is not None and not socket.closed.done()


async def _workshop_reply(settings: Settings, booking_id: int, words: str) -> None:
    """`minbil workshop reply` in another process: a message and its `message.new` notification."""
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "app.cli", "workshop", "reply", str(booking_id), words],
        cwd=ROOT,
        env=server_env(settings),
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]


async def test_notification_received_resumes_after_a_cursor(
    server: Server, session: Any, rt_settings: Settings
) -> None:
    me = await owner_with_booking(server.base_url, session)
    socket = await GraphQLSocket(server.ws_url, me["access_token"]).connect()
    await socket.subscribe("n", NOTIFICATION_SUBSCRIPTION)
    await asyncio.sleep(0.3)  # the subscription joins the owner's channel
    await _workshop_reply(rt_settings, me["booking_id"], "first")
    seen = (await socket.data("n", timeout=30))["notificationReceived"]
    await socket.close()
    for words in ("second", "third"):  # while the owner is away
        await _workshop_reply(rt_settings, me["booking_id"], words)
    # each reply makes a message.created, a notification.created and an unread.changed event
    await _published(session, me["owner_id"], 9)

    async with GraphQLSocket(server.ws_url, me["access_token"]) as again:
        await again.subscribe("n", NOTIFICATION_SUBSCRIPTION, {"after": seen["cursor"]})
        replayed = [(await again.data("n", timeout=30))["notificationReceived"] for _ in range(2)]
        await _workshop_reply(rt_settings, me["booking_id"], "sentinel")
        sentinel = (await again.data("n", timeout=30))["notificationReceived"]
        assert again.pending("n") == 0

    ids = [e["notification"]["databaseId"] for e in (seen, *replayed, sentinel)]
    assert len(set(ids)) == 4 and ids == sorted(ids)  # every notification once, in order
    cursors = [int(e["cursor"]) for e in (seen, *replayed, sentinel)]
    assert cursors == sorted(set(cursors)) and cursors[1] > int(seen["cursor"])
    assert {e["notification"]["type"] for e in (seen, *replayed, sentinel)} == {"MESSAGE_NEW"}
