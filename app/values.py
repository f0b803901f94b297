"""The shared value rules, one home each: organisation numbers, registration plates, the clock and URLs.

The lowest layer of the project: the domain, `db` (models, seed), both faces and the tests use these and
nothing here imports them back. A rule that is checked in two places is checked here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import NewType
from urllib.parse import urlsplit

from app.errors import NotFound, ValidationFailed

# --- the clock ---------------------------------------------------------------------------------------------


def utc_now() -> datetime:
    """Now, timezone-aware in UTC: every stored and compared timestamp uses this clock."""
    return datetime.now(UTC)


# --- Norwegian organisation numbers -------------------------------------------------------------------------

OrgNr = NewType("OrgNr", str)
"""Nine digits whose last is the MOD11 check digit of the first eight (e.g. 123456785)."""

ORG_NR_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def org_nr_check_digit(first_eight: str) -> int | None:
    """The check digit for eight digits, or None when no ninth digit makes them valid (remainder 1)."""
    remainder = sum(w * int(d) for w, d in zip(ORG_NR_WEIGHTS, first_eight, strict=True)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return None if check == 10 else check


def is_valid_org_nr(value: str) -> bool:
    if len(value) != 9 or not value.isascii() or not value.isdigit():
        return False
    return org_nr_check_digit(value[:8]) == int(value[8])


def parse_org_nr(value: object, field: str = "org_nr", *, format_reason: str = "invalid_format") -> OrgNr:
    """A valid organisation number (spaces removed), or 400 `INVALID_ORG_NR` naming the field.

    `format_reason` keeps the reason each legacy operation has always given for a malformed number.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(f"{field} is required.", fields={field: "required"})
    cleaned = value.strip().replace(" ", "")
    if len(cleaned) != 9 or not cleaned.isascii() or not cleaned.isdigit():
        raise ValidationFailed(f"{field} must be 9 digits.", code="INVALID_ORG_NR", fields={field: format_reason})
    if not is_valid_org_nr(cleaned):
        raise ValidationFailed(
            f"{field} has an invalid check digit.", code="INVALID_ORG_NR", fields={field: "invalid_checksum"}
        )
    return OrgNr(cleaned)


def org_nr_for_lookup(value: str, *, not_found_code: str = "WORKSHOP_NOT_FOUND") -> OrgNr:
    """For reads by path: anything that cannot be an organisation number simply does not exist."""
    cleaned = value.strip()
    if not is_valid_org_nr(cleaned):
        raise NotFound("Workshop not found.", code=not_found_code)
    return OrgNr(cleaned)


# --- registration plates ------------------------------------------------------------------------------------

Plate = NewType("Plate", str)
"""A registration number in normal form: upper case, no spaces or dashes (`ek 39-085` -> `EK39085`)."""

PLATE_RE = re.compile(r"[A-ZÆØÅ0-9]{2,7}")
_SEPARATORS = re.compile(r"[\s\-]")


def plate_text(value: str) -> str:
    """The normal form of any plate text (the registry writes `"EK 39085"`); no validity check."""
    return _SEPARATORS.sub("", value).upper()


def parse_plate(value: object, field: str = "registration_number") -> Plate:
    """A valid plate in normal form, or 400 `INVALID_REGISTRATION_NUMBER`: malformed plates never reach the
    registry. Cars have 2 letters + 5 digits, motorcycles and trailers 2 + 4, personalised plates 2-7 signs."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(
            "Registration number is required.", code="INVALID_REGISTRATION_NUMBER", fields={field: "required"}
        )
    plate = plate_text(value)
    if not PLATE_RE.fullmatch(plate):
        raise ValidationFailed(
            "Registration number is not valid.", code="INVALID_REGISTRATION_NUMBER", fields={field: "invalid"}
        )
    return Plate(plate)


# --- URLs ---------------------------------------------------------------------------------------------------

WEB_SCHEMES = frozenset({"http", "https"})


def absolute_url(base_url: str, path: str | None) -> str | None:
    """`path` under `base_url` unless it already is an absolute http(s) URL; None stays None."""
    if not path or not base_url or path[:8].lower().startswith(("http://", "https://")):  # schemes ignore case
        return path
    return f"{base_url.rstrip('/')}/{path.lstrip('/')}"


def is_web_url(value: object, *, max_length: int = 1000) -> bool:
    """An absolute http(s) URL with a host, without whitespace or control characters.

    Anything else a client sends as a link (`javascript:`, `data:`, scheme-relative `//host`, bare paths)
    would run or resolve somewhere we do not intend once another client renders it.
    """
    if not isinstance(value, str) or not value or len(value) > max_length:
        return False
    if any(c.isspace() or not c.isprintable() for c in value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # e.g. a malformed IPv6 host or port
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(host)


def is_site_path(value: object, *, max_length: int = 1000) -> bool:
    """A path on this server (`/api/co/media/...`), never scheme-relative (`//host`)."""
    return (
        isinstance(value, str)
        and value.startswith("/")
        and not value.startswith("//")
        and len(value) <= max_length
        and not any(c.isspace() or not c.isprintable() for c in value)
    )
