"""Auth over GraphQL: `me`, sign-up/in, refresh, sign-out, password reset."""

from datetime import datetime
from typing import Annotated, TypeAlias

import strawberry
from strawberry.types import Info

from app.domain.auth import service as auth
from app.domain.auth.commands import ForgotPassword, Refresh, ResetPassword, SignIn, SignUp
from app.domain.auth.results import Session
from app.domain.uow import UnitOfWork
from graphql_api.account.owner import Owner
from graphql_api.context import GraphQLContext
from graphql_api.errors import AnyUserError
from graphql_api.mutations import attempt

Ctx = Info[GraphQLContext, None]


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


SignUpPayload: TypeAlias = Annotated[SignUpSuccess | AnyUserError, strawberry.union("SignUpPayload")]
AuthPayload: TypeAlias = Annotated[AuthSession | AnyUserError, strawberry.union("AuthPayload")]
DonePayload: TypeAlias = Annotated[Done | AnyUserError, strawberry.union("DonePayload")]


@strawberry.type
class AuthQuery:
    @strawberry.field(description="The signed-in owner, or null without a token.")
    async def me(self, info: Ctx) -> Owner | None:
        claims = await info.context.claims()
        if claims is None:
            return None
        async with info.context.transaction() as uow:
            owner = await auth.load_owner(uow, claims.owner_id)
        return Owner.from_summary(owner)


@strawberry.type
class AuthMutation:
    @strawberry.mutation
    async def sign_up(self, info: Ctx, email: str, password: str) -> SignUpPayload:
        command = SignUp(email=email, password=password)
        return await attempt(
            info,
            lambda uow: auth.sign_up(uow, command, client_ip=info.context.client_ip()),
            lambda result: SignUpSuccess(owner=Owner.from_summary(result.owner)),
        )

    @strawberry.mutation
    async def sign_in(self, info: Ctx, email: str, password: str) -> AuthPayload:
        command = SignIn(email=email, password=password)
        return await attempt(
            info, lambda uow: auth.sign_in(uow, command, client_ip=info.context.client_ip()), AuthSession.from_session
        )

    @strawberry.mutation
    async def refresh_token(self, info: Ctx, refresh_token: str) -> AuthPayload:
        command = Refresh(refresh_token=refresh_token)
        return await attempt(
            info, lambda uow: auth.refresh(uow, command, client_ip=info.context.client_ip()), AuthSession.from_session
        )

    @strawberry.mutation
    async def sign_out(self, info: Ctx) -> DonePayload:
        async def end_session(uow: UnitOfWork) -> None:
            await auth.sign_out(uow, await info.context.require_claims())

        return await attempt(info, end_session, lambda _: Done(message="Sign-out successful."))

    @strawberry.mutation
    async def request_password_reset(self, info: Ctx, email: str, redirect_to: str | None = None) -> DonePayload:
        command = ForgotPassword(email=email, redirect_to=redirect_to)
        return await attempt(
            info,
            lambda uow: auth.forgot_password(uow, command, client_ip=info.context.client_ip()),
            lambda message: Done(message=message),
        )

    @strawberry.mutation
    async def reset_password(self, info: Ctx, token: str, password: str) -> DonePayload:
        command = ResetPassword(token=token, password=password)
        return await attempt(
            info, lambda uow: auth.reset_password(uow, command), lambda _: Done(message="Password has been reset.")
        )


QUERIES = (AuthQuery,)
MUTATIONS = (AuthMutation,)
