"""Marketplace, MarketplaceCompat, MarketplaceFilters, Categories, CarBrands and Favorites (16 operations).

Query parameters are read from the raw multi-dict, because the reference accepts ids as CSV or repeated
parameters; the domain validates and normalises them (and answers 400 naming the field).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, cast

from litestar import Controller, MediaType, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Operation
from litestar.params import Body
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from app.auth.tokens import AccessClaims
from app.domain.marketplace import catalogue, search
from app.domain.marketplace.cache import HIT
from app.domain.marketplace.commands import ChangeFavourite
from app.domain.marketplace.inputs import parse_change_favourite
from app.domain.marketplace.results import WorkshopDetail as DomainWorkshopDetail
from app.domain.uow import UnitOfWork
from app.errors import ValidationFailed
from app.metrics import cache_meter
from app.services import Services
from rest.deps import optional_claims
from rest.handlers import named_like_methods
from rest.openapi import problem_responses, raw_query
from rest.schemas.common import CarBrandProblem
from rest.schemas.marketplace import (
    CarBrandListMeta,
    CarBrandListResponse,
    CategoriesResponse,
    CompatWorkshopDetail,
    CompatWorkshopList,
    FavoriteListResponseEnvelope,
    FavoriteMessage,
    FavoriteMessageResponse,
    FavoriteRequest,
    SearchResults,
    ServiceCategoryListResponse,
    WorkshopCategoryListResponse,
    WorkshopDetail,
    WorkshopList,
    WorkshopListResponse,
    car_brand,
    categories_response,
    compat_detail,
    compat_list,
    detail_response,
    favourite_list,
    flagged_workshop_list,
    list_item,
    service_categories_response,
    workshop_categories_response,
    workshop_list,
)

CAR_BRANDS_WHERE = {"layer": "rest", "component": "car-brands"}

# the query parameters the reference documents; the handlers pass the raw query to the domain, which parses them
_PAGING = (
    ("page", "Page (1-based)"),
    ("page_size", "Items per page (max 100)"),
    ("sort", "Sort key"),
    ("order", "asc | desc"),
)
SHOPS_QUERY = raw_query(
    ("org", "If set, returns detail for this orgNr instead of list"),
    ("q", "Free text in name/description"),
    ("workshop_category_id", "One or more workshop category IDs (csv or repeated params)"),
    ("service_category_id", "One or more service category IDs (csv or repeated params)"),
    ("city", "One or more city names"),
    ("county", "One or more counties"),
    ("postal_code", "Postal code"),
    ("min_rating", "Minimum average rating (0-5)"),
    ("price_min", "Minimum price for cheapest service"),
    ("price_max", "Maximum price for cheapest service"),
    ("max_distance_km", "Max distance in km from (lat,lng)"),
    ("radius_km", "Alias for max_distance_km"),
    ("lat", "User latitude (for distance sorting)"),
    ("lng", "User longitude"),
    ("open_now", "true/false - filter by currently open"),
    ("layout", "market to return nearby_top first, then results"),
    ("include_facets", "true/false - include facets for filters"),
    *_PAGING,
)
FILTERS_QUERY = raw_query(
    ("q", "Free text (name, description, address, service titles, etc.)"),
    ("main_category_ids", "Comma-separated list of WorkshopCategory.id"),
    ("sub_category_ids", "Comma-separated list of ServiceCategory.id"),
    ("min_rating", "Minimum average rating (1.0-5.0)"),
    ("price_min", "Service price >= price_min"),
    ("price_max", "Service price <= price_max"),
    ("lat", "Latitude (optional)"),
    ("lng", "Longitude (optional)"),
    ("radius", "Radius in km (optional)"),
    *_PAGING,
)
WORKSHOP_CATEGORIES_QUERY = raw_query(("categories", "Comma-separated workshop category ids", True))
SERVICE_CATEGORIES_QUERY = raw_query(("categories", "Comma-separated service category ids", True))
LOCATION_QUERY = raw_query(
    ("lat", "Latitude", True), ("lng", "Longitude", True), ("radius", "Radius in km (default 6, max 50)")
)
SEARCH_QUERY = raw_query(("q", "Free text"), ("query", "Alias for q"))
CATEGORIES_QUERY = raw_query(
    ("workshop_category_id", "Optional workshop category id(s)"),
    ("service_category_id", "Optional service category id(s)"),
    ("include_inactive", "true | false (default false)"),
)
SERVICE_CATEGORY_LIST_QUERY = raw_query(
    ("id", "Filter by service category id(s)"),
    ("workshop_category_id", "Filter by workshop category id(s)"),
    ("parent_id", "Filter by parent id (use 0 or null for roots)"),
    ("level", "Filter by depth (0=root, 1=child, ...)"),
    ("tree", "true | false (return nested tree)"),
    ("include_children", "true | false (include nested children per row)"),
    ("include_inactive", "true | false"),
    ("include_counts", "true | false (adds services_count)"),
    ("q", "Search in name/code"),
    ("group_by_workshop", "true | false (group by workshop category)"),
    ("sort", "id_asc | id_desc"),
)
WORKSHOP_CATEGORY_LIST_QUERY = raw_query(
    ("id", "Filter by category id(s) (csv or repeated)"),
    ("include_inactive", "true | false (default false)"),
    ("include_counts", "true | false (default false)"),
    ("q", "Search in name/code"),
    ("sort", "id_asc | id_desc"),
)

# the marketplace cache's hits and misses per operation (bound once: a request costs one increment)
REST_SHOPS_CACHE = cache_meter("rest_shops")
REST_SHOP_CACHE = cache_meter("rest_shop")
REST_SEARCH_CACHE = cache_meter("rest_search")


def _params(request: Request[Any, Any, Any]) -> dict[str, list[str]]:
    return request.query_params.dict()


def _cache_headers(status: str) -> dict[str, str]:
    return {"X-Cache": "HIT" if status == HIT else "MISS"}


def _owner(claims: AccessClaims | None) -> int | None:
    return claims.owner_id if claims is not None else None


def _shop_route(
    operation_id: str, summary: str, respond: Callable[[DomainWorkshopDetail], Any], body: type[Any]
) -> HTTPRouteHandler:
    """One workshop's page by org number, in the shape `respond` gives (two areas publish it)."""

    async def get_shop(
        self: Controller,
        org_nr: str,
        uow: NamedDependency[UnitOfWork],
        maybe_claims: NamedDependency[AccessClaims | None],
    ) -> Response[Any]:
        found = await search.workshop_detail(uow, org_nr, owner_id=_owner(maybe_claims), meter=REST_SHOP_CACHE)
        return Response(respond(found.detail), headers=_cache_headers(found.cache))

    get_shop.__annotations__["return"] = cast("Any", Response)[body]  # documents `body`
    return get("/shops/{org_nr:str}", operation_id=operation_id, summary=summary)(get_shop)


