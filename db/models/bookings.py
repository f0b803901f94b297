"""Bookings, their statuses, change requests and idempotency records."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models._types import created_at_field, json_field, timestamp_field


class BookingStatus(SQLModel, table=True):
    __tablename__ = "enum_booking_statuses"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    display_name: str = Field(max_length=64)
    sort_order: int = Field(default=0)
    is_active: bool = Field(default=True)


class Booking(SQLModel, table=True):
    """One booked service (a line); lines booked together share a `group_id`."""

    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_owner_start", "owner_id", "service_start_time"),
        Index("ix_bookings_workshop_start", "workshop_org_nr", "service_start_time"),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_id: str = Field(max_length=36, index=True)
    owner_id: int = Field(foreign_key="car_owners.id", index=True, ondelete="CASCADE")
    workshop_org_nr: str = Field(foreign_key="workshops.org_nr", max_length=9)
    service_id: int | None = Field(default=None, foreign_key="services.id", ondelete="SET NULL")
    vehicle_id: int | None = Field(default=None, foreign_key="vehicles.id", ondelete="SET NULL")
    registration_number: str | None = Field(default=None, max_length=10, index=True)
    service_title: str = Field(max_length=200)
    service_description: str | None = None
    service_price: Decimal = Field(sa_column=Column(Numeric(10, 2), nullable=False))
    service_estimated_hours: float = Field(default=1.0)
    service_start_time: datetime = timestamp_field(nullable=False)
    service_estimated_end_time: datetime | None = timestamp_field()
    service_actual_end_time: datetime | None = timestamp_field()
    attachments: list[Any] = json_field(list)
    status: str = Field(foreign_key="enum_booking_statuses.code", max_length=32, index=True)
    verify_booked: bool = Field(default=False)
    verify_canceled: bool = Field(default=False)
    verify_service_done: bool = Field(default=False)
    cancel_request: bool = Field(default=False)
    cancellation_reason: str | None = None
    service_rating: float | None = None
    service_rating_message: str | None = None
    private_service_rating: bool = Field(default=False)
    rated_at: datetime | None = timestamp_field()
    messages: list[Any] = json_field(list)  # legacy JSON message thread kept on the booking
    paid_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class BookingChangeRequest(SQLModel, table=True):
    __tablename__ = "booking_change_requests"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="bookings.id", index=True, ondelete="CASCADE")
    group_id: str = Field(max_length=36, index=True)
    owner_id: int = Field(foreign_key="car_owners.id", index=True, ondelete="CASCADE")
    request_type: str = Field(max_length=16)  # reschedule | cancel
    status: str = Field(default="pending", max_length=16)  # pending | approved | rejected
    reason: str | None = None
    requested_start_time: datetime | None = timestamp_field()
    resolution_note: str | None = None
    created_at: datetime = created_at_field()
    resolved_at: datetime | None = timestamp_field()


class IdempotencyRecord(SQLModel, table=True):
    """The first answer to a request sent with an `Idempotency-Key`, replayed for retries."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("owner_id", "scope", "key", name="uq_idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="car_owners.id", ondelete="CASCADE")
    scope: str = Field(max_length=64)
    key: str = Field(max_length=255)
    request_hash: str = Field(max_length=64)
    status_code: int = Field(default=200)
    response: dict[str, Any] = json_field(dict)
    created_at: datetime = created_at_field()
