"""What the account mutations answer: a success type, or exactly the errors each use case can produce."""

from __future__ import annotations

from typing import Annotated, TypeAlias

import strawberry

from graphql_api.account.types import NotificationSetting, Owner, Vehicle
from graphql_api.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    UnavailableError,
    ValidationError,
)


@strawberry.type(description="Whether a username is free for the signed-in owner.")
class UsernameAvailability:
    username: str = strawberry.field(description="The username checked, trimmed.")
    available: bool = strawberry.field(description="True when nobody else has it (the caller's own name counts).")
    message: str = strawberry.field(description="A sentence for the user saying the same.")


@strawberry.type(description="The profile after the change.")
class ProfileUpdated:
    owner: Owner = strawberry.field(description="The owner as it is now.")


@strawberry.type(description="The profile picture is gone (or there was none).")
class ProfileImageRemoval:
    removed: bool = strawberry.field(description="False when there was no picture to remove.")
    owner: Owner = strawberry.field(description="The owner as it is now.")


@strawberry.type(description="The vehicle is in the caller's garage.")
class VehicleAdded:
    vehicle: Vehicle = strawberry.field(description="The vehicle as it is now.")
    created: bool = strawberry.field(description="False when it was already in the garage (nothing changed).")


@strawberry.type(description="The vehicle after the change.")
class VehicleUpdated:
    vehicle: Vehicle = strawberry.field(description="The vehicle as it is now.")


@strawberry.type(description="The vehicle is no longer in the caller's garage (its registry record stays).")
class VehicleRemoval:
    removed_vehicle_id: strawberry.ID = strawberry.field(
        description="The global id of the removed vehicle, to drop it from a client cache."
    )
    registration_number: str = strawberry.field(description="The plate of the removed vehicle.")
    primary_vehicle: Vehicle | None = strawberry.field(
        description="The primary vehicle after the removal (another takes over from a removed primary); "
        "null when the garage is now empty."
    )


@strawberry.type(description="The notification settings after the change.")
class NotificationSettingsUpdated:
    notification_settings: list[NotificationSetting] = strawberry.field(
        description="Every event's choices, the defaults with the owner's changes applied."
    )


UpdateProfilePayload: TypeAlias = Annotated[
    ProfileUpdated | ValidationError | AuthenticationError | NotFoundError | ConflictError,
    strawberry.union(
        "UpdateProfilePayload",
        description="The changed profile, or why not: a bad value or nothing to change (ValidationError), no "
        "valid token, the account is gone (NotFoundError), or the username is taken (ConflictError).",
    ),
]
UploadProfileImagePayload: TypeAlias = Annotated[
    ProfileUpdated | ValidationError | AuthenticationError | NotFoundError,
    strawberry.union(
        "UploadProfileImagePayload",
        description="The profile with its new picture, or why not: not an image or too large (ValidationError), "
        "no valid token, or the account is gone.",
    ),
]
RemoveProfileImagePayload: TypeAlias = Annotated[
    ProfileImageRemoval | AuthenticationError | NotFoundError,
    strawberry.union(
        "RemoveProfileImagePayload", description="The removal, or why not: no valid token, or the account is gone."
    ),
]
AddVehiclePayload: TypeAlias = Annotated[
    VehicleAdded | ValidationError | AuthenticationError | NotFoundError | RateLimitedError | UnavailableError,
    strawberry.union(
        "AddVehiclePayload",
        description="The vehicle in the garage, or why not: a bad plate, nickname or picture (ValidationError), "
        "no valid token, no vehicle with that plate in the registry (NotFoundError), too many lookups by the "
        "owner or the registry's quota used up (RateLimitedError), or the registry is down (UnavailableError).",
    ),
]
UpdateVehiclePayload: TypeAlias = Annotated[
    VehicleUpdated | ValidationError | AuthenticationError | NotFoundError,
    strawberry.union(
        "UpdateVehiclePayload",
        description="The changed vehicle, or why not: a bad value or nothing to change (ValidationError), no "
        "valid token, or the vehicle is not in the caller's garage (NotFoundError).",
    ),
]
RemoveVehiclePayload: TypeAlias = Annotated[
    VehicleRemoval | ValidationError | AuthenticationError | NotFoundError,
    strawberry.union(
        "RemoveVehiclePayload",
        description="The removal, or why not: not a vehicle id (ValidationError), no valid token, or the vehicle "
        "is not in the caller's garage (NotFoundError).",
    ),
]
SetPrimaryVehiclePayload: TypeAlias = Annotated[
    VehicleUpdated | ValidationError | AuthenticationError | NotFoundError,
    strawberry.union(
        "SetPrimaryVehiclePayload",
        description="The new primary vehicle, or why not: not a vehicle id (ValidationError), no valid token, or "
        "the vehicle is not in the caller's garage (NotFoundError).",
    ),
]
RefreshVehiclePayload: TypeAlias = Annotated[
    VehicleUpdated | ValidationError | AuthenticationError | NotFoundError | RateLimitedError | UnavailableError,
    strawberry.union(
        "RefreshVehiclePayload",
        description="The vehicle with fresh registry data, or why not: not a vehicle id or refused by the registry "
        "(ValidationError), no valid token, not in the caller's garage or no longer in the registry "
        "(NotFoundError), too many lookups (RateLimitedError), or the registry is down (UnavailableError).",
    ),
]
UpdateNotificationSettingsPayload: TypeAlias = Annotated[
    NotificationSettingsUpdated | ValidationError | AuthenticationError | NotFoundError,
    strawberry.union(
        "UpdateNotificationSettingsPayload",
        description="The settings after the change, or why not: a channel sent as null (ValidationError), no "
        "valid token, or the account is gone (NotFoundError).",
    ),
]
