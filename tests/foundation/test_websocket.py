"""GraphQL over WebSocket (graphql-transport-ws): `connection_init` authenticates; each refusal closes with the
code of its cause: 4403 a bad token, 4429 too many sockets of one user or a second `connection_init`, 4400 an
invalid message, 4401 a subscribe before the acknowledgement, 4408 no `connection_init` in time, 4409 an
operation id in use."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import timedelta
from typing import Any

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from app.main import create_app
from app.settings import Settings
from graphql_api import controller

PROTOCOL = "graphql-transport-ws"


@pytest.fixture
def ws_client(settings_factory: Callable[..., Settings]) -> Iterator[TestClient[Any]]:
    # TestClient runs the app (and its lifespan) in its own thread and loop: everything is built inside it
    with TestClient(create_app(settings_factory())) as client:
        yield client


def _access_token(client: TestClient[Any], email: str = "socket@minbil.io") -> str:
    credentials = {"email": email, "password": "StrongPass123!"}
    assert client.post("/api/co/auth/sign-up", json=credentials).status_code == 201
    response = client.post("/api/co/auth/sign-in", json=credentials)
    assert response.status_code == 200
    return str(response.json()["access_token"])


def test_connection_init_with_a_good_token_is_acknowledged(ws_client: TestClient[Any]) -> None:
    token = _access_token(ws_client)
    with ws_client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        assert ws.receive_json() == {"type": "connection_ack"}
        ws.send_json({"type": "ping"})
        assert ws.receive_json()["type"] == "pong"


def test_connection_init_accepts_a_bare_token(ws_client: TestClient[Any]) -> None:
    token = _access_token(ws_client)
    with ws_client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"token": token}})
        assert ws.receive_json() == {"type": "connection_ack"}


@pytest.mark.parametrize(
    "payload",
    [
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."},
        {},
        None,
    ],
)
def test_connection_init_with_a_bad_or_missing_token_closes_4403(ws_client: TestClient[Any], payload: Any) -> None:
    with ws_client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws:
        message: dict[str, Any] = {"type": "connection_init"}
        if payload is not None:
            message["payload"] = payload
        ws.send_json(message)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4403


def test_signed_out_token_closes_4403(ws_client: TestClient[Any]) -> None:
    token = _access_token(ws_client)
    assert ws_client.post("/api/co/auth/sign-out", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with ws_client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4403


def _closed_with(ws: Any) -> tuple[int, str]:
    with pytest.raises(WebSocketDisconnect) as closed:
        while True:
            ws.receive_json()
    return closed.value.code, closed.value.detail


def _acknowledged(ws: Any, token: str) -> None:
    ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    assert ws.receive_json() == {"type": "connection_ack"}


def test_the_socket_one_over_the_users_limit_closes_4429_not_4403(
    settings_factory: Callable[..., Settings],
) -> None:
    settings = settings_factory()
    limit = settings.graphql_max_connections_per_user
    with TestClient(create_app(settings)) as client, ExitStack() as sockets:
        token = _access_token(client)
        for _ in range(limit):
            _acknowledged(sockets.enter_context(client.websocket_connect("/graphql", subprotocols=[PROTOCOL])), token)
        with client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as one_more:
            one_more.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
            code, reason = _closed_with(one_more)
        assert code == 4429 and "connections" in reason.lower(), (code, reason)
        with client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as other:  # another user is not affected
            _acknowledged(other, _access_token(client, "other-socket@minbil.io"))


UNREAD = "subscription { unreadCounts { total } }"


def test_no_connection_init_in_time_closes_4408(
    settings_factory: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(controller, "INIT_TIMEOUT", timedelta(milliseconds=200))
    with (
        TestClient(create_app(settings_factory())) as client,
        client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws,
    ):
        assert _closed_with(ws) == (4408, "Connection initialisation timeout")


@pytest.mark.parametrize(
    "messages, code",
    [
        ([{"type": "subscribe", "id": "1", "payload": {"query": UNREAD}}], 4401),  # before the acknowledgement
        ([{"type": "connection_init"}], 4429),  # a second connection_init
        ([{"type": "hello"}], 4400),  # not a message of the protocol
        ([{"type": "subscribe", "id": "1", "payload": {"query": UNREAD}}] * 2, 4409),  # an id already in use
    ],
    ids=["subscribe-before-ack", "second-init", "unknown-message", "duplicate-id"],
)
def test_protocol_violations_close_with_the_protocols_codes(
    ws_client: TestClient[Any], messages: list[dict[str, Any]], code: int
) -> None:
    token = _access_token(ws_client)
    with ws_client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws:
        if code != 4401:
            _acknowledged(ws, token)
        for message in messages:
            ws.send_json(message)
        assert _closed_with(ws)[0] == code
