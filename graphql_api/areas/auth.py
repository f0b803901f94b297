"""Auth over GraphQL: `me`, sign-up/in, refresh, sign-out, password reset."""

from datetime import datetime

import strawberry
from strawberry.types import Info

from app.domain.auth import service as auth
from app.domain.auth.results import Session
from app.errors import DomainError
from graphql_api.context import GraphQLContext
from graphql_api.errors import payload_union, user_error
from graphql_api.types import Owner


@strawberry.type
class AuthSession:
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int
    expires_at: datetime
    owner: Owner

    @classmethod
    def from_session(cls, session: Session) -> "AuthSession":
        return cls(
            access_token=session.access_token,
            refresh_token=session.refresh_token,
            token_type=session.token_type,
            expires_in=session.expires_in,
            expires_at=session.expires_at,
            owner=Owner.from_summary(session.owner),
        )


@strawberry.type
class SignUpSuccess:
    owner: Owner


@strawberry.type
class Done:
    message: str


SignUpPayload = payload_union("SignUpPayload", SignUpSuccess)
AuthPayload = payload_union("AuthPayload", AuthSession)
DonePayload = payload_union("DonePayload", Done)


@strawberry.type
class AuthQuery:
    @strawberry.field(description="The signed-in owner, or null without a token.")
    async def me(self, info: Info[GraphQLContext, None]) -> Owner | None:
        claims = await info.context.claims()
        if claims is None:
            return None
        async with info.context.transaction() as uow:
            owner = await auth.load_owner(uow, claims.owner_id)
        return Owner.from_summary(owner)


@strawberry.type
class AuthMutation:
    @strawberry.mutation
    async def sign_up(self, info: Info[GraphQLContext, None], email: str, password: str) -> SignUpPayload:
        try:
            async with info.context.transaction() as uow:
                result = await auth.sign_up(uow, email=email, password=password, client_ip=info.context.client_ip())
        except DomainError as exc:
            return user_error(exc)
        return SignUpSuccess(owner=Owner.from_summary(result.owner))

    @strawberry.mutation
    async def sign_in(self, info: Info[GraphQLContext, None], email: str, password: str) -> AuthPayload:
        try:
            async with info.context.transaction() as uow:
                session = await auth.sign_in(uow, email=email, password=password, client_ip=info.context.client_ip())
        except DomainError as exc:
            return user_error(exc)
        return AuthSession.from_session(session)

    @strawberry.mutation
    async def refresh_token(self, info: Info[GraphQLContext, None], refresh_token: str) -> AuthPayload:
        try:
            async with info.context.transaction() as uow:
                session = await auth.refresh(uow, refresh_token=refresh_token, client_ip=info.context.client_ip())
        except DomainError as exc:
            return user_error(exc)
        return AuthSession.from_session(session)

    @strawberry.mutation
    async def sign_out(self, info: Info[GraphQLContext, None]) -> DonePayload:
        try:
            claims = await info.context.require_claims()
            async with info.context.transaction() as uow:
                await auth.sign_out(uow, claims)
        except DomainError as exc:
            return user_error(exc)
        return Done(message="Sign-out successful.")

    @strawberry.mutation
    async def request_password_reset(
        self, info: Info[GraphQLContext, None], email: str, redirect_to: str | None = None
    ) -> DonePayload:
        try:
            async with info.context.transaction() as uow:
                message = await auth.forgot_password(
                    uow, email=email, redirect_to=redirect_to, client_ip=info.context.client_ip()
                )
        except DomainError as exc:
            return user_error(exc)
        return Done(message=message)

    @strawberry.mutation
    async def reset_password(self, info: Info[GraphQLContext, None], token: str, password: str) -> DonePayload:
        try:
            async with info.context.transaction() as uow:
                await auth.reset_password(uow, token=token, password=password)
        except DomainError as exc:
            return user_error(exc)
        return Done(message="Password has been reset.")


QUERIES = (AuthQuery,)
MUTATIONS = (AuthMutation,)
