"""The account mutations: profile, picture, garage and notification settings, each for the signed-in owner
with one `input:` object and a payload union of exactly its errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import strawberry
from strawberry.types import Info

from app.domain.account import notification_settings as prefs
from app.domain.account import profile
from app.domain.account import vehicles as garage
from app.domain.account.commands import RefreshVehicle, RemoveVehicle, SetPrimaryVehicle
from app.domain.account.results import VehicleView
from app.domain.uow import UnitOfWork
from app.values import Plate
from graphql_api.account.inputs import (
    AddVehicleInput,
    RefreshVehicleInput,
    RemoveVehicleInput,
    SetPrimaryVehicleInput,
    UpdateNotificationSettingsInput,
    UpdateProfileInput,
    UpdateVehicleInput,
    UploadProfileImageInput,
    VehicleIdInput,
)
from graphql_api.account.payloads import (
    AddVehiclePayload,
    NotificationSettingsUpdated,
    ProfileImageRemoval,
    ProfileUpdated,
    RefreshVehiclePayload,
    RemoveProfileImagePayload,
    RemoveVehiclePayload,
    SetPrimaryVehiclePayload,
    UpdateNotificationSettingsPayload,
    UpdateProfilePayload,
    UpdateVehiclePayload,
    UploadProfileImagePayload,
    VehicleAdded,
    VehicleRemoval,
    VehicleUpdated,
)
from graphql_api.account.types import Owner, Vehicle, settings_list
from graphql_api.context import GraphQLContext
from graphql_api.mutations import Payload, as_owner, owner_command

Ctx = Info[GraphQLContext, None]

R = TypeVar("R")
P = TypeVar("P")


async def _on_vehicle(
    info: Ctx,
    input: VehicleIdInput | UpdateVehicleInput,
    use_case: Callable[[UnitOfWork, int, Plate], Awaitable[R]],
    present: Callable[[R], P],
) -> Payload:
    """A use case on one of the caller's vehicles, named by its global id (not the caller's: NotFoundError)."""

    async def run(uow: UnitOfWork, owner_id: int) -> R:
        plate = await garage.linked_plate(uow, owner_id, input.database_id())
        return await use_case(uow, owner_id, plate)

    return await as_owner(info, run, present)


def _updated(info: Ctx) -> Callable[[VehicleView], VehicleUpdated]:
    return lambda view: VehicleUpdated(vehicle=Vehicle.from_view(view, info))


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="Change profile fields of the signed-in owner; only the fields given change.")
    async def update_profile(
        self, info: Ctx, input: Annotated[UpdateProfileInput, strawberry.argument(description="The changes.")]
    ) -> UpdateProfilePayload:
        return await owner_command(
            info,
            profile.update_profile,
            input.to_command,
            lambda owner: ProfileUpdated(owner=Owner.from_summary(owner)),
        )

    @strawberry.mutation(
        description="Set the signed-in owner's profile picture (a multipart request); the old one is deleted."
    )
    async def upload_profile_image(
        self, info: Ctx, input: Annotated[UploadProfileImageInput, strawberry.argument(description="The picture.")]
    ) -> UploadProfileImagePayload:
        command = await input.to_command()
        return await as_owner(
            info,
            lambda uow, owner_id: profile.update_profile(uow, owner_id, command),
            lambda owner: ProfileUpdated(owner=Owner.from_summary(owner)),
        )

    @strawberry.mutation(description="Remove the signed-in owner's profile picture; the account stays.")
    async def remove_profile_image(self, info: Ctx) -> RemoveProfileImagePayload:
        return await as_owner(
            info,
            profile.remove_profile_image,
            lambda result: ProfileImageRemoval(removed=result.removed, owner=Owner.from_summary(result.owner)),
        )

    @strawberry.mutation(
        description="Add a vehicle to the caller's garage by its plate: looked up in the registry if it is new to "
        "MinBil; the first vehicle becomes the primary one. Adding one already in the garage changes nothing "
        "(`created: false`). Lookups are rate-limited per owner."
    )
    async def add_vehicle(
        self, info: Ctx, input: Annotated[AddVehicleInput, strawberry.argument(description="The vehicle to add.")]
    ) -> AddVehiclePayload:
        upload = await input.upload()
        return await owner_command(
            info,
            garage.add_vehicle,
            lambda: input.to_command(upload),
            lambda result: VehicleAdded(vehicle=Vehicle.from_view(result.vehicle, info), created=result.created),
        )

    @strawberry.mutation(description="Change the nickname and/or picture of one of the caller's vehicles.")
    async def update_vehicle(
        self,
        info: Ctx,
        input: Annotated[UpdateVehicleInput, strawberry.argument(description="The vehicle and its changes.")],
    ) -> UpdateVehiclePayload:
        upload = await input.upload()
        return await _on_vehicle(
            info,
            input,
            lambda uow, owner_id, plate: garage.update_vehicle(uow, owner_id, input.to_command(plate, upload)),
            _updated(info),
        )

    @strawberry.mutation(
        description="Remove a vehicle from the caller's garage (the registry record stays); a removed primary "
        "passes to the most recently updated remaining vehicle."
    )
    async def remove_vehicle(
        self, info: Ctx, input: Annotated[RemoveVehicleInput, strawberry.argument(description="The vehicle to remove.")]
    ) -> RemoveVehiclePayload:
        return await _on_vehicle(
            info,
            input,
            lambda uow, owner_id, plate: garage.remove_vehicle(uow, owner_id, RemoveVehicle(registration_number=plate)),
            lambda result: VehicleRemoval(
                removed_vehicle_id=strawberry.ID(str(input.vehicle_id)),
                registration_number=result.registration_number,
                primary_vehicle=Vehicle.from_view(result.primary, info) if result.primary else None,
            ),
        )

    @strawberry.mutation(description="Make one of the caller's vehicles the primary one (the others stop being).")
    async def set_primary_vehicle(
        self, info: Ctx, input: Annotated[SetPrimaryVehicleInput, strawberry.argument(description="The vehicle.")]
    ) -> SetPrimaryVehiclePayload:
        return await _on_vehicle(
            info,
            input,
            lambda uow, owner_id, plate: garage.set_primary(
                uow, owner_id, SetPrimaryVehicle(registration_number=plate)
            ),
            _updated(info),
        )

    @strawberry.mutation(
        description="Fetch the registry data of one of the caller's vehicles again (an answer younger than 15 "
        "minutes is reused). Lookups are rate-limited per owner."
    )
    async def refresh_vehicle(
        self, info: Ctx, input: Annotated[RefreshVehicleInput, strawberry.argument(description="The vehicle.")]
    ) -> RefreshVehiclePayload:
        return await _on_vehicle(
            info,
            input,
            lambda uow, owner_id, plate: garage.refresh_vehicle(
                uow, owner_id, RefreshVehicle(registration_number=plate)
            ),
            _updated(info),
        )

    @strawberry.mutation(
        description="Change the caller's notification settings; only the events and channels given change."
    )
    async def update_notification_settings(
        self,
        info: Ctx,
        input: Annotated[UpdateNotificationSettingsInput, strawberry.argument(description="The changes.")],
    ) -> UpdateNotificationSettingsPayload:
        return await owner_command(
            info,
            prefs.update_notification_settings,
            input.to_command,
            lambda merged: NotificationSettingsUpdated(notification_settings=settings_list(merged)),
        )
