"""What the account use cases return (plain structs; REST and GraphQL map them to their shapes)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec

from app.domain.auth.results import OwnerSummary


class VehicleView(msgspec.Struct, frozen=True):
    """One vehicle as its owner sees it: registry data plus the owner's nickname, picture and primary flag."""

    id: int
    registration_number: str
    nickname: str | None
    image: str | None
    is_primary: bool
    brand: str | None
    model: str | None
    color: str | None
    fuel_type: str | None
    vehicle_class: str | None
    vin: str | None
    first_registration: date | None
    model_year: int | None
    registration_status: str | None
    next_eu_control: date | None
    last_eu_control: date | None
    weights: dict[str, Any]
    source: str
    fetched_at: datetime | None
    linked_at: datetime
    updated_at: datetime
    raw: dict[str, Any] | None = None  # the registry document, only in the detail view


class VehicleChange(msgspec.Struct, frozen=True):
    vehicle: VehicleView
    created: bool = False


class VehicleRemoved(msgspec.Struct, frozen=True):
    registration_number: str
    primary: VehicleView | None  # the primary vehicle after the removal


class UsernameAvailability(msgspec.Struct, frozen=True):
    username: str
    available: bool
    message: str


class ProfileImageRemoved(msgspec.Struct, frozen=True):
    removed: bool
    owner: OwnerSummary


class ImageUpload(msgspec.Struct, frozen=True):
    """An uploaded file as received; its type is decided from `data`, never from the name or header."""

    data: bytes
    field: str = "file"
    filename: str | None = None
