"""Prometheus metrics, exposed at /metrics."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter("minbil_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=REGISTRY)
REQUEST_LATENCY = Histogram(
    "minbil_http_request_seconds", "HTTP request latency", ["method", "route"], registry=REGISTRY
)
CACHE_EVENTS = Counter(
    "minbil_cache_events_total",
    "Marketplace cache lookups by the operation that asked (rest_shops, graphql_workshops ...) and result",
    ["operation", "result"],
    registry=REGISTRY,
)
EVENTS_PUBLISHED = Counter(
    "minbil_events_published_total", "Domain events published to the channel layer", registry=REGISTRY
)
# --- scale-out: realtime, outbox and pool gauges ---
WEBSOCKET_CONNECTIONS = Gauge(
    "minbil_websocket_connections", "Open GraphQL WebSocket connections of this process", registry=REGISTRY
)
SUBSCRIPTIONS = Gauge(
    "minbil_subscriptions_active", "Event streams of this process's subscriptions that are running", registry=REGISTRY
)
OUTBOX_LAG = Gauge(
    "minbil_outbox_lag_seconds",
    "Age of the oldest domain event not yet published (0: none waits; NaN: the database did not answer)",
    registry=REGISTRY,
)
DB_POOL_CHECKED_OUT = Gauge("minbil_db_pool_checked_out", "Connections in use", registry=REGISTRY)
DB_POOL_SIZE = Gauge("minbil_db_pool_size", "Connections the pool keeps", registry=REGISTRY)
DB_POOL_OVERFLOW = Gauge(
    "minbil_db_pool_overflow", "Connections open beyond the pool size (negative: size not reached)", registry=REGISTRY
)
DB_POOL_MAX_OVERFLOW = Gauge("minbil_db_pool_max_overflow", "Most connections beyond the pool size", registry=REGISTRY)

GRAPHQL_OPERATIONS = Counter("minbil_graphql_operations_total", "GraphQL operations", ["type"], registry=REGISTRY)

# Methods outside this set share one label: unmatched paths reach the metrics too, and a label per
# client-chosen method would let clients grow the registry without bound.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})

# `labels()` validates and looks the series up on every call; the children are kept per (method, route,
# status) instead, so a request costs two increments.
_request_series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    if method not in KNOWN_METHODS:
        method = "OTHER"
    key = (method, route, status)
    series = _request_series.get(key)
    if series is None:
        series = _request_series[key] = (
            REQUESTS.labels(method, route, str(status)),
            REQUEST_LATENCY.labels(method, route),
        )
    series[0].inc()
    series[1].observe(seconds)


class CacheMeter:
    """The cache counters of one operation, bound once: a lookup costs one increment, no label lookup."""

    __slots__ = ("bypass", "hit", "miss", "refresh")

    def __init__(self, operation: str) -> None:
        self.hit = CACHE_EVENTS.labels(operation, "hit")
        self.miss = CACHE_EVENTS.labels(operation, "miss")
        self.bypass = CACHE_EVENTS.labels(operation, "bypass")
        self.refresh = CACHE_EVENTS.labels(operation, "refresh")


_cache_meters: dict[str, CacheMeter] = {}


def cache_meter(operation: str) -> CacheMeter:
    """The meter of `operation`; callers keep it (a module constant), so series exist from the first scrape."""
    meter = _cache_meters.get(operation)
    if meter is None:
        meter = _cache_meters[operation] = CacheMeter(operation)
    return meter


def observe_pool(pool: object) -> None:
    """The pool's figures now. Pools without them (NullPool) leave the gauges as they were."""
    try:
        checked_out = pool.checkedout()  # type: ignore[attr-defined]
        size = pool.size()  # type: ignore[attr-defined]
        overflow = pool.overflow()  # type: ignore[attr-defined]
    except AttributeError:
        return
    DB_POOL_CHECKED_OUT.set(checked_out)
    DB_POOL_SIZE.set(size)
    DB_POOL_OVERFLOW.set(overflow)
    DB_POOL_MAX_OVERFLOW.set(getattr(pool, "_max_overflow", 0))


def render_metrics() -> tuple[bytes, str]:
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
