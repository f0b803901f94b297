"""Messages of a booking's thread (owner, workshop, system)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from db.models._types import created_at_field, json_field, timestamp_field


class Message(SQLModel, table=True):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_booking_created", "booking_id", "created_at", "id"),
        # unread workshop -> owner messages: the unread counters of the inbox, threads and badges
        Index(
            "ix_messages_unread_workshop",
            "owner_id",
            "booking_id",
            postgresql_where=text("sender_type = 'workshop' AND NOT is_read"),
        ),
        # idempotent sends: one message per owner and client message id
        Index(
            "ux_messages_owner_client_message_id",
            "owner_id",
            "client_message_id",
            unique=True,
            postgresql_where=text("client_message_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="bookings.id", ondelete="CASCADE")
    owner_id: int = Field(foreign_key="car_owners.id", index=True, ondelete="CASCADE")
    workshop_org_nr: str = Field(foreign_key="workshops.org_nr", max_length=9)
    sender_type: str = Field(max_length=16)  # carowner | workshop | system
    message_text: str = Field(default="")
    attachments: list[Any] = json_field(list)
    client_message_id: str | None = Field(default=None, max_length=64)
    is_read: bool = Field(default=False)
    read_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
