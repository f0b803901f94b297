"""OpenAPI helpers: documented error responses, so the reference's component names (`Problem`, ...) appear."""

from __future__ import annotations

from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Tag

from rest.schemas.common import Problem

_DESCRIPTIONS = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
    413: "Payload Too Large", 422: "Unprocessable Entity", 429: "Too Many Requests", 500: "Server Error",
    503: "Service Unavailable",
}


def problem_responses(*statuses: int, container: type = Problem) -> dict[int, ResponseSpec]:
    """`responses=` for a handler whose errors are RFC 7807 Problems (application/problem+json)."""
    return {
        status: ResponseSpec(data_container=container, description=_DESCRIPTIONS.get(status, "Error"),
                             media_type="application/problem+json", generate_examples=False)
        for status in statuses
    }


# the reference's tags, in its order (its endpoint index)
REFERENCE_TAGS = (
    "Auth", "Booking", "BookingStatus", "CarBrands", "CarOwnerPayments", "CarOwnerServiceRecords", "Categories",
    "Favorites", "Marketplace", "MarketplaceCompat", "MarketplaceFilters", "Messages", "Notifications", "Presence",
    "Profile", "Ratings", "Realtime", "ServiceLog", "Settings", "Vehicles",
)


def openapi_tags() -> list[Tag]:
    return [Tag(name=name) for name in REFERENCE_TAGS]
