"""The bookings area's input objects: each mutation's one `input`, and the list filter. `to_command()` reads an
input into the domain's command through the same parsing as REST (`app.domain.bookings.inputs`), so both faces
refuse alike; `field_paths` name the input fields whose domain names differ."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

import strawberry
from strawberry import relay

from app.domain.bookings import inputs
from app.domain.bookings.commands import CancelBooking, CreateBooking, RateBooking, RequestChange, UpdateBooking
from app.errors import ValidationFailed
from graphql_api.attachments import AttachmentInput
from graphql_api.bookings.types import BookingStatus, ChangeRequestType
from graphql_api.mapping import domain_value
from graphql_api.node import database_id_of

SERVICE_NODE = "Service"
"""The type name in the global ids of a workshop's services (the marketplace area's type)."""


def group_key_of(gid: relay.GlobalID, argument: str) -> str:
    """The group key behind a `BookingGroup` global id (a client mistake otherwise)."""
    if gid.type_name == "BookingGroup" and gid.node_id:
        return gid.node_id
    raise ValidationFailed(f"{argument} must be the id of a BookingGroup.", fields={argument: "invalid_id"})


def _files(items: list[AttachmentInput] | None) -> list[dict[str, Any]] | None:
    """Attachment inputs as stored (the REST body's objects): the fields given, in snake case."""
    if items is None:
        return None
    return [
        {
            k: v
            for k, v in (("url", a.url), ("content_type", a.content_type), ("name", a.name), ("size", a.size))
            if v is not None
        }
        for a in items
    ]


@strawberry.input(description="Which of the owner's booking lines to list (all given conditions apply).")
class BookingFilter:
    statuses: list[BookingStatus] | None = strawberry.field(
        default=None, description="Only lines with one of these statuses; null or empty: any status."
    )
    group_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only the lines of this booking group (`BookingGroup.id`)."
    )
    registration_number: str | None = strawberry.field(
        default=None, description="Only lines for this vehicle (any spacing or case)."
    )


@dataclass(frozen=True)
class _Service:
    service_id: object
    message: object
    attachments: object


@dataclass(frozen=True)
class _Create:
    org_nr: object
    service_id: object
    services: object
    service_start_time: object
    registration_number: object
    message: object
    attachments: object


@strawberry.input(description="One service of a new booking group.")
class BookingServiceInput:
    service_id: relay.GlobalID = strawberry.field(description="The workshop's service (`WorkshopService.id`).")
    message: str | None = strawberry.field(
        default=None, description="A message to the workshop about this service (at most 4000 characters)."
    )
    attachments: list[AttachmentInput] | None = strawberry.field(
        default=None, description="Files for this service (at most 10 per line, conversation files refused)."
    )


@strawberry.input(
    description="A new booking group: one line per service, at one workshop, for one vehicle, all at the same "
    "start. Give `services` or `serviceId`."
)
class CreateBookingInput:
    field_paths: ClassVar[dict[str, str]] = {"Idempotency-Key": "idempotencyKey"}

    org_nr: str = strawberry.field(description="The workshop's organisation number (9 digits).")
    service_start_time: datetime = strawberry.field(description="When the services start; must be in the future.")
    services: list[BookingServiceInput] | None = strawberry.field(
        default=None, description="The services to book (at most 20); the first also gets `message` and `attachments`."
    )
    service_id: relay.GlobalID | None = strawberry.field(
        default=None, description="One service to book (`WorkshopService.id`), when `services` is not given."
    )
    registration_number: str | None = strawberry.field(
        default=None,
        description="The vehicle (one registered on the owner's account); null: the owner's primary vehicle.",
    )
    message: str | None = strawberry.field(
        default=None, description="A message to the workshop (at most 4000 characters)."
    )
    attachments: list[AttachmentInput] | None = strawberry.field(
        default=None, description="Files for the workshop (at most 10; files sent in a conversation are refused)."
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Makes a retry safe: the same key with the same input returns the first result and books "
        "nothing; with a different input it is a ConflictError. 1 to 255 characters.",
    )

    def to_command(self) -> CreateBooking:
        services = (
            [
                _Service(
                    service_id=database_id_of(s.service_id, SERVICE_NODE, f"input.services[{i}].serviceId"),
                    message=s.message,
                    attachments=_files(s.attachments),
                )
                for i, s in enumerate(self.services)
            ]
            if self.services is not None
            else None
        )
        service_id = (
            database_id_of(self.service_id, SERVICE_NODE, "input.serviceId") if self.service_id is not None else None
        )
        return inputs.parse_create_booking(
            _Create(
                org_nr=self.org_nr,
                service_id=service_id,
                services=services,
                service_start_time=self.service_start_time,
                registration_number=self.registration_number,
                message=self.message,
                attachments=_files(self.attachments),
            )
        )


