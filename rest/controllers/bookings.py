"""Booking (10 reference operations) and BookingStatus (1): the owner's side of the booking lifecycle."""

from __future__ import annotations

from typing import Annotated, cast

from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import SecurityRequirement
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from app.auth.tokens import AccessClaims
from app.domain.bookings import changes, create, inputs, queries, ratings
from app.domain.bookings.results import BookingGroup, StatusItem
from app.domain.uow import UnitOfWork
from rest.envelope import envelope_meta
from rest.handlers import named_like_methods
from rest.openapi import problem_responses
from rest.schemas.bookings import (
    Booking,
    BookingCancelResponse,
    BookingCreateInput,
    BookingCreateResponse,
    BookingStatusListResponse,
    BookingUpdateInput,
    BookingUpdateResponse,
    CarOwnerCancelBookingRequest,
    CarOwnerChangeRequestCreate,
    CarOwnerChangeRequestItem,
    CarOwnerRatingsList,
    RateBookingRequest,
    RatingResponse,
    StatusListMeta,
)
from rest.schemas.common import BookingStatusProblem

BEARER: list[SecurityRequirement] = [{"BearerAuth": []}]


def _rate_route(path: str, operation_id: str, summary: str) -> HTTPRouteHandler:
    """Rating a completed booking: published under three paths."""

    async def rate(
        self: Controller,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        booking_id: FromPath[int],
        data: JSONBody[RateBookingRequest],
    ) -> RatingResponse:
        item = await ratings.rate(uow, claims.owner_id, data.to_command(booking_id))
        return RatingResponse(data=item, meta=envelope_meta())

    return post(path, operation_id=operation_id, status_code=HTTP_200_OK, summary=summary)(rate)


def _ratings_route(path: str, operation_id: str) -> HTTPRouteHandler:
    """The ratings the owner submitted: published under two paths."""

    async def list_ratings(
        self: Controller, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims]
    ) -> CarOwnerRatingsList:
        return cast("CarOwnerRatingsList", await ratings.my_ratings(uow, claims.owner_id))

    return get(path, operation_id=operation_id, summary="Ratings submitted by the owner")(list_ratings)


# The reference names the domain's results (`Booking` for a `BookingLine`, ...): the same fields, so the
# handlers `cast` to the reference's name, which is what the OpenAPI document shows.
@named_like_methods
class BookingController(Controller):
    path = "/bookings"
    tags = ["Booking"]
    opt = {"error_style": "problem"}
    security = BEARER

    @get("/", operation_id="ListBookings", summary="List the owner's bookings (grouped by group_id by default)")
    async def list_bookings(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        grouped: FromQuery[str | None] = None,
        expand: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
    ) -> list[BookingGroup] | list[Booking]:
        found = await queries.list_bookings(uow, claims.owner_id, grouped=grouped, expand=expand, status=status)
        return cast("list[BookingGroup] | list[Booking]", found)

    @post(
        "/", operation_id="CreateBooking", status_code=HTTP_200_OK, summary="Create new booking (one or more services)"
    )
    async def create_booking(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        data: JSONBody[BookingCreateInput],
        idempotency_key: Annotated[str | None, Parameter(header="Idempotency-Key")] = None,
    ) -> BookingCreateResponse:
        key = inputs.idempotency_key(idempotency_key)
        group = await create.create_booking(uow, claims.owner_id, data.to_command(), idempotency_key=key)
        return BookingCreateResponse(data=group, meta=envelope_meta())

    @get(
        "/booking-statuses",
        operation_id="ListBookingStatusesLegacy",
        security=[],
        summary="List all valid statuses for bookings",
    )
    async def booking_statuses(self, uow: NamedDependency[UnitOfWork]) -> list[StatusItem]:
        return await queries.statuses(uow)

    @post(
        "/cancel",
        operation_id="CancelBooking",
        status_code=HTTP_200_OK,
        summary="Cancel or request cancellation of a booking group or one booking",
    )
    async def cancel(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        data: JSONBody[CarOwnerCancelBookingRequest],
    ) -> BookingCancelResponse:
        result = await changes.cancel(uow, claims.owner_id, data.to_command())
        return BookingCancelResponse(data=result, meta=envelope_meta())

    @get("/change-requests", operation_id="ListChangeRequests", summary="The owner's change requests")
    async def list_change_requests(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        status: FromQuery[str | None] = None,
        booking_id: FromQuery[int | None] = None,
    ) -> list[CarOwnerChangeRequestItem]:
        found = await queries.change_requests(uow, claims.owner_id, status=status, booking_id=booking_id)
        return cast("list[CarOwnerChangeRequestItem]", found)

    @post(
        "/change-requests",
        operation_id="CreateChangeRequest",
        status_code=HTTP_201_CREATED,
        summary="Ask the workshop to reschedule or cancel a booking",
    )
    async def create_change_request(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        data: JSONBody[CarOwnerChangeRequestCreate],
    ) -> CarOwnerChangeRequestItem:
        item = await changes.request_change(uow, claims.owner_id, data.to_command())
        return cast("CarOwnerChangeRequestItem", item)

    rate = _rate_route("/rate/{booking_id:int}", "RateBooking", "Rate a completed booking")
    list_ratings = _ratings_route("/ratings", "ListBookingRatings")

    @get("/{booking_id:int}", operation_id="GetBooking", summary="One booking line of the owner")
    async def get_booking(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        booking_id: FromPath[int],
        expand: FromQuery[str | None] = None,
    ) -> Booking:
        return cast("Booking", await queries.get_booking(uow, claims.owner_id, booking_id, expand=expand))

    @put(
        "/{booking_id:int}",
        operation_id="UpdateBooking",
        status_code=HTTP_200_OK,
        summary="Reschedule, cancel, or add a message/attachments to a booking line",
    )
    async def update_booking(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        booking_id: FromPath[int],
        data: JSONBody[BookingUpdateInput],
    ) -> BookingUpdateResponse:
        result = await changes.update_booking(uow, claims.owner_id, data.to_command(booking_id))
        return BookingUpdateResponse(data=result, meta=envelope_meta())


class BookingStatusController(Controller):
    path = "/booking-statuses"
    tags = ["BookingStatus"]
    security = []
    opt = {"error_style": "problem_where", "error_where": {"layer": "rest", "component": "booking_statuses"}}

    @get(
        "/",
        operation_id="GetBookingStatuses",
        summary="Get all booking statuses (from enum_booking_statuses)",
        responses=problem_responses(500, container=BookingStatusProblem),
    )
    async def list_statuses(self, uow: NamedDependency[UnitOfWork]) -> BookingStatusListResponse:
        items = await queries.statuses(uow)
        return BookingStatusListResponse(data=items, meta=StatusListMeta(count=len(items)))


@named_like_methods
class RatingsController(Controller):
    """The reference marks these public, but they act on the caller's bookings: a Bearer token is required."""

    path = "/rating"
    tags = ["Ratings"]
    opt = {"error_style": "problem"}
    security = BEARER

    list_ratings = _ratings_route("/", "ListRatings")
    rate_alias = _rate_route(
        "/rate/{booking_id:int}", "RateBookingAlias", "Alias endpoint for submitting a booking rating"
    )
    upsert = _rate_route("/{booking_id:int}", "UpsertRating", "Create or update a rating for a completed booking")


CONTROLLERS = [BookingController, BookingStatusController, RatingsController]
