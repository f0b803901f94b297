"""Per-request GraphQL context: the services, the caller, and per-request DataLoaders."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import cached_property
from typing import Any, Concatenate, ParamSpec, TypeVar

from graphql import OperationType
from litestar.datastructures import State
from strawberry.litestar import BaseContext
from strawberry.types import Info

from app.auth.tokens import ACCESS_SCOPE, REALTIME_SCOPE, AccessClaims
from app.domain.auth.service import authenticate, ensure_active
from app.domain.uow import UnitOfWork
from app.errors import Unauthenticated
from app.services import Services
from graphql_api.delivery import OperationFacts
from graphql_api.loaders import Loaders
from graphql_api.reading import RequestReader
from graphql_api.response_cache import SharedAnswer

A = ParamSpec("A")
R = TypeVar("R")


class GraphQLContext(BaseContext, kw_only=True, dict=True):
    services: Services
    connection_params: dict[str, Any] | None = None
    operation_facts: OperationFacts | None = None  # HTTP only: filled while the operation runs
    refusal: tuple[int, str] | None = None  # WebSocket only: the close code and reason of a refused connection_init
    shared: SharedAnswer | None = None  # an execution for every caller (graphql_api.response_cache): no caller
    cost_charged: bool = False  # the response cache charged the caller's cost budget already

    def __post_init__(self) -> None:
        self._claims: AccessClaims | None = None
        self._claims_checked = False

    @cached_property
    def reader(self) -> RequestReader:
        return RequestReader(self.services, session_per_use=self.websocket is not None or self.request is None)

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.reader)

    async def read(
        self, read: Callable[Concatenate[UnitOfWork, A], Awaitable[R]], /, *args: A.args, **kwargs: A.kwargs
    ) -> R:
        """`read(uow, *args, **kwargs)` on the request's read session (see graphql_api.reading)."""
        return await self.reader.run(read, *args, **kwargs)

    def _token(self) -> str | None:
        if self.connection_params is not None:  # WebSocket: the token comes in connection_init
            raw = (
                self.connection_params.get("authorization")
                or self.connection_params.get("Authorization")
                or self.connection_params.get("token")
            )
        elif self.request is not None:
            raw = self.request.headers.get("authorization")
        else:
            raw = None
        if not isinstance(raw, str) or not raw.strip():
            return None
        scheme, space, token = raw.strip().partition(" ")
        if not space:  # a bare token in connection_init
            return scheme
        return token.strip() if scheme.lower() == "bearer" else None

    async def socket_claims(self) -> AccessClaims | None:
        """The verified claims of the token sent (over a WebSocket, the realtime token too); None without one.

        A socket outlives its session, so its claims are checked again each time (cached, cheap). A request is
        checked once: a second check that went to Redis mid-answer would hold its field back past the batch the
        other fields' loaders had already sent.
        """
        if not self._claims_checked:
            token = self._token()
            scopes = (ACCESS_SCOPE, REALTIME_SCOPE) if self.connection_params is not None else (ACCESS_SCOPE,)
            self._claims = await authenticate(self.services, token, scopes=scopes) if token else None
            self._claims_checked = True
        elif self._claims is not None and self.request is None:
            await ensure_active(self.services, self._claims)
        return self._claims

    async def claims(self) -> AccessClaims | None:
        """The caller's verified claims for queries and mutations, or None when no token was sent (a bad token raises)."""
        claims = await self.socket_claims()
        if claims is not None and claims.scope != ACCESS_SCOPE:
            raise Unauthenticated("This token only opens subscriptions.", code="INVALID_TOKEN")
        return claims

    async def require_claims(self) -> AccessClaims:
        claims = await self.claims()
        if claims is None:
            raise Unauthenticated("Authentication required.")
        return claims

    async def subscriber_claims(self) -> AccessClaims:
        """The caller of a subscription: an access token or the realtime token."""
        claims = await self.socket_claims()
        if claims is None:
            raise Unauthenticated("Authentication required.")
        return claims

    async def owner_id(self) -> int:
        return (await self.require_claims()).owner_id

    async def viewer_id(self, info: Info[Any, Any]) -> int:
        """The owner whose data a nested field shows: the caller, and inside a subscription's event the
        subscriber (whose socket may have opened with the realtime token, which answers no query of its own)."""
        if info.operation.operation is OperationType.SUBSCRIPTION:
            return (await self.subscriber_claims()).owner_id
        return await self.owner_id()

    def client_ip(self) -> str:
        conn = self.request or self.websocket
        return conn.client.host if conn is not None and conn.client else "unknown"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        """A mutation's own transaction: GraphQL answers 200 even with errors, so it cannot rely on the status."""
        async with self.services.uow() as uow:
            yield uow

    async def read_as_owner(
        self, read: Callable[Concatenate[UnitOfWork, int, A], Awaitable[R]], /, *args: A.args, **kwargs: A.kwargs
    ) -> R:
        """`read(uow, owner_id, *args, **kwargs)` for the signed-in owner in one transaction; without a valid
        token the field fails with the authentication error (a query has no payload union)."""
        owner_id = await self.owner_id()
        return await self.reader.run(read, owner_id, *args, **kwargs)


async def get_context(state: State) -> GraphQLContext:
    return GraphQLContext(services=state.services)
