"""Access tokens that must be refused: each is answered 401 with the auth Problem, never 200 or 500."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest

from app.settings import Settings
from tests.conftest import AppFactory, SignedIn

PROTECTED = "/api/co/auth/sign-out"  # needs a valid access token


def _claims(signed: SignedIn, settings: Settings, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": signed.user["uid"],
        "oid": signed.owner_id,
        "iat": now,
        "exp": now + 600,
        "jti": str(uuid.uuid4()),
        "typ": "at+jwt",
        "scope": "carowner",
        "sid": jwt.decode(signed.access_token, options={"verify_signature": False})["sid"],
    }
    for key, value in changes.items():
        if value is None:
            claims.pop(key, None)
        else:
            claims[key] = value
    return claims


def _sign(claims: dict[str, Any], secret: str, *, typ: str | None = "at+jwt", algorithm: str = "HS256") -> str:
    headers = {"typ": typ} if typ else {}
    token = jwt.encode(claims, secret, algorithm=algorithm, headers=headers)
    if not typ:  # PyJWT always writes typ=JWT; rebuild the header without it
        header_b64 = base64.urlsafe_b64encode(json.dumps({"alg": algorithm}).encode()).rstrip(b"=").decode()
        _, payload_b64, _ = token.split(".")
        signing_input = f"{header_b64}.{payload_b64}".encode()
        signature = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
        token = f"{header_b64}.{payload_b64}." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    return token


def _unsigned(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'at+jwt'})}.{part(claims)}."


async def _assert_refused(client: httpx.AsyncClient, token: str, code: str | None = None) -> None:
    response = await client.post(PROTECTED, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == "https://minbil.dev/problems/auth"
    if code:
        assert body["code"] == code
    me = await client.post("/graphql", json={"query": "{ me { email } }"}, headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    payload = me.json()
    assert payload["data"] is None or payload["data"]["me"] is None
    assert payload["errors"][0]["extensions"]["code"] in {
        "UNAUTHORIZED",
        "INVALID_TOKEN",
        "TOKEN_EXPIRED",
        "TOKEN_REVOKED",
    }


async def test_a_good_token_is_accepted(client: httpx.AsyncClient, owner: SignedIn, settings: Settings) -> None:
    token = _sign(_claims(owner, settings), settings.jwt_secret)
    me = await client.post("/graphql", json={"query": "{ me { email } }"}, headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"data": {"me": {"email": owner.email}}}


async def test_alg_none_is_refused(client: httpx.AsyncClient, owner: SignedIn, settings: Settings) -> None:
    await _assert_refused(client, _unsigned(_claims(owner, settings)), "INVALID_TOKEN")


async def test_wrong_key_is_refused(client: httpx.AsyncClient, owner: SignedIn, settings: Settings) -> None:
    await _assert_refused(client, _sign(_claims(owner, settings), "another-secret-" + "y" * 40), "INVALID_TOKEN")


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
async def test_other_algorithm_is_refused(client: httpx.AsyncClient, owner: SignedIn, settings: Settings) -> None:
    token = jwt.encode(_claims(owner, settings), settings.jwt_secret, algorithm="HS512", headers={"typ": "at+jwt"})
    await _assert_refused(client, token, "INVALID_TOKEN")


async def test_expired_token_is_refused(client: httpx.AsyncClient, owner: SignedIn, settings: Settings) -> None:
    past = int(time.time()) - 7200
    token = _sign(_claims(owner, settings, iat=past, exp=past + 3600), settings.jwt_secret)
    await _assert_refused(client, token, "TOKEN_EXPIRED")


@pytest.mark.parametrize("claim, value", [("aud", "someone-else"), ("iss", "https://evil.example")])
async def test_wrong_audience_or_issuer_is_refused(
    client: httpx.AsyncClient, owner: SignedIn, settings: Settings, claim: str, value: str
) -> None:
    await _assert_refused(
        client, _sign(_claims(owner, settings, **{claim: value}), settings.jwt_secret), "INVALID_TOKEN"
    )


@pytest.mark.parametrize("claim", ["iss", "aud", "sub", "iat", "exp", "jti", "typ", "sid"])
async def test_each_required_claim_is_checked(
    client: httpx.AsyncClient, owner: SignedIn, settings: Settings, claim: str
) -> None:
    await _assert_refused(
        client, _sign(_claims(owner, settings, **{claim: None}), settings.jwt_secret), "INVALID_TOKEN"
    )


@pytest.mark.parametrize("changes", [{"sid": ""}, {"sid": 7}, {"scope": "realtime"}, {"scope": "admin"}])
async def test_bad_session_or_scope_is_refused(
    client: httpx.AsyncClient, owner: SignedIn, settings: Settings, changes: dict[str, Any]
) -> None:
    await _assert_refused(client, _sign(_claims(owner, settings, **changes), settings.jwt_secret), "INVALID_TOKEN")


async def test_unknown_session_is_refused(client: httpx.AsyncClient, owner: SignedIn, settings: Settings) -> None:
    token = _sign(_claims(owner, settings, sid=str(uuid.uuid4())), settings.jwt_secret)
    await _assert_refused(client, token, "TOKEN_REVOKED")


async def test_missing_typ_header_is_refused(client: httpx.AsyncClient, owner: SignedIn, settings: Settings) -> None:
    await _assert_refused(client, _sign(_claims(owner, settings), settings.jwt_secret, typ=None), "INVALID_TOKEN")


async def test_plain_jwt_typ_is_refused(client: httpx.AsyncClient, owner: SignedIn, settings: Settings) -> None:
    await _assert_refused(client, _sign(_claims(owner, settings), settings.jwt_secret, typ="JWT"), "INVALID_TOKEN")


async def test_refresh_token_used_as_access_token_is_refused(client: httpx.AsyncClient, owner: SignedIn) -> None:
    await _assert_refused(client, owner.refresh_token, "INVALID_TOKEN")


async def test_token_after_sign_out_is_refused(client: httpx.AsyncClient, owner: SignedIn) -> None:
    out = await client.post(PROTECTED, headers=owner.headers)
    assert out.status_code == 200
    await _assert_refused(client, owner.access_token, "TOKEN_REVOKED")


async def test_sign_out_is_shared_between_instances(app_factory: AppFactory, settings: Settings) -> None:
    from tests.conftest import sign_up_and_in

    _, first = await app_factory(redis_prefix=settings.redis_prefix)
    _, second = await app_factory(redis_prefix=settings.redis_prefix)
    signed = await sign_up_and_in(first)
    assert (await first.post(PROTECTED, headers=signed.headers)).status_code == 200
    await _assert_refused(second, signed.access_token, "TOKEN_REVOKED")


async def test_garbage_and_missing_tokens_are_401(client: httpx.AsyncClient) -> None:
    for header in (
        {"Authorization": "Bearer not.a.jwt"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic abc"},
        {},
    ):
        response = await client.post(PROTECTED, headers=header)
        assert response.status_code == 401, header
        assert response.headers["www-authenticate"].startswith("Bearer")