@named_like_methods
class MarketplaceController(Controller):
    tags = ["Marketplace"]
    security = []

    @get(
        "/shops",
        operation_id="ListShops",
        summary="List workshops with filtering, pagination and marketplace layout",
        operation_class=SHOPS_QUERY,
        responses=problem_responses(404),
    )
    async def list_shops(self, request: Request[Any, Any, Any]) -> Response[WorkshopListResponse]:
        services: Services = request.app.state.services
        claims = await optional_claims(request)  # not a dependency: this is the hottest read of the API
        raw = request.scope["query_string"]
        query = search.parsed_search(services, "shops", raw)
        if query is None:
            params = _params(request)
            org = (params.get("org") or [""])[-1].strip()
            if org:
                async with services.uow() as uow:
                    found = await search.workshop_detail(  # the detail instead
                        uow, org, owner_id=_owner(claims), meter=REST_SHOP_CACHE
                    )
                return Response(detail_response(found.detail), headers=_cache_headers(found.cache))  # type: ignore[arg-type]
            query = search.parse_search(services, "shops", params, raw=raw)
        # the encoded answer is kept with the cache entry; only the caller's favourites are patched into it
        path = request.scope.get("root_path", "") + request.scope["path"]  # as request.url.path, unparsed
        body, status = await search.search_view(
            services,
            query,
            ("rest-shops", path),
            lambda page: flagged_workshop_list(path, query, page),
            REST_SHOPS_CACHE,
        )
        favourites = await search.caller_favourites(services, _owner(claims), status)
        return Response(
            body.for_caller(favourites),  # type: ignore[arg-type]
            media_type=MediaType.JSON,
            headers=_cache_headers(status),
        )

    get_shop = _shop_route("GetShop", "Fetch one workshop by orgNr", detail_response, WorkshopDetail)


