"""The payments area's root query fields: one intent by id, the payment of a booking's group."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from app.domain.payments import service as payments
from app.errors import NotFound
from graphql_api.context import GraphQLContext
from graphql_api.node import database_id_of
from graphql_api.payments.types import MAX_KEY_LENGTH, PaymentIntent, payment_key_of

Ctx = Info[GraphQLContext, None]


@strawberry.type
class PaymentsQuery:
    @strawberry.field(
        description="One of the caller's payment intents; null when it does not exist or is not the caller's."
    )
    async def payment_intent(
        self,
        info: Ctx,
        id: Annotated[relay.GlobalID, strawberry.argument(description="The intent's global id (`PaymentIntent.id`).")],
    ) -> PaymentIntent | None:
        key = payment_key_of(id, "id")
        if len(key) > MAX_KEY_LENGTH:  # longer than any payment id: none has it
            return None
        found = await info.context.read_as_owner(payments.payments_by_id, [key])
        return PaymentIntent.of(found[key]) if key in found else None

    @strawberry.field(
        description="The payment of the booking group a line belongs to (succeeded, else open, else the newest); "
        "null before any payment, and when the line does not exist or is not the caller's."
    )
    async def payment_for_booking(
        self,
        info: Ctx,
        booking_id: Annotated[relay.GlobalID, strawberry.argument(description="Any line of the group (`Booking.id`).")],
    ) -> PaymentIntent | None:
        number = database_id_of(booking_id, "Booking", "bookingId")
        try:
            view = await info.context.read_as_owner(payments.payment_for_booking, number)
        except NotFound:
            return None
        return PaymentIntent.of(view) if view else None
