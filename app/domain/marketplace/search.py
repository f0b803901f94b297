"""Workshop search and workshop pages: read through the marketplace cache, per-user data overlaid afterwards."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar

import msgspec

from app.domain.marketplace import query as mq
from app.domain.marketplace.cache import HIT
from app.domain.marketplace.favourites import favourites_among, owner_favourites
from app.domain.marketplace.hours import is_open, minute_of_week, oslo_now
from app.domain.marketplace.results import SearchPage, WorkshopDetail, WorkshopSummary
from app.domain.uow import DomainServices, UnitOfWork
from app.errors import DatabaseUnavailable, NotFound
from app.metrics import CacheMeter
from app.values import org_nr_for_lookup
from db.repositories import marketplace as repo

V = TypeVar("V")


class SearchOutcome(msgspec.Struct, frozen=True):
    query: mq.SearchQuery
    page: SearchPage
    cache: str  # HIT, MISS or BYPASS


class DetailOutcome(msgspec.Struct, frozen=True):
    detail: WorkshopDetail
    cache: str


_last_minute: list[Any] = [None, (0, 0)]  # (minute since the epoch, its minute of the week in Oslo)


def now_minute(services: Any) -> tuple[int, int]:
    # Oslo's offset is whole hours, so one UTC minute is one Oslo minute: the time zone is consulted once a minute
    moment = services.marketplace_cache.clock()
    minute = int(moment.timestamp() // 60)
    if _last_minute[0] != minute:
        _last_minute[1] = minute_of_week(moment)
        _last_minute[0] = minute
    result: tuple[int, int] = _last_minute[1]
    return result


async def _load_page(services: DomainServices, query: mq.SearchQuery) -> SearchPage:
    nearby = None
    if query.market_layout:  # the nearest workshops (or the best rated, without a location) above the page
        nearby = msgspec.structs.replace(
            query,
            sort="distance" if query.has_location else "rating",
            order="asc" if query.has_location else "desc",
            offset=0,
            limit=mq.NEARBY_TOP_SIZE,
        )
    async with repo.reading(services.engine) as connection:
        found = await repo.search(connection, query, nearby=nearby)
    return SearchPage(
        items=found.items,
        total=found.total,
        offset=query.offset,
        limit=query.limit,
        nearby_top=found.nearby,
        facets=found.facets,
    )


async def _favourites(uow: UnitOfWork, owner_id: int | None, org_nrs: list[str], cache: str) -> set[str]:
    """The caller's favourites among `org_nrs`. A cached answer is still served while the database is down,
    without the caller's marks; an answer that needed the database already failed."""
    if owner_id is None:
        return set()
    try:
        return await favourites_among(uow, owner_id, org_nrs)
    except DatabaseUnavailable:
        if cache != HIT:
            raise
        await uow.rollback()
        return set()


async def _overlay_favourites(uow: UnitOfWork, page: SearchPage, owner_id: int | None, cache: str) -> SearchPage:
    if owner_id is None:
        return page
    org_nrs = [w.org_nr for w in page.items] + [w.org_nr for w in page.nearby_top or ()]
    favourites = await _favourites(uow, owner_id, org_nrs, cache)
    if not favourites:
        return page

    def mark(rows: Sequence[WorkshopSummary]) -> list[WorkshopSummary]:
        return [msgspec.structs.replace(w, is_favourite=True) if w.org_nr in favourites else w for w in rows]

    return msgspec.structs.replace(
        page, items=mark(page.items), nearby_top=mark(page.nearby_top) if page.nearby_top is not None else None
    )


async def search(
    uow: UnitOfWork, query: mq.SearchQuery, *, owner_id: int | None = None, meter: CacheMeter | None = None
) -> SearchOutcome:
    services = uow.services
    load = partial(_load_page, services, query)
    page, status = await services.marketplace_cache.get_or_load("search", query, load, SearchPage, meter)
    return SearchOutcome(query=query, page=await _overlay_favourites(uow, page, owner_id, status), cache=status)


QUERY_BUILDERS = {
    "shops": mq.shops_query,
    "filters": mq.filters_query,
    "location": mq.location_query,
    "text": mq.text_search_query,
}


MAX_PARSED = 4096
# (kind, a transport's raw query string, minute of the week) -> the query it parsed to: parsing is a pure
# function of these, and repeated searches repeat their query strings
_parsed: dict[tuple[str, bytes, tuple[int, int]], mq.SearchQuery] = {}


