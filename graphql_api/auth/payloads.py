"""The auth mutations' payload unions: the success type, or exactly the errors each use case can produce."""

from __future__ import annotations

from typing import Annotated, TypeAlias

import strawberry

from graphql_api.auth.types import AuthSession, Done, SignUpSuccess
from graphql_api.errors import (
    AuthenticationError,
    ConflictError,
    RateLimitedError,
    UnavailableError,
    ValidationError,
)

SignUpPayload: TypeAlias = Annotated[
    SignUpSuccess | ValidationError | ConflictError | RateLimitedError | UnavailableError,
    strawberry.union(
        "SignUpPayload",
        description="The new account, or why not: a bad address or password (ValidationError), the address has "
        "an account (ConflictError), too many sign-ups from this client (RateLimitedError), or the rate limiter "
        "is down and the server is set to refuse then (UnavailableError).",
    ),
]
SignInPayload: TypeAlias = Annotated[
    AuthSession | ValidationError | AuthenticationError | RateLimitedError | UnavailableError,
    strawberry.union(
        "SignInPayload",
        description="A session, or why not: a malformed address or missing password (ValidationError), wrong "
        "credentials (AuthenticationError, the same for unknown accounts), too many attempts "
        "(RateLimitedError), or the rate limiter is down in fail-closed mode (UnavailableError).",
    ),
]
RefreshTokenPayload: TypeAlias = Annotated[
    AuthSession | AuthenticationError | RateLimitedError | UnavailableError,
    strawberry.union(
        "RefreshTokenPayload",
        description="A new pair in the same session, or why not: the token is unknown, expired or reused "
        "(AuthenticationError; a reuse ends the session), too many refreshes (RateLimitedError), or the rate "
        "limiter is down in fail-closed mode (UnavailableError).",
    ),
]
SignOutPayload: TypeAlias = Annotated[
    Done | AuthenticationError,
    strawberry.union("SignOutPayload", description="The session is ended, or there was no valid token."),
]
RequestPasswordResetPayload: TypeAlias = Annotated[
    Done | ValidationError | RateLimitedError | UnavailableError,
    strawberry.union(
        "RequestPasswordResetPayload",
        description="The same answer whether or not the account exists, or why not: a bad address or redirect "
        "(ValidationError), too many requests (RateLimitedError), or the rate limiter is down in fail-closed mode "
        "(UnavailableError).",
    ),
]
ResetPasswordPayload: TypeAlias = Annotated[
    Done | ValidationError,
    strawberry.union(
        "ResetPasswordPayload",
        description="The password is changed and every session of the account ended, or why not: the token is "
        "invalid, used or expired, or the password breaks the rules (ValidationError).",
    ),
]
