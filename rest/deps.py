"""Dependencies shared by the controllers: the service container, a unit of work, the caller."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide

from app.auth.tokens import AccessClaims
from app.domain.auth.service import authenticate
from app.domain.uow import UnitOfWork
from app.errors import Unauthenticated
from app.services import Services


def bearer_token(request: Request) -> str | None:
    # the first Authorization header, as `request.headers.get` gives it, without building the header mapping
    for name, value in request.scope["headers"]:
        if name.lower() == b"authorization":
            header = value.decode("latin-1")
            break
    else:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def provide_services(state: State) -> Services:
    services: Services = state.services
    return services


async def provide_uow(state: State) -> AsyncGenerator[UnitOfWork, None]:
    """One transaction per request: committed after the handler, rolled back if it raises."""
    services: Services = state.services
    async with services.uow() as uow:
        yield uow


async def provide_claims(request: Request, state: State) -> AccessClaims:
    token = bearer_token(request)
    if token is None:
        raise Unauthenticated("Missing bearer token.", code="UNAUTHORIZED")
    return await authenticate(state.services, token)


async def optional_claims(request: Request) -> AccessClaims | None:
    """The caller when a valid token is sent; anonymous otherwise (a bad token is still a 401)."""
    token = bearer_token(request)
    if token is None:
        return None
    return await authenticate(request.app.state.services, token)


async def provide_optional_claims(request: Request) -> AccessClaims | None:
    return await optional_claims(request)


DEPENDENCIES = {
    "services": Provide(provide_services),
    "uow": Provide(provide_uow),
    "claims": Provide(provide_claims),
    "maybe_claims": Provide(provide_optional_claims),
}
