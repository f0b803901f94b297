"""The favourite mutations: one `input` each, idempotent, with exactly the errors each can produce."""

from __future__ import annotations

from typing import Annotated, cast

import strawberry
from strawberry.types import Info

from app.domain.marketplace import catalogue
from graphql_api.context import GraphQLContext
from graphql_api.marketplace.inputs import AddFavouriteInput, RemoveFavouriteInput
from graphql_api.marketplace.payloads import AddFavouritePayload, FavouriteResult, RemoveFavouritePayload
from graphql_api.mutations import owner_command

Ctx = Info[GraphQLContext, None]


@strawberry.type
class MarketplaceMutation:
    @strawberry.mutation(
        description="Add a workshop to the signed-in owner's favourites. Idempotent: adding a favourite again "
        "succeeds with `changed: false`."
    )
    async def add_favourite(
        self, info: Ctx, input: Annotated[AddFavouriteInput, strawberry.argument(description="The workshop.")]
    ) -> AddFavouritePayload:
        return cast(
            AddFavouritePayload,
            await owner_command(info, catalogue.add_favourite, input.to_command, FavouriteResult.of),
        )

    @strawberry.mutation(
        description="Remove a workshop from the signed-in owner's favourites. Idempotent: removing what is not a "
        "favourite succeeds with `changed: false`."
    )
    async def remove_favourite(
        self, info: Ctx, input: Annotated[RemoveFavouriteInput, strawberry.argument(description="The workshop.")]
    ) -> RemoveFavouritePayload:
        return cast(
            RemoveFavouritePayload,
            await owner_command(info, catalogue.remove_favourite, input.to_command, FavouriteResult.of),
        )
