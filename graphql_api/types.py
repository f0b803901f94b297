"""Core GraphQL object types shared by several areas."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.domain.auth.results import OwnerSummary
from app.values import absolute_url

if TYPE_CHECKING:
    from graphql_api.areas.account import NotificationSetting, Vehicle


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
        return cls(
            id=strawberry.ID(owner.uid),
            email=owner.email,
            username=owner.username,
            first_name=owner.first_name,
            last_name=owner.last_name,
            phone_number=owner.phone_number,
            address=owner.address,
            profile_image_path=owner.profile_image,
            verify_vehicles=owner.verify_vehicles,
            created_at=owner.created_at,
            updated_at=owner.updated_at,
            owner_id=owner.id,
        )

    @strawberry.field(description="Absolute URL of the profile picture, if any.")
    def profile_image(self, info: strawberry.Info) -> str | None:
        return absolute_url(info.context.services.settings.public_base_url, self.profile_image_path)

    # account area (graphql_api/areas/account.py): garage and notification settings, through DataLoaders
    @strawberry.field(description="The owner's vehicles, primary first.")
    async def vehicles(
        self, info: strawberry.Info
    ) -> list[Annotated[Vehicle, strawberry.lazy("graphql_api.areas.account")]]:
        from graphql_api.areas.account import owner_vehicles

        return await owner_vehicles(self, info)  # type: ignore[arg-type]

    @strawberry.field(description="The owner's primary vehicle, if any.")
    async def primary_vehicle(
        self, info: strawberry.Info
    ) -> Annotated[Vehicle, strawberry.lazy("graphql_api.areas.account")] | None:
        from graphql_api.areas.account import owner_primary_vehicle

        return await owner_primary_vehicle(self, info)  # type: ignore[arg-type]

    @strawberry.field(description="E-mail and push choices for each notification event (defaults merged with changes).")
    async def notification_settings(
        self, info: strawberry.Info
    ) -> list[Annotated[NotificationSetting, strawberry.lazy("graphql_api.areas.account")]]:
        from graphql_api.areas.account import owner_notification_settings

        return await owner_notification_settings(self, info)  # type: ignore[arg-type]
