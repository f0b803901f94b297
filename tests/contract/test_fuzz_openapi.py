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
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from redis.asyncio import Redis
from schemathesis.checks import CheckFunction, not_a_server_error
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
            assert client.post("/api/co/auth/sign-up", json={"email": email, "password": DEMO_PASSWORD}).status_code == 201
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
async def fuzz_target(database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[FuzzTarget]:
    await _empty_tables(database_url)
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    prefix = f"minbil:fuzz:{uuid.uuid4().hex[:8]}:"
    app_settings = load_settings(
        {}, database_url=database_url, redis_url=redis_url, redis_prefix=prefix,
        jwt_secret="fuzz-secret-" + "x" * 40, environment="test", data_dir=str(tmp / "data"),
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
        subprocess.run, [sys.executable, "-m", "app.cli", "seed", "--workshops", "40", "--seed", "7"],
        cwd=ROOT, env=server_env(app_settings, **env), capture_output=True, timeout=300, check=False,
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
    app = create_app(load_settings({}, database_url="postgresql+asyncpg://unused@127.0.0.1/unused",
                                   jwt_secret="openapi-" + "x" * 40, environment="test", log_level="WARNING",
                                   log_json=False))
    return app.openapi_schema.to_schema()  # type: ignore[no-any-return]


DOCUMENT = _openapi_document()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict({
    "seed": SEED,
    # the document's examples and generated cases; the coverage phase's boundary cases are unbounded
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    "generation": {"deterministic": True},
}))


def test_the_fuzzed_document_is_the_served_one(fuzz_target: FuzzTarget) -> None:
    response = httpx.get(fuzz_target.base_url + "/api/co/schema/openapi.json", timeout=30)
    assert response.status_code == 200
    assert response.json() == DOCUMENT


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck), print_blob=True)
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
