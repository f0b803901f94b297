"""Payment intents for booking groups and the webhook events already processed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from db.models._types import created_at_field, json_field, timestamp_field


class Payment(SQLModel, table=True):
    __tablename__ = "payments"
    __table_args__ = (
        # one open intent per booking group
        Index(
            "uq_payments_open_group",
            "group_id",
            unique=True,
            postgresql_where=text("status NOT IN ('canceled', 'succeeded')"),
        ),
    )

    id: str = Field(primary_key=True, max_length=40)  # public id, e.g. pay_...
    owner_id: int = Field(foreign_key="car_owners.id", index=True, ondelete="CASCADE")
    group_id: str = Field(max_length=36, index=True)
    provider: str = Field(max_length=16)  # stripe | local
    provider_intent_id: str | None = Field(default=None, max_length=255, unique=True)
    client_secret: str | None = Field(default=None, max_length=255)
    amount: int  # øre
    currency: str = Field(default="nok", max_length=3)
    status: str = Field(max_length=32)
    idempotency_key: str = Field(max_length=64)
    last_event_created: int | None = None  # provider event timestamp, for out-of-order webhooks
    provider_data: dict[str, Any] = json_field(dict)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    succeeded_at: datetime | None = timestamp_field()
    # set when the provider reports something we did not ask for (e.g. another amount): a person must look
    review_reason: str | None = Field(default=None, max_length=32)


class ProcessedWebhookEvent(SQLModel, table=True):
    __tablename__ = "processed_webhook_events"

    event_id: str = Field(primary_key=True, max_length=255)
    provider: str = Field(default="stripe", max_length=16)
    event_type: str = Field(max_length=64)
    received_at: datetime = created_at_field()
    payload: dict[str, Any] = json_field(dict)
