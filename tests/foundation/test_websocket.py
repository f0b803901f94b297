"""GraphQL over WebSocket (graphql-transport-ws): `connection_init` authenticates; a bad token closes with 4403."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from app.main import create_app
from app.settings import Settings

PROTOCOL = "graphql-transport-ws"


@pytest.fixture
def ws_client(settings_factory: Callable[..., Settings]) -> Iterator[TestClient[Any]]:
    # TestClient runs the app (and its lifespan) in its own thread and loop: everything is built inside it
    with TestClient(create_app(settings_factory())) as client:
        yield client


def _access_token(client: TestClient[Any]) -> str:
    credentials = {"email": "socket@minbil.io", "password": "StrongPass123!"}
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