@named_like_methods
class MarketplaceCompatController(Controller):
    path = "/marketplace"
    tags = ["MarketplaceCompat"]
    security = []

    @get(
        "/shops",
        operation_id="CompatListShops",
        summary="Workshop list in the {data, meta} envelope",
        operation_class=SHOPS_QUERY,
    )
    async def list_shops(
        self,
        request: Request[Any, Any, Any],
        uow: NamedDependency[UnitOfWork],
        maybe_claims: NamedDependency[AccessClaims | None],
    ) -> Response[CompatWorkshopList]:
        outcome = await search.search_params(
            uow, "shops", _params(request), owner_id=_owner(maybe_claims), meter=REST_SHOPS_CACHE
        )
        return Response(compat_list(outcome.page), headers=_cache_headers(outcome.cache))

    get_shop = _shop_route(
        "CompatGetShop", "One workshop in the {data, meta} envelope", compat_detail, CompatWorkshopDetail
    )


def _filter_route(path: str, operation_id: str, summary: str, query: type[Operation], kind: str) -> HTTPRouteHandler:
    """A filter operation: the raw query, parsed by the domain as the `kind` of search asks."""
    meter = cache_meter(f"rest_filter_{kind}")

    async def filter_shops(
        self: Controller,
        request: Request[Any, Any, Any],
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
    ) -> Response[WorkshopList]:
        outcome = await search.search_params(uow, kind, _params(request), owner_id=claims.owner_id, meter=meter)
        return Response(workshop_list(outcome.page), headers=_cache_headers(outcome.cache))

    return get(path, operation_id=operation_id, summary=summary, operation_class=query)(filter_shops)


@named_like_methods
class MarketplaceFiltersController(Controller):
    path = "/filters"
    tags = ["MarketplaceFilters"]
    security = [{"BearerAuth": []}]

    filters = _filter_route("/", "FilterShops", "Composite marketplace filter", FILTERS_QUERY, "filters")
    by_categories = _filter_route(
        "/filterByCategories",
        "FilterShopsByCategories",
        "Workshops in workshop categories (legacy)",
        WORKSHOP_CATEGORIES_QUERY,
        "workshop_categories",
    )
    by_service_categories = _filter_route(
        "/filterByHierarchicalCategories",
        "FilterShopsByServiceCategories",
        "Workshops offering services in service categories (legacy)",
        SERVICE_CATEGORIES_QUERY,
        "service_categories",
    )
    by_location = _filter_route(
        "/location", "FilterShopsByLocation", "Workshops within a radius of a point", LOCATION_QUERY, "location"
    )

    @get(
        "/search",
        operation_id="SearchShops",
        summary="Free text search across workshops, addresses, services and categories",
        operation_class=SEARCH_QUERY,
    )
    async def text_search(
        self, request: Request[Any, Any, Any], uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims]
    ) -> Response[SearchResults]:
        outcome = await search.search_params(
            uow, "text", _params(request), owner_id=claims.owner_id, meter=REST_SEARCH_CACHE
        )
        results = [list_item(w) for w in outcome.page.items]
        return Response(
            SearchResults(results=results, count=len(results), query=outcome.query.q or ""),
            headers=_cache_headers(outcome.cache),
        )


def _catalogue_route(
    path: str,
    operation_id: str,
    summary: str,
    query: type[Operation],
    read: Callable[[UnitOfWork, dict[str, list[str]]], Awaitable[Any]],
    respond: Callable[[Any], Any],
    body: type[Any],
) -> HTTPRouteHandler:
    """A catalogue listing: the raw query to one domain read, its result mapped to `body`, the cache status."""

    async def list_catalogue(
        self: Controller, request: Request[Any, Any, Any], uow: NamedDependency[UnitOfWork]
    ) -> Response[Any]:
        result = await read(uow, _params(request))
        return Response(respond(result), headers=_cache_headers(result.cache))

    list_catalogue.__annotations__["return"] = cast("Any", Response)[body]  # documents `body`
    return get(path, operation_id=operation_id, summary=summary, operation_class=query)(list_catalogue)


