"""Marketplace results: plain msgspec structs, cached as they are (never with per-user data in them)."""

from __future__ import annotations

from datetime import datetime, time

import msgspec


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


class SearchPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[WorkshopSummary]
    total: int
    offset: int
    limit: int
    nearby_top: list[WorkshopSummary] | None = None
    facets: Facets | None = None

    @property
    def total_pages(self) -> int:
        return (self.total + self.limit - 1) // self.limit if self.total else 0

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1


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


class WorkshopDetail(msgspec.Struct, frozen=True, kw_only=True):
    org_nr: str
    name: str
    address_line: str | None
    description: str | None
    phone: str | None
    mobile: str | None
    email: str | None
    logo: list[str]
    images: list[str]
    homepage: str | None
    updated_at: datetime
    categories: list[CategoryRef]
    addresses: list[Address]
    contacts: list[Contact]
    ratings: list[PublicRating]
    average_rating: float
    total_reviews: int
    services: list[ServiceItem]
    opening_hours: list[OpeningHour]
    # per request, never cached with a value other than the defaults
    is_open_now: bool = False
    is_favourite: bool = False


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


class FavouriteItem(msgspec.Struct, frozen=True):
    workshop: WorkshopSummary
    created_at: datetime


class FavouriteChange(msgspec.Struct, frozen=True):
    org_nr: str
    changed: bool  # added (POST) or removed (DELETE) by this call
    is_favourite: bool
