"""Payments over GraphQL: `paymentIntent(id:)`, `paymentForBooking(bookingId:)`, and the mutations
`createPaymentIntent` and `confirmPaymentIntent`.

`PaymentLoaders.by_group` and `payment_of_group()` give any type that knows a booking group its payment
in one statement pair per request (e.g. a `payment` field on `Booking`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, TypeAlias

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON
from strawberry.types import Info

from app.domain.payments import service as payments
from app.domain.payments.inputs import parse_confirm_intent, parse_create_intent
from app.domain.payments.results import PaymentView
from app.domain.uow import UnitOfWork
from app.mapping import same_named
from graphql_api.context import GraphQLContext
from graphql_api.errors import AnyUserError
from graphql_api.mutations import as_owner
from graphql_api.reading import RequestReader

Ctx = Info[GraphQLContext, None]


@strawberry.type(description="A payment intent for a booking group; amounts are in øre (1/100 NOK).")
class PaymentIntent:
    id: strawberry.ID
    provider: str = strawberry.field(description="stripe or local")
    provider_intent_id: str | None
    client_secret: str | None = strawberry.field(description="For the payment sheet; null once the intent is final.")
    amount: int = strawberry.field(description="Computed from the booked prices, in øre.")
    amount_nok: str
    currency: str
    status: str = strawberry.field(description="Stripe's PaymentIntent status.")
    group_id: str
    booking_ids: list[int]
    paid: bool
    paid_at: datetime | None
    next_action: JSON | None
    last_payment_error: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: PaymentView) -> PaymentIntent:
        return same_named(
            cls,
            view,
            id=strawberry.ID(view.id),
            amount_nok=f"{view.amount // 100}.{view.amount % 100:02d}",
        )


class PaymentLoaders:
    """Per request: the payment of each booking group asked for, loaded together."""

    def __init__(self, reader: RequestReader) -> None:
        self.services = reader.services
        self.by_group: DataLoader[tuple[int, str], PaymentView | None] = DataLoader(self._by_group)

    async def _by_group(self, keys: list[tuple[int, str]]) -> list[PaymentView | None]:
        found: dict[tuple[int, str], PaymentView] = {}
        owners = {owner_id for owner_id, _ in keys}
        async with self.services.uow() as uow:
            for owner_id in owners:
                groups = [g for o, g in keys if o == owner_id]
                for group_id, view in (await payments.payments_for_groups(uow, owner_id, groups)).items():
                    found[(owner_id, group_id)] = view
        return [found.get(key) for key in keys]


async def payment_of_group(info: Ctx, group_id: str) -> PaymentIntent | None:
    """The caller's payment for a booking group (succeeded, else open, else the newest), batched."""
    owner_id = await info.context.owner_id()
    view = await info.context.loaders.get(PaymentLoaders).by_group.load((owner_id, group_id))
    return PaymentIntent.of(view) if view else None


CreatePaymentIntentPayload: TypeAlias = Annotated[
    PaymentIntent | AnyUserError, strawberry.union("CreatePaymentIntentPayload")
]
ConfirmPaymentIntentPayload: TypeAlias = Annotated[
    PaymentIntent | AnyUserError, strawberry.union("ConfirmPaymentIntentPayload")
]


@strawberry.type
class PaymentsQuery:
    @strawberry.field(description="One of the caller's payment intents (NOT_FOUND for anyone else's).")
    async def payment_intent(self, info: Ctx, id: strawberry.ID) -> PaymentIntent:
        return PaymentIntent.of(await info.context.read_as_owner(payments.get_intent, str(id)))

    @strawberry.field(description="The payment of the booking group a booking line belongs to, or null before any.")
    async def payment_for_booking(self, info: Ctx, booking_id: int) -> PaymentIntent | None:
        view = await info.context.read_as_owner(payments.payment_for_booking, booking_id)
        return PaymentIntent.of(view) if view else None


@strawberry.type
class PaymentsMutation:
    @strawberry.mutation(
        description="Create (or return the open) payment intent for a booking or booking group "
        "of the caller. The amount is computed from the booked prices."
    )
    async def create_payment_intent(
        self, info: Ctx, booking_id: int | None = None, group_id: str | None = None
    ) -> CreatePaymentIntentPayload:
        async def create(uow: UnitOfWork, owner_id: int) -> PaymentView:
            payments.check_available(uow)
            return await payments.create_intent(
                uow, owner_id, parse_create_intent(booking_id=booking_id, group_id=group_id)
            )

        return await as_owner(info, create, PaymentIntent.of)

    @strawberry.mutation(description="Confirm one of the caller's payment intents.")
    async def confirm_payment_intent(
        self, info: Ctx, id: strawberry.ID, payment_method: str | None = None, return_url: str | None = None
    ) -> ConfirmPaymentIntentPayload:
        async def confirm(uow: UnitOfWork, owner_id: int) -> PaymentView:
            payments.check_available(uow)
            return await payments.confirm_intent(
                uow, owner_id, parse_confirm_intent(str(id), payment_method=payment_method, return_url=return_url)
            )

        return await as_owner(info, confirm, PaymentIntent.of)


QUERIES = (PaymentsQuery,)
MUTATIONS = (PaymentsMutation,)
