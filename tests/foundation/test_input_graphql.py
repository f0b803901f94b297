"""No input makes the GraphQL face fail: NUL characters, numbers out of range and bad cursors are client errors
that name the argument, never a masked "Unexpected error."."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from app.main import create_app
from app.settings import Settings
from tests.conftest import SignedIn
from tests.graphql_client import graphql

UNEXPECTED = "Unexpected error."


def error_of(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("errors"), body
    error = body["errors"][0]
    assert error["message"] != UNEXPECTED, body
    return error


def b64(text: str, pad: bool = True) -> str:
    encoded = base64.urlsafe_b64encode(text.encode()).decode()
    return encoded if pad else encoded.rstrip("=")


# --- NUL characters -----------------------------------------------------------------------------------------

NUL_CASES = [
    # (document, variables, field named)
    (
        "mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { __typename } }",
        {"i": {"firstName": "a\u0000"}},
        "i.firstName",
    ),
    ('mutation { updateProfile(input: {firstName: "a\\u0000"}) { __typename } }', None, "input.firstName"),
    ("query($f: WorkshopFilter) { workshops(filter: $f) { totalCount } }", {"f": {"q": "\u0000"}}, "f.q"),
    ('{ workshops(filter: {q: "x\\u0000"}) { totalCount } }', None, "filter.q"),
    ('{ workshops(filter: {cities: ["Oslo", "B\\u0000"]}) { totalCount } }', None, "filter.cities[1]"),
    ("query($q: String) { inbox(q: $q) { totalCount } }", {"q": "\u0000"}, "q"),
    (
        "mutation($i: ConfirmPaymentIntentInput!) { confirmPaymentIntent(input: $i) { __typename } }",
        {"i": {"id": "pi_\u0000"}},
        "i.id",
    ),
    ('{ paymentIntent(id: "\\u0000") { id } }', None, "id"),
    (
        'mutation { cancelBooking(input: {bookingId: "Qm9va2luZzox", reason: "\\u0000"}) { __typename } }',
        None,
        "input.reason",
    ),
    (
        'mutation { updateVehicle(input: {vehicleId: "VmVoaWNsZTox", nickname: "x\\u0000"}) { __typename } }',
        None,
        "input.nickname",
    ),
    (
        'mutation { sendMessage(input: {bookingId: "Qm9va2luZzox", text: "hei\\u0000"}) { __typename } }',
        None,
        "input.text",
    ),
]


@pytest.mark.parametrize(("document", "variables", "field"), NUL_CASES)
async def test_a_nul_character_is_a_bad_user_input_naming_the_field(
    client: httpx.AsyncClient, owner: SignedIn, document: str, variables: Any, field: str
) -> None:
    body = await graphql(client, document, variables, owner)
    error = error_of(body)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", body
    assert field in error["message"]
    assert {"field": field, "reason": "nul_character"} in error["extensions"]["fields"]
    assert body.get("data") is None


async def test_an_escaped_backslash_is_not_a_nul(client: httpx.AsyncClient, owner: SignedIn) -> None:
    body = await graphql(
        client,
        "mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { __typename } }",
        {"i": {"firstName": "a\\u0000"}},
        owner,
    )
    assert "errors" not in body, body
    assert body["data"]["updateProfile"]["__typename"] == "ProfileUpdated"
    me = await graphql(client, "{ me { firstName } }", None, owner)
    assert me["data"]["me"]["firstName"] == "a\\u0000"


# --- numbers -----------------------------------------------------------------------------------------------

NUMBER_CASES = [
    ("{ workshops(filter: {priceMin: -1}) { totalCount } }", "price_min"),
    ("{ workshops(filter: {priceMax: -1}) { totalCount } }", "price_max"),
    ("{ workshops(filter: {lat: 59.9, lng: 10.7, maxDistanceKm: -5}) { totalCount } }", "max_distance_km"),
    ("{ nearbyWorkshops(lat: 59.9, lng: 10.7, radiusKm: -1) { totalCount } }", "radiusKm"),
    ("{ workshops(first: -1) { totalCount } }", "first"),
    ("{ bookings(first: -1) { nodes { id } } }", "first"),
    ("{ bookings(first: 2147483647) { nodes { id } } }", "first"),
    ("{ serviceLog(first: -1) { totalCount } }", "first"),
    ("{ serviceLog(last: 101) { totalCount } }", "last"),
    ("{ vehicleHistory(first: 2147483647) { totalCount } }", "first"),
    ("{ inbox(first: -1) { totalCount } }", "first"),
    ("{ notifications(first: 101) { totalCount } }", "first"),
]


@pytest.mark.parametrize(("document", "field"), NUMBER_CASES)
async def test_a_number_out_of_range_is_a_validation_error_naming_it(
    client: httpx.AsyncClient, owner: SignedIn, document: str, field: str
) -> None:
    body = await graphql(client, document, None, owner)
    error = error_of(body)
    assert error["extensions"]["code"] == "VALIDATION_ERROR", body
    assert field in {f["field"] for f in error["extensions"]["fields"]}, body


CURSOR_CASES = [
    ("query($a: String) { workshops(after: $a) { totalCount } }", b64("offset:99999999999999999999")),
    ("query($a: String) { workshops(after: $a) { totalCount } }", b64("offset:9223372036854775807")),
    ("query($a: String) { inbox(after: $a) { totalCount } }", b64("pos:99999999999999999999", pad=False)),
    ("query($a: String) { notifications(after: $a) { totalCount } }", b64("pos:9223372036854775806", pad=False)),
    ("query($a: String) { bookings(after: $a) { nodes { id } } }", b64("2026-01-01T00:00:00+00:00|99999999999")),
    ("query($a: String) { bookings(after: $a) { nodes { id } } }", b64("2026-01-01T00:00:00+00:00|-99999999999")),
]


@pytest.mark.parametrize(("document", "cursor"), CURSOR_CASES)
async def test_a_cursor_out_of_range_is_a_validation_error_naming_after(
    client: httpx.AsyncClient, owner: SignedIn, document: str, cursor: str
) -> None:
    body = await graphql(client, document, {"a": cursor}, owner)
    error = error_of(body)
    assert error["extensions"]["code"] == "VALIDATION_ERROR", body
    assert "after" in {f["field"] for f in error["extensions"]["fields"]}, body


@pytest.mark.parametrize("key", ["99999999999", "-2147483649", "x" * 41])
async def test_an_unknown_payment_intent_is_null(client: httpx.AsyncClient, owner: SignedIn, key: str) -> None:
    document = "query($id: ID!) { paymentIntent(id: $id) { id } }"
    body = await graphql(client, document, {"id": b64(f"PaymentIntent:{key}")}, owner)
    assert body == {"data": {"paymentIntent": None}}


@pytest.mark.parametrize(
    "document",
    [
        "{ bookings(first: 2147483648) { totalCount } }",
        "{ notifications(last: -2147483649) { totalCount } }",
        "{ inbox(first: 99999999999) { totalCount } }",
    ],
)
async def test_an_int_literal_beyond_32_bits_is_refused_by_validation(
    client: httpx.AsyncClient, owner: SignedIn, document: str
) -> None:
    """GraphQL's Int is 32-bit: such a literal never reaches a resolver; the error names the value."""
    body = await graphql(client, document, None, owner)
    error = error_of(body)
    assert "32-bit" in error["message"] and body.get("data") is None


