"""The marketplace over GraphQL: workshop search as a connection, workshop pages, categories, brands, favourites.

Reads go through the same domain calls (and so the same cache) as REST. Nested workshop fields come from
per-request DataLoaders, one statement per field per request whatever the page size.
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, TypeAlias

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from app.domain.limits import in_db_range
from app.domain.marketplace import catalogue, search
from app.domain.marketplace import queries as workshop_parts
from app.domain.marketplace import query as mq
from app.domain.marketplace.catalogue import ServiceCategoryNode
from app.domain.marketplace.commands import ChangeFavourite
from app.domain.marketplace.hours import WEEKDAYS, is_open, oslo_now
from app.domain.marketplace.inputs import parse_change_favourite
from app.domain.marketplace.results import (
    Address,
    CategoryRef,
    Contact,
    Facets,
    FavouriteChange,
    OpeningHour,
    PublicRating,
    ServiceCategoryItem,
    ServiceItem,
    WorkshopDetail,
    WorkshopSummary,
)
from app.domain.uow import UnitOfWork
from app.errors import NotFound, Unauthenticated, ValidationFailed
from app.mapping import same_named
from graphql_api.connections import window_connection
from graphql_api.context import GraphQLContext
from graphql_api.errors import AnyUserError
from graphql_api.loaders import batch_loader
from graphql_api.mapping import FromResult
from graphql_api.mutations import owner_command
from graphql_api.reading import RequestReader
from graphql_api.selection import selects

MAX_FIRST = 100


class MarketplaceLoaders:
    """Per-request batch loaders for nested workshop fields."""

    def __init__(self, reader: RequestReader) -> None:
        self.services = reader.services
        self.services_of = batch_loader(reader, workshop_parts.services_of, list[ServiceItem])
        self.categories_of = batch_loader(reader, workshop_parts.categories_of, list[CategoryRef])
        self.hours_of = batch_loader(reader, workshop_parts.opening_hours_of, list[OpeningHour])
        self.ratings_of = batch_loader(reader, workshop_parts.public_ratings_of, list[PublicRating])
        self.addresses_of = batch_loader(reader, workshop_parts.addresses_of, list[Address])
        self.contacts_of = batch_loader(reader, workshop_parts.contacts_of, list[Contact])
        self._favourites: dict[int, DataLoader[str, bool]] = {}

    def favourites_of(self, owner_id: int) -> DataLoader[str, bool]:
        loader = self._favourites.get(owner_id)
        if loader is None:

            async def load(keys: list[str]) -> list[bool]:
                async with self.services.sessionmaker() as session:
                    found = await workshop_parts.favourites_among(session, owner_id, keys)
                return [key in found for key in keys]

            loader = self._favourites[owner_id] = DataLoader(load_fn=load)
        return loader


def _loaders(info: Info[GraphQLContext, None]) -> MarketplaceLoaders:
    return info.context.loaders.get(MarketplaceLoaders)


@strawberry.type
class Category:
    id: int
    name: str
    slug: str


@strawberry.type
class OpeningHours:
    weekday: int = strawberry.field(description="0 = Monday")
    day: str
    opens_at: str | None
    closes_at: str | None
    is_closed: bool


@strawberry.type
class WorkshopService:
    id: int
    title: str
    description: str | None
    price: float
    estimated_time: float
    supports_walk_in: bool
    images: list[str]
    categories: list[Category]


@strawberry.type
class Review:
    service_title: str
    rating: float
    message: str | None
    rated_at: datetime | None


@strawberry.type
class WorkshopAddress:
    address: str
    postal_code: str
    city: str
    county: str
    latitude: float | None
    longitude: float | None


@strawberry.type
class WorkshopContact:
    email: str | None
    phone: str | None
    mobile: str | None
    manager: str | None


@strawberry.type
class WorkshopRating:
    average: float
    total_reviews: int
    org_nr: strawberry.Private[str]

    @strawberry.field(description="Public reviews, newest first (private ratings are never shown).")
    async def reviews(self, info: Info[GraphQLContext, None]) -> list[Review]:
        rows = await _loaders(info).ratings_of.load(self.org_nr)
        return [same_named(Review, r, rating=r.service_rating, message=r.service_rating_message) for r in rows]


@strawberry.type
class Workshop:
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
    cheapest_service_price: float | None
    services_count: int
    average_rating: strawberry.Private[float]
    total_reviews: strawberry.Private[int]

    @classmethod
    def from_summary(cls, w: WorkshopSummary) -> Workshop:
        return same_named(cls, w, average_rating=w.avg_rating)

    @classmethod
    def from_detail(cls, d: WorkshopDetail) -> Workshop:
        first = d.addresses[0] if d.addresses else None
        prices = [s.price for s in d.services]
        return cls(
            org_nr=d.org_nr,
            name=d.name,
            address_line=first.address if first else None,
            city=first.city if first else None,
            county=first.county if first else None,
            postal_code=first.postal_code if first else None,
            latitude=first.latitude if first else None,
            longitude=first.longitude if first else None,
            distance_km=None,
            logo=d.logo,
            cheapest_service_price=min(prices) if prices else None,
            services_count=len(d.services),
            average_rating=d.average_rating,
            total_reviews=d.total_reviews,
        )

    @strawberry.field
    def rating(self) -> WorkshopRating:
        return WorkshopRating(average=self.average_rating, total_reviews=self.total_reviews, org_nr=self.org_nr)

    @strawberry.field(
        description="True when the signed-in owner has this workshop as a favourite (false when anonymous)."
    )
    async def is_favourite(self, info: Info[GraphQLContext, None]) -> bool:
        claims = await info.context.claims()
        if claims is None:
            return False
        return await _loaders(info).favourites_of(claims.owner_id).load(self.org_nr)

    @strawberry.field
    async def services(self, info: Info[GraphQLContext, None]) -> list[WorkshopService]:
        rows = await _loaders(info).services_of.load(self.org_nr)
        return [
            same_named(WorkshopService, s, id=s.service_id, categories=[same_named(Category, c) for c in s.categories])
            for s in rows
        ]

    @strawberry.field
    async def categories(self, info: Info[GraphQLContext, None]) -> list[Category]:
        return [same_named(Category, c) for c in await _loaders(info).categories_of.load(self.org_nr)]

    @strawberry.field(description="Weekly opening hours, Europe/Oslo local time.")
    async def opening_hours(self, info: Info[GraphQLContext, None]) -> list[OpeningHours]:
        rows = await _loaders(info).hours_of.load(self.org_nr)
        return [
            OpeningHours(
                weekday=h.weekday,
                day=WEEKDAYS[h.weekday] if 0 <= h.weekday <= 6 else str(h.weekday),
                opens_at=h.opens_at.strftime("%H:%M") if h.opens_at and not h.is_closed else None,
                closes_at=h.closes_at.strftime("%H:%M") if h.closes_at and not h.is_closed else None,
                is_closed=h.is_closed or h.opens_at is None,
            )
            for h in rows
        ]

    @strawberry.field
    async def is_open_now(self, info: Info[GraphQLContext, None]) -> bool:
        rows = await _loaders(info).hours_of.load(self.org_nr)
        return is_open(rows, oslo_now(info.context.services))

    @strawberry.field
    async def addresses(self, info: Info[GraphQLContext, None]) -> list[WorkshopAddress]:
        return [same_named(WorkshopAddress, a) for a in await _loaders(info).addresses_of.load(self.org_nr)]

    @strawberry.field
    async def contacts(self, info: Info[GraphQLContext, None]) -> list[WorkshopContact]:
        return [same_named(WorkshopContact, c) for c in await _loaders(info).contacts_of.load(self.org_nr)]


@strawberry.type
class FacetBucket:
    key: str
    label: str
    count: int


@strawberry.type
class WorkshopFacets:
    workshop_categories: list[FacetBucket]
    service_categories: list[FacetBucket]
    cities: list[FacetBucket]
    counties: list[FacetBucket]
    ratings: list[FacetBucket]

    @classmethod
    def from_facets(cls, f: Facets) -> WorkshopFacets:
        def conv(buckets: Sequence[Any]) -> list[FacetBucket]:
            return [same_named(FacetBucket, b) for b in buckets]

        return cls(
            workshop_categories=conv(f.workshop_categories),
            service_categories=conv(f.service_categories),
            cities=conv(f.cities),
            counties=conv(f.counties),
            ratings=conv(f.ratings),
        )


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class WorkshopEdge:
    cursor: str
    node: Workshop


@strawberry.type
class WorkshopConnection:
    edges: list[WorkshopEdge]
    total_count: int
    facets: WorkshopFacets | None = strawberry.field(description="Counts for the current filters.")
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[Workshop]:
        return [edge.node for edge in self.edges]


@strawberry.input
class WorkshopFilter:
    q: str | None = None
    workshop_category_ids: list[int] | None = None
    service_category_ids: list[int] | None = None
    cities: list[str] | None = None
    counties: list[str] | None = None
    postal_code: str | None = None
    min_rating: float | None = None
    price_min: float | None = strawberry.field(default=None, description="Lower bound of the cheapest matching service")
    price_max: float | None = None
    lat: float | None = None
    lng: float | None = None
    max_distance_km: float | None = None
    open_now: bool | None = None


@strawberry.enum
class WorkshopSortField(enum.Enum):
    NAME = "name"
    RATING = "rating"
    DISTANCE = "distance"
    PRICE = "price"
    RELEVANCE = "relevance"


@strawberry.enum
class SortOrder(enum.Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.input
class WorkshopSort:
    field: WorkshopSortField
    order: SortOrder | None = None


@strawberry.type
class WorkshopCategory(FromResult):
    id: int
    name: str
    slug: str
    description: str | None
    icon: str | None
    sort_order: int
    is_active: bool


@strawberry.type
class ServiceCategory:
    id: int
    name: str
    slug: str
    description: str | None
    parent_id: int | None
    level: int = strawberry.field(description="0 = root")
    workshop_category_id: int | None
    sort_order: int
    is_active: bool
    children: list[ServiceCategory] | None

    @classmethod
    def from_node(cls, node: ServiceCategoryNode) -> ServiceCategory:
        c: ServiceCategoryItem = node.category
        return same_named(
            cls, c, children=[cls.from_node(k) for k in node.children] if node.children is not None else None
        )


@strawberry.type
class CarBrand(FromResult):
    id: int
    name: str
    slug: str
    car_logo: str | None
    created_at: datetime


@strawberry.type
class FavouriteResult:
    org_nr: str
    is_favourite: bool
    changed: bool = strawberry.field(description="True when this call added (or removed) the favourite")


FavouritePayload: TypeAlias = Annotated[FavouriteResult | AnyUserError, strawberry.union("FavouritePayload")]


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset_after(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        kind, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind != "offset" or not number.isdigit() or not in_db_range(int(number)):
            raise ValueError(cursor)
        return int(number) + 1
    except ValueError:
        raise ValidationFailed("after is not a valid cursor.", fields={"after": "invalid_cursor"}) from None


@strawberry.type
class MarketplaceQuery:
    @strawberry.field(
        description="Search workshops: filters, sort, cursor pagination (`first` at most 100) and facets."
    )
    async def workshops(
        self,
        info: Info[GraphQLContext, None],
        filter: WorkshopFilter | None = None,
        sort: WorkshopSort | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> WorkshopConnection:
        services = info.context.services
        await info.context.claims()  # resolved once here, so nested `isFavourite` fields batch in one tick
        raw = strawberry.asdict(filter) if filter is not None else {}
        query = mq.graphql_query(
            raw,
            sort=sort.field.value if sort else None,
            order=sort.order.value if sort and sort.order else None,
            first=first,
            offset=_offset_after(after),
            now_minute=search.now_minute(services),
            include_facets=selects(info, "facets"),
        )
        async with info.context.transaction() as uow:
            outcome = await search.search(uow, query)
        page = outcome.page
        return window_connection(
            WorkshopConnection,
            page.items,
            offset=page.offset,
            total=page.total,
            edge=WorkshopEdge,
            node=Workshop.from_summary,
            cursor=_cursor,
            page_info=PageInfo,
            facets=WorkshopFacets.from_facets(page.facets) if page.facets is not None else None,
        )

    @strawberry.field(description="Workshops within `radiusKm` (default 6, at most 50) of a point, nearest first.")
    async def nearby_workshops(
        self, info: Info[GraphQLContext, None], lat: float, lng: float, radius_km: float = 6.0, first: int = 20
    ) -> list[Workshop]:
        services = info.context.services
        await info.context.claims()
        query = mq.build_query(
            lat=str(lat),
            lng=str(lng),
            max_distance_km=str(radius_km),
            distance_field="radiusKm",
            max_radius_km=mq.LOCATION_MAX_RADIUS_KM,
            sort="distance",
            page_size=str(max(1, first)),
            now_minute=search.now_minute(services),
        )
        async with info.context.transaction() as uow:
            outcome = await search.search(uow, query)
        return [Workshop.from_summary(w) for w in outcome.page.items]

    @strawberry.field(description="One workshop by organisation number, or null.")
    async def workshop(self, info: Info[GraphQLContext, None], org_nr: str) -> Workshop | None:
        try:
            async with info.context.transaction() as uow:
                found = await search.workshop_detail(uow, org_nr)
        except NotFound:
            return None
        return Workshop.from_detail(found.detail)

    @strawberry.field
    async def workshop_categories(
        self, info: Info[GraphQLContext, None], include_inactive: bool = False
    ) -> list[WorkshopCategory]:
        params = {"include_inactive": ["true" if include_inactive else "false"]}
        async with info.context.transaction() as uow:
            listing = await catalogue.list_workshop_categories(uow, params)
        return [WorkshopCategory.of(c) for c in listing.rows]

    @strawberry.field(description="Service categories; `tree: true` nests children under their roots.")
    async def service_categories(
        self,
        info: Info[GraphQLContext, None],
        tree: bool = False,
        workshop_category_id: int | None = None,
        include_inactive: bool = False,
    ) -> list[ServiceCategory]:
        params: dict[str, list[str]] = {
            "tree": ["true" if tree else "false"],
            "include_inactive": ["true" if include_inactive else "false"],
        }
        if workshop_category_id is not None:
            params["workshop_category_id"] = [str(workshop_category_id)]
        async with info.context.transaction() as uow:
            listing = await catalogue.list_service_categories(uow, params)
        return [ServiceCategory.from_node(n) for n in listing.rows]

    @strawberry.field(description="Car brands; needs a signed-in owner or an `x-api-key` header.")
    async def car_brands(self, info: Info[GraphQLContext, None]) -> list[CarBrand]:
        claims = await info.context.claims()
        request = info.context.request
        api_key = request.headers.get("x-api-key") if request is not None else None
        async with info.context.transaction() as uow:
            listing = await catalogue.car_brands(uow, api_key=api_key, require_key=claims is None)
        return [CarBrand.of(b) for b in listing.brands]

    @strawberry.field(description="The signed-in owner's favourite workshops, most recent first.")
    async def favourites(self, info: Info[GraphQLContext, None]) -> list[Workshop]:
        items = await info.context.read_as_owner(catalogue.list_favourites)
        return [Workshop.from_summary(i.workshop) for i in items]


ChangeFavouriteUseCase = Callable[[UnitOfWork, int, ChangeFavourite], Awaitable[FavouriteChange]]


async def _change_favourite(
    info: Info[GraphQLContext, None], org_nr: str, use_case: ChangeFavouriteUseCase
) -> FavouritePayload:
    return await owner_command(
        info,
        use_case,
        lambda: parse_change_favourite(org_nr),
        lambda change: same_named(FavouriteResult, change),
    )


@strawberry.type
class MarketplaceMutation:
    @strawberry.mutation
    async def add_favourite(self, info: Info[GraphQLContext, None], org_nr: str) -> FavouritePayload:
        return await _change_favourite(info, org_nr, catalogue.add_favourite)

    @strawberry.mutation
    async def remove_favourite(self, info: Info[GraphQLContext, None], org_nr: str) -> FavouritePayload:
        return await _change_favourite(info, org_nr, catalogue.remove_favourite)


QUERIES = (MarketplaceQuery,)
MUTATIONS = (MarketplaceMutation,)
__all__ = ["MUTATIONS", "QUERIES", "MarketplaceLoaders", "Unauthenticated"]