@named_like_methods
class CategoriesController(Controller):
    path = "/categories"
    tags = ["Categories"]
    security = []

    overview = _catalogue_route(
        "/",
        "ListCategories",
        "Workshop categories with their service categories",
        CATEGORIES_QUERY,
        catalogue.categories_overview,
        categories_response,
        CategoriesResponse,
    )
    service_categories = _catalogue_route(
        "/services",
        "ListServiceCategories",
        "Service categories",
        SERVICE_CATEGORY_LIST_QUERY,
        catalogue.list_service_categories,
        service_categories_response,
        ServiceCategoryListResponse,
    )
    workshop_categories = _catalogue_route(
        "/shops",
        "ListWorkshopCategories",
        "Workshop categories",
        WORKSHOP_CATEGORY_LIST_QUERY,
        catalogue.list_workshop_categories,
        workshop_categories_response,
        WorkshopCategoryListResponse,
    )


class CarBrandsController(Controller):
    path = "/car-brands"
    tags = ["CarBrands"]
    security = [{"APIKey": []}]
    opt = {"error_style": "problem_where", "error_where": CAR_BRANDS_WHERE}

    @get(
        "/",
        operation_id="ListCarBrands",
        summary="All car brands and their logo URLs",
        responses=problem_responses(401, 500, container=CarBrandProblem),
    )
    async def list_brands(
        self, request: Request[Any, Any, Any], uow: NamedDependency[UnitOfWork]
    ) -> Response[CarBrandListResponse]:
        result = await catalogue.car_brands(uow, api_key=request.headers.get("x-api-key"))
        brands = [car_brand(b) for b in result.brands]
        return Response(
            CarBrandListResponse(data=brands, meta=CarBrandListMeta(count=len(brands))),
            headers=_cache_headers(result.cache),
        )


def _favourite_body(data: Any) -> Any:
    if not isinstance(data, dict):
        raise ValidationFailed("Request body must be a JSON object with org_nr.", fields={"org_nr": "required"})
    return data.get("org_nr")


def favourite_command(data: Any, query_org_nr: str | None = None) -> ChangeFavourite:
    """The org number from the JSON body, or (clients that cannot send a DELETE body) from `?org_nr=`."""
    if data is None and query_org_nr is not None:
        return parse_change_favourite(query_org_nr)
    return parse_change_favourite(_favourite_body(data))


class FavoritesController(Controller):
    path = "/favorits"
    tags = ["Favorites"]
    security = [{"BearerAuth": []}]

    @get("/", operation_id="ListFavorites", summary="The caller's favourite workshops")
    async def list_favourites(
        self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims]
    ) -> FavoriteListResponseEnvelope:
        return favourite_list(await catalogue.list_favourites(uow, claims.owner_id))

    @post(
        "/",
        operation_id="AddFavorite",
        summary="Add a workshop to the caller's favourites",
        status_code=HTTP_201_CREATED,
        responses={
            HTTP_200_OK: ResponseSpec(
                FavoriteMessageResponse, description="Already a favourite", generate_examples=False
            ),
            **problem_responses(404, 409),
        },
    )
    async def add(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        data: Annotated[Any, Body(title="FavoriteRequest", description='`{"org_nr": "999999999"}`')] = None,
    ) -> Response[FavoriteMessageResponse]:
        change = await catalogue.add_favourite(uow, claims.owner_id, favourite_command(data))
        if change.changed:
            return Response(
                FavoriteMessageResponse(FavoriteMessage("Workshop added to favorites.")), status_code=HTTP_201_CREATED
            )
        return Response(
            FavoriteMessageResponse(FavoriteMessage("Workshop is already a favorite.")), status_code=HTTP_200_OK
        )

    @delete(
        "/",
        operation_id="RemoveFavorite",
        summary="Remove a workshop from the caller's favourites (idempotent)",
        status_code=HTTP_200_OK,
    )
    async def remove(
        self,
        request: Request[Any, Any, Any],
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        data: Annotated[Any, Body(title="FavoriteRequest")] = None,
    ) -> FavoriteMessageResponse:
        command = favourite_command(data, request.query_params.get("org_nr"))
        change = await catalogue.remove_favourite(uow, claims.owner_id, command)
        message = "Workshop removed from favorites." if change.changed else "Workshop was not in favorites."
        return FavoriteMessageResponse(FavoriteMessage(message))


CONTROLLERS = [
    MarketplaceController,
    MarketplaceCompatController,
    MarketplaceFiltersController,
    CategoriesController,
    CarBrandsController,
    FavoritesController,
]
# FavoriteRequest documents the body shape in OpenAPI consumers' terms; the handlers read it leniently.
__all__ = ["CONTROLLERS", "FavoriteRequest"]
