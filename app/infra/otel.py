"""The OpenTelemetry side of traces; imported by `app/infra/tracing.py` only when traces are on.

One tracer provider per app (never the global one: tests build several apps in one process), handed to
every instrumentation: Litestar's ASGI middleware (the server span, named after the route), Strawberry's
extension, asyncpg, Redis and httpx. A span processor copies the request id onto every span started while a
request is in scope. `OutboxTraceHooks` carries a trace across the outbox (`app/tracing.py`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import msgspec
from litestar.plugins.opentelemetry import (
    OpenTelemetryConfig,
    OpenTelemetryInstrumentationMiddleware,
    OpenTelemetryPlugin,
)
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.semconv.attributes.http_attributes import HTTP_ROUTE
from opentelemetry.trace import Link, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from strawberry.extensions.tracing import OpenTelemetryExtension

from app.domain.events.envelope import EventEnvelope
from app.middleware import route_label
from app.request_context import request_id_var

REQUEST_ID_ATTRIBUTE = "minbil.request_id"
TRACEPARENT = "traceparent"

_propagator = TraceContextTextMapPropagator()


class RequestIdSpanProcessor(SpanProcessor):
    """Puts the request id (set by `app/middleware.py` before any span of the request starts) on each span."""

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        request_id = request_id_var.get()
        if request_id is not None:
            span.set_attribute(REQUEST_ID_ATTRIBUTE, request_id)

    def on_end(self, span: ReadableSpan) -> None:
        pass


def tracer_provider(service_name: str, otlp_endpoint: str | None, exporter: SpanExporter | None) -> TracerProvider:
    """Spans go to `exporter` when given (as they end: tests read them), else to the OTLP endpoint in batches."""
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
    provider.add_span_processor(RequestIdSpanProcessor())
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # the variable names the collector's base address; the signal's path is added as its spec says
        traces_url = otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=traces_url)))
    return provider


def _traceparent(ctx: Context | None = None) -> str | None:
    carrier: dict[str, str] = {}
    _propagator.inject(carrier, context=ctx)
    return carrier.get(TRACEPARENT)


def _parent(traceparent: str | None) -> Context | None:
    """The context that continues `traceparent`; None (the current one) without it."""
    return _propagator.extract({TRACEPARENT: traceparent}) if traceparent else None


def _event_attributes(event: EventEnvelope) -> dict[str, Any]:
    return {"minbil.event.id": event.id, "minbil.event.seq": event.seq, "minbil.event.type": event.type}


class OutboxTraceHooks:
    """The `app.tracing.TraceHooks` of a tracer: write -> publish -> deliver in one trace."""

    def __init__(self, provider: TracerProvider) -> None:
        self.tracer = provider.get_tracer("minbil.realtime")

    def traceparent(self) -> str | None:
        if not trace.get_current_span().get_span_context().is_valid:
            return None
        return _traceparent()

    @contextmanager
    def publishing(self, events: Sequence[EventEnvelope]) -> Iterator[list[EventEnvelope]]:
        spans = [
            self.tracer.start_span(
                f"publish {event.type}",
                context=_parent(event.traceparent),
                kind=SpanKind.PRODUCER,
                attributes=_event_attributes(event),
            )
            for event in events
        ]
        traced = [
            msgspec.structs.replace(event, traceparent=_traceparent(trace.set_span_in_context(span)))
            for event, span in zip(events, spans, strict=True)
        ]
        try:
            # one batch goes out in one Redis round trip: its spans join the first event's trace
            token = otel_context.attach(trace.set_span_in_context(spans[0])) if spans else None
            try:
                yield traced
            finally:
                if token is not None:
                    otel_context.detach(token)
        except BaseException as exc:
            for span in spans:
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise
        finally:
            for span in spans:
                span.end()

    @contextmanager
    def delivering(self, event: EventEnvelope, field: str) -> Iterator[None]:
        parent = _parent(event.traceparent)
        # a live event continues its publish span; the subscription it reached is linked
        subscription = trace.get_current_span().get_span_context()
        links = [Link(subscription)] if parent is not None and subscription.is_valid else None
        attributes = {**_event_attributes(event), "graphql.field": field}
        with self.tracer.start_as_current_span(
            f"deliver {event.type}", context=parent, kind=SpanKind.CONSUMER, attributes=attributes, links=links
        ):
            yield


def _span_details(scope: Scope) -> tuple[str, dict[str, Any]]:
    """The server span's first name: the method (the route is known once routed, see `_RouteNaming`)."""
    return str(scope.get("method") or "WEBSOCKET"), {}


class _RouteNaming:
    """Inside the server span, around the router: names the span after the matched route template when the
    response starts (the span ends with the response's last message, before the app returns)."""

    __slots__ = ("app",)

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        span = trace.get_current_span()
        if not span.is_recording():
            await self.app(scope, receive, send)
            return

        async def naming_send(message: Message) -> None:
            if message["type"] in _FIRST_MESSAGES:
                route = route_label(scope)
                span.set_attribute(HTTP_ROUTE, route)
                span.update_name(f"{scope.get('method') or 'WEBSOCKET'} {route}")
            await send(message)

        await self.app(scope, receive, naming_send)


_FIRST_MESSAGES = frozenset({"http.response.start", "websocket.accept", "websocket.close"})


class RoutedTelemetryMiddleware(OpenTelemetryInstrumentationMiddleware):
    def __init__(self, app: ASGIApp, config: OpenTelemetryConfig) -> None:
        super().__init__(_RouteNaming(app), config)


def litestar_plugin(provider: TracerProvider) -> OpenTelemetryPlugin:
    config = OpenTelemetryConfig(
        tracer_provider=provider,
        meter_provider=NoOpMeterProvider(),  # request metrics are Prometheus' (app/metrics.py)
        exclude_spans=["receive", "send"],  # a span per ASGI message (per WebSocket frame) is noise
        scope_span_details_extractor=_span_details,
        middleware_class=RoutedTelemetryMiddleware,
    )
    plugin = OpenTelemetryPlugin(config)
    # the plugin's own `middleware` ignores `config.middleware_class`; Litestar finds the plugin by its class name
    # (no subclass), and sets this attribute itself when the middleware is listed instead of the plugin
    plugin._middleware = config.middleware
    return plugin


def strawberry_extension(provider: TracerProvider) -> Any:
    return lambda: OpenTelemetryExtension(tracer_provider=provider)


_INSTRUMENTORS = (AsyncPGInstrumentor, RedisInstrumentor, HTTPXClientInstrumentor)


def instrument(provider: TracerProvider) -> None:
    """asyncpg, Redis and httpx, process-wide (their classes are patched) until `uninstrument`."""
    for instrumentor in _INSTRUMENTORS:
        instrumentor().instrument(tracer_provider=provider)


def uninstrument() -> None:
    for instrumentor in _INSTRUMENTORS:
        instrumentor().uninstrument()
