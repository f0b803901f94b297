"""Vehicles (as known from the registry) and which owner has which vehicle."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from db.models._types import created_at_field, json_field, timestamp_field


class Vehicle(SQLModel, table=True):
    """One vehicle, keyed by its normalised registration number (upper case, no spaces)."""

    __tablename__ = "vehicles"

    id: int | None = Field(default=None, primary_key=True)
    registration_number: str = Field(max_length=10, unique=True)
    vin: str | None = Field(default=None, max_length=32)
    brand: str | None = Field(default=None, max_length=100)
    model: str | None = Field(default=None, max_length=120)
    color: str | None = Field(default=None, max_length=60)
    fuel_type: str | None = Field(default=None, max_length=60)
    vehicle_class: str | None = Field(default=None, max_length=60)
    first_registration: date | None = None
    model_year: int | None = None
    registration_status: str | None = Field(default=None, max_length=60)
    next_eu_control: date | None = None
    last_eu_control: date | None = None
    weights: dict[str, Any] = json_field(dict)
    source: str = Field(default="vegvesen", max_length=20)
    raw: dict[str, Any] = json_field(dict)
    fetched_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class OwnerVehicle(SQLModel, table=True):
    """The link between an owner and a vehicle, with the owner's own nickname and picture."""

    __tablename__ = "owner_vehicles"
    __table_args__ = (
        UniqueConstraint("owner_id", "vehicle_id", name="uq_owner_vehicle"),
        Index("uq_owner_vehicles_primary", "owner_id", unique=True, postgresql_where=text("is_primary")),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="car_owners.id", index=True, ondelete="CASCADE")
    vehicle_id: int = Field(foreign_key="vehicles.id", index=True, ondelete="CASCADE")
    nickname: str | None = Field(default=None, max_length=60)
    image: str | None = Field(default=None, max_length=500)
    is_primary: bool = Field(default=False)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
