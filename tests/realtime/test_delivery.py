"""Subscriptions over a real WebSocket: producers in other processes, two app instances, other owners."""

from __future__ import annotations

import asyncio

from tests.realtime.conftest import owner_with_booking
from tests.realtime.harness import MESSAGE_SUBSCRIPTION, GraphQLSocket, produce_messages


async def test_message_from_another_process_reaches_the_subscriber(servers, session, rt_settings):
    server = await servers()
    owner = await owner_with_booking(server.base_url, session)
    async with GraphQLSocket(server.ws_url, owner["access_token"]) as socket:
        await socket.subscribe("m", MESSAGE_SUBSCRIPTION)
        await asyncio.sleep(0.3)  # the subscription is registered
        ids = await asyncio.to_thread(produce_messages, rt_settings, booking_id=owner["booking_id"], count=1, text="Bilen er klar")
        data = await socket.data("m", timeout=5)
    event = data["messageReceived"]
    assert event["message"]["id"] == ids[0]
    assert event["message"]["messageText"] == "Bilen er klar 0"
    assert event["message"]["senderType"] == "workshop"
    assert event["message"]["bookingId"] == owner["booking_id"]
