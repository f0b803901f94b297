"""What the favourite mutations return: the result, or exactly the errors each can produce."""

from __future__ import annotations

from typing import Annotated, TypeAlias

import strawberry
from strawberry.types import Info

from app.domain.marketplace.results import FavouriteChange
from graphql_api.context import GraphQLContext
from graphql_api.errors import AuthenticationError, NotFoundError, ValidationError
from graphql_api.marketplace.loaders import loaders
from graphql_api.marketplace.types import Workshop


@strawberry.type(description="The state of one favourite after an add or remove (both are idempotent).")
class FavouriteResult:
    org_nr: str = strawberry.field(description="The workshop's organisation number.")
    is_favourite: bool = strawberry.field(description="Whether the workshop is now among the owner's favourites.")
    changed: bool = strawberry.field(
        description="True when this call added (or removed) the favourite; false when it already was (or was not)."
    )

    @classmethod
    def of(cls, change: FavouriteChange) -> FavouriteResult:
        return cls(org_nr=change.org_nr, is_favourite=change.is_favourite, changed=change.changed)

    @strawberry.field(description="The workshop; null when it is not (or no longer) listed.")
    async def workshop(self, info: Info[GraphQLContext, None]) -> Workshop | None:
        found = await loaders(info).workshop.load(self.org_nr)
        return Workshop.from_summary(found) if found is not None else None


AddFavouritePayload: TypeAlias = Annotated[
    FavouriteResult | ValidationError | AuthenticationError | NotFoundError,
    strawberry.union(
        "AddFavouritePayload",
        description="The favourite added; or ValidationError (an id that is not a workshop's), "
        "AuthenticationError (not signed in), NotFoundError (no such listed workshop).",
    ),
]

RemoveFavouritePayload: TypeAlias = Annotated[
    FavouriteResult | ValidationError | AuthenticationError,
    strawberry.union(
        "RemoveFavouritePayload",
        description="The favourite removed (removing what is not a favourite succeeds and changes nothing); or "
        "ValidationError (an id that is not a workshop's), AuthenticationError (not signed in).",
    ),
]
