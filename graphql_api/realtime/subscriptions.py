"""GraphQL subscriptions (graphql-transport-ws): new messages, notifications, unread counts, booking updates.

The token comes in `connection_init`. Each event carries a `cursor`; a client that reconnects with
`after: <last cursor>` gets every event it missed (from the database), then the live stream.

Messages and notifications are built from their event's payload, which carries every field the query type
shows (the payload is written in the same transaction as the row, so it is the row as committed). A booking
is read when its event is delivered, on a short session of its own: the event names the booking, the booking's
current state is what a client caches.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from functools import partial
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry import relay
from strawberry.types import Info

from app import tracing
from app.auth.tokens import AccessClaims
from app.domain.bookings import queries as bookings
from app.domain.events.envelope import BOOKING_UPDATED, MESSAGE_CREATED, NOTIFICATION_CREATED, EventEnvelope
from app.domain.limits import BIGINT_MAX
from app.domain.messages.attachments import signed_item
from app.domain.messages.results import MessageView
from app.domain.notifications.service import NotificationView
from app.errors import ValidationFailed
from app.realtime import stream
from app.realtime.memo import event_key
from graphql_api.bookings.types import Booking
from graphql_api.context import GraphQLContext
from graphql_api.messages.types import Message
from graphql_api.node import database_id_of
from graphql_api.notifications.types import Notification
from graphql_api.realtime.types import BookingUpdated, MessageReceived, NotificationReceived, UnreadCountsUpdate

T = TypeVar("T")
Ctx = Info[GraphQLContext, None]

AFTER = "The `cursor` of the last event received: the events after it are delivered first, then the live stream."
BOOKING_ID = "Only this booking's events (a `Booking` id; a `Thread` id names the same booking)."


def _cursor(after: str | None) -> int | None:
    if after is None or after == "":
        return None
    try:
        value = int(after)
    except ValueError:
        value = -1
    if not 0 <= value <= BIGINT_MAX:
        raise ValidationFailed(
            "after must be a cursor received from this subscription.", fields={"after": "invalid_cursor"}
        )
    return value


def _booking_filter(booking_id: relay.GlobalID | None) -> int | None:
    if booking_id is None:
        return None
    kind = "Thread" if booking_id.type_name == "Thread" else "Booking"
    return database_id_of(booking_id, kind, "bookingId")


def _booking_of(event: EventEnvelope) -> int | None:
    try:
        return int(event.payload["booking_id"])
    except (KeyError, TypeError, ValueError):
        return None


async def _owner_events(
    info: Ctx,
    event_type: str,
    after: str | None,
    present: Callable[[AccessClaims, EventEnvelope], Awaitable[T | None]],
    booking_id: relay.GlobalID | None = None,
) -> AsyncGenerator[T, None]:
    """The caller's events of one type from `after` on (one booking's with `booking_id`), each presented; an
    event whose object is gone by the time it is delivered is skipped.

    An event is presented once per process for all of its owner's subscriptions of this field (`EventMemo`):
    they get the same object, and the executor runs each selection on it once (`SharedEventExecution`)."""
    claims = await info.context.subscriber_claims()
    only = _booking_filter(booking_id)
    accept = None if only is None else (lambda e: _booking_of(e) == only)
    services = info.context.services
    memo = services.realtime.memo
    kind = info.field_name
    events = stream.owner_events(services, claims, types={event_type}, after=_cursor(after), accept=accept)
    async with aclosing(events):
        async for event in events:
            if event is None:
                continue
            key = event_key(kind, claims.owner_id, event.id, event.seq, event.created_at)
            hooks = tracing.hooks
            if hooks is None:
                presented = await memo.once(key, partial(present, claims, event))
            else:
                with hooks.delivering(event, kind):
                    presented = await memo.once(key, partial(present, claims, event))
            if presented is not None:
                yield presented


@strawberry.type
class RealtimeSubscription:
    @strawberry.subscription(description="New messages in the caller's threads (one booking's with `bookingId`).")
    async def message_received(
        self,
        info: Ctx,
        booking_id: Annotated[relay.GlobalID | None, strawberry.argument(description=BOOKING_ID)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> AsyncGenerator[MessageReceived, None]:
        settings = info.context.services.settings

        async def present(claims: AccessClaims, e: EventEnvelope) -> MessageReceived:
            view = MessageView.from_event(claims.owner_id, signed_item(e.payload, settings))
            return MessageReceived(cursor=str(e.seq), message=Message.of(view))

        async with aclosing(_owner_events(info, MESSAGE_CREATED, after, present, booking_id)) as received:
            async for item in received:
                yield item

    @strawberry.subscription(description="New notifications of the caller.")
    async def notification_received(
        self, info: Ctx, after: Annotated[str | None, strawberry.argument(description=AFTER)] = None
    ) -> AsyncGenerator[NotificationReceived, None]:
        async def present(claims: AccessClaims, e: EventEnvelope) -> NotificationReceived:
            view = NotificationView.from_event(e.payload)
            return NotificationReceived(cursor=str(e.seq), notification=Notification.of(view))

        async with aclosing(_owner_events(info, NOTIFICATION_CREATED, after, present)) as received:
            async for item in received:
                yield item

    @strawberry.subscription(description="The caller's unread counts: now, then whenever they change.")
    async def unread_counts(self, info: Ctx) -> AsyncGenerator[UnreadCountsUpdate, None]:
        claims = await info.context.subscriber_claims()
        updates = stream.unread_count_updates(info.context.services, claims)
        async with aclosing(updates):
            async for counts in updates:
                yield UnreadCountsUpdate(messages=counts.messages, notifications=counts.notifications)

    @strawberry.subscription(
        description="Changes of the caller's bookings (one booking's with `bookingId`): status, time, cancellation."
    )
    async def booking_updated(
        self,
        info: Ctx,
        booking_id: Annotated[relay.GlobalID | None, strawberry.argument(description=BOOKING_ID)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> AsyncGenerator[BookingUpdated, None]:
        async def present(claims: AccessClaims, e: EventEnvelope) -> BookingUpdated | None:
            number = _booking_of(e)
            if number is None:
                return None
            found: dict[int, Any] = await info.context.read(bookings.lines_by_id, claims.owner_id, [number])
            line = found.get(number)
            return BookingUpdated(cursor=str(e.seq), booking=Booking.of(line)) if line is not None else None

        async with aclosing(_owner_events(info, BOOKING_UPDATED, after, present, booking_id)) as received:
            async for item in received:
                yield item
