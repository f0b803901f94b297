"""The bookings mutations' results: each mutation's success type and its payload union, which lists exactly the
errors its use case can produce."""

from __future__ import annotations

from typing import Annotated, TypeAlias

import strawberry

from app.domain.bookings.results import BookingGroup as GroupResult
from app.domain.bookings.results import BookingUpdateResult, CancelResult
from graphql_api.bookings.types import (
    Booking,
    BookingChangeAction,
    BookingGroup,
    BookingWarning,
    ChangeRequest,
    Rating,
    warnings_of,
)
from graphql_api.errors import AuthenticationError, ConflictError, ForbiddenError, NotFoundError, ValidationError


@strawberry.type(description="The booking group was created (or, for a repeated idempotency key, found).")
class CreateBookingSuccess:
    group: BookingGroup = strawberry.field(description="The new group with its lines.")
    warnings: list[BookingWarning] = strawberry.field(
        description="Things to know about the time chosen (double booking, opening hours, overlaps)."
    )

    @classmethod
    def of(cls, g: GroupResult) -> CreateBookingSuccess:
        return cls(group=BookingGroup.of(g), warnings=warnings_of(g.warnings))


@strawberry.type(description="The line was changed, or a change request was sent to the workshop.")
class BookingChangeSuccess:
    action: BookingChangeAction = strawberry.field(description="What was done.")
    message: str = strawberry.field(description="What was done, in words (English).")
    booking: Booking = strawberry.field(description="The line as it is now.")
    change_request: ChangeRequest | None = strawberry.field(
        description="The change request sent (action CHANGE_REQUESTED); null otherwise."
    )
    warnings: list[BookingWarning] = strawberry.field(description="Things to know about the new time.")

    @classmethod
    def of(cls, r: BookingUpdateResult) -> BookingChangeSuccess:
        return cls(
            action=BookingChangeAction(r.action),
            message=r.message,
            booking=Booking.of(r.booking),
            change_request=ChangeRequest.of(r.change_request) if r.change_request else None,
            warnings=warnings_of(r.warnings),
        )


@strawberry.type(
    description="The lines that could be cancelled directly were; for the others (confirmed, or starting within "
    "24 hours) a cancellation request was sent to the workshop."
)
class CancelBookingSuccess:
    message: str = strawberry.field(description="What was done, in words (English).")
    group_id: str = strawberry.field(description="The key of the lines' group.")
    cancelled: list[Booking] = strawberry.field(description="The lines cancelled now.")
    change_requests: list[ChangeRequest] = strawberry.field(
        description="The cancellation requests sent for the other lines."
    )
    items: list[Booking] = strawberry.field(description="Every line concerned, as it is now.")

    @classmethod
    def of(cls, r: CancelResult) -> CancelBookingSuccess:
        items = [Booking.of(i) for i in r.items]
        done = set(r.cancelled)
        return cls(
            message=r.message,
            group_id=r.group_id,
            cancelled=[b for b in items if b.id in done],
            change_requests=[ChangeRequest.of(c) for c in r.change_requests],
            items=items,
        )


@strawberry.type(description="The change request was sent to the workshop.")
class ChangeRequestSuccess:
    change_request: ChangeRequest = strawberry.field(description="The new request (PENDING).")


@strawberry.type(description="The rating was saved; the workshop's average includes it.")
class RateBookingSuccess:
    rating: Rating = strawberry.field(description="The rating as saved.")


CreateBookingPayload: TypeAlias = Annotated[
    CreateBookingSuccess | ValidationError | AuthenticationError | ForbiddenError | NotFoundError | ConflictError,
    strawberry.union(
        "CreateBookingPayload",
        description="The new group, or why not: ValidationError (input; `fields` are input paths), "
        "AuthenticationError (no valid token), ForbiddenError (the vehicle is not the owner's), NotFoundError (no "
        "such active workshop), ConflictError (the idempotency key was used with a different input).",
    ),
]
RescheduleBookingPayload: TypeAlias = Annotated[
    BookingChangeSuccess | ValidationError | AuthenticationError | NotFoundError | ConflictError,
    strawberry.union(
        "RescheduleBookingPayload",
        description="The change, or why not: ValidationError (e.g. a start in the past), AuthenticationError, "
        "NotFoundError (no such line of the owner's), ConflictError (the line can no longer be moved, or such a "
        "request is already pending).",
    ),
]
CancelBookingPayload: TypeAlias = Annotated[
    CancelBookingSuccess | ValidationError | AuthenticationError | NotFoundError | ConflictError,
    strawberry.union(
        "CancelBookingPayload",
        description="The cancellation, or why not: ValidationError, AuthenticationError, NotFoundError (no such "
        "line or group of the owner's), ConflictError (nothing can be cancelled any more, or a request is already "
        "pending).",
    ),
]
RequestBookingChangePayload: TypeAlias = Annotated[
    ChangeRequestSuccess | ValidationError | AuthenticationError | NotFoundError | ConflictError,
    strawberry.union(
        "RequestBookingChangePayload",
        description="The request, or why not: ValidationError (e.g. RESCHEDULE without a future "
        "`requestedStartTime`), AuthenticationError, NotFoundError, ConflictError (the line can no longer be "
        "changed, or such a request is already pending).",
    ),
]
RateBookingPayload: TypeAlias = Annotated[
    RateBookingSuccess | ValidationError | AuthenticationError | NotFoundError | ConflictError,
    strawberry.union(
        "RateBookingPayload",
        description="The rating, or why not: ValidationError (a score outside 0-5), AuthenticationError, "
        "NotFoundError, ConflictError (the line is not COMPLETED).",
    ),
]
