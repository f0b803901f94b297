"""Prometheus metrics, exposed at /metrics."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

REGISTRY = CollectorRegistry(auto_describe=True)


class RequestMetrics(Collector):
    """`minbil_http_requests_total` and the `minbil_http_request_seconds` histogram, counted in plain ints and
    read at scrape time.

    Every request is counted, so this is on the hot path of the cheapest ones: a prometheus_client Counter and
    Histogram took a lock per increment and walked the buckets one by one, about a tenth of what `/health`
    costs. Requests are counted on the event loop's thread, so nothing here needs a lock."""

    BOUNDS = Histogram.DEFAULT_BUCKETS  # ends with +Inf: every duration has its bucket

    def __init__(self) -> None:
        self._requests: dict[tuple[str, str, int], int] = {}
        # per (method, route): the count of each bucket (not cumulative), then the sum of the durations
        self._latency: dict[tuple[str, str], list[float]] = {}
        self._bucket_labels = [floatToGoString(b) for b in self.BOUNDS]

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        requests = self._requests
        key = (method, route, status)
        requests[key] = requests.get(key, 0) + 1
        series = self._latency.get((method, route))
        if series is None:
            series = self._latency[(method, route)] = [0] * len(self.BOUNDS) + [0.0]
        series[bisect_left(self.BOUNDS, seconds)] += 1  # `le` bounds: a duration on a bound is in its bucket
        series[-1] += seconds

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily("minbil_http_requests", "HTTP requests", labels=["method", "route", "status"])
        for (method, route, status), count in list(self._requests.items()):
            requests.add_metric([method, route, str(status)], count)
        yield requests
        latency = HistogramMetricFamily(
            "minbil_http_request_seconds", "HTTP request latency", labels=["method", "route"]
        )
        for (method, route), series in list(self._latency.items()):
            cumulative, buckets = 0.0, []
            for label, in_bucket in zip(self._bucket_labels, series, strict=False):  # the sum is left over
                cumulative += in_bucket
                buckets.append((label, cumulative))
            latency.add_metric([method, route], buckets, series[-1])
        yield latency


REQUEST_METRICS = RequestMetrics()
REGISTRY.register(REQUEST_METRICS)
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


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    if method not in KNOWN_METHODS:
        method = "OTHER"
    REQUEST_METRICS.observe(method, route, status, seconds)


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
