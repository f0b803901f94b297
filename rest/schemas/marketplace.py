"""Wire shapes of the marketplace modules (Marketplace, MarketplaceCompat, MarketplaceFilters, Categories,
CarBrands, Favorites), field for field as the reference documents them."""

from __future__ import annotations

from datetime import UTC
from typing import Any
from urllib.parse import urlencode

import msgspec

from app.domain.marketplace import query as mq
from app.domain.marketplace.catalogue import (
    CategoriesOverview,
    ServiceCategoryListing,
    ServiceCategoryNode,
    WorkshopCategoryListing,
)
from app.domain.marketplace.hours import WEEKDAYS
from app.domain.marketplace.results import (
    CarBrandItem,
    Facets,
    FavouriteItem,
    SearchPage,
    WorkshopCategoryItem,
    WorkshopSummary,
)
from app.domain.marketplace.results import (
    WorkshopDetail as DomainWorkshopDetail,
)
from app.mapping import same_named
from rest.envelope import iso, meta
from rest.schemas.common import PageFields


class CategoryRef(msgspec.Struct):
    id: int
    name: str
    slug: str


class WorkshopListItem(msgspec.Struct, kw_only=True):
    org_nr: str
    name: str
    address_line: str | None
    city: str | None
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
    is_favourite: bool


class PageMeta(PageFields):
    count: int


class PageLinks(msgspec.Struct):
    self_: str = msgspec.field(name="self")
    first: str | None = None
    prev: str | None = None
    next: str | None = None
    last: str | None = None


class FacetBucket(msgspec.Struct):
    key: str
    label: str
    count: int


class WorkshopFacets(msgspec.Struct, omit_defaults=True):
    """`{}` when facets were not asked for."""

    workshop_categories: list[FacetBucket] | None = None
    service_categories: list[FacetBucket] | None = None
    cities: list[FacetBucket] | None = None
    counties: list[FacetBucket] | None = None
    ratings: list[FacetBucket] | None = None


class MarketLayout(msgspec.Struct):
    nearby_top: list[WorkshopListItem]
    results: list[WorkshopListItem]


class WorkshopListResponse(msgspec.Struct):
    data: list[WorkshopListItem] | MarketLayout
    meta: PageMeta
    links: PageLinks
    facets: WorkshopFacets


class WorkshopList(msgspec.Struct):
    results: list[WorkshopListItem]
    count: int
    total_count: int
    total_pages: int
    current_page: int
    page_size: int


class SearchResults(msgspec.Struct):
    results: list[WorkshopListItem]
    count: int
    query: str


class WorkshopAddress(msgspec.Struct):
    address: str
    postal_code: str
    city: str
    county: str
    latitude: float | None
    longitude: float | None


class WorkshopContact(msgspec.Struct):
    id: int
    email: str | None
    phone: str | None
    mobile: str | None
    manager: str | None


class WorkshopRating(msgspec.Struct):
    service_title: str
    service_rating: float
    service_rating_message: str | None
    rated_at: str | None


class TotalRatings(msgspec.Struct):
    average_rating: float
    total_reviews: int


class WorkshopService(msgspec.Struct, kw_only=True):
    service_id: int
    org_nr: str
    title: str
    description: str | None
    price: float
    estimated_time: float
    images: list[str]
    categories: list[CategoryRef]
    supports_walk_in: bool


class OpeningHoursDay(msgspec.Struct):
    open: str | None
    close: str | None
    closed: bool


class WorkshopDetail(
    msgspec.Struct,
    kw_only=True,
    rename={
        "org_nr": "orgNr",
        "address_line": "addressLine",
        "updated_at": "updatedAt",
        "opening_hours": "openingHours",
        "is_open_now": "isOpenNow",
    },
):
    """The reference's `WorkshopDetail`: legacy camelCase beside snake_case, exactly as documented."""

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
    updated_at: str
    categories: list[str]
    addresses: list[WorkshopAddress]
    contacts: list[WorkshopContact]
    ratings: list[WorkshopRating]
    total_ratings: TotalRatings
    services: list[WorkshopService]
    opening_hours: dict[str, OpeningHoursDay]
    is_open_now: bool
    is_favourite: bool


