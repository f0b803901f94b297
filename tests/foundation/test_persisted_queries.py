"""Persisted queries (Apollo's APQ and the allow-list of the web app's operations), GET delivery with
Cache-Control/ETag/304, and JSON error answers of the /graphql HTTP endpoint."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from app.main import create_app
from app.settings import Settings
from graphql_api.persisted import load_operations
from tests.conftest import AppFactory, SignedIn

CATEGORIES = "query Categories { workshopCategories { name } }"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apq(text: str, version: int = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha(text)}}


def only_error(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    assert body.get("data") is None and len(body["errors"]) == 1, body
    return body["errors"][0]


def get_params(
    query: str | None = None, extensions: dict[str, Any] | None = None, variables: dict[str, Any] | None = None
) -> dict[str, str]:
    params = {}
    if query is not None:
        params["query"] = query
    if extensions is not None:
        params["extensions"] = json.dumps(extensions)
    if variables is not None:
        params["variables"] = json.dumps(variables)
    return params


def web_app_operation(name: str) -> str:
    return next(op.text for op in load_operations().values() if op.name == name)


# --- the APQ handshake


async def test_unknown_hash_is_persisted_query_not_found(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"extensions": apq("{ workshopCategories { id } }")})
    assert response.status_code == 200
    error = only_error(response)
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    over_get = await client.get("/graphql", params=get_params(extensions=apq("{ workshopCategories { id } }")))
    assert over_get.status_code == 200
    assert only_error(over_get)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert over_get.headers["cache-control"] == "private, no-store"


async def test_registration_then_hash_only_over_post_and_get(client: httpx.AsyncClient) -> None:
    registered = await client.post("/graphql", json={"query": CATEGORIES, "extensions": apq(CATEGORIES)})
    assert registered.json() == {"data": {"workshopCategories": []}}
    by_hash = await client.post("/graphql", json={"extensions": apq(CATEGORIES)})
    assert by_hash.json() == {"data": {"workshopCategories": []}}
    over_get = await client.get("/graphql", params=get_params(extensions=apq(CATEGORIES)))
    assert over_get.status_code == 200 and over_get.json() == {"data": {"workshopCategories": []}}


async def test_registration_over_get_with_variables(client: httpx.AsyncClient) -> None:
    query = "query One($org: String!) { workshop(orgNr: $org) { name } }"
    first = await client.get("/graphql", params=get_params(query, apq(query), {"org": "123456785"}))
    assert first.json() == {"data": {"workshop": None}}
    again = await client.get("/graphql", params=get_params(None, apq(query), {"org": "123456785"}))
    assert again.json() == {"data": {"workshop": None}}


async def test_hash_mismatch_is_refused_and_not_stored(client: httpx.AsyncClient) -> None:
    other = "{ bookingStatuses { code } }"
    response = await client.post("/graphql", json={"query": CATEGORIES, "extensions": apq(other)})
    assert response.status_code == 400
    error = only_error(response)
    assert error["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    assert "does not match" in error["message"]
    # the hash was not bound to the other text
    assert (
        only_error(await client.post("/graphql", json={"extensions": apq(other)}))["extensions"]["code"]
        == "PERSISTED_QUERY_NOT_FOUND"
    )


@pytest.mark.parametrize(
    "extensions",
    [
        {"persistedQuery": {"version": 2, "sha256Hash": sha(CATEGORIES)}},
        {"persistedQuery": {"sha256Hash": sha(CATEGORIES)}},
    ],
)
async def test_unsupported_version_is_refused(client: httpx.AsyncClient, extensions: dict[str, Any]) -> None:
    response = await client.post("/graphql", json={"query": CATEGORIES, "extensions": extensions})
    assert response.status_code == 400
    assert only_error(response)["extensions"]["code"] == "PERSISTED_QUERY_VERSION_NOT_SUPPORTED"


@pytest.mark.parametrize("persisted", [{"version": 1, "sha256Hash": "abc"}, {"version": 1}, "x"])
async def test_malformed_persisted_query_is_bad_request(client: httpx.AsyncClient, persisted: Any) -> None:
    response = await client.post("/graphql", json={"extensions": {"persistedQuery": persisted}})
    assert response.status_code == 400
    assert only_error(response)["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize("query", ["{ workshopCategories { colour } }", "{ workshopCategories { "])
async def test_documents_that_do_not_validate_are_not_stored(client: httpx.AsyncClient, query: str) -> None:
    response = await client.post("/graphql", json={"query": query, "extensions": apq(query)})
    assert response.json()["errors"][0]["extensions"]["code"] in ("GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED")
    assert (
        only_error(await client.post("/graphql", json={"extensions": apq(query)}))["extensions"]["code"]
        == "PERSISTED_QUERY_NOT_FOUND"
    )


async def test_stored_in_the_deployment_redis_with_a_ttl(
    client: httpx.AsyncClient, redis_client: Any, settings: Settings
) -> None:
    await client.post("/graphql", json={"query": CATEGORIES, "extensions": apq(CATEGORIES)})
    key = f"{settings.redis_prefix}apq:{sha(CATEGORIES)}"
    assert await redis_client.get(key) == CATEGORIES.encode()
    assert 0 < await redis_client.ttl(key) <= settings.graphql_apq_ttl_s


@pytest.mark.parametrize(
    "limits", [{"graphql_apq_max_registrations_per_hour": 1}, {"graphql_apq_max_document_bytes": 40}]
)
async def test_the_store_is_bounded(app_factory: AppFactory, limits: dict[str, int]) -> None:
    _, client = await app_factory(**limits)
    small, large = "{ bookingStatuses { code } }", CATEGORIES  # 28 and 47 bytes
    for query in (small, large):
        answer = await client.post("/graphql", json={"query": query, "extensions": apq(query)})
        assert "errors" not in answer.json(), answer.text  # executed either way
    assert "errors" not in (await client.post("/graphql", json={"extensions": apq(small)})).json()
    refused = await client.post("/graphql", json={"extensions": apq(large)})
    assert only_error(refused)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_the_web_app_operations_are_known_by_hash(client: httpx.AsyncClient) -> None:
    text = web_app_operation("WorkshopCategories")
    response = await client.get("/graphql", params=get_params(extensions=apq(text)))
    assert response.status_code == 200 and "errors" not in response.json(), response.text


# --- GET delivery


async def test_public_get_has_cache_control_and_etag_then_304(client: httpx.AsyncClient) -> None:
    params = get_params(CATEGORIES)
    first = await client.get("/graphql", params=params)
    assert first.status_code == 200 and first.json() == {"data": {"workshopCategories": []}}
    assert first.headers["cache-control"] == "public, max-age=60"
    etag = first.headers["etag"]
    assert etag == '"' + hashlib.sha256(first.content).hexdigest()[:32] + '"'
    assert "authorization" in first.headers["vary"].lower() and "cookie" in first.headers["vary"].lower()
    again = await client.get("/graphql", params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and again.headers["cache-control"] == "public, max-age=60"
    listed = await client.get("/graphql", params=params, headers={"If-None-Match": f'"other", W/{etag}'})
    assert listed.status_code == 304
    stale = await client.get("/graphql", params=params, headers={"If-None-Match": '"other"'})
    assert stale.status_code == 200 and stale.content == first.content


async def test_callers_and_private_fields_are_never_shared(client: httpx.AsyncClient, owner: SignedIn) -> None:
    cases = [
        ({}, "{ me { email } }"),
        ({}, "{ workshopCategories { name } me { email } }"),
        # a private field stays private when skipped: sharing never depends on a variable's value
        ({}, "query($s: Boolean = true) { workshopCategories { name } me @skip(if: $s) { email } }"),
        (owner.headers, CATEGORIES),
        ({"Cookie": "session=1"}, CATEGORIES),
        ({"x-api-key": "test-api-key"}, CATEGORIES),
    ]
    for headers, query in cases:
        response = await client.get("/graphql", params=get_params(query), headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "private, no-store", (headers, query)
        assert "etag" not in response.headers


async def test_answers_with_errors_are_not_cached(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql", params=get_params("query($f: Int!) { workshops(first: $f) { totalCount } }", variables={"f": "x"})
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert response.headers["cache-control"] == "private, no-store" and "etag" not in response.headers


async def test_public_fields_through_fragments(client: httpx.AsyncClient) -> None:
    query = "query { ...Cats } fragment Cats on Query { workshopCategories { name } bookingStatuses { code } }"
    response = await client.get("/graphql", params=get_params(query))
    assert response.headers["cache-control"] == "public, max-age=60"
    hidden = "query { ...Mine } fragment Mine on Query { workshopCategories { name } me { email } }"
    response = await client.get("/graphql", params=get_params(hidden))
    assert response.headers["cache-control"] == "private, no-store"


async def test_mutation_over_get_is_refused(client: httpx.AsyncClient) -> None:
    mutation = 'mutation { signIn(input: {email: "a@b.no", password: "x"}) { __typename } }'
    response = await client.get("/graphql", params=get_params(mutation))
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert "mutation" in only_error(response)["message"]
    # also when it is a persisted document
    await client.post("/graphql", json={"query": mutation, "extensions": apq(mutation)})
    by_hash = await client.get("/graphql", params=get_params(extensions=apq(mutation)))
    assert by_hash.status_code == 405


# --- error answers are JSON


async def test_batching_is_answered_in_json(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=[{"query": CATEGORIES}, {"query": CATEGORIES}])
    assert response.status_code == 400
    assert only_error(response)["extensions"]["code"] == "BATCHING_NOT_SUPPORTED"


@pytest.mark.parametrize(
    ("request_kwargs", "status"),
    [
        ({"method": "POST", "content": b"{not json", "headers": {"content-type": "application/json"}}, 400),
        ({"method": "POST", "content": b"query", "headers": {"content-type": "text/plain"}}, 400),
        ({"method": "POST", "json": {"query": CATEGORIES, "variables": "x"}}, 400),
        ({"method": "POST", "json": {}}, 400),
        ({"method": "GET", "params": {"query": CATEGORIES, "variables": "{bad"}}, 400),
        ({"method": "POST", "json": {"query": CATEGORIES, "operationName": "Other"}}, 400),
    ],
)
async def test_request_errors_are_json(client: httpx.AsyncClient, request_kwargs: dict[str, Any], status: int) -> None:
    response = await client.request(url="/graphql", **request_kwargs)
    assert response.status_code == status
    error = only_error(response)
    assert error["extensions"]["code"] in ("BAD_REQUEST", "OPERATION_RESOLUTION_FAILURE"), error


# --- allow-list mode


async def test_allow_list_mode(app_factory: AppFactory) -> None:
    _, client = await app_factory(graphql_persisted_only=True)
    text = web_app_operation("WorkshopCategories")
    by_text = await client.post("/graphql", json={"query": text})
    assert by_text.status_code == 200 and "errors" not in by_text.json(), by_text.text
    by_hash = await client.post("/graphql", json={"extensions": apq(text)})
    assert by_hash.json() == by_text.json()
    both = await client.get("/graphql", params=get_params(text, apq(text)))
    assert both.json() == by_text.json()

    unregistered = await client.post("/graphql", json={"query": CATEGORIES})
    assert unregistered.status_code == 400
    assert only_error(unregistered)["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
    registration = await client.post("/graphql", json={"query": CATEGORIES, "extensions": apq(CATEGORIES)})
    assert only_error(registration)["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
    # an unknown hash asks for the text, which is then refused
    assert (
        only_error(await client.post("/graphql", json={"extensions": apq(CATEGORIES)}))["extensions"]["code"]
        == "PERSISTED_QUERY_NOT_FOUND"
    )


async def test_allow_list_mode_ignores_documents_registered_before(app_factory: AppFactory) -> None:
    _, open_client = await app_factory()
    await open_client.post("/graphql", json={"query": CATEGORIES, "extensions": apq(CATEGORIES)})
    _, closed = await app_factory(graphql_persisted_only=True)
    response = await closed.post("/graphql", json={"extensions": apq(CATEGORIES)})
    assert only_error(response)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


# --- WebSocket subscribe


@pytest.fixture
def ws_factory(settings_factory: Callable[..., Settings]) -> Iterator[Callable[..., TestClient[Any]]]:
    clients: list[TestClient[Any]] = []

    def make(**overrides: Any) -> TestClient[Any]:
        client = TestClient(create_app(settings_factory(**overrides)))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def _subscribe(client: TestClient[Any], payload: dict[str, Any]) -> dict[str, Any]:
    credentials = {"email": "apq-socket@minbil.io", "password": "StrongPass123!"}
    client.post("/api/co/auth/sign-up", json=credentials)
    token = client.post("/api/co/auth/sign-in", json=credentials).json()["access_token"]
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        assert ws.receive_json() == {"type": "connection_ack"}
        ws.send_json({"id": "1", "type": "subscribe", "payload": payload})
        return ws.receive_json()


@pytest.mark.parametrize("persisted_only", [False, True])
def test_subscribe_by_hash_over_websocket(ws_factory: Callable[..., TestClient[Any]], persisted_only: bool) -> None:
    client = ws_factory(graphql_persisted_only=persisted_only)
    text = web_app_operation("OnUnreadCounts")
    message = _subscribe(client, {"extensions": apq(text)})
    assert message["type"] == "next", message
    assert message["payload"]["data"]["unreadCounts"] == {"messages": 0, "notifications": 0, "total": 0}


def test_websocket_allow_list_and_unknown_hash(ws_factory: Callable[..., TestClient[Any]]) -> None:
    client = ws_factory(graphql_persisted_only=True)
    message = _subscribe(client, {"query": "subscription { unreadCounts { total } }"})
    assert message["type"] == "error" and message["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
    message = _subscribe(client, {"extensions": apq("subscription { unreadCounts { total } }")})
    assert message["type"] == "error" and message["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


def test_websocket_checks_the_hash(ws_factory: Callable[..., TestClient[Any]]) -> None:
    client = ws_factory()
    text = "subscription { unreadCounts { total } }"
    message = _subscribe(client, {"query": text, "extensions": apq(text + " ")})
    assert message["type"] == "error" and message["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    message = _subscribe(client, {"query": text, "extensions": apq(text)})
    assert message == {"id": "1", "type": "next", "payload": {"data": {"unreadCounts": {"total": 0}}}}
