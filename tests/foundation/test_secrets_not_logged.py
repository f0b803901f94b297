"""No log record, at DEBUG, carries a secret: passwords, access/refresh/realtime tokens, password-reset tokens
and links, export tokens (also when sent in a URL), the JWT secret, Stripe keys, client secrets and webhook
secrets. The flows run against the app served by uvicorn (its own loggers included) and over a WebSocket."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from websockets.typing import Subprotocol

from app.logging_setup import ConsoleFormatter, JsonFormatter
from db.engine import make_engine
from tests.conftest import AppFactory, sign_up_and_in
from tests.logs import Collect
from tests.payments.conftest import WEBHOOK_PATH, event, make_group, signed
from tests.payments.fake_stripe import FakeStripe, fake_stripe_server
from tests.served import serve_in_thread

PASSWORD = "StrongPass123!"
NEW_PASSWORD = "NewStrongPass456!"
WRONG_PASSWORD = "WrongGuess789!!"
STRIPE_KEY = "sk_test_minbil_" + "S3cr3tStr1peK3y" * 2
WEBHOOK_SECRET = "whsec_" + "h00ksecret" * 3
AUTH_FIELDS = "... on AuthSession { accessToken refreshToken } ... on UserError { code }"


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    with fake_stripe_server() as fake:
        yield fake


@contextmanager
def every_record() -> Iterator[list[logging.LogRecord]]:
    """Every record of every logger from here on (attached after the app configured logging)."""
    handler = Collect()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def leaks(records: list[logging.LogRecord], secrets: dict[str, str]) -> list[tuple[str, str]]:
    """Secrets in any record, as logging's plain, the JSON and the console formats write it."""
    found = []
    formatters = (logging.Formatter(), JsonFormatter(), ConsoleFormatter(colour=True))
    for record in records:
        text_ = "".join(formatter.format(record) for formatter in formatters) + repr(vars(record))
        found += [
            (name, f"{record.name}: {record.getMessage()[:200]}") for name, value in secrets.items() if value in text_
        ]
    return found


def _tokens_of(body: dict[str, Any], prefix: str, secrets: dict[str, str]) -> None:
    secrets[f"{prefix} access"] = body["access_token"]
    secrets[f"{prefix} refresh"] = body["refresh_token"]


async def _reset_mail(database_url: str) -> str:
    engine = create_async_engine(database_url)
    async with engine.connect() as conn:
        body = (
            await conn.execute(
                text("SELECT body FROM email_outbox WHERE template = 'password_reset' ORDER BY id DESC LIMIT 1")
            )
        ).scalar_one()
    await engine.dispose()
    return str(body)


