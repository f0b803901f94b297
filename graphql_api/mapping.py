"""Filling a GraphQL type from the domain result it presents.

Most types name their fields as the domain does; only the differences are written where a type is built, so a
field added to both sides needs no third line here.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Self, TypeVar, cast

import msgspec

T = TypeVar("T")


def from_struct(cls: type[T], source: msgspec.Struct, /, **changes: Any) -> T:
    """`cls` with each field taken from the field of that name in `source`, except those in `changes` (renamed,
    converted, or not in `source`). A field of `cls` that is in neither fails here, not in a response."""
    values = msgspec.structs.asdict(source)
    taken = {f.name: values[f.name] for f in dataclasses.fields(cast(Any, cls)) if f.init and f.name not in changes}
    return cls(**taken, **changes)


class FromResult:
    """Base of a GraphQL type that shows a domain result field for field, nothing renamed: `Type.of(result)`."""

    @classmethod
    def of(cls, source: msgspec.Struct) -> Self:
        return from_struct(cls, source)