def test_a_nul_character_in_a_subscription_variable_is_refused(settings_factory: Callable[..., Settings]) -> None:
    with TestClient(create_app(settings_factory())) as client:
        credentials = {"email": "nul-socket@minbil.io", "password": "StrongPass123!"}
        assert client.post("/api/co/auth/sign-up", json=credentials).status_code == 201
        token = client.post("/api/co/auth/sign-in", json=credentials).json()["access_token"]
        with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
            assert ws.receive_json() == {"type": "connection_ack"}
            ws.send_json(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {
                        "query": "subscription($a: String) { notificationReceived(after: $a) { cursor } }",
                        "variables": {"a": "1\u0000"},
                    },
                }
            )
            message = ws.receive_json()
            assert message["type"] in ("next", "error"), message
            errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
            assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT", message
            assert errors[0]["extensions"]["fields"] == [{"field": "a", "reason": "nul_character"}]


async def test_a_deeply_nested_body_is_a_client_error(client: httpx.AsyncClient, owner: SignedIn) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    response = await client.post(
        "/graphql", content=deep, headers={**owner.headers, "content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert error_of(response.json())["extensions"]["fields"] == [{"field": "body", "reason": "too_deep"}]


async def test_deeply_nested_variables_are_a_client_error(client: httpx.AsyncClient, owner: SignedIn) -> None:
    query = "query($c: [String!]) { workshops(filter: {cities: $c}) { totalCount } }"
    deep = "[" * 5_000 + '"x"' + "]" * 5_000
    body = ('{"query": "' + query + '", "variables": {"c": ' + deep + "}}").encode()
    response = await client.post(
        "/graphql", content=body, headers={**owner.headers, "content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    error = error_of(response.json())
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
