"""Account over GraphQL: `me { vehicles, primaryVehicle, notificationSettings }`, `usernameAvailable`,
profile, picture, garage and notification-settings mutations (union payloads for expected failures)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated, Any, TypeAlias, TypeVar

import msgspec
import strawberry
from strawberry.dataloader import DataLoader
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON
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
from app.values import parse_plate
from db.repositories import account as account_repo
from graphql_api.context import GraphQLContext
from graphql_api.errors import AnyUserError
from graphql_api.mutations import as_owner
from graphql_api.types import Owner

Ctx = Info[GraphQLContext, None]
C = TypeVar("C")


class AccountLoaders:
    """Per-request batch loaders: one statement per kind for every owner asked for in one tick."""

    def __init__(self, services: Any) -> None:
        self.services = services
        self.vehicles: DataLoader[int, list[VehicleView]] = DataLoader(self._vehicles)
        self.notification_settings: DataLoader[int, dict[str, dict[str, bool]]] = DataLoader(self._settings)

    async def _vehicles(self, owner_ids: list[int]) -> list[list[VehicleView]]:
        async with self.services.sessionmaker() as session:
            grouped = await garage.vehicles_of_owners(session, owner_ids)
        return [grouped.get(owner_id, []) for owner_id in owner_ids]

    async def _settings(self, owner_ids: list[int]) -> list[dict[str, dict[str, bool]]]:
        async with self.services.sessionmaker() as session:
            rows = await account_repo.notification_overrides_of(session, owner_ids)
        by_owner: dict[int, list[tuple[str, str, bool]]] = {owner_id: [] for owner_id in owner_ids}
        for owner_id, event, channel, enabled in rows:
            by_owner.setdefault(owner_id, []).append((event, channel, enabled))
        return [prefs.merge(by_owner[owner_id]) for owner_id in owner_ids]


def _absolute(info: Ctx, url: str | None) -> str | None:
    if url and url.startswith("/"):
        return info.context.services.settings.public_base_url.rstrip("/") + url
    return url


@strawberry.type(description="A vehicle in the owner's garage, with data from Statens vegvesen.")
class Vehicle:
    id: strawberry.ID
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
    next_eu_control: date | None = strawberry.field(
        description="Deadline of the next periodic inspection (EU-kontroll)."
    )
    last_eu_control: date | None
    weights: JSON = strawberry.field(description="Weights in kg: curb_weight_kg, gross_weight_kg, payload_kg, ...")
    source: str = strawberry.field(description='"vegvesen", or "offline" for data made up without the registry.')
    fetched_at: datetime | None
    linked_at: datetime
    updated_at: datetime
    registry_data: JSON | None = strawberry.field(description="The registry's own document (Norwegian field names).")

    @classmethod
    def from_view(cls, view: VehicleView, info: Ctx) -> Vehicle:
        values = msgspec.structs.asdict(view)
        values.update(
            id=strawberry.ID(str(view.id)), image=_absolute(info, view.image), registry_data=values.pop("raw")
        )
        return cls(**values)


@strawberry.type(description="Whether the owner wants one event by e-mail and by push.")
class NotificationSetting:
    event: str
    email: bool
    push: bool


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


def settings_list(merged: dict[str, dict[str, bool]]) -> list[NotificationSetting]:
    return [
        NotificationSetting(event=event, email=channels["email"], push=channels["push"])
        for event, channels in merged.items()
    ]


# resolvers of the fields `Owner` gains (declared in graphql_api/types.py)


async def owner_vehicles(owner: Owner, info: Ctx) -> list[Vehicle]:
    views = await info.context.loaders.get(AccountLoaders).vehicles.load(owner.owner_id)
    return [Vehicle.from_view(view, info) for view in views]


async def owner_primary_vehicle(owner: Owner, info: Ctx) -> Vehicle | None:
    views = await info.context.loaders.get(AccountLoaders).vehicles.load(owner.owner_id)
    primary = next((view for view in views if view.is_primary), None)
    return Vehicle.from_view(primary, info) if primary else None


async def owner_notification_settings(owner: Owner, info: Ctx) -> list[NotificationSetting]:
    return settings_list(await info.context.loaders.get(AccountLoaders).notification_settings.load(owner.owner_id))


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
    """A change to one vehicle; the command is read inside, so a bad argument is the payload's error."""
    return await as_owner(
        info,
        lambda uow, owner_id: use_case(uow, owner_id, command()),
        lambda view: VehicleUpdated(vehicle=Vehicle.from_view(view, info)),
    )


@strawberry.type
class AccountQuery:
    @strawberry.field(description="Is this username free for the signed-in owner? (Own current name counts as free.)")
    async def username_available(self, info: Ctx, username: str) -> UsernameAvailability:
        owner_id = await info.context.owner_id()
        async with info.context.transaction() as uow:
            result = await profile.check_username(uow, owner_id, username)
        return UsernameAvailability(username=result.username, available=result.available, message=result.message)


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="Change profile fields; only the fields given change.")
    async def update_profile(self, info: Ctx, input: UpdateProfileInput) -> ProfilePayload:
        return await as_owner(
            info,
            lambda uow, owner_id: profile.update_profile(uow, owner_id, input.to_command()),
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
        return await as_owner(
            info,
            lambda uow, owner_id: garage.add_vehicle(uow, owner_id, inputs.vehicle_addition(values, upload)),
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
        return await as_owner(
            info,
            lambda uow, owner_id: garage.remove_vehicle(
                uow, owner_id, RemoveVehicle(registration_number=parse_plate(registration_number))
            ),
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
        return await as_owner(
            info,
            lambda uow, owner_id: prefs.update_notification_settings(
                uow, owner_id, NotificationSettingInput.to_command(changes)
            ),
            lambda merged: NotificationSettingsUpdated(notification_settings=settings_list(merged)),
        )


QUERIES = (AccountQuery,)
MUTATIONS = (AccountMutation,)
