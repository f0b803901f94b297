"""The three intent operations over REST, replayed from the reference and then exercised."""

from __future__ import annotations

import asyncio
import re

import httpx
from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from app.services import Services
from db.models import Payment
from db.repositories._core import run
from tests.conftest import SignedIn, sign_up_and_in
from tests.payments.conftest import Group, create_intent, make_group

UUID4 = re.compile(r"^[0-9a-f-]{36}$")
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def assert_envelope(body: dict) -> dict:
    assert set(body) == {"data", "meta"}
    assert set(body["meta"]) == {"request_id", "generated_at"}
    assert ISO_Z.match(body["meta"]["generated_at"])
    assert body["meta"]["request_id"]
    return body["data"]


async def test_reference_example_create_without_body_names_the_missing_field(
    client: httpx.AsyncClient, owner: SignedIn
) -> None:
    # the reference's cURL sends no body; we need to know which booking to charge
    response = await client.post("/api/co/payments/intents", headers={**owner.headers, "Accept": "application/json"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert {f["field"] for f in error["fields"]} == {"booking_id", "group_id"}
    assert error["request_id"] and error["retryable"] is False


async def test_create_by_group_charges_the_booked_prices(
    client: httpx.AsyncClient, owner: SignedIn, group: Group
) -> None:
    response = await create_intent(client, owner, group_id=group.group_id)
    assert response.status_code == 200, response.text
    data = assert_envelope(response.json())
    assert data["amount"] == group.amount == 224050  # 990.00 + 1250.50 NOK; the cancelled 500 is not charged
    assert data["amount_nok"] == "2240.50"
    assert data["currency"] == "nok"
    assert data["status"] == "requires_payment_method"
    assert data["provider"] == "local"
    assert data["id"].startswith("pay_") and data["payment_id"] == data["id"]
    assert data["provider_intent_id"].startswith("pi_")
    assert data["client_secret"].startswith(data["provider_intent_id"] + "_secret_")
    assert data["group_id"] == group.group_id
    assert data["booking_ids"] == group.booking_ids and group.cancelled_id not in data["booking_ids"]
    assert data["paid"] is False and data["paid_at"] is None
    assert ISO_Z.match(data["created_at"])


async def test_create_by_booking_id_uses_its_group(client: httpx.AsyncClient, owner: SignedIn, group: Group) -> None:
    by_booking = await create_intent(client, owner, booking_id=group.booking_ids[1])
    assert by_booking.status_code == 200
    as_text = await create_intent(client, owner, booking_id=str(group.booking_ids[0]))
    assert as_text.status_code == 200
    assert by_booking.json()["data"]["id"] == as_text.json()["data"]["id"]
    assert by_booking.json()["data"]["amount"] == group.amount


async def test_client_amount_is_refused(client: httpx.AsyncClient, owner: SignedIn, group: Group) -> None:
    response = await create_intent(client, owner, group_id=group.group_id, amount=100)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == [{"field": "amount", "reason": "not_allowed"}]
    usd = await create_intent(client, owner, group_id=group.group_id, currency="usd")
    assert usd.status_code == 400
    assert usd.json()["error"]["fields"][0]["field"] == "currency"
    # nothing was created by the refused calls
    fresh = await create_intent(client, owner, group_id=group.group_id)
    assert fresh.json()["data"]["amount"] == group.amount


async def test_bad_input_is_400_naming_the_field(client: httpx.AsyncClient, owner: SignedIn, group: Group) -> None:
    both = await create_intent(client, owner, group_id=group.group_id, booking_id=group.booking_ids[0])
    assert both.status_code == 400
    for bad in ({"booking_id": "abc"}, {"booking_id": -4}, {"booking_id": True}, {"group_id": "x" * 80}):
        response = await create_intent(client, owner, **bad)
        assert response.status_code == 400, bad
        assert response.json()["error"]["fields"][0]["field"] in bad
    garbage = await client.post(
        "/api/co/payments/intents", content=b"{nope", headers={**owner.headers, "content-type": "application/json"}
    )
    assert garbage.status_code == 400
    assert "Traceback" not in garbage.text


async def test_one_open_intent_per_group(
    client: httpx.AsyncClient, owner: SignedIn, group: Group, services: Services, db_session: AsyncSession
) -> None:
    first = (await create_intent(client, owner, group_id=group.group_id)).json()["data"]
    again = (await create_intent(client, owner, booking_id=group.booking_ids[0])).json()["data"]
    assert again["id"] == first["id"] and again["client_secret"] == first["client_secret"]
    # ten at once still make one
    other = await make_group(services, owner.owner_id, prices=("300.00",))
    answers = await asyncio.gather(*(create_intent(client, owner, group_id=other.group_id) for _ in range(10)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["data"]["id"] for a in answers}) == 1
    count = (
        await run(db_session, select(func.count()).select_from(Payment).where(col(Payment.group_id) == other.group_id))
    ).scalar_one()
    assert count == 1


async def test_unauthenticated_calls_are_401(client: httpx.AsyncClient, group: Group) -> None:
    assert (await client.post("/api/co/payments/intents", json={"group_id": group.group_id})).status_code == 401
    assert (await client.get("/api/co/payments/intents/pay_x")).status_code == 401
    assert (await client.post("/api/co/payments/intents/pay_x/confirm")).status_code == 401


async def test_other_owner_gets_404_everywhere(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, group: Group
) -> None:
    mine = (await create_intent(client, owner, group_id=group.group_id)).json()["data"]
    for body in ({"group_id": group.group_id}, {"booking_id": group.booking_ids[0]}):
        response = await create_intent(client, other_owner, **body)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "BOOKING_NOT_FOUND"
    got = await client.get(f"/api/co/payments/intents/{mine['id']}", headers=other_owner.headers)
    assert got.status_code == 404 and got.json()["error"]["code"] == "PAYMENT_NOT_FOUND"
    confirmed = await client.post(f"/api/co/payments/intents/{mine['id']}/confirm", headers=other_owner.headers)
    assert confirmed.status_code == 404
    # the owner's intent is untouched by the attempts
    still = (await client.get(f"/api/co/payments/intents/{mine['id']}", headers=owner.headers)).json()["data"]
    assert still["status"] == "requires_payment_method"
    unknown = await client.get("/api/co/payments/intents/string_value", headers=owner.headers)
    assert unknown.status_code == 404


async def test_reference_example_get_and_confirm(client: httpx.AsyncClient, owner: SignedIn, group: Group) -> None:
    # the reference's examples use the placeholder id `string_value`: an unknown payment
    for method, path in (
        ("GET", "/api/co/payments/intents/string_value"),
        ("POST", "/api/co/payments/intents/string_value/confirm"),
    ):
        response = await client.request(method, path, headers={**owner.headers, "Accept": "application/json"})
        assert response.status_code == 404
        assert set(response.json()["error"]) == {"code", "message", "fields", "request_id", "retryable"}
    created = (await create_intent(client, owner, group_id=group.group_id)).json()["data"]
    got = await client.get(f"/api/co/payments/intents/{created['id']}", headers=owner.headers)
    assert got.status_code == 200
    assert assert_envelope(got.json())["amount"] == group.amount
    confirmed = await client.post(f"/api/co/payments/intents/{created['id']}/confirm", headers=owner.headers)
    assert confirmed.status_code == 200
    data = assert_envelope(confirmed.json())
    assert data["status"] == "succeeded"
    assert data["paid"] is True and ISO_Z.match(data["paid_at"])
    assert data["client_secret"] is None  # no longer useful once paid


async def test_confirm_with_test_cards(client: httpx.AsyncClient, owner: SignedIn, group: Group) -> None:
    created = (await create_intent(client, owner, group_id=group.group_id)).json()["data"]
    url = f"/api/co/payments/intents/{created['id']}/confirm"
    declined = await client.post(url, json={"payment_method": "pm_card_chargeDeclined"}, headers=owner.headers)
    assert declined.status_code == 400
    assert declined.json()["error"]["code"] == "PAYMENT_DECLINED"
    action = await client.post(
        url,
        json={"payment_method": "pm_card_authenticationRequired", "return_url": "https://platform.minbil.no/pay/done"},
        headers=owner.headers,
    )
    assert action.status_code == 200
    assert action.json()["data"]["status"] == "requires_action"
    assert action.json()["data"]["next_action"]["type"] == "redirect_to_url"
    done = await client.post(url, headers=owner.headers)
    assert done.json()["data"]["status"] == "succeeded"
    # confirming a paid intent again changes nothing and charges nothing
    repeat = await client.post(url, headers=owner.headers)
    assert repeat.status_code == 200 and repeat.json()["data"]["status"] == "succeeded"
    bad = await client.post(url, json={"return_url": "javascript:alert(1)"}, headers=owner.headers)
    assert bad.status_code == 400


async def test_paid_group_cannot_get_another_intent(client: httpx.AsyncClient, owner: SignedIn, group: Group) -> None:
    created = (await create_intent(client, owner, group_id=group.group_id)).json()["data"]
    await client.post(f"/api/co/payments/intents/{created['id']}/confirm", headers=owner.headers)
    again = await create_intent(client, owner, group_id=group.group_id)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "ALREADY_PAID"


async def test_group_with_only_cancelled_lines_has_nothing_to_pay(
    client: httpx.AsyncClient, owner: SignedIn, services: Services
) -> None:
    only_cancelled = await make_group(services, owner.owner_id, prices=())
    response = await create_intent(client, owner, group_id=only_cancelled.group_id)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "NOTHING_TO_PAY"


async def test_each_owner_pays_only_their_own_group(client: httpx.AsyncClient, services: Services) -> None:
    a = await sign_up_and_in(client)
    b = await sign_up_and_in(client)
    group_a = await make_group(services, a.owner_id, prices=("100.00",))
    group_b = await make_group(services, b.owner_id, prices=("200.00",))
    pay_a = (await create_intent(client, a, group_id=group_a.group_id)).json()["data"]
    pay_b = (await create_intent(client, b, group_id=group_b.group_id)).json()["data"]
    assert (pay_a["amount"], pay_b["amount"]) == (10000, 20000)


async def test_changed_booking_replaces_the_unconfirmed_intent(
    client: httpx.AsyncClient, owner: SignedIn, group: Group, services: Services
) -> None:
    from sqlalchemy import update

    from db.models import Booking

    old = (await create_intent(client, owner, group_id=group.group_id)).json()["data"]
    async with services.sessionmaker() as session:  # the workshop declines one line after the intent was made
        await session.exec(update(Booking).where(col(Booking.id) == group.booking_ids[1]).values(status="DECLINED"))
        await session.commit()
    stale = await client.post(f"/api/co/payments/intents/{old['id']}/confirm", headers=owner.headers)
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "AMOUNT_CHANGED"
    new = (await create_intent(client, owner, group_id=group.group_id)).json()["data"]
    assert new["id"] != old["id"] and new["amount"] == 99000 and new["booking_ids"] == group.booking_ids[:1]
    replaced = (await client.get(f"/api/co/payments/intents/{old['id']}", headers=owner.headers)).json()["data"]
    assert replaced["status"] == "canceled"
    paid = await client.post(f"/api/co/payments/intents/{new['id']}/confirm", headers=owner.headers)
    assert paid.json()["data"]["status"] == "succeeded"
