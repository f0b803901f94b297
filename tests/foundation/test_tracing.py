"""Traces: one trace from `POST /api/co/bookings` through SQL, Redis, the outbox relay's publication and the
subscription's delivery; nothing of OpenTelemetry when traces are off."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import httpx
from asgi_lifespan import LifespanManager
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from app import tracing
from app.infra.otel import REQUEST_ID_ATTRIBUTE
from app.main import create_app
from app.settings import Settings
from tests.conftest import asgi
from tests.factories import make_service, make_vehicle, make_workshop
from tests.realtime.harness import BOOKING_SUBSCRIPTION, GraphQLSocket, sign_up
from tests.served import serve_in_thread

ROOT = Path(__file__).resolve().parents[2]


def future_local() -> str:
    """`YYYY-MM-DD 10:00` (Oslo) on a weekday a week ahead: within the workshop's opening hours."""
    day = datetime.now(ZoneInfo("Europe/Oslo")).date() + timedelta(days=7)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return f"{day.isoformat()} 10:00"


async def _world(settings: Settings, owner_id: int) -> tuple[str, int]:
    """A workshop with a service, and a car of the owner: (org_nr, service id)."""
    engine = create_async_engine(settings.database_url or "")
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            workshop = await make_workshop(session, hours={d: (clock(8), clock(16)) for d in range(5)})
            service = await make_service(session, workshop, title="Oljeskift", price="1490")
            await make_vehicle(session, owner_id, registration_number="BT57225")
            await session.commit()
            assert service.id is not None
            return workshop.org_nr, service.id
    finally:
        await engine.dispose()


async def _wait_listening(settings: Settings, owner_id: int) -> None:
    """Until the server listens on the owner's channel: an event published before would only be replayed."""
    redis = Redis.from_url(settings.redis_url or "")
    channel = f"{settings.redis_prefix}owner:{owner_id}"
    try:
        deadline = time.monotonic() + 30
        while (await redis.pubsub_numsub(channel))[0][1] < 1:
            assert time.monotonic() < deadline, "the subscription never listened"
            await asyncio.sleep(0.05)
    finally:
        await redis.aclose()


def _post_booking(base_url: str, token: str, request_id: str, org_nr: str, service_id: int) -> dict[str, Any]:
    """Over urllib: the test's own client stays outside the trace (httpx is instrumented process-wide)."""
    body = {
        "org_nr": org_nr,
        "service_start_time": future_local(),
        "registration_number": "BT57225",
        "service_id": service_id,
    }
    request = urllib.request.Request(
        base_url + "/api/co/bookings",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "X-Request-ID": request_id},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return dict(json.loads(response.read())["data"]["items"][0])


def _scope(span: ReadableSpan) -> str:
    return span.instrumentation_scope.name if span.instrumentation_scope else ""


def _descendants(spans: list[ReadableSpan], root: ReadableSpan) -> list[ReadableSpan]:
    children: dict[int, list[ReadableSpan]] = {}
    for span in spans:
        if span.parent is not None:
            children.setdefault(span.parent.span_id, []).append(span)
    found, todo = [], [root]
    while todo:
        span = todo.pop()
        found.append(span)
        todo.extend(children.get(span.context.span_id, []))
    return found


async def _spans_until(exporter: InMemorySpanExporter, ready: Callable[[list[ReadableSpan]], bool]) -> list[Any]:
    deadline = time.monotonic() + 30
    while not ready(spans := list(exporter.get_finished_spans())):
        assert time.monotonic() < deadline, [s.name for s in spans]
        await asyncio.sleep(0.05)
    return spans


