"""What the auth mutations answer with: a session (tokens and owner) or a confirmation."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from app.domain.auth.results import Session
from graphql_api.account.types import Owner


@strawberry.enum(description="How an access token is sent.")
class TokenType(Enum):
    BEARER = strawberry.enum_value("bearer", description="In the `Authorization: Bearer <token>` header.")


@strawberry.type(description="A signed-in session: an access token for requests and a refresh token to renew it.")
class AuthSession:
    access_token: str = strawberry.field(
        description="Send as `Authorization: Bearer <token>` (and in `connection_init` over WebSocket)."
    )
    refresh_token: str = strawberry.field(
        description="Exchange with `refreshToken` for a new pair; single use (a reuse ends the whole session)."
    )
    token_type: TokenType = strawberry.field(description="How to send the access token.")
    expires_in: int = strawberry.field(description="Seconds until the access token expires.")
    expires_at: datetime = strawberry.field(description="When the access token expires.")
    owner: Owner = strawberry.field(description="The signed-in owner.")

    @classmethod
    def from_session(cls, session: Session) -> AuthSession:
        return cls(
            access_token=session.access_token,
            refresh_token=session.refresh_token,
            token_type=TokenType(session.token_type),
            expires_in=session.expires_in,
            expires_at=session.expires_at,
            owner=Owner.from_summary(session.owner),
        )


@strawberry.type(description="The account was created; sign in with `signIn` to get tokens.")
class SignUpSuccess:
    owner: Owner = strawberry.field(description="The new owner.")


@strawberry.type(description="The request was carried out.")
class Done:
    message: str = strawberry.field(description="A sentence for the user saying what happened.")
