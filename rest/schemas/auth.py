"""Auth wire shapes (names as in the reference)."""

from __future__ import annotations

import msgspec

from app.domain.auth.commands import ForgotPassword, Refresh, ResetPassword, SignIn, SignUp
from app.domain.auth.results import OwnerSummary, Session
from app.mapping import same_named
from app.values import absolute_url
from rest.envelope import iso


class CarOwnerSignInRequest(msgspec.Struct):
    email: str
    password: str

    def to_command(self, user_agent: str | None) -> SignIn:
        return same_named(SignIn, self, user_agent=user_agent)


class CarOwnerSignUpRequest(msgspec.Struct):
    email: str
    password: str

    def to_command(self) -> SignUp:
        return same_named(SignUp, self)


class CarOwnerForgotPasswordRequest(msgspec.Struct):
    email: str
    redirect_to: str | None = None

    def to_command(self) -> ForgotPassword:
        return same_named(ForgotPassword, self)


class CarOwnerRefreshRequest(msgspec.Struct):
    refresh_token: str | None = None

    def to_command(self, bearer: str | None) -> Refresh:
        """The token of the body, else the one sent as Bearer (legacy clients send it that way)."""
        return Refresh(refresh_token=self.refresh_token or bearer)


class CarOwnerResetPasswordRequest(msgspec.Struct):
    token: str
    password: str

    def to_command(self) -> ResetPassword:
        return same_named(ResetPassword, self)


class CarOwnerUserResponse(msgspec.Struct):
    """The profile shape, legacy camelCase beside snake_case (`firstName` next to `phone_number`)."""

    uid: str
    email: str
    username: str | None
    firstName: str | None
    lastName: str | None
    phone_number: str | None
    address: str | None
    profileImage: str | None
    verify_vehicles: bool
    created_at: str | None
    updated_at: str | None


class CarOwnerSignInResponse(msgspec.Struct):
    message: str
    access_token: str
    refresh_token: str
    expires_in: int
    expires_at: str
    expires_at_unix: int
    token_type: str
    user: CarOwnerUserResponse


class CarOwnerRefreshResponse(msgspec.Struct):
    message: str
    access_token: str
    refresh_token: str
    expires_in: int
    expires_at: str
    expires_at_unix: int
    token_type: str


class CarOwnerSignUpResponse(msgspec.Struct):
    message: str
    uid: str


class CarOwnerLogoutResponse(msgspec.Struct):
    message: str


def user_response(owner: OwnerSummary, media_url: str = "") -> CarOwnerUserResponse:
    image = absolute_url(media_url, owner.profile_image)
    return CarOwnerUserResponse(
        uid=owner.uid,
        email=owner.email,
        username=owner.username,
        firstName=owner.first_name,
        lastName=owner.last_name,
        phone_number=owner.phone_number,
        address=owner.address,
        profileImage=image,
        verify_vehicles=owner.verify_vehicles,
        created_at=iso(owner.created_at),
        updated_at=owner.updated_at.date().isoformat() if owner.updated_at else None,
    )


def sign_in_response(session: Session, media_url: str = "") -> CarOwnerSignInResponse:
    return CarOwnerSignInResponse(
        message="Login successful.",
        access_token=session.access_token,
        refresh_token=session.refresh_token,
        expires_in=session.expires_in,
        expires_at=iso(session.expires_at) or "",
        expires_at_unix=int(session.expires_at.timestamp()),
        token_type=session.token_type,
        user=user_response(session.owner, media_url),
    )


def refresh_response(session: Session) -> CarOwnerRefreshResponse:
    return CarOwnerRefreshResponse(
        message="Token refreshed.",
        access_token=session.access_token,
        refresh_token=session.refresh_token,
        expires_in=session.expires_in,
        expires_at=iso(session.expires_at) or "",
        expires_at_unix=int(session.expires_at.timestamp()),
        token_type=session.token_type,
    )
