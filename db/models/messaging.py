"""Booking messages, notifications and the domain event outbox used for realtime delivery."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, text
from sqlmodel import Field, SQLModel

from db.models._types import created_at_field, json_field, timestamp_field


class Message(SQLModel, table=True):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_booking_created", "booking_id", "created_at", "id"),
        # unread workshop -> owner messages: the unread counters of the inbox, threads and badges
        Index("ix_messages_unread_workshop", "owner_id", "booking_id",
              postgresql_where=text("sender_type = 'workshop' AND NOT is_read")),
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


class DomainEvent(SQLModel, table=True):
    """Transactional outbox: written with the change, published to the channel layer after commit.

    Ids are allocated at insert, so they do not follow commit order. The relay gives each committed row
    a `seq` (one relay at a time, under an advisory lock), which is the publication order and the resume
    cursor of subscriptions; `published_at` is set once the channel layer accepted the row.
    """

    __tablename__ = "domain_events"
    __table_args__ = (
        Index("ix_domain_events_owner_id", "owner_id", "id"),
        Index("ix_domain_events_unpublished", "id", postgresql_where="published_at IS NULL"),
        # the publication order (resume cursor), assigned by the relay in commit order
        Index("uq_domain_events_seq", "seq", unique=True),
        Index("ix_domain_events_owner_seq", "owner_id", "seq"),
        # events that found their owner offline: delivered when the owner comes online (PUT /presence)
        Index("ix_domain_events_queued", "owner_id", "seq", postgresql_where="queued_at IS NOT NULL"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    owner_id: int = Field(foreign_key="car_owners.id", ondelete="CASCADE")
    event_type: str = Field(max_length=64)
    payload: dict[str, Any] = json_field(dict)
    created_at: datetime = created_at_field()
    published_at: datetime | None = timestamp_field()
    seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    queued_at: datetime | None = timestamp_field()
