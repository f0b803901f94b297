"""Production without `MINBIL_STRIPE_SECRET_KEY`: every payment operation answers 503 PAYMENTS_NOT_CONFIGURED
in its face's shape before doing anything else (never a simulated charge); development and test keep the
local provider."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from strawberry import relay

from tests.conftest import AppFactory, SignedIn, sign_up_and_in
from tests.payments.conftest import WEBHOOK_PATH, WEBHOOK_SECRET, Group, event, make_group, signed

PRODUCTION: dict[str, Any] = {"environment": "production", "stripe_webhook_secret": WEBHOOK_SECRET}
CODE = "PAYMENTS_NOT_CONFIGURED"

CREATE = """mutation($g: ID) { createPaymentIntent(input: {groupId: $g}) {
  __typename ... on CreatePaymentIntentSuccess { paymentIntent { id status } }
  ... on UnavailableError { code message retryAfter } } }"""
CONFIRM = """mutation($id: ID!) { confirmPaymentIntent(input: {id: $id}) {
  __typename ... on ConfirmPaymentIntentSuccess { paymentIntent { id status } }
  ... on UnavailableError { code message retryAfter } } }"""
GET = "query($id: ID!) { paymentIntent(id: $id) { id status } }"
FOR_BOOKING = "query($b: ID!) { paymentForBooking(bookingId: $b) { id status } }"
BOOKINGS = "{ bookings(first: 10) { nodes { id groupId payment { id status } } } }"


def gid(type_name: str, key: object) -> str:
    return str(relay.GlobalID(type_name, str(key)))


async def _gql(client: httpx.AsyncClient, who: SignedIn, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


def _structured_503(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"].isdigit()
    error = response.json()["error"]
    assert error["code"] == CODE and error["fields"] == [] and error["request_id"]
    assert "not configured" in error["message"]


async def _payment_rows(services: Any) -> list[tuple[str, str]]:
    async with services.engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(text("SELECT id, status FROM payments ORDER BY id"))).all()]


async def _paid_lines(services: Any, group: Group) -> int:
    async with services.engine.connect() as conn:
        return (
            await conn.execute(
                text("SELECT count(*) FROM bookings WHERE group_id = :g AND paid_at IS NOT NULL"), {"g": group.group_id}
            )
        ).scalar_one()


async def _webhook_events(services: Any) -> int:
    async with services.engine.connect() as conn:
        return (await conn.execute(text("SELECT count(*) FROM processed_webhook_events"))).scalar_one()


async def test_rest_payment_routes_answer_503_and_write_nothing(app_factory: AppFactory) -> None:
    app, client = await app_factory(**PRODUCTION)
    services = app.state.services
    owner = await sign_up_and_in(client)
    group = await make_group(services, owner.owner_id)

    _structured_503(
        await client.post("/api/co/payments/intents", json={"group_id": group.group_id}, headers=owner.headers)
    )
    # before anything else: an invalid body, an unknown booking, a sent amount are not even looked at
    _structured_503(await client.post("/api/co/payments/intents", json={"amount": 1}, headers=owner.headers))
    _structured_503(await client.get("/api/co/payments/intents/pay_unknown", headers=owner.headers))
    _structured_503(await client.post("/api/co/payments/intents/pay_unknown/confirm", json={}, headers=owner.headers))
    raw, headers = signed(event("pi_unknown", "succeeded", amount=50000))
    _structured_503(await client.post(WEBHOOK_PATH, content=raw, headers=headers))
    _structured_503(
        await client.post(WEBHOOK_PATH, content=b"not even json", headers={"content-type": "application/json"})
    )

    assert await _payment_rows(services) == []
    assert await _webhook_events(services) == 0
    assert await _paid_lines(services, group) == 0


async def test_an_intent_made_before_is_never_confirmed_by_a_simulation(app_factory: AppFactory) -> None:
    """An intent created while the local provider served (development) stays unpaid once production starts
    without a key: confirming it without a payment method must not mark the group paid."""
    dev_app, dev_client = await app_factory(environment="development", stripe_webhook_secret=WEBHOOK_SECRET)
    owner = await sign_up_and_in(dev_client)
    group = await make_group(dev_app.state.services, owner.owner_id)
    created = await dev_client.post(
        "/api/co/payments/intents", json={"group_id": group.group_id}, headers=owner.headers
    )
    assert created.status_code == 200 and created.json()["data"]["provider"] == "local"
    payment_id = created.json()["data"]["id"]

    app, client = await app_factory(**PRODUCTION)
    services = app.state.services
    _structured_503(await client.post(f"/api/co/payments/intents/{payment_id}/confirm", headers=owner.headers))
    _structured_503(await client.get(f"/api/co/payments/intents/{payment_id}", headers=owner.headers))
    raw, headers = signed(event(created.json()["data"]["provider_intent_id"], "succeeded", amount=group.amount))
    _structured_503(await client.post(WEBHOOK_PATH, content=raw, headers=headers))
    graphql = (await _gql(client, owner, CONFIRM, id=gid("PaymentIntent", payment_id)))["data"]["confirmPaymentIntent"]
    assert graphql["__typename"] == "UnavailableError" and graphql["code"] == CODE

    assert await _payment_rows(services) == [(payment_id, "requires_payment_method")]
    assert await _paid_lines(services, group) == 0


async def test_graphql_payment_operations_answer_unavailable(app_factory: AppFactory) -> None:
    app, client = await app_factory(**PRODUCTION)
    services = app.state.services
    owner = await sign_up_and_in(client)
    group = await make_group(services, owner.owner_id)

    created = (await _gql(client, owner, CREATE, g=gid("BookingGroup", group.group_id)))["data"]["createPaymentIntent"]
    assert created["__typename"] == "UnavailableError" and created["code"] == CODE and created["retryAfter"] > 0
    unknown = gid("PaymentIntent", "pay_unknown")
    confirmed = (await _gql(client, owner, CONFIRM, id=unknown))["data"]["confirmPaymentIntent"]
    assert confirmed["__typename"] == "UnavailableError" and confirmed["code"] == CODE

    for field, query, variables in (
        ("paymentIntent", GET, {"id": unknown}),
        ("paymentForBooking", FOR_BOOKING, {"b": gid("Booking", group.booking_ids[0])}),
    ):
        body = await _gql(client, owner, query, **variables)
        assert (body["data"] or {}).get(field) is None, body
        [error] = body["errors"]
        assert error["extensions"]["code"] == CODE and error["extensions"]["status"] == 503, error

    # the bookings themselves still answer; only their payment field says why it is empty
    listed = await _gql(client, owner, BOOKINGS)
    nodes = listed["data"]["bookings"]["nodes"]
    assert {n["groupId"] for n in nodes} == {group.group_id} and all(n["payment"] is None for n in nodes)
    assert listed["errors"] and {e["extensions"]["code"] for e in listed["errors"]} == {CODE}
    assert await _payment_rows(services) == []


@pytest.mark.parametrize("environment", ["development", "test"])
async def test_development_and_test_keep_the_local_provider(app_factory: AppFactory, environment: str) -> None:
    app, client = await app_factory(environment=environment)
    owner = await sign_up_and_in(client)
    group = await make_group(app.state.services, owner.owner_id)
    created = await client.post("/api/co/payments/intents", json={"group_id": group.group_id}, headers=owner.headers)
    assert created.status_code == 200 and created.json()["data"]["provider"] == "local"
    confirmed = await client.post(
        f"/api/co/payments/intents/{created.json()['data']['id']}/confirm", headers=owner.headers
    )
    assert confirmed.status_code == 200 and confirmed.json()["data"]["paid"] is True
