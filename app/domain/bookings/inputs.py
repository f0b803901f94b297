"""Validating the loosely typed parts of booking input: messages, attachments, org numbers, plates."""

from __future__ import annotations

import re
from typing import Any

from app.domain.media import is_private, media_key
from app.errors import ValidationFailed

MAX_ATTACHMENTS = 10
MAX_MESSAGE = 4000


def message_text(value: object, field: str = "message") -> str | None:
    """A message as a string, or an object with `text`/`message`/`message_text`; empty means none."""
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("text") or value.get("message_text") or value.get("message")
        if value is None:
            return None
    if not isinstance(value, str):
        raise ValidationFailed(f"{field} must be a string.", fields={field: "invalid_type"})
    text = value.strip()
    if len(text) > MAX_MESSAGE:
        raise ValidationFailed(f"{field} is longer than {MAX_MESSAGE} characters.", fields={field: "too_long"})
    return text or None


def attachments(value: object, field: str = "attachments") -> list[Any]:
    """A list of URLs or attachment objects; empty objects are dropped."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationFailed(f"{field} must be a list.", fields={field: "invalid_type"})
    out: list[Any] = []
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


def org_nr(value: object, field: str = "org_nr") -> str:
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not re.fullmatch(r"\d{9}", text):
        raise ValidationFailed(f"{field} must be 9 digits.", code="INVALID_ORG_NR", fields={field: "invalid_org_nr"})
    return text


def plate(value: object, field: str = "registration_number") -> str:
    if not isinstance(value, str):
        raise ValidationFailed(f"{field} must be a string.", fields={field: "invalid_type"})
    text = value.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z0-9]{2,10}", text):
        raise ValidationFailed(f"{field} is not a registration number.", fields={field: "invalid"})
    return text


def optional_text(value: object, field: str, *, limit: int = 1000) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"{field} must be a string.", fields={field: "invalid_type"})
    text = value.strip()
    if len(text) > limit:
        raise ValidationFailed(f"{field} is longer than {limit} characters.", fields={field: "too_long"})
    return text or None