async def test_auth_reset_refresh_export_and_websocket_flows_log_no_secret(settings_factory: Any) -> None:
    settings = settings_factory(log_level="DEBUG", environment="development")
    secrets: dict[str, str] = {
        "jwt secret": settings.jwt_secret,
        "password": PASSWORD,
        "new password": NEW_PASSWORD,
        "wrong password": WRONG_PASSWORD,
    }
    email = f"logs-{uuid.uuid4().hex[:8]}@minbil.io"
    with serve_in_thread(settings) as address, every_record() as records:
        async with httpx.AsyncClient(base_url=f"http://{address}", timeout=30) as client:
            assert (
                await client.post("/api/co/auth/sign-up", json={"email": email, "password": PASSWORD})
            ).status_code == 201
            assert (
                await client.post("/api/co/auth/sign-in", json={"email": email, "password": WRONG_PASSWORD})
            ).status_code == 401
            signed_in = (await client.post("/api/co/auth/sign-in", json={"email": email, "password": PASSWORD})).json()
            _tokens_of(signed_in, "sign-in", secrets)
            refreshed = (
                await client.post("/api/co/auth/refresh", json={"refresh_token": signed_in["refresh_token"]})
            ).json()
            _tokens_of(refreshed, "refresh", secrets)
            headers = {"Authorization": f"Bearer {refreshed['access_token']}"}

            query = f"mutation($r: String!) {{ refreshToken(input: {{refreshToken: $r}}) {{ {AUTH_FIELDS} }} }}"
            graphql = await client.post(
                "/graphql", json={"query": query, "variables": {"r": refreshed["refresh_token"]}}
            )
            session = graphql.json()["data"]["refreshToken"]
            secrets["graphql access"], secrets["graphql refresh"] = session["accessToken"], session["refreshToken"]
            query = f"mutation($e: String!, $p: String!) {{ signIn(input: {{email: $e, password: $p}}) {{ {AUTH_FIELDS} }} }}"
            graphql = await client.post("/graphql", json={"query": query, "variables": {"e": email, "p": PASSWORD}})
            secrets["graphql sign-in access"] = graphql.json()["data"]["signIn"]["accessToken"]

            realtime = (await client.get("/api/co/realtime/config", headers=headers)).json()
            secrets["realtime token"] = realtime["anon_key"]
            export = (await client.get("/api/co/service-log/export-token", headers=headers)).json()["data"]
            secrets["export token"] = export["token"]
            downloaded = await client.get(
                "/api/co/service-records/export", params={"token": export["token"], "format": "json"}
            )
            assert downloaded.status_code == 200, downloaded.text
            refused = await client.get("/api/co/service-records/export", params={"token": export["token"] + "x"})
            assert refused.status_code == 401

            forgot = await client.post(
                "/api/co/auth/forgot-password",
                json={"email": email, "redirect_to": "https://platform.minbil.no/reset-password"},
            )
            assert forgot.status_code == 200
            body = await _reset_mail(settings.database_url)
            link = next(word for word in body.split() if "token=" in word)
            secrets["reset link"], secrets["reset token"] = link, link.split("token=")[1]
            reset = await client.post(
                "/api/co/auth/reset-password", json={"token": secrets["reset token"], "password": NEW_PASSWORD}
            )
            assert reset.status_code == 200, reset.text
            again = await client.post(
                "/api/co/auth/reset-password", json={"token": secrets["reset token"], "password": NEW_PASSWORD}
            )
            assert again.status_code == 400
            signed_in = (
                await client.post("/api/co/auth/sign-in", json={"email": email, "password": NEW_PASSWORD})
            ).json()
            _tokens_of(signed_in, "after reset", secrets)

        async with websockets.connect(
            f"ws://{address}/graphql",
            subprotocols=[Subprotocol("graphql-transport-ws")],
            open_timeout=30,
            ping_interval=None,
        ) as ws:
            await ws.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"authorization": f"Bearer {signed_in['access_token']}"}}
                )
            )
            assert json.loads(await asyncio.wait_for(ws.recv(), 30))["type"] == "connection_ack"

    # the server's records only: the test's own clients (httpx, websockets) run in this thread
    served = [r for r in records if r.thread != threading.get_ident()]
    assert any(r.levelno == logging.DEBUG for r in served), "DEBUG records were not captured"
    assert any(r.name == "minbil.mail" for r in served), "the reset mail was not logged at all"
    assert any(
        r.name == "minbil.access" and r.getMessage().startswith("GET /api/co/service-records/export") for r in served
    ), "the export download was not logged at all"
    found = leaks(served, secrets)
    assert found == [], "\n".join(map(str, found))


@pytest.mark.filterwarnings("ignore:Use .content=<...>. to upload raw bytes:DeprecationWarning")
async def test_stripe_payment_flow_logs_no_key_or_client_secret(
    app_factory: AppFactory, fake_stripe: FakeStripe
) -> None:
    app, client = await app_factory(
        log_level="DEBUG",
        stripe_secret_key=STRIPE_KEY,
        stripe_api_base=fake_stripe.url,
        stripe_webhook_secret=WEBHOOK_SECRET,
    )
    owner = await sign_up_and_in(client)
    group = await make_group(app.state.services, owner.owner_id)
    with every_record() as records:
        created = await client.post(
            "/api/co/payments/intents", json={"group_id": group.group_id}, headers=owner.headers
        )
        assert created.status_code == 200, created.text
        intent = created.json()["data"]
        confirmed = await client.post(
            f"/api/co/payments/intents/{intent['id']}/confirm",
            json={"payment_method": "pm_card_visa"},
            headers=owner.headers,
        )
        assert confirmed.status_code == 200, confirmed.text
        raw, headers = signed(
            event(intent["provider_intent_id"], "succeeded", amount=group.amount), secret=WEBHOOK_SECRET
        )
        assert (await client.post(WEBHOOK_PATH, content=raw, headers=headers)).status_code == 200
    assert any(r.name.startswith("httpx") for r in records), "the calls to Stripe were not logged at all"
    secrets = {
        "stripe key": STRIPE_KEY,
        "webhook secret": WEBHOOK_SECRET,
        "client secret": intent["client_secret"],
        "access token": owner.access_token,
    }
    found = leaks(records, secrets)
    assert found == [], "\n".join(map(str, found))


async def test_a_failed_statement_does_not_carry_its_parameters(database_url: str) -> None:
    """An unexpected database error is logged with its traceback: its text must not hold the bound values
    (a mail body with a reset link, a token hash)."""
    engine = make_engine(database_url)
    secret = "https://platform.minbil.no/reset-password?token=" + "T0ken" * 8
    try:
        async with engine.connect() as conn:
            with pytest.raises(DBAPIError) as failed:
                await conn.execute(text("SELECT CAST(:body AS text), 1 / 0"), {"body": secret})
    finally:
        await engine.dispose()
    assert "division by zero" in str(failed.value)
    assert secret not in str(failed.value) and "T0ken" not in repr(failed.value)
