"""Input rules of the account area: usernames, phone numbers, short texts (registration plates: `app.values`)."""

from __future__ import annotations

import re

from app.errors import ValidationFailed

USERNAME_RE = re.compile(r"[\w.\-]{3,30}")
_PHONE_STRIP = re.compile(r"[\s\-().]")
_E164 = re.compile(r"\+[1-9]\d{6,14}")


def check_username(value: object, field: str = "username") -> str:
    """A trimmed username of 3-30 letters, digits, `.`, `_` or `-`; raises naming `field` otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed("Username is required.", code="INVALID_USERNAME", fields={field: "required"})
    name = value.strip()
    if len(name) < 3:
        raise ValidationFailed(
            "Username must be at least 3 characters.", code="INVALID_USERNAME", fields={field: "too_short"}
        )
    if len(name) > 30:
        raise ValidationFailed(
            "Username must be at most 30 characters.", code="INVALID_USERNAME", fields={field: "too_long"}
        )
    if not USERNAME_RE.fullmatch(name):
        raise ValidationFailed(
            "Username may only contain letters, numbers, '.', '_' and '-'.",
            code="INVALID_USERNAME",
            fields={field: "invalid_characters"},
        )
    return name


def normalise_phone(value: object, field: str = "phone_number") -> str | None:
    """Norwegian numbers become `+47` and eight digits; other countries must be E.164. Empty clears."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed("Phone number must be a string.", code="INVALID_PHONE", fields={field: "invalid"})
    raw = _PHONE_STRIP.sub("", value)
    if not raw:
        return None
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if raw.isdigit() and len(raw) == 8:
        raw = "+47" + raw
    if raw.startswith("+47"):
        rest = raw[3:]
        if not (rest.isdigit() and len(rest) == 8 and rest[0] in "2345679"):
            raise ValidationFailed(
                "A Norwegian phone number has eight digits.", code="INVALID_PHONE", fields={field: "invalid"}
            )
        return raw
    if not _E164.fullmatch(raw):
        raise ValidationFailed("Phone number is not valid.", code="INVALID_PHONE", fields={field: "invalid"})
    return raw


def optional_text(value: object, field: str, max_length: int) -> str | None:
    """A trimmed text of at most `max_length`; empty or null clears."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"{field} must be a string.", fields={field: "invalid"})
    text = value.strip()
    if len(text) > max_length:
        raise ValidationFailed(f"{field} must be at most {max_length} characters.", fields={field: "too_long"})
    return text or None
