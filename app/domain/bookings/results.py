"""Results of the booking use cases, shaped as the reference documents them (shared by REST and GraphQL)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class StatusItem(msgspec.Struct):
    id: int
    code: str
    display_name: str
    sort_order: int
    is_active: bool


class BookingWarning(msgspec.Struct):
    code: str
    detail: str
    meta: dict[str, Any] = msgspec.field(default_factory=dict)


class TimeWindow(msgspec.Struct):
    start: datetime
    end: datetime | None
    local_start: str | None
    local_end: str | None
    timezone: str = "Europe/Oslo"


class BookingLine(msgspec.Struct):
    """One booked service, every documented field of the reference's `Booking`."""

    id: int
    group_id: str
    workshop_org_nr: str
    service_id: int | None
    service_title: str
    service_description: str | None
    service_price: float
    service_start_time: datetime
    service_estimated_end_time: datetime | None
    service_actual_end_time: datetime | None
    registration_number: str | None
    attachments: list[Any]
    status: str
    status_display: str
    verify_booked: bool
    verify_canceled: bool
    verify_service_done: bool
    cancel_request: bool
    messages: list[Any]
    unread_count: int
    time_window: TimeWindow
    can_reschedule: bool
    can_request_cancel: bool
    rating_allowed: bool
    service_rating: float | None
    service_rating_message: str | None
    private_service_rating: bool
    workshop_name: str | None
    service_estimated_hours: float
    carowner: dict[str, Any] | None = None
    workshop: dict[str, Any] | None = None


class GroupSummary(msgspec.Struct):
    count: int
    total_price: float
    currency: str
    earliest_start: datetime | None
    latest_end: datetime | None
    workshop_org_nr: str | None
    workshop_name: str | None
    registration_number: str | None
    status: str
    statuses: dict[str, int]


class BookingGroup(msgspec.Struct):
    group_id: str
    items: list[BookingLine]
    summary: GroupSummary
    warnings: list[BookingWarning]


class LinePage(msgspec.Struct):
    """A page of the owner's lines and the groups they belong to (see `queries.page_of_lines`)."""

    items: list[BookingLine]
    groups: list[BookingGroup]
    has_more: bool
    total: int
    """Lines matching the filter, on every page."""


class ChangeRequestItem(msgspec.Struct):
    """The reference's `CarOwnerChangeRequestItem`."""

    id: int
    booking_id: int
    group_id: str
    request_type: str
    status: str
    reason: str | None
    requested_start_time: datetime | None
    created_at: datetime
    resolved_at: datetime | None
    resolution_note: msgspec.UnsetType | str | None = msgspec.UNSET


class BookingUpdateResult(msgspec.Struct):
    """What `PUT /bookings/{id}` did: `action` is rescheduled, cancelled, updated or change_requested."""

    action: str
    message: str
    booking: BookingLine
    change_request: ChangeRequestItem | None = None
    warnings: list[BookingWarning] = msgspec.field(default_factory=list)


class CancelResult(msgspec.Struct):
    group_id: str
    message: str
    cancelled: list[int]
    change_requests: list[ChangeRequestItem]
    items: list[BookingLine]


class RatingItem(msgspec.Struct):
    booking_id: int
    workshop_org_nr: str
    workshop_name: str | None
    service_id: int | None
    service_title: str
    registration_number: str | None
    status: str
    service_start_time: datetime
    service_estimated_end_time: datetime | None
    service_actual_end_time: datetime | None
    service_rating: float | None
    service_rating_message: str | None
    private_service_rating: bool
    rated_at: datetime | None


class RatingsList(msgspec.Struct):
    total: int
    items: list[RatingItem]


class GroupLine(msgspec.Struct, frozen=True):
    """A booking line as the payments area needs it: who, what, and the booked price."""

    booking_id: int
    group_id: str
    owner_id: int
    workshop_org_nr: str
    service_title: str
    service_price: float
    status: str
    paid_at: datetime | None


class BookedWorkshop(msgspec.Struct, frozen=True, kw_only=True):
    """The workshop of a booking line, as a line's detail shows it."""

    org_nr: str
    name: str
    phone: str | None
    email: str | None
    average_rating: float
    total_reviews: int


class BookedService(msgspec.Struct, frozen=True, kw_only=True):
    """The catalogue service a line was booked from (the line keeps its own copy of title and price)."""

    id: int
    title: str
    description: str | None
    price: float
    estimated_time: float


class BookedVehicle(msgspec.Struct, frozen=True, kw_only=True):
    registration_number: str
    brand: str | None
    model: str | None
    model_year: int | None
