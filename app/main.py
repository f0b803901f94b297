"""The composition root: `create_app()` wires settings, services, both faces and the docs."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from litestar import Litestar, Router
from litestar.config.app import AppConfig
from litestar.config.cors import CORSConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from app.infra.tracing import setup_tracing
from app.logging_setup import configure_logging, flush_log_handlers
from app.middleware import around_app
from app.ops import OPS_ROUTES
from app.proxies import trust_proxies
from app.settings import Settings, get_settings
from app.static_assets import static_files_router, swagger_plugin
from app.wiring import build_services
from graphql_api.controller import build_graphql_controller
from graphql_api.schema import build_schema
from rest.boundary import check_input
from rest.errors import exception_handler
from rest.openapi import developer_only, document_error_responses, openapi_tags
from rest.router import build_media_router, build_rest_router

OPENAPI_PATH = "/api/co/schema"

log = logging.getLogger("minbil.startup")


def _openapi_config(settings: Settings) -> OpenAPIConfig:
    """Development: Swagger UI and the document, open. Production: no Swagger UI, and the document (JSON) only
    for developer keys, like GraphQL introspection; clients are generated from a development build or with a key."""
    if settings.production:
        docs: dict[str, Any] = {
            "render_plugins": [JsonRenderPlugin()],
            "openapi_router": Router(
                OPENAPI_PATH, route_handlers=[], include_in_schema=False, guards=[developer_only(settings)]
            ),
        }
    else:
        docs = {"path": OPENAPI_PATH, "render_plugins": [swagger_plugin()]}
    return OpenAPIConfig(
        title="MinBil Car Owner API V1",
        version="development-environment",
        **docs,
        components=Components(
            security_schemes={
                "BearerAuth": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
                "APIKey": SecurityScheme(type="apiKey", name="x-api-key", security_scheme_in="header"),
            }
        ),
        security=[{"BearerAuth": []}],
        tags=openapi_tags(),
        use_handler_docstrings=False,
    )


class MinBil(Litestar):
    @staticmethod
    def _patch_opentelemetry_middleware(config: AppConfig) -> AppConfig:
        """Litestar imports its OpenTelemetry plugin, and with it OpenTelemetry, on every build when the package
        is installed; `setup_tracing` adds the plugin itself when traces are on, so the import is skipped."""
        return config


_frozen = False
# young objects allocated between two collections of the youngest generation (CPython's default: 700). A
# request allocates thousands (rows, structs, SQLAlchemy's per-statement objects) that are freed by their
# counts, not by the collector, so at 700 it ran several times per request for nothing: 4-5% of an uncached
# search's CPU (A/B, two servers side by side, both orders). Cycles are rare here; they wait a little longer.
YOUNG_COLLECTION_THRESHOLD = 10_000


def freeze_startup_objects() -> None:
    """Leave what exists once the app has started (modules, schemas, the route table, pools) out of every
    future cyclic garbage collection, once per process. Under load the oldest generation was scanned with all
    of it every few seconds: 75-170 ms with the event loop stopped (the GraphQL search's p99 at 126 ms, its
    p50 at 7 ms). These objects live as long as the process, so the collector has nothing to find in them."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()  # what start-up left unreachable goes now, not into the permanent generation
        gc.freeze()
        _, older, oldest = gc.get_threshold()
        gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, older, oldest)


def create_app(settings: Settings | None = None, *, span_exporter: Any = None) -> Litestar:
    """The app. `span_exporter` (an OpenTelemetry `SpanExporter`) turns traces on without an OTLP endpoint: tests
    read the spans from an in-memory exporter."""
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format_choice)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with build_services(settings, migrate=settings.embedded) as services:
            app.state.services = services
            for name, consequence in services.missing_providers:  # once per start, not per request
                log.warning("%s not configured: %s", name, consequence)
            freeze_startup_objects()
            try:
                yield
            finally:
                flush_log_handlers()  # the last requests' lines, before the server's process ends

    schema = build_schema(settings)
    app = MinBil(
        route_handlers=[
            *OPS_ROUTES,
            static_files_router(before_request=check_input),
            build_rest_router(),
            build_media_router(),
            build_graphql_controller(schema, settings),
        ],
        on_app_init=[partial(setup_tracing, settings, schema=schema, exporter=span_exporter)],
        lifespan=[lifespan],
        exception_handlers={Exception: exception_handler},
        cors_config=CORSConfig(
            allow_origins=list(settings.cors_origins),
            allow_credentials=True,
            expose_headers=["X-Request-ID", "Retry-After", "ETag", "X-Cache"],
        )
        if settings.cors_origins
        else None,
        openapi_config=_openapi_config(settings),
        debug=False,
        logging_config=None,  # logging is configured once, by configure_logging (request ids in every line)
    )
    document_error_responses(app.routes)
    # request ids, access log and metrics around the router (not as route middleware: app/middleware.py), and
    # the client address from trusted proxies around those; the server span (traces on) is inside, so the
    # request id is known when it starts
    app.asgi_handler = trust_proxies(settings, around_app(app.asgi_handler))
    return app
