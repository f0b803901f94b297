"""Rate limits on the auth operations: 429 Problem with Retry-After, counted in Redis across instances.

When Redis is down the limiter follows `MINBIL_RATE_LIMIT_FAIL_MODE`: "open" (default) lets requests
through, "closed" answers 503 with Retry-After. "Down" here is a real Redis URL where nothing listens.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import sign_up_and_in

LIMIT = "3/100000"  # 3 per window; a window long enough not to roll over during a test
DEAD_REDIS = "redis://127.0.0.1:6399/0"
PASSWORD = "StrongPass123!"


def _assert_429(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    retry_after = int(response.headers["retry-after"])
    assert 0 < retry_after <= 100000
    body = response.json()
    assert body["type"] == "https://minbil.dev/problems/rate-limit"
    assert body["status"] == 429 and body["code"] == "RATE_LIMITED"


async def _sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/co/auth/sign-in", json={"email": email, "password": password})


async def test_sign_in_is_limited(app_factory: Any) -> None:
    _, client = await app_factory(auth_rate_limit=LIMIT)
    answers = [await _sign_in(client, "nobody@minbil.io", "WrongPass123!") for _ in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 401]
    _assert_429(await _sign_in(client, "nobody@minbil.io", "WrongPass123!"))


async def test_sign_up_is_limited(app_factory: Any) -> None:
    _, client = await app_factory(auth_rate_limit=LIMIT)
    for i in range(3):
        response = await client.post("/api/co/auth/sign-up", json={"email": f"n{i}@minbil.io", "password": PASSWORD})
        assert response.status_code == 201
    _assert_429(await client.post("/api/co/auth/sign-up", json={"email": "n9@minbil.io", "password": PASSWORD}))


async def test_forgot_password_is_limited(app_factory: Any) -> None:
    _, client = await app_factory(auth_rate_limit=LIMIT)
    for _ in range(3):
        response = await client.post("/api/co/auth/forgot-password", json={"email": "someone@minbil.io"})
        assert response.status_code == 200
    _assert_429(await client.post("/api/co/auth/forgot-password", json={"email": "someone@minbil.io"}))


async def test_refresh_is_limited(app_factory: Any) -> None:
    _, client = await app_factory(auth_rate_limit=LIMIT)
    for _ in range(3):
        response = await client.post("/api/co/auth/refresh", json={"refresh_token": "not-a-real-token"})
        assert response.status_code == 401
    _assert_429(await client.post("/api/co/auth/refresh", json={"refresh_token": "not-a-real-token"}))


async def test_graphql_sign_in_reports_rate_limited_error(app_factory: Any) -> None:
    _, client = await app_factory(auth_rate_limit=LIMIT)
    query = """mutation { signIn(input: {email: "x@minbil.io", password: "WrongPass123!"}) {
        __typename ... on RateLimitedError { retryAfter code } } }"""
    kinds = [(await client.post("/graphql", json={"query": query})).json()["data"]["signIn"] for _ in range(4)]
    assert [k["__typename"] for k in kinds] == ["AuthenticationError"] * 3 + ["RateLimitedError"]
    assert kinds[-1]["retryAfter"] > 0 and kinds[-1]["code"] == "RATE_LIMITED"


async def test_counters_are_shared_between_instances(app_factory: Any) -> None:
    # both apps get the test's Redis prefix, as two processes of one deployment would
    _, first = await app_factory(auth_rate_limit=LIMIT)
    _, second = await app_factory(auth_rate_limit=LIMIT)
    assert (await _sign_in(first, "a@minbil.io", "WrongPass123!")).status_code == 401
    assert (await _sign_in(second, "a@minbil.io", "WrongPass123!")).status_code == 401
    assert (await _sign_in(first, "a@minbil.io", "WrongPass123!")).status_code == 401
    _assert_429(await _sign_in(second, "a@minbil.io", "WrongPass123!"))
    _assert_429(await _sign_in(first, "a@minbil.io", "WrongPass123!"))


async def test_instances_with_another_prefix_do_not_share(app_factory: Any) -> None:
    _, first = await app_factory(auth_rate_limit=LIMIT)
    _, other = await app_factory(auth_rate_limit=LIMIT, redis_prefix=f"minbil:test:other-{uuid.uuid4().hex}:")
    await other.post("/api/co/auth/sign-in", json={})  # nothing counted: invalid input is refused first
    for _ in range(3):
        await _sign_in(first, "b@minbil.io", "WrongPass123!")
    _assert_429(await _sign_in(first, "b@minbil.io", "WrongPass123!"))
    assert (await _sign_in(other, "b@minbil.io", "WrongPass123!")).status_code == 401


async def test_redis_down_fails_open_by_default(app_factory: Any) -> None:
    _, client = await app_factory(auth_rate_limit="1/100000", redis_url=DEAD_REDIS)
    signed = await sign_up_and_in(client, "open@minbil.io")  # sign-up + sign-in: above the limit of 1, still allowed
    for _ in range(3):
        assert (await _sign_in(client, "open@minbil.io")).status_code == 200
    # sign-out still revokes the token within this instance
    assert (await client.post("/api/co/auth/sign-out", headers=signed.headers)).status_code == 200
    assert (await client.post("/api/co/auth/sign-out", headers=signed.headers)).status_code == 401


async def test_redis_down_fails_closed_when_configured(app_factory: Any) -> None:
    _, client = await app_factory(redis_url=DEAD_REDIS, rate_limit_fail_mode="closed")
    response = await client.post("/api/co/auth/sign-in", json={"email": "closed@minbil.io", "password": PASSWORD})
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/co/auth/sign-up", {"email": "closed@minbil.io", "password": PASSWORD}),
        ("/api/co/auth/forgot-password", {"email": "closed@minbil.io"}),
        ("/api/co/auth/refresh", {"refresh_token": "not-a-real-token"}),
    ],
)
async def test_closed_mode_covers_every_limited_operation(app_factory: Any, path: str, body: dict[str, str]) -> None:
    _, client = await app_factory(redis_url=DEAD_REDIS, rate_limit_fail_mode="closed")
    response = await client.post(path, json=body)
    assert response.status_code == 503, response.text
    assert "retry-after" in response.headers


@pytest.mark.parametrize(
    "mutation, input",
    [
        ("signIn", {"email": "closed@minbil.io", "password": PASSWORD}),
        ("signUp", {"email": "closed@minbil.io", "password": PASSWORD}),
        ("requestPasswordReset", {"email": "closed@minbil.io"}),
        ("refreshToken", {"refreshToken": "not-a-real-token"}),
    ],
)
async def test_closed_mode_is_the_payloads_unavailable_error_over_graphql(
    app_factory: Any, mutation: str, input: dict[str, str]
) -> None:
    """The limiter being down is one of the errors these mutations can return: a member of their union. (With a
    GraphQL cost budget the operation is refused before any field, by the budget's own check of the store.)"""
    _, client = await app_factory(redis_url=DEAD_REDIS, rate_limit_fail_mode="closed", graphql_cost_budget="0")
    input_type = mutation[0].upper() + mutation[1:] + "Input"
    query = f"""mutation($input: {input_type}!) {{ {mutation}(input: $input) {{
        __typename ... on UnavailableError {{ code retryAfter }} }} }}"""
    body = (await client.post("/graphql", json={"query": query, "variables": {"input": input}})).json()
    assert body["data"][mutation]["__typename"] == "UnavailableError", body
    assert body["data"][mutation]["code"] == "SERVICE_UNAVAILABLE" and body["data"][mutation]["retryAfter"] > 0
