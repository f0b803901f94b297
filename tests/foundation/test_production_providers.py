"""Production without outside providers (Stripe, the Vegvesen registry, SMTP) starts, names each missing one
once in its start-up log, and serves health, REST and GraphQL; mail is dropped, never kept or logged whole."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from litestar import Litestar
from sqlalchemy import text

from app.main import create_app
from app.settings import Settings
from tests.conftest import asgi, sign_up_and_in
from tests.logs import Collect

PROVIDERS = ("payments", "vehicle registry", "mail")
CONFIGURED: dict[str, Any] = {
    "stripe_secret_key": "sk_test_" + "k" * 24,
    "stripe_webhook_secret": "whsec_" + "w" * 24,
    "vegvesen_api_key": "svv-key",
    "smtp_host": "127.0.0.1",
}


@asynccontextmanager
async def started(settings: Settings) -> AsyncIterator[tuple[Litestar, httpx.AsyncClient, list[logging.LogRecord]]]:
    """The app through its start-up, with every record from the start-up on."""
    app = create_app(settings)  # configures logging: the collector is attached after it
    handler = Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        async with (
            LifespanManager(asgi(app), startup_timeout=30, shutdown_timeout=30),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi(app)), base_url="http://testserver") as client,
        ):
            yield app, client, handler.records
    finally:
        root.removeHandler(handler)


def _naming(records: list[logging.LogRecord], provider: str) -> list[logging.LogRecord]:
    return [
        r for r in records if r.levelno >= logging.WARNING and r.getMessage().startswith(f"{provider} not configured")
    ]


async def test_production_without_providers_starts_and_names_each_once(
    settings_factory: Callable[..., Settings],
) -> None:
    async with started(settings_factory(environment="production", log_level="INFO")) as (_, client, records):
        startup = list(records)
        assert (await client.get("/health")).status_code == 200
        assert (await client.get("/ready")).status_code == 200
        owner = await sign_up_and_in(client)
        me = await client.get("/api/co/profile", headers=owner.headers)
        assert me.status_code == 200, me.text
        answer = await client.post("/graphql", json={"query": "{ me { email } }"}, headers=owner.headers)
        assert answer.json() == {"data": {"me": {"email": owner.email}}}
    for provider in PROVIDERS:
        [line] = _naming(startup, provider)
        assert line.levelno == logging.WARNING and line.name == "minbil.startup"
    assert sorted(r.getMessage() for r in startup if r.levelno >= logging.WARNING) == sorted(
        r.getMessage() for p in PROVIDERS for r in _naming(startup, p)
    ), "other warnings at start-up"


async def test_configured_production_and_development_name_nothing_missing(
    settings_factory: Callable[..., Settings],
) -> None:
    for settings in (
        settings_factory(environment="production", log_level="INFO", **CONFIGURED),
        settings_factory(environment="development", log_level="INFO"),
    ):
        async with started(settings) as (_, client, records):
            assert (await client.get("/health")).status_code == 200
        assert [r.getMessage() for r in records if "not configured" in r.getMessage()] == []


async def test_production_without_smtp_drops_mail(settings_factory: Callable[..., Settings]) -> None:
    async with started(settings_factory(environment="production", log_level="DEBUG")) as (app, client, records):
        owner = await sign_up_and_in(client)
        forgot = await client.post("/api/co/auth/forgot-password", json={"email": owner.email})
        assert forgot.status_code == 200
        async with app.state.services.engine.connect() as conn:
            body, sent_at = (
                await conn.execute(text("SELECT body, sent_at FROM email_outbox WHERE template = 'password_reset'"))
            ).one()
        mailer = app.state.services.mailer
    token = body.split("token=")[1].split()[0]
    assert sent_at is not None  # handled (dropped), not retried
    assert token not in repr(vars(mailer)), "the dropped mail is kept in memory"
    assert not any(token in f"{r.getMessage()}{r.args}" for r in records)
    assert [r.getMessage() for r in records if r.name == "minbil.mail"] == [
        "mail dropped (no SMTP configured): Tilbakestill passordet ditt hos MinBil"
    ]


async def test_production_stripe_without_webhook_secret_names_the_webhooks(
    settings_factory: Callable[..., Settings],
) -> None:
    settings = settings_factory(
        environment="production", log_level="INFO", **{**CONFIGURED, "stripe_webhook_secret": None}
    )
    async with started(settings) as (_, client, records):
        webhook = await client.post(
            "/api/co/payments/webhooks/stripe",
            content=b"{}",
            headers={"Stripe-Signature": "t=1,v1=00", "content-type": "application/json"},
        )
    assert webhook.status_code == 503 and webhook.json()["error"]["code"] == "WEBHOOK_NOT_CONFIGURED"
    assert [r.getMessage().split(":")[0] for r in records if "not configured" in r.getMessage()] == [
        "payment webhooks not configured"
    ]
