"""Operations: liveness, readiness, metrics, JSON logs with request ids, the OpenAPI document, and the
browser pages (GraphiQL, Swagger UI) served with their own assets."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import re
from typing import Any

import httpx
import pytest

from app.logging_setup import JsonFormatter, RequestIdFilter
from app.main import YOUNG_COLLECTION_THRESHOLD
from app.services import Services
from app.static_assets import GRAPHIQL_ASSETS
from tests.conftest import SignedIn

DEAD_REDIS = "redis://127.0.0.1:6399/0"


async def test_health_is_always_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_what_a_started_app_holds_is_left_out_of_garbage_collection_and_young_objects_wait_longer(
    client: httpx.AsyncClient,
) -> None:
    # frozen once per process at the first start (app.main.freeze_startup_objects): the collector's full passes
    # over them stopped the event loop for 75-170 ms every few seconds under load
    assert (await client.get("/health")).status_code == 200
    assert gc.get_freeze_count() > 50_000
    # and the youngest generation is collected per 10,000 new objects, not per 700 (several times a request)
    assert gc.get_threshold()[0] == YOUNG_COLLECTION_THRESHOLD == 10_000


async def test_ready_with_postgres_and_redis(client: httpx.AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"postgres": "ok", "redis": "ok"}}


async def test_ready_is_503_when_redis_is_down(app_factory: Any) -> None:
    _, client = await app_factory(redis_url=DEAD_REDIS)
    response = await client.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["postgres"] == "ok" and body["checks"]["redis"] == "error"
    assert (await client.get("/health")).status_code == 200  # liveness does not depend on Redis


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    await client.get("/health")
    await client.post("/api/co/auth/sign-in", json={"email": "m@minbil.io", "password": "WrongPass123!"})
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert re.search(r'minbil_http_requests_total\{method="GET",route="/health",status="200"\} \d', text)
    assert re.search(r'minbil_http_requests_total\{method="POST",route="/api/co/auth/sign-in",status="401"\} \d', text)
    assert "minbil_http_request_seconds_bucket" in text


def _events_published(text: str) -> float:
    found = re.search(r"^minbil_events_published_total (\S+)$", text, re.M)
    return float(found.group(1)) if found else 0.0


async def test_metrics_count_the_events_the_relay_publishes(
    client: httpx.AsyncClient, services: Services, owner: SignedIn
) -> None:
    before = _events_published((await client.get("/metrics")).text)
    async with services.uow() as uow:
        for _ in range(3):
            uow.emit(owner.owner_id, "unread.changed", {"messages": 0, "notifications": 0})
    published = before
    for _ in range(100):  # the relay publishes right after the commit wakes it
        published = _events_published((await client.get("/metrics")).text)
        if published >= before + 3:
            break
        await asyncio.sleep(0.05)
    assert published == before + 3


class _Formatted(logging.Handler):
    """Keeps each record as the line its formatter writes."""

    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__()
        self.setFormatter(formatter)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


async def test_every_request_log_line_carries_the_request_id(client: httpx.AsyncClient) -> None:
    await client.post("/api/co/auth/sign-up", json={"email": "x@minbil.io", "password": "StrongPass123!"})
    handler = _Formatted(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    lines = handler.lines
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        await client.post(
            "/api/co/auth/sign-in",
            json={"email": "x@minbil.io", "password": "WrongPass123!"},
            headers={"X-Request-ID": "trace-me-42"},
        )
        await client.post(
            "/api/co/auth/forgot-password", json={"email": "x@minbil.io"}, headers={"X-Request-ID": "trace-me-43"}
        )
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
    entries = [json.loads(line) for line in lines]
    entries = [e for e in entries if e["logger"] != "httpx"]  # the test client's own lines
    access = [e for e in entries if e["logger"] == "minbil.access"]
    assert [e["request_id"] for e in access] == ["trace-me-42", "trace-me-43"]
    assert access[0]["path"] == "/api/co/auth/sign-in" and access[0]["status"] == 401
    assert any(e["logger"] != "minbil.access" and e["request_id"] == "trace-me-43" for e in entries), entries
    assert all(e["request_id"] in ("trace-me-42", "trace-me-43") for e in entries), entries
    assert all({"ts", "level", "logger", "message", "request_id"} <= set(e) for e in entries)


async def test_unexpected_errors_are_logged_with_request_id_but_not_shown(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from app.domain.auth import service as auth_service

    async def broken_sign_in(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret-internal-detail in sqlalchemy")

    monkeypatch.setattr(auth_service, "sign_in", broken_sign_in)
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.ERROR, logger="minbil.errors"):
        response = await client.post(
            "/api/co/auth/sign-in",
            json={"email": "x@minbil.io", "password": "StrongPass123!"},
            headers={"X-Request-ID": "trace-boom-7"},
        )
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "trace-boom-7"
    body = response.json()
    assert body["code"] == "INTERNAL_ERROR" and body["status"] == 500 and body["request_id"] == "trace-boom-7"
    assert body["detail"] == "Internal server error"
    assert "secret-internal-detail" not in response.text and "Traceback" not in response.text
    assert "sqlalchemy" not in response.text.lower()
    logged = [r for r in caplog.records if r.name == "minbil.errors"]
    assert len(logged) == 1, caplog.records
    record = logged[0]
    assert record.levelno == logging.ERROR
    assert getattr(record, "request_id", None) == "trace-boom-7"
    assert "/api/co/auth/sign-in" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    formatter = caplog.handler.formatter
    assert formatter is not None
    traceback = formatter.formatException(record.exc_info)
    assert "Traceback" in traceback and "broken_sign_in" in traceback and "secret-internal-detail" in traceback


async def test_openapi_document_has_reference_names(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/co/schema/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "MinBil Car Owner API V1"
    assert "Auth" in [tag["name"] for tag in document["tags"]]
    schemas = document["components"]["schemas"]
    for name in (
        "CarOwnerSignInRequest",
        "CarOwnerSignInResponse",
        "CarOwnerSignUpRequest",
        "CarOwnerSignUpResponse",
        "CarOwnerRefreshResponse",
        "CarOwnerLogoutResponse",
        "CarOwnerForgotPasswordRequest",
        "Problem",
    ):
        assert name in schemas, name
    sign_in = document["paths"]["/api/co/auth/sign-in"]["post"]
    assert sign_in["operationId"] == "CarOwnerSignIn" and sign_in["tags"] == ["Auth"]
    # the reference's statuses, and the unsupported media type and outage answers every JSON route can give
    assert set(sign_in["responses"]) == {"200", "400", "401", "403", "429", "500", "415", "503"}
    problem = sign_in["responses"]["429"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}
    assert document["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"


def _asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)=["\']([^"\']+)["\']', html)


async def test_graphiql_page_uses_only_local_assets(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    urls = [u for u in _asset_urls(response.text) if not u.startswith("data:")]
    assert sorted(urls) == sorted(GRAPHIQL_ASSETS.values())
    assert "unpkg.com" not in response.text and "cdn." not in response.text
    for url in urls:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 500


@pytest.mark.parametrize("path", ["/api/co/schema", "/api/co/schema/swagger"])
async def test_swagger_page_uses_only_local_assets(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200 and "SwaggerUIBundle" in response.text
    urls = _asset_urls(response.text)
    assert urls and all(u.startswith("/static/vendor/swagger-ui/") for u in urls), urls
    for url in urls:
        assert (await client.get(url)).status_code == 200, url


async def test_static_files_do_not_escape_their_folder(client: httpx.AsyncClient) -> None:
    for path in ("/static/../app/settings.py", "/static/%2e%2e/settings.py", "/static/vendor/nothing.js"):
        response = await client.get(path)
        assert response.status_code == 404, path
