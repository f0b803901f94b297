"""The marketplace's read models: what its search and workshop SQL returns, and the normalised search it runs.

They are plain msgspec structs, decoded straight from the rows (and cached as they are), so the repository
builds them itself; the domain (`app/domain/marketplace/results.py`, `query.py`) hands them on unchanged.
"""

from __future__ import annotations

from datetime import datetime, time

import msgspec

DEFAULT_PAGE_SIZE = 20


class SearchQuery(msgspec.Struct, frozen=True, kw_only=True):
    """A normalised workshop search. Field values are canonical (sorted, lower-cased, defaults filled)."""

    q: str | None = None
    text_scope: str = "workshop"  # "workshop": name and description; "wide": also addresses, services, categories
    workshop_category_ids: tuple[int, ...] = ()
    service_category_ids: tuple[int, ...] = ()
    cities: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()
    postal_code: str | None = None
    min_rating: float | None = None
    price_min: float | None = None
    price_max: float | None = None
    lat: float | None = None
    lng: float | None = None
    max_distance_km: float | None = None
    open_now: bool = False
    # the Europe/Oslo minute the open-now filter was evaluated for (part of the key only when open_now)
    open_at: tuple[int, int] | None = None
    market_layout: bool = False
    include_facets: bool = False
    sort: str = "name"
    order: str = "asc"
    offset: int = 0
    limit: int = DEFAULT_PAGE_SIZE

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1

    @property
    def has_location(self) -> bool:
        return self.lat is not None and self.lng is not None


class CategoryRef(msgspec.Struct, frozen=True):
    id: int
    name: str
    slug: str


class WorkshopSummary(msgspec.Struct, frozen=True, kw_only=True):
    """One row of a search. `is_favourite` is False in shared (cached) values and overlaid per caller."""

    org_nr: str
    name: str
    address_line: str | None
    city: str | None
    county: str | None
    postal_code: str | None
    latitude: float | None
    longitude: float | None
    distance_km: float | None
    logo: list[str]
    categories: list[CategoryRef]
    avg_rating: float
    total_reviews: int
    cheapest_service_price: float | None
    services_count: int
    is_favourite: bool = False


class FacetBucket(msgspec.Struct, frozen=True):
    key: str
    label: str
    count: int


class Facets(msgspec.Struct, frozen=True):
    workshop_categories: list[FacetBucket]
    service_categories: list[FacetBucket]
    cities: list[FacetBucket]
    counties: list[FacetBucket]
    ratings: list[FacetBucket]


class OpeningHour(msgspec.Struct, frozen=True):
    weekday: int  # 0 = Monday
    opens_at: time | None
    closes_at: time | None
    is_closed: bool


class Address(msgspec.Struct, frozen=True):
    address: str
    postal_code: str
    city: str
    county: str
    latitude: float | None
    longitude: float | None


class Contact(msgspec.Struct, frozen=True):
    id: int
    email: str | None
    phone: str | None
    mobile: str | None
    manager: str | None


class ServiceItem(msgspec.Struct, frozen=True, kw_only=True):
    service_id: int
    org_nr: str
    title: str
    description: str | None
    price: float
    estimated_time: float
    images: list[str]
    categories: list[CategoryRef]
    supports_walk_in: bool


class PublicRating(msgspec.Struct, frozen=True, kw_only=True):
    booking_id: int
    service_title: str
    service_rating: float
    service_rating_message: str | None
    rated_at: datetime | None


class WorkshopCategoryItem(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    slug: str
    description: str | None
    icon: str | None
    sort_order: int
    is_active: bool
    shops_count: int | None = None


class ServiceCategoryItem(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    slug: str
    description: str | None
    parent_id: int | None
    level: int  # 0 = root
    workshop_category_id: int | None
    sort_order: int
    is_active: bool
    services_count: int | None = None


class CarBrandItem(msgspec.Struct, frozen=True):
    id: int
    name: str
    slug: str
    car_logo: str | None
    created_at: datetime
