"""Building one record from another that names its fields the same way: a domain result into a REST wire
struct or a GraphQL type. Only the fields whose form differs are written where a record is built, so a field
added on both sides needs no third line."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar, cast

import msgspec

T = TypeVar("T")

_FIELDS: dict[type, tuple[str, ...]] = {}  # per type, read once: a page builds the same types many times


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        if issubclass(cls, msgspec.Struct):
            names = cls.__struct_fields__
        else:  # a dataclass (Strawberry types are)
            names = tuple(f.name for f in dataclasses.fields(cast(Any, cls)) if f.init)
        _FIELDS[cls] = names
    return names


def same_named(cls: type[T], source: object, /, **overrides: Any) -> T:
    """`cls` with each field taken from the attribute of that name on `source`, except those in `overrides`
    (renamed, converted, or not on `source`). A field in neither fails here, not in a response."""
    taken = {name: getattr(source, name) for name in _field_names(cls) if name not in overrides}
    return cls(**taken, **overrides)
