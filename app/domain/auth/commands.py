"""What the auth use cases are asked to do: one command per write, built by each face.

The credentials arrive as text; the rules for them (address form, password length) are the domain's and
are applied by the use case, after the rate limit where the limit comes first.
"""

from __future__ import annotations

import msgspec


class SignUp(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    password: str


class SignIn(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    password: str
    user_agent: str | None = None


class Refresh(msgspec.Struct, frozen=True, kw_only=True):
    refresh_token: str | None


class ForgotPassword(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    redirect_to: str | None = None


class ResetPassword(msgspec.Struct, frozen=True, kw_only=True):
    token: str
    password: str
