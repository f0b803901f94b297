"""Subscriptions over a real WebSocket: producers in other processes, two app instances, other owners."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import httpx
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app.settings import Settings
from tests.realtime.conftest import owner_with_booking
from tests.realtime.harness import (
    BOOKING_SUBSCRIPTION,
    MESSAGE_SUBSCRIPTION,
    NOTIFICATION_SUBSCRIPTION,
    ROOT,
    UNREAD_SUBSCRIPTION,
    GraphQLSocket,
    Server,
    booking_gid,
    produce_messages,
    server_env,
)


async def test_message_from_another_process_reaches_the_subscriber(
    pair: tuple[Server, Server], session: AsyncSession, rt_settings: Settings
) -> None:
    server = pair[0]
    owner = await owner_with_booking(server.base_url, session)
    async with GraphQLSocket(server.ws_url, owner["access_token"]) as socket:
        await socket.subscribe("m", MESSAGE_SUBSCRIPTION)
        await asyncio.sleep(0.3)  # the subscription is registered
        ids = await asyncio.to_thread(
            produce_messages, rt_settings, booking_id=owner["booking_id"], count=1, text="Bilen er klar"
        )
        data = await socket.data("m", timeout=5)
    event = data["messageReceived"]
    assert event["message"]["databaseId"] == ids[0]
    assert event["message"]["text"] == "Bilen er klar 0"
    assert event["message"]["senderType"] == "WORKSHOP"
    assert event["message"]["bookingId"] == booking_gid(owner["booking_id"])


async def test_minbil_workshop_reply_in_another_process_reaches_the_owner_on_every_instance(
    pair: tuple[Server, Server], session: AsyncSession, rt_settings: Settings
) -> None:
    a, b = pair
    owner = await owner_with_booking(a.base_url, session)
    async with (
        GraphQLSocket(a.ws_url, owner["access_token"]) as on_a,
        GraphQLSocket(b.ws_url, owner["access_token"]) as on_b,
    ):
        await on_a.subscribe("m", MESSAGE_SUBSCRIPTION, {"bookingId": booking_gid(owner["booking_id"])})
        await on_b.subscribe("n", NOTIFICATION_SUBSCRIPTION)
        await on_b.subscribe("u", UNREAD_SUBSCRIPTION)
        assert (await on_b.data("u"))["unreadCounts"]["messages"] == 0
        await asyncio.sleep(0.3)
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "app.cli", "workshop", "reply", str(owner["booking_id"]), "Bilen", "er", "klar"],
            cwd=ROOT,
            env=server_env(rt_settings),
            capture_output=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr.decode()[-2000:]
        message = (await on_a.data("m"))["messageReceived"]["message"]
        assert message["text"] == "Bilen er klar" and message["senderType"] == "WORKSHOP"
        notification = (await on_b.data("n"))["notificationReceived"]["notification"]
        assert notification["type"] == "MESSAGE_NEW"
        counts = (await on_b.data("u"))["unreadCounts"]
        while counts["messages"] < 1 or counts["notifications"] < 1:
            counts = (await on_b.data("u"))["unreadCounts"]
        assert counts == {"messages": 1, "notifications": 1, "total": 2}


async def test_message_sent_through_instance_a_reaches_a_subscriber_on_instance_b(
    pair: tuple[Server, Server], session: AsyncSession
) -> None:
    a, b = pair
    owner = await owner_with_booking(a.base_url, session)
    async with GraphQLSocket(b.ws_url, owner["access_token"]) as on_b:
        await on_b.subscribe("m", MESSAGE_SUBSCRIPTION, {"bookingId": booking_gid(owner["booking_id"])})
        await asyncio.sleep(0.3)
        # the owner writes through instance A (its REST face), the subscriber listens on instance B
        async with httpx.AsyncClient(base_url=a.base_url) as client:
            response = await client.post(
                "/api/co/messages/send",
                headers={"Authorization": f"Bearer {owner['access_token']}"},
                json={"thread_id": str(owner["booking_id"]), "message": "Hei fra A"},
            )
        assert response.status_code == 201, response.text
        data = await on_b.data("m", timeout=5)
    assert data["messageReceived"]["message"]["text"] == "Hei fra A"
    assert data["messageReceived"]["message"]["senderType"] == "CAROWNER"


async def test_delivered_attachment_links_are_signed_at_delivery(
    pair: tuple[Server, Server], session: AsyncSession
) -> None:
    a, b = pair
    owner = await owner_with_booking(a.base_url, session)
    query = MESSAGE_SUBSCRIPTION.replace("text isRead", "text isRead attachments { url name size contentType }")
    headers = {"Authorization": f"Bearer {owner['access_token']}"}
    async with GraphQLSocket(b.ws_url, owner["access_token"]) as on_b, httpx.AsyncClient(base_url=a.base_url) as client:
        await on_b.subscribe("m", query, {"bookingId": booking_gid(owner["booking_id"])})
        await asyncio.sleep(0.3)
        response = await client.post(
            "/api/co/messages/send",
            headers=headers,
            data={"thread_id": str(owner["booking_id"])},
            files=[("files", ("faktura.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"))],
        )
        assert response.status_code == 201, response.text
        delivered = (await on_b.data("m", timeout=5))["messageReceived"]["message"]["attachments"][0]["url"]
        stored = response.json()["message"]["attachments"][0]["url"].split("?")[0]
        assert delivered.startswith(stored + "?exp=") and "&sig=" in delivered
        assert (await client.get(delivered)).status_code == 200
        assert (await client.get(stored)).status_code == 403


async def test_another_owners_subscriber_receives_nothing(
    pair: tuple[Server, Server], session: AsyncSession, rt_settings: Settings
) -> None:
    a = pair[0]
    owner = await owner_with_booking(a.base_url, session)
    other = await owner_with_booking(a.base_url, session)
    async with (
        GraphQLSocket(a.ws_url, other["access_token"]) as spy,
        GraphQLSocket(a.ws_url, owner["access_token"]) as mine,
    ):
        await spy.subscribe("m", MESSAGE_SUBSCRIPTION)
        await spy.subscribe("n", NOTIFICATION_SUBSCRIPTION)
        await spy.subscribe("b", BOOKING_SUBSCRIPTION)
        # even naming the owner's booking gives nothing
        await spy.subscribe("x", MESSAGE_SUBSCRIPTION, {"bookingId": booking_gid(owner["booking_id"]), "after": "0"})
        await mine.subscribe("m", MESSAGE_SUBSCRIPTION)
        await asyncio.sleep(0.3)
        ids = await asyncio.to_thread(produce_messages, rt_settings, booking_id=owner["booking_id"], count=3)
        assert [(await mine.data("m", timeout=5))["messageReceived"]["message"]["databaseId"] for _ in range(3)] == ids
        # sentinels for the spy, published after the owner's events: a stray event would arrive before them
        reply = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "app.cli", "workshop", "reply", str(other["booking_id"]), "sentinel"],
            cwd=ROOT,
            env=server_env(rt_settings),
            capture_output=True,
            timeout=120,
        )
        assert reply.returncode == 0, reply.stderr.decode()[-2000:]
        await asyncio.to_thread(
            produce_messages, rt_settings, booking_id=other["booking_id"], event="booking.updated", status="CONFIRMED"
        )
        message = (await spy.data("m", timeout=10))["messageReceived"]["message"]
        assert message["bookingId"] == booking_gid(other["booking_id"]) and message["text"] == "sentinel"
        notification = (await spy.data("n", timeout=10))["notificationReceived"]["notification"]
        assert notification["type"] == "MESSAGE_NEW"
        update = (await spy.data("b", timeout=10))["bookingUpdated"]["booking"]
        assert update["bookingId"] == booking_gid(other["booking_id"]) and update["status"] == "CONFIRMED"
        # the subscription naming the owner's booking can have no sentinel of its own; it shares the spy's
        # stream, which has delivered everything published before the sentinels
        assert spy.pending("x") == 0


async def test_five_hundred_concurrent_sends_over_two_instances_are_stored_and_delivered_once(
    pair: tuple[Server, Server], session: AsyncSession
) -> None:
    a, b = pair
    owner = await owner_with_booking(a.base_url, session)
    async with (
        GraphQLSocket(a.ws_url, owner["access_token"]) as on_a,
        GraphQLSocket(b.ws_url, owner["access_token"]) as on_b,
    ):
        await on_a.subscribe("m", MESSAGE_SUBSCRIPTION)
        await on_b.subscribe("m", MESSAGE_SUBSCRIPTION)
        await asyncio.sleep(0.3)
        token = {"Authorization": f"Bearer {owner['access_token']}"}

        async def send(client: httpx.AsyncClient, i: int) -> int:
            response = await client.post(
                "/api/co/messages/send",
                headers=token,
                json={"thread_id": str(owner["booking_id"]), "message": f"melding {i}"},
            )
            assert response.status_code == 201, response.text
            return int(response.json()["message"]["id"])

        limits = httpx.Limits(max_connections=25)
        async with (
            httpx.AsyncClient(base_url=a.base_url, limits=limits, timeout=60) as ca,
            httpx.AsyncClient(base_url=b.base_url, limits=limits, timeout=60) as cb,
        ):
            sent = await asyncio.gather(*(send(ca if i % 2 else cb, i) for i in range(500)))
        assert len(set(sent)) == 500

        for socket in (on_a, on_b):
            received = [(await socket.data("m", timeout=15))["messageReceived"] for _ in range(500)]
            assert sorted(int(e["message"]["databaseId"]) for e in received) == sorted(sent)
            assert len({e["cursor"] for e in received}) == 500
            cursors = [int(e["cursor"]) for e in received]
            assert cursors == sorted(cursors)  # publication order
        # nothing twice: the next delivery on each socket is a sentinel sent after the 500
        async with httpx.AsyncClient(base_url=a.base_url) as client:
            sentinel = await send(client, 500)
        for socket in (on_a, on_b):
            assert int((await socket.data("m", timeout=15))["messageReceived"]["message"]["databaseId"]) == sentinel

    for _ in range(100):  # the relay marks the sentinel's event published just after publishing it
        await session.commit()
        rows = (
            await (await session.connection()).execute(
                text(
                    "SELECT count(*), count(DISTINCT seq), count(published_at) FROM domain_events "
                    "WHERE event_type = 'message.created' AND owner_id = :o"
                ),
                {"o": owner["owner_id"]},
            )
        ).one()
        if rows[2] == 501:
            break
        await asyncio.sleep(0.05)
    assert tuple(rows) == (501, 501, 501)  # the 500 and the sentinel
    stored = (
        await (await session.connection()).execute(
            text("SELECT count(*) FROM messages WHERE owner_id = :o AND sender_type = 'carowner'"),
            {"o": owner["owner_id"]},
        )
    ).scalar()
    assert stored == 501
