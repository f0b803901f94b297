"""Norwegian organisation numbers: 9 digits with a MOD11 check digit."""

from __future__ import annotations

from app.errors import NotFound, ValidationFailed

WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def is_valid_org_nr(value: str) -> bool:
    if len(value) != 9 or not value.isdigit() or not value.isascii():
        return False
    remainder = sum(w * int(d) for w, d in zip(WEIGHTS, value[:8], strict=True)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return check != 10 and check == int(value[8])


def require_org_nr(value: object, field: str = "org_nr") -> str:
    """A valid organisation number, or 400 naming the field."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(f"{field} is required.", fields={field: "required"})
    cleaned = value.strip().replace(" ", "")
    if len(cleaned) != 9 or not cleaned.isdigit():
        raise ValidationFailed(f"{field} must be 9 digits.", code="INVALID_ORG_NR", fields={field: "invalid_format"})
    if not is_valid_org_nr(cleaned):
        raise ValidationFailed(
            f"{field} has an invalid check digit.", code="INVALID_ORG_NR", fields={field: "invalid_checksum"}
        )
    return cleaned


def require_org_nr_for_lookup(value: str) -> str:
    """For reads by path: anything that cannot be an organisation number simply does not exist."""
    cleaned = value.strip()
    if len(cleaned) != 9 or not cleaned.isdigit() or not cleaned.isascii():
        raise NotFound("Workshop not found.", code="WORKSHOP_NOT_FOUND")
    return cleaned
