"""The marketplace's query fields: workshop search and nearby workshops (offset connections over the search
order), one workshop, categories, car brands, and the owner's favourites."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from app.domain.limits import in_db_range
from app.domain.marketplace import catalogue, search
from app.domain.marketplace import query as mq
from app.domain.marketplace.catalogue import ServiceCategoryNode
from app.domain.marketplace.search import SearchOutcome
from app.errors import NotFound, ValidationFailed
from app.metrics import CacheMeter, cache_meter
from db.read_models.marketplace import SearchQuery
from graphql_api.connections import (
    After,
    Before,
    First,
    Last,
    PageArgs,
    Window,
    offset_connection,
    offset_window,
    page_args,
    read_offset_cursor,
)
from graphql_api.context import GraphQLContext
from graphql_api.mapping import domain_value
from graphql_api.marketplace.inputs import WorkshopFilter, WorkshopSort
from graphql_api.marketplace.types import (
    CarBrand,
    FavouriteConnection,
    ServiceCategory,
    Workshop,
    WorkshopCategory,
    WorkshopConnection,
    WorkshopFacets,
)
from graphql_api.node import database_id_of
from graphql_api.selection import selects

Ctx = Info[GraphQLContext, None]
# the marketplace cache's hits and misses per field (bound once: a request costs one increment)
WORKSHOPS_CACHE = cache_meter("graphql_workshops")
NEARBY_CACHE = cache_meter("graphql_nearby_workshops")
WORKSHOP_CACHE = cache_meter("graphql_workshop")


def _position(kind: str, cursor: str, argument: str) -> int:
    position = read_offset_cursor(kind, cursor, argument)
    if not in_db_range(position + 1):  # the search's OFFSET is an SQL integer
        raise ValidationFailed(f"{argument} is not a cursor of this field.", fields={argument: "invalid_cursor"})
    return position


async def _search_connection(
    info: Ctx, kind: str, args: PageArgs, query_for: Callable[[int, int], SearchQuery], meter: CacheMeter
) -> WorkshopConnection:
    """An offset window of a search: `first`/`after` read forward from after the cursor, `last`/`before` back from
    the cursor (or the end). `query_for(offset, limit)` is the search of that window; a window that needs the
    total first (`last` without `before`) searches its first item for it."""
    await info.context.claims()  # resolved once here, so nested `isFavourite` fields batch in one tick
    start = _position(kind, args.after, "after") + 1 if args.after else 0
    end = _position(kind, args.before, "before") if args.before else None
    if args.forward:
        limit = args.size if end is None else min(args.size, max(0, end - start))
    else:
        if end is None:
            probe: SearchOutcome = await info.context.read(search.search, query_for(0, 1), meter=meter)
            end = probe.page.total
        offset = max(start, end - args.size)
        start, limit = offset, max(0, end - offset)
    # the search serves pages of at least one item: a window of none still learns the total (and facets)
    outcome: SearchOutcome = await info.context.read(search.search, query_for(start, max(limit, 1)), meter=meter)
    page = outcome.page
    items = page.items[:limit]
    return offset_connection(
        WorkshopConnection,
        kind,
        items,
        window=Window(offset=start, limit=limit),
        total=page.total,
        node=Workshop.from_summary,
        facets=WorkshopFacets.from_facets(page.facets) if page.facets is not None else None,
    )


def _flag(value: bool) -> list[str]:
    return ["true" if value else "false"]


def _service_category(node: ServiceCategoryNode) -> ServiceCategory:
    children = [_service_category(k) for k in node.children] if node.children is not None else None
    return ServiceCategory.of(node.category, children)


@strawberry.type
class MarketplaceQuery:
    @strawberry.field(
        description="Search workshops: filters, sort and facets, as an offset connection over the search order "
        "(`first`/`after` and `last`/`before`)."
    )
    async def workshops(
        self,
        info: Ctx,
        filter: Annotated[
            WorkshopFilter | None, strawberry.argument(description="Filters; null or empty for every workshop.")
        ] = None,
        sort: Annotated[
            WorkshopSort | None,
            strawberry.argument(
                description="Sort order; null for relevance with `q`, distance with `lat`/`lng`, else name."
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> WorkshopConnection:
        args = page_args(first, after, last, before)
        raw = filter.raw() if filter is not None else {}
        minute = search.now_minute(info.context.services)
        facets = selects(info, "facets")

        def query_for(offset: int, limit: int) -> SearchQuery:
            return mq.graphql_query(
                raw,
                sort=domain_value(sort.field) if sort else None,
                order=domain_value(sort.order) if sort and sort.order else None,
                first=limit,
                offset=offset,
                now_minute=minute,
                include_facets=facets,
            )

        query_for(0, 1)  # a bad filter is refused before any cursor is read
        return await _search_connection(info, "workshops", args, query_for, WORKSHOPS_CACHE)

    @strawberry.field(
        description="Workshops within `radiusKm` of a point, nearest first, as an offset connection "
        "(`first`/`after` and `last`/`before`); `facets` as for `workshops`."
    )
    async def nearby_workshops(
        self,
        info: Ctx,
        lat: Annotated[float, strawberry.argument(description="Latitude of the point, WGS 84 degrees.")],
        lng: Annotated[float, strawberry.argument(description="Longitude of the point, WGS 84 degrees.")],
        radius_km: Annotated[
            float,
            strawberry.argument(
                description=f"Radius in km, greater than 0; larger values than {mq.LOCATION_MAX_RADIUS_KM:g} "
                f"are taken as {mq.LOCATION_MAX_RADIUS_KM:g}."
            ),
        ] = mq.LOCATION_DEFAULT_RADIUS_KM,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> WorkshopConnection:
        args = page_args(first, after, last, before)
        minute = search.now_minute(info.context.services)
        facets = selects(info, "facets")

        def query_for(offset: int, limit: int) -> SearchQuery:
            return mq.build_query(
                lat=str(lat),
                lng=str(lng),
                max_distance_km=str(radius_km),
                distance_field="radiusKm",
                max_radius_km=mq.LOCATION_MAX_RADIUS_KM,
                sort="distance",
                page_size=str(limit),
                offset=offset,
                include_facets="true" if facets else None,
                now_minute=minute,
            )

        query_for(0, 1)
        return await _search_connection(info, "nearbyWorkshops", args, query_for, NEARBY_CACHE)

    @strawberry.field(
        description="One workshop by organisation number; null when there is no such listed workshop. "
        "(`node(id:)` with a `Workshop` id finds it too.)"
    )
    async def workshop(
        self,
        info: Ctx,
        org_nr: Annotated[str, strawberry.argument(description="Norwegian organisation number, 9 digits.")],
    ) -> Workshop | None:
        try:
            found = await info.context.read(search.workshop_detail, org_nr, meter=WORKSHOP_CACHE)
        except NotFound:
            return None
        d = found.detail
        first = d.addresses[0] if d.addresses else None
        prices = [s.price for s in d.services]
        return Workshop(
            id=d.org_nr,
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

    @strawberry.field(description="The workshop categories, by id (a small fixed list).")
    async def workshop_categories(
        self,
        info: Ctx,
        include_inactive: Annotated[bool, strawberry.argument(description="Also list retired categories.")] = False,
    ) -> list[WorkshopCategory]:
        listing = await info.context.read(
            catalogue.list_workshop_categories, {"include_inactive": _flag(include_inactive)}
        )
        return [WorkshopCategory.of(c) for c in listing.rows]

    @strawberry.field(description="The service categories, by id, flat or as a tree (a small fixed list).")
    async def service_categories(
        self,
        info: Ctx,
        tree: Annotated[
            bool, strawberry.argument(description="Nest children under their roots (only roots at the top level).")
        ] = False,
        workshop_category_id: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="Only categories of this workshop category (`WorkshopCategory` id)."),
        ] = None,
        include_inactive: Annotated[bool, strawberry.argument(description="Also list retired categories.")] = False,
    ) -> list[ServiceCategory]:
        params: dict[str, list[str]] = {"tree": _flag(tree), "include_inactive": _flag(include_inactive)}
        if workshop_category_id is not None:
            number = database_id_of(workshop_category_id, "WorkshopCategory", "workshopCategoryId")
            params["workshop_category_id"] = [str(number)]
        listing = await info.context.read(catalogue.list_service_categories, params)
        return [_service_category(n) for n in listing.rows]

    @strawberry.field(
        description="Car brands, by name; needs a signed-in owner or an `x-api-key` header (a small fixed list)."
    )
    async def car_brands(self, info: Ctx) -> list[CarBrand]:
        claims = await info.context.claims()
        request = info.context.request
        api_key = request.headers.get("x-api-key") if request is not None else None
        listing = await info.context.read(catalogue.car_brands, api_key=api_key, require_key=claims is None)
        return [CarBrand.of(b) for b in listing.brands]

    @strawberry.field(
        description="The signed-in owner's favourite workshops, most recently added first, as an offset "
        "connection (`first`/`after` and `last`/`before`)."
    )
    async def favourites(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> FavouriteConnection:
        args = page_args(first, after, last, before)
        windows: list[Window] = []

        def window(total: int) -> tuple[int, int]:
            windows.append(offset_window("favourites", args, total))
            return windows[0].offset, windows[0].limit

        offset_window("favourites", args, 0)  # a bad cursor is refused before anything is read
        items, total = await info.context.read_as_owner(catalogue.favourites_window, window)
        return offset_connection(
            FavouriteConnection,
            "favourites",
            items,
            window=windows[0],
            total=total,
            node=lambda item: Workshop.from_summary(item.workshop),
        )
