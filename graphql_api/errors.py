"""Expected failures as GraphQL types (members of each mutation's payload union), and how errors that are not
payload members leave: each with `extensions.code`, server faults masked."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.exceptions import StrawberryGraphQLError, StrawberryInputCoercionError
from strawberry.relay.types import GlobalIDValueError

from app.errors import DomainError


@strawberry.type(description="One input field that was refused, and why.")
class FieldError:
    field: str = strawberry.field(
        description="The GraphQL input path of the field, e.g. `input.serviceStartTime` or `input.services[1].serviceId`."
    )
    reason: str = strawberry.field(description="A short machine-readable reason, e.g. `required`, `out_of_range`.")


@strawberry.interface(
    description="An expected failure of a mutation, returned as a member of its payload union (not in `errors`)."
)
class UserError:
    message: str = strawberry.field(description="What went wrong, for a person to read (English).")
    code: str = strawberry.field(
        description="A stable machine-readable code, the same as the REST API's (e.g. `BOOKING_NOT_FOUND`)."
    )


@strawberry.type(description="The input breaks a rule: `fields` names which fields, by their input path.")
class ValidationError(UserError):
    fields: list[FieldError] = strawberry.field(description="The refused fields; empty when the input as a whole is.")


@strawberry.type(description="No valid token was sent, or it expired or its session ended: sign in again.")
class AuthenticationError(UserError):
    pass


@strawberry.type(description="The caller is signed in but may not do this.")
class ForbiddenError(UserError):
    pass


@strawberry.type(description="An object the input names does not exist or is not the caller's.")
class NotFoundError(UserError):
    pass


@strawberry.type(
    description="The change conflicts with the current state (e.g. a taken e-mail, a booking that moved on)."
)
class ConflictError(UserError):
    fields: list[FieldError] = strawberry.field(description="The fields in conflict, by their input path.")


@strawberry.type(description="Too many attempts: try again after `retryAfter` seconds.")
class RateLimitedError(UserError):
    retry_after: int = strawberry.field(description="Seconds to wait before trying again.")


@strawberry.type(
    description="A service this mutation needs (payments, the registry, storage) is down: try again later."
)
class UnavailableError(UserError):
    retry_after: int | None = strawberry.field(description="Seconds to wait before trying again, when known.")


# Every error type a payload union may hold; each mutation's union names the ones it can return.
AnyUserError = (
    ValidationError
    | AuthenticationError
    | ForbiddenError
    | NotFoundError
    | ConflictError
    | RateLimitedError
    | UnavailableError
)


def user_error(exc: DomainError, path: Callable[[str], str] = lambda key: key) -> AnyUserError:
    """The GraphQL type for a domain error (a member of payload unions); `path` turns the domain's field names
    into the mutation's input paths."""
    fields = [FieldError(field=path(k), reason=v) for k, v in exc.fields.items()]
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


# Codes of errors that do not come from a domain error (Apollo Server's names, which clients know).
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
FORBIDDEN = "FORBIDDEN"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
INTERNAL = "INTERNAL_SERVER_ERROR"
MASKED_MESSAGE = "Unexpected error."

log = logging.getLogger("minbil.graphql")


@dataclass(frozen=True)
class Verdict:
    """How one error leaves: its code, extra extensions, whether it is masked, and how it is logged."""

    code: str
    extensions: dict[str, Any]
    masked: bool
    log_level: int


def mark_validation_failed(error: GraphQLError) -> None:
    """Tag an error found while validating the document (called from the validation hook: only the phase
    tells a validation error from a variable coercion error, both have no path and no original error)."""
    error.extensions = {"code": VALIDATION_FAILED, **(error.extensions or {})}  # a rule's own code wins


def _cause(error: GraphQLError) -> BaseException | None:
    """The innermost exception behind an error (graphql-core wraps scalar and variable errors in layers)."""
    cause: BaseException | None = error.original_error
    while isinstance(cause, GraphQLError) and cause.original_error is not None:
        cause = cause.original_error
    return cause


def domain_error_of(cause: BaseException | None) -> DomainError | None:
    """The domain error an exception stands for. The one place to map other exception types (e.g. an
    unreachable database) to a domain error, so that they leave with its code and message."""
    return cause if isinstance(cause, DomainError) else None


def classify(error: GraphQLError) -> Verdict:
    """The one set of rules for every GraphQL error; the first that applies wins."""
    domain = domain_error_of(_cause(error))
    if domain is not None:
        extensions: dict[str, Any] = {"status": domain.status}
        if domain.fields:
            extensions["fields"] = [{"field": k, "reason": v} for k, v in domain.fields.items()]
        retry_after = getattr(domain, "retry_after", None)
        if retry_after is not None:
            extensions["retryAfter"] = retry_after
        return Verdict(
            domain.code, extensions, masked=False, log_level=logging.INFO if domain.status < 500 else logging.WARNING
        )
    if isinstance(error, GraphQLSyntaxError):
        return _client(PARSE_FAILED)
    original = error.original_error
    own_code = (error.extensions or {}).get("code")
    if own_code == INTERNAL:  # already masked
        return Verdict(INTERNAL, {}, masked=True, log_level=logging.ERROR)
    if isinstance(original, GlobalIDValueError):  # a global id naming no type of this schema
        return _client(BAD_USER_INPUT)
    if isinstance(original, StrawberryInputCoercionError):  # an argument strawberry could not convert
        return _client(own_code if isinstance(own_code, str) else BAD_USER_INPUT)
    if isinstance(own_code, str) and (original is None or isinstance(original, GraphQLError)):
        # found while validating the document, or a GraphQLError raised on purpose with a code
        return _client(own_code)
    if isinstance(original, StrawberryGraphQLError):  # a permission class refused (strawberry's error class)
        return _client(FORBIDDEN)
    if error.path is None and (original is None or isinstance(original, GraphQLError)):
        # raised by graphql-core before any field ran: the variables do not fit their declared types
        return _client(BAD_USER_INPUT)
    return Verdict(INTERNAL, {}, masked=True, log_level=logging.ERROR)


def _client(code: str) -> Verdict:
    return Verdict(code, {}, masked=False, log_level=logging.INFO)


# graphql-core's `did_you_mean` ending ("Did you mean 'a' or 'b'?", "... the enum value 'X'?", "... to use an
# inline fragment on 'T'?"), wherever the message embeds it (validation rules, variable and literal coercion)
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def present(error: GraphQLError, *, hide_suggestions: bool = False) -> GraphQLError:
    """The error as the client sees it: with `extensions.code`; a server fault as MASKED_MESSAGE only.
    `hide_suggestions` (production) drops "Did you mean ...?": it names fields, arguments, types and enum values
    a caller without introspection should not learn by guessing."""
    verdict = classify(error)
    if verdict.masked:
        return GraphQLError(
            MASKED_MESSAGE,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": INTERNAL},
        )
    error.extensions = {**(error.extensions or {}), **verdict.extensions, "code": verdict.code}
    if hide_suggestions:
        error.message = _SUGGESTION.sub("", error.message)
    return error


def log_error(error: GraphQLError) -> None:
    """Client mistakes are logged as one line below ERROR; server faults at ERROR with their traceback."""
    verdict = classify(error)
    if verdict.masked:
        cause = _cause(error)
        log.error(
            "GraphQL server fault at %s: %s",
            error.path,
            error.message,
            exc_info=cause if isinstance(cause, BaseException) else None,
        )
    else:
        log.log(verdict.log_level, "GraphQL %s at %s: %s", verdict.code, error.path, error.message)
