"""The auth mutations and `me` over GraphQL, with their union payloads for expected failures."""

from __future__ import annotations

from typing import Any

import httpx
from graphql import GraphQLUnionType
from sqlalchemy import text

from app.infra.mail import LoggingMailer
from app.services import Services
from graphql_api.schema import build_schema
from tests.graphql_client import bearer, graphql_data

SESSION = """
  __typename
  ... on AuthSession { accessToken refreshToken tokenType expiresIn expiresAt owner { email } }
  ... on UserError { message code ... on RateLimitedError { retryAfter } ... on ValidationError { fields { field reason } } }
"""
DONE = "__typename ... on Done { message } ... on UserError { message code ... on ValidationError { fields { field reason } } }"


async def sign_up(client: httpx.AsyncClient, email: str, password: str = "StrongPass123!") -> dict[str, Any]:
    data = await graphql_data(
        client,
        """mutation($i: SignUpInput!) { signUp(input: $i) {
        __typename ... on SignUpSuccess { owner { email id } } ... on UserError { message code }
        ... on ValidationError { fields { field reason } } ... on ConflictError { fields { field reason } } } }""",
        {"i": {"email": email, "password": password}},
    )
    return data["signUp"]


async def sign_in(client: httpx.AsyncClient, email: str, password: str = "StrongPass123!") -> dict[str, Any]:
    data = await graphql_data(
        client,
        f"mutation($i: SignInInput!) {{ signIn(input: $i) {{ {SESSION} }} }}",
        {"i": {"email": email, "password": password}},
    )
    return data["signIn"]


async def test_sign_up_sign_in_and_me(client: httpx.AsyncClient) -> None:
    created = await sign_up(client, "graph@minbil.io")
    assert created["__typename"] == "SignUpSuccess" and created["owner"]["email"] == "graph@minbil.io"
    session = await sign_in(client, "graph@minbil.io")
    assert session["__typename"] == "AuthSession"
    assert session["tokenType"] == "BEARER" and session["expiresIn"] == 3600
    me = await graphql_data(client, "{ me { email firstName verifyVehicles } }", headers=bearer(session["accessToken"]))
    assert me == {"me": {"email": "graph@minbil.io", "firstName": None, "verifyVehicles": False}}


async def test_me_without_token_is_null(client: httpx.AsyncClient) -> None:
    assert await graphql_data(client, "{ me { email } }") == {"me": None}


async def test_me_over_get(client: httpx.AsyncClient) -> None:
    await sign_up(client, "get@minbil.io")
    session = await sign_in(client, "get@minbil.io")
    response = await client.get(
        "/graphql", params={"query": "{ me { email } }"}, headers={"Authorization": f"Bearer {session['accessToken']}"}
    )
    assert response.json() == {"data": {"me": {"email": "get@minbil.io"}}}


async def test_sign_up_failures_are_union_members(client: httpx.AsyncClient) -> None:
    await sign_up(client, "dup@minbil.io")
    duplicate = await sign_up(client, "DUP@minbil.io")
    assert duplicate["__typename"] == "ConflictError" and duplicate["code"] == "EMAIL_TAKEN"
    short = await sign_up(client, "short@minbil.io", "short")
    assert short["__typename"] == "ValidationError"
    assert {"field": "input.password", "reason": "too_short"} in short["fields"]


async def test_wrong_password_is_authentication_error(client: httpx.AsyncClient) -> None:
    await sign_up(client, "wrong@minbil.io")
    wrong = await sign_in(client, "wrong@minbil.io", "NotThePassword1!")
    unknown = await sign_in(client, "nobody@minbil.io", "NotThePassword1!")
    assert wrong["__typename"] == unknown["__typename"] == "AuthenticationError"
    assert wrong["message"] == unknown["message"] and wrong["code"] == unknown["code"]


async def test_refresh_rotates_and_reuse_fails(client: httpx.AsyncClient, db_session: Any) -> None:
    await sign_up(client, "rot@minbil.io")
    first = await sign_in(client, "rot@minbil.io")
    query = f"mutation($t: String!) {{ refreshToken(input: {{refreshToken: $t}}) {{ {SESSION} }} }}"
    second = (await graphql_data(client, query, {"t": first["refreshToken"]}))["refreshToken"]
    assert second["__typename"] == "AuthSession" and second["refreshToken"] != first["refreshToken"]
    retry = (await graphql_data(client, query, {"t": first["refreshToken"]}))["refreshToken"]
    assert retry["refreshToken"] == second["refreshToken"]  # within the grace window: the same successor
    await db_session.exec(text("UPDATE refresh_tokens SET rotated_at = rotated_at - interval '1 hour'"))
    await db_session.commit()
    reused = (await graphql_data(client, query, {"t": first["refreshToken"]}))["refreshToken"]
    assert reused["__typename"] == "AuthenticationError"
    # reuse revoked the whole family: the newest token is dead too
    after = (await graphql_data(client, query, {"t": second["refreshToken"]}))["refreshToken"]
    assert after["__typename"] == "AuthenticationError"