class CompatMeta(msgspec.Struct, kw_only=True, omit_defaults=True):
    request_id: str
    generated_at: str
    page: int | None = None
    page_size: int | None = None
    total: int | None = None
    total_pages: int | None = None
    has_next: bool | None = None
    has_prev: bool | None = None
    count: int | None = None


class CompatWorkshopList(msgspec.Struct):
    data: list[WorkshopListItem] | MarketLayout
    meta: CompatMeta


class CompatWorkshopDetail(msgspec.Struct):
    data: WorkshopDetail
    meta: CompatMeta


# --- categories -------------------------------------------------------------------------------------


class WorkshopCategoryFields(msgspec.Struct, kw_only=True):
    """What every workshop category row shows."""

    id: int
    name: str
    slug: str
    description: str | None
    icon: str | None
    sort_order: int
    is_active: bool


class WorkshopCategoryRow(WorkshopCategoryFields, kw_only=True, omit_defaults=True):
    shops_count: int | None = None  # with include_counts=true


class ServiceCategoryRow(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: int
    name: str
    slug: str
    description: str | None
    parent_id: int | None
    level: int
    workshop_category_id: int | None
    sort_order: int
    is_active: bool
    services_count: int | None = None  # with include_counts=true
    children: list[ServiceCategoryRow] | None = None  # with tree=true or include_children=true


class WorkshopCategoryWithServices(WorkshopCategoryFields, kw_only=True):
    service_categories: list[ServiceCategoryRow]


class CategoriesData(msgspec.Struct):
    workshop_categories: list[WorkshopCategoryWithServices]
    service_categories: list[ServiceCategoryRow]


class ServiceCategoryGroupRow(msgspec.Struct):
    workshop_category_id: int | None
    workshop_category_name: str | None
    service_categories: list[ServiceCategoryRow]


class CategoriesMeta(msgspec.Struct, kw_only=True):
    request_id: str
    generated_at: str
    count: int


class CategoriesResponse(msgspec.Struct):
    data: CategoriesData
    meta: CategoriesMeta


class WorkshopCategoryListResponse(msgspec.Struct):
    data: list[WorkshopCategoryRow]
    meta: CategoriesMeta


class ServiceCategoryListResponse(msgspec.Struct):
    data: list[Any]  # ServiceCategoryRow, or ServiceCategoryGroupRow with group_by_workshop=true
    meta: CategoriesMeta


# --- car brands -------------------------------------------------------------------------------------


class CarBrand(msgspec.Struct):
    id: int
    name: str
    slug: str
    car_logo: str | None
    created_at: str


class CarBrandListMeta(msgspec.Struct):
    count: int


class CarBrandListResponse(msgspec.Struct):
    data: list[CarBrand]
    meta: CarBrandListMeta


# --- favourites -------------------------------------------------------------------------------------


class FavoriteRequest(msgspec.Struct):
    org_nr: Any = None


class FavoriteMessage(msgspec.Struct):
    message: str


class FavoriteMessageResponse(msgspec.Struct):
    data: FavoriteMessage


class FavoriteWorkshop(WorkshopListItem, kw_only=True):
    favourited_at: str


class FavoriteList(msgspec.Struct):
    total: int
    items: list[FavoriteWorkshop]


class FavoriteListResponseEnvelope(msgspec.Struct):
    data: FavoriteList


# --- mapping ------------------------------------------------------------------------------------------


def list_item(w: WorkshopSummary) -> WorkshopListItem:
    return same_named(WorkshopListItem, w, categories=[CategoryRef(c.id, c.name, c.slug) for c in w.categories])


def page_meta(page: SearchPage) -> PageMeta:
    return PageMeta(
        page=page.page,
        page_size=page.limit,
        total=page.total,
        total_pages=page.total_pages,
        has_next=page.offset + len(page.items) < page.total,
        has_prev=page.page > 1,
        count=len(page.items),
    )


def page_links(path: str, query: mq.SearchQuery, page: SearchPage) -> PageLinks:
    def link(number: int) -> str:
        return f"{path}?{urlencode(mq.query_params(query, page=number))}"

    last = max(1, page.total_pages)
    current = page.page
    return PageLinks(
        self_=link(current),
        first=link(1),
        prev=link(current - 1) if current > 1 else None,
        next=link(current + 1) if current < last else None,
        last=link(last),
    )


def facets(value: Facets | None) -> WorkshopFacets:
    if value is None:
        return WorkshopFacets()

    def conv(buckets: list[Any]) -> list[FacetBucket]:
        return [FacetBucket(b.key, b.label, b.count) for b in buckets]

    return WorkshopFacets(
        workshop_categories=conv(value.workshop_categories),
        service_categories=conv(value.service_categories),
        cities=conv(value.cities),
        counties=conv(value.counties),
        ratings=conv(value.ratings),
    )


def list_data(page: SearchPage) -> list[WorkshopListItem] | MarketLayout:
    results = [list_item(w) for w in page.items]
    if page.nearby_top is not None:
        return MarketLayout(nearby_top=[list_item(w) for w in page.nearby_top], results=results)
    return results


def workshop_list_response(path: str, query: mq.SearchQuery, page: SearchPage) -> WorkshopListResponse:
    return WorkshopListResponse(
        data=list_data(page), meta=page_meta(page), links=page_links(path, query, page), facets=facets(page.facets)
    )


def compat_list(page: SearchPage) -> CompatWorkshopList:
    base = meta()
    paging = msgspec.structs.asdict(page_meta(page))
    return CompatWorkshopList(
        data=list_data(page),
        meta=CompatMeta(request_id=base["request_id"], generated_at=base["generated_at"], **paging),
    )


def workshop_list(page: SearchPage) -> WorkshopList:
    return WorkshopList(
        results=[list_item(w) for w in page.items],
        count=len(page.items),
        total_count=page.total,
        total_pages=page.total_pages,
        current_page=page.page,
        page_size=page.limit,
    )


def _hhmm(value: Any) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def detail_response(d: DomainWorkshopDetail) -> WorkshopDetail:
    hours: dict[str, OpeningHoursDay] = {day: OpeningHoursDay(None, None, True) for day in WEEKDAYS}
    for slot in d.opening_hours:
        if 0 <= slot.weekday <= 6:
            closed = slot.is_closed or slot.opens_at is None or slot.closes_at is None
            hours[WEEKDAYS[slot.weekday]] = OpeningHoursDay(
                None if closed else _hhmm(slot.opens_at), None if closed else _hhmm(slot.closes_at), closed
            )
    return same_named(
        WorkshopDetail,
        d,
        updated_at=d.updated_at.astimezone(UTC).date().isoformat(),
        categories=[c.name for c in d.categories],
        addresses=[
            WorkshopAddress(a.address, a.postal_code, a.city, a.county, a.latitude, a.longitude) for a in d.addresses
        ],
        contacts=[WorkshopContact(c.id, c.email, c.phone, c.mobile, c.manager) for c in d.contacts],
        ratings=[
            WorkshopRating(r.service_title, r.service_rating, r.service_rating_message, iso(r.rated_at))
            for r in d.ratings
        ],
        total_ratings=TotalRatings(average_rating=d.average_rating, total_reviews=d.total_reviews),
        services=[
            same_named(WorkshopService, s, categories=[CategoryRef(c.id, c.name, c.slug) for c in s.categories])
            for s in d.services
        ],
        opening_hours=hours,
    )


def compat_detail(d: DomainWorkshopDetail) -> CompatWorkshopDetail:
    base = meta()
    return CompatWorkshopDetail(
        data=detail_response(d), meta=CompatMeta(request_id=base["request_id"], generated_at=base["generated_at"])
    )


def categories_meta(count: int) -> CategoriesMeta:
    base = meta()
    return CategoriesMeta(request_id=base["request_id"], generated_at=base["generated_at"], count=count)


def workshop_category_row(c: WorkshopCategoryItem) -> WorkshopCategoryRow:
    return same_named(WorkshopCategoryRow, c)


def workshop_categories_response(listing: WorkshopCategoryListing) -> WorkshopCategoryListResponse:
    rows = [workshop_category_row(c) for c in listing.rows]
    return WorkshopCategoryListResponse(data=rows, meta=categories_meta(len(rows)))


def service_category_row(node: ServiceCategoryNode) -> ServiceCategoryRow:
    children = [service_category_row(k) for k in node.children] if node.children is not None else None
    return same_named(ServiceCategoryRow, node.category, children=children)


def categories_response(overview: CategoriesOverview) -> CategoriesResponse:
    data = CategoriesData(
        workshop_categories=[
            same_named(
                WorkshopCategoryWithServices,
                n.category,
                service_categories=[service_category_row(s) for s in n.service_categories],
            )
            for n in overview.workshop_categories
        ],
        service_categories=[service_category_row(s) for s in overview.service_categories],
    )
    return CategoriesResponse(data=data, meta=categories_meta(len(data.workshop_categories)))


def service_categories_response(listing: ServiceCategoryListing) -> ServiceCategoryListResponse:
    if listing.groups is not None:
        groups = [
            ServiceCategoryGroupRow(
                workshop_category_id=g.workshop_category.id if g.workshop_category else None,
                workshop_category_name=g.workshop_category.name if g.workshop_category else None,
                service_categories=[service_category_row(n) for n in g.service_categories],
            )
            for g in listing.groups
        ]
        return ServiceCategoryListResponse(data=groups, meta=categories_meta(len(groups)))
    rows = [service_category_row(n) for n in listing.rows]
    return ServiceCategoryListResponse(data=rows, meta=categories_meta(len(rows)))


def car_brand(b: CarBrandItem) -> CarBrand:
    return CarBrand(id=b.id, name=b.name, slug=b.slug, car_logo=b.car_logo, created_at=iso(b.created_at) or "")


def favourite_list(items: list[FavouriteItem]) -> FavoriteListResponseEnvelope:
    rows = [
        FavoriteWorkshop(**msgspec.structs.asdict(list_item(i.workshop)), favourited_at=iso(i.created_at) or "")
        for i in items
    ]
    return FavoriteListResponseEnvelope(data=FavoriteList(total=len(rows), items=rows))


# --- encoded answers with a per-caller overlay ----------------------------------------------------------

_NOT_FAVOURITE = b'"is_favourite":false'
_FAVOURITE = b'"is_favourite":true'


class FlaggedBody:
    """An encoded answer whose rows' `is_favourite` is patched per caller instead of re-encoded.

    `parts` are the bytes between the rows' `"is_favourite":false`, in the order of `org_nrs` (JSON escapes
    every quote inside a string, so the marker cannot occur inside a value)."""

    __slots__ = ("body", "org_nrs", "parts")

    def __init__(self, body: bytes, org_nrs: list[str]) -> None:
        parts = body.split(_NOT_FAVOURITE)
        if len(parts) != len(org_nrs) + 1:
            raise ValueError("one is_favourite per row expected")
        self.body = body
        self.org_nrs = org_nrs
        self.parts = parts

    def for_caller(self, favourites: frozenset[str] | set[str]) -> bytes:
        """The answer with the caller's favourites marked: the shared bytes when none of the rows is one."""
        if not favourites or favourites.isdisjoint(self.org_nrs):
            return self.body
        out = [self.parts[0]]
        for org_nr, part in zip(self.org_nrs, self.parts[1:], strict=True):
            out.append(_FAVOURITE if org_nr in favourites else _NOT_FAVOURITE)
            out.append(part)
        return b"".join(out)


def row_order(page: SearchPage) -> list[str]:
    """The org numbers of a page's rows in the order `list_data` encodes them."""
    rows = [w.org_nr for w in page.items]
    return [w.org_nr for w in page.nearby_top] + rows if page.nearby_top is not None else rows


def flagged_workshop_list(path: str, query: mq.SearchQuery, page: SearchPage) -> FlaggedBody:
    return FlaggedBody(msgspec.json.encode(workshop_list_response(path, query, page)), row_order(page))
