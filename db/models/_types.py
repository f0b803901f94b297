"""Column helpers shared by the table modules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, DateTime, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.types import UserDefinedType
from sqlmodel import Field

from app.values import utc_now


def created_at_field() -> Any:
    return Field(
        default_factory=utc_now,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()")),
    )


def timestamp_field(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable, index=index))


def json_field(default_factory: Any = dict, nullable: bool = False) -> Any:
    return Field(
        default_factory=default_factory,
        sa_column=Column(
            JSONB, nullable=nullable, server_default=text("'[]'::jsonb" if default_factory is list else "'{}'::jsonb")
        ),
    )


class Cube(UserDefinedType[str]):
    """PostgreSQL's `cube` (extension): only declared, for the schema; queries use it in SQL text."""

    cache_ok = True

    def get_col_spec(self, **_: Any) -> str:
        return "cube"


ischema_names.setdefault("cube", Cube)  # so that reflection (the models-vs-migrations check) knows it
