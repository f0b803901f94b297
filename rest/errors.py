"""One exception handler for the REST face. It renders the error shape the module documents:

- "problem": RFC 7807 `application/problem+json` (`type,title,status,detail,instance,code,message,where,hint`)
- "problem_where": the same with `where{layer,component,step}` (BookingStatus, CarBrands)
- "structured": `{"error": {code, message, fields[], request_id, retryable}}` (Messages, Notifications,
  Settings); their 401 stays the auth Problem, as the reference documents.

A controller picks its style with `opt={"error_style": ...}`; routes without one get "problem".
No stack trace or SQL reaches the client: unexpected errors are logged with the request id and
answered as a generic 500.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from app.errors import DomainError, RateLimited, ServiceUnavailable
from app.request_context import current_request_id

log = logging.getLogger("minbil.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://minbil.dev/problems/"
STYLE_OPT = "error_style"
WHERE_OPT = "error_where"  # {"layer": ..., "component": ...} for the problem_where style

_STATUS_SLUGS = {
    400: "validation",
    401: "auth",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation",
    429: "rate-limit",
    500: "internal",
    503: "unavailable",
}
_STATUS_CODES = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class ErrorInfo:
    """A transport-neutral description of one failure."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        hint: str | None = None,
        retryable: bool = False,
        retry_after: int | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.hint = hint
        self.retryable = retryable
        self.retry_after = retry_after
        self.title = title or _TITLES.get(status, "Error")
        self.headers = headers or {}


def describe(exc: Exception) -> ErrorInfo:
    if isinstance(exc, DomainError):
        return ErrorInfo(
            exc.status,
            exc.code,
            exc.message,
            fields=exc.fields,
            hint=exc.hint,
            retryable=exc.retryable,
            retry_after=getattr(exc, "retry_after", None)
            if isinstance(exc, (RateLimited, ServiceUnavailable))
            else None,
            title=exc.title,
        )
    if isinstance(exc, ValidationException):
        return ErrorInfo(400, "VALIDATION_ERROR", _validation_message(exc), fields=_validation_fields(exc))
    if isinstance(exc, NotAuthorizedException):
        return ErrorInfo(401, "UNAUTHORIZED", "Unauthorized")
    if isinstance(exc, PermissionDeniedException):
        return ErrorInfo(403, "FORBIDDEN", "Forbidden")
    if isinstance(exc, NotFoundException):
        return ErrorInfo(404, "NOT_FOUND", "Not found")
    if isinstance(exc, MethodNotAllowedException):  # the router names the allowed methods in `Allow`
        return ErrorInfo(405, "METHOD_NOT_ALLOWED", "Method not allowed", headers=_allow_header(exc))
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        return ErrorInfo(exc.status_code, _STATUS_CODES.get(exc.status_code, "BAD_REQUEST"), _safe_detail(exc))
    return ErrorInfo(500, "INTERNAL_ERROR", "Internal server error", retryable=True)


def _allow_header(exc: HTTPException) -> dict[str, str]:
    allow = next((v for k, v in (exc.headers or {}).items() if k.lower() == "allow"), None)
    return {"Allow": allow} if allow else {}


def _safe_detail(exc: HTTPException) -> str:
    detail = exc.detail or _TITLES.get(exc.status_code, "Error")
    return detail if len(detail) <= 300 else detail[:300]


def _validation_fields(exc: ValidationException) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            key = str(item.get("key") or item.get("source") or "body")
            fields[key] = str(item.get("message", "invalid"))[:200]
    return fields


def _validation_message(exc: ValidationException) -> str:
    fields = _validation_fields(exc)
    if fields:
        return "Invalid input: " + ", ".join(sorted(fields))
    detail = exc.detail or "Invalid input"
    return "Invalid request body." if "body" in detail.lower() or "decode" in detail.lower() else "Invalid input."


def _route_opt(request: Request) -> dict[str, Any]:
    try:
        return dict(request.route_handler.opt)
    except Exception:  # unknown route: no handler resolved
        return _module_opt(request)


def _module_opt(request: Request) -> dict[str, Any]:
    """The opt of the route whose static beginning is the longest prefix of an unmatched path
    (`/messages/thread/abc` fails the `{booking_id:int}` converter but belongs to Messages)."""
    path = request.url.path
    best: tuple[int, dict[str, Any]] = (0, {})
    for route in request.app.routes:
        prefix = route.path.split("{", 1)[0]
        handlers = getattr(route, "route_handlers", None)
        if handlers and len(prefix) > best[0] and path.startswith(prefix):
            best = (len(prefix), dict(handlers[0].opt))
    return best[1]


def problem_body(info: ErrorInfo, request: Request, where: dict[str, Any] | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + _STATUS_SLUGS.get(info.status, "error"),
        "title": info.title,
        "status": info.status,
        "detail": info.message,
        "instance": request.url.path,
        "code": info.code,
        "message": info.message,
        "where": where or {},
        "request_id": current_request_id(),
    }
    if info.hint:
        body["hint"] = info.hint
    if info.fields:
        body["errors"] = [{"field": k, "reason": v} for k, v in info.fields.items()]
    return body


def structured_body(info: ErrorInfo) -> dict[str, Any]:
    return {
        "error": {
            "code": info.code,
            "message": info.message,
            "fields": [{"field": k, "reason": v} for k, v in info.fields.items()],
            "request_id": current_request_id(),
            "retryable": info.retryable,
        }
    }


def render_error(request: Request, info: ErrorInfo) -> Response[Any]:
    opt = _route_opt(request)
    style = opt.get(STYLE_OPT, "problem")
    headers = {**info.headers, "X-Request-ID": current_request_id()}
    if info.retry_after is not None:
        headers["Retry-After"] = str(info.retry_after)
    if info.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="minbil"'
    if style == "structured" and info.status != 401:
        return Response(structured_body(info), status_code=info.status, headers=headers, media_type=MediaType.JSON)
    where = None
    if style == "problem_where":
        where = {**opt.get(WHERE_OPT, {}), "step": info.code.lower()}
    if style == "structured":  # the 401 of structured modules is the documented auth Problem
        body = {
            "type": PROBLEM_BASE + "auth",
            "title": "Unauthorized",
            "status": 401,
            "detail": info.message,
            "code": "UNAUTHORIZED",
            "message": info.message,
            "request_id": current_request_id(),
        }
        return Response(body, status_code=401, headers=headers, media_type=PROBLEM_MEDIA_TYPE)
    return Response(
        problem_body(info, request, where), status_code=info.status, headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


def exception_handler(request: Request, exc: Exception) -> Response[Any]:
    info = describe(exc)
    if info.status >= HTTP_500_INTERNAL_SERVER_ERROR and not isinstance(exc, DomainError):
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return render_error(request, info)
