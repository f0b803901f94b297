"""The payments mutations: each takes one `input` and answers its payload union. Every payment operation
answers "not configured" (UnavailableError) first, before its input is looked at."""

from __future__ import annotations

from typing import Annotated, cast

import strawberry
from strawberry.types import Info

from app.domain.payments import service as payments
from app.domain.payments.results import PaymentView
from app.domain.uow import UnitOfWork
from graphql_api.context import GraphQLContext
from graphql_api.mutations import as_owner
from graphql_api.payments.inputs import ConfirmPaymentIntentInput, CreatePaymentIntentInput
from graphql_api.payments.payloads import (
    ConfirmPaymentIntentPayload,
    ConfirmPaymentIntentSuccess,
    CreatePaymentIntentPayload,
    CreatePaymentIntentSuccess,
)

Ctx = Info[GraphQLContext, None]

# `as_owner` is typed with every error kind; that only the union's members come back is checked at run time
# (graphql_api.mutations), hence the casts.


@strawberry.type
class PaymentsMutation:
    @strawberry.mutation(
        description="Create (or return the open) payment intent for one of the caller's booking groups. The amount "
        "is computed from the booked prices of the group's payable lines (in øre, NOK); a group has at most one "
        "open intent, and an open intent whose amount no longer matches is replaced."
    )
    async def create_payment_intent(
        self, info: Ctx, input: Annotated[CreatePaymentIntentInput, strawberry.argument(description="What to pay.")]
    ) -> CreatePaymentIntentPayload:
        async def create(uow: UnitOfWork, owner_id: int) -> PaymentView:
            payments.check_available(uow)
            return await payments.create_intent(uow, owner_id, input.to_command())

        return cast(CreatePaymentIntentPayload, await as_owner(info, create, CreatePaymentIntentSuccess.of))

    @strawberry.mutation(
        description="Confirm one of the caller's payment intents with the provider (charges it). Confirming an "
        "intent that is processing or paid answers it as it is, without a second charge."
    )
    async def confirm_payment_intent(
        self,
        info: Ctx,
        input: Annotated[ConfirmPaymentIntentInput, strawberry.argument(description="The intent and how to pay.")],
    ) -> ConfirmPaymentIntentPayload:
        async def confirm(uow: UnitOfWork, owner_id: int) -> PaymentView:
            payments.check_available(uow)
            return await payments.confirm_intent(uow, owner_id, input.to_command())

        return cast(ConfirmPaymentIntentPayload, await as_owner(info, confirm, ConfirmPaymentIntentSuccess.of))
