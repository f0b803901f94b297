"""The notification types: `Notification` (a `Node`), its type enum, its connection.

`Notification.of(item)` is the one way from a domain `NotificationView` to a `Notification`: the list, the
`notification` root field and the `notificationReceived` subscription event use it. The stored `data`
document becomes typed references (global ids) to what the notification is about.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from app.domain.limits import INT_MAX
from app.domain.notifications.service import NotificationView, notifications_by_id
from graphql_api.connections import Connection
from graphql_api.mapping import domain_value
from graphql_api.node import Ctx, Entity, global_id, owned_nodes


@strawberry.enum(description="What a notification is about (the events of the notification settings).")
class NotificationType(Enum):
    BOOKING_REQUESTED = strawberry.enum_value(
        "booking.requested", description="A booking was sent to the workshop and waits for its answer."
    )
    BOOKING_ACCEPTED = strawberry.enum_value("booking.accepted", description="The workshop confirmed a booking.")
    BOOKING_DECLINED = strawberry.enum_value("booking.declined", description="The workshop declined a booking.")
    BOOKING_UPDATED = strawberry.enum_value(
        "booking.updated",
        description="A booking changed outside its status flow: a new time, a change request answered, a payment "
        "received.",
    )
    BOOKING_COMPLETED = strawberry.enum_value("booking.completed", description="The workshop finished the service.")
    MESSAGE_NEW = strawberry.enum_value("message.new", description="The workshop wrote in a booking's thread.")
    RATING_REMINDER = strawberry.enum_value(
        "rating.reminder", description="A finished service waits for the owner's rating of the workshop."
    )


def _number(value: Any) -> int | None:
    """A positive database id from the stored document (ints, or digit strings of older rows)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit() and len(value) < 11:
        value = int(value)
    return value if isinstance(value, int) and 0 < value <= INT_MAX else None


def _ref(type_name: str, value: Any) -> strawberry.ID | None:
    number = _number(value)
    return global_id(type_name, number) if number is not None else None


@strawberry.type(
    description="Something the owner was told about: in the app's list, and live on `notificationReceived`."
)
class Notification(Entity):
    id: relay.NodeID[int]
    type: NotificationType = strawberry.field(description="What the notification is about.")
    title: str = strawberry.field(description="A short heading, in Norwegian.")
    body: str = strawberry.field(description="The text, in Norwegian.")
    is_read: bool = strawberry.field(description="Whether the owner has marked it read.")
    created_at: datetime = strawberry.field(description="When it was created (UTC).")
    read_at: datetime | None = strawberry.field(description="When it was marked read; null while unread.")
    booking_ids: list[strawberry.ID] = strawberry.field(
        description="Global ids of the bookings it is about (`Booking.id`); empty when none."
    )
    booking_group_id: strawberry.ID | None = strawberry.field(
        description="Global id of the booking group (one order of several services) it is about (`BookingGroup.id`)."
    )
    thread_id: strawberry.ID | None = strawberry.field(
        description="For a new message: global id of the thread (`Thread.id`); null otherwise."
    )
    message_id: strawberry.ID | None = strawberry.field(
        description="For a new message: global id of the message (`Message.id`); null otherwise."
    )
    workshop_id: strawberry.ID | None = strawberry.field(
        description="Global id of the workshop involved (`Workshop.id`); null when none is named."
    )
    payment_id: strawberry.ID | None = strawberry.field(
        description="For a received payment: global id of the payment (`Payment.id`); null otherwise."
    )
    change_request_id: strawberry.ID | None = strawberry.field(
        description="For an answered change request: its global id (`ChangeRequest.id`); null otherwise."
    )
    amount: int | None = strawberry.field(description="For a received payment: the amount paid, in øre.")
    currency: str | None = strawberry.field(description="For a received payment: the currency (ISO 4217, e.g. NOK).")
    reason: str | None = strawberry.field(
        description="For a declined booking: the workshop's reason, when it gave one."
    )

    @classmethod
    def of(cls, n: NotificationView) -> Notification:
        data = n.data
        booking_ids = data.get("booking_ids")
        if not isinstance(booking_ids, list):
            booking_ids = [data.get("booking_id")] if data.get("booking_id") is not None else []
        org_nr = data.get("workshop_org_nr") or data.get("org_nr")
        is_message = n.type == domain_value(NotificationType.MESSAGE_NEW)
        amount, currency, reason = data.get("amount"), data.get("currency"), data.get("reason")
        return cls(
            id=n.id,
            type=NotificationType(n.type),
            title=n.title,
            body=n.body,
            is_read=n.is_read,
            created_at=n.created_at,
            read_at=n.read_at,
            booking_ids=[ref for ref in (_ref("Booking", b) for b in booking_ids) if ref is not None],
            booking_group_id=_ref("BookingGroup", data.get("group_id")),
            thread_id=_ref("Thread", data.get("booking_id") or data.get("thread_id")) if is_message else None,
            message_id=_ref("Message", data.get("message_id")),
            workshop_id=global_id("Workshop", org_nr) if isinstance(org_nr, str) and org_nr else None,
            payment_id=_ref("Payment", data.get("payment_id")),
            change_request_id=_ref("ChangeRequest", data.get("change_request_id")),
            amount=amount if isinstance(amount, int) and not isinstance(amount, bool) else None,
            currency=currency.upper() if isinstance(currency, str) and currency else None,
            reason=reason if isinstance(reason, str) and reason else None,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # strawberry's overloads by `required`, one body
        cls, *, info: Ctx, node_ids: Iterable[str], required: bool = False
    ) -> list[Notification | None]:
        return await owned_nodes(info, node_ids, notifications_by_id, cls.of)


@strawberry.type(description="A page of the owner's notifications, newest first.")
class NotificationConnection(Connection[Notification]):
    unread_total: int = strawberry.field(
        description="The owner's unread notifications (all of them, whatever the filter)."
    )
