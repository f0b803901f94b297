"""Operational routes: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio

from litestar import MediaType, Response, get
from litestar.datastructures import State
from sqlalchemy import text

from app.metrics import render_metrics
from app.realtime.gauges import ScrapeGauges
from app.services import Services

HEALTHY = b'{"status":"ok"}'


@get("/health", include_in_schema=False, media_type=MediaType.JSON, sync_to_thread=False)
def health() -> Response[bytes]:
    return Response(HEALTHY, media_type=MediaType.JSON)


@get("/ready", include_in_schema=False, media_type=MediaType.JSON)
async def ready(state: State) -> Response[dict[str, object]]:
    services: Services = state.services
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(2):
            async with services.engine.connect() as connection:
                await connection.execute(text("select 1"))
        checks["postgres"] = "ok"
    except Exception as exc:  # readiness reports, it does not raise
        checks["postgres"] = f"error: {type(exc).__name__}"
    checks["redis"] = "ok" if await services.kv.ping() else "error"
    if not services.kv.shared:
        checks["redis"] = "in-process"
    healthy = all(value in ("ok", "in-process") for value in checks.values())
    return Response(
        {"status": "ready" if healthy else "unavailable", "checks": checks}, status_code=200 if healthy else 503
    )


@get("/metrics", include_in_schema=False)
async def metrics(state: State) -> Response[bytes]:
    gauges: ScrapeGauges | None = state.get("scrape_gauges")
    if gauges is None:
        services: Services = state.services
        gauges = state.scrape_gauges = ScrapeGauges(services.engine)
    await gauges.refresh()
    body, content_type = render_metrics()
    return Response(body, media_type=content_type)


OPS_ROUTES = [health, ready, metrics]
