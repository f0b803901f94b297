"""GraphQL subscriptions (graphql-transport-ws): new messages, notifications, unread counts, booking updates.

The token comes in `connection_init`. Each event carries a `cursor`; a client that reconnects with
`after: <last cursor>` gets every event it missed (from the database), then the live stream.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from datetime import datetime
from typing import Annotated, Any, TypeAlias, TypeVar

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from app.domain.events import presence
from app.domain.events.config import realtime_config
from app.domain.events.envelope import BOOKING_UPDATED, MESSAGE_CREATED, NOTIFICATION_CREATED, EventEnvelope
from app.domain.limits import BIGINT_MAX
from app.domain.messages.attachments import signed_event
from app.errors import ValidationFailed
from app.mapping import same_named
from app.realtime import stream
from graphql_api.context import GraphQLContext
from graphql_api.errors import AnyUserError
from graphql_api.messages.types import UnreadCounts
from graphql_api.mutations import as_owner

T = TypeVar("T")


def _cursor(after: str | None) -> int | None:
    if after is None or after == "":
        return None
    try:
        value = int(after)
    except ValueError:
        value = -1
    if not 0 <= value <= BIGINT_MAX:
        raise ValidationFailed(
            "after must be a cursor received from this subscription.", fields={"after": "not a valid cursor"}
        )
    return value


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _stored(p: dict[str, Any]) -> dict[str, Any]:
    """The fields of a stored message or notification that its event payload carries."""
    return {"id": _int(p.get("id")), "is_read": bool(p.get("is_read", False)), "created_at": _time(p.get("created_at"))}


@strawberry.type
class RealtimeMessage:
    id: int | None
    booking_id: int | None
    workshop_org_nr: str | None
    sender_type: str
    message_text: str
    attachments: JSON
    is_read: bool
    created_at: datetime | None

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> RealtimeMessage:
        return cls(
            **_stored(p),
            booking_id=_int(p.get("booking_id")),
            workshop_org_nr=p.get("workshop_org_nr"),
            sender_type=str(p.get("sender_type") or ""),
            message_text=str(p.get("message_text") or ""),
            attachments=JSON(p.get("attachments") or []),
        )


def _envelope(e: EventEnvelope) -> dict[str, Any]:
    return {"cursor": str(e.seq), "event_id": e.id}


@strawberry.type
class Replayable:
    """The fields every resumable subscription's event starts with (not a schema type of its own)."""

    cursor: str = strawberry.field(description="Pass as `after` when reconnecting.")
    event_id: int


@strawberry.type
class MessageReceived(Replayable):
    message: RealtimeMessage

    @classmethod
    def from_event(cls, e: EventEnvelope) -> MessageReceived:
        return cls(**_envelope(e), message=RealtimeMessage.from_payload(e.payload))


@strawberry.type
class RealtimeNotification:
    id: int | None
    type: str
    title: str
    body: str
    data: JSON
    is_read: bool
    created_at: datetime | None
    read_at: datetime | None

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> RealtimeNotification:
        return cls(
            **_stored(p),
            type=str(p.get("type") or ""),
            title=str(p.get("title") or ""),
            body=str(p.get("body") or ""),
            data=JSON(p.get("data") or {}),
            read_at=_time(p.get("read_at")),
        )


@strawberry.type
class NotificationReceived(Replayable):
    notification: RealtimeNotification

    @classmethod
    def from_event(cls, e: EventEnvelope) -> NotificationReceived:
        return cls(**_envelope(e), notification=RealtimeNotification.from_payload(e.payload))


@strawberry.type
class BookingUpdated:
    cursor: str
    event_id: int
    booking_id: int | None
    group_id: str | None
    status: str | None
    status_display: str | None
    updated_at: datetime | None

    @classmethod
    def from_event(cls, e: EventEnvelope) -> BookingUpdated:
        p = e.payload
        return cls(
            **_envelope(e),
            booking_id=_int(p.get("booking_id")),
            group_id=None if p.get("group_id") is None else str(p.get("group_id")),
            status=p.get("status"),
            status_display=p.get("status_display"),
            updated_at=_time(p.get("updated_at")),
        )


@strawberry.type
class UnreadCountsUpdate(UnreadCounts):
    """The query's counts under the subscription's own type name."""


