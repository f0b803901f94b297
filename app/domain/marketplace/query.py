"""Parsing and normalising marketplace search input.

Every transport turns its input into one `SearchQuery`: parameter order, CSV versus repeated values,
defaults and aliases (`radius_km`, `radius`, `main_category_ids`, ...) are resolved here, so equal
searches give equal structs and therefore one cache key.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from app.errors import ValidationFailed
from db.read_models.marketplace import DEFAULT_PAGE_SIZE, SearchQuery

MAX_PAGE_SIZE = 100
MAX_RADIUS_KM = 20_000.0
LOCATION_DEFAULT_RADIUS_KM = 6.0
LOCATION_MAX_RADIUS_KM = 50.0
NEARBY_TOP_SIZE = 10
SORTS = ("name", "rating", "distance", "price", "relevance")
DEFAULT_ORDER = {"name": "asc", "rating": "desc", "distance": "asc", "price": "asc", "relevance": "desc"}
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}

Params = Mapping[str, Sequence[str]]


# --- raw value parsing -------------------------------------------------------------------------


def values(params: Params, *names: str) -> list[str]:
    """Every value of the given names, CSV-split, stripped, empty ones dropped."""
    found: list[str] = []
    for name in names:
        for raw in params.get(name, ()):
            found.extend(part.strip() for part in str(raw).split(",") if part.strip())
    return found


def single(params: Params, *names: str) -> str | None:
    for name in names:
        raw = params.get(name)
        if raw:
            value = str(raw[-1]).strip()
            if value:
                return value
    return None


def parse_ids(raw: Iterable[str], field: str) -> tuple[int, ...]:
    ids: set[int] = set()
    for item in raw:
        if not item.isdigit() or len(item) > 9:
            raise ValidationFailed(f"{field} must be a list of positive integer ids.", fields={field: "invalid_id"})
        value = int(item)
        if value <= 0:
            raise ValidationFailed(f"{field} must be a list of positive integer ids.", fields={field: "invalid_id"})
        ids.add(value)
    return tuple(sorted(ids))


def parse_float(raw: str | None, field: str, *, low: float | None = None, high: float | None = None) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValidationFailed(f"{field} must be a number.", fields={field: "not_a_number"}) from None
    if not math.isfinite(value):
        raise ValidationFailed(f"{field} must be a number.", fields={field: "not_a_number"})
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValidationFailed(f"{field} must be {_bounds(low, high)}.", fields={field: "out_of_range"})
    return value


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"between {low:g} and {high:g}"
    return f"at least {low:g}" if low is not None else f"at most {high:g}"


def parse_int(raw: str | None, field: str, *, default: int, low: int = 1) -> int:
    if raw is None:
        return default
    if not raw.lstrip("-").isdigit() or len(raw) > 9:
        raise ValidationFailed(f"{field} must be an integer.", fields={field: "not_an_integer"})
    value = int(raw)
    if value < low:
        raise ValidationFailed(f"{field} must be at least {low}.", fields={field: "out_of_range"})
    return value


def parse_bool(raw: str | None, field: str, *, default: bool = False) -> bool:
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise ValidationFailed(f"{field} must be true or false.", fields={field: "not_a_boolean"})


def parse_text(raw: str | None, field: str = "q") -> str | None:
    if raw is None:
        return None
    text = " ".join(raw.split())
    if not text:
        return None
    if len(text) > 200:
        raise ValidationFailed(f"{field} must be at most 200 characters.", fields={field: "too_long"})
    return text


def _names(raw: Iterable[str], field: str) -> tuple[str, ...]:
    cleaned: set[str] = set()
    for item in raw:
        text = " ".join(item.split()).lower()
        if len(text) > 100:
            raise ValidationFailed(f"{field} values must be at most 100 characters.", fields={field: "too_long"})
        cleaned.add(text)
    return tuple(sorted(cleaned))


# --- building the query ---------------------------------------------------------------------------


def build_query(
    *,
    q: str | None = None,
    text_scope: str = "workshop",
    workshop_category_ids: Iterable[str] = (),
    service_category_ids: Iterable[str] = (),
    workshop_category_field: str = "workshop_category_id",
    service_category_field: str = "service_category_id",
    cities: Iterable[str] = (),
    counties: Iterable[str] = (),
    postal_code: str | None = None,
    min_rating: str | None = None,
    price_min: str | None = None,
    price_max: str | None = None,
    lat: str | None = None,
    lng: str | None = None,
    max_distance_km: str | None = None,
    distance_field: str = "max_distance_km",
    max_radius_km: float = MAX_RADIUS_KM,
    open_now: str | None = None,
    layout: str | None = None,
    include_facets: str | None = None,
    sort: str | None = None,
    order: str | None = None,
    default_order: str | None = None,
    page: str | None = None,
    page_size: str | None = None,
    offset: int | None = None,
    now_minute: tuple[int, int] | None = None,
) -> SearchQuery:
    """Validate raw (string) input and return the canonical query. Raises `ValidationFailed` naming the field."""
    text = parse_text(q)
    lat_v = parse_float(lat, "lat", low=-90, high=90)
    lng_v = parse_float(lng, "lng", low=-180, high=180)
    if (lat_v is None) != (lng_v is None):
        missing = "lng" if lng_v is None else "lat"
        raise ValidationFailed(
            "lat and lng must be given together.",
            fields={missing: "required_with_" + ("lat" if missing == "lng" else "lng")},
        )
    distance = parse_float(max_distance_km, distance_field, low=0)
    if distance is not None:
        if distance <= 0:
            raise ValidationFailed(f"{distance_field} must be greater than 0.", fields={distance_field: "out_of_range"})
        if lat_v is None:
            raise ValidationFailed(
                f"{distance_field} needs lat and lng.", fields={"lat": "required_with_" + distance_field}
            )
        distance = min(distance, max_radius_km)
    rating = parse_float(min_rating, "min_rating", low=0, high=5)
    p_min = parse_float(price_min, "price_min", low=0)
    p_max = parse_float(price_max, "price_max", low=0)
    if p_min is not None and p_max is not None and p_min > p_max:
        raise ValidationFailed("price_min must not exceed price_max.", fields={"price_min": "greater_than_price_max"})
    pc = None
    if postal_code is not None and postal_code.strip():
        pc = postal_code.strip()
        if not (pc.isdigit() and len(pc) == 4):
            raise ValidationFailed("postal_code must be 4 digits.", fields={"postal_code": "invalid"})
    layout_v = (layout or "").strip().lower()
    if layout_v not in ("", "market", "list", "default"):
        raise ValidationFailed("layout must be 'market'.", fields={"layout": "invalid"})
    is_open = parse_bool(open_now, "open_now")

    sort_v = (sort or "").strip().lower()
    if sort_v and sort_v not in SORTS:
        raise ValidationFailed(f"sort must be one of {', '.join(SORTS)}.", fields={"sort": "invalid"})
    if sort_v == "distance" and lat_v is None:
        raise ValidationFailed("sort=distance needs lat and lng.", fields={"lat": "required_with_sort_distance"})
    if sort_v == "relevance" and text is None:
        sort_v = ""
    if not sort_v:
        sort_v = "distance" if lat_v is not None else ("relevance" if text else "name")
    order_v = (order or "").strip().lower()
    if order_v and order_v not in ("asc", "desc"):
        raise ValidationFailed("order must be asc or desc.", fields={"order": "invalid"})
    order_v = order_v or default_order or DEFAULT_ORDER[sort_v]

    size = min(parse_int(page_size, "page_size", default=DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
    if offset is None:
        page_v = parse_int(page, "page", default=1)
        if page_v > 1_000_000:
            raise ValidationFailed("page is too large.", fields={"page": "out_of_range"})
        offset = (page_v - 1) * size
    return SearchQuery(
        q=text,
        text_scope=text_scope if text else "workshop",
        workshop_category_ids=parse_ids(workshop_category_ids, workshop_category_field),
        service_category_ids=parse_ids(service_category_ids, service_category_field),
        cities=_names(cities, "city"),
        counties=_names(counties, "county"),
        postal_code=pc,
        min_rating=rating or None,
        price_min=p_min,
        price_max=p_max,
        lat=round(lat_v, 5) if lat_v is not None else None,
        lng=round(lng_v, 5) if lng_v is not None else None,
        max_distance_km=distance,
        open_now=is_open,
        open_at=now_minute if is_open else None,
        market_layout=layout_v == "market",
        include_facets=parse_bool(include_facets, "include_facets"),
        sort=sort_v,
        order=order_v,
        offset=offset,
        limit=size,
    )


def shops_query(params: Params, now_minute: tuple[int, int]) -> SearchQuery:
    """`GET /shops` and `/marketplace/shops`."""
    return build_query(
        q=single(params, "q"),
        workshop_category_ids=values(params, "workshop_category_id"),
        service_category_ids=values(params, "service_category_id"),
        cities=values(params, "city"),
        counties=values(params, "county"),
        postal_code=single(params, "postal_code"),
        min_rating=single(params, "min_rating"),
        price_min=single(params, "price_min"),
        price_max=single(params, "price_max"),
        lat=single(params, "lat"),
        lng=single(params, "lng"),
        max_distance_km=single(params, "max_distance_km", "radius_km"),
        distance_field="max_distance_km" if single(params, "max_distance_km") else "radius_km",
        open_now=single(params, "open_now"),
        layout=single(params, "layout"),
        include_facets=single(params, "include_facets"),
        sort=single(params, "sort"),
        order=single(params, "order"),
        page=single(params, "page"),
        page_size=single(params, "page_size"),
        now_minute=now_minute,
    )


def filters_query(params: Params, now_minute: tuple[int, int]) -> SearchQuery:
    """`GET /filters`: the legacy composite filter (order defaults to asc, as documented)."""
    return build_query(
        q=single(params, "q"),
        text_scope="wide",
        workshop_category_ids=values(params, "main_category_ids"),
        service_category_ids=values(params, "sub_category_ids"),
        workshop_category_field="main_category_ids",
        service_category_field="sub_category_ids",
        min_rating=single(params, "min_rating"),
        price_min=single(params, "price_min"),
        price_max=single(params, "price_max"),
        lat=single(params, "lat"),
        lng=single(params, "lng"),
        max_distance_km=single(params, "radius"),
        distance_field="radius",
        sort=single(params, "sort"),
        order=single(params, "order"),
        default_order="asc",
        page=single(params, "page"),
        page_size=single(params, "page_size"),
        now_minute=now_minute,
    )


def categories_query(params: Params, *, service_categories: bool, now_minute: tuple[int, int]) -> SearchQuery:
    """`/filters/filterByCategories` (workshop categories) and `/filters/filterByHierarchicalCategories`."""
    raw = values(params, "categories")
    if not raw:
        raise ValidationFailed("categories is required.", fields={"categories": "required"})
    return build_query(
        workshop_category_ids=() if service_categories else raw,
        service_category_ids=raw if service_categories else (),
        workshop_category_field="categories",
        service_category_field="categories",
        page=single(params, "page"),
        page_size=single(params, "page_size"),
        now_minute=now_minute,
    )


def location_query(params: Params, now_minute: tuple[int, int]) -> SearchQuery:
    """`/filters/location`: lat and lng required, radius default 6 km, at most 50 km (larger values are clamped)."""
    lat, lng = single(params, "lat"), single(params, "lng")
    if lat is None or lng is None:
        missing = "lat" if lat is None else "lng"
        raise ValidationFailed(f"{missing} is required.", fields={missing: "required"})
    return build_query(
        lat=lat,
        lng=lng,
        max_distance_km=single(params, "radius") or str(LOCATION_DEFAULT_RADIUS_KM),
        distance_field="radius",
        max_radius_km=LOCATION_MAX_RADIUS_KM,
        sort="distance",
        page=single(params, "page"),
        page_size=single(params, "page_size"),
        now_minute=now_minute,
    )


def text_search_query(params: Params, now_minute: tuple[int, int]) -> SearchQuery:
    """`/filters/search`: `q` or `query` over workshops, addresses, services and service categories."""
    text = single(params, "q", "query")
    if parse_text(text) is None:
        raise ValidationFailed("q (or query) is required.", fields={"q": "required"})
    return build_query(
        q=text,
        text_scope="wide",
        page=single(params, "page"),
        page_size=single(params, "page_size") or "50",
        now_minute=now_minute,
    )


def query_params(query: SearchQuery, *, page: int | None = None) -> list[tuple[str, str]]:
    """The canonical `/shops` query string of a search (for pagination links that keep the filters)."""
    items: list[tuple[str, str]] = []
    if query.q:
        items.append(("q", query.q))
    if query.workshop_category_ids:
        items.append(("workshop_category_id", ",".join(map(str, query.workshop_category_ids))))
    if query.service_category_ids:
        items.append(("service_category_id", ",".join(map(str, query.service_category_ids))))
    items.extend(("city", city) for city in query.cities)
    items.extend(("county", county) for county in query.counties)
    if query.postal_code:
        items.append(("postal_code", query.postal_code))
    for name in ("min_rating", "price_min", "price_max", "lat", "lng", "max_distance_km"):
        value = getattr(query, name)
        if value is not None:
            items.append((name, f"{value:g}"))
    if query.open_now:
        items.append(("open_now", "true"))
    if query.market_layout:
        items.append(("layout", "market"))
    if query.include_facets:
        items.append(("include_facets", "true"))
    items.append(("sort", query.sort))
    items.append(("order", query.order))
    items.append(("page", str(page if page is not None else query.page)))
    items.append(("page_size", str(query.limit)))
    return items


def graphql_query(
    filter_: Mapping[str, Any],
    *,
    sort: str | None,
    order: str | None,
    first: int,
    offset: int,
    now_minute: tuple[int, int],
    include_facets: bool = False,
) -> SearchQuery:
    """GraphQL `workshops(filter:, sort:, first:, after:)`: typed input converted through the same rules."""

    def s(value: Any) -> str | None:
        return None if value is None else (("true" if value else "false") if isinstance(value, bool) else str(value))

    if first < 1:
        raise ValidationFailed("first must be at least 1.", fields={"first": "out_of_range"})
    return build_query(
        q=s(filter_.get("q")),
        workshop_category_ids=[str(v) for v in filter_.get("workshop_category_ids") or ()],
        service_category_ids=[str(v) for v in filter_.get("service_category_ids") or ()],
        cities=[str(v) for v in filter_.get("cities") or ()],
        counties=[str(v) for v in filter_.get("counties") or ()],
        postal_code=s(filter_.get("postal_code")),
        min_rating=s(filter_.get("min_rating")),
        price_min=s(filter_.get("price_min")),
        price_max=s(filter_.get("price_max")),
        lat=s(filter_.get("lat")),
        lng=s(filter_.get("lng")),
        max_distance_km=s(filter_.get("max_distance_km")),
        open_now=s(filter_.get("open_now")),
        include_facets="true" if include_facets else None,
        sort=sort,
        order=order,
        page_size=str(first),
        offset=offset,
        now_minute=now_minute,
    )
