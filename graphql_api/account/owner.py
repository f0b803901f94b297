"""The signed-in owner (`me`, and the owner in auth and profile payloads) and the types its fields return.

The auth and account areas both answer with an `Owner`; its garage and notification settings come from
per-request batch loaders, one statement per kind for every owner in a response.
"""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from app.domain.account import queries as account_queries
from app.domain.account import vehicles as garage
from app.domain.account.results import VehicleView
from app.domain.auth.results import OwnerSummary
from app.mapping import same_named
from app.values import absolute_url
from graphql_api.context import GraphQLContext
from graphql_api.loaders import batch_loader
from graphql_api.reading import RequestReader

Ctx = Info[GraphQLContext, None]


class AccountLoaders:
    """Per-request batch loaders: one statement per kind for every owner asked for in one tick."""

    def __init__(self, reader: RequestReader) -> None:
        self.vehicles = batch_loader(reader, garage.vehicles_of_owners, list[VehicleView])
        self.notification_settings = batch_loader(
            reader, account_queries.notification_settings_of_owners, account_queries.default_notification_settings
        )


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
        return same_named(
            cls,
            view,
            id=strawberry.ID(str(view.id)),
            image=absolute_url(info.context.services.settings.public_base_url, view.image),
            registry_data=view.raw,
        )


@strawberry.type(description="Whether the owner wants one event by e-mail and by push.")
class NotificationSetting:
    event: str
    email: bool
    push: bool


def settings_list(merged: dict[str, dict[str, bool]]) -> list[NotificationSetting]:
    return [
        NotificationSetting(event=event, email=channels["email"], push=channels["push"])
        for event, channels in merged.items()
    ]


@strawberry.type(description="The signed-in car owner.")
class Owner:
    id: strawberry.ID
    email: str
    username: str | None
    first_name: str | None
    last_name: str | None
    phone_number: str | None
    address: str | None
    profile_image_path: strawberry.Private[str | None]
    verify_vehicles: bool
    created_at: datetime
    updated_at: datetime
    owner_id: strawberry.Private[int]

    @classmethod
    def from_summary(cls, owner: OwnerSummary) -> Owner:
        return same_named(
            cls, owner, id=strawberry.ID(owner.uid), profile_image_path=owner.profile_image, owner_id=owner.id
        )

    @strawberry.field(description="Absolute URL of the profile picture, if any.")
    def profile_image(self, info: Ctx) -> str | None:
        return absolute_url(info.context.services.settings.public_base_url, self.profile_image_path)

    @strawberry.field(description="The owner's vehicles, primary first.")
    async def vehicles(self, info: Ctx) -> list[Vehicle]:
        views = await info.context.loaders.get(AccountLoaders).vehicles.load(self.owner_id)
        return [Vehicle.from_view(view, info) for view in views]

    @strawberry.field(description="The owner's primary vehicle, if any.")
    async def primary_vehicle(self, info: Ctx) -> Vehicle | None:
        views = await info.context.loaders.get(AccountLoaders).vehicles.load(self.owner_id)
        primary = next((view for view in views if view.is_primary), None)
        return Vehicle.from_view(primary, info) if primary else None

    @strawberry.field(description="E-mail and push choices for each notification event (defaults merged with changes).")
    async def notification_settings(self, info: Ctx) -> list[NotificationSetting]:
        return settings_list(await info.context.loaders.get(AccountLoaders).notification_settings.load(self.owner_id))
