"""The payments area's output types: `PaymentIntent` (a Node keyed by the payment's REST id), its status,
provider and next action, and `payment_of_group()`, which any type that knows a booking group uses for its
payment (`Booking.payment`), batched per request."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from app.domain.payments import service as payments
from app.domain.payments import states
from app.domain.payments.provider import payment_provider
from app.domain.payments.results import PaymentView
from app.errors import ValidationFailed
from graphql_api.context import GraphQLContext
from graphql_api.node import global_id, owner_keyed, text_keys
from graphql_api.payments.loaders import PaymentLoaders

Ctx = Info[GraphQLContext, None]

NODE = "PaymentIntent"
MAX_KEY_LENGTH = 40  # the length of the `payments.id` column


@strawberry.enum(description="Where a payment intent stands (Stripe's PaymentIntent statuses).")
class PaymentStatus(Enum):
    REQUIRES_PAYMENT_METHOD = strawberry.enum_value(
        states.REQUIRES_PAYMENT_METHOD, description="Created; waiting for the owner's payment method (or a retry)."
    )
    REQUIRES_CONFIRMATION = strawberry.enum_value(
        states.REQUIRES_CONFIRMATION, description="A payment method is attached; waiting for `confirmPaymentIntent`."
    )
    REQUIRES_ACTION = strawberry.enum_value(
        states.REQUIRES_ACTION,
        description="The owner must complete a step (e.g. 3-D Secure); see `nextAction`, then confirm again.",
    )
    PROCESSING = strawberry.enum_value(
        states.PROCESSING, description="The provider is processing the payment; the result arrives by webhook."
    )
    REQUIRES_CAPTURE = strawberry.enum_value(
        states.REQUIRES_CAPTURE, description="Authorised; the amount is held until captured."
    )
    CANCELED = strawberry.enum_value(
        states.CANCELED, description="Final: cancelled (e.g. the booked prices changed); create a new intent to pay."
    )
    SUCCEEDED = strawberry.enum_value(states.SUCCEEDED, description="Final: paid. The group's lines are marked paid.")


@strawberry.enum(description="Which payment provider holds the intent.")
class PaymentProviderName(Enum):
    STRIPE = strawberry.enum_value("stripe", description="Stripe (card payments through Stripe.js / the app SDKs).")
    LOCAL = strawberry.enum_value(
        "local", description="The local stand-in of development and test servers; no money moves."
    )


@strawberry.enum(description="What kind of step the owner must complete before the payment can go on.")
class PaymentNextActionType(Enum):
    REDIRECT_TO_URL = strawberry.enum_value(
        "redirect_to_url",
        description="Open `redirectUrl` (e.g. the bank's 3-D Secure page); it returns to `returnUrl`.",
    )
    USE_STRIPE_SDK = strawberry.enum_value(
        "use_stripe_sdk",
        description="Let Stripe.js / the Stripe SDK handle it (`handleNextAction` with the client secret).",
    )
    OTHER = strawberry.enum_value(
        "other", description="Another Stripe action type; let the Stripe SDK handle it with the client secret."
    )


@strawberry.type(description="The step the owner must complete while the intent is REQUIRES_ACTION.")
class PaymentNextAction:
    type: PaymentNextActionType = strawberry.field(description="What kind of step it is.")
    redirect_url: str | None = strawberry.field(
        description="For REDIRECT_TO_URL: the page to open; null for other types."
    )
    return_url: str | None = strawberry.field(
        description="For REDIRECT_TO_URL: where the page sends the owner back to (the `returnUrl` given when "
        "confirming); null when none was given or for other types."
    )

    @classmethod
    def of(cls, action: dict[str, Any] | None) -> PaymentNextAction | None:
        if not action:
            return None
        kind = str(action.get("type") or "")
        known = {t.value for t in PaymentNextActionType} - {PaymentNextActionType.OTHER.value}
        redirect = action.get("redirect_to_url") if kind == PaymentNextActionType.REDIRECT_TO_URL.value else None
        redirect = redirect if isinstance(redirect, dict) else {}
        url, back = redirect.get("url"), redirect.get("return_url")
        return cls(
            type=PaymentNextActionType(kind) if kind in known else PaymentNextActionType.OTHER,
            redirect_url=url if isinstance(url, str) and url else None,
            return_url=back if isinstance(back, str) and back else None,
        )


def amount_text(amount: int) -> str:
    """øre as kroner with two decimals, e.g. `224050` -> `2240.50`."""
    return f"{amount // 100}.{amount % 100:02d}"


@strawberry.type(
    description="A payment of a booking group (all its payable lines together), in Stripe's PaymentIntent model. "
    "Amounts are in øre (1/100 NOK), computed on the server from the booked prices. Only its owner sees it."
)
class PaymentIntent(relay.Node):
    key: relay.NodeID[str]
    payment_id: str = strawberry.field(
        description="The payment's id as the REST API shows it (`pay_...`; `/api/co/payments/intents/{paymentId}`)."
    )
    provider: PaymentProviderName = strawberry.field(description="Which provider holds the intent.")
    provider_intent_id: str | None = strawberry.field(
        description="The provider's id of the intent (`pi_...`), for the Stripe SDK; null if the provider gave none."
    )
    client_secret: str | None = strawberry.field(
        description="For the payment sheet (Stripe.js / the app SDKs); null once the intent is final "
        "(SUCCEEDED or CANCELED)."
    )
    amount: int = strawberry.field(
        description="The amount to pay, in øre (1/100 NOK); computed from the booked prices."
    )
    amount_nok: str = strawberry.field(description="`amount` in kroner with two decimals and a point, e.g. `2240.50`.")
    currency: str = strawberry.field(description="ISO 4217 currency code in lower case; always `nok`.")
    status: PaymentStatus = strawberry.field(description="Where the intent stands.")
    group_id: str = strawberry.field(
        description="The key of the booking group paid for (its `BookingGroup` global id is `BookingGroup:<groupId>`)."
    )
    booking_ids: list[strawberry.ID] = strawberry.field(
        description="Global ids (`Booking.id`) of the group's lines this payment covers (the cancelled or declined "
        "ones are left out)."
    )
    paid: bool = strawberry.field(
        description="Whether the group is paid (this intent succeeded, or every line is paid)."
    )
    paid_at: datetime | None = strawberry.field(description="When the group was paid; null while unpaid.")
    next_action: PaymentNextAction | None = strawberry.field(
        description="The step the owner must complete; only while REQUIRES_ACTION, null otherwise."
    )
    last_payment_error: str | None = strawberry.field(
        description="The provider's message about the last failed attempt (e.g. a declined card); null if none."
    )
    created_at: datetime = strawberry.field(description="When the intent was created.")
    updated_at: datetime = strawberry.field(description="When the intent last changed.")

    @classmethod
    def of(cls, view: PaymentView) -> PaymentIntent:
        return cls(
            key=view.id,
            payment_id=view.id,
            provider=PaymentProviderName(view.provider),
            provider_intent_id=view.provider_intent_id,
            client_secret=view.client_secret,
            amount=view.amount,
            amount_nok=amount_text(view.amount),
            currency=view.currency,
            status=PaymentStatus(view.status),
            group_id=view.group_id,
            booking_ids=[global_id("Booking", b) for b in view.booking_ids],
            paid=view.paid,
            paid_at=view.paid_at,
            next_action=PaymentNextAction.of(view.next_action),
            last_payment_error=view.last_payment_error,
            created_at=view.created_at,
            updated_at=view.updated_at,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Ctx, node_ids: Iterable[str], required: bool = False
    ) -> list[PaymentIntent | None]:
        return await owner_keyed(info, text_keys(node_ids, MAX_KEY_LENGTH), payments.payments_by_id, cls.of)


def payment_key_of(gid: relay.GlobalID, argument: str) -> str:
    """The REST id behind a `PaymentIntent` global id (a client mistake otherwise)."""
    if gid.type_name == NODE and gid.node_id:
        return gid.node_id
    raise ValidationFailed(f"{argument} must be the id of a {NODE}.", fields={argument: "invalid_id"})


async def payment_of_group(info: Ctx, group_id: str) -> PaymentIntent | None:
    """The caller's payment for a booking group (succeeded, else open, else the newest), batched: one statement
    for every group of the response."""
    payment_provider(info.context.services)  # without a provider, the field says why it is empty
    owner_id = await info.context.viewer_id(info)
    view = await info.context.loaders.get(PaymentLoaders).by_group.load((owner_id, group_id))
    return PaymentIntent.of(view) if view else None
