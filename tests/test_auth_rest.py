"""The five Auth operations over REST, replayed with the reference's examples."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from db.repositories._core import run
from tests.conftest import sign_up_and_in

# the fields of a sign-in and of a refresh answer (sign-in adds `user`)
TOKEN_KEYS = {"message", "access_token", "refresh_token", "expires_in", "expires_at", "expires_at_unix", "token_type"}


async def test_sign_up_replays_reference_example(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/co/auth/sign-up", json={"email": "owner@minbil.io", "password": "StrongPass123!"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["message"] == "Registration successful."
    assert len(body["uid"]) == 36


async def test_sign_up_duplicate_email_is_409_case_insensitive(client: httpx.AsyncClient) -> None:
    await client.post("/api/co/auth/sign-up", json={"email": "owner@minbil.io", "password": "StrongPass123!"})
    response = await client.post(
        "/api/co/auth/sign-up", json={"email": "OWNER@MinBil.io", "password": "StrongPass123!"}
    )
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 409 and body["code"] == "EMAIL_TAKEN"
    assert set(body) >= {"type", "title", "status", "detail", "instance", "code", "message", "where"}


async def test_sign_up_rejects_short_password_and_bad_email(client: httpx.AsyncClient) -> None:
    short = await client.post("/api/co/auth/sign-up", json={"email": "a@minbil.io", "password": "short"})
    assert short.status_code == 400
    assert short.json()["errors"] == [{"field": "password", "reason": "too_short"}]
    bad = await client.post("/api/co/auth/sign-up", json={"email": "not-an-email", "password": "StrongPass123!"})
    assert bad.status_code == 400
    missing = await client.post("/api/co/auth/sign-up", json={"email": "a@minbil.io"})
    assert missing.status_code == 400
    assert missing.json()["type"] == "https://minbil.dev/problems/validation"
    garbage = await client.post(
        "/api/co/auth/sign-up", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert garbage.status_code == 400
    assert "Traceback" not in garbage.text


async def test_sign_in_returns_documented_fields(client: httpx.AsyncClient) -> None:
    signed = await sign_up_and_in(client, "owner@minbil.io")
    response = await client.post(
        "/api/co/auth/sign-in", json={"email": "owner@minbil.io", "password": "StrongPass123!"}
    )
    body = response.json()
    assert set(body) == TOKEN_KEYS | {"user"}
    assert body["message"] == "Login successful."
    assert body["expires_in"] == 3600 and body["token_type"] == "bearer"
    assert body["expires_at"].endswith("Z")
    assert body["user"]["email"] == "owner@minbil.io"
    assert {"firstName", "lastName", "phone_number", "profileImage", "uid"} <= set(body["user"])
    assert signed.refresh_token != body["refresh_token"]


async def test_sign_in_failure_is_the_same_for_unknown_and_wrong_password(client: httpx.AsyncClient) -> None:
    await sign_up_and_in(client, "owner@minbil.io")
    wrong = await client.post("/api/co/auth/sign-in", json={"email": "owner@minbil.io", "password": "WrongPass123!"})
    unknown = await client.post("/api/co/auth/sign-in", json={"email": "nobody@minbil.io", "password": "WrongPass123!"})
    assert wrong.status_code == unknown.status_code == 401
    strip = lambda b: {k: v for k, v in b.items() if k != "request_id"}  # noqa: E731
    assert strip(wrong.json()) == strip(unknown.json())


async def test_refresh_with_bearer_rotates_and_reuse_revokes_family(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    signed = await sign_up_and_in(client)
    first = await client.post("/api/co/auth/refresh", headers={"Authorization": f"Bearer {signed.refresh_token}"})
    assert first.status_code == 200
    body = first.json()
    assert body["message"] == "Token refreshed."
    assert set(body) == TOKEN_KEYS
    rotated = body["refresh_token"]
    retry = await client.post("/api/co/auth/refresh", headers={"Authorization": f"Bearer {signed.refresh_token}"})
    assert retry.status_code == 200 and retry.json()["refresh_token"] == rotated  # within the grace window
    await run(db_session, text("UPDATE refresh_tokens SET rotated_at = rotated_at - interval '1 hour'"))
    await db_session.commit()
    # replaying the spent token after the grace window is theft: the whole family dies, including the fresh token
    replay = await client.post("/api/co/auth/refresh", headers={"Authorization": f"Bearer {signed.refresh_token}"})
    assert replay.status_code == 401
    assert replay.json()["code"] == "REFRESH_TOKEN_REUSED"
    after = await client.post("/api/co/auth/refresh", json={"refresh_token": rotated})
    assert after.status_code == 401


async def test_concurrent_refreshes_both_get_the_same_refresh_token(client: httpx.AsyncClient) -> None:
    signed = await sign_up_and_in(client)
    responses = await asyncio.gather(
        *(client.post("/api/co/auth/refresh", json={"refresh_token": signed.refresh_token}) for _ in range(2))
    )
    assert [r.status_code for r in responses] == [200, 200]
    assert responses[0].json()["refresh_token"] == responses[1].json()["refresh_token"]


async def test_sign_out_denies_access_token_and_refresh_family(client: httpx.AsyncClient) -> None:
    signed = await sign_up_and_in(client)
    out = await client.post("/api/co/auth/sign-out", headers=signed.headers)
    assert out.status_code == 200 and out.json() == {"message": "Sign-out successful."}
    again = await client.post("/api/co/auth/sign-out", headers=signed.headers)
    assert again.status_code == 401
    assert again.json()["code"] == "TOKEN_REVOKED"
    refresh = await client.post("/api/co/auth/refresh", json={"refresh_token": signed.refresh_token})
    assert refresh.status_code == 401


async def test_sign_out_without_token_is_401_problem(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/co/auth/sign-out")
    assert response.status_code == 401
    assert response.json()["type"] == "https://minbil.dev/problems/auth"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_forgot_password_same_answer_and_outbox(client: httpx.AsyncClient, services: Any) -> None:
    await sign_up_and_in(client, "owner@minbil.io")
    example = {"email": "owner@minbil.io", "redirect_to": "https://platform.minbil.no/reset-password"}
    known = await client.post("/api/co/auth/forgot-password", json=example)
    unknown = await client.post("/api/co/auth/forgot-password", json={**example, "email": "ghost@minbil.io"})
    assert known.status_code == unknown.status_code == 200
    assert known.json() == unknown.json()
    sent = services.mailer.sent
    assert len(sent) == 1 and sent[0][0] == "owner@minbil.io"
    assert "https://platform.minbil.no/reset-password?token=" in sent[0][2]


async def test_forgot_password_rejects_open_redirect(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/co/auth/forgot-password", json={"email": "owner@minbil.io", "redirect_to": "https://evil.example/reset"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "redirect_to"


async def test_reset_password_completes_once(client: httpx.AsyncClient, services: Any) -> None:
    signed = await sign_up_and_in(client, "owner@minbil.io")
    await client.post("/api/co/auth/forgot-password", json={"email": "owner@minbil.io"})
    token = services.mailer.sent[-1][2].split("token=")[1].split()[0]
    done = await client.post("/api/co/auth/reset-password", json={"token": token, "password": "NewStrongPass456!"})
    assert done.status_code == 200
    reuse = await client.post("/api/co/auth/reset-password", json={"token": token, "password": "Another789!!"})
    assert reuse.status_code == 400
    old = await client.post("/api/co/auth/sign-in", json={"email": "owner@minbil.io", "password": signed.password})
    assert old.status_code == 401
    new = await client.post("/api/co/auth/sign-in", json={"email": "owner@minbil.io", "password": "NewStrongPass456!"})
    assert new.status_code == 200
    stale_refresh = await client.post("/api/co/auth/refresh", json={"refresh_token": signed.refresh_token})
    assert stale_refresh.status_code == 401


async def test_request_id_is_accepted_or_generated(client: httpx.AsyncClient) -> None:
    mine = await client.post("/api/co/auth/sign-out", headers={"X-Request-ID": "abc-123"})
    assert mine.headers["x-request-id"] == "abc-123"
    assert mine.json()["request_id"] == "abc-123"
    generated = await client.get("/health")
    assert len(generated.headers["x-request-id"]) == 36


async def test_unknown_route_is_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/co/does-not-exist")
    assert response.status_code == 404
    assert response.json()["status"] == 404


async def test_password_hashes_are_argon2id_at_or_above_the_floor(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    import pytest
    from sqlmodel import select

    from app.auth.passwords import configure_hashing
    from db.models import CarOwner

    await sign_up_and_in(client, "owner@minbil.io")
    stored = (await db_session.exec(select(CarOwner.password_hash))).one()
    assert stored.startswith("$argon2id$")
    params = dict(item.split("=") for item in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2 and int(params["p"]) >= 1
    with pytest.raises(ValueError):
        configure_hashing(time_cost=1, memory_kib=8192, parallelism=1)
