"""Payments over GraphQL: the same rules as REST, global ids, enums, a typed next action, one input per mutation
and payload unions listing exactly the expected failures."""

from __future__ import annotations

from typing import Any

import httpx
from strawberry import relay

from tests.conftest import SignedIn
from tests.graphql_client import graphql
from tests.payments.conftest import Group, deliver, event

FIELDS = (
    "id paymentId provider providerIntentId clientSecret amount amountNok currency status groupId bookingIds paid "
    "paidAt nextAction { type redirectUrl returnUrl } lastPaymentError"
)
CREATE = f"""mutation($i: CreatePaymentIntentInput!) {{ createPaymentIntent(input: $i) {{
  __typename ... on CreatePaymentIntentSuccess {{ paymentIntent {{ {FIELDS} }} }}
  ... on UserError {{ code message }} ... on ValidationError {{ fields {{ field reason }} }} }} }}"""
CONFIRM = f"""mutation($i: ConfirmPaymentIntentInput!) {{ confirmPaymentIntent(input: $i) {{
  __typename ... on ConfirmPaymentIntentSuccess {{ paymentIntent {{ {FIELDS} }} }}
  ... on UserError {{ code message }} ... on ValidationError {{ fields {{ field reason }} }} }} }}"""
GET = f"query($id: ID!) {{ paymentIntent(id: $id) {{ {FIELDS} }} }}"
FOR_BOOKING = "query($b: ID!) { paymentForBooking(bookingId: $b) { id status paid amount } }"
NODE = "query($id: ID!) { node(id: $id) { __typename ... on PaymentIntent { paymentId status } } }"


def gid(type_name: str, key: object) -> str:
    return str(relay.GlobalID(type_name, str(key)))


def group_gid(group: Group) -> str:
    return gid("BookingGroup", group.group_id)


async def _create(client: httpx.AsyncClient, who: SignedIn | None, **given: Any) -> dict[str, Any]:
    body = await graphql(client, CREATE, {"i": given}, who)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["createPaymentIntent"]
    return result


async def _confirm(client: httpx.AsyncClient, who: SignedIn, **given: Any) -> dict[str, Any]:
    body = await graphql(client, CONFIRM, {"i": given}, who)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["confirmPaymentIntent"]
    return result


async def test_create_confirm_and_read(client: httpx.AsyncClient, owner: SignedIn, group: Group) -> None:
    first_line = gid("Booking", group.booking_ids[0])
    before = await graphql(client, FOR_BOOKING, {"b": first_line}, owner)
    assert before == {"data": {"paymentForBooking": None}}
    created = await _create(client, owner, groupId=group_gid(group))
    assert created["__typename"] == "CreatePaymentIntentSuccess"
    intent = created["paymentIntent"]
    assert intent["id"] == gid("PaymentIntent", intent["paymentId"]) and intent["paymentId"].startswith("pay_")
    assert intent["amount"] == group.amount and intent["amountNok"] == "2240.50" and intent["currency"] == "nok"
    assert intent["status"] == "REQUIRES_PAYMENT_METHOD" and intent["provider"] == "LOCAL"
    assert intent["bookingIds"] == [gid("Booking", b) for b in group.booking_ids]
    assert intent["nextAction"] is None and intent["groupId"] == group.group_id
    again = await _create(client, owner, bookingId=gid("Booking", group.booking_ids[1]))
    assert again["paymentIntent"]["id"] == intent["id"]
    confirmed = (await _confirm(client, owner, id=intent["id"]))["paymentIntent"]
    assert confirmed["status"] == "SUCCEEDED" and confirmed["paid"] is True and confirmed["clientSecret"] is None
    got = (await graphql(client, GET, {"id": intent["id"]}, owner))["data"]["paymentIntent"]
    assert got["paid"] is True and got["paidAt"] and got["status"] == "SUCCEEDED"
    by_booking = (await graphql(client, FOR_BOOKING, {"b": first_line}, owner))["data"]["paymentForBooking"]
    assert by_booking == {"id": intent["id"], "status": "SUCCEEDED", "paid": True, "amount": group.amount}
    node = (await graphql(client, NODE, {"id": intent["id"]}, owner))["data"]["node"]
    assert node == {"__typename": "PaymentIntent", "paymentId": intent["paymentId"], "status": "SUCCEEDED"}
    paid_again = await _create(client, owner, groupId=group_gid(group))
    assert paid_again == {
        "__typename": "ConflictError",
        "code": "ALREADY_PAID",
        "message": "This booking has already been paid.",
    }


