"""What the account use cases are asked to do: one command per write, built from either face's input by
`app.domain.account.inputs`. Values arrive checked and in normal form; `UNSET` marks a field not sent
(it stays as it is), `None` one sent empty (it is cleared)."""

from __future__ import annotations

import msgspec
from msgspec import UNSET, UnsetType

from app.domain.account.results import ImageUpload
from app.values import Plate


class UpdateProfile(msgspec.Struct, frozen=True, kw_only=True):
    username: str | UnsetType = UNSET
    first_name: str | UnsetType | None = UNSET
    last_name: str | UnsetType | None = UNSET
    phone_number: str | UnsetType | None = UNSET
    address: str | UnsetType | None = UNSET
    image: ImageUpload | None = None

    def changes(self) -> dict[str, object]:
        """The column values sent, by column name."""
        return {
            name: value
            for name in ("username", "first_name", "last_name", "phone_number", "address")
            if (value := getattr(self, name)) is not UNSET
        }


class AddVehicle(msgspec.Struct, frozen=True, kw_only=True):
    registration_number: Plate
    nickname: str | None = None
    image: ImageUpload | None = None
    image_url: str | None = None  # a picture sent as a link instead of a file


class UpdateVehicle(msgspec.Struct, frozen=True, kw_only=True):
    registration_number: Plate
    nickname: str | UnsetType | None = UNSET
    image: ImageUpload | None = None
    # a link is checked by the use case: only the owner's current picture may point into our storage
    image_url: str | UnsetType | None = UNSET


class RemoveVehicle(msgspec.Struct, frozen=True, kw_only=True):
    registration_number: Plate


class SetPrimaryVehicle(msgspec.Struct, frozen=True, kw_only=True):
    registration_number: Plate


class RefreshVehicle(msgspec.Struct, frozen=True, kw_only=True):
    registration_number: Plate


class SettingChange(msgspec.Struct, frozen=True):
    event: str
    channel: str
    enabled: bool


class UpdateNotificationSettings(msgspec.Struct, frozen=True, kw_only=True):
    changes: list[SettingChange]
