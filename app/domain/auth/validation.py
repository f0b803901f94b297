"""Input rules for credentials."""

from __future__ import annotations

import re

from app.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from app.errors import ValidationFailed

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def normalise_email(value: str, field: str = "email") -> str:
    if not value.strip():
        raise ValidationFailed("Email is required.", fields={field: "required"})
    email = value.strip()
    if len(email) > 254 or not _EMAIL.match(email):
        raise ValidationFailed("Email address is not valid.", fields={field: "invalid"})
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def check_new_password(value: str, field: str = "password") -> str:
    if not value:
        raise ValidationFailed("Password is required.", fields={field: "required"})
    if len(value) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"Password must be at least {MIN_PASSWORD_LENGTH} characters.", fields={field: "too_short"}
        )
    if len(value) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"Password must be at most {MAX_PASSWORD_LENGTH} characters.", fields={field: "too_long"}
        )
    return value


def require_password(value: str, field: str = "password") -> str:
    if not value:
        raise ValidationFailed("Password is required.", fields={field: "required"})
    if len(value) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed("Invalid email or password.", fields={field: "too_long"})
    return value
