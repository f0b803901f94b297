"""The Stripe provider through the official package, against a loopback server speaking Stripe's API."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import col

from app.domain.payments.provider import PaymentDeclined, ProviderRejected, ProviderUnavailable
from app.infra.payments.stripe_provider import StripeProvider
from db.models import Notification
from tests.conftest import sign_up_and_in
from tests.payments.conftest import WEBHOOK_SECRET, create_intent, deliver, event, make_group
from tests.payments.fake_stripe import FakeStripe

# the stripe package posts form bodies with httpx's deprecated `data=<str>`
pytestmark = pytest.mark.filterwarnings("ignore:Use .content=<...>. to upload raw bytes:DeprecationWarning")

API_KEY = "sk_test_minbil_4eC39HqLyjWDarjtT1zdp7dc"


async def _stripe_app(app_factory: Any, fake: FakeStripe) -> tuple[Any, httpx.AsyncClient]:
    return await app_factory(stripe_secret_key=API_KEY, stripe_api_base=fake.url, stripe_webhook_secret=WEBHOOK_SECRET)


async def test_create_sends_server_amount_with_a_stable_idempotency_key(
    app_factory: Any, fake_stripe: FakeStripe
) -> None:
    app, client = await _stripe_app(app_factory, fake_stripe)
    owner = await sign_up_and_in(client)
    group = await make_group(app.state.services, owner.owner_id)
    response = await create_intent(client, owner, booking_id=group.booking_ids[0])
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    [sent] = fake_stripe.creates()
    assert sent.headers["idempotency-key"] == f"minbil-pi-{group.group_id}-0-{group.amount}"
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    assert sent.form["amount"] == str(group.amount) and sent.form["currency"] == "nok"
    assert sent.form["metadata[group_id]"] == group.group_id and sent.form["metadata[payment_id]"] == data["id"]
    assert data["provider"] == "stripe"
    assert data["provider_intent_id"] in fake_stripe.intents
    assert data["client_secret"] == fake_stripe.intents[data["provider_intent_id"]]["client_secret"]
    assert data["amount"] == group.amount
    # asking again returns the open intent without another call to Stripe
    again = await create_intent(client, owner, group_id=group.group_id)
    assert again.json()["data"]["id"] == data["id"]
    assert len(fake_stripe.creates()) == 1


async def test_retries_reuse_the_idempotency_key(app_factory: Any, fake_stripe: FakeStripe) -> None:
    app, client = await _stripe_app(app_factory, fake_stripe)
    owner = await sign_up_and_in(client)
    group = await make_group(app.state.services, owner.owner_id)
    fake_stripe.fail_next = 3  # the package's own retries (2) all fail: the caller gets a 503
    failed = await create_intent(client, owner, group_id=group.group_id)
    assert failed.status_code == 503
    error = failed.json()["error"]
    assert error["code"] == "PAYMENT_PROVIDER_UNAVAILABLE" and error["retryable"] is True
    assert "Retry-After" in failed.headers
    fake_stripe.fail_next = 1  # the client retries; the first attempt fails, the package retries once
    ok = await create_intent(client, owner, group_id=group.group_id)
    assert ok.status_code == 200
    keys = [r.headers["idempotency-key"] for r in fake_stripe.creates()]
    assert len(keys) == 5 and set(keys) == {f"minbil-pi-{group.group_id}-0-{group.amount}"}
    assert len(fake_stripe.intents) == 1  # one PaymentIntent at Stripe


async def test_concurrent_creates_make_one_stripe_intent(app_factory: Any, fake_stripe: FakeStripe) -> None:
    app, client = await _stripe_app(app_factory, fake_stripe)
    owner = await sign_up_and_in(client)
    group = await make_group(app.state.services, owner.owner_id)
    answers = await asyncio.gather(*(create_intent(client, owner, group_id=group.group_id) for _ in range(6)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["data"]["id"] for a in answers}) == 1
    assert len(fake_stripe.creates()) == 1


async def test_a_new_intent_after_cancel_gets_a_new_key(app_factory: Any, fake_stripe: FakeStripe) -> None:
    app, client = await _stripe_app(app_factory, fake_stripe)
    owner = await sign_up_and_in(client)
    group = await make_group(app.state.services, owner.owner_id)
    first = (await create_intent(client, owner, group_id=group.group_id)).json()["data"]
    assert (
        await deliver(client, event(first["provider_intent_id"], "canceled", amount=first["amount"]))
    ).status_code == 200
    second = (await create_intent(client, owner, group_id=group.group_id)).json()["data"]
    assert second["provider_intent_id"] != first["provider_intent_id"]
    assert [r.headers["idempotency-key"] for r in fake_stripe.creates()] == [
        f"minbil-pi-{group.group_id}-0-{group.amount}",
        f"minbil-pi-{group.group_id}-1-{group.amount}",
    ]


async def test_confirm_calls_stripe_and_marks_the_group_paid(app_factory: Any, fake_stripe: FakeStripe) -> None:
    app, client = await _stripe_app(app_factory, fake_stripe)
    owner = await sign_up_and_in(client)
    group = await make_group(app.state.services, owner.owner_id)
    created = (await create_intent(client, owner, group_id=group.group_id)).json()["data"]
    url = f"/api/co/payments/intents/{created['id']}/confirm"
    missing = await client.post(url, headers=owner.headers)  # Stripe needs a payment method
    assert missing.status_code == 409
    assert missing.json()["error"]["code"] == "PARAMETER_MISSING"
    declined = await client.post(url, json={"payment_method": "pm_card_chargeDeclined"}, headers=owner.headers)
    assert declined.status_code == 400
    assert declined.json()["error"]["code"] == "PAYMENT_DECLINED"
    assert declined.json()["error"]["message"] == "Your card was declined."
    action = await client.post(url, json={"payment_method": "pm_card_authenticationRequired"}, headers=owner.headers)
    assert action.json()["data"]["status"] == "requires_action"
    assert action.json()["data"]["next_action"]["type"] == "use_stripe_sdk"
    paid = await client.post(url, json={"payment_method": "pm_card_visa"}, headers=owner.headers)
    assert paid.status_code == 200
    data = paid.json()["data"]
    assert data["status"] == "succeeded" and data["paid"] is True
    confirms = [r for r in fake_stripe.requests if r.path.endswith("/confirm")]
    assert len(confirms) == 4
    assert all(r.headers["idempotency-key"].startswith(f"minbil-confirm-{created['id']}-") for r in confirms)
    assert confirms[-1].form == {"payment_method": "pm_card_visa"}
    # the webhook that follows is recorded but changes nothing more: one notification in all
    assert (await deliver(client, event(created["provider_intent_id"], "succeeded", amount=created["amount"]))).json()[
        "data"
    ]["duplicate"] is False
    async with app.state.services.sessionmaker() as session:
        notes = (
            await session.exec(
                select(func.count()).select_from(Notification).where(col(Notification.owner_id) == owner.owner_id)
            )
        ).scalar_one()
    assert notes == 1
    # no further Stripe call when confirming a paid intent
    await client.post(url, json={"payment_method": "pm_card_visa"}, headers=owner.headers)
    assert len([r for r in fake_stripe.requests if r.path.endswith("/confirm")]) == 4


async def test_provider_maps_stripe_errors(fake_stripe: FakeStripe) -> None:
    provider = StripeProvider(API_KEY, api_base=fake_stripe.url, max_network_retries=0)
    try:
        intent = await provider.create_intent(
            amount=50000, currency="nok", idempotency_key="k-1", metadata={"group_id": "g"}, description="d"
        )
        assert intent.status == "requires_payment_method" and intent.amount == 50000
        same = await provider.create_intent(
            amount=50000, currency="nok", idempotency_key="k-1", metadata={"group_id": "g"}, description="d"
        )
        assert same.id == intent.id  # Stripe replays the answer for a repeated key
        fetched = await provider.retrieve_intent(intent.id)
        assert fetched.client_secret == intent.client_secret
        for method, expected in (("pm_card_chargeDeclined", PaymentDeclined), (None, ProviderRejected)):
            try:
                await provider.confirm_intent(
                    intent, payment_method=method, return_url=None, idempotency_key=f"c-{method}"
                )
            except expected:
                pass
            else:
                raise AssertionError(f"{method} should raise {expected.__name__}")
        with pytest.raises(ProviderRejected) as missing:
            await provider.retrieve_intent("pi_missing")
        assert missing.value.code == "RESOURCE_MISSING"
        # a 500 from Stripe with retries off: unavailable after exactly one request, nothing created
        before = len(fake_stripe.requests)
        fake_stripe.fail_next = 1
        with pytest.raises(ProviderUnavailable) as failing:
            await provider.create_intent(
                amount=100, currency="nok", idempotency_key="k-500", metadata={}, description="d"
            )
        assert failing.value.status == 503 and failing.value.code == "PAYMENT_PROVIDER_UNAVAILABLE"
        assert fake_stripe.fail_next == 0 and len(fake_stripe.requests) == before + 1
        assert len(fake_stripe.intents) == 1
    finally:
        await provider.aclose()
    wrong_key = StripeProvider("sk_live_wrong", api_base=fake_stripe.url, max_network_retries=0)
    try:
        with pytest.raises(ProviderUnavailable) as rejected_key:
            await wrong_key.create_intent(
                amount=100, currency="nok", idempotency_key="k-2", metadata={}, description="d"
            )
        assert rejected_key.value.status == 503
    finally:
        await wrong_key.aclose()
    unreachable = StripeProvider(API_KEY, api_base="http://127.0.0.1:9", max_network_retries=0)
    try:
        with pytest.raises(ProviderUnavailable) as down:
            await unreachable.create_intent(
                amount=100, currency="nok", idempotency_key="k-3", metadata={}, description="d"
            )
        assert down.value.status == 503 and down.value.retryable is True
    finally:
        await unreachable.aclose()


async def test_changed_booking_cancels_the_stripe_intent_and_makes_a_new_one(
    app_factory: Any, fake_stripe: FakeStripe
) -> None:
    from sqlalchemy import update

    from db.models import Booking

    app, client = await _stripe_app(app_factory, fake_stripe)
    owner = await sign_up_and_in(client)
    group = await make_group(app.state.services, owner.owner_id)
    old = (await create_intent(client, owner, group_id=group.group_id)).json()["data"]
    async with app.state.services.sessionmaker() as session:
        await session.exec(update(Booking).where(col(Booking.id) == group.booking_ids[0]).values(status="CANCELLED"))
        await session.commit()
    new = (await create_intent(client, owner, group_id=group.group_id)).json()["data"]
    assert new["amount"] == 125050 and new["provider_intent_id"] != old["provider_intent_id"]
    [cancel] = [r for r in fake_stripe.requests if r.path.endswith("/cancel")]
    assert cancel.path == f"/v1/payment_intents/{old['provider_intent_id']}/cancel"
    assert cancel.headers["idempotency-key"] == f"minbil-cancel-{old['id']}"
    assert fake_stripe.intents[old["provider_intent_id"]]["status"] == "canceled"
    creates = fake_stripe.creates()
    assert [c.form["amount"] for c in creates] == [str(group.amount), "125050"]
    assert creates[1].headers["idempotency-key"] == f"minbil-pi-{group.group_id}-1-125050"
