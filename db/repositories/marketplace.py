"""Every SQL statement of the marketplace: workshop search, facets, workshop pages, categories, brands, favourites.

Search SQL is built from a normalised `SearchQuery`; every value is a bound parameter. Each statement starts
with a `/* marketplace:<name> */` comment so tests and operators can recognise it.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, time
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

import msgspec
from sqlalchemy import Row, TextClause, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from db.read_models.marketplace import (
    Address,
    CarBrandItem,
    CategoryRef,
    Contact,
    FacetBucket,
    Facets,
    OpeningHour,
    PublicRating,
    SearchQuery,
    ServiceCategoryItem,
    ServiceItem,
    WorkshopCategoryItem,
    WorkshopSummary,
)
from db.repositories._core import Rows, run

EARTH_RADIUS_KM = 6371.0088
PUBLIC_RATINGS_LIMIT = 50

_categories_decoder = msgspec.json.Decoder(list[CategoryRef])
_CTE_SEPARATOR = ",\n"


def _distance(alias: str) -> str:
    """The great-circle distance in km from (:lat, :lng) to the row `alias` (haversine)."""
    return (
        f"(2 * {EARTH_RADIUS_KM} * asin(least(1.0, sqrt("
        f"power(sin(radians({alias}.latitude - CAST(:lat AS double precision)) / 2), 2)"
        f" + CAST(:cos_lat AS double precision) * cos(radians({alias}.latitude))"
        f" * power(sin(radians({alias}.longitude - CAST(:lng AS double precision)) / 2), 2)))))"
    )


# The search point on the unit sphere (see migration marketplace_0003): an uncorrelated scalar subquery, so it is
# computed once per statement (an init plan) whatever plan the prepared statement gets, and usable in an index scan
_CENTRE = "(SELECT marketplace_position(CAST(:lat AS double precision), CAST(:lng AS double precision)))"
_KNN = f"wp.position OPERATOR(public.<->) {_CENTRE}"  # the chord to the search point: orders as the distance does
# a row of `filtered` without the columns its source did not read
_NO_ADDRESS = (
    "NULL::text AS address, NULL::text AS city, NULL::text AS county, NULL::text AS postal_code, "
    "NULL::double precision AS latitude, NULL::double precision AS longitude"
)
_NO_WORKSHOP_COLUMNS = "NULL::text AS name, NULL::double precision AS average_rating, NULL::integer AS total_reviews"


def _within(chord: str) -> list[str]:
    """Conditions on `wp` for positions within the chord `chord` of the search point: the box around the circle
    (the GiST index's lookup), then the exact check."""
    return [
        f"wp.position OPERATOR(public.<@) public.cube_enlarge({_CENTRE}, {chord}, 3)",
        f"public.cube_distance(wp.position, {_CENTRE}) <= {chord}",
    ]


_TSQUERY = "websearch_to_tsquery('norwegian'::regconfig, marketplace_unaccent(CAST(:q AS text)))"
_Item = TypeVar("_Item")

_QNORM = "marketplace_unaccent(lower(CAST(:q AS text)))"


def _read(model: type[_Item], row: Row[Any], **changes: Any) -> _Item:
    """A read model from a row's columns by name (columns it does not declare are ignored), with `changes`."""
    return msgspec.convert({**row._mapping, **changes}, model)


async def _run(session: AsyncSession, sql: str, params: dict[str, Any] | None = None) -> Rows:
    return await run(session, text(sql), params)


async def _per_workshop(
    session: AsyncSession,
    sql: str,
    org_nrs: Sequence[str],
    item: Callable[[Row[*tuple[Any, ...]]], _Item],
    *,
    key: str = "org_nr",
    params: dict[str, Any] | None = None,
) -> dict[str, list[_Item]]:
    """The items of a statement over the workshops `:o`, grouped by the row's `key`, in statement order."""
    out: dict[str, list[_Item]] = {o: [] for o in org_nrs}
    for r in (await _run(session, sql, {"o": list(org_nrs), **(params or {})})).all():
        out[getattr(r, key)].append(item(r))
    return out


def _like_pattern(value: str) -> str:
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _by_position(query: SearchQuery | None) -> bool:
    """Whether the search is a radius search, answered from `workshop_positions` (one indexed row per active
    workshop at its primary address) instead of the addresses and workshops tables."""
    return query is not None and query.has_location and query.max_distance_km is not None


def _filtered_cte(
    query: SearchQuery | None,
    params: dict[str, Any],
    *,
    org_nrs: Sequence[str] | None = None,
    with_address: bool = False,
) -> str:
    """`WITH [RECURSIVE] ... filtered AS (...)`: the workshops matching the query, one row each.

    Only what filtering and sorting need is joined here (set-wise: a bounding-box or DISTINCT ON address
    scan, a grouped price subquery); the display columns of the rows shown are looked up afterwards.
    A service category also matches services in its sub-categories: `sc_tree` holds the whole subtree.

    A radius search starts from `workshop_positions`: the circle is a box lookup in its GiST index plus an exact
    chord check, `knn` orders by nearness, and the workshops table is joined (LEFT, so the planner drops it when
    nothing uses it) only for the filters and sort keys that need it. Where the count is this CTE's only
    reader (`_nearest` pages), PostgreSQL inlines it and counts from the positions alone.
    """
    prefix: list[str] = []
    q = query
    radius = _by_position(q)
    key = "wp.org_nr" if radius else "w.org_nr"
    where = [] if radius else ["w.is_active"]  # a position is kept only for an active workshop
    joins: list[str] = []
    distance = "NULL::double precision"
    rank = "0::real"
    needs_address = with_address or bool(q and (q.has_location or q.cities or q.counties or q.postal_code))
    needs_price = bool(
        q and (q.service_category_ids or q.price_min is not None or q.price_max is not None or q.sort == "price")
    )
    # the workshop's own columns, where a filter, the sort or the facets read them
    workshop_columns = not radius or with_address or bool(q and q.sort not in ("distance", "price"))
    if org_nrs is not None:
        params["org_nrs"] = list(org_nrs)
        where.append(f"{key} = ANY(CAST(:org_nrs AS text[]))")
    source = "workshops w"
    knn = ""
    if q is not None and q.lat is not None and q.lng is not None:  # `q.has_location`, spelled out for the types
        lat, lng = q.lat, q.lng
        params["lat"], params["lng"] = lat, lng
        params["cos_lat"] = math.cos(math.radians(lat))
        distance = _distance("wp" if radius else "a")
        if q.max_distance_km is not None:
            # the chord of the unit sphere under `max_distance_km` of arc
            params["chord"] = 2 * math.sin(min(math.pi, q.max_distance_km / EARTH_RADIUS_KM) / 2)
            source = "workshop_positions wp LEFT JOIN workshops w ON w.org_nr = wp.org_nr"
            where += _within("CAST(:chord AS double precision)")
            knn = f", {_KNN} AS knn"
    if needs_address and radius:
        if with_address or (q and (q.cities or q.counties or q.postal_code)):
            joins.append(
                "JOIN LATERAL (SELECT address, city, county, postal_code FROM workshop_addresses "
                "WHERE org_nr = wp.org_nr ORDER BY is_primary DESC, id LIMIT 1) a ON true"
            )
        else:
            needs_address = False  # the rows shown look their address up (`_summaries_json`)
    elif needs_address:
        inner = "JOIN" if (q and (q.cities or q.counties or q.postal_code)) else "LEFT JOIN"
        joins.append(
            f'{inner} (SELECT DISTINCT ON (org_nr COLLATE "C") org_nr, address, city, county, postal_code, latitude, longitude '
            f'FROM workshop_addresses ORDER BY org_nr COLLATE "C", is_primary DESC, id) a ON a.org_nr = w.org_nr'
        )
    if q is not None and q.service_category_ids:
        params["sc"] = list(q.service_category_ids)
        prefix.append(
            "sc_tree(id) AS (SELECT id FROM service_categories WHERE id = ANY(CAST(:sc AS integer[])) "
            "UNION SELECT c.id FROM service_categories c JOIN sc_tree t ON c.parent_id = t.id)"
        )
    if needs_price:
        if q is not None and q.service_category_ids:
            # driven from the category links (index on service_category_id), not from every service
            joins.append(
                "JOIN (SELECT s.org_nr, min(s.price) AS cheapest FROM service_category_links l "
                "JOIN services s ON s.id = l.service_id AND s.is_active "
                "WHERE l.service_category_id IN (SELECT id FROM sc_tree) GROUP BY s.org_nr) px "
                f"ON px.org_nr = {key}"
            )
        else:
            joins.append(
                "LEFT JOIN (SELECT org_nr, min(price) AS cheapest FROM services WHERE is_active GROUP BY org_nr) px "
                f"ON px.org_nr = {key}"
            )
    if q is not None:
        if q.q:
            params["q"] = q.q
            text_match = [
                f"w.search_vector @@ {_TSQUERY}",
                f"{_QNORM} <% w.search_name",
            ]  # trigram word similarity: typos
            if q.text_scope == "wide":
                params["q_like"] = _like_pattern(q.q)
                pattern = "marketplace_unaccent(CAST(:q_like AS text))"
                text_match += [
                    f"{key} IN (SELECT org_nr FROM workshop_addresses WHERE "
                    f"marketplace_unaccent(lower(address || ' ' || postal_code || ' ' || city)) LIKE {pattern})",
                    f"{key} IN (SELECT org_nr FROM services WHERE is_active AND marketplace_unaccent(lower(title)) LIKE {pattern})",
                    f"{key} IN (SELECT s.org_nr FROM services s JOIN service_category_links l ON l.service_id = s.id "
                    "JOIN service_categories c ON c.id = l.service_category_id "
                    f"WHERE s.is_active AND marketplace_unaccent(lower(c.name)) LIKE {pattern})",
                ]
            where.append("(" + " OR ".join(text_match) + ")")
            rank = f"(ts_rank(w.search_vector, {_TSQUERY}) + word_similarity({_QNORM}, w.search_name))::real"
        if q.workshop_category_ids:
            params["wc"] = list(q.workshop_category_ids)
            where.append(
                f"{key} IN (SELECT org_nr FROM workshop_category_links "
                "WHERE workshop_category_id = ANY(CAST(:wc AS integer[])))"
            )
        if q.cities:
            params["cities"] = list(q.cities)
            where.append("lower(a.city) = ANY(CAST(:cities AS text[]))")
        if q.counties:
            params["counties"] = list(q.counties)
            where.append("lower(a.county) = ANY(CAST(:counties AS text[]))")
        if q.postal_code:
            params["postal_code"] = q.postal_code
            where.append("a.postal_code = CAST(:postal_code AS text)")
        if q.min_rating is not None:
            params["min_rating"] = q.min_rating
            where.append("w.average_rating >= CAST(:min_rating AS double precision)")
        if q.price_min is not None:
            params["price_min"] = q.price_min
            where.append("px.cheapest >= CAST(:price_min AS numeric)")
        if q.price_max is not None:
            params["price_max"] = q.price_max
            where.append("px.cheapest <= CAST(:price_max AS numeric)")
        if q.open_now and q.open_at is not None:
            weekday, minute = q.open_at
            params["wd"], params["prev_wd"] = weekday, (weekday - 1) % 7
            params["t"] = time(minute // 60, minute % 60)
            where.append(
                f"{key} IN (SELECT org_nr FROM workshop_opening_hours h WHERE NOT h.is_closed AND ("
                "(h.weekday = CAST(:wd AS integer) AND h.opens_at <= CAST(:t AS time) "
                " AND (h.closes_at > CAST(:t AS time) OR h.closes_at <= h.opens_at))"
                " OR (h.weekday = CAST(:prev_wd AS integer) AND h.closes_at <= h.opens_at AND h.closes_at > CAST(:t AS time))))"
            )
    if needs_address:
        coordinates = "wp.latitude, wp.longitude" if radius else "a.latitude, a.longitude"
        address_columns = f"a.address, a.city, a.county, a.postal_code, {coordinates}"
    else:
        address_columns = _NO_ADDRESS
    own = "w.name, w.average_rating, w.total_reviews" if workshop_columns else _NO_WORKSHOP_COLUMNS
    filtered = f"""
filtered AS (
  SELECT {key} AS org_nr, {own}, {address_columns},
         {"px.cheapest" if needs_price else "NULL::numeric AS cheapest"}, {distance} AS distance_km, {rank} AS rank,
         {"true" if needs_address else "false"} AS has_address{knn}
  FROM {source}
  {chr(10).join(joins)}
  WHERE {" AND ".join(where) or "true"}
)"""
    return ("WITH RECURSIVE " if prefix else "WITH ") + ",\n".join([*prefix, filtered])


def _nearest_first(query: SearchQuery) -> bool:
    """A radius search with no other filter, nearest first: the app's commonest search, answered in index order."""
    return (
        _by_position(query)
        and query.sort == "distance"
        and query.order != "desc"
        and not (query.q or query.workshop_category_ids or query.service_category_ids)
        and not (query.cities or query.counties or query.postal_code or query.open_now)
        and query.min_rating is None
        and query.price_min is None
        and query.price_max is None
    )


def _nearest(name: str, limit: str, offset: str) -> str:
    """`name AS (...)`: rows `offset`..`offset + limit` of a `_nearest_first` search, shaped as `filtered`'s.

    The planner cannot estimate a cube containment, so it sorts every match in the circle (6,400 at 20,000
    workshops) for a page of 20. Instead the index is walked in nearness order for the first `offset + limit`
    positions (a KNN scan that stops there, inside the circle or not); the farthest of them bounds a small
    circle that holds them all, ties included, and only that circle is sorted by (nearness, org_nr).
    """
    return f"""{name}_reach AS (
  SELECT least(CAST(:chord AS double precision), max(n.k)) AS r FROM (
    SELECT {_KNN} AS k FROM workshop_positions wp
    ORDER BY {_KNN} LIMIT CAST(:{offset} AS integer) + CAST(:{limit} AS integer)) n
),
{name} AS (
  SELECT wp.org_nr, {_NO_WORKSHOP_COLUMNS}, {_NO_ADDRESS}, NULL::numeric AS cheapest,
         {_distance("wp")} AS distance_km, 0::real AS rank, false AS has_address, {_KNN} AS knn
  FROM workshop_positions wp
  WHERE {" AND ".join(_within(f"(SELECT r FROM {name}_reach)"))}
  ORDER BY knn, wp.org_nr LIMIT CAST(:{limit} AS integer) OFFSET CAST(:{offset} AS integer)
)"""


def _order(query: SearchQuery, alias: str = "f", *, knn: bool = False) -> str:
    """ORDER BY keys; `knn`: the rows come from a radius search (`_by_position`), whose `knn` (the chord to the
    search point) orders as the distance does and is cheaper than the haversine over every match."""
    direction = "DESC" if query.order == "desc" else "ASC"
    match query.sort:
        case "rating":
            keys = [f"{alias}.average_rating {direction}", f"{alias}.total_reviews {direction}"]
        case "distance" if knn:
            keys = [f"{alias}.knn {direction}"]
        case "distance":
            keys = [f"{alias}.distance_km {direction} NULLS LAST"]
        case "price":
            keys = [f"{alias}.cheapest {direction} NULLS LAST"]
        case "relevance":
            keys = [f"{alias}.rank {direction}"]
        case _:
            keys = [f"lower({alias}.name) {direction}"]
    return ", ".join([*keys, f"{alias}.org_nr ASC"])


def _summaries_json(rows: str, order: str | None, query: SearchQuery | None) -> str:
    """A JSON array with one `_SummaryRow` per row of the CTE `rows` (in `order`): the display columns of the
    rows shown, looked up for those rows only (address unless already joined, logo, prices, categories)."""
    cat_match = (
        (
            "AND EXISTS (SELECT 1 FROM service_category_links l WHERE l.service_id = s.id "
            "AND l.service_category_id IN (SELECT id FROM sc_tree))"
        )
        if query is not None and query.service_category_ids
        else ""
    )
    return f"""(
SELECT coalesce(json_agg(json_build_array(
         p.org_nr, wl.name,
         CASE WHEN p.has_address THEN p.address ELSE pa.address END,
         CASE WHEN p.has_address THEN p.city ELSE pa.city END,
         CASE WHEN p.has_address THEN p.county ELSE pa.county END,
         CASE WHEN p.has_address THEN p.postal_code ELSE pa.postal_code END,
         CASE WHEN p.has_address THEN p.latitude ELSE pa.latitude END,
         CASE WHEN p.has_address THEN p.longitude ELSE pa.longitude END,
         p.distance_km, wl.logo, coalesce(cats.categories, '[]'::json), wl.average_rating, wl.total_reviews,
         pp.cheapest, pp.services_count){f" ORDER BY {order}" if order else ""}), '[]'::json)::text
FROM {rows} p
JOIN workshops wl ON wl.org_nr = p.org_nr
LEFT JOIN LATERAL (
  SELECT address, city, county, postal_code, latitude, longitude FROM workshop_addresses a
  WHERE NOT p.has_address AND a.org_nr = p.org_nr ORDER BY a.is_primary DESC, a.id LIMIT 1
) pa ON true
LEFT JOIN LATERAL (
  SELECT (SELECT min(s.price) FROM services s WHERE s.org_nr = p.org_nr AND s.is_active {cat_match}) AS cheapest,
         (SELECT count(*) FROM services s WHERE s.org_nr = p.org_nr AND s.is_active) AS services_count
) pp ON true
LEFT JOIN LATERAL (
  SELECT json_agg(json_build_object('id', c.id, 'name', c.name, 'slug', c.slug) ORDER BY c.sort_order, c.id) AS categories
  FROM workshop_category_links l JOIN workshop_categories c ON c.id = l.workshop_category_id
  WHERE l.org_nr = p.org_nr
) cats ON true
)"""


_FACETS_JSON = """(
SELECT coalesce(json_agg(json_build_array(b.facet, b.key, b.label, b.n)), '[]'::json)::text FROM (
SELECT 'workshop_category' AS facet, c.id::text AS key, c.name AS label, count(*) AS n
  FROM filtered f JOIN workshop_category_links l ON l.org_nr = f.org_nr
  JOIN workshop_categories c ON c.id = l.workshop_category_id GROUP BY c.id, c.name
UNION ALL
SELECT 'service_category', c.id::text, c.name, count(DISTINCT f.org_nr)
  FROM filtered f JOIN services s ON s.org_nr = f.org_nr AND s.is_active
  JOIN service_category_links l ON l.service_id = s.id
  JOIN service_categories c ON c.id = l.service_category_id GROUP BY c.id, c.name
UNION ALL
SELECT 'city', f.city, f.city, count(*) FROM filtered f WHERE f.city IS NOT NULL GROUP BY f.city
UNION ALL
SELECT 'county', f.county, f.county, count(*) FROM filtered f WHERE f.county IS NOT NULL GROUP BY f.county
UNION ALL
SELECT 'rating', r.bucket, r.bucket, count(*) FROM (
  SELECT CASE WHEN f.average_rating >= 4 THEN '4-5' WHEN f.average_rating >= 3 THEN '3-4'
              WHEN f.average_rating >= 2 THEN '2-3' WHEN f.average_rating >= 1 THEN '1-2' ELSE '0-1' END AS bucket
  FROM filtered f) r GROUP BY r.bucket
) b)"""


class _SummaryRow(msgspec.Struct, array_like=True, frozen=True):
    """A search row as `_summaries_json` builds it (positional, as the JSON arrays are)."""

    org_nr: str
    name: str
    address: str | None
    city: str | None
    county: str | None
    postal_code: str | None
    latitude: float | None
    longitude: float | None
    distance_km: float | None
    logo: list[str] | None
    categories: list[CategoryRef]
    average_rating: float | None
    total_reviews: int | None
    cheapest: float | None
    services_count: int | None


class _FacetRow(msgspec.Struct, array_like=True, frozen=True):
    facet: str
    key: str
    label: str
    count: int


_summary_rows = msgspec.json.Decoder(list[_SummaryRow])
_facet_rows = msgspec.json.Decoder(list[_FacetRow])


def _summaries(raw: str) -> list[WorkshopSummary]:
    return [
        WorkshopSummary(
            org_nr=r.org_nr,
            name=r.name,
            address_line=r.address,
            city=r.city,
            county=r.county,
            postal_code=r.postal_code,
            latitude=r.latitude,
            longitude=r.longitude,
            distance_km=round(r.distance_km, 3) if r.distance_km is not None else None,
            logo=r.logo or [],
            categories=r.categories,
            avg_rating=round(r.average_rating or 0.0, 2),
            total_reviews=r.total_reviews or 0,
            cheapest_service_price=r.cheapest,
            services_count=r.services_count or 0,
        )
        for r in _summary_rows.decode(raw)
    ]


def _facets(raw: str) -> Facets:
    groups: dict[str, list[FacetBucket]] = {
        k: [] for k in ("workshop_category", "service_category", "city", "county", "rating")
    }
    for row in _facet_rows.decode(raw):
        groups[row.facet].append(FacetBucket(key=row.key, label=row.label, count=row.count))
    for name, buckets in groups.items():
        if name == "rating":
            buckets.sort(key=lambda b: b.key, reverse=True)
        else:
            buckets.sort(key=lambda b: (-b.count, b.label.lower()))
    return Facets(
        workshop_categories=groups["workshop_category"],
        service_categories=groups["service_category"],
        cities=groups["city"],
        counties=groups["county"],
        ratings=groups["rating"],
    )


class SearchRows(NamedTuple):
    items: list[WorkshopSummary]
    total: int
    nearby: list[WorkshopSummary] | None
    facets: Facets | None


@lru_cache(maxsize=512)
def _statement(sql: str) -> TextClause:
    """Parsed once per shape of search (which filters, which sort), not per request."""
    return text(sql)


@asynccontextmanager
async def reading(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A pooled connection for a read that is one statement and nothing else (a cache fill): in autocommit, so
    without the BEGIN and ROLLBACK round trips (one statement is consistent by itself), and without an ORM
    session around it, whose bookkeeping cost a twelfth of an uncached search's CPU."""
    async with engine.connect() as connection:
        yield await connection.execution_options(isolation_level="AUTOCOMMIT")


async def search(connection: AsyncConnection, query: SearchQuery, *, nearby: SearchQuery | None = None) -> SearchRows:
    """One page of the search, the number of all matches, the first `nearby.limit` matches in `nearby`'s order
    (when given) and the facets (when the query asks): one statement, whatever the filters."""
    params: dict[str, Any] = {"limit": query.limit, "offset": query.offset}
    knn = _by_position(query)
    ctes = [
        _filtered_cte(query, params, with_address=query.include_facets),
        _nearest("page", "limit", "offset")
        if _nearest_first(query)
        else f"page AS (SELECT f.* FROM filtered f ORDER BY {_order(query, knn=knn)} "
        "LIMIT CAST(:limit AS integer) OFFSET CAST(:offset AS integer))",
    ]
    if nearby is not None:
        params["nearby_limit"], params["nearby_offset"] = nearby.limit, 0
        ctes.append(
            _nearest("nearby", "nearby_limit", "nearby_offset")
            if _nearest_first(nearby)
            else f"nearby AS (SELECT f.* FROM filtered f ORDER BY {_order(nearby, knn=knn)} "
            "LIMIT CAST(:nearby_limit AS integer))"
        )
    sql = (
        f"/* marketplace:search */ {_CTE_SEPARATOR.join(ctes)}\n"
        "SELECT (SELECT count(*) FROM filtered) AS total,\n"
        f"{_summaries_json('page', _order(query, 'p', knn=knn), query)} AS items,\n"
        f"{_summaries_json('nearby', _order(nearby, 'p', knn=knn), query) if nearby is not None else 'NULL'} AS nearby,\n"
        f"{_FACETS_JSON if query.include_facets else 'NULL'} AS facets"
    )
    row = (await connection.execute(_statement(sql), params)).one()
    return SearchRows(
        items=_summaries(row.items),
        total=int(row.total),
        nearby=_summaries(row.nearby) if row.nearby is not None else None,
        facets=_facets(row.facets) if row.facets is not None else None,
    )


async def summaries_for(session: AsyncSession, org_nrs: Sequence[str]) -> dict[str, WorkshopSummary]:
    """Search rows for given workshops (favourites), keyed by org_nr."""
    if not org_nrs:
        return {}
    params: dict[str, Any] = {}
    sql = f"/* marketplace:summaries */ {_filtered_cte(None, params, org_nrs=org_nrs)}\nSELECT {_summaries_json('filtered', None, None)}"
    raw = (await run(session, _statement(sql), params)).scalar_one()
    return {summary.org_nr: summary for summary in _summaries(raw)}


# --- workshop pages and per-workshop lists (batched by org_nr for DataLoaders) ---------------------


async def workshop_row(session: AsyncSession, org_nr: str) -> Any | None:
    sql = (
        "/* marketplace:workshop */ SELECT org_nr, name, description, phone, mobile, email, homepage, "
        "logo::text AS logo, images::text AS images, average_rating, total_reviews, updated_at "
        "FROM workshops WHERE org_nr = :org_nr AND is_active"
    )
    return (await _run(session, sql, {"org_nr": org_nr})).first()


def decode_strings(raw: str | None) -> list[str]:
    if not raw:
        return []
    try:
        return [str(v) for v in msgspec.json.decode(raw) if isinstance(v, str)]
    except msgspec.DecodeError:
        return []


async def workshop_exists(session: AsyncSession, org_nr: str) -> bool:
    sql = "/* marketplace:exists */ SELECT 1 FROM workshops WHERE org_nr = :org_nr AND is_active"
    return (await _run(session, sql, {"org_nr": org_nr})).first() is not None


async def addresses_for(session: AsyncSession, org_nrs: Sequence[str]) -> dict[str, list[Address]]:
    sql = (
        "/* marketplace:addresses */ SELECT org_nr, address, postal_code, city, county, latitude, longitude "
        "FROM workshop_addresses WHERE org_nr = ANY(CAST(:o AS text[])) ORDER BY org_nr, is_primary DESC, id"
    )
    return await _per_workshop(
        session, sql, org_nrs, lambda r: Address(r.address, r.postal_code, r.city, r.county, r.latitude, r.longitude)
    )


async def contacts_for(session: AsyncSession, org_nrs: Sequence[str]) -> dict[str, list[Contact]]:
    sql = (
        "/* marketplace:contacts */ SELECT id, org_nr, email, phone, mobile, manager FROM workshop_contacts "
        "WHERE org_nr = ANY(CAST(:o AS text[])) ORDER BY org_nr, id"
    )
    return await _per_workshop(session, sql, org_nrs, lambda r: Contact(r.id, r.email, r.phone, r.mobile, r.manager))


async def workshop_categories_for(session: AsyncSession, org_nrs: Sequence[str]) -> dict[str, list[CategoryRef]]:
    sql = (
        "/* marketplace:workshop_categories_for */ SELECT l.org_nr, c.id, c.name, c.slug FROM workshop_category_links l "
        "JOIN workshop_categories c ON c.id = l.workshop_category_id WHERE l.org_nr = ANY(CAST(:o AS text[])) "
        "ORDER BY l.org_nr, c.sort_order, c.id"
    )
    return await _per_workshop(session, sql, org_nrs, lambda r: CategoryRef(r.id, r.name, r.slug))


async def services_for(session: AsyncSession, org_nrs: Sequence[str]) -> dict[str, list[ServiceItem]]:
    sql = """/* marketplace:services_for */
SELECT s.id, s.org_nr, s.title, s.description, s.price, s.estimated_time, s.images::text AS images, s.supports_walk_in,
       coalesce((SELECT json_agg(json_build_object('id', c.id, 'name', c.name, 'slug', c.slug) ORDER BY c.sort_order, c.id)
                 FROM service_category_links l JOIN service_categories c ON c.id = l.service_category_id
                 WHERE l.service_id = s.id), '[]')::text AS categories
FROM services s WHERE s.org_nr = ANY(CAST(:o AS text[])) AND s.is_active ORDER BY s.org_nr, s.price, s.id"""
    return await _per_workshop(session, sql, org_nrs, _service_item)


async def workshop_category_items_for(
    session: AsyncSession, org_nrs: Sequence[str]
) -> dict[str, list[WorkshopCategoryItem]]:
    """Each workshop's categories as whole catalogue rows (GraphQL shows them as `WorkshopCategory` objects)."""
    sql = (
        "/* marketplace:workshop_category_items_for */ SELECT l.org_nr, c.* FROM workshop_category_links l "
        "JOIN workshop_categories c ON c.id = l.workshop_category_id WHERE l.org_nr = ANY(CAST(:o AS text[])) "
        "ORDER BY l.org_nr, c.sort_order, c.id"
    )
    return await _per_workshop(session, sql, org_nrs, lambda r: _read(WorkshopCategoryItem, r))


async def services_by_id(session: AsyncSession, ids: Sequence[int]) -> dict[int, ServiceItem]:
    """Active services of active workshops by id (one statement, whatever the number of ids)."""
    sql = """/* marketplace:services_by_id */
SELECT s.id, s.org_nr, s.title, s.description, s.price, s.estimated_time, s.images::text AS images, s.supports_walk_in,
       coalesce((SELECT json_agg(json_build_object('id', c.id, 'name', c.name, 'slug', c.slug) ORDER BY c.sort_order, c.id)
                 FROM service_category_links l JOIN service_categories c ON c.id = l.service_category_id
                 WHERE l.service_id = s.id), '[]')::text AS categories
FROM services s JOIN workshops w ON w.org_nr = s.org_nr AND w.is_active
WHERE s.id = ANY(CAST(:ids AS integer[])) AND s.is_active"""
    return {r.id: _service_item(r) for r in (await _run(session, sql, {"ids": list(ids)})).all()}


def _service_item(r: Any) -> ServiceItem:
    return ServiceItem(
        service_id=r.id,
        org_nr=r.org_nr,
        title=r.title,
        description=r.description,
        price=float(r.price),
        estimated_time=float(r.estimated_time),
        images=decode_strings(r.images),
        categories=_categories_decoder.decode(r.categories),
        supports_walk_in=bool(r.supports_walk_in),
    )


async def opening_hours_for(session: AsyncSession, org_nrs: Sequence[str]) -> dict[str, list[OpeningHour]]:
    sql = (
        "/* marketplace:opening_hours_for */ SELECT org_nr, weekday, opens_at, closes_at, is_closed "
        "FROM workshop_opening_hours WHERE org_nr = ANY(CAST(:o AS text[])) ORDER BY org_nr, weekday, id"
    )
    return await _per_workshop(
        session, sql, org_nrs, lambda r: OpeningHour(r.weekday, r.opens_at, r.closes_at, bool(r.is_closed))
    )


async def public_ratings_for(
    session: AsyncSession, org_nrs: Sequence[str], limit: int = PUBLIC_RATINGS_LIMIT
) -> dict[str, list[PublicRating]]:
    """Ratings the owners chose to make public (never the private ones), newest first."""
    sql = """/* marketplace:public_ratings_for */
SELECT id, workshop_org_nr, service_title, service_rating, service_rating_message, rated_at FROM (
  SELECT b.*, row_number() OVER (PARTITION BY b.workshop_org_nr ORDER BY b.rated_at DESC NULLS LAST, b.id DESC) AS rn
  FROM bookings b
  WHERE b.workshop_org_nr = ANY(CAST(:o AS text[])) AND b.service_rating IS NOT NULL AND NOT b.private_service_rating
) r WHERE rn <= CAST(:n AS integer) ORDER BY workshop_org_nr, rn"""
    return await _per_workshop(
        session,
        sql,
        org_nrs,
        lambda r: PublicRating(
            booking_id=r.id,
            service_title=r.service_title,
            service_rating=float(r.service_rating),
            service_rating_message=r.service_rating_message,
            rated_at=r.rated_at,
        ),
        key="workshop_org_nr",
        params={"n": limit},
    )


# --- categories and brands ---------------------------------------------------------------------------


async def workshop_categories(
    session: AsyncSession,
    *,
    ids: Sequence[int] = (),
    include_inactive: bool = False,
    q: str | None = None,
    with_counts: bool = False,
    descending: bool = False,
) -> list[WorkshopCategoryItem]:
    where = ["true"]
    params: dict[str, Any] = {}
    if ids:
        where.append("c.id = ANY(CAST(:ids AS integer[]))")
        params["ids"] = list(ids)
    if not include_inactive:
        where.append("c.is_active")
    if q:
        where.append(
            "(marketplace_unaccent(lower(c.name)) LIKE marketplace_unaccent(CAST(:q AS text)) "
            "OR lower(c.slug) LIKE CAST(:q AS text))"
        )
        params["q"] = _like_pattern(q)
    count = (
        (
            "(SELECT count(*) FROM workshop_category_links l JOIN workshops w ON w.org_nr = l.org_nr AND w.is_active "
            "WHERE l.workshop_category_id = c.id)"
        )
        if with_counts
        else "NULL"
    )
    sql = (
        f"/* marketplace:workshop_categories */ SELECT c.*, {count} AS n FROM workshop_categories c "
        f"WHERE {' AND '.join(where)} ORDER BY c.id {'DESC' if descending else 'ASC'}"
    )
    return [_read(WorkshopCategoryItem, r, shops_count=r.n) for r in (await _run(session, sql, params)).all()]


async def service_categories(
    session: AsyncSession, *, ids: Sequence[int] = (), include_inactive: bool = False, with_counts: bool = False
) -> list[ServiceCategoryItem]:
    """Every service category, or those of `ids` (the caller filters and shapes; the table is small)."""
    count = (
        (
            "(SELECT count(*) FROM service_category_links l JOIN services s ON s.id = l.service_id AND s.is_active "
            "JOIN workshops w ON w.org_nr = s.org_nr AND w.is_active WHERE l.service_category_id = c.id)"
        )
        if with_counts
        else "NULL"
    )
    where = ["true" if include_inactive else "c.is_active"]
    params: dict[str, Any] = {}
    if ids:
        where.append("c.id = ANY(CAST(:ids AS integer[]))")
        params["ids"] = list(ids)
    sql = (
        f"/* marketplace:service_categories */ SELECT c.*, {count} AS n FROM service_categories c "
        f"WHERE {' AND '.join(where)} ORDER BY c.id"
    )
    return [
        _read(ServiceCategoryItem, r, level=max(0, int(r.level) - 1), services_count=r.n)
        for r in (await _run(session, sql, params)).all()
    ]


async def car_brands_by_id(session: AsyncSession, ids: Sequence[int]) -> dict[int, CarBrandItem]:
    sql = "/* marketplace:car_brands_by_id */ SELECT id, name, slug, car_logo, created_at FROM car_brands WHERE id = ANY(CAST(:ids AS integer[]))"
    rows = (await _run(session, sql, {"ids": list(ids)})).all()
    return {r.id: CarBrandItem(r.id, r.name, r.slug, r.car_logo, r.created_at) for r in rows}


async def car_brands(session: AsyncSession) -> list[CarBrandItem]:
    sql = "/* marketplace:car_brands */ SELECT id, name, slug, car_logo, created_at FROM car_brands ORDER BY lower(name), id"
    return [CarBrandItem(r.id, r.name, r.slug, r.car_logo, r.created_at) for r in (await _run(session, sql)).all()]


# --- favourites -------------------------------------------------------------------------------------


async def favourite_rows(session: AsyncSession, owner_id: int) -> list[tuple[str, datetime]]:
    sql = (
        "/* marketplace:favourites */ SELECT f.org_nr, f.created_at FROM favourites f "
        "JOIN workshops w ON w.org_nr = f.org_nr AND w.is_active WHERE f.owner_id = :owner ORDER BY f.created_at DESC, f.org_nr"
    )
    return [(r.org_nr, r.created_at) for r in (await _run(session, sql, {"owner": owner_id})).all()]


async def favourite_set(session: AsyncSession, owner_id: int, org_nrs: Iterable[str]) -> set[str]:
    wanted = list(dict.fromkeys(org_nrs))
    if not wanted:
        return set()
    sql = (
        "/* marketplace:favourite_set */ SELECT org_nr FROM favourites "
        "WHERE owner_id = :owner AND org_nr = ANY(CAST(:o AS text[]))"
    )
    return {r.org_nr for r in (await _run(session, sql, {"owner": owner_id, "o": wanted})).all()}


async def favourite_org_nrs(session: AsyncSession, owner_id: int) -> set[str]:
    """Every organisation number the owner has as a favourite."""
    sql = "/* marketplace:favourite_org_nrs */ SELECT org_nr FROM favourites WHERE owner_id = :owner"
    return {r.org_nr for r in (await _run(session, sql, {"owner": owner_id})).all()}


async def add_favourite(session: AsyncSession, owner_id: int, org_nr: str) -> bool:
    """True when added, False when it was already a favourite."""
    sql = (
        "/* marketplace:add_favourite */ INSERT INTO favourites (owner_id, org_nr, created_at) VALUES (:owner, :org, now()) "
        "ON CONFLICT DO NOTHING RETURNING org_nr"
    )
    return (await _run(session, sql, {"owner": owner_id, "org": org_nr})).first() is not None


async def remove_favourite(session: AsyncSession, owner_id: int, org_nr: str) -> bool:
    sql = "/* marketplace:remove_favourite */ DELETE FROM favourites WHERE owner_id = :owner AND org_nr = :org RETURNING org_nr"
    return (await _run(session, sql, {"owner": owner_id, "org": org_nr})).first() is not None
