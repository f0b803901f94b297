"""GraphQL errors say what is wrong: client mistakes keep graphql-core's message with a code; only server
faults are masked, and only they are logged at ERROR with a traceback."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator, Callable, Iterator
from typing import Any

import httpx
import pytest
import strawberry
from litestar.testing import TestClient
from strawberry.permission import BasePermission
from strawberry.relay import GlobalID
from strawberry.types import ExecutionResult

from app.domain.marketplace import catalogue
from app.errors import Unauthenticated, ValidationFailed
from app.main import create_app
from app.settings import Settings
from graphql_api.extensions import ErrorPolicy
from graphql_api.schema import Schema

WORKSHOPS_FIRST = "query($f: Int!) { workshops(first: $f) { totalCount } }"
WORKSHOPS_SORT = "query($s: WorkshopSort) { workshops(sort: $s) { totalCount } }"
WORKSHOPS_FILTER = "query($w: WorkshopFilter) { workshops(filter: $w) { totalCount } }"
NOTIFICATIONS_SINCE = "query($t: DateTime) { notifications(filter: {since: $t}) { totalCount } }"

# (query, variables, words the message must contain)
BAD_VARIABLES = {
    "not_an_int": (WORKSHOPS_FIRST, {"f": "abc"}, ["$f", "Int", "abc"]),
    "missing_required": (WORKSHOPS_FIRST, {}, ["$f", "Int!", "provided"]),
    "bad_enum": (WORKSHOPS_SORT, {"s": {"field": "COLOUR"}}, ["$s", "COLOUR", "WorkshopSortField"]),
    "unknown_input_field": (WORKSHOPS_FILTER, {"w": {"colour": "red"}}, ["$w", "colour"]),
    "bad_datetime": (NOTIFICATIONS_SINCE, {"t": "yesterday"}, ["$t", "DateTime"]),
}


def _only_error(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") is None, body
    assert len(body["errors"]) == 1, body
    return body["errors"][0]


def _client_errors_logged_quietly(caplog: pytest.LogCaptureFixture) -> None:
    loud = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert loud == [], [r.getMessage() for r in loud]


@pytest.mark.parametrize("case", list(BAD_VARIABLES))
async def test_bad_variables_over_post_are_bad_user_input(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    query, variables, words = BAD_VARIABLES[case]
    caplog.set_level(logging.INFO)
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200
    error = _only_error(response.json())
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["message"] != "Unexpected error."
    for word in words:
        assert word in error["message"], error["message"]
    assert "Traceback" not in response.text
    _client_errors_logged_quietly(caplog)


@pytest.mark.parametrize("case", ["not_an_int", "missing_required", "bad_enum", "bad_datetime"])
async def test_bad_variables_over_get_are_bad_user_input(client: httpx.AsyncClient, case: str) -> None:
    query, variables, words = BAD_VARIABLES[case]
    response = await client.get("/graphql", params={"query": query, "variables": json.dumps(variables)})
    assert response.status_code == 200
    error = _only_error(response.json())
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert all(word in error["message"] for word in words), error["message"]


@pytest.mark.parametrize(
    ("query", "code", "words"),
    [
        ("{ me { ", "GRAPHQL_PARSE_FAILED", ["Syntax Error"]),
        ("{ workshops { colour } }", "GRAPHQL_VALIDATION_FAILED", ["colour", "WorkshopConnection"]),
        ("query($f: Int!) { me { email } }", "GRAPHQL_VALIDATION_FAILED", ["$f"]),
        ("{ " + " ".join(f"a{i}: me {{ email }}" for i in range(40)) + " }", "GRAPHQL_VALIDATION_FAILED", ["alias"]),
    ],
)
async def test_document_errors_carry_their_code(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, query: str, code: str, words: list[str]
) -> None:
    caplog.set_level(logging.INFO)
    for response in (
        await client.post("/graphql", json={"query": query}),
        await client.get("/graphql", params={"query": query}),
    ):
        assert response.status_code == 200
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == code, error
        assert all(word in error["message"] for word in words), error["message"]
    _client_errors_logged_quietly(caplog)


async def test_domain_errors_keep_their_code_and_are_not_logged_as_faults(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = await client.post("/graphql", json={"query": "{ bookings { nodes { id } } }"})
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHORIZED" and error["message"] != "Unexpected error."
    _client_errors_logged_quietly(caplog)


async def test_server_faults_are_masked_and_logged_with_a_traceback(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("password=hunter2 in a connection string")

    monkeypatch.setattr(catalogue, "list_workshop_categories", broken)
    response = await client.post("/graphql", json={"query": "{ workshopCategories { name } }"})
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["message"] == "Unexpected error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert error["path"] == ["workshopCategories"]
    assert "hunter2" not in response.text
    faults = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(faults) == 1 and faults[0].exc_info is not None
    assert isinstance(faults[0].exc_info[1], RuntimeError)


PROTOCOL = "graphql-transport-ws"


@pytest.fixture
def ws_client(settings_factory: Callable[..., Settings]) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(settings_factory())) as client:
        yield client


def _ws_error(ws_client: TestClient[Any], query: str, variables: dict[str, Any]) -> dict[str, Any]:
    credentials = {"email": "errors@minbil.io", "password": "StrongPass123!"}
    ws_client.post("/api/co/auth/sign-up", json=credentials)
    token = ws_client.post("/api/co/auth/sign-in", json=credentials).json()["access_token"]
    with ws_client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        assert ws.receive_json() == {"type": "connection_ack"}
        ws.send_json({"type": "subscribe", "id": "1", "payload": {"query": query, "variables": variables}})
        message = ws.receive_json()
    assert message["id"] == "1", message
    # errors before execution end the operation ("error"); errors while it runs come as a result ("next")
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert len(errors) == 1, message
    return errors[0]


def test_bad_subscription_variables_are_bad_user_input(ws_client: TestClient[Any]) -> None:
    error = _ws_error(ws_client, "subscription($b: ID) { bookingUpdated(bookingId: $b) { cursor } }", {"b": True})
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert "$b" in error["message"] and "True" in error["message"]
    error = _ws_error(ws_client, "subscription($b: ID) { bookingUpdated(bookingId: $b) { cursor } }", {"b": "abc"})
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error  # not a global id
    assert "GlobalID" in error["message"]


def test_a_subscription_argument_naming_another_type_is_a_validation_error(ws_client: TestClient[Any]) -> None:
    workshop = str(GlobalID("Workshop", "123456789"))
    error = _ws_error(ws_client, "subscription($b: ID) { messageReceived(bookingId: $b) { cursor } }", {"b": workshop})
    assert error["extensions"]["code"] == "VALIDATION_ERROR", error
    assert error["extensions"]["fields"] == [{"field": "bookingId", "reason": "invalid_id"}]


def test_subscription_validation_errors_carry_their_code(ws_client: TestClient[Any]) -> None:
    error = _ws_error(ws_client, "subscription { bookingUpdated { colour } }", {})
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", error
    assert "colour" in error["message"]


def test_subscription_domain_errors_keep_their_code(ws_client: TestClient[Any]) -> None:
    error = _ws_error(ws_client, 'subscription { bookingUpdated(after: "not-a-cursor") { cursor } }', {})
    assert error["extensions"]["code"] == "VALIDATION_ERROR", error
    assert "after" in error["message"]


class OwnersOnly(BasePermission):
    message = "Only owners may look."

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


class CodedPermission(OwnersOnly):
    error_extensions = {"code": "OWNERS_ONLY"}


@strawberry.type
class Probe:
    @strawberry.field(permission_classes=[OwnersOnly])
    def secret(self) -> str:
        return "x"

    @strawberry.field(permission_classes=[CodedPermission])
    def coded(self) -> str:
        return "x"

    @strawberry.field
    def refused(self) -> str:
        raise ValidationFailed("name is too long.", fields={"name": "too_long"})

    @strawberry.field
    def broken(self) -> str:
        nothing: dict[str, str] = {}
        return nothing["missing"]


async def test_rules_for_permission_domain_and_unexpected_errors(caplog: pytest.LogCaptureFixture) -> None:
    schema = Schema(query=Probe, extensions=[ErrorPolicy])
    caplog.set_level(logging.INFO)
    result = await schema.execute("{ secret }")
    assert [(e.message, e.extensions) for e in result.errors or []] == [
        ("Only owners may look.", {"code": "FORBIDDEN"})
    ]
    result = await schema.execute("{ coded }")
    assert [(e.message, e.extensions) for e in result.errors or []] == [
        ("Only owners may look.", {"code": "OWNERS_ONLY"})
    ]
    result = await schema.execute("{ refused }")
    assert [(e.message, e.extensions) for e in result.errors or []] == [
        (
            "name is too long.",
            {"code": "VALIDATION_ERROR", "status": 400, "fields": [{"field": "name", "reason": "too_long"}]},
        )
    ]
    _client_errors_logged_quietly(caplog)
    result = await schema.execute("{ broken }")
    assert [(e.message, e.extensions) for e in result.errors or []] == [
        ("Unexpected error.", {"code": "INTERNAL_SERVER_ERROR"})
    ]
    faults = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(faults) == 1 and faults[0].exc_info and isinstance(faults[0].exc_info[1], KeyError)


@strawberry.type
class Ticks:
    @strawberry.subscription
    async def ticks(self, fail: str) -> AsyncGenerator[int, None]:
        yield 1
        if fail == "domain":
            raise Unauthenticated("Access token has expired.", code="TOKEN_EXPIRED")
        raise RuntimeError("hunter2")


@pytest.mark.parametrize(
    "fail, error",
    [
        ("domain", ("Access token has expired.", {"code": "TOKEN_EXPIRED", "status": 401})),
        ("fault", ("Unexpected error.", {"code": "INTERNAL_SERVER_ERROR"})),
    ],
)
async def test_errors_during_a_subscription_stream_carry_their_code(fail: str, error: tuple[str, Any]) -> None:
    schema = Schema(query=Probe, subscription=Ticks, extensions=[ErrorPolicy])
    stream = await schema.subscribe("subscription($f: String!) { ticks(fail: $f) }", variable_values={"f": fail})
    assert not isinstance(stream, ExecutionResult)
    results = [r async for r in stream]
    assert [(r.data, r.errors) for r in results[:1]] == [({"ticks": 1}, None)]
    assert [(e.message, e.extensions) for r in results[1:] for e in r.errors or []] == [error]
