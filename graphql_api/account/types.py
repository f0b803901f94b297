"""The signed-in owner (`me`, and the owner in auth and profile payloads) and the types its fields return.

The auth and account areas both answer with an `Owner`; its garage and notification settings come from
per-request batch loaders (graphql_api.account.loaders), one statement per kind for every owner in a response.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from app.domain.account import vehicles as garage
from app.domain.account.results import VehicleView
from app.domain.auth import service as auth
from app.domain.auth.results import OwnerSummary
from app.mapping import same_named
from app.values import absolute_url
from graphql_api.account.loaders import AccountLoaders
from graphql_api.connections import After, Before, Connection, First, Last, offset_connection, offset_window, page_args
from graphql_api.context import GraphQLContext
from graphql_api.node import Entity, owned_nodes

Ctx = Info[GraphQLContext, None]


@strawberry.enum(description="Where a vehicle's data came from.")
class VehicleDataSource(Enum):
    VEGVESEN = strawberry.enum_value("vegvesen", description="Looked up in Statens vegvesen's vehicle registry.")
    OFFLINE = strawberry.enum_value(
        "offline", description="Made up without the registry (no API key configured: demos, development)."
    )


@strawberry.enum(description="The events an owner can be notified of, each by e-mail and/or push.")
class NotificationEvent(Enum):
    BOOKING_REQUESTED = strawberry.enum_value("booking.requested", description="A booking was sent to a workshop.")
    BOOKING_ACCEPTED = strawberry.enum_value("booking.accepted", description="The workshop accepted a booking.")
    BOOKING_DECLINED = strawberry.enum_value("booking.declined", description="The workshop declined a booking.")
    BOOKING_UPDATED = strawberry.enum_value(
        "booking.updated", description="A booking changed (time, status or a change request)."
    )
    BOOKING_COMPLETED = strawberry.enum_value("booking.completed", description="The workshop completed a booking.")
    MESSAGE_NEW = strawberry.enum_value("message.new", description="A workshop sent a message.")
    RATING_REMINDER = strawberry.enum_value("rating.reminder", description="A reminder to rate a completed booking.")


@strawberry.type(description="A vehicle's weights from the registry, in kilograms; null when the registry has none.")
class VehicleWeights:
    curb_weight_kg: int | None = strawberry.field(description="Curb weight (egenvekt), in kg.")
    gross_weight_kg: int | None = strawberry.field(description="Permitted gross weight (tillatt totalvekt), in kg.")
    payload_kg: int | None = strawberry.field(description="Payload (nyttelast), in kg.")
    roof_load_kg: int | None = strawberry.field(description="Permitted roof load (tillatt taklast), in kg.")
    trailer_braked_kg: int | None = strawberry.field(description="Permitted braked trailer weight, in kg.")
    trailer_unbraked_kg: int | None = strawberry.field(description="Permitted unbraked trailer weight, in kg.")
    train_weight_kg: int | None = strawberry.field(
        description="Permitted weight of vehicle and trailer together (vogntogvekt), in kg."
    )
    towbar_vertical_load_kg: int | None = strawberry.field(description="Permitted vertical load on the tow bar, in kg.")

    @classmethod
    def of(cls, weights: dict[str, Any]) -> VehicleWeights:
        def kg(name: str) -> int | None:
            value = weights.get(name)
            return round(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

        return cls(**{name: kg(name) for name in _WEIGHT_FIELDS})


_WEIGHT_FIELDS = (
    "curb_weight_kg",
    "gross_weight_kg",
    "payload_kg",
    "roof_load_kg",
    "trailer_braked_kg",
    "trailer_unbraked_kg",
    "train_weight_kg",
    "towbar_vertical_load_kg",
)


@strawberry.type(
    description="A vehicle in the owner's garage: data from Statens vegvesen plus the owner's nickname, picture "
    "and primary flag. Only the owner's own vehicles are visible; `databaseId` is the vehicle's id in REST."
)
class Vehicle(Entity):
    id: relay.NodeID[int]
    registration_number: str = strawberry.field(
        description="The registration plate in normal form: upper case, no spaces (`BT57225`)."
    )
    nickname: str | None = strawberry.field(description="The owner's name for the vehicle; null when none is set.")
    image: str | None = strawberry.field(description="Absolute URL of the owner's picture of it; null when none.")
    is_primary: bool = strawberry.field(
        description="Whether this is the owner's primary vehicle (exactly one is, when the garage is not empty)."
    )
    brand: str | None = strawberry.field(description="Make, as the registry names it (`VOLVO`).")
    model: str | None = strawberry.field(description="Model or trade name, as the registry names it (`XC60`).")
    color: str | None = strawberry.field(description="Colour, in Norwegian as the registry names it (`Hvit`).")
    fuel_type: str | None = strawberry.field(description="Fuel or drive, in Norwegian (`Diesel`, `Elektrisk`).")
    vehicle_class: str | None = strawberry.field(description="Registry vehicle class (`Personbil`).")
    vin: str | None = strawberry.field(description="Vehicle identification number (chassis number).")
    first_registration: date | None = strawberry.field(description="Day of first registration (in any country).")
    model_year: int | None = strawberry.field(description="Model year.")
    registration_status: str | None = strawberry.field(
        description="Registration status as the registry states it (e.g. `Registrert`, `Avregistrert`)."
    )
    next_eu_control: date | None = strawberry.field(
        description="Deadline of the next periodic inspection (EU-kontroll); null when none is due or unknown."
    )
    last_eu_control: date | None = strawberry.field(
        description="Day of the last approved periodic inspection (EU-kontroll); null when unknown."
    )
    weights: VehicleWeights = strawberry.field(description="Weights from the registry, in kg.")
    source: VehicleDataSource = strawberry.field(description="Where the vehicle data came from.")
    fetched_at: datetime | None = strawberry.field(
        description="When the registry data was last fetched; null when never."
    )
    linked_at: datetime = strawberry.field(description="When the owner added the vehicle to the garage.")
    updated_at: datetime = strawberry.field(
        description="Last change of the vehicle data or of the owner's nickname, picture or primary flag."
    )
    registry_data: JSON | None = strawberry.field(
        description="The raw registry document as Statens vegvesen sent it (Norwegian field names, its own "
        "structure, not versioned by this API); null for vehicles never looked up. The only JSON of the schema."
    )

    @classmethod
    def from_view(cls, view: VehicleView, info: Ctx) -> Vehicle:
        return same_named(
            cls,
            view,
            image=absolute_url(info.context.services.settings.public_base_url, view.image),
            weights=VehicleWeights.of(view.weights),
            source=VehicleDataSource(view.source),
            registry_data=view.raw,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Ctx, node_ids: Iterable[str], required: bool = False
    ) -> list[Vehicle | None]:
        """Only the caller's own vehicles resolve; anyone else's id is null, like an unknown one."""
        return await owned_nodes(info, node_ids, garage.vehicles_by_ids, lambda view: cls.from_view(view, info))


@strawberry.type(description="A page of the owner's vehicles, primary first, then in the order they were added.")
class VehicleConnection(Connection[Vehicle]):
    pass


@strawberry.type(description="Whether the owner wants one event by e-mail and by push.")
class NotificationSetting:
    event: NotificationEvent = strawberry.field(description="The event these choices are for.")
    email: bool = strawberry.field(description="Send an e-mail when the event happens.")
    push: bool = strawberry.field(description="Send a push notification (and show it in the app) when it happens.")


def settings_list(merged: dict[str, dict[str, bool]]) -> list[NotificationSetting]:
    return [
        NotificationSetting(event=NotificationEvent(event), email=channels["email"], push=channels["push"])
        for event, channels in merged.items()
    ]


@strawberry.type(
    description="A car owner's account: the signed-in owner, with profile, garage and notification settings. "
    "Only the owner themself can see it; `node(id:)` resolves only the caller's own owner."
)
class Owner(Entity):
    id: relay.NodeID[str]
    database_id: int = strawberry.field(
        description="The owner's number in the database (REST identifies the owner by `uid`)."
    )
    uid: str = strawberry.field(description="The owner's public identifier (a UUID), as REST shows it.")
    email: str = strawberry.field(description="Sign-in e-mail address (the domain part in lower case).")
    username: str | None = strawberry.field(description="Chosen username (3-30 characters); null until set.")
    first_name: str | None = strawberry.field(description="First name; null until set.")
    last_name: str | None = strawberry.field(description="Last name; null until set.")
    phone_number: str | None = strawberry.field(
        description="Phone number in E.164 form (`+4741234567`); null until set."
    )
    address: str | None = strawberry.field(description="Postal address as one text; null until set.")
    profile_image_path: strawberry.Private[str | None]
    verify_vehicles: bool = strawberry.field(
        description="Whether the owner has asked to have new vehicles verified against the registry."
    )
    created_at: datetime = strawberry.field(description="When the account was created.")
    updated_at: datetime = strawberry.field(description="When the profile last changed.")

    @classmethod
    def from_summary(cls, owner: OwnerSummary) -> Owner:
        return same_named(cls, owner, id=owner.uid, database_id=owner.id, profile_image_path=owner.profile_image)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Ctx, node_ids: Iterable[str], required: bool = False
    ) -> list[Owner | None]:
        """Only the caller's own owner resolves; any other id is null (also without a token)."""
        keys = list(node_ids)
        claims = await info.context.claims()
        if claims is None or claims.sub not in keys:
            return [None for _ in keys]
        owner = cls.from_summary(await info.context.read(auth.load_owner, claims.owner_id))
        return [owner if key == claims.sub else None for key in keys]

    @strawberry.field(description="Absolute URL of the profile picture; null when none is set.")
    def profile_image(self, info: Ctx) -> str | None:
        return absolute_url(info.context.services.settings.public_base_url, self.profile_image_path)

    @strawberry.field(description="The owner's vehicles, primary first, then in the order they were added.")
    async def vehicles(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> VehicleConnection:
        args = page_args(first, after, last, before)
        # the whole garage comes in the loader's one batched statement; the page is cut from it
        views = await info.context.loaders.get(AccountLoaders).vehicles.load(self.database_id)
        window = offset_window("vehicles", args, len(views))
        return offset_connection(
            VehicleConnection,
            "vehicles",
            views[window.offset : window.offset + window.limit],
            window=window,
            total=len(views),
            node=lambda view: Vehicle.from_view(view, info),
        )

    @strawberry.field(description="The owner's primary vehicle; null when the garage is empty.")
    async def primary_vehicle(self, info: Ctx) -> Vehicle | None:
        views = await info.context.loaders.get(AccountLoaders).vehicles.load(self.database_id)
        primary = next((view for view in views if view.is_primary), None)
        return Vehicle.from_view(primary, info) if primary else None

    @strawberry.field(
        description="E-mail and push choices for every notification event (one entry per event, in a fixed "
        "order): the defaults with the owner's changes applied."
    )
    async def notification_settings(self, info: Ctx) -> list[NotificationSetting]:
        merged = await info.context.loaders.get(AccountLoaders).notification_settings.load(self.database_id)
        return settings_list(merged)
