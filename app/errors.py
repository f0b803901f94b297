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
    # the message of an instance raised without one (the "not configured" and "unavailable" kinds)
    default_message: str = "Bad request."

    def __init_subclass__(
        cls,
        *,
        status: int | None = None,
        code: str | None = None,
        title: str | None = None,
        retryable: bool | None = None,
        **kwargs: object,
    ) -> None:
        """Class keywords declare a kind in one line; a kind without them inherits its parent's."""
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
        if code is not None:
            cls.code = code
        if title is not None:
            cls.title = title
        if retryable is not None:
            cls.retryable = retryable

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: Mapping[str, str] | None = None,
        hint: str | None = None,
    ) -> None:
        message = self.default_message if message is None else message
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.fields: dict[str, str] = dict(fields or {})
        self.hint = hint


class ValidationFailed(DomainError, status=400, code="VALIDATION_ERROR", title="Bad Request"):
    """Input that breaks a rule of its field (`fields` names which)."""


class Unauthenticated(DomainError, status=401, code="UNAUTHORIZED", title="Unauthorized"):
    """No valid credentials with the request."""


class Forbidden(DomainError, status=403, code="FORBIDDEN", title="Forbidden"):
    """Credentials that do not allow this."""


class NotFound(DomainError, status=404, code="NOT_FOUND", title="Not Found"):
    """Absent, or not the caller's to see."""


class Conflict(DomainError, status=409, code="CONFLICT", title="Conflict"):
    """The current state does not allow the change."""


class PayloadTooLarge(DomainError, status=413, code="PAYLOAD_TOO_LARGE", title="Payload Too Large"):
    """A body or upload beyond its limit."""


class RateLimited(DomainError, status=429, code="RATE_LIMITED", title="Too Many Requests", retryable=True):
    default_message = "Too many requests."

    def __init__(self, message: str | None = None, *, retry_after: int = 60, **kwargs: Unpack[ErrorOptions]) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = max(1, int(retry_after))


class ServiceUnavailable(
    DomainError, status=503, code="SERVICE_UNAVAILABLE", title="Service Unavailable", retryable=True
):
    """A dependency is down or not configured; `retry_after` (seconds) defaults per kind."""

    default_retry_after: int | None = None

    def __init__(
        self, message: str | None = None, *, retry_after: int | None = None, **kwargs: Unpack[ErrorOptions]
    ) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = self.default_retry_after if retry_after is None else retry_after


class DatabaseUnavailable(ServiceUnavailable):
    """PostgreSQL cannot be reached (refused, timed out, dropped, shutting down, out of connections).

    Raised by the engine (`db/engine.py`) in place of the driver's errors, so both faces answer it like any
    other temporary unavailability: REST 503 with `Retry-After`, GraphQL `SERVICE_UNAVAILABLE`.
    """

    default_message = "The database is unavailable; try again shortly."
    default_retry_after = 5