async def _owner_events(
    info: Info[GraphQLContext, None],
    event_type: str,
    after: str | None,
    present: Callable[[EventEnvelope], T],
    booking_id: int | None = None,
) -> AsyncGenerator[T, None]:
    """The caller's events of one type from `after` on (one booking's with `booking_id`), each presented."""
    claims = await info.context.subscriber_claims()
    accept = None if booking_id is None else (lambda e: _int(e.payload.get("booking_id")) == booking_id)
    events = stream.owner_events(info.context.services, claims, types={event_type}, after=_cursor(after), accept=accept)
    async with aclosing(events):
        async for event in events:
            if event is not None:
                yield present(event)


@strawberry.type
class RealtimeSubscription:
    @strawberry.subscription(description="New messages in the caller's threads (one booking's with `bookingId`).")
    async def message_received(
        self, info: Info[GraphQLContext, None], booking_id: int | None = None, after: str | None = None
    ) -> AsyncGenerator[MessageReceived, None]:
        settings = info.context.services.settings

        def present(e: EventEnvelope) -> MessageReceived:
            return MessageReceived.from_event(signed_event(e, settings))

        async with aclosing(_owner_events(info, MESSAGE_CREATED, after, present, booking_id)) as received:
            async for item in received:
                yield item

    @strawberry.subscription(description="New notifications of the caller.")
    async def notification_received(
        self, info: Info[GraphQLContext, None], after: str | None = None
    ) -> AsyncGenerator[NotificationReceived, None]:
        async with aclosing(
            _owner_events(info, NOTIFICATION_CREATED, after, NotificationReceived.from_event)
        ) as received:
            async for item in received:
                yield item

    @strawberry.subscription(description="The caller's unread counts: now, then whenever they change.")
    async def unread_counts(self, info: Info[GraphQLContext, None]) -> AsyncGenerator[UnreadCountsUpdate, None]:
        claims = await info.context.subscriber_claims()
        updates = stream.unread_count_updates(info.context.services, claims)
        async with aclosing(updates):
            async for counts in updates:
                yield same_named(UnreadCountsUpdate, counts)

    @strawberry.subscription(description="Status changes of the caller's bookings (one booking's with `bookingId`).")
    async def booking_updated(
        self, info: Info[GraphQLContext, None], booking_id: int | None = None, after: str | None = None
    ) -> AsyncGenerator[BookingUpdated, None]:
        async with aclosing(
            _owner_events(info, BOOKING_UPDATED, after, BookingUpdated.from_event, booking_id)
        ) as received:
            async for item in received:
                yield item


@strawberry.type
class RealtimeConfig:
    graphql_ws_url: str = strawberry.field(description="The GraphQL WebSocket endpoint (graphql-transport-ws).")
    protocol: str
    token: str = strawberry.field(description="A short-lived access token for `connection_init`.")
    expires_in: int
    channels: JSON = strawberry.field(description="The caller's channel names.")
    enabled: bool


@strawberry.type
class Presence:
    status: str
    queued_delivered: int = strawberry.field(description="Queued offline events pushed to the caller's channel now.")


SetPresencePayload: TypeAlias = Annotated[Presence | AnyUserError, strawberry.union("SetPresencePayload")]


@strawberry.type
class RealtimeQuery:
    @strawberry.field(description="Where and how to subscribe, with a short-lived token.")
    async def realtime_config(self, info: Info[GraphQLContext, None]) -> RealtimeConfig:
        result = realtime_config(info.context.services, await info.context.require_claims())
        return same_named(RealtimeConfig, result, graphql_ws_url=result.ws_url)


@strawberry.type
class RealtimeMutation:
    @strawberry.mutation(description="online | offline | away; going online delivers the events queued while offline.")
    async def set_presence(self, info: Info[GraphQLContext, None], status: str) -> SetPresencePayload:
        return await as_owner(
            info,
            lambda uow, owner_id: presence.set_presence(uow, owner_id, status),
            lambda result: same_named(Presence, result),
        )


QUERIES = (RealtimeQuery,)
MUTATIONS = (RealtimeMutation,)
SUBSCRIPTIONS = (RealtimeSubscription,)
