"""Core GraphQL object types shared by several areas."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.domain.auth.results import OwnerSummary


@strawberry.type(description="The signed-in car owner.")
class Owner:
    id: strawberry.ID
    email: str
    username: str | None
    first_name: str | None
    last_name: str | None
    phone_number: str | None
    address: str | None
    profile_image: str | None
    verify_vehicles: bool
    created_at: datetime
    updated_at: datetime
    owner_id: strawberry.Private[int]

    @classmethod
    def from_summary(cls, owner: OwnerSummary) -> Owner:
        return cls(
            id=strawberry.ID(owner.uid), email=owner.email, username=owner.username, first_name=owner.first_name,
            last_name=owner.last_name, phone_number=owner.phone_number, address=owner.address,
            profile_image=owner.profile_image, verify_vehicles=owner.verify_vehicles,
            created_at=owner.created_at, updated_at=owner.updated_at, owner_id=owner.id,
        )
