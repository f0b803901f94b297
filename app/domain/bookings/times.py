"""Parsing the times clients send: `YYYY-MM-DD HH:MM` (Europe/Oslo) or ISO 8601."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from app.errors import ValidationFailed

OSLO = ZoneInfo("Europe/Oslo")
_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")


def parse_instant(value: object, field: str) -> datetime:
    """`YYYY-MM-DD HH:MM` in Oslo time, or ISO 8601 (a value without offset is Oslo time); UTC result."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            if _LOCAL.match(text):
                parsed = datetime.strptime(text, "%Y-%m-%d %H:%M")
            else:
                parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError as exc:
            raise ValidationFailed(
                f"{field} must be 'YYYY-MM-DD HH:MM' (Europe/Oslo) or ISO 8601.",
                code="INVALID_DATETIME",
                fields={field: "invalid_datetime"},
            ) from exc
    else:
        raise ValidationFailed(
            f"{field} is required ('YYYY-MM-DD HH:MM' or ISO 8601).",
            code="INVALID_DATETIME",
            fields={field: "required"},
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=OSLO)
    return parsed.astimezone(UTC)


def require_future(instant: datetime, field: str, *, now: datetime) -> datetime:
    if instant <= now:
        raise ValidationFailed(f"{field} must be in the future.", code="START_TIME_IN_PAST", fields={field: "in_past"})
    return instant


def parse_day_bound(value: object, field: str, *, end: bool) -> datetime | None:
    """A date filter: `YYYY-MM-DD` (the whole Oslo day; `end` takes the day's last instant) or ISO 8601."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"{field} must be YYYY-MM-DD or ISO 8601.", fields={field: "invalid_date"})
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            local = datetime.combine(day, time.max if end else time.min, tzinfo=OSLO)
            return local.astimezone(UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValidationFailed(
            f"{field} must be YYYY-MM-DD or ISO 8601.", code="INVALID_DATE", fields={field: "invalid_date"}
        ) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=OSLO)
    return parsed.astimezone(UTC)


def local_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(OSLO).strftime("%Y-%m-%d %H:%M")
