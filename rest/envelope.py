"""The `{data, meta{request_id, generated_at}}` success envelope of the newer modules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar, overload

from app.request_context import current_request_id
from app.values import utc_now
from rest.schemas.common import EnvelopeMeta

M = TypeVar("M", bound=EnvelopeMeta)


def now_iso() -> str:
    return utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")


def meta(**extra: Any) -> dict[str, Any]:
    return {"request_id": current_request_id(), "generated_at": now_iso(), **extra}


@overload
def envelope_meta() -> EnvelopeMeta: ...
@overload
def envelope_meta(shape: type[M]) -> M: ...
def envelope_meta(shape: type[EnvelopeMeta] = EnvelopeMeta) -> EnvelopeMeta:
    """The `meta` of a typed envelope; `shape` names the struct where a module publishes its own schema name."""
    return shape(request_id=current_request_id(), generated_at=now_iso())


def envelope(data: Any, **extra_meta: Any) -> dict[str, Any]:
    return {"data": data, "meta": meta(**extra_meta)}


def iso(value: datetime | None) -> str | None:
    """UTC timestamps as the reference writes them: `2026-02-12T10:00:00Z`."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
