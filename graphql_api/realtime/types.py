"""What the subscriptions deliver and the realtime settings: events carry the query types themselves
(`Message`, `Notification`, `Booking`), so a client merges an event into its normalised cache as it is."""

from __future__ import annotations

from enum import Enum

import strawberry

from graphql_api.bookings.types import Booking
from graphql_api.messages.types import Message
from graphql_api.notifications.types import Notification

CURSOR = "Pass as `after` when reconnecting: the events after this one are delivered first (from the database), then "
"the live stream, with no gap and no duplicate."


@strawberry.type(description="A new message in one of the caller's threads.")
class MessageReceived:
    cursor: str = strawberry.field(description=CURSOR)
    message: Message = strawberry.field(description="The message, exactly as `thread.messages` shows it.")


@strawberry.type(description="A new notification of the caller.")
class NotificationReceived:
    cursor: str = strawberry.field(description=CURSOR)
    notification: Notification = strawberry.field(
        description="The notification, exactly as the `notifications` query shows it."
    )


@strawberry.type(description="A change of one of the caller's bookings (its status, time or cancellation).")
class BookingUpdated:
    cursor: str = strawberry.field(description=CURSOR)
    booking: Booking = strawberry.field(
        description="The booking as it is now (read when the event is delivered), exactly as `booking(id:)` shows it."
    )


@strawberry.type(description="The caller's unread counts, sent at once and then whenever they change.")
class UnreadCountsUpdate:
    messages: int = strawberry.field(description="Unread workshop -> owner messages over all threads.")
    notifications: int = strawberry.field(description="Unread notifications.")

    @strawberry.field(description="messages + notifications.")
    def total(self) -> int:
        return self.messages + self.notifications


@strawberry.enum(description="Whether the owner is reachable over the app right now.")
class PresenceStatus(Enum):
    ONLINE = strawberry.enum_value(
        "online", description="Using the app: events are pushed; going online delivers what was queued while offline."
    )
    AWAY = strawberry.enum_value("away", description="Connected but idle: events are still pushed.")
    OFFLINE = strawberry.enum_value(
        "offline", description="Not reachable: messages and notifications queue until the owner is online again."
    )


@strawberry.enum(description="The WebSocket subprotocol the endpoint speaks.")
class RealtimeProtocol(Enum):
    GRAPHQL_TRANSPORT_WS = strawberry.enum_value(
        "graphql-transport-ws", description="The graphql-ws project's protocol (`graphql-transport-ws`)."
    )


@strawberry.type(description="One of the caller's realtime channels and the subscription that carries it.")
class RealtimeChannel:
    name: str = strawberry.field(description="The channel's name: `owner`, `messages`, `notifications`, ...")
    target: str = strawberry.field(
        description="Where it is delivered: the owner's stream key for `owner`, else the subscription's field name."
    )


@strawberry.type(description="Where and how to subscribe, with a short-lived token for `connection_init`.")
class RealtimeConfig:
    graphql_ws_url: str = strawberry.field(description="The GraphQL WebSocket endpoint.")
    protocol: RealtimeProtocol = strawberry.field(description="The subprotocol to ask for in the handshake.")
    token: str = strawberry.field(
        description="A token that opens subscriptions only; send it as `Authorization: Bearer <token>` in "
        "`connection_init`. It ends with the caller's session."
    )
    expires_in: int = strawberry.field(description="Seconds until the token expires.")
    channels: list[RealtimeChannel] = strawberry.field(description="The caller's channels.")
    enabled: bool = strawberry.field(description="False when realtime delivery is switched off on this server.")


@strawberry.type(description="The caller's presence after `setPresence`.")
class Presence:
    status: PresenceStatus = strawberry.field(description="The status now recorded.")
    queued_delivered: int = strawberry.field(
        description="Events queued while offline that were pushed to the caller's channel now."
    )
