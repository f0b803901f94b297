"""Lenient input rules of the message operations, shared by both faces so that a bad value gets the same
`ValidationFailed` (code, message, fields) from REST and GraphQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from app.domain.messages.attachments import AttachmentRef, Upload
from app.domain.messages.commands import MarkThreadRead, SendMessage
from app.errors import ValidationFailed

MAX_TEXT = 5000
MAX_CLIENT_MESSAGE_ID = 64  # the column's length
MAX_PAGE_SIZE = 100


def parse_thread_id(thread_id: str | int | None, field: str = "thread_id") -> int:
    raw = str(thread_id if thread_id is not None else "").strip()
    if not raw:
        raise ValidationFailed(f"{field} is required.", fields={field: "required"})
    if not raw.isdigit() or len(raw) > 18 or int(raw) < 1:
        raise ValidationFailed(f"{field} must be a booking id.", fields={field: "invalid"})
    return int(raw)


def check_paging(page: int, size: int, size_field: str = "page_size") -> None:
    if page < 1:
        raise ValidationFailed("page must be 1 or more.", fields={"page": "must be >= 1"})
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationFailed(
            f"{size_field} must be between 1 and {MAX_PAGE_SIZE}.",
            fields={size_field: f"must be between 1 and {MAX_PAGE_SIZE}"},
        )


def parse_timestamp(value: str | datetime | None, field: str) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return _aware(value) if value is not None else None
    raw = value.strip()
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValidationFailed(f"{field} must be an ISO-8601 timestamp.", fields={field: "invalid"}) from None
    return _aware(parsed)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def clean_text(text: str | None) -> str:
    value = (text or "").replace("\x00", "").strip()
    if len(value) > MAX_TEXT:
        raise ValidationFailed(f"message must be at most {MAX_TEXT} characters.", fields={"message": "too_long"})
    return value


def parse_client_message_id(value: str | None) -> str | None:
    """The sender's own id of a message (trimmed); blank is the same as none, so clients that send an empty
    field keep the behaviour of clients that send nothing."""
    raw = (value or "").strip()
    if not raw:
        return None
    if len(raw) > MAX_CLIENT_MESSAGE_ID or not raw.isprintable():
        raise ValidationFailed(
            f"client_message_id must be at most {MAX_CLIENT_MESSAGE_ID} printable characters.",
            fields={"client_message_id": "invalid"},
        )
    return raw


def parse_send_message(
    *,
    thread_id: str | int | None,
    text: str | None,
    org_nr: str | None,
    uploads: Sequence[Upload] = (),
    refs: Sequence[AttachmentRef] = (),
    client_message_id: str | None = None,
) -> SendMessage:
    return SendMessage(
        booking_id=parse_thread_id(thread_id),
        text=clean_text(text),
        org_nr=org_nr.strip() if org_nr is not None and org_nr.strip() else None,
        uploads=list(uploads),
        refs=list(refs),
        client_message_id=parse_client_message_id(client_message_id),
    )


def parse_mark_thread_read(
    booking_id: int, *, last_read_id: int | None, last_read_at: str | datetime | None
) -> MarkThreadRead:
    up_to_at = parse_timestamp(last_read_at, "last_read_at")
    if last_read_id is not None and last_read_id < 1:
        raise ValidationFailed("last_read_id must be a message id.", fields={"last_read_id": "invalid"})
    return MarkThreadRead(booking_id=booking_id, last_read_id=last_read_id, last_read_at=up_to_at)
