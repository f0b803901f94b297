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


def render_metrics() -> tuple[bytes, str]:
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
