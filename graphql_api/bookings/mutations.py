"""The owner's booking mutations: each takes one `input` and answers its payload union."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from app.domain.bookings import changes, create, inputs, ratings
from app.domain.bookings.results import BookingGroup as GroupResult
from app.domain.uow import UnitOfWork
from graphql_api.bookings.inputs import (
    CancelBookingInput,
    CreateBookingInput,
    RateBookingInput,
    RequestBookingChangeInput,
    RescheduleBookingInput,
)
from graphql_api.bookings.payloads import (
    BookingChangeSuccess,
    CancelBookingPayload,
    CancelBookingSuccess,
    ChangeRequestSuccess,
    CreateBookingPayload,
    CreateBookingSuccess,
    RateBookingPayload,
    RateBookingSuccess,
    RequestBookingChangePayload,
    RescheduleBookingPayload,
)
from graphql_api.bookings.types import ChangeRequest, Rating
from graphql_api.context import GraphQLContext
from graphql_api.mutations import as_owner, owner_command

Ctx = Info[GraphQLContext, None]

# the helpers answer any user error; each field's union is checked by them at run time (graphql_api.mutations)


@strawberry.type
class BookingsMutation:
    @strawberry.mutation(
        description="Book one or more services of one workshop for the owner's vehicle, all at one start: a new "
        "booking group with one REQUESTED line per service, sent to the workshop."
    )
    async def create_booking(
        self, info: Ctx, input: Annotated[CreateBookingInput, strawberry.argument(description="What to book.")]
    ) -> CreateBookingPayload:
        async def book(uow: UnitOfWork, owner_id: int) -> GroupResult:
            key = inputs.idempotency_key(input.idempotency_key)
            return await create.create_booking(uow, owner_id, input.to_command(), idempotency_key=key)

        return await as_owner(info, book, CreateBookingSuccess.of)

    @strawberry.mutation(
        description="Move a line to a new start: directly while it is REQUESTED and more than 24 hours ahead, "
        "otherwise by a change request to the workshop (see `action`)."
    )
    async def reschedule_booking(
        self, info: Ctx, input: Annotated[RescheduleBookingInput, strawberry.argument(description="The move.")]
    ) -> RescheduleBookingPayload:
        return await owner_command(info, changes.update_booking, input.to_command, BookingChangeSuccess.of)

    @strawberry.mutation(
        description="Cancel a line or a group: directly while REQUESTED and more than 24 hours ahead, otherwise "
        "by a cancellation request to the workshop."
    )
    async def cancel_booking(
        self, info: Ctx, input: Annotated[CancelBookingInput, strawberry.argument(description="What to cancel.")]
    ) -> CancelBookingPayload:
        return await owner_command(info, changes.cancel, input.to_command, CancelBookingSuccess.of)

    @strawberry.mutation(description="Ask the workshop to move or cancel a line; the workshop decides.")
    async def request_booking_change(
        self,
        info: Ctx,
        input: Annotated[RequestBookingChangeInput, strawberry.argument(description="The request.")],
    ) -> RequestBookingChangePayload:
        return await owner_command(
            info,
            changes.request_change,
            input.to_command,
            lambda c: ChangeRequestSuccess(change_request=ChangeRequest.of(c)),
        )

    @strawberry.mutation(description="Rate a COMPLETED line, or change its rating.")
    async def rate_booking(
        self, info: Ctx, input: Annotated[RateBookingInput, strawberry.argument(description="The rating.")]
    ) -> RateBookingPayload:
        return await owner_command(
            info, ratings.rate, input.to_command, lambda r: RateBookingSuccess(rating=Rating.of(r))
        )
