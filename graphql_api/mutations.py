"""Running a mutation's use case in its own transaction: expected failures (a missing or bad token, a bad
argument, a business rule) become the error member of the payload union, a success is presented by the
resolver's own mapping. Every mutation goes through here, so the mapping of failures has one home.

Each mutation's payload union names exactly the errors it can return. A domain error whose GraphQL type is not
a member of the field's union is a defect of that declaration: it leaves as a top-level error (still with its
`extensions.code`) and is logged at WARNING so the union gets fixed. A `ValidationError`'s fields are GraphQL
input paths (graphql_api.input_paths).

A command is read inside (`owner_command(info, use_case, input.to_command, present)`), so a bad argument
is the payload's error too; the caller is checked first, before any argument.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from strawberry.types import Info
from strawberry.types.union import StrawberryUnion

from app.auth.tokens import AccessClaims
from app.domain.uow import UnitOfWork
from app.errors import DomainError
from graphql_api.context import GraphQLContext
from graphql_api.errors import user_error
from graphql_api.input_paths import input_path

log = logging.getLogger("minbil.graphql")

# What a mutation returns: the success `present` builds, or one of the error types of its payload union. Which
# errors a union holds is declared once, on the mutation field (`XPayload`), and checked here when an error
# occurs; a static type would only repeat that declaration at every call.
Payload = Any

A = TypeVar("A")
C = TypeVar("C")
R = TypeVar("R")
P = TypeVar("P")


async def _guarded(
    info: Info[GraphQLContext, None],
    caller: Callable[[], Awaitable[A]],
    use_case: Callable[[UnitOfWork, A], Awaitable[R]],
    present: Callable[[R], P],
) -> Payload:
    try:
        who = await caller()
        async with info.context.transaction() as uow:
            result = await use_case(uow, who)
    except DomainError as exc:
        error = user_error(exc, lambda key: input_path(info, key))
        members = info.return_type.types if isinstance(info.return_type, StrawberryUnion) else ()
        if not isinstance(error, tuple(m for m in members if isinstance(m, type))):
            log.warning(
                "%s: %s is not a member of its payload union; sent as a top-level error",
                info.field_name,
                type(error).__name__,
            )
            raise
        return error
    return present(result)


async def _anyone() -> None:
    return None


async def attempt(
    info: Info[GraphQLContext, None], use_case: Callable[[UnitOfWork], Awaitable[R]], present: Callable[[R], P]
) -> Payload:
    """A mutation open to anyone (sign-up, sign-in ...)."""
    return await _guarded(info, _anyone, lambda uow, _: use_case(uow), present)


async def as_caller(
    info: Info[GraphQLContext, None],
    use_case: Callable[[UnitOfWork, AccessClaims], Awaitable[R]],
    present: Callable[[R], P],
) -> Payload:
    """A mutation that needs the signed-in caller's claims (its session too); without a valid token the payload
    is an `AuthenticationError`."""
    return await _guarded(info, info.context.require_claims, use_case, present)


async def as_owner(
    info: Info[GraphQLContext, None],
    use_case: Callable[[UnitOfWork, int], Awaitable[R]],
    present: Callable[[R], P],
) -> Payload:
    """A mutation of the signed-in owner; without a valid token the payload is an `AuthenticationError`."""
    return await _guarded(info, info.context.owner_id, use_case, present)


async def owner_command(
    info: Info[GraphQLContext, None],
    use_case: Callable[[UnitOfWork, int, C], Awaitable[R]],
    command: Callable[[], C],
    present: Callable[[R], P],
) -> Payload:
    """`as_owner` for a use case that takes a command, which `command()` reads from the mutation's arguments."""
    return await as_owner(info, lambda uow, owner_id: use_case(uow, owner_id, command()), present)
