"""Lenient input of the account area -> commands: the one place both faces turn what a client sent (a JSON
object, form fields, GraphQL arguments) into checked values, so both answer a bad input with the same error."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from app.domain.account import validation
from app.domain.account.commands import (
    AddVehicle,
    SettingChange,
    UpdateNotificationSettings,
    UpdateProfile,
    UpdateVehicle,
)
from app.domain.account.notification_settings import CHANNELS, EVENTS
from app.domain.account.results import ImageUpload
from app.errors import ValidationFailed
from app.values import parse_plate

# accepted request keys -> column; the legacy clients send snake_case, some send the camelCase of the response
PROFILE_FIELDS: dict[str, str] = {
    "username": "username",
    "first_name": "first_name",
    "firstName": "first_name",
    "last_name": "last_name",
    "lastName": "last_name",
    "phone_number": "phone_number",
    "address": "address",
}
NICKNAME_MAX = 60


def _profile_value(column: str, key: str, raw: object) -> str | None:
    if column == "username":
        return validation.check_username(raw)
    if column == "phone_number":
        return validation.normalise_phone(raw)
    return validation.optional_text(raw, key, 255 if column == "address" else 100)


def profile_update(values: Mapping[str, object], image: ImageUpload | None = None) -> UpdateProfile:
    """The recognised keys that were sent, checked in a fixed order (the first bad one is the error)."""
    command = UpdateProfile(image=image)
    for key, column in PROFILE_FIELDS.items():
        if key in values:
            command = msgspec.structs.replace(command, **{column: _profile_value(column, key, values[key])})
    return command


def nickname(value: object) -> str | None:
    return validation.optional_text(value, "nickname", NICKNAME_MAX)


def image_link(value: object) -> str | None:
    """A picture sent as text (legacy clients upload elsewhere and send the link); empty means none.
    Whether the link may be used is the use case's decision."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValidationFailed("image must be an http(s) URL or an uploaded file.", fields={"image": "invalid"})
    return value


def vehicle_addition(values: Mapping[str, object], image: ImageUpload | None = None) -> AddVehicle:
    """`registration_number` (or the legacy `reg`), an optional nickname and a picture (file or link)."""
    return AddVehicle(
        registration_number=parse_plate(values.get("registration_number", values.get("reg"))),
        nickname=nickname(values.get("nickname")),
        image=image,
        image_url=image_link(values.get("image")),
    )


def vehicle_update(plate: object, values: Mapping[str, object], image: ImageUpload | None = None) -> UpdateVehicle:
    """Only the keys sent change: `nickname` (null clears) and `image` (a link; null or empty clears)."""
    command = UpdateVehicle(registration_number=parse_plate(plate), image=image)
    if "nickname" in values:
        command = msgspec.structs.replace(command, nickname=nickname(values["nickname"]))
    if "image" in values:
        command = msgspec.structs.replace(command, image_url=image_link(values["image"]))
    return command


def notification_changes(body: object) -> UpdateNotificationSettings:
    """`{"booking.accepted": {"email": true}}` -> one change per channel; unknown names are a 400 naming them."""
    if not isinstance(body, dict):
        raise ValidationFailed("The body must be an object of events.", fields={"body": "must_be_object"})
    errors: dict[str, str] = {}
    changes: list[SettingChange] = []
    for event, channels in body.items():
        if event not in EVENTS:
            errors[str(event)] = "unknown_event"
            continue
        if not isinstance(channels, dict):
            errors[event] = "must_be_object"
            continue
        for channel, enabled in channels.items():
            if channel not in CHANNELS:
                errors[f"{event}.{channel}"] = "unknown_channel"
            elif not isinstance(enabled, bool):
                errors[f"{event}.{channel}"] = "must_be_boolean"
            else:
                changes.append(SettingChange(event, channel, enabled))
    if errors:
        names = ", ".join(errors)
        raise ValidationFailed(f"Unknown or invalid notification settings: {names}.", fields=errors)
    return UpdateNotificationSettings(changes=changes)
