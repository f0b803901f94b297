"""Traces (OpenTelemetry), on when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: `setup_tracing` is the one entry point.

Off, it returns at once and nothing of OpenTelemetry is imported (it lives in `app/infra/otel.py`): no
middleware, no extension, no instrumentation, and outbox events keep a NULL `traceparent`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app import tracing

if TYPE_CHECKING:
    import strawberry
    from litestar.config.app import AppConfig

    from app.settings import Settings


def tracing_enabled(settings: Settings, exporter: Any = None) -> bool:
    return bool(settings.otel_exporter_otlp_endpoint) or exporter is not None


def setup_tracing(
    settings: Settings, app_config: AppConfig, *, schema: strawberry.Schema | None = None, exporter: Any = None
) -> AppConfig:
    """A Litestar `on_app_init` hook. On: the server span around the router (inside the request-id middleware,
    which wraps the whole app), Strawberry's spans on `schema`, and, while the app runs, asyncpg, Redis and
    httpx spans and the outbox trace hooks. `exporter` (an OpenTelemetry `SpanExporter`, for tests) receives
    the spans as they end, besides or instead of the OTLP endpoint."""
    if not tracing_enabled(settings, exporter):
        return app_config
    from app.infra import otel

    provider = otel.tracer_provider(settings.otel_service_name, settings.otel_exporter_otlp_endpoint, exporter)
    app_config.plugins.append(otel.litestar_plugin(provider))
    if schema is not None:
        schema.extensions = (*schema.extensions, otel.strawberry_extension(provider))

    def start() -> None:
        otel.instrument(provider)
        tracing.install(otel.OutboxTraceHooks(provider))

    def stop() -> None:
        tracing.install(None)
        otel.uninstrument()
        provider.shutdown()  # exports what the batch still holds

    app_config.on_startup.append(start)
    app_config.on_shutdown.append(stop)
    return app_config
