"""The payments mutations' inputs; `to_command()` reads them through the same parsing as REST
(`app.domain.payments.inputs`), so both faces refuse alike."""

from __future__ import annotations

import strawberry
from strawberry import relay

from app.domain.payments.commands import ConfirmPaymentIntent, CreatePaymentIntent
from app.domain.payments.inputs import parse_confirm_intent, parse_create_intent
from app.errors import ValidationFailed
from graphql_api.node import database_id_of
from graphql_api.payments.types import payment_key_of

GROUP_NODE = "BookingGroup"


def _group_key(gid: relay.GlobalID, argument: str) -> str:
    if gid.type_name == GROUP_NODE and gid.node_id:
        return gid.node_id
    raise ValidationFailed(f"{argument} must be the id of a {GROUP_NODE}.", fields={argument: "invalid_id"})


@strawberry.input(description="What to pay: exactly one of `bookingId` and `groupId`. The amount is never sent.")
class CreatePaymentIntentInput:
    booking_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Any line of the group to pay (`Booking.id`); the whole group is paid."
    )
    group_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The booking group to pay (`BookingGroup.id`)."
    )

    def to_command(self) -> CreatePaymentIntent:
        return parse_create_intent(
            booking_id=database_id_of(self.booking_id, "Booking", "input.bookingId") if self.booking_id else None,
            group_id=_group_key(self.group_id, "input.groupId") if self.group_id else None,
        )


@strawberry.input(description="Which intent to confirm, and how.")
class ConfirmPaymentIntentInput:
    id: relay.GlobalID = strawberry.field(description="The intent to confirm (`PaymentIntent.id`).")
    payment_method: str | None = strawberry.field(
        default=None,
        description="The provider's payment method id (`pm_...`); null to confirm with the method already attached "
        "(or, after REQUIRES_ACTION, once the owner completed the step).",
    )
    return_url: str | None = strawberry.field(
        default=None, description="An http(s) URL the owner returns to after a redirect step (3-D Secure)."
    )

    def to_command(self) -> ConfirmPaymentIntent:
        return parse_confirm_intent(
            payment_key_of(self.id, "input.id"), payment_method=self.payment_method, return_url=self.return_url
        )