async def test_a_booking_is_one_trace_from_the_request_through_the_outbox_to_the_subscription(
    settings_factory: Callable[..., Settings],
) -> None:
    settings = settings_factory()
    exporter = InMemorySpanExporter()
    request_id = f"trace-{uuid.uuid4().hex}"
    with serve_in_thread(settings, span_exporter=exporter) as address:
        base_url = f"http://{address}"
        owner = await sign_up(base_url)
        org_nr, service_id = await _world(settings, owner["owner_id"])
        async with GraphQLSocket(f"ws://{address}/graphql", owner["access_token"]) as socket:
            await socket.subscribe("b", BOOKING_SUBSCRIPTION)
            await _wait_listening(settings, owner["owner_id"])
            created = await asyncio.to_thread(
                _post_booking, base_url, owner["access_token"], request_id, org_nr, service_id
            )
            update = (await socket.data("b", timeout=30))["bookingUpdated"]
            assert update["booking"]["databaseId"] == created["id"]
            spans = await _spans_until(exporter, lambda s: any(x.name == "deliver booking.updated" for x in s))
        assert tracing.hooks is not None  # until the server's shutdown below

    assert tracing.hooks is None  # the hooks and instrumentation end with the app
    # the spans that ended with the socket: its server span (named by the route) and Strawberry's operation
    closed = [s for s in exporter.get_finished_spans() if s.kind == SpanKind.SERVER and s.name == "WEBSOCKET /graphql"]
    assert closed and closed[0].attributes["http.route"] == "/graphql"
    assert any(
        _scope(s) == "strawberry" and s.attributes.get("component") == "graphql" for s in exporter.get_finished_spans()
    )
    server = next(
        s for s in spans if s.kind == SpanKind.SERVER and s.attributes.get(REQUEST_ID_ATTRIBUTE) == request_id
    )
    assert server.name == "POST /api/co/bookings"
    assert server.attributes["http.route"] == "/api/co/bookings"
    trace_id = server.context.trace_id
    in_trace = [s for s in spans if s.context.trace_id == trace_id]

    # the request: its SQL spans (the outbox row among them), every span of it with the request id
    outbox = {
        id(s) for p in in_trace if p.kind == SpanKind.PRODUCER for s in _descendants(in_trace, p)
    }  # the relay's publication and what follows it
    request_spans = [s for s in _descendants(in_trace, server) if id(s) not in outbox]
    assert any(
        _scope(s).endswith("asyncpg") and "INSERT INTO domain_events" in str(s.attributes.get("db.statement"))
        for s in request_spans
    )
    assert all(s.attributes.get(REQUEST_ID_ATTRIBUTE) == request_id for s in request_spans)

    # the stored event names the server span, the relay's publish span continues it ...
    publish = next(s for s in in_trace if s.name == "publish booking.updated")
    assert publish.kind == SpanKind.PRODUCER and publish.parent is not None
    assert publish.parent.span_id == server.context.span_id
    assert REQUEST_ID_ATTRIBUTE not in (publish.attributes or {})  # the relay runs outside any request
    redis_publish = [s for s in _descendants(in_trace, publish) if _scope(s).endswith("redis")]
    assert redis_publish and any("PUBLISH" in s.name or "PUBLISH" in str(s.attributes) for s in redis_publish)

    # ... and the subscription's delivery span continues the publish span, with its SQL (the booking's lookup)
    deliver = next(s for s in in_trace if s.name == "deliver booking.updated")
    assert deliver.kind == SpanKind.CONSUMER and deliver.parent is not None
    assert deliver.parent.span_id == publish.context.span_id
    assert deliver.attributes["minbil.event.type"] == "booking.updated"
    # the WebSocket's own request id: the delivery happens in that connection's scope
    socket_request_id = deliver.attributes.get(REQUEST_ID_ATTRIBUTE)
    assert socket_request_id and socket_request_id != request_id
    assert any(_scope(s).endswith("asyncpg") for s in _descendants(in_trace, deliver))
    assert deliver.links and deliver.links[0].context.is_valid  # the subscription the event reached

    assert {_scope(s).rsplit(".", 1)[-1] for s in in_trace} >= {"asyncpg", "redis"}
    engine = create_async_engine(settings.database_url or "")
    try:
        async with engine.connect() as conn:
            stored = (await conn.execute(text("SELECT traceparent FROM domain_events"))).scalars().all()
    finally:
        await engine.dispose()
    # every event of the request (the booking's, its notification's, the unread counts') names the server span
    assert len(stored) == 3
    assert {value.rsplit("-", 1)[0] for value in stored} == {f"00-{trace_id:032x}-{server.context.span_id:016x}"}


