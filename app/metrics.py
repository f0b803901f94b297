"""Prometheus metrics, exposed at /metrics."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter("minbil_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=REGISTRY)
REQUEST_LATENCY = Histogram(
    "minbil_http_request_seconds", "HTTP request latency", ["method", "route"], registry=REGISTRY
)
CACHE_EVENTS = Counter(
    "minbil_cache_events_total", "Marketplace cache hits and misses", ["cache", "result"], registry=REGISTRY
)
EVENTS_PUBLISHED = Counter(
    "minbil_events_published_total", "Domain events published to the channel layer", registry=REGISTRY
)
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


def render_metrics() -> tuple[bytes, str]:
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
