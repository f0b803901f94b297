"""Bookings over GraphQL: lines and groups, one booking with its workshop, service, vehicle, change
requests and rating; statuses, ratings and the service log; the owner's booking mutations."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, TypeAlias

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from app.domain.bookings import changes, create, inputs, queries, ratings
from app.domain.bookings.commands import CreateBooking as CreateBookingCommand
from app.domain.bookings.results import (
    BookingGroup as GroupResult,
)
from app.domain.bookings.results import (
    BookingLine,
    BookingUpdateResult,
    ChangeRequestItem,
    RatingItem,
)
from app.domain.bookings.times import parse_instant
from app.domain.limits import in_db_range
from app.domain.uow import UnitOfWork
from app.errors import DomainError, ValidationFailed
from app.mapping import same_named
from graphql_api.context import GraphQLContext
from graphql_api.errors import AnyUserError
from graphql_api.loaders import batch_loader, none
from graphql_api.mapping import FromResult
from graphql_api.mutations import as_owner, owner_command
from graphql_api.payments.types import PaymentIntent, payment_of_group
from graphql_api.reading import RequestReader

Ctx = Info[GraphQLContext, None]


class BookingLoaders:
    """Per-request loaders: one statement per kind for every booking in a response."""

    def __init__(self, reader: RequestReader) -> None:
        self.workshop = batch_loader(reader, queries.workshops_of, none)
        self.service = batch_loader(reader, queries.services_of, none)
        self.vehicle = batch_loader(reader, queries.vehicles_of, none)
        self.change_requests = batch_loader(reader, queries.change_requests_of, list[ChangeRequestItem])
        self.rating = batch_loader(reader, queries.ratings_of, none)


@strawberry.type
class BookingStatus(FromResult):
    id: int
    code: str
    display_name: str
    sort_order: int
    is_active: bool


@strawberry.type
class BookingWarningType(FromResult):
    code: str
    detail: str
    meta: JSON


@strawberry.type
class BookingWorkshop:
    org_nr: str
    name: str
    phone: str | None
    email: str | None
    average_rating: float
    total_reviews: int


@strawberry.type
class BookedService:
    id: int
    title: str
    description: str | None
    price: float
    estimated_time: float


@strawberry.type
class BookingVehicle:
    registration_number: str
    brand: str | None
    model: str | None
    model_year: int | None


@strawberry.type
class BookingChangeRequest(FromResult):
    id: int
    booking_id: int
    group_id: str
    request_type: str
    status: str
    reason: str | None
    requested_start_time: datetime | None
    created_at: datetime
    resolved_at: datetime | None


@strawberry.type
class BookingRating:
    booking_id: int
    workshop_org_nr: str
    workshop_name: str | None
    service_title: str
    registration_number: str | None
    rating: float | None
    message: str | None
    private: bool
    rated_at: datetime | None

    @classmethod
    def of(cls, r: RatingItem) -> BookingRating:
        return same_named(
            cls, r, rating=r.service_rating, message=r.service_rating_message, private=r.private_service_rating
        )


@strawberry.type
class Booking:
    id: int
    group_id: str
    workshop_org_nr: str
    service_id: int | None
    service_title: str
    service_description: str | None
    service_price: float
    service_estimated_hours: float
    service_start_time: datetime
    service_estimated_end_time: datetime | None
    service_actual_end_time: datetime | None
    registration_number: str | None
    attachments: JSON
    status: str
    status_display: str
    verify_booked: bool
    verify_canceled: bool
    verify_service_done: bool
    cancel_request: bool
    unread_count: int
    can_reschedule: bool
    can_request_cancel: bool
    rating_allowed: bool
    workshop_name: str | None
    messages: JSON
    line: strawberry.Private[BookingLine]

    @classmethod
    def of(cls, b: BookingLine) -> Booking:
        return same_named(cls, b, line=b)

    @strawberry.field
    async def workshop(self, info: Ctx) -> BookingWorkshop | None:
        w = await info.context.loaders.get(BookingLoaders).workshop.load(self.workshop_org_nr)
        return same_named(BookingWorkshop, w) if w else None

    @strawberry.field
    async def service(self, info: Ctx) -> BookedService | None:
        if self.service_id is None:
            return None
        s = await info.context.loaders.get(BookingLoaders).service.load(self.service_id)
        return same_named(BookedService, s) if s else None

    @strawberry.field
    async def vehicle(self, info: Ctx) -> BookingVehicle | None:
        if not self.registration_number:
            return None
        v = await info.context.loaders.get(BookingLoaders).vehicle.load(self.registration_number)
        return same_named(BookingVehicle, v) if v else None

    @strawberry.field
    async def change_requests(self, info: Ctx) -> list[BookingChangeRequest]:
        items = await info.context.loaders.get(BookingLoaders).change_requests.load(self.id)
        return [BookingChangeRequest.of(c) for c in items]

    @strawberry.field(description="The payment of this booking's group (succeeded, else open, else the newest).")
    async def payment(self, info: Ctx) -> PaymentIntent | None:
        return await payment_of_group(info, self.group_id)

    @strawberry.field
    async def rating(self, info: Ctx) -> BookingRating | None:
        if self.line.service_rating is None:
            return None
        item = await info.context.loaders.get(BookingLoaders).rating.load(self.id)
        return BookingRating.of(item) if item else None


@strawberry.type
class BookingGroupSummary:
    count: int
    total_price: float
    currency: str
    earliest_start: datetime | None
    latest_end: datetime | None
    status: str
    statuses: JSON


@strawberry.type
class BookingGroup:
    group_id: str
    items: list[Booking]
    summary: BookingGroupSummary
    warnings: list[BookingWarningType]

    @classmethod
    def of(cls, g: GroupResult) -> BookingGroup:
        return same_named(
            cls,
            g,
            items=[Booking.of(i) for i in g.items],
            summary=same_named(BookingGroupSummary, g.summary),
            warnings=[BookingWarningType.of(w) for w in g.warnings],
        )


@strawberry.type
class BookingPageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class BookingConnection:
    nodes: list[Booking]
    groups: list[BookingGroup] = strawberry.field(
        description="The groups of this page's lines: `items` are the group's lines on this page, `summary` and "
        "`warnings` cover all its lines (also those on other pages or outside the filter)."
    )
    page_info: BookingPageInfo


@strawberry.input
class BookingFilter:
    status: str | None = None
    group_id: str | None = None
    registration_number: str | None = None


@strawberry.input
class BookingServiceInput:
    service_id: int
    message: str | None = None
    attachments: JSON | None = None


@strawberry.input
class CreateBookingInput:
    org_nr: str
    service_start_time: str
    services: list[BookingServiceInput] | None = None
    service_id: int | None = None
    registration_number: str | None = None
    message: str | None = None
    attachments: JSON | None = None
    idempotency_key: str | None = None

    def to_command(self) -> CreateBookingCommand:
        return inputs.parse_create_booking(self)


@strawberry.type
class CreateBookingSuccess:
    group: BookingGroup
    warnings: list[BookingWarningType]


@strawberry.type
class BookingChangeSuccess:
    action: str
    message: str
    booking: Booking
    change_request: BookingChangeRequest | None
    warnings: list[BookingWarningType]


@strawberry.type
class CancelBookingSuccess:
    message: str
    cancelled: list[int]
    change_requests: list[BookingChangeRequest]
    items: list[Booking]


@strawberry.type
class ChangeRequestSuccess:
    change_request: BookingChangeRequest


@strawberry.type
class RateBookingSuccess:
    rating: BookingRating


CreateBookingPayload: TypeAlias = Annotated[
    CreateBookingSuccess | AnyUserError, strawberry.union("CreateBookingPayload")
]
BookingChangePayload: TypeAlias = Annotated[
    BookingChangeSuccess | AnyUserError, strawberry.union("BookingChangePayload")
]
CancelBookingPayload: TypeAlias = Annotated[
    CancelBookingSuccess | AnyUserError, strawberry.union("CancelBookingPayload")
]
RequestBookingChangePayload: TypeAlias = Annotated[
    ChangeRequestSuccess | AnyUserError, strawberry.union("RequestBookingChangePayload")
]
RateBookingPayload: TypeAlias = Annotated[RateBookingSuccess | AnyUserError, strawberry.union("RateBookingPayload")]


def _cursor(b: BookingLine) -> str:
    return base64.urlsafe_b64encode(f"{b.service_start_time.isoformat()}|{b.id}".encode()).decode()


def _after(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        start, _, ident = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        if not in_db_range(int(ident)):
            raise ValueError(ident)
        return parse_instant(start, "after"), int(ident)
    except (ValueError, DomainError) as exc:
        raise ValidationFailed("Invalid cursor.", fields={"after": "invalid_cursor"}) from exc


@strawberry.type
class BookingsQuery:
    @strawberry.field(description="The owner's booking lines (newest start first) and their groups.")
    async def bookings(
        self, info: Ctx, filter: BookingFilter | None = None, first: int = 20, after: str | None = None
    ) -> BookingConnection:
        owner_id = await info.context.owner_id()
        if not 1 <= first <= 100:
            raise ValidationFailed("first must be from 1 to 100.", fields={"first": "out_of_range"})
        f = filter or BookingFilter()
        async with info.context.transaction() as uow:
            page = await queries.page_of_lines(
                uow,
                owner_id,
                first=first,
                status=f.status,
                group_id=f.group_id,
                registration_number=f.registration_number,
                after=_after(after),
            )
        items = page.items
        return BookingConnection(
            nodes=[Booking.of(i) for i in items],
            groups=[BookingGroup.of(g) for g in page.groups],
            page_info=BookingPageInfo(has_next_page=page.has_more, end_cursor=_cursor(items[-1]) if items else None),
        )

    @strawberry.field
    async def booking(self, info: Ctx, id: int) -> Booking:
        return Booking.of(await info.context.read_as_owner(queries.get_booking, id))

    @strawberry.field
    async def booking_statuses(self, info: Ctx) -> list[BookingStatus]:
        async with info.context.transaction() as uow:
            return [BookingStatus.of(s) for s in await queries.statuses(uow)]

    @strawberry.field
    async def change_requests(self, info: Ctx, status: str | None = None) -> list[BookingChangeRequest]:
        return [
            BookingChangeRequest.of(c) for c in await info.context.read_as_owner(queries.change_requests, status=status)
        ]

    @strawberry.field
    async def my_ratings(self, info: Ctx) -> list[BookingRating]:
        return [BookingRating.of(r) for r in (await info.context.read_as_owner(ratings.my_ratings)).items]


@strawberry.type
class BookingsMutation:
    @strawberry.mutation
    async def create_booking(self, info: Ctx, input: CreateBookingInput) -> CreateBookingPayload:
        async def book(uow: UnitOfWork, owner_id: int) -> GroupResult:
            key = inputs.idempotency_key(input.idempotency_key)
            return await create.create_booking(uow, owner_id, input.to_command(), idempotency_key=key)

        return await as_owner(
            info,
            book,
            lambda g: CreateBookingSuccess(
                group=BookingGroup.of(g), warnings=[BookingWarningType.of(w) for w in g.warnings]
            ),
        )

    @strawberry.mutation
    async def reschedule_booking(
        self, info: Ctx, id: int, service_start_time: str, reason: str | None = None
    ) -> BookingChangePayload:
        return await owner_command(
            info,
            changes.update_booking,
            lambda: inputs.parse_update_booking(id, service_start_time=service_start_time, cancellation_reason=reason),
            _change_success,
        )

    @strawberry.mutation
    async def cancel_booking(
        self, info: Ctx, id: int | None = None, group_id: str | None = None, reason: str | None = None
    ) -> CancelBookingPayload:
        return await owner_command(
            info,
            changes.cancel,
            lambda: inputs.parse_cancel_booking(group_id=group_id, booking_id=id, cancellation_reason=reason),
            lambda r: same_named(
                CancelBookingSuccess,
                r,
                change_requests=[BookingChangeRequest.of(c) for c in r.change_requests],
                items=[Booking.of(i) for i in r.items],
            ),
        )

    @strawberry.mutation
    async def request_booking_change(
        self,
        info: Ctx,
        booking_id: int,
        request_type: str,
        requested_start_time: str | None = None,
        reason: str | None = None,
    ) -> RequestBookingChangePayload:
        return await owner_command(
            info,
            changes.request_change,
            lambda: inputs.parse_request_change(
                booking_id=booking_id,
                request_type=request_type,
                requested_start_time=requested_start_time,
                reason=reason,
            ),
            lambda c: ChangeRequestSuccess(change_request=BookingChangeRequest.of(c)),
        )

    @strawberry.mutation
    async def rate_booking(
        self, info: Ctx, booking_id: int, rating: float, message: str | None = None, private: bool = False
    ) -> RateBookingPayload:
        return await owner_command(
            info,
            ratings.rate,
            lambda: inputs.parse_rate_booking(
                booking_id, service_rating=rating, service_rating_message=message, private_service_rating=private
            ),
            lambda r: RateBookingSuccess(rating=BookingRating.of(r)),
        )


def _change_success(r: BookingUpdateResult) -> BookingChangeSuccess:
    return same_named(
        BookingChangeSuccess,
        r,
        booking=Booking.of(r.booking),
        change_request=BookingChangeRequest.of(r.change_request) if r.change_request else None,
        warnings=[BookingWarningType.of(w) for w in r.warnings],
    )


QUERIES = (BookingsQuery,)
MUTATIONS = (BookingsMutation,)
