"""Auth (5 reference operations) and the reset-password completion step."""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from app.auth.tokens import AccessClaims
from app.domain.auth import service as auth
from app.domain.uow import UnitOfWork
from rest.deps import bearer_token, client_ip
from rest.openapi import problem_responses
from rest.schemas.auth import (
    CarOwnerForgotPasswordRequest,
    CarOwnerLogoutResponse,
    CarOwnerRefreshRequest,
    CarOwnerRefreshResponse,
    CarOwnerResetPasswordRequest,
    CarOwnerSignInRequest,
    CarOwnerSignInResponse,
    CarOwnerSignUpRequest,
    CarOwnerSignUpResponse,
    refresh_response,
    sign_in_response,
)


class AuthController(Controller):
    path = "/auth"
    tags = ["Auth"]
    security = []

    @post(
        "/sign-up",
        status_code=HTTP_201_CREATED,
        operation_id="CarOwnerSignUp",
        summary="Register new Car Owner user",
        responses=problem_responses(400, 409, 429, 500),
    )
    async def sign_up(
        self, request: Request, uow: NamedDependency[UnitOfWork], data: JSONBody[CarOwnerSignUpRequest]
    ) -> CarOwnerSignUpResponse:
        result = await auth.sign_up(uow, data.to_command(), client_ip=client_ip(request))
        return CarOwnerSignUpResponse(message="Registration successful.", uid=result.uid)

    @post(
        "/sign-in",
        status_code=HTTP_200_OK,
        operation_id="CarOwnerSignIn",
        summary="Sign in Car Owner user",
        responses=problem_responses(400, 401, 403, 429, 500),
    )
    async def sign_in(
        self, request: Request, uow: NamedDependency[UnitOfWork], data: JSONBody[CarOwnerSignInRequest]
    ) -> CarOwnerSignInResponse:
        command = data.to_command(user_agent=request.headers.get("user-agent"))
        session = await auth.sign_in(uow, command, client_ip=client_ip(request))
        return sign_in_response(session, uow.settings.public_base_url)

    @post(
        "/refresh",
        status_code=HTTP_200_OK,
        operation_id="CarOwnerRefresh",
        summary="Refresh access token",
        security=[{"BearerAuth": []}],
        responses=problem_responses(401, 429, 500),
    )
    async def refresh(
        self, request: Request, uow: NamedDependency[UnitOfWork], data: JSONBody[CarOwnerRefreshRequest | None] = None
    ) -> CarOwnerRefreshResponse:
        command = (data or CarOwnerRefreshRequest()).to_command(bearer=bearer_token(request))
        session = await auth.refresh(uow, command, client_ip=client_ip(request))
        return refresh_response(session)

    @post(
        "/sign-out",
        status_code=HTTP_200_OK,
        operation_id="CarOwnerSignOut",
        summary="Sign out Car Owner user",
        security=[{"BearerAuth": []}],
        responses=problem_responses(401, 429, 500),
    )
    async def sign_out(
        self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims]
    ) -> CarOwnerLogoutResponse:
        await auth.sign_out(uow, claims)
        return CarOwnerLogoutResponse(message="Sign-out successful.")

    @post(
        "/forgot-password",
        status_code=HTTP_200_OK,
        operation_id="CarOwnerForgotPassword",
        summary="Request a password reset e-mail",
        responses=problem_responses(400, 429, 500),
    )
    async def forgot_password(
        self, request: Request, uow: NamedDependency[UnitOfWork], data: JSONBody[CarOwnerForgotPasswordRequest]
    ) -> CarOwnerLogoutResponse:
        message = await auth.forgot_password(uow, data.to_command(), client_ip=client_ip(request))
        return CarOwnerLogoutResponse(message=message)

    @post(
        "/reset-password",
        status_code=HTTP_200_OK,
        operation_id="CarOwnerResetPassword",
        summary="Choose a new password with the token from the reset e-mail",
        responses=problem_responses(400, 429, 500),
    )
    async def reset_password(
        self, uow: NamedDependency[UnitOfWork], data: JSONBody[CarOwnerResetPasswordRequest]
    ) -> CarOwnerLogoutResponse:
        await auth.reset_password(uow, data.to_command())
        return CarOwnerLogoutResponse(message="Password has been reset.")


CONTROLLERS = [AuthController]
