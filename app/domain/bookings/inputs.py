"""Lenient parsing of the owner's booking input into commands, one home for both faces.

Each `parse_*` takes the values as a client sent them (REST bodies are untyped JSON, GraphQL inputs are
typed but still need the same limits) and raises the `ValidationFailed` the operation has always answered,
checking fields in the same order, so that both faces name the same first offending field.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import msgspec

from app.domain.bookings.commands import (
    Attachment,
    CancelBooking,
    CreateBooking,
    LineRequest,
    RateBooking,
    RequestChange,
    RequestType,
    UpdateBooking,
)
from app.domain.bookings.states import CANCELLED, require_status
from app.domain.bookings.times import parse_instant
from app.domain.media import is_private, media_key
from app.errors import ValidationFailed
from app.values import OrgNr, Plate, parse_org_nr, parse_plate

MAX_ATTACHMENTS = 10
MAX_MESSAGE = 4000
MAX_LINES = 20
MAX_IDEMPOTENCY_KEY = 255
REQUEST_TYPES: dict[str, RequestType] = {"reschedule": "reschedule", "cancel": "cancel"}


def message_text(value: object, field: str = "message") -> str | None:
    """A message as a string, or an object with `text`/`message`/`message_text`; empty means none."""
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("text") or value.get("message_text") or value.get("message")
    return optional_text(value, field, limit=MAX_MESSAGE)


def attachments(value: object, field: str = "attachments") -> list[Attachment]:
    """A list of URLs or attachment objects; empty objects are dropped."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationFailed(f"{field} must be a list.", fields={field: "invalid_type"})
    out: list[Attachment] = []
    for item in value:
        if item in ({}, "", None):
            continue
        if not isinstance(item, (str, dict)):
            raise ValidationFailed(f"{field} items must be URLs or objects.", fields={field: "invalid_item"})
        url = item if isinstance(item, str) else item.get("url")
        key = media_key(url) if isinstance(url, str) else None
        if key is not None and is_private(key):  # answers would carry fresh signed links to a conversation's file
            raise ValidationFailed(
                f"{field} cannot reference files sent in a conversation.", fields={field: "private_media"}
            )
        out.append(item)
    if len(out) > MAX_ATTACHMENTS:
        raise ValidationFailed(f"At most {MAX_ATTACHMENTS} attachments.", fields={field: "too_many"})
    return out


def org_nr(value: object, field: str = "org_nr") -> OrgNr:
    """A JSON number is read as its digits; bookings have always answered a missing or non-text number as a
    malformed one (`invalid_org_nr`), not as a missing one."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    return parse_org_nr(text or "-", field, format_reason="invalid_org_nr")


def plate(value: object, field: str = "registration_number") -> Plate:
    """The shared plate rule under the name the service log's filters call."""
    return parse_plate(value, field)


def optional_text(value: object, field: str, *, limit: int = 1000) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"{field} must be a string.", fields={field: "invalid_type"})
    text = value.strip()
    if len(text) > limit:
        raise ValidationFailed(f"{field} is longer than {limit} characters.", fields={field: "too_long"})
    return text or None


def idempotency_key(value: str | None) -> str | None:
    """The key a client sent to make a create safe to retry (surrounding spaces dropped), checked before the
    request it guards."""
    if value is None:
        return None
    key = value.strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY:
        raise ValidationFailed(
            f"Idempotency-Key must be 1-{MAX_IDEMPOTENCY_KEY} characters.", fields={"Idempotency-Key": "invalid"}
        )
    return key