async def test_a_step_to_complete_is_a_typed_next_action(
    client: httpx.AsyncClient, owner: SignedIn, group: Group
) -> None:
    intent = (await _create(client, owner, groupId=group_gid(group)))["paymentIntent"]
    back = "https://platform.minbil.no/pay/done"
    action = await _confirm(
        client, owner, id=intent["id"], paymentMethod="pm_card_authenticationRequired", returnUrl=back
    )
    step = action["paymentIntent"]
    assert step["status"] == "REQUIRES_ACTION"
    assert step["nextAction"] == {
        "type": "REDIRECT_TO_URL",
        "redirectUrl": f"{back}#authenticate-{step['providerIntentId']}",
        "returnUrl": back,
    }
    done = (await _confirm(client, owner, id=intent["id"]))["paymentIntent"]
    assert done["status"] == "SUCCEEDED" and done["nextAction"] is None


async def test_expected_failures_are_payload_members(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, group: Group
) -> None:
    intent = (await _create(client, owner, groupId=group_gid(group)))["paymentIntent"]
    foreign = await _create(client, other_owner, groupId=group_gid(group))
    assert foreign["__typename"] == "NotFoundError"
    foreign_confirm = await _confirm(client, other_owner, id=intent["id"])
    assert foreign_confirm["__typename"] == "NotFoundError"
    neither = await _create(client, owner)
    assert neither["__typename"] == "ValidationError"
    assert {f["field"] for f in neither["fields"]} == {"input.bookingId", "input.groupId"}
    wrong_type = await _create(client, owner, groupId=gid("Booking", group.booking_ids[0]))
    assert wrong_type["__typename"] == "ValidationError"
    assert wrong_type["fields"] == [{"field": "input.groupId", "reason": "invalid_id"}]
    not_an_intent = await _confirm(client, owner, id=gid("Booking", group.booking_ids[0]))
    assert not_an_intent["__typename"] == "ValidationError"
    assert not_an_intent["fields"] == [{"field": "input.id", "reason": "invalid_id"}]
    declined = await _confirm(client, owner, id=intent["id"], paymentMethod="pm_card_chargeDeclined")
    assert declined["__typename"] == "ValidationError" and declined["code"] == "PAYMENT_DECLINED"
    assert declined["fields"] == [{"field": "input.paymentMethod", "reason": "card_declined"}]
    bad_url = await _confirm(client, owner, id=intent["id"], returnUrl="javascript:alert(1)")
    assert bad_url["fields"] == [{"field": "input.returnUrl", "reason": "invalid"}]
    anonymous = await _create(client, None, groupId=group_gid(group))
    assert anonymous["__typename"] == "AuthenticationError"


async def test_queries_hide_other_owners_payments(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, group: Group
) -> None:
    intent = (await _create(client, owner, groupId=group_gid(group)))["paymentIntent"]
    assert await graphql(client, GET, {"id": intent["id"]}, other_owner) == {"data": {"paymentIntent": None}}
    missing = gid("PaymentIntent", "pay_" + "0" * 24)
    assert await graphql(client, GET, {"id": missing}, owner) == {"data": {"paymentIntent": None}}
    line = gid("Booking", group.booking_ids[0])
    assert await graphql(client, FOR_BOOKING, {"b": line}, other_owner) == {"data": {"paymentForBooking": None}}
    assert await graphql(client, NODE, {"id": intent["id"]}, other_owner) == {"data": {"node": None}}
    # several fields in one document: a missing one is null, the others still answer
    both = await graphql(
        client,
        "query($a: ID!, $b: ID!) { a: paymentIntent(id: $a) { paymentId } b: paymentIntent(id: $b) { paymentId } }",
        {"a": missing, "b": intent["id"]},
        owner,
    )
    assert both == {"data": {"a": None, "b": {"paymentId": intent["paymentId"]}}}
    anonymous = await graphql(client, GET, {"id": intent["id"]})
    assert anonymous["data"] == {"paymentIntent": None}
    assert [e["extensions"]["code"] for e in anonymous["errors"]] == ["UNAUTHORIZED"]


async def test_webhook_result_is_visible_over_graphql(client: httpx.AsyncClient, owner: SignedIn, group: Group) -> None:
    intent = (await _create(client, owner, groupId=group_gid(group)))["paymentIntent"]
    await deliver(client, event(intent["providerIntentId"], "processing", amount=intent["amount"]))
    got = (await graphql(client, GET, {"id": intent["id"]}, owner))["data"]["paymentIntent"]
    assert got["status"] == "PROCESSING" and got["paid"] is False
