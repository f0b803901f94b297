"""Filling a GraphQL type from the domain result it presents.

Most types name their fields as the domain does; only the differences are written where a type is built, so a
field added to both sides needs no third line here.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Self, TypeVar, cast

import msgspec

T = TypeVar("T")


_FIELDS: dict[type, tuple[str, ...]] = {}  # per type, read once: a page builds the same types many times


def _init_fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cast(Any, cls)) if f.init)
    return names


def from_struct(cls: type[T], source: msgspec.Struct, /, **changes: Any) -> T:
    """`cls` with each field taken from the field of that name in `source`, except those in `changes` (renamed,
    converted, or not in `source`). A field of `cls` that is in neither fails here, not in a response."""
    values = msgspec.structs.asdict(source)
    taken = {name: values[name] for name in _init_fields(cls) if name not in changes}
    return cls(**taken, **changes)


class FromResult:
    """Base of a GraphQL type that shows a domain result field for field, nothing renamed: `Type.of(result)`."""

    @classmethod
    def of(cls, source: msgspec.Struct) -> Self:
        return from_struct(cls, source)
