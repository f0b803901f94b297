"""Running a mutation's use case in its own transaction: expected failures become the error member of the
payload union, a success is presented by the resolver's own mapping."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from strawberry.types import Info

from app.domain.uow import UnitOfWork
from app.errors import DomainError
from graphql_api.context import GraphQLContext
from graphql_api.errors import AnyUserError, user_error

R = TypeVar("R")
P = TypeVar("P")


async def attempt(
    info: Info[GraphQLContext, None], use_case: Callable[[UnitOfWork], Awaitable[R]], present: Callable[[R], P]
) -> P | AnyUserError:
    try:
        async with info.context.transaction() as uow:
            result = await use_case(uow)
    except DomainError as exc:
        return user_error(exc)
    return present(result)


async def as_owner(
    info: Info[GraphQLContext, None],
    use_case: Callable[[UnitOfWork, int], Awaitable[R]],
    present: Callable[[R], P],
) -> P | AnyUserError:
    """`attempt` for the signed-in owner; without a valid token the payload is an `AuthenticationError`."""
    try:
        owner_id = await info.context.owner_id()
    except DomainError as exc:
        return user_error(exc)
    return await attempt(info, lambda uow: use_case(uow, owner_id), present)
