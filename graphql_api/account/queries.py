"""The account area's root query fields: the signed-in owner and the username check."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from app.domain.account import profile
from app.domain.auth import service as auth
from app.mapping import same_named
from graphql_api.account.payloads import UsernameAvailability
from graphql_api.account.types import Owner
from graphql_api.context import GraphQLContext

Ctx = Info[GraphQLContext, None]


@strawberry.type
class AccountQuery:
    @strawberry.field(
        description="The signed-in owner, or null when no token is sent. A bad, expired or revoked token fails "
        "the field with UNAUTHORIZED (or TOKEN_EXPIRED, TOKEN_REVOKED)."
    )
    async def me(self, info: Ctx) -> Owner | None:
        claims = await info.context.claims()
        if claims is None:
            return None
        return Owner.from_summary(await info.context.read(auth.load_owner, claims.owner_id))

    @strawberry.field(
        description="Whether a username is free for the signed-in owner (their own current name counts as free). "
        "A name breaking the username rules fails the field with INVALID_USERNAME; needs a token."
    )
    async def username_available(
        self,
        info: Ctx,
        username: Annotated[
            str, strawberry.argument(description="The username to check (trimmed; compared regardless of case).")
        ],
    ) -> UsernameAvailability:
        return same_named(UsernameAvailability, await info.context.read_as_owner(profile.check_username, username))
