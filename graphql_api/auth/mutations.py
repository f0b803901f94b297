"""The auth mutations: sign-up, sign-in, token refresh, sign-out and password reset."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from app.domain.auth import service as auth
from graphql_api.account.types import Owner
from graphql_api.auth.inputs import (
    RefreshTokenInput,
    RequestPasswordResetInput,
    ResetPasswordInput,
    SignInInput,
    SignUpInput,
)
from graphql_api.auth.payloads import (
    RefreshTokenPayload,
    RequestPasswordResetPayload,
    ResetPasswordPayload,
    SignInPayload,
    SignOutPayload,
    SignUpPayload,
)
from graphql_api.auth.types import AuthSession, Done, SignUpSuccess
from graphql_api.context import GraphQLContext
from graphql_api.mutations import as_caller, attempt

Ctx = Info[GraphQLContext, None]


def _user_agent(info: Ctx) -> str | None:
    request = info.context.request
    return request.headers.get("user-agent") if request is not None else None


@strawberry.type
class AuthMutation:
    @strawberry.mutation(
        description="Create an account. It does not sign in: call `signIn` next. Rate-limited per client address."
    )
    async def sign_up(
        self,
        info: Ctx,
        input: Annotated[SignUpInput, strawberry.argument(description="The new account's credentials.")],
    ) -> SignUpPayload:
        return await attempt(
            info,
            lambda uow: auth.sign_up(uow, input.to_command(), client_ip=info.context.client_ip()),
            lambda result: SignUpSuccess(owner=Owner.from_summary(result.owner)),
        )

    @strawberry.mutation(
        description="Sign in with e-mail and password: a new session with an access and a refresh token. "
        "Rate-limited per client address and per account."
    )
    async def sign_in(
        self, info: Ctx, input: Annotated[SignInInput, strawberry.argument(description="The credentials.")]
    ) -> SignInPayload:
        command = input.to_command(_user_agent(info))
        return await attempt(
            info, lambda uow: auth.sign_in(uow, command, client_ip=info.context.client_ip()), AuthSession.from_session
        )

    @strawberry.mutation(
        description="Exchange a refresh token for a new pair in the same session. The token is spent; a retry "
        "within a few seconds gets the same new pair, a later reuse ends the session. Rate-limited."
    )
    async def refresh_token(
        self, info: Ctx, input: Annotated[RefreshTokenInput, strawberry.argument(description="The refresh token.")]
    ) -> RefreshTokenPayload:
        return await attempt(
            info,
            lambda uow: auth.refresh(uow, input.to_command(), client_ip=info.context.client_ip()),
            AuthSession.from_session,
        )

    @strawberry.mutation(
        description="End the caller's session: its refresh token and every access token of it stop working."
    )
    async def sign_out(self, info: Ctx) -> SignOutPayload:
        return await as_caller(info, auth.sign_out, lambda _: Done(message="Sign-out successful."))

    @strawberry.mutation(
        description="E-mail a password-reset link. The answer is the same whether or not the account exists. "
        "Rate-limited per client address and per account."
    )
    async def request_password_reset(
        self,
        info: Ctx,
        input: Annotated[RequestPasswordResetInput, strawberry.argument(description="Who and where to.")],
    ) -> RequestPasswordResetPayload:
        return await attempt(
            info,
            lambda uow: auth.forgot_password(uow, input.to_command(), client_ip=info.context.client_ip()),
            lambda message: Done(message=message),
        )

    @strawberry.mutation(
        description="Set a new password with the token from the reset e-mail; every session of the account ends."
    )
    async def reset_password(
        self,
        info: Ctx,
        input: Annotated[ResetPasswordInput, strawberry.argument(description="The token and new password.")],
    ) -> ResetPasswordPayload:
        return await attempt(
            info,
            lambda uow: auth.reset_password(uow, input.to_command()),
            lambda _: Done(message="Password has been reset."),
        )