def _positive_id(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationFailed(f"{field} must be a positive integer.", fields={field: "invalid"})
    return value


def _integer(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(f"{field} must be an integer.", fields={field: "invalid"})
    return value


@runtime_checkable
class ServiceFields(Protocol):
    """One `services[]` entry: a typed face's input object (REST sends plain JSON objects instead)."""

    @property
    def service_id(self) -> object: ...
    @property
    def message(self) -> object: ...
    @property
    def attachments(self) -> object: ...


class _JsonService(msgspec.Struct, frozen=True, kw_only=True):
    service_id: object
    message: object
    attachments: object


class CreateBookingFields(Protocol):
    """What the create parsing reads from either face's input."""

    @property
    def org_nr(self) -> object: ...
    @property
    def service_id(self) -> object: ...
    @property
    def services(self) -> object: ...
    @property
    def service_start_time(self) -> object: ...
    @property
    def registration_number(self) -> object: ...
    @property
    def message(self) -> object: ...
    @property
    def attachments(self) -> object: ...


def _service_fields(entry: object, i: int) -> ServiceFields:
    if isinstance(entry, dict):
        return _JsonService(
            service_id=entry.get("service_id"), message=entry.get("message"), attachments=entry.get("attachments")
        )
    if not isinstance(entry, ServiceFields):
        raise ValidationFailed("Each services[] entry must be an object.", fields={f"services[{i}]": "invalid_type"})
    return entry


def _lines(service_id: object, services: object, message: object, files: object) -> list[LineRequest]:
    """`services[]`, or the single `service_id`; the top-level message and attachments go with the first."""
    top_attachments = attachments(files)
    top_message = message_text(message)
    if not services:
        if service_id is None:
            raise ValidationFailed(
                "Provide services[] or service_id.", code="SERVICE_REQUIRED", fields={"service_id": "required"}
            )
        sid = _positive_id(service_id, "service_id")
        return [LineRequest(service_id=sid, message=top_message, attachments=top_attachments, field="service_id")]
    if not isinstance(services, list):
        raise ValidationFailed("services must be a list.", fields={"services": "invalid_type"})
    if len(services) > MAX_LINES:
        raise ValidationFailed(f"At most {MAX_LINES} services in one booking.", fields={"services": "too_many"})
    out: list[LineRequest] = []
    for i, entry in enumerate(services):
        fields = _service_fields(entry, i)
        field = f"services[{i}].service_id"
        sid = _positive_id(fields.service_id, field)
        text = message_text(fields.message, f"services[{i}].message")
        files_of_line = attachments(fields.attachments, f"services[{i}].attachments")
        if i == 0:
            text = "\n\n".join(p for p in (top_message, text) if p) or None
            files_of_line = top_attachments + files_of_line
        out.append(LineRequest(service_id=sid, message=text, attachments=files_of_line, field=field))
    return out


def parse_create_booking(body: CreateBookingFields) -> CreateBooking:
    number = org_nr(body.org_nr)
    lines = _lines(body.service_id, body.services, body.message, body.attachments)
    start = parse_instant(body.service_start_time, "service_start_time")
    raw_plate = body.registration_number
    vehicle = None if raw_plate is None or raw_plate == "" else plate(raw_plate)
    return CreateBooking(org_nr=number, start=start, lines=lines, plate=vehicle)


def parse_update_booking(
    booking_id: int,
    *,
    service_start_time: object = None,
    status: object = None,
    cancellation_reason: object = None,
    files: object = None,
    message: object = None,
) -> UpdateBooking:
    target = require_status(status) if status is not None else None
    if target is not None and target != CANCELLED:
        raise ValidationFailed(
            "Only status=CANCELLED can be set by the car owner.",
            code="STATUS_NOT_ALLOWED",
            fields={"status": "only_cancelled"},
        )
    reason = optional_text(cancellation_reason, "cancellation_reason")
    added = attachments(files)
    text = message_text(message)
    if target is not None and service_start_time is not None:
        raise ValidationFailed(
            "Send either service_start_time or status=CANCELLED, not both.",
            fields={"service_start_time": "conflicts_with_status"},
        )
    if target is None and service_start_time is None and not added and not text:
        raise ValidationFailed(
            "Nothing to update: send service_start_time, status=CANCELLED, message or attachments.",
            code="NOTHING_TO_UPDATE",
            fields={"body": "empty"},
        )
    start = parse_instant(service_start_time, "service_start_time") if service_start_time is not None else None
    return UpdateBooking(
        booking_id=booking_id,
        start=start,
        cancel=target == CANCELLED,
        reason=reason,
        message=text,
        attachments=added,
    )


def parse_cancel_booking(*, group_id: object, booking_id: object, cancellation_reason: object) -> CancelBooking:
    reason = optional_text(cancellation_reason, "cancellation_reason")
    if booking_id is None and not group_id:
        raise ValidationFailed("Provide group_id or booking_id.", fields={"group_id": "required"})
    line = _integer(booking_id, "booking_id") if booking_id is not None else None
    if group_id is not None and not isinstance(group_id, str):
        raise ValidationFailed("group_id must be a string.", fields={"group_id": "invalid"})
    return CancelBooking(booking_id=line, group_id=group_id or None, reason=reason)


def parse_request_change(
    *, booking_id: object, request_type: object, requested_start_time: object, reason: object
) -> RequestChange:
    line = _integer(booking_id, "booking_id")
    kind = REQUEST_TYPES.get(request_type.strip().lower()) if isinstance(request_type, str) else None
    if kind is None:
        raise ValidationFailed(
            "request_type must be 'reschedule' or 'cancel'.",
            code="INVALID_REQUEST_TYPE",
            fields={"request_type": "invalid"},
        )
    note = optional_text(reason, "reason")
    start = None
    if kind == "reschedule":
        if requested_start_time is None:
            raise ValidationFailed(
                "requested_start_time is required for a reschedule request.",
                fields={"requested_start_time": "required"},
            )
        start = parse_instant(requested_start_time, "requested_start_time")
    return RequestChange(booking_id=line, request_type=kind, requested_start=start, reason=note)


def parse_rate_booking(
    booking_id: int, *, service_rating: object, service_rating_message: object, private_service_rating: object
) -> RateBooking:
    if isinstance(service_rating, bool) or not isinstance(service_rating, (int, float)):
        raise ValidationFailed(
            "service_rating must be a number from 0 to 5.",
            code="INVALID_RATING",
            fields={"service_rating": "required" if service_rating is None else "invalid_type"},
        )
    score = float(service_rating)
    if not 0 <= score <= 5:
        raise ValidationFailed(
            "service_rating must be between 0 and 5.", code="INVALID_RATING", fields={"service_rating": "out_of_range"}
        )
    message = optional_text(service_rating_message, "service_rating_message", limit=2000)
    if private_service_rating is not None and not isinstance(private_service_rating, bool):
        raise ValidationFailed(
            "private_service_rating must be true or false.", fields={"private_service_rating": "invalid_type"}
        )
    return RateBooking(booking_id=booking_id, score=score, message=message, private=bool(private_service_rating))
