"""Booking, booking-status and rating wire shapes (names as in the reference).

Loose inputs (`message` is a string or an object in the reference's examples, `attachments` hold URLs or
objects) are typed `Any` here; each input's `to_command()` checks them (`app.domain.bookings.inputs`, shared
with GraphQL), naming the offending field.
"""

from __future__ import annotations

from typing import Any

import msgspec

from app.domain.bookings import inputs
from app.domain.bookings.commands import CancelBooking, CreateBooking, RateBooking, RequestChange, UpdateBooking
from app.domain.bookings.results import (
    BookingGroup,
    BookingLine,
    BookingUpdateResult,
    BookingWarning,
    CancelResult,
    ChangeRequestItem,
    RatingItem,
    RatingsList,
    StatusItem,
)
from rest.schemas.common import EnvelopeMeta


# the reference's names for the shapes the domain returns (the same fields; these name them in OpenAPI)
class Booking(BookingLine):
    """One booking line, as the reference's `Booking`."""


class CarOwnerChangeRequestItem(ChangeRequestItem):
    """A change request, as the reference's `CarOwnerChangeRequestItem`."""


class CarOwnerRatingsList(RatingsList):
    """The caller's ratings, as the reference's `CarOwnerRatingsList`."""


BookingStatusItem = StatusItem
CarOwnerRatingItem = RatingItem
__all__ = [
    "Booking",
    "BookingGroup",
    "BookingStatusItem",
    "BookingWarning",
    "CarOwnerChangeRequestItem",
    "CarOwnerRatingItem",
    "CarOwnerRatingsList",
]


class BookingServiceInput(msgspec.Struct):
    service_id: Any = None
    message: Any = None
    attachments: Any = None


class BookingCreateInput(msgspec.Struct, omit_defaults=True):
    org_nr: Any = None
    service_id: Any = None
    services: Any = None  # a list of BookingServiceInput, validated by the domain
    service_start_time: Any = None
    registration_number: Any = None
    attachments: Any = None
    message: Any = None

    def to_command(self) -> CreateBooking:
        return inputs.parse_create_booking(self)


class BookingUpdateInput(msgspec.Struct):
    service_start_time: Any = None
    status: Any = None
    cancellation_reason: Any = None
    attachments: Any = None
    message: Any = None

    def to_command(self, booking_id: int) -> UpdateBooking:
        return inputs.parse_update_booking(
            booking_id,
            service_start_time=self.service_start_time,
            status=self.status,
            cancellation_reason=self.cancellation_reason,
            files=self.attachments,
            message=self.message,
        )


class CarOwnerCancelBookingRequest(msgspec.Struct):
    group_id: Any = None
    booking_id: Any = None
    cancellation_reason: Any = None

    def to_command(self) -> CancelBooking:
        return inputs.parse_cancel_booking(**msgspec.structs.asdict(self))


class CarOwnerChangeRequestCreate(msgspec.Struct):
    booking_id: Any = None
    request_type: Any = None
    requested_start_time: Any = None
    reason: Any = None

    def to_command(self) -> RequestChange:
        return inputs.parse_request_change(**msgspec.structs.asdict(self))


class RateBookingRequest(msgspec.Struct):
    service_rating: Any = None
    service_rating_message: Any = None
    private_service_rating: Any = None

    def to_command(self, booking_id: int) -> RateBooking:
        return inputs.parse_rate_booking(booking_id, **msgspec.structs.asdict(self))


class StatusListMeta(msgspec.Struct):
    count: int


class BookingStatusListResponse(msgspec.Struct):
    data: list[StatusItem]
    meta: StatusListMeta


class BookingCreateResponse(msgspec.Struct):
    data: BookingGroup
    meta: EnvelopeMeta


class BookingUpdateResponse(msgspec.Struct):
    data: BookingUpdateResult
    meta: EnvelopeMeta


class BookingCancelResponse(msgspec.Struct):
    data: CancelResult
    meta: EnvelopeMeta


class RatingResponse(msgspec.Struct):
    data: RatingItem
    meta: EnvelopeMeta
