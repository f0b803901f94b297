"""One owner's event reaching many subscriptions in one process: one channel subscription per owner, the event
presented, executed (per selection) and encoded once, every subscription served exactly once; owners never cross."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from litestar.testing import TestClient
from litestar.testing.websocket_test_session import WebSocketTestSession
from redis.asyncio import Redis

from app.domain.events.envelope import NOTIFICATION_CREATED, owner_channel
from app.main import create_app
from app.services import Services
from app.settings import Settings
from graphql_api import controller

PROTOCOL = "graphql-transport-ws"
FULL = "subscription($after: String) { notificationReceived(after: $after) { cursor notification { id title body } } }"
TITLE_ONLY = "subscription($after: String) { notificationReceived(after: $after) { cursor notification { title } } }"


@pytest.fixture
def ws_client(settings_factory: Callable[..., Settings]) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(settings_factory())) as client:
        yield client


def _owner(client: TestClient[Any], email: str) -> tuple[str, int]:
    credentials = {"email": email, "password": "StrongPass123!"}
    assert client.post("/api/co/auth/sign-up", json=credentials).status_code == 201
    token = str(client.post("/api/co/auth/sign-in", json=credentials).json()["access_token"])
    return token, int(jwt.decode(token, options={"verify_signature": False})["oid"])


def _socket(client: TestClient[Any], stack: ExitStack, token: str) -> WebSocketTestSession:
    ws = stack.enter_context(client.websocket_connect("/graphql", subprotocols=[PROTOCOL]))
    ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    assert ws.receive_json(timeout=10) == {"type": "connection_ack"}
    return ws


def _subscribe(ws: WebSocketTestSession, op: str, query: str) -> None:
    ws.send_json({"id": op, "type": "subscribe", "payload": {"query": query, "variables": {"after": "0"}}})


def _notify(client: TestClient[Any], owner_id: int, title: str) -> None:
    services: Services = client.app.state.services

    async def emit() -> None:
        async with services.uow() as uow:
            uow.emit(
                owner_id,
                NOTIFICATION_CREATED,
                {
                    "id": 1,
                    "type": "booking.accepted",
                    "title": title,
                    "body": "b",
                    "created_at": datetime.now(UTC).isoformat(),
                },
            )

    client.blocking_portal.call(emit)


def _frames(ws: WebSocketTestSession, count: int) -> dict[str, dict[str, Any]]:
    """The next `count` frames, by operation id; then nothing else is waiting (a ping is answered next)."""
    frames: dict[str, dict[str, Any]] = {}
    for _ in range(count):
        frame = ws.receive_json(timeout=10)
        assert frame["type"] == "next" and frame["id"] not in frames, frame
        frames[frame["id"]] = frame["payload"]["data"]["notificationReceived"]
    ws.send_json({"type": "ping"})
    assert ws.receive_json(timeout=10) == {"type": "pong"}
    return frames


def test_one_event_to_many_subscriptions_is_presented_executed_and_encoded_once(ws_client: TestClient[Any]) -> None:
    services: Services = ws_client.app.state.services
    token, owner_id = _owner(ws_client, "fanout@minbil.io")
    with ExitStack() as stack:
        sockets = [_socket(ws_client, stack, token) for _ in range(2)]
        for ws in sockets:
            for op in ("a", "b", "c"):
                _subscribe(ws, op, FULL)
            _subscribe(ws, "t", TITLE_ONLY)
        _notify(ws_client, owner_id, "warm-up")  # every subscription has it, from the replay or live
        for ws in sockets:
            assert {f["notification"]["title"] for f in _frames(ws, 4).values()} == {"warm-up"}

        builds, encodings = services.realtime.memo.builds, controller.ENCODED_PAYLOADS.encodings
        _notify(ws_client, owner_id, "Bilen er klar")
        received = [_frames(ws, 4) for ws in sockets]

        assert services.realtime.memo.builds - builds == 1  # one object for the event
        assert controller.ENCODED_PAYLOADS.encodings - encodings == 2  # one payload per selection
        for frames in received:
            assert {op: f["notification"]["title"] for op, f in frames.items()} == dict.fromkeys(
                "abct", "Bilen er klar"
            )
            assert frames["a"] == frames["b"] == frames["c"] and "body" not in frames["t"]["notification"]
        channel = owner_channel(services.settings.redis_prefix, owner_id)

        async def channel_subscriptions() -> int:
            assert isinstance(services.redis, Redis)
            return int(dict(await services.redis.pubsub_numsub(channel))[channel.encode()])

        assert ws_client.blocking_portal.call(channel_subscriptions) == 1  # eight subscriptions, one channel


def test_the_same_selection_of_two_owners_events_never_crosses(ws_client: TestClient[Any]) -> None:
    (token_a, owner_a), (token_b, owner_b) = _owner(ws_client, "a@minbil.io"), _owner(ws_client, "b@minbil.io")
    with ExitStack() as stack:
        socket_a, socket_b = _socket(ws_client, stack, token_a), _socket(ws_client, stack, token_b)
        for ws in (socket_a, socket_b):
            _subscribe(ws, "x", FULL)
            _subscribe(ws, "y", FULL)
        _notify(ws_client, owner_a, "for a")
        _notify(ws_client, owner_b, "for b")
        for ws, title in ((socket_a, "for a"), (socket_b, "for b")):
            assert {f["notification"]["title"] for f in _frames(ws, 2).values()} == {title}
