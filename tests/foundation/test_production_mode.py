"""Production mode (`MINBIL_ENVIRONMENT=production`): no GraphiQL (unless `MINBIL_GRAPHIQL=true`), no Swagger UI,
schema documents (GraphQL introspection, the OpenAPI document) only for callers with a developer key, and no
"Did you mean ...?" suggestions in error messages. Development and test keep all of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from app.main import create_app
from app.settings import Settings, load_settings
from tests.conftest import AppFactory, sign_up_and_in
from tests.graphql_client import graphql

DEVELOPER_KEY = "dev-key-" + "d" * 32
PRODUCTION: dict[str, Any] = {"environment": "production", "developer_keys": (DEVELOPER_KEY,)}
SCHEMA_QUERY = "{ __schema { queryType { name } } }"
TYPE_QUERY = '{ __type(name: "Query") { name } }'
FRAGMENT_QUERY = "query { ...Peek } fragment Peek on Query { __schema { types { name } } }"
SECRET = "test-secret-" + "x" * 40

# (query, variables, the name graphql-core would suggest)
SUGGESTING = {
    "unknown_field": ("{ workshopCategories { nam } }", None, "name"),
    "unknown_argument": ("{ workshops(frist: 1) { totalCount } }", None, "first"),
    "bad_enum_literal": ("{ workshops(sort: {field: NAM}) { totalCount } }", None, "NAME"),
    "bad_enum_variable": (
        "query($s: WorkshopSort) { workshops(sort: $s) { totalCount } }",
        {"s": {"field": "NAM"}},
        "NAME",
    ),
    "unknown_type": ("query($s: WorkshopSrot) { workshops(sort: $s) { totalCount } }", None, "WorkshopSort"),
}


def _error(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") is None, body
    assert len(body["errors"]) == 1, body
    return body["errors"][0]


# --- GraphiQL and Swagger UI -----------------------------------------------------------------------


async def test_graphiql_is_off_in_production_but_get_queries_still_work(app_factory: AppFactory) -> None:
    _, client = await app_factory(**PRODUCTION)
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "graphiql" not in page.text.lower()
    answer = await client.get("/graphql", params={"query": "{ __typename }"}, headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.json() == {"data": {"__typename": "Query"}}


async def test_graphiql_can_be_turned_back_on_in_production(app_factory: AppFactory) -> None:
    _, client = await app_factory(**PRODUCTION, graphiql=True)
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "graphiql" in page.text.lower()


@pytest.mark.parametrize("environment", ["development", "test"])
async def test_graphiql_and_swagger_stay_outside_production(app_factory: AppFactory, environment: str) -> None:
    _, client = await app_factory(environment=environment)
    assert (await client.get("/graphql", headers={"Accept": "text/html"})).status_code == 200
    assert "SwaggerUIBundle" in (await client.get("/api/co/schema")).text
    assert (await client.get("/api/co/schema/openapi.json")).status_code == 200


async def test_graphiql_can_be_turned_off_outside_production(app_factory: AppFactory) -> None:
    _, client = await app_factory(environment="development", graphiql=False)
    assert (await client.get("/graphql", headers={"Accept": "text/html"})).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/co/schema",
        "/api/co/schema/",
        "/api/co/schema/swagger",
        "/api/co/schema/redoc",
        "/api/co/schema/openapi.yaml",
    ],
)
async def test_swagger_ui_is_off_in_production(app_factory: AppFactory, path: str) -> None:
    _, client = await app_factory(**PRODUCTION)
    response = await client.get(path)
    assert response.status_code == 404
    assert "SwaggerUIBundle" not in response.text and "paths" not in response.text
    # a developer gets the document at the root (Litestar serves its only render plugin there), never the page
    response = await client.get(path, headers={"x-developer-key": DEVELOPER_KEY})
    assert "SwaggerUIBundle" not in response.text
    assert response.status_code == 404 or response.headers["content-type"].startswith("application/"), response


async def test_openapi_document_needs_a_developer_key_in_production(app_factory: AppFactory) -> None:
    _, client = await app_factory(**PRODUCTION)
    for headers in ({}, {"x-developer-key": "wrong"}, {"x-api-key": "test-api-key"}):
        response = await client.get("/api/co/schema/openapi.json", headers=headers)
        assert response.status_code == 404, headers
        assert "paths" not in response.text
    response = await client.get("/api/co/schema/openapi.json", headers={"x-developer-key": DEVELOPER_KEY})
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "MinBil Car Owner API V1"


# --- introspection ---------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [SCHEMA_QUERY, TYPE_QUERY, FRAGMENT_QUERY])
async def test_introspection_is_refused_to_anonymous_and_owners_in_production(
    app_factory: AppFactory, query: str
) -> None:
    _, client = await app_factory(**PRODUCTION)
    owner = await sign_up_and_in(client)
    for headers in ({}, owner.headers, {"x-developer-key": "wrong"}, {"x-api-key": "test-api-key"}):
        error = _error(await graphql(client, query, headers=headers))
        assert error["extensions"]["code"] == "INTROSPECTION_DISABLED", (headers, error)
        assert "introspection" in error["message"].lower()
    response = await client.get("/graphql", params={"query": query})
    assert _error(response.json())["extensions"]["code"] == "INTROSPECTION_DISABLED"


async def test_typename_stays_allowed_in_production(app_factory: AppFactory) -> None:
    _, client = await app_factory(**PRODUCTION)
    body = await graphql(client, "{ __typename workshopCategories { __typename } }")
    assert body.get("errors") is None, body
    assert body["data"]["__typename"] == "Query"


@pytest.mark.parametrize("query", [SCHEMA_QUERY, TYPE_QUERY, FRAGMENT_QUERY])
async def test_introspection_is_allowed_with_a_developer_key_in_production(app_factory: AppFactory, query: str) -> None:
    _, client = await app_factory(**PRODUCTION)
    owner = await sign_up_and_in(client)
    for headers in ({"x-developer-key": DEVELOPER_KEY}, {**owner.headers, "x-developer-key": DEVELOPER_KEY}):
        body = await graphql(client, query, headers=headers)
        assert body.get("errors") is None, body
        assert body["data"]


async def test_introspection_stays_open_outside_production(app_factory: AppFactory) -> None:
    _, client = await app_factory(environment="development")
    body = await graphql(client, SCHEMA_QUERY)
    assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


async def test_no_developer_key_configured_means_no_introspection_in_production(app_factory: AppFactory) -> None:
    _, client = await app_factory(environment="production")
    for headers in ({}, {"x-developer-key": ""}):
        error = _error(await graphql(client, SCHEMA_QUERY, headers=headers))
        assert error["extensions"]["code"] == "INTROSPECTION_DISABLED"


# --- suggestions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(SUGGESTING))
async def test_suggestions_are_absent_in_production(app_factory: AppFactory, case: str) -> None:
    query, variables, suggested = SUGGESTING[case]
    _, client = await app_factory(**PRODUCTION)
    error = _error(await graphql(client, query, variables))
    assert error["extensions"]["code"] in ("GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"), error
    assert "Did you mean" not in error["message"], error
    assert f"'{suggested}'" not in error["message"], error
    assert error["message"].strip(), error


@pytest.mark.parametrize("case", list(SUGGESTING))
async def test_suggestions_are_present_in_development(app_factory: AppFactory, case: str) -> None:
    query, variables, suggested = SUGGESTING[case]
    _, client = await app_factory(environment="development")
    error = _error(await graphql(client, query, variables))
    assert "Did you mean" in error["message"] and f"'{suggested}'" in error["message"], error


# --- WebSocket -------------------------------------------------------------------------------------

PROTOCOL = "graphql-transport-ws"


@pytest.fixture
def production_ws(settings_factory: Callable[..., Settings]) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(settings_factory(**PRODUCTION))) as client:
        yield client


def _ws_result(client: TestClient[Any], query: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    credentials = {"email": "prod-socket@minbil.io", "password": "StrongPass123!"}
    client.post("/api/co/auth/sign-up", json=credentials)
    token = client.post("/api/co/auth/sign-in", json=credentials).json()["access_token"]
    with client.websocket_connect("/graphql", subprotocols=[PROTOCOL], headers=headers) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        assert ws.receive_json() == {"type": "connection_ack"}
        ws.send_json({"type": "subscribe", "id": "1", "payload": {"query": query}})
        message = ws.receive_json()
    assert message["id"] == "1", message
    return message


def _ws_errors(message: dict[str, Any]) -> list[dict[str, Any]]:
    return message["payload"] if message["type"] == "error" else message["payload"].get("errors") or []


def test_introspection_over_websocket_is_refused_without_a_developer_key(production_ws: TestClient[Any]) -> None:
    errors = _ws_errors(_ws_result(production_ws, SCHEMA_QUERY))
    assert [e["extensions"]["code"] for e in errors] == ["INTROSPECTION_DISABLED"], errors


def test_introspection_over_websocket_is_allowed_with_a_developer_key(production_ws: TestClient[Any]) -> None:
    message = _ws_result(production_ws, SCHEMA_QUERY, headers={"x-developer-key": DEVELOPER_KEY})
    assert message["type"] == "next", message
    assert message["payload"] == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


def test_suggestions_are_absent_over_websocket_in_production(production_ws: TestClient[Any]) -> None:
    errors = _ws_errors(_ws_result(production_ws, "subscription { bookingUpdated { cursorr } }"))
    assert len(errors) == 1 and errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", errors
    assert "Did you mean" not in errors[0]["message"] and "'cursor'" not in errors[0]["message"]


# --- settings --------------------------------------------------------------------------------------


def test_environment_values_are_checked() -> None:
    for value in ("development", "test", "production", "Production"):
        assert load_settings({"MINBIL_ENVIRONMENT": value}, jwt_secret=SECRET).environment == value.lower()
    for value in ("prod", "staging", ""):
        with pytest.raises(ValueError, match="MINBIL_ENVIRONMENT"):
            load_settings({}, environment=value, jwt_secret=SECRET)


def test_graphiql_setting_follows_the_environment_unless_set() -> None:
    assert load_settings({"MINBIL_ENVIRONMENT": "production"}, jwt_secret=SECRET).graphiql_enabled is False
    assert load_settings({"MINBIL_ENVIRONMENT": "development"}, jwt_secret=SECRET).graphiql_enabled is True
    on = load_settings({"MINBIL_ENVIRONMENT": "production", "MINBIL_GRAPHIQL": "true"}, jwt_secret=SECRET)
    assert on.graphiql_enabled is True
    off = load_settings({"MINBIL_GRAPHIQL": "false"}, jwt_secret=SECRET)
    assert off.graphiql_enabled is False
    keys = load_settings({"MINBIL_DEVELOPER_KEYS": "a" * 32 + ", " + "b" * 32}, jwt_secret=SECRET)
    assert keys.developer_keys == ("a" * 32, "b" * 32)


def test_production_refuses_to_start_without_an_explicit_jwt_secret(tmp_path: Any) -> None:
    with pytest.raises(ValueError, match="MINBIL_JWT_SECRET"):
        load_settings({"MINBIL_ENVIRONMENT": "production", "MINBIL_DATA_DIR": str(tmp_path)})
    assert not (tmp_path / "jwt-secret").exists()
    # outside production a secret is generated and kept under the data folder
    assert load_settings({"MINBIL_DATA_DIR": str(tmp_path)}).jwt_secret


def test_short_developer_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="MINBIL_DEVELOPER_KEYS"):
        load_settings({"MINBIL_ENVIRONMENT": "production", "MINBIL_DEVELOPER_KEYS": "short"}, jwt_secret=SECRET)
