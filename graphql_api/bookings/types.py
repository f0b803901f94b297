"""The bookings area's object types: booking lines and groups, change requests and ratings (all `Node`s), their
enums, and the connections that page them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from app.domain.bookings import queries, ratings
from app.domain.bookings.results import BookingGroup as GroupResult
from app.domain.bookings.results import (
    BookingLine,
    ChangeRequestItem,
    GroupSummary,
    RatingItem,
    StatusItem,
)
from app.domain.bookings.results import (
    BookingWarning as WarningResult,
)
from app.mapping import same_named
from graphql_api.attachments import Attachment
from graphql_api.bookings.loaders import BookingLoaders
from graphql_api.connections import Connection
from graphql_api.context import GraphQLContext
from graphql_api.messages.loaders import MessageLoaders
from graphql_api.messages.types import Thread
from graphql_api.node import Entity, global_id, owned_nodes, owner_keyed, text_keys
from graphql_api.payments.types import PaymentIntent, payment_of_group

Ctx = Info[GraphQLContext, None]


# --- enums ------------------------------------------------------------------------------------------------


@strawberry.enum(
    description="Where a booking line is in its life: REQUESTED -> CONFIRMED -> IN_PROGRESS -> COMPLETED, "
    "or DECLINED / CANCELLED / NO_SHOW. COMPLETED, DECLINED, CANCELLED and NO_SHOW are final."
)
class BookingStatus(Enum):
    REQUESTED = strawberry.enum_value("REQUESTED", description="Sent to the workshop; waiting for its confirmation.")
    CONFIRMED = strawberry.enum_value("CONFIRMED", description="The workshop confirmed the booking.")
    IN_PROGRESS = strawberry.enum_value("IN_PROGRESS", description="The workshop has started the service.")
    COMPLETED = strawberry.enum_value("COMPLETED", description="The service is done; the line can be rated.")
    DECLINED = strawberry.enum_value("DECLINED", description="The workshop declined the booking (final).")
    CANCELLED = strawberry.enum_value(
        "CANCELLED", description="Cancelled by the owner, or by the workshop approving a cancel request (final)."
    )
    NO_SHOW = strawberry.enum_value("NO_SHOW", description="The vehicle did not come (final).")


@strawberry.enum(description="The status of a booking group as a whole.")
class BookingGroupStatus(Enum):
    REQUESTED = strawberry.enum_value("REQUESTED", description="Every line is REQUESTED.")
    CONFIRMED = strawberry.enum_value("CONFIRMED", description="Every line is CONFIRMED.")
    IN_PROGRESS = strawberry.enum_value("IN_PROGRESS", description="Every line is IN_PROGRESS.")
    COMPLETED = strawberry.enum_value("COMPLETED", description="Every line is COMPLETED.")
    DECLINED = strawberry.enum_value("DECLINED", description="Every line is DECLINED.")
    CANCELLED = strawberry.enum_value("CANCELLED", description="Every line is CANCELLED.")
    NO_SHOW = strawberry.enum_value("NO_SHOW", description="Every line is NO_SHOW.")
    MIXED = strawberry.enum_value("MIXED", description="The lines have different statuses (see `statuses`).")


@strawberry.enum(description="What an owner's change request asks the workshop for.")
class ChangeRequestType(Enum):
    RESCHEDULE = strawberry.enum_value("reschedule", description="Move the line to `requestedStartTime`.")
    CANCEL = strawberry.enum_value("cancel", description="Cancel the line.")


@strawberry.enum(description="Where a change request stands; the workshop decides.")
class ChangeRequestStatus(Enum):
    PENDING = strawberry.enum_value("pending", description="Waiting for the workshop's answer.")
    APPROVED = strawberry.enum_value("approved", description="The workshop approved it; the change was applied.")
    REJECTED = strawberry.enum_value("rejected", description="The workshop rejected it; the line is unchanged.")


@strawberry.enum(description="What a change to a booking line did.")
class BookingChangeAction(Enum):
    RESCHEDULED = strawberry.enum_value("rescheduled", description="The line was moved to the new start time.")
    CANCELLED = strawberry.enum_value("cancelled", description="The line was cancelled.")
    UPDATED = strawberry.enum_value("updated", description="Only a message or attachments were added.")
    CHANGE_REQUESTED = strawberry.enum_value(
        "change_requested",
        description="Policy did not allow a direct change (confirmed, or less than 24 hours before the start): a "
        "change request was sent to the workshop instead (see `changeRequest`).",
    )


@strawberry.enum(description="The kinds of booking warnings.")
class BookingWarningCode(Enum):
    DOUBLE_BOOKING = strawberry.enum_value(
        "DOUBLE_BOOKING", description="The vehicle already has another active booking at that time."
    )
    OUTSIDE_OPENING_HOURS = strawberry.enum_value(
        "OUTSIDE_OPENING_HOURS", description="The time is outside the workshop's opening hours (Europe/Oslo)."
    )
    WORKSHOP_OVERLAP = strawberry.enum_value(
        "WORKSHOP_OVERLAP", description="The workshop has other bookings overlapping that time."
    )
    CANCEL_REQUEST_PENDING = strawberry.enum_value(
        "CANCEL_REQUEST_PENDING", description="A cancellation request awaits the workshop's answer."
    )
    START_TIME_PASSED = strawberry.enum_value(
        "START_TIME_PASSED", description="The start time has passed without the service being started."
    )


# --- small value types ------------------------------------------------------------------------------------


@strawberry.type(description="A booking status as the service names it, for filters and legends.")
class BookingStatusOption:
    code: BookingStatus = strawberry.field(description="The status.")
    display_name: str = strawberry.field(description="Its name to show to the owner.")
    sort_order: int = strawberry.field(description="Position in a list of statuses (ascending).")
    is_active: bool = strawberry.field(description="Whether the status is in use (inactive ones are not listed).")

    @classmethod
    def of(cls, s: StatusItem) -> BookingStatusOption:
        return same_named(cls, s, code=BookingStatus(s.code))


@strawberry.type(
    description="Something the owner should know about a booking; it never stops the booking. Which of the "
    "detail fields are set depends on `code`."
)
class BookingWarning:
    code: BookingWarningCode = strawberry.field(description="The kind of warning.")
    detail: str = strawberry.field(description="The warning in words (English).")
    booking_ids: list[strawberry.ID] = strawberry.field(
        description="Global ids (`Booking.id`) of the lines concerned: for DOUBLE_BOOKING the vehicle's other "
        "bookings at that time (a shared vehicle's can be another owner's: `node` then answers null), for "
        "CANCEL_REQUEST_PENDING and START_TIME_PASSED the line itself; empty for the other codes."
    )
    group_ids: list[str] = strawberry.field(
        description="For DOUBLE_BOOKING: the group keys (`groupId`) of those bookings; empty for the other codes."
    )
    weekday: int | None = strawberry.field(
        description="For OUTSIDE_OPENING_HOURS: the weekday of the requested start in Europe/Oslo, 0 = Monday to "
        "6 = Sunday; null for the other codes."
    )
    overlapping_count: int | None = strawberry.field(
        description="For WORKSHOP_OVERLAP: how many of the workshop's other bookings overlap; null for the other codes."
    )

    @classmethod
    def of(cls, w: WarningResult) -> BookingWarning:
        meta: Mapping[str, Any] = w.meta
        ids = meta.get("booking_ids") or ([meta["booking_id"]] if "booking_id" in meta else [])
        weekday, overlapping = meta.get("weekday"), meta.get("overlapping")
        return cls(
            code=BookingWarningCode(w.code),
            detail=w.detail,
            booking_ids=[global_id("Booking", i) for i in ids],
            group_ids=[str(g) for g in meta.get("group_ids") or []],
            weekday=int(weekday) if weekday is not None else None,
            overlapping_count=int(overlapping) if overlapping is not None else None,
        )


def warnings_of(items: Iterable[WarningResult]) -> list[BookingWarning]:
    return [BookingWarning.of(w) for w in items]


@strawberry.type(description="The workshop of a booking line.")
class BookingWorkshop:
    org_nr: str = strawberry.field(description="The workshop's organisation number (9 digits).")
    name: str = strawberry.field(description="The workshop's name.")
    phone: str | None = strawberry.field(description="Phone number, if the workshop gave one.")
    email: str | None = strawberry.field(description="E-mail address, if the workshop gave one.")
    average_rating: float = strawberry.field(description="Average of the owners' ratings, 0 to 5 (0: none yet).")
    total_reviews: int = strawberry.field(description="How many ratings the average is made of.")


@strawberry.type(description="The catalogue service a booking line was booked from, as the catalogue has it now.")
class BookedService:
    database_id: int = strawberry.field(description="The service's numeric id (`WorkshopService.databaseId`).")
    title: str = strawberry.field(description="The service's title.")
    description: str | None = strawberry.field(description="The service's description, if any.")
    price: float = strawberry.field(description="The current price in NOK (the line keeps the price it was booked at).")
    estimated_time: float = strawberry.field(description="Estimated duration in hours.")


@strawberry.type(description="The vehicle a booking line is for.")
class BookingVehicle:
    registration_number: str = strawberry.field(description="The registration number, upper case without spaces.")
    brand: str | None = strawberry.field(description="Make, from the vehicle registry.")
    model: str | None = strawberry.field(description="Model, from the vehicle registry.")
    model_year: int | None = strawberry.field(description="Model year, from the vehicle registry.")


@strawberry.type(description="How many lines of a group have one status.")
class BookingStatusCount:
    status: BookingStatus = strawberry.field(description="The status.")
    count: int = strawberry.field(description="How many of the group's lines have it (at least 1).")


@strawberry.type(description="Totals over all the lines of a booking group.")
class BookingGroupSummary:
    count: int = strawberry.field(description="How many lines the group has.")
    total_price: float = strawberry.field(description="Sum of the lines' booked prices, in NOK.")
    currency: str = strawberry.field(description="The currency of the prices: always NOK.")
    earliest_start: datetime | None = strawberry.field(description="The earliest start of the group's lines.")
    latest_end: datetime | None = strawberry.field(
        description="The latest end (actual, else estimated) of the group's lines; null when none has an end."
    )
    status: BookingGroupStatus = strawberry.field(description="The lines' common status, or MIXED.")
    statuses: list[BookingStatusCount] = strawberry.field(
        description="How many lines have each status (only statuses some line has)."
    )

    @classmethod
    def of(cls, s: GroupSummary) -> BookingGroupSummary:
        return same_named(
            cls,
            s,
            status=BookingGroupStatus(s.status),
            statuses=[BookingStatusCount(status=BookingStatus(k), count=v) for k, v in s.statuses.items()],
        )


def attachment_of(item: object) -> Attachment | None:
    """A stored attachment (a URL, or an object as a client sent it) as the schema shows it."""
    if isinstance(item, str):
        return Attachment(url=item, name=None, size=None, content_type=None) if item else None
    if not isinstance(item, dict) or not isinstance(item.get("url"), str):
        return None
    size = item.get("size")
    kind = item.get("content_type") or item.get("contentType") or item.get("mime_type") or item.get("type")
    name = item.get("name") or item.get("filename")
    return Attachment(
        url=item["url"],
        name=name if isinstance(name, str) else None,
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        content_type=kind if isinstance(kind, str) else None,
    )


# --- entities ---------------------------------------------------------------------------------------------


@strawberry.type(
    description="One booked service (a booking line) of the signed-in owner. Lines booked together form a "
    "`BookingGroup` and share its `groupId`; each line has its own status."
)
class Booking(Entity):
    id: relay.NodeID[int]
    group_id: str = strawberry.field(
        description="The key of this line's booking group (a UUID); the group's global id is `BookingGroup.id`."
    )
    workshop_org_nr: str = strawberry.field(description="The workshop's organisation number (9 digits).")
    workshop_name: str | None = strawberry.field(description="The workshop's name; null if it no longer exists.")
    service_title: str = strawberry.field(description="The service's title as booked.")
    service_description: str | None = strawberry.field(description="The service's description as booked.")
    service_price: float = strawberry.field(description="The price in NOK as booked (kroner, øre as decimals).")
    service_estimated_hours: float = strawberry.field(description="Estimated duration in hours.")
    service_start_time: datetime = strawberry.field(description="When the service starts.")
    service_estimated_end_time: datetime | None = strawberry.field(
        description="When the service should end (start + estimated hours)."
    )
    service_actual_end_time: datetime | None = strawberry.field(
        description="When the workshop completed the service; null until COMPLETED."
    )
    registration_number: str | None = strawberry.field(
        description="The booked vehicle's registration number (upper case, no spaces)."
    )
    attachments: list[Attachment] = strawberry.field(description="Files the owner attached to this line.")
    status: BookingStatus = strawberry.field(description="The line's status.")
    status_display: str = strawberry.field(description="The status's name to show (`BookingStatusOption`).")
    verify_booked: bool = strawberry.field(description="The workshop has confirmed the booking.")
    verify_canceled: bool = strawberry.field(description="The cancellation has been carried out.")
    verify_service_done: bool = strawberry.field(description="The workshop has marked the service done.")
    cancel_request: bool = strawberry.field(description="A cancellation request awaits the workshop's answer.")
    unread_count: int = strawberry.field(description="Workshop messages about this line the owner has not read.")
    can_reschedule: bool = strawberry.field(
        description="The line can still be moved (REQUESTED or CONFIRMED, before its start): directly, or by a "
        "change request when confirmed or less than 24 hours ahead."
    )
    can_request_cancel: bool = strawberry.field(
        description="The line can still be cancelled or a cancellation requested (none is pending)."
    )
    rating_allowed: bool = strawberry.field(description="The line is COMPLETED and can be rated (`rateBooking`).")
    line: strawberry.Private[BookingLine]

    @classmethod
    def of(cls, line: BookingLine) -> Booking:
        """The stable way to show a domain line (also used by the realtime area)."""
        return same_named(
            cls,
            line,
            status=BookingStatus(line.status),
            attachments=[a for a in (attachment_of(item) for item in line.attachments) if a is not None],
            line=line,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Ctx, node_ids: Iterable[str], required: bool = False
    ) -> list[Booking | None]:
        return await owned_nodes(info, node_ids, queries.lines_by_id, cls.of)

    @strawberry.field(description="The workshop; null if it no longer exists.")
    async def workshop(self, info: Ctx) -> BookingWorkshop | None:
        w = await info.context.loaders.get(BookingLoaders).workshop.load(self.workshop_org_nr)
        return same_named(BookingWorkshop, w) if w else None

    @strawberry.field(description="The catalogue service this line was booked from; null if it no longer exists.")
    async def service(self, info: Ctx) -> BookedService | None:
        if self.line.service_id is None:
            return None
        s = await info.context.loaders.get(BookingLoaders).service.load(self.line.service_id)
        return same_named(BookedService, s, database_id=s.id) if s else None

    @strawberry.field(description="The booked vehicle; null if it is not in the vehicle register any more.")
    async def vehicle(self, info: Ctx) -> BookingVehicle | None:
        if not self.registration_number:
            return None
        v = await info.context.loaders.get(BookingLoaders).vehicle.load(self.registration_number)
        return same_named(BookingVehicle, v) if v else None

    @strawberry.field(description="This line's change requests, newest first (a line has few).")
    async def change_requests(self, info: Ctx) -> list[ChangeRequest]:
        items = await info.context.loaders.get(BookingLoaders).change_requests.load(self.id)
        return [ChangeRequest.of(c) for c in items]

    @strawberry.field(
        description="The payment of this line's group (succeeded, else open, else the newest); null "
        "when the group has none."
    )
    async def payment(self, info: Ctx) -> PaymentIntent | None:
        return await payment_of_group(info, self.group_id)

    @strawberry.field(
        description="The line's message thread with the workshop (`thread.messages` pages it); the same object as "
        "`thread(bookingId:)`."
    )
    async def thread(self, info: Ctx) -> Thread | None:
        owner_id = await info.context.viewer_id(info)
        found = await info.context.loaders.get(MessageLoaders).thread.load((owner_id, self.line.id))
        return Thread.of(found) if found is not None else None

    @strawberry.field(description="The owner's rating of this line; null until rated.")
    async def rating(self, info: Ctx) -> Rating | None:
        if self.line.service_rating is None:
            return None
        item = await info.context.loaders.get(BookingLoaders).rating.load(self.id)
        return Rating.of(item) if item else None


async def _line(info: Ctx, booking_id: int) -> Booking:
    owner_id = await info.context.viewer_id(info)
    line = await info.context.loaders.get(BookingLoaders).line.load((owner_id, booking_id))
    if line is None:  # an owner's change request or rating always has its line
        raise queries.not_found(booking_id)
    return Booking.of(line)


@strawberry.type(
    description="Lines the owner booked together (one request, one workshop, one vehicle). Keyed by its group "
    "key: `groupId`."
)
class BookingGroup(relay.Node):
    key: relay.NodeID[str]
    group_id: str = strawberry.field(description="The group's key (a UUID), as the REST API shows it.")
    items: list[Booking] = strawberry.field(
        description="The group's lines, earliest start first. In `bookings.groups`: only the lines on that page."
    )
    summary: BookingGroupSummary = strawberry.field(description="Totals over all the group's lines.")
    warnings: list[BookingWarning] = strawberry.field(
        description="Warnings about the group's lines (all of them, also those on other pages)."
    )

    @classmethod
    def of(cls, g: GroupResult) -> BookingGroup:
        return cls(
            key=g.group_id,
            group_id=g.group_id,
            items=[Booking.of(i) for i in g.items],
            summary=BookingGroupSummary.of(g.summary),
            warnings=warnings_of(g.warnings),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Ctx, node_ids: Iterable[str], required: bool = False
    ) -> list[BookingGroup | None]:
        return await owner_keyed(info, text_keys(node_ids), queries.groups_by_id, cls.of)


@strawberry.type(
    description="The owner's request to the workshop to move or cancel a line, made when policy does not allow "
    "the change directly (the line is confirmed, or starts in less than 24 hours)."
)
class ChangeRequest(Entity):
    id: relay.NodeID[int]
    group_id: str = strawberry.field(description="The key of the line's booking group.")
    request_type: ChangeRequestType = strawberry.field(description="What is asked for.")
    status: ChangeRequestStatus = strawberry.field(description="Where the request stands.")
    reason: str | None = strawberry.field(description="The owner's reason, if given.")
    requested_start_time: datetime | None = strawberry.field(
        description="The start asked for (RESCHEDULE); null for CANCEL."
    )
    created_at: datetime = strawberry.field(description="When the owner made the request.")
    resolved_at: datetime | None = strawberry.field(description="When the workshop answered; null while PENDING.")
    booking_id: strawberry.Private[int]

    @classmethod
    def of(cls, c: ChangeRequestItem) -> ChangeRequest:
        return same_named(cls, c, request_type=ChangeRequestType(c.request_type), status=ChangeRequestStatus(c.status))

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Ctx, node_ids: Iterable[str], required: bool = False
    ) -> list[ChangeRequest | None]:
        return await owned_nodes(info, node_ids, queries.change_requests_by_id, cls.of)

    @strawberry.field(description="The line the request is about.")
    async def booking(self, info: Ctx) -> Booking:
        return await _line(info, self.booking_id)


@strawberry.type(
    description="The owner's rating of a completed booking line. Keyed by the line: `databaseId` is the line's "
    "`Booking.databaseId`."
)
class Rating(Entity):
    id: relay.NodeID[int]
    workshop_org_nr: str = strawberry.field(description="The rated workshop's organisation number.")
    workshop_name: str | None = strawberry.field(description="The rated workshop's name.")
    service_title: str = strawberry.field(description="The rated line's service title.")
    registration_number: str | None = strawberry.field(description="The vehicle of the rated line.")
    score: float = strawberry.field(description="The score, 0 to 5.")
    message: str | None = strawberry.field(description="The owner's words, if any.")
    private: bool = strawberry.field(
        description="True: only the workshop sees it; it still counts in the workshop's average."
    )
    rated_at: datetime | None = strawberry.field(description="When the rating was last given or changed.")

    @classmethod
    def of(cls, r: RatingItem) -> Rating:
        return same_named(
            cls,
            r,
            id=r.booking_id,
            score=r.service_rating if r.service_rating is not None else 0.0,
            message=r.service_rating_message,
            private=r.private_service_rating,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Ctx, node_ids: Iterable[str], required: bool = False
    ) -> list[Rating | None]:
        return await owned_nodes(info, node_ids, ratings.ratings_by_id, cls.of)

    @strawberry.field(description="The rated line.")
    async def booking(self, info: Ctx) -> Booking:
        return await _line(info, self.id)


# --- connections ------------------------------------------------------------------------------------------


@strawberry.type(description="A page of the owner's booking lines, newest start first, with their groups.")
class BookingConnection(Connection[Booking]):
    groups: list[BookingGroup] = strawberry.field(
        description="The groups of this page's lines, in the order their first line appears: `items` are the "
        "group's lines on this page, `summary` and `warnings` cover all its lines (also those on other pages or "
        "outside the filter)."
    )


ChangeRequestConnection = Connection[ChangeRequest]
RatingConnection = Connection[Rating]
