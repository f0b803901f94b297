"""The request counter and latency histogram: what a scrape shows of the requests counted."""

from __future__ import annotations

import re

from prometheus_client import CollectorRegistry, generate_latest

from app.metrics import RequestMetrics


def _scrape(metrics: RequestMetrics) -> str:
    registry = CollectorRegistry()
    registry.register(metrics)
    return generate_latest(registry).decode()


def _sample(text: str, name: str, labels: str) -> float:
    found = re.search(rf"^{re.escape(name)}\{{{re.escape(labels)}\}} (\S+)$", text, re.M)
    assert found, f"{name}{{{labels}}} not in\n{text}"
    return float(found.group(1))


def test_requests_are_counted_per_method_route_and_status() -> None:
    metrics = RequestMetrics()
    for status in (200, 200, 404):
        metrics.observe("GET", "/health", status, 0.001)
    metrics.observe("POST", "/graphql", 200, 0.001)
    text = _scrape(metrics)
    assert "# TYPE minbil_http_requests_total counter" in text
    assert _sample(text, "minbil_http_requests_total", 'method="GET",route="/health",status="200"') == 2
    assert _sample(text, "minbil_http_requests_total", 'method="GET",route="/health",status="404"') == 1
    assert _sample(text, "minbil_http_requests_total", 'method="POST",route="/graphql",status="200"') == 1


def test_durations_fall_in_cumulative_le_buckets_with_count_and_sum() -> None:
    metrics = RequestMetrics()
    for seconds in (0.003, 0.005, 0.2, 30.0):  # 0.005 is on a bound: `le` includes it
        metrics.observe("GET", "/health", 200, seconds)
    text = _scrape(metrics)
    assert "# TYPE minbil_http_request_seconds histogram" in text

    def bucket(le: str) -> float:
        return _sample(text, "minbil_http_request_seconds_bucket", f'le="{le}",method="GET",route="/health"')

    assert (bucket("0.005"), bucket("0.01"), bucket("0.25"), bucket("10.0"), bucket("+Inf")) == (2, 2, 3, 3, 4)
    assert _sample(text, "minbil_http_request_seconds_count", 'method="GET",route="/health"') == 4
    assert _sample(text, "minbil_http_request_seconds_sum", 'method="GET",route="/health"') == 30.208
