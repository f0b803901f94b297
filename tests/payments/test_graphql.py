"""Payments over GraphQL: the same rules as REST, with payload unions for expected failures."""

from __future__ import annotations

import httpx

from tests.conftest import SignedIn
from tests.graphql_client import graphql
from tests.payments.conftest import Group, deliver, event

FIELDS = "id provider providerIntentId clientSecret amount amountNok currency status groupId bookingIds paid paidAt"
CREATE = f"""mutation($b: Int, $g: String) {{ createPaymentIntent(bookingId: $b, groupId: $g) {{
  __typename ... on PaymentIntent {{ {FIELDS} }} ... on UserError {{ code message }} }} }}"""
CONFIRM = f"""mutation($id: ID!, $pm: String) {{ confirmPaymentIntent(id: $id, paymentMethod: $pm) {{
  __typename ... on PaymentIntent {{ {FIELDS} }} ... on UserError {{ code message }} }} }}"""
GET = f"query($id: ID!) {{ paymentIntent(id: $id) {{ {FIELDS} }} }}"
FOR_BOOKING = "query($b: Int!) { paymentForBooking(bookingId: $b) { id status paid amount } }"


async def test_create_confirm_and_read(client: httpx.AsyncClient, owner: SignedIn, group: Group) -> None:
    before = await graphql(client, FOR_BOOKING, {"b": group.booking_ids[0]}, owner)
    assert before["data"]["paymentForBooking"] is None
    created = (await graphql(client, CREATE, {"g": group.group_id}, owner))["data"]["createPaymentIntent"]
    assert created["__typename"] == "PaymentIntent"
    assert created["amount"] == group.amount and created["amountNok"] == "2240.50"
    assert created["status"] == "requires_payment_method" and created["bookingIds"] == group.booking_ids
    again = (await graphql(client, CREATE, {"b": group.booking_ids[1]}, owner))["data"]["createPaymentIntent"]
    assert again["id"] == created["id"]
    confirmed = (await graphql(client, CONFIRM, {"id": created["id"]}, owner))["data"]["confirmPaymentIntent"]
    assert confirmed["status"] == "succeeded" and confirmed["paid"] is True and confirmed["clientSecret"] is None
    got = (await graphql(client, GET, {"id": created["id"]}, owner))["data"]["paymentIntent"]
    assert got["paid"] is True and got["paidAt"]
    by_booking = (await graphql(client, FOR_BOOKING, {"b": group.booking_ids[0]}, owner))["data"]["paymentForBooking"]
    assert by_booking == {"id": created["id"], "status": "succeeded", "paid": True, "amount": group.amount}
    paid_again = (await graphql(client, CREATE, {"g": group.group_id}, owner))["data"]["createPaymentIntent"]
    assert paid_again == {
        "__typename": "ConflictError",
        "code": "ALREADY_PAID",
        "message": "This booking has already been paid.",
    }


async def test_expected_failures_are_payload_members(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, group: Group
) -> None:
    created = (await graphql(client, CREATE, {"g": group.group_id}, owner))["data"]["createPaymentIntent"]
    foreign = (await graphql(client, CREATE, {"g": group.group_id}, other_owner))["data"]["createPaymentIntent"]
    assert foreign["__typename"] == "NotFoundError"
    foreign_confirm = (await graphql(client, CONFIRM, {"id": created["id"]}, other_owner))["data"][
        "confirmPaymentIntent"
    ]
    assert foreign_confirm["__typename"] == "NotFoundError"
    neither = (await graphql(client, CREATE, None, owner))["data"]["createPaymentIntent"]
    assert neither["__typename"] == "ValidationError"
    declined = (await graphql(client, CONFIRM, {"id": created["id"], "pm": "pm_card_chargeDeclined"}, owner))["data"][
        "confirmPaymentIntent"
    ]
    assert declined["__typename"] == "ValidationError" and declined["code"] == "PAYMENT_DECLINED"
    anonymous = (await graphql(client, CREATE, {"g": group.group_id}))["data"]["createPaymentIntent"]
    assert anonymous["__typename"] == "AuthenticationError"


async def test_queries_hide_other_owners_payments(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, group: Group
) -> None:
    created = (await graphql(client, CREATE, {"g": group.group_id}, owner))["data"]["createPaymentIntent"]
    body = await graphql(client, GET, {"id": created["id"]}, other_owner)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "PAYMENT_NOT_FOUND"
    body = await graphql(client, FOR_BOOKING, {"b": group.booking_ids[0]}, other_owner)
    assert body["errors"][0]["extensions"]["code"] == "BOOKING_NOT_FOUND"


async def test_webhook_result_is_visible_over_graphql(client: httpx.AsyncClient, owner: SignedIn, group: Group) -> None:
    created = (await graphql(client, CREATE, {"g": group.group_id}, owner))["data"]["createPaymentIntent"]
    await deliver(client, event(created["providerIntentId"], "processing", amount=created["amount"]))
    got = (await graphql(client, GET, {"id": created["id"]}, owner))["data"]["paymentIntent"]
    assert got["status"] == "processing" and got["paid"] is False