def parse_search(
    services: DomainServices, kind: str, params: Mapping[str, Sequence[str]], *, raw: bytes | None = None
) -> mq.SearchQuery:
    """A transport's raw query parameters, parsed with the rules of `kind`. With `raw` (the query string the
    parameters came from), the result is remembered for `parsed_search`."""
    minute = now_minute(services)
    if kind == "workshop_categories":
        query = mq.categories_query(params, service_categories=False, now_minute=minute)
    elif kind == "service_categories":
        query = mq.categories_query(params, service_categories=True, now_minute=minute)
    else:
        query = QUERY_BUILDERS[kind](params, minute)
    if raw is not None:
        if len(_parsed) >= MAX_PARSED:
            _parsed.clear()
        _parsed[(kind, raw, minute)] = query
    return query


def parsed_search(services: DomainServices, kind: str, raw: bytes) -> mq.SearchQuery | None:
    """The query that `parse_search(..., raw=raw)` gave this minute, if it was asked for."""
    return _parsed.get((kind, raw, now_minute(services)))


async def search_params(
    uow: UnitOfWork,
    kind: str,
    params: Mapping[str, Sequence[str]],
    *,
    owner_id: int | None = None,
    meter: CacheMeter | None = None,
) -> SearchOutcome:
    """Parse a transport's raw query parameters with the rules of `kind` and search."""
    return await search(uow, parse_search(uow.services, kind, params), owner_id=owner_id, meter=meter)


async def search_view(
    services: DomainServices,
    query: mq.SearchQuery,
    view: Any,
    make: Callable[[SearchPage], V],
    meter: CacheMeter | None = None,
) -> tuple[V, str]:
    """`make(page)` of the cached (shared, caller-free) page, made once per in-process cache entry: a face keeps
    its encoded answer this way and overlays the caller (`caller_favourites`) on it. No unit of work needed."""
    load = partial(_load_page, services, query)
    return await services.marketplace_cache.get_or_load_view("search", query, load, SearchPage, view, make, meter)


async def caller_favourites(services: DomainServices, owner_id: int | None, cache: str) -> frozenset[str]:
    """Every favourite of the caller, for the overlay on an answer whose cache status is `cache`; as
    `_favourites`, a cached answer is still served without the marks while the database is down."""
    if owner_id is None:
        return frozenset()
    try:
        return await owner_favourites(services, owner_id)
    except DatabaseUnavailable:
        if cache != HIT:
            raise
        return frozenset()


# --- workshop pages ------------------------------------------------------------------------------------


async def _load_detail(session: Any, org_nr: str) -> WorkshopDetail | None:
    row = await repo.workshop_row(session, org_nr)
    if row is None:
        return None
    keys = [org_nr]
    addresses = (await repo.addresses_for(session, keys))[org_nr]
    return WorkshopDetail(
        org_nr=row.org_nr,
        name=row.name,
        address_line=f"{addresses[0].address}, {addresses[0].postal_code} {addresses[0].city}" if addresses else None,
        description=row.description,
        phone=row.phone,
        mobile=row.mobile,
        email=row.email,
        logo=repo.decode_strings(row.logo),
        images=repo.decode_strings(row.images),
        homepage=row.homepage,
        updated_at=row.updated_at,
        categories=(await repo.workshop_categories_for(session, keys))[org_nr],
        addresses=addresses,
        contacts=(await repo.contacts_for(session, keys))[org_nr],
        ratings=(await repo.public_ratings_for(session, keys))[org_nr],
        average_rating=round(float(row.average_rating or 0.0), 2),
        total_reviews=int(row.total_reviews or 0),
        services=(await repo.services_for(session, keys))[org_nr],
        opening_hours=(await repo.opening_hours_for(session, keys))[org_nr],
    )


async def workshop_detail(
    uow: UnitOfWork, org_nr: str, *, owner_id: int | None = None, meter: CacheMeter | None = None
) -> DetailOutcome:
    """One workshop's page: public data cached, `isOpenNow` and `is_favourite` computed per request."""
    org_nr = org_nr_for_lookup(org_nr)
    services = uow.services

    async def load() -> WorkshopDetail | None:
        async with services.sessionmaker() as session:
            return await _load_detail(session, org_nr)

    found: Any = WorkshopDetail | None  # a union, which `type[T]` does not take
    detail, status = await services.marketplace_cache.get_or_load("detail", org_nr, load, found, meter)
    if detail is None:
        raise NotFound("Workshop not found.", code="WORKSHOP_NOT_FOUND")
    favourite = bool(await _favourites(uow, owner_id, [org_nr], status))
    detail = msgspec.structs.replace(
        detail, is_open_now=is_open(detail.opening_hours, oslo_now(services)), is_favourite=favourite
    )
    return DetailOutcome(detail=detail, cache=status)