@strawberry.input(description="Move a booking line to a new start.")
class RescheduleBookingInput:
    field_paths: ClassVar[dict[str, str]] = {"cancellation_reason": "reason"}

    booking_id: relay.GlobalID = strawberry.field(description="The line to move (`Booking.id`).")
    service_start_time: datetime = strawberry.field(description="The new start; must be in the future.")
    reason: str | None = strawberry.field(
        default=None, description="Why (shown to the workshop with a change request; at most 1000 characters)."
    )

    def to_command(self) -> UpdateBooking:
        return inputs.parse_update_booking(
            database_id_of(self.booking_id, "Booking", "input.bookingId"),
            service_start_time=self.service_start_time,
            cancellation_reason=self.reason,
        )


@strawberry.input(
    description="Cancel one line (`bookingId`) or every line of a group that can still be cancelled (`groupId`)."
)
class CancelBookingInput:
    field_paths: ClassVar[dict[str, str]] = {"cancellation_reason": "reason"}

    booking_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The line to cancel (`Booking.id`); with `groupId`, it must be in that group."
    )
    group_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The group to cancel (`BookingGroup.id`), when `bookingId` is not given."
    )
    reason: str | None = strawberry.field(default=None, description="Why (at most 1000 characters).")

    def to_command(self) -> CancelBooking:
        return inputs.parse_cancel_booking(
            group_id=group_key_of(self.group_id, "input.groupId") if self.group_id is not None else None,
            booking_id=database_id_of(self.booking_id, "Booking", "input.bookingId")
            if self.booking_id is not None
            else None,
            cancellation_reason=self.reason,
        )


@strawberry.input(description="Ask the workshop to move or cancel a line.")
class RequestBookingChangeInput:
    booking_id: relay.GlobalID = strawberry.field(description="The line (`Booking.id`).")
    request_type: ChangeRequestType = strawberry.field(description="What to ask for.")
    requested_start_time: datetime | None = strawberry.field(
        default=None, description="The start wanted; required for RESCHEDULE, ignored for CANCEL; in the future."
    )
    reason: str | None = strawberry.field(default=None, description="Why (at most 1000 characters).")

    def to_command(self) -> RequestChange:
        return inputs.parse_request_change(
            booking_id=database_id_of(self.booking_id, "Booking", "input.bookingId"),
            request_type=domain_value(self.request_type),
            requested_start_time=self.requested_start_time,
            reason=self.reason,
        )


@strawberry.input(description="Rate a completed line (again: the new rating replaces the old).")
class RateBookingInput:
    field_paths: ClassVar[dict[str, str]] = {
        "service_rating": "score",
        "service_rating_message": "message",
        "private_service_rating": "private",
    }

    booking_id: relay.GlobalID = strawberry.field(description="The COMPLETED line to rate (`Booking.id`).")
    score: float = strawberry.field(description="The score, 0 to 5.")
    message: str | None = strawberry.field(default=None, description="Words for the workshop (at most 2000).")
    private: bool = strawberry.field(
        default=False, description="True: only the workshop sees it (it still counts in its average)."
    )

    def to_command(self) -> RateBooking:
        return inputs.parse_rate_booking(
            database_id_of(self.booking_id, "Booking", "input.bookingId"),
            service_rating=self.score,
            service_rating_message=self.message,
            private_service_rating=self.private,
        )
