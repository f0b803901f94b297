"""Car owners and what belongs to their account: credentials, tokens, resets, outgoing mail, preferences."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, DateTime, Index, UniqueConstraint, func, text
from sqlmodel import Field, SQLModel

from app.values import utc_now
from db.models._types import created_at_field, timestamp_field


class CarOwner(SQLModel, table=True):
    __tablename__ = "car_owners"
    __table_args__ = (
        Index("uq_car_owners_email_ci", func.lower(text("email")), unique=True),
        Index("uq_car_owners_username_ci", func.lower(text("username")), unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=lambda: str(uuid.uuid4()), max_length=36, unique=True, index=True)
    email: str = Field(max_length=254)
    username: str | None = Field(default=None, max_length=30)
    password_hash: str = Field(max_length=255)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    phone_number: str | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=255)
    profile_image: str | None = Field(default=None, max_length=500)
    verify_vehicles: bool = Field(default=False)
    is_active: bool = Field(default=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = Field(
        default_factory=utc_now,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()")),
    )


class RefreshToken(SQLModel, table=True):
    """One opaque refresh token, stored as a SHA-256 hash; tokens of one sign-in share a family."""

    __tablename__ = "refresh_tokens"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="car_owners.id", index=True, ondelete="CASCADE")
    family_id: str = Field(max_length=36, index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created_at_field()
    expires_at: datetime = timestamp_field(nullable=False)
    rotated_at: datetime | None = timestamp_field()
    revoked_at: datetime | None = timestamp_field()
    user_agent: str | None = Field(default=None, max_length=255)


class PasswordReset(SQLModel, table=True):
    __tablename__ = "password_resets"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="car_owners.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    redirect_to: str | None = Field(default=None, max_length=500)
    created_at: datetime = created_at_field()
    expires_at: datetime = timestamp_field(nullable=False)
    used_at: datetime | None = timestamp_field()


class EmailOutbox(SQLModel, table=True):
    """Mail to send; written in the transaction that decides to send it, sent by the mailer afterwards."""

    __tablename__ = "email_outbox"

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=255)
    body: str
    template: str = Field(max_length=64)
    created_at: datetime = created_at_field()
    sent_at: datetime | None = timestamp_field(index=True)
    attempts: int = Field(default=0)
    last_error: str | None = None


class NotificationPreference(SQLModel, table=True):
    """A stored override of the default notification settings for one event and channel."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("owner_id", "event", "channel", name="uq_notification_pref"),)

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="car_owners.id", index=True, ondelete="CASCADE")
    event: str = Field(max_length=64)
    channel: str = Field(max_length=16)
    enabled: bool
    updated_at: datetime = created_at_field()
