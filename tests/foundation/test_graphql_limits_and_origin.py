"""Document limits (depth, tokens) answer a coded error instead of running the operation, and the GraphQL
WebSocket accepts browsers only from the configured origins (`MINBIL_CORS_ORIGINS`).

`first` out of range is covered by tests/foundation/test_input_graphql.py (NUMBER_CASES) and the masking of
an unexpected error by tests/foundation/test_graphql_errors.py (test_server_faults_are_masked...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from app.main import create_app
from app.settings import Settings
from tests.conftest import AppFactory, sign_up_and_in

PROTOCOL = "graphql-transport-ws"
ALLOWED = "https://platform.minbil.no"


async def test_a_document_deeper_than_the_limit_is_refused_with_a_code(app_factory: AppFactory) -> None:
    # strawberry counts the root field as depth 0: a limit of 3 allows four levels of fields
    _, client = await app_factory(graphql_max_depth=3)
    owner = await sign_up_and_in(client)
    within = "{ bookings { nodes { workshop { name } } } }"  # 4 levels
    beyond = "{ bookings { groups { items { workshop { name } } } } }"  # 5 levels

    ok = (await client.post("/graphql", json={"query": within}, headers=owner.headers)).json()
    refused = await client.post("/graphql", json={"query": beyond}, headers=owner.headers)

    assert "errors" not in ok, ok
    body = refused.json()
    assert refused.status_code == 200 and body.get("data") is None, body
    error = body["errors"][0]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", error
    assert "depth" in error["message"].lower(), error


async def test_a_document_over_the_token_limit_is_refused_with_a_code(client: Any) -> None:
    long_query = "{ " + "__typename " * 2100 + "}"  # over the default 2000 tokens, no alias, no depth
    short_query = "{ " + "__typename " * 100 + "}"

    refused = (await client.post("/graphql", json={"query": long_query})).json()
    ok = (await client.post("/graphql", json={"query": short_query})).json()

    assert ok == {"data": {"__typename": "Query"}}
    assert refused.get("data") is None, refused
    error = refused["errors"][0]
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED", error
    assert "token" in error["message"].lower(), error


def _handshake(settings: Settings, origin: str | None) -> int | None:
    """Open the GraphQL socket with `origin`; None when accepted, else the close code."""
    headers = {"origin": origin} if origin else {}
    with TestClient(create_app(settings)) as client:
        try:
            with client.websocket_connect("/graphql", subprotocols=[PROTOCOL], headers=headers) as ws:
                ws.send_json({"type": "ping"})
                assert ws.receive_json()["type"] == "pong"
        except WebSocketDisconnect as exc:
            return exc.code
    return None


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [
        (ALLOWED, True),
        (None, True),  # not a browser
        ("https://evil.example", False),
        ("https://platform.minbil.no.evil.example", False),
        ("http://platform.minbil.no", False),  # another scheme is another origin
    ],
)
def test_the_websocket_origin_check(
    settings_factory: Callable[..., Settings], origin: str | None, accepted: bool
) -> None:
    code = _handshake(settings_factory(cors_origins=(ALLOWED,)), origin)

    if accepted:
        assert code is None
    else:
        assert code == 1008, code  # policy violation: the handshake is refused before it is accepted
