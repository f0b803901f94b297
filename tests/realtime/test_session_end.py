"""A session that ends (sign-out, refresh-token reuse) closes its open sockets with 4403 on every instance,
and its tokens are refused at `connection_init`; the realtime token opens subscriptions and nothing else."""

from __future__ import annotations

import asyncio
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
import websockets
from sqlalchemy import text
from websockets.typing import Subprotocol

from app.auth.tokens import hash_token
from db.models import PasswordReset
from tests.realtime.harness import UNREAD_SUBSCRIPTION, GraphQLSocket, sign_up

PROTOCOL = Subprotocol("graphql-transport-ws")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def session_tokens(base_url: str) -> dict[str, str]:
    """earlier (sign-in), current (after one refresh) and realtime (GET /realtime/config) tokens of one session."""
    owner = await sign_up(base_url)
    async with httpx.AsyncClient(base_url=base_url) as client:
        refreshed = await client.post("/api/co/auth/refresh", json={"refresh_token": owner["refresh_token"]})
        assert refreshed.status_code == 200, refreshed.text
        config = await client.get("/api/co/realtime/config", headers=bearer(refreshed.json()["access_token"]))
        assert config.status_code == 200, config.text
    return {
        "earlier": owner["access_token"],
        "current": refreshed.json()["access_token"],
        "realtime": config.json()["anon_key"],
        "first_refresh": owner["refresh_token"],
        "refresh": refreshed.json()["refresh_token"],
    }


async def init_close_code(url: str, token: str) -> int | None:
    """Send `connection_init` with `token`; the close code the server answers with (None if acknowledged)."""
    async with websockets.connect(url, subprotocols=[PROTOCOL], open_timeout=30, ping_interval=None) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), 30))
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
        assert message["type"] == "connection_ack", message
        return None


async def open_sockets(url: str, tokens: dict[str, str]) -> dict[str, GraphQLSocket]:
    sockets = {}
    for kind in ("earlier", "current", "realtime"):
        socket = await GraphQLSocket(url, tokens[kind]).connect()
        await socket.subscribe("u", UNREAD_SUBSCRIPTION)
        assert (await socket.data("u", timeout=20))["unreadCounts"]["total"] == 0  # the subscription runs
        sockets[kind] = socket
    return sockets


async def assert_all_closed_4403(sockets: dict[str, GraphQLSocket]) -> None:
    for kind, socket in sockets.items():
        assert socket.closed is not None
        closed = await asyncio.wait_for(socket.closed, 20)  # the default re-check is every 2 s
        assert closed.code == 4403, (kind, closed)
        await socket.close()


async def test_sign_out_closes_every_socket_of_the_session_on_every_instance(pair: Any) -> None:
    a, b = pair
    tokens = await session_tokens(a.base_url)
    other = await sign_up(a.base_url)
    sockets = await open_sockets(b.ws_url, tokens)
    bystander = await GraphQLSocket(b.ws_url, other["access_token"]).connect()
    async with httpx.AsyncClient(base_url=a.base_url) as client:
        assert (await client.post("/api/co/auth/sign-out", headers=bearer(tokens["current"]))).status_code == 200
    await assert_all_closed_4403(sockets)
    for server in (a, b):
        for kind in ("earlier", "current", "realtime"):
            assert await init_close_code(server.ws_url, tokens[kind]) == 4403, (server.base_url, kind)
    assert bystander.closed is not None and not bystander.closed.done()  # another owner's socket stays open
    await bystander.close()


async def test_refresh_reuse_closes_every_socket_of_the_session(pair: Any, session: Any) -> None:
    a, b = pair
    tokens = await session_tokens(a.base_url)
    sockets = await open_sockets(b.ws_url, tokens)
    await session.exec(
        text("UPDATE refresh_tokens SET rotated_at = rotated_at - interval '1 hour' WHERE token_hash = :h").bindparams(
            h=hash_token(tokens["first_refresh"])
        )
    )
    await session.commit()
    async with httpx.AsyncClient(base_url=a.base_url) as client:
        replay = await client.post("/api/co/auth/refresh", json={"refresh_token": tokens["first_refresh"]})
        assert replay.status_code == 401 and replay.json()["code"] == "REFRESH_TOKEN_REUSED"
    await assert_all_closed_4403(sockets)
    assert await init_close_code(b.ws_url, tokens["realtime"]) == 4403


async def test_password_reset_closes_every_socket_of_the_owner(pair: Any, session: Any) -> None:
    a, b = pair
    tokens = await session_tokens(a.base_url)
    sockets = await open_sockets(b.ws_url, tokens)
    # the link of the reset mail (the mail itself goes to the server's log)
    reset_token = secrets.token_urlsafe(32)
    owner_id = jwt.decode(tokens["current"], options={"verify_signature": False})["oid"]
    session.add(
        PasswordReset(
            owner_id=owner_id, token_hash=hash_token(reset_token), expires_at=datetime.now(UTC) + timedelta(hours=1)
        )
    )
    await session.commit()
    async with httpx.AsyncClient(base_url=a.base_url) as client:
        done = await client.post(
            "/api/co/auth/reset-password", json={"token": reset_token, "password": "NewStrongPass456!"}
        )
        assert done.status_code == 200, done.text
    await assert_all_closed_4403(sockets)
    for kind in ("earlier", "current", "realtime"):
        assert await init_close_code(b.ws_url, tokens[kind]) == 4403, kind


@pytest.mark.parametrize(
    "operation, field",
    [
        ("{ me { email } }", "me"),
        ("{ realtimeConfig { token } }", "realtimeConfig"),
        ("mutation { signOut { __typename ... on UserError { code } } }", "signOut"),
    ],
)
async def test_the_realtime_token_opens_subscriptions_and_nothing_else(pair: Any, operation: str, field: str) -> None:
    a, b = pair
    tokens = await session_tokens(a.base_url)
    async with GraphQLSocket(b.ws_url, tokens["realtime"]) as socket:
        await socket.subscribe("u", UNREAD_SUBSCRIPTION)
        assert (await socket.data("u", timeout=20))["unreadCounts"]["total"] == 0
        await socket.subscribe("op", operation)
        answer = await socket.next("op", timeout=20)
        payload = answer["payload"]
        if answer["type"] == "next" and not payload.get("errors"):  # a mutation: a payload union member
            assert payload["data"][field] == {"__typename": "AuthenticationError", "code": "INVALID_TOKEN"}, payload
        else:
            errors = payload["errors"] if isinstance(payload, dict) else payload
            assert errors[0]["extensions"]["code"] == "INVALID_TOKEN", answer
    async with httpx.AsyncClient(base_url=b.base_url) as client:  # nothing was signed out
        assert (await client.get("/api/co/profile", headers=bearer(tokens["current"]))).status_code == 200
