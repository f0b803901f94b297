"""What the account area needs from outside: the vehicle registry and a place for uploaded images.

Implementations live in `app.infra.vegvesen` and `app.infra.storage`; `app.wiring` puts the chosen ones on
the service container (`registry`, `storage`).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import msgspec


class RegistryVehicle(msgspec.Struct, frozen=True):
    """One vehicle as the registry describes it, mapped to our fields; `raw` keeps the whole document."""

    registration_number: str
    source: str
    fetched_at: datetime
    vin: str | None = None
    brand: str | None = None
    model: str | None = None
    color: str | None = None
    fuel_type: str | None = None
    vehicle_class: str | None = None
    first_registration: date | None = None
    model_year: int | None = None
    registration_status: str | None = None
    next_eu_control: date | None = None
    last_eu_control: date | None = None
    weights: dict[str, Any] = msgspec.field(default_factory=dict)
    raw: dict[str, Any] = msgspec.field(default_factory=dict)


class VehicleRegistry(Protocol):
    source: str

    async def lookup(
        self, plate: str, *, max_age_s: float | None = None, stored: dict[str, Any] | None = None
    ) -> RegistryVehicle:
        """The vehicle with this (normalised, valid) plate.

        `stored` is the registry document we already keep for the plate, if any: a registry without
        a network (the offline provider) answers from it instead of inventing another vehicle.

        Raises `NotFound` (unknown plate), `ValidationFailed` (the registry rejects the plate),
        `RateLimited` (quota) or `ServiceUnavailable` (key, outage, timeout, unreadable answer).
        `max_age_s` bounds how old a cached answer may be (None: any cached answer will do).
        """
        ...


class StoredFile(msgspec.Struct, frozen=True):
    key: str  # e.g. "profile/3f9c...a1.png"
    url: str  # the path clients fetch it from, e.g. "/api/co/media/profile/3f9c...a1.png"
    content_type: str
    size: int


class MediaStorage(Protocol):
    async def save(self, data: bytes, *, folder: str, extension: str, content_type: str) -> StoredFile: ...

    async def read(self, key: str) -> bytes | None:
        """The bytes stored under a key this storage hands out; None when there are none."""
        ...

    async def delete_url(self, url: str | None) -> bool:
        """Delete the file a stored URL points to; unknown or foreign URLs are left alone."""
        ...


@runtime_checkable
class LocalFiles(Protocol):
    """A storage whose files lie in a local folder, which the media route then serves itself."""

    def path_for(self, key: str) -> Path | None:
        """The file for a key, or None when the key is not one this storage hands out."""
        ...
