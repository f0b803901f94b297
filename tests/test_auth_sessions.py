"""A session (one refresh-token family, the `sid` of every access token) ends everywhere at once.

Sign-out, refresh-token reuse and a password reset revoke the session in PostgreSQL; every token of it
(the latest access token, earlier ones, the realtime token) is then refused over REST and GraphQL HTTP
on every instance, also when Redis was emptied or is unreachable. A benign second refresh with the same
token (two tabs, a retry) within the grace window gets the same new pair.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import jwt
from sqlalchemy import text

from app.settings import Settings
from tests.conftest import AppFactory, SignedIn, sign_up_and_in
from tests.test_auth_rest import TOKEN_KEYS

PROFILE = "/api/co/profile"
REALTIME_CONFIG = "/api/co/realtime/config"
REFRESH = "/api/co/auth/refresh"
SIGN_OUT = "/api/co/auth/sign-out"
ME = "{ me { email } }"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


async def rest_status(client: httpx.AsyncClient, token: str) -> int:
    return (await client.get(PROFILE, headers=bearer(token))).status_code


async def graphql_me(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": ME}, headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()


async def assert_accepted(client: httpx.AsyncClient, token: str) -> None:
    assert await rest_status(client, token) == 200
    assert "errors" not in await graphql_me(client, token)


async def assert_revoked(client: httpx.AsyncClient, token: str) -> None:
    response = await client.get(PROFILE, headers=bearer(token))
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "TOKEN_REVOKED"
    assert response.headers["content-type"].startswith("application/problem+json")
    body = await graphql_me(client, token)
    assert body["data"] is None or body["data"]["me"] is None
    assert body["errors"][0]["extensions"]["code"] == "TOKEN_REVOKED"
    assert (await client.get(REALTIME_CONFIG, headers=bearer(token))).status_code == 401


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not await check():
        assert time.monotonic() < deadline, "the condition never held"
        await asyncio.sleep(0.1)


class SessionTokens:
    """A signed-in owner, refreshed once: an earlier and a current access token, and a realtime token."""

    def __init__(self, signed: SignedIn, refreshed: dict[str, Any], realtime: str) -> None:
        self.signed = signed
        self.earlier = signed.access_token
        self.current: str = refreshed["access_token"]
        self.refresh_token: str = refreshed["refresh_token"]
        self.realtime = realtime

    @property
    def access_tokens(self) -> tuple[str, str]:
        return self.earlier, self.current


async def session_tokens(client: httpx.AsyncClient) -> SessionTokens:
    signed = await sign_up_and_in(client)
    refreshed = await client.post(REFRESH, json={"refresh_token": signed.refresh_token})
    assert refreshed.status_code == 200, refreshed.text
    config = await client.get(REALTIME_CONFIG, headers=bearer(refreshed.json()["access_token"]))
    assert config.status_code == 200, config.text
    return SessionTokens(signed, refreshed.json(), config.json()["anon_key"])


async def test_every_token_carries_the_session(client: httpx.AsyncClient) -> None:
    tokens = await session_tokens(client)
    sids = {claims_of(t)["sid"] for t in (tokens.earlier, tokens.current, tokens.realtime)}
    assert len(sids) == 1 and sids != {""}
    assert claims_of(tokens.realtime)["scope"] == "realtime"
    assert claims_of(tokens.current)["scope"] == "carowner"


async def test_realtime_token_is_refused_by_rest_and_graphql_http(client: httpx.AsyncClient) -> None:
    tokens = await session_tokens(client)
    assert await rest_status(client, tokens.realtime) == 401
    body = await graphql_me(client, tokens.realtime)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"
    # it cannot mint another one, over REST or GraphQL
    assert (await client.get(REALTIME_CONFIG, headers=bearer(tokens.realtime))).status_code == 401
    minted = (
        await client.post("/graphql", json={"query": "{ realtimeConfig { token } }"}, headers=bearer(tokens.realtime))
    ).json()
    assert minted["data"] is None and minted["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"
    assert (await client.post(SIGN_OUT, headers=bearer(tokens.realtime))).status_code == 401
    await assert_accepted(client, tokens.current)  # refusing it revoked nothing


async def test_sign_out_revokes_every_token_of_the_session_on_every_instance(
    app_factory: AppFactory, settings: Settings
) -> None:
    _, first = await app_factory(redis_prefix=settings.redis_prefix)
    _, second = await app_factory(redis_prefix=settings.redis_prefix)
    tokens = await session_tokens(first)
    other = await sign_up_and_in(first)
    for token in tokens.access_tokens:
        await assert_accepted(first, token)
    out = await first.post(SIGN_OUT, headers=bearer(tokens.current))
    assert out.status_code == 200 and out.json() == {"message": "Sign-out successful."}
    for client in (first, second):
        for token in tokens.access_tokens:
            await assert_revoked(client, token)
    refresh = await second.post(REFRESH, json={"refresh_token": tokens.refresh_token})
    assert refresh.status_code == 401
    await assert_accepted(second, other.access_token)  # another session of another owner is untouched


async def test_sign_out_reaches_an_instance_that_had_the_session_cached(
    app_factory: AppFactory, settings: Settings
) -> None:
    _, first = await app_factory(redis_prefix=settings.redis_prefix)
    _, second = await app_factory(redis_prefix=settings.redis_prefix)
    tokens = await session_tokens(first)
    await assert_accepted(second, tokens.earlier)  # the second instance now holds the session as active
    assert (await first.post(SIGN_OUT, headers=bearer(tokens.current))).status_code == 200

    async def refused() -> bool:
        return await rest_status(second, tokens.earlier) == 401

    await eventually(refused)
    await assert_revoked(second, tokens.earlier)


async def test_sign_out_over_graphql_revokes_every_token_of_the_session(client: httpx.AsyncClient) -> None:
    tokens = await session_tokens(client)
    done = (
        await client.post(
            "/graphql", json={"query": "mutation { signOut { __typename } }"}, headers=bearer(tokens.earlier)
        )
    ).json()
    assert done == {"data": {"signOut": {"__typename": "Done"}}}
    for token in tokens.access_tokens:
        await assert_revoked(client, token)
    assert (await client.post(REFRESH, json={"refresh_token": tokens.refresh_token})).status_code == 401


async def test_revocation_survives_an_emptied_or_unreachable_redis(
    app_factory: AppFactory, settings: Settings, redis_client: Any
) -> None:
    _, first = await app_factory(redis_prefix=settings.redis_prefix)
    _, down = await app_factory(redis_url="redis://127.0.0.1:1/0")  # nothing listens on port 1
    tokens = await session_tokens(first)
    await assert_accepted(down, tokens.current)  # PostgreSQL answers while Redis is down
    assert (await first.post(SIGN_OUT, headers=bearer(tokens.current))).status_code == 200

    async def refused_while_down() -> bool:
        return await rest_status(down, tokens.current) == 401

    await eventually(refused_while_down)
    await assert_revoked(down, tokens.earlier)

    keys = [key async for key in redis_client.scan_iter(match=settings.redis_prefix + "*")]
    assert keys  # the revocation was cached in Redis
    await redis_client.delete(*keys)  # as after a restart without persistence
    _, flushed = await app_factory(redis_prefix=settings.redis_prefix)
    _, fresh = await app_factory(redis_prefix=settings.redis_prefix + "other:")
    for client in (flushed, fresh):
        for token in tokens.access_tokens:
            await assert_revoked(client, token)


async def test_a_revocation_redis_refused_reaches_the_other_instances_once_it_answers(
    app_factory: AppFactory, settings: Settings
) -> None:
    first_app, first = await app_factory(redis_prefix=settings.redis_prefix)
    _, second = await app_factory(redis_prefix=settings.redis_prefix)
    signed = await sign_up_and_in(first)
    await assert_accepted(second, signed.access_token)  # Redis now tells every instance "active"
    breaker = first_app.state.services.kv.breaker
    for _ in range(breaker.threshold):  # Redis looks down to the first instance only (its circuit opens)
        breaker.record_failure()
    assert (await first.post(SIGN_OUT, headers=signed.headers)).status_code == 200

    async def refused() -> bool:
        return await rest_status(second, signed.access_token) == 401

    await eventually(refused)  # well before the shared "active" entry would have expired


async def test_a_warm_cache_answers_without_the_database(app_factory: AppFactory) -> None:
    app, client = await app_factory()
    sessions = app.state.services.sessions
    signed = await sign_up_and_in(client)
    await assert_accepted(client, signed.access_token)
    reads = sessions.database_reads
    for _ in range(5):
        assert await rest_status(client, signed.access_token) == 200
    assert sessions.database_reads - reads <= 1  # at most one re-check once the in-process entry aged


async def _age_rotation(db_session: Any, refresh_token: str, seconds: int = 3600) -> None:
    """Move the rotation of `refresh_token` back in time, past the grace window."""
    from app.auth.tokens import hash_token

    await db_session.exec(
        text(
            "UPDATE refresh_tokens SET rotated_at = rotated_at - make_interval(secs => :s) WHERE token_hash = :h",
        ).bindparams(s=seconds, h=hash_token(refresh_token))
    )
    await db_session.commit()


async def test_refresh_reuse_after_the_grace_window_revokes_the_session(
    client: httpx.AsyncClient, db_session: Any
) -> None:
    tokens = await session_tokens(client)
    await _age_rotation(db_session, tokens.signed.refresh_token)
    replay = await client.post(REFRESH, json={"refresh_token": tokens.signed.refresh_token})
    assert replay.status_code == 401 and replay.json()["code"] == "REFRESH_TOKEN_REUSED"
    for token in tokens.access_tokens:
        await assert_revoked(client, token)
    assert (await client.post(REFRESH, json={"refresh_token": tokens.refresh_token})).status_code == 401


async def test_refresh_reuse_after_a_tiny_grace_window_revokes_the_session(app_factory: AppFactory) -> None:
    _, client = await app_factory(refresh_grace_s=0)
    signed = await sign_up_and_in(client)
    first = await client.post(REFRESH, json={"refresh_token": signed.refresh_token})
    assert first.status_code == 200
    replay = await client.post(REFRESH, json={"refresh_token": signed.refresh_token})
    assert replay.status_code == 401 and replay.json()["code"] == "REFRESH_TOKEN_REUSED"
    await assert_revoked(client, first.json()["access_token"])


async def test_password_reset_revokes_every_session(client: httpx.AsyncClient, services: Any) -> None:
    tokens = await session_tokens(client)
    second_session = await client.post(
        "/api/co/auth/sign-in", json={"email": tokens.signed.email, "password": tokens.signed.password}
    )
    await client.post("/api/co/auth/forgot-password", json={"email": tokens.signed.email})
    token = services.mailer.sent[-1][2].split("token=")[1].split()[0]
    done = await client.post("/api/co/auth/reset-password", json={"token": token, "password": "NewStrongPass456!"})
    assert done.status_code == 200
    for access in (*tokens.access_tokens, second_session.json()["access_token"]):
        await assert_revoked(client, access)


async def test_concurrent_refreshes_get_the_same_pair_and_keep_the_session(client: httpx.AsyncClient) -> None:
    signed = await sign_up_and_in(client)
    responses = await asyncio.gather(
        *(client.post(REFRESH, json={"refresh_token": signed.refresh_token}) for _ in range(2))
    )
    assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
    first, second = (r.json() for r in responses)
    assert first["refresh_token"] == second["refresh_token"] != signed.refresh_token
    assert claims_of(first["access_token"])["sid"] == claims_of(second["access_token"])["sid"]
    for access in (first["access_token"], second["access_token"], signed.access_token):
        await assert_accepted(client, access)
    # the shared successor keeps working: the family was not revoked
    following = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert following.status_code == 200, following.text
    await assert_accepted(client, following.json()["access_token"])


async def test_a_retry_within_the_grace_window_gets_the_same_refresh_token(client: httpx.AsyncClient) -> None:
    signed = await sign_up_and_in(client)
    first = await client.post(REFRESH, headers=bearer(signed.refresh_token))
    retry = await client.post(REFRESH, headers=bearer(signed.refresh_token))
    assert first.status_code == retry.status_code == 200
    assert retry.json()["refresh_token"] == first.json()["refresh_token"]
    assert set(retry.json()) == TOKEN_KEYS


async def test_a_retry_after_sign_out_is_refused(client: httpx.AsyncClient) -> None:
    signed = await sign_up_and_in(client)
    first = await client.post(REFRESH, json={"refresh_token": signed.refresh_token})
    assert (await client.post(SIGN_OUT, headers=bearer(first.json()["access_token"]))).status_code == 200
    retry = await client.post(REFRESH, json={"refresh_token": signed.refresh_token})
    assert retry.status_code == 401


async def test_concurrent_refreshes_over_graphql_get_the_same_pair(client: httpx.AsyncClient, db_session: Any) -> None:
    signed = await sign_up_and_in(client)
    query = "mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { __typename ... on AuthSession { accessToken refreshToken } } }"

    async def refresh(token: str) -> dict[str, Any]:
        response = await client.post("/graphql", json={"query": query, "variables": {"t": token}})
        return response.json()["data"]["refreshToken"]

    first, second = await asyncio.gather(refresh(signed.refresh_token), refresh(signed.refresh_token))
    assert first["__typename"] == second["__typename"] == "AuthSession"
    assert first["refreshToken"] == second["refreshToken"]
    await assert_accepted(client, second["accessToken"])
    await _age_rotation(db_session, signed.refresh_token)
    reused = await refresh(signed.refresh_token)
    assert reused["__typename"] == "AuthenticationError"
    await assert_revoked(client, first["accessToken"])
