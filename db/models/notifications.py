"""Notifications of an owner (the inbox of events that matter to them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from db.models._types import created_at_field, json_field, timestamp_field


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_owner_read", "owner_id", "is_read", "created_at"),
        Index("ix_notifications_owner_created", "owner_id", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="car_owners.id", ondelete="CASCADE")
    type: str = Field(max_length=64)
    title: str = Field(max_length=200)
    body: str = Field(default="")
    data: dict[str, Any] = json_field(dict)
    is_read: bool = Field(default=False)
    read_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
