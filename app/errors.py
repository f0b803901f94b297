"""The domain error hierarchy. Transports map these once each: REST to the legacy shapes, GraphQL to payloads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict, Unpack


class ErrorOptions(TypedDict, total=False):
    """The optional keywords of every `DomainError`, for subclasses that add their own and pass these on."""

    code: str | None
    fields: Mapping[str, str] | None
    hint: str | None


class DomainError(Exception):
    """An expected failure a client can act on.

    `code` is stable and machine-readable (UPPER_SNAKE, as the reference's structured errors use);
    `fields` names the offending input fields with a reason each.
    """

    status: int = 400
    code: str = "BAD_REQUEST"
    title: str = "Bad Request"
    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: Mapping[str, str] | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.fields: dict[str, str] = dict(fields or {})
        self.hint = hint


class ValidationFailed(DomainError):
    status = 400
    code = "VALIDATION_ERROR"
    title = "Bad Request"


class Unauthenticated(DomainError):
    status = 401
    code = "UNAUTHORIZED"
    title = "Unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "FORBIDDEN"
    title = "Forbidden"


class NotFound(DomainError):
    status = 404
    code = "NOT_FOUND"
    title = "Not Found"


class Conflict(DomainError):
    status = 409
    code = "CONFLICT"
    title = "Conflict"


class PayloadTooLarge(DomainError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"
    title = "Payload Too Large"


class RateLimited(DomainError):
    status = 429
    code = "RATE_LIMITED"
    title = "Too Many Requests"
    retryable = True

    def __init__(
        self, message: str = "Too many requests.", *, retry_after: int = 60, **kwargs: Unpack[ErrorOptions]
    ) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = max(1, int(retry_after))


class ServiceUnavailable(DomainError):
    status = 503
    code = "SERVICE_UNAVAILABLE"
    title = "Service Unavailable"
    retryable = True

    def __init__(self, message: str, *, retry_after: int | None = None, **kwargs: Unpack[ErrorOptions]) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class DatabaseUnavailable(ServiceUnavailable):
    """PostgreSQL cannot be reached (refused, timed out, dropped, shutting down, out of connections).

    Raised by the engine (`db/engine.py`) in place of the driver's errors, so both faces answer it like any
    other temporary unavailability: REST 503 with `Retry-After`, GraphQL `SERVICE_UNAVAILABLE`.
    """

    def __init__(
        self,
        message: str = "The database is unavailable; try again shortly.",
        *,
        retry_after: int | None = 5,
        **kwargs: Unpack[ErrorOptions],
    ) -> None:
        super().__init__(message, retry_after=retry_after, **kwargs)
