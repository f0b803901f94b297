"""GraphQL types that show a domain result field for field (`Type.of(result)`)."""

from __future__ import annotations

from typing import Self

from app.mapping import same_named


class FromResult:
    """Base of a GraphQL type that shows a domain result field for field, nothing renamed: `Type.of(result)`."""

    @classmethod
    def of(cls, source: object) -> Self:
        return same_named(cls, source)
