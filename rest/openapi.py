"""OpenAPI helpers: documented error responses, so the reference's component names (`Problem`, ...) appear."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from inspect import signature
from typing import Any

from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Schema,
    Tag,
)
from litestar.routes import HTTPRoute

from app.auth.developer import DEVELOPER_KEY_HEADER, is_developer
from app.settings import Settings
from rest.schemas.common import LocatedProblem, Problem, StructuredError

_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Server Error",
    415: "Unsupported Media Type",
    503: "Service Unavailable",
}


def problem_responses(*statuses: int, container: type = Problem) -> dict[int, ResponseSpec]:
    """`responses=` for a handler whose errors are RFC 7807 Problems (application/problem+json)."""
    return {
        status: ResponseSpec(
            data_container=container,
            description=_DESCRIPTIONS.get(status, "Error"),
            media_type="application/problem+json",
            generate_examples=False,
        )
        for status in statuses
    }


def structured_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """`responses=` for a handler of the `{"error": {...}}` modules (application/json)."""
    return {
        status: ResponseSpec(
            data_container=StructuredError, description=_DESCRIPTIONS.get(status, "Error"), generate_examples=False
        )
        for status in statuses
    }


def csv_or_json() -> type[Operation]:
    """An operation class documenting a 200 that is CSV or a JSON document (the handler picks one)."""

    @dataclass
    class CsvOrJson(Operation):
        def __post_init__(self) -> None:
            ok = (self.responses or {}).get("200")
            if isinstance(ok, OpenAPIResponse):
                declared = (ok.content or {}).get("application/json")  # the handler's own JSON schema, if any
                ok.content = {
                    "text/csv": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
                    "application/json": declared or OpenAPIMediaType(schema=Schema(type=OpenAPIType.OBJECT)),
                }

    return CsvOrJson


def raw_query(*params: tuple[str, str] | tuple[str, str, bool]) -> type[Operation]:
    """An operation class documenting the query parameters a handler reads from the raw query string
    (`(name, description[, required])`; strings, as the reference types them)."""
    declared = [
        Parameter(
            name=p[0],
            param_in="query",
            description=p[1],
            required=len(p) > 2 and bool(p[2]),
            schema=Schema(type=OpenAPIType.STRING),
        )
        for p in params
    ]

    @dataclass
    class RawQuery(Operation):
        def __post_init__(self) -> None:
            self.parameters = [*(self.parameters or []), *declared]

    return RawQuery


# signature names that are not client input
_NOT_INPUT = {"self", "state", "scope"}
# what a dependency reads from the connection rather than from client parameters
_CONNECTION = {"request"}
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _takes_input(names: set[str], dependencies: dict[str, Provide], *, of_dependency: bool = False) -> bool:
    """Client input in the signature, also query parameters a dependency reads for it (shared filters)."""
    for name in names - _NOT_INPUT - (_CONNECTION if of_dependency else set()):
        provider = dependencies.get(name)
        if provider is None:
            return True
        if _takes_input(set(signature(provider.dependency).parameters), dependencies, of_dependency=True):
            return True
    return False


def _error_statuses(route: HTTPRoute, handler: HTTPRouteHandler) -> list[int]:
    """The statuses every handler of this kind can answer, whatever its use case does."""
    names = set(handler.parsed_fn_signature.parameters)
    # a path parameter is input even where the handler does not read it (Litestar validates it anyway)
    takes_input = bool(route.path_parameters) or _takes_input(names, handler.resolve_dependencies())
    authenticated = bool({"claims", "maybe_claims"} & names) or any("APIKey" in r for r in handler.resolve_security())
    takes_body = "data" in names or ("request" in names and bool(_BODY_METHODS & set(handler.http_methods)))
    statuses = [500, 503]
    if takes_input:
        statuses.append(400)
    if authenticated:
        statuses.append(401)
    if route.path_parameters:
        statuses.append(404)
    if takes_body:
        statuses.append(415)
    return sorted(statuses)


def _security(handler: HTTPRouteHandler) -> list[dict[str, list[str]]] | None:
    """The requirement to document when it is not the document's default (a Bearer token): public
    routes need none, routes that only personalise with a token take one optionally."""
    names = set(handler.parsed_fn_signature.parameters)
    # `security=[]` on the handler itself opts out of its controller's requirement (Litestar adds them up)
    if "claims" in names or (handler.resolve_security() and handler.security != []):
        return None
    return [{}, {"BearerAuth": []}] if "maybe_claims" in names else []


def _with_security(base: type[Operation], security: list[dict[str, list[str]]]) -> type[Operation]:
    """`base` with `security` set: Litestar writes an empty requirement list as "inherit the default"."""

    @dataclass
    class Secured(base):  # type: ignore[valid-type,misc]
        def __post_init__(self) -> None:
            parent = getattr(super(), "__post_init__", None)
            if parent is not None:
                parent()
            self.security = security

    return Secured


def _responses_in_style(style: str, statuses: Iterable[int]) -> dict[int, ResponseSpec]:
    if style == "structured":  # their 401 is the auth Problem (rest/errors.py)
        statuses = list(statuses)
        return {
            **structured_responses(*(s for s in statuses if s != 401)),
            **(problem_responses(401) if 401 in statuses else {}),
        }
    return problem_responses(*statuses, container=LocatedProblem if style == "problem_where" else Problem)


def document_error_responses(routes: Iterable[Any]) -> None:
    """Declare on every /api/co operation the errors the REST face answers, in its module's shape,
    and the security of the routes that do not need the default Bearer token.

    Litestar documents only a generic `{status_code, detail}` 400; the errors handler (rest/errors.py)
    answers in the module's style: validation 400s, 401 without a valid credential, 404 for a path that
    names nothing, 415 for a body of another media type, 500/503 on faults. Statuses a handler declares
    itself (403, 409, 429, ...) and its own variants win.
    """
    for route in routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/co/"):
            continue
        for handler in route.route_handlers:
            if handler.include_in_schema is False:
                continue
            style = str(handler.opt.get("error_style", "problem"))
            merged = {**_responses_in_style(style, _error_statuses(route, handler)), **(handler.responses or {})}
            handler.responses = dict(sorted(merged.items()))
            security = _security(handler)
            if security is not None:
                handler.operation_class = _with_security(handler.operation_class, security)


# the reference's tags, in its order (its endpoint index)
REFERENCE_TAGS = (
    "Auth",
    "Booking",
    "BookingStatus",
    "CarBrands",
    "CarOwnerPayments",
    "CarOwnerServiceRecords",
    "Categories",
    "Favorites",
    "Marketplace",
    "MarketplaceCompat",
    "MarketplaceFilters",
    "Messages",
    "Notifications",
    "Presence",
    "Profile",
    "Ratings",
    "Realtime",
    "ServiceLog",
    "Settings",
    "Vehicles",
)


def openapi_tags() -> list[Tag]:
    return [Tag(name=name) for name in REFERENCE_TAGS]


def developer_only(settings: Settings) -> Any:
    """A guard for the OpenAPI routes in production: 404 (as if there were none) without a developer key."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if not is_developer(settings, connection.headers.get(DEVELOPER_KEY_HEADER)):
            raise NotFoundException()

    return guard