async def test_without_tracing_events_carry_no_traceparent(
    client: httpx.AsyncClient, services: Any, owner: Any
) -> None:
    assert tracing.hooks is None
    async with services.sessionmaker() as session:
        workshop = await make_workshop(session, hours={d: (clock(8), clock(16)) for d in range(5)})
        service = await make_service(session, workshop, title="Oljeskift", price="1490")
        await make_vehicle(session, owner.owner_id, registration_number="BT57225")
        await session.commit()
        body = {
            "org_nr": workshop.org_nr,
            "service_start_time": future_local(),
            "registration_number": "BT57225",
            "service_id": service.id,
        }
    response = await client.post("/api/co/bookings", json=body, headers=owner.headers)
    assert response.status_code == 200, response.text
    async with services.sessionmaker() as session:
        rows = (await session.exec(text("SELECT event_type, traceparent FROM domain_events"))).all()
    assert rows and all(traceparent is None for _, traceparent in rows)


IMPORTS_WITHOUT_TRACING = """
import sys
import redis.asyncio  # redis-py imports opentelemetry.sdk.metrics itself when it is installed
before = {m for m in sys.modules if m.startswith("opentelemetry")}
from app.main import create_app
from app.settings import load_settings
create_app(load_settings({}, environment="test", jwt_secret="x" * 40, data_dir=sys.argv[1]))
from app import tracing
added = sorted(m for m in sys.modules if m.startswith("opentelemetry") and m not in before)
ours = sorted(
    m for m in sys.modules
    if m.startswith(("litestar.plugins.opentelemetry", "strawberry.extensions.tracing", "app.infra.otel"))
)
print(added, ours, tracing.hooks)
"""

WITHOUT_OPENTELEMETRY = """
import sys
class Blocked:  # as if the otel extra were not installed
    def find_spec(self, name, path=None, target=None):
        if name == "opentelemetry" or name.startswith("opentelemetry."):
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, Blocked())
from app.main import create_app
from app.settings import load_settings
app = create_app(load_settings({}, environment="test", jwt_secret="x" * 40, data_dir=sys.argv[1]))
print(type(app).__name__, [m for m in sys.modules if m.startswith("opentelemetry")])
"""


def _run(code: str, tmp: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def test_without_the_endpoint_building_the_app_imports_nothing_of_opentelemetry(tmp_path: Path) -> None:
    assert _run(IMPORTS_WITHOUT_TRACING, tmp_path) == "[] [] None"
    assert _run(WITHOUT_OPENTELEMETRY, tmp_path) == "MinBil []"


class _Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP endpoint: keeps what arrives on /v1/traces."""

    received: ClassVar[list[tuple[str, str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def _collector() -> ThreadingHTTPServer:
    for port in range(18300, 18400):
        try:
            return ThreadingHTTPServer(("127.0.0.1", port), _Collector)
        except OSError:
            continue
    raise RuntimeError("no free port in 18300-18399")


async def test_with_the_endpoint_spans_reach_an_otlp_collector(settings_factory: Callable[..., Settings]) -> None:
    collector = _collector()
    thread = threading.Thread(target=collector.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint = f"http://127.0.0.1:{collector.server_address[1]}"
        app = create_app(settings_factory(otel_exporter_otlp_endpoint=endpoint, otel_service_name="minbil-test"))
        async with LifespanManager(asgi(app)):
            transport = httpx.ASGITransport(asgi(app))
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                response = await client.get("/ready", headers={"X-Request-ID": "otlp-check"})
                assert response.status_code == 200
        # the lifespan's end flushed the batch
    finally:
        collector.shutdown()
        collector.server_close()
    assert _Collector.received, "nothing exported"
    path, content_type, body = _Collector.received[0]
    assert (path, content_type) == ("/v1/traces", "application/x-protobuf")
    request = ExportTraceServiceRequest.FromString(body)
    resource = request.resource_spans[0].resource
    assert any(a.key == "service.name" and a.value.string_value == "minbil-test" for a in resource.attributes)
    spans = [span for rs in request.resource_spans for ss in rs.scope_spans for span in ss.spans]
    server = next(span for span in spans if span.name == "GET /ready")
    assert any(a.key == REQUEST_ID_ATTRIBUTE and a.value.string_value == "otlp-check" for a in server.attributes)
    # the readiness check's SQL and Redis round trips are children of the server span
    children = [span for span in spans if span.parent_span_id == server.span_id]
    assert children and all(span.trace_id == server.trace_id for span in children)
