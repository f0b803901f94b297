"""The app behind a real uvicorn on a loopback port, configured as `minbil serve` runs it
(websockets-sansio protocol): HTTP and a graphql-transport-ws handshake over a real socket."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import pytest
from websockets.exceptions import ConnectionClosedError
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from app.settings import Settings
from tests.served import serve_in_thread


@pytest.fixture
def served(settings_factory: Callable[..., Settings]) -> Iterator[str]:
    with serve_in_thread(settings_factory()) as address:
        yield address


def test_websocket_handshake_over_a_real_socket(served: str) -> None:
    credentials = {"email": "served@minbil.io", "password": "StrongPass123!"}
    with httpx.Client(base_url=f"http://{served}", timeout=30) as client:
        assert client.post("/api/co/auth/sign-up", json=credentials).status_code == 201
        signed = client.post("/api/co/auth/sign-in", json=credentials, headers={"X-Request-ID": "served-1"})
        assert signed.status_code == 200 and signed.headers["x-request-id"] == "served-1"
        token = signed.json()["access_token"]
    with connect(f"ws://{served}/graphql", subprotocols=[Subprotocol("graphql-transport-ws")], open_timeout=10) as ws:
        assert ws.subprotocol == "graphql-transport-ws"
        ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        assert json.loads(ws.recv(timeout=10)) == {"type": "connection_ack"}
    with connect(f"ws://{served}/graphql", subprotocols=[Subprotocol("graphql-transport-ws")], open_timeout=10) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer forged"}}))
        with pytest.raises(ConnectionClosedError) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
