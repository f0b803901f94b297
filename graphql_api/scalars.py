"""The schema's date and time scalars: one textual form for every instant and day.

`LocalTime` is a wall-clock time of day (`HH:MM`). `DateTime` is an instant in ISO 8601 with milliseconds and an explicit offset, always UTC on output
(`2026-11-30T17:05:09.120Z`); an input without an offset is refused, since a bare wall-clock time is ambiguous
across the Europe/Oslo daylight-saving change. `Date` is a calendar day, `YYYY-MM-DD`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import strawberry
from strawberry.types.scalar import ScalarDefinition


def serialize_datetime(value: datetime) -> str:
    if value.tzinfo is None:  # stored instants are UTC; a naive one reached here from a UTC column
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime must be a string in ISO 8601, e.g. 2026-11-30T17:05:09.120Z.")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"DateTime must be ISO 8601 with an offset, e.g. 2026-11-30T17:05:09.120Z: {value!r}") from exc
    if parsed.tzinfo is None:
        raise ValueError(f"DateTime needs an offset (Z or +01:00): {value!r}")
    return parsed.astimezone(UTC)


def serialize_date(value: date) -> str:
    return value.isoformat()


def parse_date(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError("Date must be a string YYYY-MM-DD.")
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"Date must be YYYY-MM-DD: {value!r}") from exc


DateTime = strawberry.scalar(
    name="DateTime",
    description="An instant: ISO 8601 with milliseconds and an offset; always UTC (`Z`) on output, e.g. "
    "`2026-11-30T17:05:09.120Z`. Inputs must carry an offset.",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
    specified_by_url="https://datatracker.ietf.org/doc/html/rfc3339",
)
Date = strawberry.scalar(
    name="Date",
    description="A calendar day, `YYYY-MM-DD` (ISO 8601).",
    serialize=serialize_date,
    parse_value=parse_date,
    specified_by_url="https://datatracker.ietf.org/doc/html/rfc3339#section-5.6",
)


def serialize_local_time(value: time) -> str:
    return value.strftime("%H:%M")


def parse_local_time(value: Any) -> time:
    if not isinstance(value, str):
        raise ValueError("LocalTime must be a string HH:MM.")
    try:
        return time.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"LocalTime must be HH:MM: {value!r}") from exc


LocalTime = strawberry.scalar(
    name="LocalTime",
    description="A wall-clock time of day, `HH:MM` (24-hour), in the time zone its field names (Europe/Oslo for "
    "opening hours).",
    serialize=serialize_local_time,
    parse_value=parse_local_time,
)

SCALARS: dict[object, ScalarDefinition] = {datetime: DateTime, date: Date, time: LocalTime}
