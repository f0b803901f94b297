"""The realtime events carry what the query types need: a `message.created` / `notification.created` payload
becomes the same `Message` / `Notification` the queries answer (`Message.of(MessageView.from_event(...))`)."""

from __future__ import annotations

from typing import Any

import httpx

from app.domain.messages.results import MessageView
from app.domain.notifications.service import NotificationView
from app.services import Services
from db.models import Booking
from graphql_api.messages.types import Message, MessageSenderType
from graphql_api.node import global_id
from graphql_api.notifications.types import Notification, NotificationType
from tests.conftest import SignedIn
from tests.factories import stored_id
from tests.graphql_client import graphql_data
from tests.messages.conftest import events_of, workshop_says

SEND = """mutation($input: SendMessageInput!) { sendMessage(input: $input) {
  ... on MessageSent { sentMessage { id databaseId text clientMessageId createdAt senderType } } } }"""


async def test_message_event_payload_builds_the_query_type(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    variables: dict[str, Any] = {
        "input": {"bookingId": str(global_id("Booking", booking.id)), "text": "Hei", "clientMessageId": "opt-1"}
    }
    sent = (await graphql_data(client, SEND, variables, owner))["sendMessage"]["sentMessage"]
    (event,) = await events_of(services, owner.owner_id, "message.created")
    message = Message.of(MessageView.from_event(owner.owner_id, event.payload))
    assert message.id == sent["databaseId"] and message.text == "Hei" and message.client_message_id == "opt-1"
    assert message.sender_type is MessageSenderType.CAROWNER
    assert message.thread_id == global_id("Thread", booking.id)
    assert message.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z") == sent["createdAt"]


async def test_notification_event_payload_builds_the_query_type(
    services: Services, owner: SignedIn, booking: Booking
) -> None:
    said = await workshop_says(services, stored_id(booking), "Bilen er klar")
    (event,) = await events_of(services, owner.owner_id, "notification.created")
    notification = Notification.of(NotificationView.from_event(event.payload))
    assert notification.type is NotificationType.MESSAGE_NEW and notification.id == event.payload["id"]
    assert notification.message_id == global_id("Message", said["id"])
    assert notification.booking_ids == [global_id("Booking", booking.id)]
