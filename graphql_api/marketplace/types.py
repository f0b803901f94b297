"""The marketplace's object types: workshops, their services, categories, brands, and the search connection.

A workshop is keyed by its organisation number (global id `Workshop:<orgNr>`); services and categories by
their numbers. Nested fields come from the area's per-request loaders.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import datetime, time
from typing import Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from app.domain.marketplace import queries as parts
from app.domain.marketplace.hours import is_open, oslo_now
from app.domain.marketplace.results import (
    CarBrandItem,
    Facets,
    ServiceCategoryItem,
    ServiceItem,
    WorkshopCategoryItem,
    WorkshopSummary,
)
from app.domain.uow import UnitOfWork
from app.mapping import same_named
from graphql_api.connections import Connection
from graphql_api.context import GraphQLContext
from graphql_api.marketplace.loaders import loaders
from graphql_api.node import Entity, anyone_keyed, database_ids, global_id, public_nodes, text_keys

Ctx = Info[GraphQLContext, None]

MAX_REVIEWS = parts.MAX_PUBLIC_REVIEWS


@strawberry.enum(description="A day of the week (opening hours are per weekday).")
class Weekday(enum.Enum):
    MONDAY = strawberry.enum_value(0, description="Monday.")
    TUESDAY = strawberry.enum_value(1, description="Tuesday.")
    WEDNESDAY = strawberry.enum_value(2, description="Wednesday.")
    THURSDAY = strawberry.enum_value(3, description="Thursday.")
    FRIDAY = strawberry.enum_value(4, description="Friday.")
    SATURDAY = strawberry.enum_value(5, description="Saturday.")
    SUNDAY = strawberry.enum_value(6, description="Sunday.")


@strawberry.type(description="A workshop category (the kind of workshop: car workshop, tyres, paint ...).")
class WorkshopCategory(Entity):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Display name.")
    slug: str = strawberry.field(description="URL-safe unique name.")
    description: str | None = strawberry.field(description="Longer text; null when none is set.")
    icon: str | None = strawberry.field(description="Icon name or URL; null when none is set.")
    sort_order: int = strawberry.field(description="Position in lists (ascending).")
    is_active: bool = strawberry.field(description="False for a retired category (listed only on request).")

    @classmethod
    def of(cls, c: WorkshopCategoryItem) -> WorkshopCategory:
        return same_named(cls, c)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Ctx, node_ids: Iterable[str], required: bool = False
    ) -> list[WorkshopCategory | None]:
        return await public_nodes(info, node_ids, _workshop_categories, cls.of)


@strawberry.type(description="A service category: a node of the tree of kinds of service (EU control, oil change ...).")
class ServiceCategory(Entity):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Display name.")
    slug: str = strawberry.field(description="URL-safe unique name.")
    description: str | None = strawberry.field(description="Longer text; null when none is set.")
    level: int = strawberry.field(description="Depth in the tree: 0 for a root category.")
    sort_order: int = strawberry.field(description="Position in lists (ascending).")
    is_active: bool = strawberry.field(description="False for a retired category (listed only on request).")
    parent_id: strawberry.Private[int | None]
    workshop_category_id: strawberry.Private[int | None]
    children: list[ServiceCategory] | None = strawberry.field(
        description="The sub-categories, when the list was asked for as a tree (`tree: true`); null otherwise."
    )

    @classmethod
    def of(cls, c: ServiceCategoryItem, children: list[ServiceCategory] | None = None) -> ServiceCategory:
        return same_named(cls, c, children=children)

    @strawberry.field(description="The parent category; null for a root category.")
    async def parent(self, info: Ctx) -> ServiceCategory | None:
        if self.parent_id is None:
            return None
        found = await loaders(info).service_category.load(self.parent_id)
        return ServiceCategory.of(found) if found is not None else None

    @strawberry.field(description="The workshop category this category belongs to; null when it belongs to none.")
    async def workshop_category(self, info: Ctx) -> WorkshopCategory | None:
        if self.workshop_category_id is None:
            return None
        found = await loaders(info).workshop_category.load(self.workshop_category_id)
        return WorkshopCategory.of(found) if found is not None else None

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Ctx, node_ids: Iterable[str], required: bool = False
    ) -> list[ServiceCategory | None]:
        return await public_nodes(info, node_ids, _service_categories, cls.of)


async def _workshop_categories(uow: UnitOfWork, ids: list[int]) -> dict[int, WorkshopCategoryItem]:
    return dict(await parts.workshop_categories_by_id(uow.session, ids))


async def _service_categories(uow: UnitOfWork, ids: list[int]) -> dict[int, ServiceCategoryItem]:
    return dict(await parts.service_categories_by_id(uow.session, ids))


@strawberry.type(description="A service a workshop offers, with its price.")
class Service(Entity):
    id: relay.NodeID[int]
    title: str = strawberry.field(description="Name of the service.")
    description: str | None = strawberry.field(description="Longer text; null when none is set.")
    price: float = strawberry.field(description="Price in NOK (kroner), VAT included.")
    estimated_time: float = strawberry.field(description="Estimated duration, in hours.")
    supports_walk_in: bool = strawberry.field(description="True when the service can be had without a booking.")
    images: list[str] = strawberry.field(description="Image URLs.")
    org_nr: strawberry.Private[str]
    category_ids: strawberry.Private[list[int]]

    @classmethod
    def of(cls, s: ServiceItem) -> Service:
        return same_named(cls, s, id=s.service_id, category_ids=[c.id for c in s.categories])

    @strawberry.field(description="The service categories of this service.")
    async def categories(self, info: Ctx) -> list[ServiceCategory]:
        found = await loaders(info).service_category.load_many(self.category_ids)
        return [ServiceCategory.of(c) for c in found if c is not None]

    @strawberry.field(description="The workshop offering this service; null when the workshop is no longer listed.")
    async def workshop(self, info: Ctx) -> Workshop | None:
        found = await loaders(info).workshop.load(self.org_nr)
        return Workshop.from_summary(found) if found is not None else None

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Ctx, node_ids: Iterable[str], required: bool = False
    ) -> list[Service | None]:
        return await public_nodes(info, node_ids, parts.services_by_id, cls.of)


@strawberry.type(description="A car brand (make).")
class CarBrand(Entity):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Display name.")
    slug: str = strawberry.field(description="URL-safe unique name.")
    car_logo: str | None = strawberry.field(description="Logo URL; null when none is set.")
    created_at: datetime = strawberry.field(description="When the brand was added.")

    @classmethod
    def of(cls, b: CarBrandItem) -> CarBrand:
        return same_named(cls, b)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Ctx, node_ids: Iterable[str], required: bool = False
    ) -> list[CarBrand | None]:
        # the brand list needs a caller (`carBrands`); by global id only a signed-in owner sees brands
        if await info.context.claims() is None:
            return [None for _ in database_ids(node_ids)]
        return await public_nodes(info, node_ids, parts.car_brands_by_id, cls.of)


@strawberry.type(description="A workshop's opening hours on one weekday, in Europe/Oslo local time.")
class OpeningHours:
    weekday: Weekday = strawberry.field(description="The day these hours apply to.")
    opens_at: time | None = strawberry.field(
        description="Opening time, Europe/Oslo local time; null when closed that day."
    )
    closes_at: time | None = strawberry.field(
        description="Closing time, Europe/Oslo local time; null when closed that day. Earlier than `opensAt` when "
        "the workshop closes after midnight."
    )
    is_closed: bool = strawberry.field(description="True when the workshop is closed all day.")


@strawberry.type(description="A public review: the rating an owner gave a booked service and chose to publish.")
class Review:
    service_title: str = strawberry.field(description="The service that was rated.")
    rating: float = strawberry.field(description="The rating, 1 to 5.")
    message: str | None = strawberry.field(description="The owner's comment; null when none was written.")
    rated_at: datetime | None = strawberry.field(description="When the rating was given; null when not recorded.")


@strawberry.type(description="One of a workshop's addresses.")
class WorkshopAddress:
    address: str = strawberry.field(description="Street address.")
    postal_code: str = strawberry.field(description="Norwegian postal code, 4 digits.")
    city: str = strawberry.field(description="Postal town.")
    county: str = strawberry.field(description="County (fylke).")
    latitude: float | None = strawberry.field(description="WGS 84 latitude in degrees; null when unknown.")
    longitude: float | None = strawberry.field(description="WGS 84 longitude in degrees; null when unknown.")


@strawberry.type(description="A contact person or channel of a workshop.")
class WorkshopContact:
    email: str | None = strawberry.field(description="E-mail address; null when none is set.")
    phone: str | None = strawberry.field(description="Phone number; null when none is set.")
    mobile: str | None = strawberry.field(description="Mobile number; null when none is set.")
    manager: str | None = strawberry.field(description="Name of the contact person; null when none is set.")


@strawberry.type(description="A workshop's rating: the average of its public ratings and its newest reviews.")
class WorkshopRating:
    average: float = strawberry.field(description="Average rating, 1 to 5 (0 when the workshop has no ratings).")
    total_reviews: int = strawberry.field(description="How many ratings the average is made of.")
    org_nr: strawberry.Private[str]

    @strawberry.field(
        description=f"The newest public reviews, newest first: at most {MAX_REVIEWS} (`totalReviews` counts all). "
        "Private ratings are never shown."
    )
    async def reviews(self, info: Ctx) -> list[Review]:
        rows = await loaders(info).ratings_of.load(self.org_nr)
        return [same_named(Review, r, rating=r.service_rating, message=r.service_rating_message) for r in rows]


@strawberry.type(description="A workshop of the marketplace, keyed by its organisation number.")
class Workshop(Entity):
    id: relay.NodeID[str]
    org_nr: str = strawberry.field(description="Norwegian organisation number, 9 digits (the REST API's key).")
    name: str = strawberry.field(description="Display name.")
    address_line: str | None = strawberry.field(description="Primary street address; null when none is registered.")
    city: str | None = strawberry.field(description="City of the primary address; null when none is registered.")
    county: str | None = strawberry.field(description="County of the primary address; null when none is registered.")
    postal_code: str | None = strawberry.field(
        description="Postal code (4 digits) of the primary address; null when none is registered."
    )
    latitude: float | None = strawberry.field(description="WGS 84 latitude in degrees; null when unknown.")
    longitude: float | None = strawberry.field(description="WGS 84 longitude in degrees; null when unknown.")
    distance_km: float | None = strawberry.field(
        description="Distance in km from the searched point; null unless the search gave `lat`/`lng`."
    )
    logo: list[str] = strawberry.field(description="Logo image URLs.")
    cheapest_service_price: float | None = strawberry.field(
        description="Price in NOK of the cheapest active service (of the filtered service categories, when "
        "filtered); null when it offers none."
    )
    services_count: int = strawberry.field(description="How many active services the workshop offers.")
    average_rating: strawberry.Private[float]
    total_reviews: strawberry.Private[int]

    @classmethod
    def from_summary(cls, w: WorkshopSummary) -> Workshop:
        return same_named(cls, w, id=w.org_nr, average_rating=w.avg_rating)

    @strawberry.field(
        description="The organisation number as a number (REST identifies workshops by `orgNr`; pad with "
        "leading zeros to 9 digits to get it back)."
    )
    def database_id(self) -> int:
        return int(self.org_nr)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Ctx, node_ids: Iterable[str], required: bool = False
    ) -> list[Workshop | None]:
        return await anyone_keyed(info, text_keys(node_ids), parts.workshops_by_org_nr, cls.from_summary)

    @strawberry.field(description="Average rating and public reviews.")
    def rating(self) -> WorkshopRating:
        return WorkshopRating(average=self.average_rating, total_reviews=self.total_reviews, org_nr=self.org_nr)

    @strawberry.field(
        description="True when the signed-in owner has this workshop as a favourite (false when anonymous)."
    )
    async def is_favourite(self, info: Ctx) -> bool:
        shared = info.context.shared
        if shared is not None:  # an answer for every caller: each caller's favourites are set on top
            return shared.favourite_at(info.path.as_list(), self.org_nr)
        claims = await info.context.claims()
        if claims is None:
            return False
        return await loaders(info).is_favourite.load((claims.owner_id, self.org_nr))

    @strawberry.field(description="The workshop's active services, cheapest first.")
    async def services(self, info: Ctx) -> list[Service]:
        return [Service.of(s) for s in await loaders(info).services_of.load(self.org_nr)]

    @strawberry.field(description="The workshop's categories, in catalogue order.")
    async def categories(self, info: Ctx) -> list[WorkshopCategory]:
        return [WorkshopCategory.of(c) for c in await loaders(info).categories_of.load(self.org_nr)]

    @strawberry.field(description="Weekly opening hours, Monday first, in Europe/Oslo local time.")
    async def opening_hours(self, info: Ctx) -> list[OpeningHours]:
        rows = await loaders(info).hours_of.load(self.org_nr)
        return [
            OpeningHours(
                weekday=Weekday(h.weekday),
                opens_at=h.opens_at if h.opens_at and not h.is_closed else None,
                closes_at=h.closes_at if h.closes_at and not h.is_closed else None,
                is_closed=h.is_closed or h.opens_at is None,
            )
            for h in rows
            if 0 <= h.weekday <= 6
        ]

    @strawberry.field(description="True when the workshop is open now (Europe/Oslo time).")
    async def is_open_now(self, info: Ctx) -> bool:
        rows = await loaders(info).hours_of.load(self.org_nr)
        return is_open(rows, oslo_now(info.context.services))

    @strawberry.field(description="The workshop's addresses, the primary one first.")
    async def addresses(self, info: Ctx) -> list[WorkshopAddress]:
        return [same_named(WorkshopAddress, a) for a in await loaders(info).addresses_of.load(self.org_nr)]

    @strawberry.field(description="The workshop's contacts.")
    async def contacts(self, info: Ctx) -> list[WorkshopContact]:
        return [same_named(WorkshopContact, c) for c in await loaders(info).contacts_of.load(self.org_nr)]


@strawberry.type(description="How many matching workshops have one value of a facet.")
class FacetBucket:
    key: str = strawberry.field(
        description="The value to filter by: a global id for category facets (pass it in "
        "`workshopCategoryIds`/`serviceCategoryIds`), the name for cities and counties, a range such as "
        '"4-5" for ratings.'
    )
    label: str = strawberry.field(description="Display text of the value.")
    count: int = strawberry.field(description="How many workshops match the current filters and have this value.")


@strawberry.type(description="Counts of the matching workshops per value, for filter menus.")
class WorkshopFacets:
    workshop_categories: list[FacetBucket] = strawberry.field(description="Per workshop category, largest first.")
    service_categories: list[FacetBucket] = strawberry.field(
        description="Per service category of the workshops' services, largest first."
    )
    cities: list[FacetBucket] = strawberry.field(description="Per city, largest first.")
    counties: list[FacetBucket] = strawberry.field(description="Per county, largest first.")
    ratings: list[FacetBucket] = strawberry.field(
        description='Per average-rating range ("4-5", "3-4", "2-3", "1-2", "0-1"), highest first.'
    )

    @classmethod
    def from_facets(cls, f: Facets) -> WorkshopFacets:
        def conv(buckets: Sequence[Any], type_name: str | None = None) -> list[FacetBucket]:
            return [
                FacetBucket(key=str(global_id(type_name, b.key)) if type_name else b.key, label=b.label, count=b.count)
                for b in buckets
            ]

        return cls(
            workshop_categories=conv(f.workshop_categories, "WorkshopCategory"),
            service_categories=conv(f.service_categories, "ServiceCategory"),
            cities=conv(f.cities),
            counties=conv(f.counties),
            ratings=conv(f.ratings),
        )


@strawberry.type(description="A page of workshops in search order, with the facets of the whole search.")
class WorkshopConnection(Connection[Workshop]):
    facets: WorkshopFacets | None = strawberry.field(
        description="Counts for the current filters (all pages); computed only when selected."
    )


@strawberry.type(description="A page of the signed-in owner's favourite workshops, most recently added first.")
class FavouriteConnection(Connection[Workshop]):
    pass
