"""Account over GraphQL: `usernameAvailable`, profile, picture, garage and notification-settings mutations
(union payloads for expected failures). The `Owner` these answer with, and its `vehicles`, `primaryVehicle`
and `notificationSettings`, are in graphql_api/types.py (the auth area answers with it too)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeAlias, TypeVar

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from app.domain.account import inputs, profile
from app.domain.account import notification_settings as prefs
from app.domain.account import vehicles as garage
from app.domain.account.commands import (
    RefreshVehicle,
    RemoveVehicle,
    SetPrimaryVehicle,
    UpdateNotificationSettings,
    UpdateProfile,
)
from app.domain.account.results import ImageUpload, VehicleView
from app.domain.uow import UnitOfWork
from app.mapping import same_named
from app.values import parse_plate
from graphql_api.account.owner import NotificationSetting, Owner, Vehicle, settings_list
from graphql_api.context import GraphQLContext
from graphql_api.errors import AnyUserError
from graphql_api.mutations import as_owner, owner_command

Ctx = Info[GraphQLContext, None]
C = TypeVar("C")


@strawberry.input
class NotificationSettingInput:
    event: str
    email: bool | None = strawberry.UNSET
    push: bool | None = strawberry.UNSET

    @staticmethod
    def to_command(changes: list[NotificationSettingInput]) -> UpdateNotificationSettings:
        """The REST body these changes amount to, read by the same rules (a null channel is `must_be_boolean`)."""
        body: dict[str, dict[str, object]] = {}
        for change in changes:
            channels = body.setdefault(change.event, {})
            for channel in ("email", "push"):
                value = getattr(change, channel)
                if _given(value):
                    channels[channel] = value
        return inputs.notification_changes(body)


@strawberry.type
class UsernameAvailability:
    username: str
    available: bool
    message: str


@strawberry.input(description="Only the fields given change; null clears (except username).")
class UpdateProfileInput:
    username: str | None = strawberry.UNSET
    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    phone_number: str | None = strawberry.UNSET
    address: str | None = strawberry.UNSET

    def to_command(self) -> UpdateProfile:
        names = ("username", "first_name", "last_name", "phone_number", "address")
        return inputs.profile_update({name: getattr(self, name) for name in names if _given(getattr(self, name))})


@strawberry.type
class ProfileUpdated:
    owner: Owner


@strawberry.type
class ProfileImageRemoval:
    removed: bool
    owner: Owner


@strawberry.type
class VehicleAdded:
    vehicle: Vehicle
    created: bool


@strawberry.type
class VehicleUpdated:
    vehicle: Vehicle


@strawberry.type
class VehicleRemoval:
    registration_number: str
    primary_vehicle: Vehicle | None


@strawberry.type
class NotificationSettingsUpdated:
    notification_settings: list[NotificationSetting]


ProfilePayload: TypeAlias = Annotated[ProfileUpdated | AnyUserError, strawberry.union("ProfilePayload")]
RemoveProfileImagePayload: TypeAlias = Annotated[
    ProfileImageRemoval | AnyUserError, strawberry.union("RemoveProfileImagePayload")
]
AddVehiclePayload: TypeAlias = Annotated[VehicleAdded | AnyUserError, strawberry.union("AddVehiclePayload")]
VehiclePayload: TypeAlias = Annotated[VehicleUpdated | AnyUserError, strawberry.union("VehiclePayload")]
RemoveVehiclePayload: TypeAlias = Annotated[VehicleRemoval | AnyUserError, strawberry.union("RemoveVehiclePayload")]
NotificationSettingsPayload: TypeAlias = Annotated[
    NotificationSettingsUpdated | AnyUserError, strawberry.union("NotificationSettingsPayload")
]


async def _upload(file: Any, field: str) -> ImageUpload:
    data = await file.read() if hasattr(file, "read") else bytes(file)
    if not isinstance(data, bytes):
        data = data.encode() if isinstance(data, str) else bytes(data)
    return ImageUpload(data=data, field=field, filename=getattr(file, "filename", None))


def _given(value: object) -> bool:
    return value is not strawberry.UNSET


async def _vehicle_updated(
    info: Ctx, use_case: Callable[[UnitOfWork, int, C], Awaitable[VehicleView]], command: Callable[[], C]
) -> VehicleUpdated | AnyUserError:
    """A change to one vehicle, answered with the vehicle as it is now."""
    return await owner_command(
        info, use_case, command, lambda view: VehicleUpdated(vehicle=Vehicle.from_view(view, info))
    )


@strawberry.type
class AccountQuery:
    @strawberry.field(description="Is this username free for the signed-in owner? (Own current name counts as free.)")
    async def username_available(self, info: Ctx, username: str) -> UsernameAvailability:
        return same_named(UsernameAvailability, await info.context.read_as_owner(profile.check_username, username))


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="Change profile fields; only the fields given change.")
    async def update_profile(self, info: Ctx, input: UpdateProfileInput) -> ProfilePayload:
        return await owner_command(
            info,
            profile.update_profile,
            input.to_command,
            lambda owner: ProfileUpdated(owner=Owner.from_summary(owner)),
        )

    @strawberry.mutation(description="Upload a profile picture (JPEG, PNG or WebP; multipart request).")
    async def upload_profile_image(self, info: Ctx, file: Upload) -> ProfilePayload:
        command = UpdateProfile(image=await _upload(file, "file"))
        return await as_owner(
            info,
            lambda uow, owner_id: profile.update_profile(uow, owner_id, command),
            lambda owner: ProfileUpdated(owner=Owner.from_summary(owner)),
        )

    @strawberry.mutation(description="Remove the profile picture; the account stays.")
    async def remove_profile_image(self, info: Ctx) -> RemoveProfileImagePayload:
        return await as_owner(
            info,
            profile.remove_profile_image,
            lambda result: ProfileImageRemoval(removed=result.removed, owner=Owner.from_summary(result.owner)),
        )

    @strawberry.mutation(
        description="Look the vehicle up in the registry if new and link it; the first becomes primary."
    )
    async def add_vehicle(
        self, info: Ctx, registration_number: str, nickname: str | None = None, image: Upload | None = None
    ) -> AddVehiclePayload:
        upload = await _upload(image, "image") if image is not None else None
        values = {"registration_number": registration_number, "nickname": nickname}
        return await owner_command(
            info,
            garage.add_vehicle,
            lambda: inputs.vehicle_addition(values, upload),
            lambda result: VehicleAdded(vehicle=Vehicle.from_view(result.vehicle, info), created=result.created),
        )

    @strawberry.mutation(description="Change the nickname and/or picture of one of the owner's vehicles.")
    async def update_vehicle(
        self, info: Ctx, registration_number: str, nickname: str | None = strawberry.UNSET, image: Upload | None = None
    ) -> VehiclePayload:
        upload = await _upload(image, "image") if image is not None else None
        values = {"nickname": nickname} if _given(nickname) else {}
        return await _vehicle_updated(
            info, garage.update_vehicle, lambda: inputs.vehicle_update(registration_number, values, upload)
        )

    @strawberry.mutation(
        description="Unlink a vehicle (the record stays); a removed primary passes to the latest updated."
    )
    async def remove_vehicle(self, info: Ctx, registration_number: str) -> RemoveVehiclePayload:
        return await owner_command(
            info,
            garage.remove_vehicle,
            lambda: RemoveVehicle(registration_number=parse_plate(registration_number)),
            lambda result: VehicleRemoval(
                registration_number=result.registration_number,
                primary_vehicle=Vehicle.from_view(result.primary, info) if result.primary else None,
            ),
        )

    @strawberry.mutation
    async def set_primary_vehicle(self, info: Ctx, registration_number: str) -> VehiclePayload:
        return await _vehicle_updated(
            info, garage.set_primary, lambda: SetPrimaryVehicle(registration_number=parse_plate(registration_number))
        )

    @strawberry.mutation(description="Fetch the registry data of one of the owner's vehicles again.")
    async def refresh_vehicle(self, info: Ctx, registration_number: str) -> VehiclePayload:
        return await _vehicle_updated(
            info, garage.refresh_vehicle, lambda: RefreshVehicle(registration_number=parse_plate(registration_number))
        )

    @strawberry.mutation(description="Partial update: only the events and channels given change.")
    async def update_notification_settings(
        self, info: Ctx, changes: list[NotificationSettingInput]
    ) -> NotificationSettingsPayload:
        return await owner_command(
            info,
            prefs.update_notification_settings,
            lambda: NotificationSettingInput.to_command(changes),
            lambda merged: NotificationSettingsUpdated(notification_settings=settings_list(merged)),
        )


QUERIES = (AccountQuery,)
MUTATIONS = (AccountMutation,)
