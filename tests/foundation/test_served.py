"""The app behind a real uvicorn on a loopback port, configured as `minbil serve` runs it
(websockets-sansio protocol): HTTP and a graphql-transport-ws handshake over a real socket."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
import uvicorn
from websockets.exceptions import ConnectionClosedError
from websockets.sync.client import connect

from app.cli import server_options
from app.main import create_app
from app.settings import Settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(settings_factory: Callable[..., Settings]) -> Iterator[str]:
    port = _free_port()
    settings = settings_factory()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, lifespan="on", **server_options(settings))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def test_websocket_handshake_over_a_real_socket(served: str) -> None:
    credentials = {"email": "served@minbil.io", "password": "StrongPass123!"}
    with httpx.Client(base_url=f"http://{served}", timeout=30) as client:
        assert client.post("/api/co/auth/sign-up", json=credentials).status_code == 201
        signed = client.post("/api/co/auth/sign-in", json=credentials, headers={"X-Request-ID": "served-1"})
        assert signed.status_code == 200 and signed.headers["x-request-id"] == "served-1"
        token = signed.json()["access_token"]
    with connect(f"ws://{served}/graphql", subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:
        assert ws.subprotocol == "graphql-transport-ws"
        ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        assert json.loads(ws.recv(timeout=10)) == {"type": "connection_ack"}
    with connect(f"ws://{served}/graphql", subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer forged"}}))
        with pytest.raises(ConnectionClosedError) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
