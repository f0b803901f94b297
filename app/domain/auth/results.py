"""What the auth use cases return (plain structs; each face maps them to its own wire shape)."""

from __future__ import annotations

from datetime import datetime

import msgspec


class OwnerSummary(msgspec.Struct, frozen=True):
    id: int
    uid: str
    email: str
    username: str | None
    first_name: str | None
    last_name: str | None
    phone_number: str | None
    address: str | None
    profile_image: str | None
    verify_vehicles: bool
    created_at: datetime
    updated_at: datetime


class Session(msgspec.Struct, frozen=True):
    access_token: str
    refresh_token: str
    expires_in: int
    expires_at: datetime
    owner: OwnerSummary
    token_type: str = "bearer"


class SignUpResult(msgspec.Struct, frozen=True):
    uid: str
    owner: OwnerSummary
