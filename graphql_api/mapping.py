"""Converting at the boundary: GraphQL types that show a domain result field for field (`Type.of(result)`), and
the domain's string behind an enum member."""

from __future__ import annotations

from enum import Enum
from typing import Self

from app.mapping import same_named


class FromResult:
    """Base of a GraphQL type that shows a domain result field for field, nothing renamed: `Type.of(result)`."""

    @classmethod
    def of(cls, source: object) -> Self:
        return same_named(cls, source)


def domain_value(member: Enum) -> str:
    """The domain's string behind an enum member (each member's value is the domain's code)."""
    return str(member.value)