async def test_sign_out_needs_a_token_and_revokes_it(client: httpx.AsyncClient) -> None:
    anonymous = (await graphql_data(client, f"mutation {{ signOut {{ {DONE} }} }}"))["signOut"]
    assert anonymous["__typename"] == "AuthenticationError"
    await sign_up(client, "out@minbil.io")
    session = await sign_in(client, "out@minbil.io")
    done = (await graphql_data(client, f"mutation {{ signOut {{ {DONE} }} }}", headers=bearer(session["accessToken"])))[
        "signOut"
    ]
    assert done == {"__typename": "Done", "message": "Sign-out successful."}
    response = await client.post(
        "/graphql", json={"query": "{ me { email } }"}, headers={"Authorization": f"Bearer {session['accessToken']}"}
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "TOKEN_REVOKED"


async def test_password_reset_round_trip(client: httpx.AsyncClient, services: Services) -> None:
    await sign_up(client, "reset@minbil.io")
    request = f"mutation($e: String!) {{ requestPasswordReset(input: {{email: $e}}) {{ {DONE} }} }}"
    known = (await graphql_data(client, request, {"e": "reset@minbil.io"}))["requestPasswordReset"]
    unknown = (await graphql_data(client, request, {"e": "ghost@minbil.io"}))["requestPasswordReset"]
    assert known == unknown and known["__typename"] == "Done"
    assert isinstance(services.mailer, LoggingMailer)
    token = services.mailer.sent[-1][2].split("token=")[1].split()[0]
    reset = f"mutation($i: ResetPasswordInput!) {{ resetPassword(input: $i) {{ {DONE} }} }}"
    done = (await graphql_data(client, reset, {"i": {"token": token, "password": "BrandNewPass99!"}}))["resetPassword"]
    assert done["__typename"] == "Done"
    again = (await graphql_data(client, reset, {"i": {"token": token, "password": "OtherNewPass99!"}}))["resetPassword"]
    assert again["__typename"] == "ValidationError"
    assert again["fields"] == [{"field": "input.token", "reason": "invalid"}]
    assert (await sign_in(client, "reset@minbil.io", "BrandNewPass99!"))["__typename"] == "AuthSession"


async def test_open_redirect_is_a_validation_error(client: httpx.AsyncClient) -> None:
    request = f"mutation($i: RequestPasswordResetInput!) {{ requestPasswordReset(input: $i) {{ {DONE} }} }}"
    bad = (
        await graphql_data(client, request, {"i": {"email": "a@minbil.io", "redirectTo": "https://evil.example/x"}})
    )["requestPasswordReset"]
    assert bad["__typename"] == "ValidationError"
    assert bad["fields"] == [{"field": "input.redirectTo", "reason": "not_allowed"}]


async def test_query_limits_and_masked_errors(client: httpx.AsyncClient) -> None:
    aliases = " ".join(f"a{i}: me {{ email }}" for i in range(40))
    too_many = (await client.post("/graphql", json={"query": "{ " + aliases + " }"})).json()
    assert too_many["errors"] and "alias" in too_many["errors"][0]["message"].lower()
    syntax = (await client.post("/graphql", json={"query": "{ me { "})).json()
    assert syntax["errors"] and "Traceback" not in str(syntax)


def _union_members(name: str) -> set[str]:
    union = build_schema()._schema.type_map[name]
    assert isinstance(union, GraphQLUnionType)
    return {member.name for member in union.types}


def test_auth_payload_unions_list_exactly_their_errors() -> None:
    limited = {"RateLimitedError", "UnavailableError"}  # the limiter may refuse, or be down in fail-closed mode
    assert _union_members("SignUpPayload") == {"SignUpSuccess", "ValidationError", "ConflictError", *limited}
    assert _union_members("SignInPayload") == {"AuthSession", "ValidationError", "AuthenticationError", *limited}
    assert _union_members("RefreshTokenPayload") == {"AuthSession", "AuthenticationError", *limited}
    assert _union_members("SignOutPayload") == {"Done", "AuthenticationError"}
    assert _union_members("RequestPasswordResetPayload") == {"Done", "ValidationError", *limited}
    assert _union_members("ResetPasswordPayload") == {"Done", "ValidationError"}
