"""Auth behaviour an owner would notice: expired refresh and reset tokens, sign-in whatever the e-mail's case,
and sign-in limits counted per account across addresses and per address across accounts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update
from sqlmodel import col

from db.models import PasswordReset, RefreshToken
from tests.conftest import AppFactory, sign_up_and_in

LIMIT = "3/100000"  # 3 per window; a window long enough not to roll over during a test


async def _age(services: Any, table: Any, owner_id: int) -> None:
    """Move the owner's tokens of `table` to a minute in the past, as if their lifetime had run out."""
    async with services.sessionmaker() as session:
        await session.exec(
            update(table).where(table.owner_id == owner_id).values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        await session.commit()


async def test_an_expired_refresh_token_is_refused(client: httpx.AsyncClient, services: Any) -> None:
    signed = await sign_up_and_in(client)
    await _age(services, RefreshToken, signed.owner_id)

    response = await client.post("/api/co/auth/refresh", json={"refresh_token": signed.refresh_token})

    assert response.status_code == 401, response.text
    assert response.json()["code"] == "REFRESH_TOKEN_EXPIRED"


async def test_a_refresh_token_within_its_lifetime_still_rotates(client: httpx.AsyncClient, services: Any) -> None:
    signed = await sign_up_and_in(client)
    async with services.sessionmaker() as session:
        await session.exec(
            update(RefreshToken)
            .where(col(RefreshToken.owner_id) == signed.owner_id)
            .values(expires_at=datetime.now(UTC) + timedelta(minutes=5))
        )
        await session.commit()

    response = await client.post("/api/co/auth/refresh", json={"refresh_token": signed.refresh_token})

    assert response.status_code == 200, response.text


async def test_an_expired_reset_link_is_refused_and_the_password_stays(
    client: httpx.AsyncClient, services: Any
) -> None:
    signed = await sign_up_and_in(client)
    await client.post("/api/co/auth/forgot-password", json={"email": signed.email})
    token = services.mailer.sent[-1][2].split("token=")[1].split()[0]
    await _age(services, PasswordReset, signed.owner_id)

    response = await client.post("/api/co/auth/reset-password", json={"token": token, "password": "NewStrongPass456!"})

    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["field"] == "token"
    old = await client.post("/api/co/auth/sign-in", json={"email": signed.email, "password": signed.password})
    assert old.status_code == 200
    new = await client.post("/api/co/auth/sign-in", json={"email": signed.email, "password": "NewStrongPass456!"})
    assert new.status_code == 401


async def test_sign_in_ignores_the_case_of_the_email(client: httpx.AsyncClient) -> None:
    email = f"Kari.Nordmann-{uuid.uuid4().hex[:6]}@MinBil.io"
    signed = await sign_up_and_in(client, email.lower())

    for variant in (email, email.upper(), f"  {email.swapcase()} "):
        response = await client.post("/api/co/auth/sign-in", json={"email": variant, "password": signed.password})
        assert response.status_code == 200, (variant, response.text)
        assert response.json()["user"]["email"] == email.lower()


def _from(app: Any, ip: str) -> httpx.AsyncClient:
    """A client whose requests carry `ip` as the ASGI peer address."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 50000)), base_url="http://testserver")


async def _sign_in(client: httpx.AsyncClient, email: str, password: str = "WrongPass123!") -> int:
    return (await client.post("/api/co/auth/sign-in", json={"email": email, "password": password})).status_code


async def test_sign_in_is_limited_per_account_across_addresses(app_factory: AppFactory) -> None:
    app, client = await app_factory(auth_rate_limit=LIMIT)
    signed = await sign_up_and_in(client)  # one sign-in from the default address
    statuses = []
    for n in range(1, 6):
        async with _from(app, f"203.0.113.{n}") as elsewhere:
            statuses.append(await _sign_in(elsewhere, signed.email.upper()))
    async with _from(app, "203.0.113.99") as fresh:
        right_password = await _sign_in(fresh, signed.email, signed.password)
        another_account = await _sign_in(fresh, f"someone-{uuid.uuid4().hex[:6]}@minbil.io")
    # the account has had 3 attempts (1 + 2 wrong), whatever address they came from
    assert statuses == [401, 401, 429, 429, 429]
    assert right_password == 429
    assert another_account == 401


async def test_sign_in_is_limited_per_address_across_accounts(app_factory: AppFactory) -> None:
    app, _ = await app_factory(auth_rate_limit=LIMIT)
    async with _from(app, "198.51.100.7") as one, _from(app, "198.51.100.8") as other:
        same_address = [await _sign_in(one, f"nobody-{uuid.uuid4().hex[:8]}@minbil.io") for _ in range(5)]
        other_address = await _sign_in(other, f"nobody-{uuid.uuid4().hex[:8]}@minbil.io")
    assert same_address == [401, 401, 401, 429, 429]
    assert other_address == 401
