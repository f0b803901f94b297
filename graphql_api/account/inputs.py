"""The account mutations' inputs: one `input:` object per mutation, each read into the domain's command."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from app.domain.account import inputs
from app.domain.account.commands import (
    AddVehicle,
    SettingChange,
    UpdateNotificationSettings,
    UpdateProfile,
    UpdateVehicle,
)
from app.domain.account.notification_settings import CHANNELS
from app.domain.account.results import ImageUpload
from app.errors import ValidationFailed
from app.values import Plate
from graphql_api.account.types import NotificationEvent
from graphql_api.mapping import domain_value
from graphql_api.node import database_id_of

VEHICLE_ID = "The vehicle (`Vehicle.id`); it must be in the caller's garage."


def given(value: object) -> bool:
    return value is not strawberry.UNSET


async def read_upload(file: Any, field: str) -> ImageUpload:
    """The bytes of an uploaded file (a multipart request's file part)."""
    data = await file.read() if hasattr(file, "read") else bytes(file)
    if not isinstance(data, bytes):
        data = data.encode() if isinstance(data, str) else bytes(data)
    return ImageUpload(data=data, field=field, filename=getattr(file, "filename", None))


@strawberry.input(description="Profile changes: only the fields given change; null clears a field (not username).")
class UpdateProfileInput:
    username: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="New username: 3-30 letters, digits, `.`, `_` or `-`, unique regardless of case.",
    )
    first_name: str | None = strawberry.field(default=strawberry.UNSET, description="First name (at most 100).")
    last_name: str | None = strawberry.field(default=strawberry.UNSET, description="Last name (at most 100).")
    phone_number: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Phone number: eight Norwegian digits (stored as `+47...`) or E.164 for other countries.",
    )
    address: str | None = strawberry.field(
        default=strawberry.UNSET, description="Postal address as one text (at most 255)."
    )

    def to_command(self) -> UpdateProfile:
        names = ("username", "first_name", "last_name", "phone_number", "address")
        return inputs.profile_update({name: getattr(self, name) for name in names if given(getattr(self, name))})


@strawberry.input(description="A new profile picture.")
class UploadProfileImageInput:
    file: Upload = strawberry.field(
        description="The picture: JPEG, PNG or WebP (a multipart request); it is re-encoded without metadata."
    )

    async def to_command(self) -> UpdateProfile:
        return UpdateProfile(image=await read_upload(self.file, "file"))


@strawberry.input(description="A vehicle to add to the caller's garage, by its registration plate.")
class AddVehicleInput:
    registration_number: str = strawberry.field(
        description="The registration plate, in any case, with or without spaces or a hyphen (`bt 57225`)."
    )
    nickname: str | None = strawberry.field(default=None, description="The owner's name for it (at most 60).")
    image: Upload | None = strawberry.field(
        default=None, description="A picture of it: JPEG, PNG or WebP (a multipart request)."
    )

    async def upload(self) -> ImageUpload | None:
        return await read_upload(self.image, "image") if self.image is not None else None

    def to_command(self, upload: ImageUpload | None) -> AddVehicle:
        values = {"registration_number": self.registration_number, "nickname": self.nickname}
        return inputs.vehicle_addition(values, upload)


@strawberry.input(description="Changes to one of the caller's vehicles: only the fields given change.")
class UpdateVehicleInput:
    vehicle_id: relay.GlobalID = strawberry.field(description=VEHICLE_ID)
    nickname: str | None = strawberry.field(
        default=strawberry.UNSET, description="The owner's name for it (at most 60); null clears it."
    )
    image: Upload | None = strawberry.field(
        default=None, description="A new picture: JPEG, PNG or WebP (a multipart request)."
    )

    def database_id(self) -> int:
        return database_id_of(self.vehicle_id, "Vehicle", "input.vehicleId")

    async def upload(self) -> ImageUpload | None:
        return await read_upload(self.image, "image") if self.image is not None else None

    def to_command(self, plate: Plate, upload: ImageUpload | None) -> UpdateVehicle:
        return inputs.vehicle_update(plate, {"nickname": self.nickname} if given(self.nickname) else {}, upload)


@strawberry.input(description="One of the caller's vehicles.")
class VehicleIdInput:
    vehicle_id: relay.GlobalID = strawberry.field(description=VEHICLE_ID)

    def database_id(self) -> int:
        return database_id_of(self.vehicle_id, "Vehicle", "input.vehicleId")


@strawberry.input(description="The vehicle to remove from the caller's garage.")
class RemoveVehicleInput(VehicleIdInput):
    pass


@strawberry.input(description="The vehicle to make the caller's primary one.")
class SetPrimaryVehicleInput(VehicleIdInput):
    pass


@strawberry.input(description="The vehicle whose registry data to fetch again.")
class RefreshVehicleInput(VehicleIdInput):
    pass


@strawberry.input(description="A change to one notification event: only the channels given change.")
class NotificationSettingInput:
    event: NotificationEvent = strawberry.field(description="The event to change.")
    email: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Send e-mails for it; leave out to keep as is (null is refused)."
    )
    push: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="Send push notifications for it; leave out to keep as is (null is refused).",
    )


@strawberry.input(description="Changes to the caller's notification settings.")
class UpdateNotificationSettingsInput:
    changes: list[NotificationSettingInput] = strawberry.field(
        description="The events to change; events and channels not listed keep their setting."
    )

    def to_command(self) -> UpdateNotificationSettings:
        errors: dict[str, str] = {}
        changes: list[SettingChange] = []
        for index, change in enumerate(self.changes):
            for channel in CHANNELS:
                value = getattr(change, channel)
                if value is None:
                    errors[f"changes[{index}].{channel}"] = "must_be_boolean"
                elif given(value):
                    changes.append(SettingChange(domain_value(change.event), channel, value))
        if errors:
            raise ValidationFailed(f"Invalid notification settings: {', '.join(errors)}.", fields=errors)
        return UpdateNotificationSettings(changes=changes)
