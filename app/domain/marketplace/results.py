"""Marketplace results: plain msgspec structs, cached as they are (never with per-user data in them)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from db.read_models.marketplace import (
    Address,
    CarBrandItem,
    CategoryRef,
    Contact,
    FacetBucket,
    Facets,
    OpeningHour,
    PublicRating,
    ServiceCategoryItem,
    ServiceItem,
    WorkshopCategoryItem,
    WorkshopSummary,
)


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


class FavouriteItem(msgspec.Struct, frozen=True):
    workshop: WorkshopSummary
    created_at: datetime


class FavouriteChange(msgspec.Struct, frozen=True):
    org_nr: str
    changed: bool  # added (POST) or removed (DELETE) by this call
    is_favourite: bool


__all__ = [
    "Address",
    "CarBrandItem",
    "CategoryRef",
    "Contact",
    "FacetBucket",
    "Facets",
    "FavouriteChange",
    "FavouriteItem",
    "OpeningHour",
    "PublicRating",
    "SearchPage",
    "ServiceCategoryItem",
    "ServiceItem",
    "WorkshopCategoryItem",
    "WorkshopDetail",
    "WorkshopSummary",
]
