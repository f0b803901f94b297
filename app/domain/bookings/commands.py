"""The owner's booking writes as typed commands: what each use case may trust without checking again.

Both faces build these from their input (`inputs.parse_*`); the use cases enforce only the business rules
(existence, ownership, states, the clock).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

from app.values import OrgNr, Plate

Attachment = str | dict[str, Any]
"""A URL, or an attachment object as the client sent it (`{"url": ..., "name": ...}`)."""

RequestType = Literal["reschedule", "cancel"]


class LineRequest(msgspec.Struct, frozen=True, kw_only=True):
    """One service of a new booking group."""

    service_id: int
    message: str | None
    attachments: list[Attachment]
    field: str
    """The input field that named the service, for the errors about it (`service_id`, `services[1].service_id`)."""


class CreateBooking(msgspec.Struct, frozen=True, kw_only=True):
    org_nr: OrgNr
    start: datetime
    lines: list[LineRequest]
    plate: Plate | None
    """None books the owner's primary vehicle."""


class UpdateBooking(msgspec.Struct, frozen=True, kw_only=True):
    """Reschedule or cancel one line, and/or add a message or attachments to it."""

    booking_id: int
    start: datetime | None
    cancel: bool
    reason: str | None
    message: str | None
    attachments: list[Attachment]


class CancelBooking(msgspec.Struct, frozen=True, kw_only=True):
    """Cancel one line (`booking_id`, checked against `group_id` when both are given) or a whole group."""

    booking_id: int | None
    group_id: str | None
    reason: str | None


class RequestChange(msgspec.Struct, frozen=True, kw_only=True):
    booking_id: int
    request_type: RequestType
    requested_start: datetime | None
    """Set for a reschedule, None for a cancellation."""
    reason: str | None


class RateBooking(msgspec.Struct, frozen=True, kw_only=True):
    booking_id: int
    score: float
    message: str | None
    private: bool


# --- the workshop side (`minbil workshop ...`) ---------------------------------------------------------------


class WorkshopCommand(msgspec.Struct, frozen=True, kw_only=True):
    """A workshop action on a booking line (its id) or a whole group (its id); `org_nr` limits it to one
    workshop's bookings."""

    target: str
    org_nr: str | None = None


class ConfirmBooking(WorkshopCommand, frozen=True, kw_only=True):
    pass


class DeclineBooking(WorkshopCommand, frozen=True, kw_only=True):
    reason: str | None = None


class StartService(WorkshopCommand, frozen=True, kw_only=True):
    pass


class CompleteService(WorkshopCommand, frozen=True, kw_only=True):
    actual_end: datetime | None = None
    """None: now."""


class ReplyToOwner(msgspec.Struct, frozen=True, kw_only=True):
    booking_id: int
    text: str
    org_nr: str | None = None


class ResolveChange(msgspec.Struct, frozen=True, kw_only=True):
    request_id: int
    approve: bool
    note: str | None = None
    org_nr: str | None = None
