"""Expected failures as GraphQL types (members of each mutation's payload union), and error masking."""

from __future__ import annotations

from typing import Annotated, Any, Union

import strawberry
from graphql import GraphQLError

from app.errors import DomainError


@strawberry.type
class FieldError:
    field: str
    reason: str


@strawberry.interface
class UserError:
    message: str
    code: str


@strawberry.type
class ValidationError(UserError):
    fields: list[FieldError]


@strawberry.type
class AuthenticationError(UserError):
    pass


@strawberry.type
class ForbiddenError(UserError):
    pass


@strawberry.type
class NotFoundError(UserError):
    pass


@strawberry.type
class ConflictError(UserError):
    fields: list[FieldError]


@strawberry.type
class RateLimitedError(UserError):
    retry_after: int


@strawberry.type
class UnavailableError(UserError):
    retry_after: int | None


USER_ERROR_TYPES: tuple[type, ...] = (
    ValidationError, AuthenticationError, ForbiddenError, NotFoundError, ConflictError, RateLimitedError, UnavailableError,
)
AnyUserError = ValidationError | AuthenticationError | ForbiddenError | NotFoundError | ConflictError | RateLimitedError | UnavailableError


def payload_union(name: str, *success_types: type) -> Any:
    """`Annotated[Success | <every user error>, union(name)]`: a mutation payload."""
    return Annotated[Union[(*success_types, *USER_ERROR_TYPES)], strawberry.union(name)]  # noqa: UP007


def user_error(exc: DomainError) -> AnyUserError:
    """The GraphQL type for a domain error (used by payload unions)."""
    fields = [FieldError(field=k, reason=v) for k, v in exc.fields.items()]
    match exc.status:
        case 400 | 413:
            return ValidationError(message=exc.message, code=exc.code, fields=fields)
        case 401:
            return AuthenticationError(message=exc.message, code=exc.code)
        case 403:
            return ForbiddenError(message=exc.message, code=exc.code)
        case 404:
            return NotFoundError(message=exc.message, code=exc.code)
        case 409:
            return ConflictError(message=exc.message, code=exc.code, fields=fields)
        case 429:
            return RateLimitedError(message=exc.message, code=exc.code, retry_after=getattr(exc, "retry_after", 60))
        case _:
            return UnavailableError(message=exc.message, code=exc.code, retry_after=getattr(exc, "retry_after", None))


def should_mask_error(error: GraphQLError) -> bool:
    """Domain errors raised from query fields keep their message (with `extensions.code`); all else is masked."""
    original = error.original_error
    if original is None:  # syntax or validation errors of the document itself
        return False
    return not isinstance(original, DomainError)
