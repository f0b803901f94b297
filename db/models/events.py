"""The domain event outbox used for realtime delivery."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from db.models._types import created_at_field, json_field, timestamp_field


class DomainEvent(SQLModel, table=True):
    """Transactional outbox: written with the change, published to the channel layer after commit.

    Ids are allocated at insert, so they do not follow commit order. The relay gives each committed row
    a `seq` (one relay at a time, under an advisory lock), which is the publication order and the resume
    cursor of subscriptions; `published_at` is set once the channel layer accepted the row. `traceparent`
    (W3C) names the span that wrote the row when traces are on: its publication and delivery join that trace.
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
    traceparent: str | None = Field(default=None, max_length=64)
