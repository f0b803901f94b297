"""The auth mutations' inputs, each read into the domain's command."""

from __future__ import annotations

import strawberry

from app.domain.auth.commands import ForgotPassword, Refresh, ResetPassword, SignIn, SignUp

EMAIL = "The account's e-mail address (the domain part is compared in lower case)."


@strawberry.input(description="The new account's credentials.")
class SignUpInput:
    email: str = strawberry.field(description="E-mail address; one account per address.")
    password: str = strawberry.field(description="Password: at least 8 characters (at most 256).")

    def to_command(self) -> SignUp:
        return SignUp(email=self.email, password=self.password)


@strawberry.input(description="Credentials to sign in with.")
class SignInInput:
    email: str = strawberry.field(description=EMAIL)
    password: str = strawberry.field(description="The account's password.")

    def to_command(self, user_agent: str | None) -> SignIn:
        return SignIn(email=self.email, password=self.password, user_agent=user_agent)


@strawberry.input(description="The refresh token to exchange for a new pair.")
class RefreshTokenInput:
    refresh_token: str = strawberry.field(description="`AuthSession.refreshToken` of the session to renew.")

    def to_command(self) -> Refresh:
        return Refresh(refresh_token=self.refresh_token)


@strawberry.input(description="Whose password to reset, and where the link in the e-mail leads.")
class RequestPasswordResetInput:
    email: str = strawberry.field(description=EMAIL)
    redirect_to: str | None = strawberry.field(
        default=None,
        description="The page the e-mailed link opens (it gets `?token=...`); must be on an allowed address. "
        "Null: the configured default.",
    )

    def to_command(self) -> ForgotPassword:
        return ForgotPassword(email=self.email, redirect_to=self.redirect_to)


@strawberry.input(description="The token from the reset e-mail and the new password.")
class ResetPasswordInput:
    token: str = strawberry.field(
        description="The `token` of the e-mailed link (single use, valid for a limited time: one hour by default)."
    )
    password: str = strawberry.field(description="The new password: at least 8 characters (at most 256).")

    def to_command(self) -> ResetPassword:
        return ResetPassword(token=self.token, password=self.password)
