"""A bounded schemathesis run over the served OpenAPI document.

Every operation of `/api/co/schema/openapi.json` gets the schema's examples and 20 generated cases
(valid and invalid), derandomized with a fixed seed so CI sees the same cases every run. Each
response must not be a 5xx, must use a documented status code and content type, and must match the
documented schema.

The app runs under uvicorn in its own process (its asyncpg pool and Redis client live in its own
event loop) on a database seeded with the demo data: the demo owner's bearer token and the api key
go with every request, so the generated ids sometimes reach real vehicles, bookings, messages and
notifications instead of stopping at 401/404. Sign-out uses a throwaway owner of its own.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from redis.asyncio import Redis
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app.main import create_app
from app.settings import load_settings
from db.models import metadata
from db.seed import DEMO_EMAIL, DEMO_PASSWORD
from tests.conftest import KEEP_TABLES
from tests.realtime.harness import ROOT, Server, server_env

SEED = 20261130
EXAMPLES_PER_OPERATION = 20
API_KEY = "test-api-key"
CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# an operation that ends the caller's session gets a throwaway owner
DESTRUCTIVE = {("POST", "/api/co/auth/sign-out")}
# documented-but-deliberate differences (see the README's compatibility notes): check names per operation
EXCLUDED: dict[tuple[str, str], set[str]] = {}


@dataclass
class FuzzTarget:
    base_url: str
    token: str

    def throwaway_token(self) -> str:
        email = f"fuzz-{uuid.uuid4().hex[:10]}@minbil.io"
        with httpx.Client(base_url=self.base_url, timeout=30) as client:
            assert (
                client.post("/api/co/auth/sign-up", json={"email": email, "password": DEMO_PASSWORD}).status_code == 201
            )
            response = client.post("/api/co/auth/sign-in", json={"email": email, "password": DEMO_PASSWORD})
            assert response.status_code == 200, response.text
            return str(response.json()["access_token"])


async def _empty_tables(database_url: str) -> None:
    engine = create_async_engine(database_url)
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables if t.name not in KEEP_TABLES)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture(scope="module")
async def fuzz_target(
    database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FuzzTarget]:
    await _empty_tables(database_url)
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    prefix = f"minbil:fuzz:{uuid.uuid4().hex[:8]}:"
    app_settings = load_settings(
        {},
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=prefix,
        jwt_secret="fuzz-secret-" + "x" * 40,
        environment="test",
        data_dir=str(tmp / "data"),
        media_dir=str(tmp / "media"),
    )
    env = {
        "MINBIL_API_KEYS": API_KEY,
        "MINBIL_VEHICLE_RATE_LIMIT": "100000/60",
        # with a secret the webhook checks signatures (without one it answers 503 so Stripe retries)
        "MINBIL_STRIPE_WEBHOOK_SECRET": "whsec_fuzz",
        # the argon2id floor: the fuzzer signs up and in many times
        "MINBIL_PASSWORD_TIME_COST": "2",
        "MINBIL_PASSWORD_MEMORY_KIB": str(19 * 1024),
        "MINBIL_PASSWORD_PARALLELISM": "1",
    }
    seeded = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "app.cli", "seed", "--workshops", "40", "--seed", "7"],
        cwd=ROOT,
        env=server_env(app_settings, **env),
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert seeded.returncode == 0, seeded.stderr.decode()[-3000:]
    server = Server(app_settings, **env)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
            response = await client.post("/api/co/auth/sign-in", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
            assert response.status_code == 200, response.text
        yield FuzzTarget(server.base_url, response.json()["access_token"])
    finally:
        server.stop()
        redis = Redis.from_url(redis_url)
        keys = [key async for key in redis.scan_iter(match=prefix + "*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
        await _empty_tables(database_url)


def _openapi_document() -> dict[str, Any]:
    """The document `/api/co/schema/openapi.json` serves (`test_the_fuzzed_document_is_the_served_one` checks)."""
    app = create_app(
        load_settings(
            {},
            database_url="postgresql+asyncpg://unused@127.0.0.1/unused",
            jwt_secret="openapi-" + "x" * 40,
            environment="test",
            log_level="WARNING",
            log_json=False,
        )
    )
    return app.openapi_schema.to_schema()


DOCUMENT = _openapi_document()
schema = schemathesis.openapi.from_dict(
    DOCUMENT,
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            # the document's examples and generated cases; the coverage phase's boundary cases are unbounded
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
            "generation": {"deterministic": True},
        }
    ),
)


def test_the_fuzzed_document_is_the_served_one(fuzz_target: FuzzTarget) -> None:
    response = httpx.get(fuzz_target.base_url + "/api/co/schema/openapi.json", timeout=30)
    assert response.status_code == 200
    assert response.json() == DOCUMENT


class Journey:
    """Documented calls with valid input on the demo data; every answer is checked against the document."""

    def __init__(self, target: FuzzTarget) -> None:
        self.target = target
        self.failures: list[str] = []

    def call(self, method: str, path: str, expect: int, *, token: str | None = None, **case: Any) -> Any:
        operation = schema[path][method]
        if "body" in case:
            case.setdefault("media_type", "application/json")
        headers = {"Authorization": f"Bearer {token or self.target.token}", "x-api-key": API_KEY}
        try:
            response = operation.Case(**case).call_and_validate(
                base_url=self.target.base_url, headers=headers, checks=CHECKS, timeout=30
            )
        except (AssertionError, FailureGroup) as exc:  # collected: one run reports every operation that fails
            self.failures.append(f"{method} {path}: {str(exc)[:1500]}")
            return None
        if response.status_code != expect:
            self.failures.append(f"{method} {path}: {response.status_code} (expected {expect}) {response.text[:500]}")
            return None
        try:
            return response.json()
        except ValueError:  # CSV, or no body
            return None


def test_success_answers_match_the_document(fuzz_target: FuzzTarget) -> None:
    """Random input mostly earns 4xx; these valid calls reach every documented success answer."""
    j = Journey(fuzz_target)
    listed = j.call("GET", "/api/co/bookings", 200)
    assert listed is not None, j.failures
    bookings = [item for group in listed for item in group["items"]]
    requested = next(b for b in bookings if b["status"] == "REQUESTED")
    confirmed = next(b for b in bookings if b["status"] == "CONFIRMED")
    unrated = next(b for b in bookings if b["status"] == "COMPLETED" and b["service_rating"] is None)
    org_nr, service_id = requested["workshop_org_nr"], requested["service_id"]
    j.call("GET", "/api/co/bookings/{booking_id}", 200, path_parameters={"booking_id": requested["id"]})
    j.call("GET", "/api/co/bookings/change-requests", 200)
    j.call(
        "POST",
        "/api/co/bookings",
        200,
        body={
            "org_nr": org_nr,
            "service_id": service_id,
            "service_start_time": _weekday_ahead(20, 10),
            "registration_number": requested["registration_number"],
        },
    )
    j.call(
        "PUT",
        "/api/co/bookings/{booking_id}",
        200,
        path_parameters={"booking_id": requested["id"]},
        body={"service_start_time": _weekday_ahead(21, 11)},
    )
    j.call(
        "POST",
        "/api/co/bookings/change-requests",
        201,
        body={
            "booking_id": confirmed["id"],
            "request_type": "RESCHEDULE",
            "requested_start_time": _weekday_ahead(22, 9),
            "reason": "Kan ikke den dagen",
        },
    )
    j.call(
        "POST",
        "/api/co/rating/rate/{booking_id}",
        200,
        path_parameters={"booking_id": unrated["id"]},
        body={"service_rating": 4, "service_rating_message": "Bra"},
    )
    j.call("GET", "/api/co/shops/{org_nr}", 200, path_parameters={"org_nr": org_nr})
    j.call("GET", "/api/co/marketplace/shops/{org_nr}", 200, path_parameters={"org_nr": org_nr})
    j.call("GET", "/api/co/filters/filterByCategories", 200, query={"categories": "1,2"})
    j.call("GET", "/api/co/filters/filterByHierarchicalCategories", 200, query={"categories": "4"})
    j.call("GET", "/api/co/filters/location", 200, query={"lat": "59.91", "lng": "10.75", "radius": "20"})
    j.call("GET", "/api/co/filters/search", 200, query={"q": "olje"})
    j.call(
        "GET",
        "/api/co/shops",
        200,
        query={"layout": "market", "lat": "59.91", "lng": "10.75", "include_facets": "true"},
    )
    j.call("POST", "/api/co/favorits", 201, body={"org_nr": org_nr})
    j.call("POST", "/api/co/favorits", 200, body={"org_nr": org_nr})
    j.call("DELETE", "/api/co/favorits", 200, body={"org_nr": org_nr})
    j.call("POST", "/api/co/messages/send", 201, body={"thread_id": str(requested["id"]), "message": "Hei"})
    j.call("GET", "/api/co/messages/thread/{booking_id}", 200, path_parameters={"booking_id": requested["id"]})
    j.call("POST", "/api/co/messages/mark-read", 200, body={"thread_id": str(confirmed["id"])})
    j.call(
        "POST",
        "/api/co/messages/thread/{booking_id}/read-up-to",
        200,
        path_parameters={"booking_id": confirmed["id"]},
        body={},
    )
    notifications = j.call("GET", "/api/co/notifications", 200)
    first = notifications["data"][0]["id"]
    j.call("GET", "/api/co/notifications/{notif_id}", 200, path_parameters={"notif_id": first})
    j.call("POST", "/api/co/notifications/{notif_id}/mark-read", 200, path_parameters={"notif_id": first})
    j.call("POST", "/api/co/notifications/mark-read", 200, body={"ids": [first]})
    intent = j.call("POST", "/api/co/payments/intents", 200, body={"booking_id": confirmed["id"]})
    if intent is not None:
        payment_id = intent["data"]["id"] if "data" in intent else intent["id"]
        j.call("GET", "/api/co/payments/intents/{payment_id}", 200, path_parameters={"payment_id": payment_id})
        j.call(
            "POST",
            "/api/co/payments/intents/{payment_id}/confirm",
            200,
            path_parameters={"payment_id": payment_id},
            body={},
        )
    j.call("PUT", "/api/co/presence", 200, body={"status": "online"})
    j.call("PUT", "/api/co/profile", 200, body={"first_name": "Demo", "phone_number": "+4799999999"})
    j.call("GET", "/api/co/profile/check-username", 200, query={"username": "ledig-navn"})
    j.call("PUT", "/api/co/settings/notifications", 200, body={"booking.updated": {"email": False, "push": True}})
    logs = j.call("GET", "/api/co/service-log/list", 200)
    j.call(
        "GET", "/api/co/service-log/messages/{log_id}", 200, path_parameters={"log_id": logs["data"]["items"][0]["id"]}
    )
    token = j.call("GET", "/api/co/service-log/export-token", 200)
    j.call("GET", "/api/co/service-records/export", 200, query={"format": "json"})
    j.call("GET", "/api/co/service-records/export", 200, query={"token": token["data"]["token"]} if token else {})
    j.call("POST", "/api/co/vehicles", 201, body={"registration_number": "AB12345", "nickname": "Ny"})
    j.call(
        "PUT",
        "/api/co/vehicles/{registration_number}",
        200,
        path_parameters={"registration_number": "AB12345"},
        body={"nickname": "Nyere"},
    )
    j.call("POST", "/api/co/vehicles/set-primary", 200, body={"registration_number": "AB12345"})
    j.call(
        "POST",
        "/api/co/vehicles/refresh/{registration_number}",
        200,
        path_parameters={"registration_number": "AB12345"},
    )
    j.call("POST", "/api/co/vehicles", 200, body={"registration_number": "AB12345"})
    j.call("GET", "/api/co/vehicles", 200, query={"registration_number": "AB12345"})
    j.call("DELETE", "/api/co/vehicles", 200, query={"registration_number": "AB12345"})
    j.call(
        "POST",
        "/api/co/bookings/cancel",
        200,
        body={"booking_id": requested["id"], "cancellation_reason": "Endret planer"},
    )
    email = f"journey-{uuid.uuid4().hex[:8]}@minbil.io"
    j.call("POST", "/api/co/auth/sign-up", 201, body={"email": email, "password": DEMO_PASSWORD})
    signed_in = j.call("POST", "/api/co/auth/sign-in", 200, body={"email": email, "password": DEMO_PASSWORD})
    j.call("POST", "/api/co/auth/forgot-password", 200, body={"email": email})
    if signed_in is not None:
        refreshed = j.call("POST", "/api/co/auth/refresh", 200, token=signed_in["refresh_token"])
        if refreshed is not None:
            j.call("POST", "/api/co/auth/sign-out", 200, token=refreshed["access_token"])
    assert not j.failures, "\n\n".join(j.failures)


def _weekday_ahead(days: int, hour: int) -> str:
    """`YYYY-MM-DD HH:MM` (Oslo) on a weekday at least `days` ahead."""
    day = datetime.now(ZoneInfo("Europe/Oslo")).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return f"{day.isoformat()} {hour:02d}:00"


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
def test_every_operation_conforms_and_never_answers_5xx(case: schemathesis.Case, fuzz_target: FuzzTarget) -> None:
    key = (case.operation.method.upper(), case.operation.path)
    token = fuzz_target.throwaway_token() if key in DESTRUCTIVE else fuzz_target.token
    excluded = EXCLUDED.get(key, set())
    case.call_and_validate(
        base_url=fuzz_target.base_url,
        headers={"Authorization": f"Bearer {token}", "x-api-key": API_KEY},
        checks=[check for check in CHECKS if check.__name__ not in excluded],
        timeout=30,
    )
