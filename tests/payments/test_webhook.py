"""POST /payments/webhooks/stripe: signature, exactly-once processing, ordering, and the paid group."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
from sqlalchemy import ColumnElement, func, select
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Booking, DomainEvent, Notification, Payment, ProcessedWebhookEvent
from db.repositories._core import run
from tests.conftest import SignedIn
from tests.payments.conftest import WEBHOOK_PATH, Group, create_intent, deliver, event, signed


async def _intent(client: httpx.AsyncClient, owner: SignedIn, group: Group) -> dict[str, Any]:
    response = await create_intent(client, owner, group_id=group.group_id)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def _count(session: AsyncSession, model: type[SQLModel], *where: ColumnElement[bool]) -> int:
    stmt = select(func.count()).select_from(model).where(*where)
    return int((await run(session, stmt)).scalar_one())


async def _effects(services: Any, owner_id: int, group: Group) -> dict[str, Any]:
    async with services.sessionmaker() as session:
        paid = (
            await session.exec(
                select(col(Booking.id), col(Booking.paid_at)).where(col(Booking.group_id) == group.group_id)
            )
        ).all()
        return {
            "notifications": await _count(
                session,
                Notification,
                col(Notification.owner_id) == owner_id,
                col(Notification.title) == "Betaling mottatt",
            ),
            "payment_events": await _count(
                session,
                DomainEvent,
                col(DomainEvent.owner_id) == owner_id,
                col(DomainEvent.event_type) == "payment.succeeded",
            ),
            "booking_events": await _count(
                session,
                DomainEvent,
                col(DomainEvent.owner_id) == owner_id,
                col(DomainEvent.event_type) == "booking.updated",
            ),
            "paid": {row[0] for row in paid if row[1] is not None},
            "status": (
                await session.exec(select(col(Payment.status)).where(col(Payment.group_id) == group.group_id))
            ).scalar_one(),
        }


def payment_failed(intent_id: str, amount: int, *, created: int) -> dict[str, Any]:
    """Stripe's `payment_intent.payment_failed`: the intent goes back to requires_payment_method."""
    return event(
        intent_id, "requires_payment_method", amount=amount, event_type="payment_intent.payment_failed", created=created
    )


async def test_reference_example_without_signature_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(WEBHOOK_PATH, headers={"Accept": "application/json"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "INVALID_SIGNATURE"
    assert error["fields"] == [{"field": "Stripe-Signature", "reason": "missing"}]


async def test_signed_event_is_acknowledged_in_the_envelope(client: httpx.AsyncClient) -> None:
    body = event("pi_unknown", "processing", amount=1000)
    response = await deliver(client, body)
    assert response.status_code == 200
    payload = response.json()
    assert set(payload) == {"data", "meta"} and set(payload["meta"]) == {"request_id", "generated_at"}
    assert payload["data"] == {
        "received": True,
        "event_id": body["id"],
        "type": "payment_intent.processing",
        "duplicate": False,
    }


async def test_bad_expired_and_foreign_signatures_are_400_and_change_nothing(
    client: httpx.AsyncClient, owner: SignedIn, group: Group, services: Any
) -> None:
    intent = await _intent(client, owner, group)
    body = event(intent["provider_intent_id"], "succeeded", amount=group.amount)
    raw, headers = signed(body)
    tampered = raw.replace(b'"succeeded"', b'"succeeded" ')
    cases = [
        (tampered, headers["Stripe-Signature"], "mismatch"),
        (raw, signed(body, secret="whsec_someone_else")[1]["Stripe-Signature"], "mismatch"),
        (raw, signed(body, timestamp=int(time.time()) - 301)[1]["Stripe-Signature"], "expired"),
        (raw, "t=123", "missing_v1"),
        (raw, "", "missing"),
    ]
    for content, signature, reason in cases:
        response = await client.post(
            WEBHOOK_PATH, content=content, headers={"Stripe-Signature": signature, "content-type": "application/json"}
        )
        assert response.status_code == 400, reason
        assert response.json()["error"]["fields"] == [{"field": "Stripe-Signature", "reason": reason}]
    effects = await _effects(services, owner.owner_id, group)
    assert effects["status"] == "requires_payment_method" and effects["paid"] == set()
    async with services.sessionmaker() as session:
        assert await _count(session, ProcessedWebhookEvent) == 0  # a rejected delivery does not use up the event id
    # the genuine delivery still works afterwards
    assert (await client.post(WEBHOOK_PATH, content=raw, headers=headers)).status_code == 200
    assert (await _effects(services, owner.owner_id, group))["status"] == "succeeded"


async def test_signature_is_checked_before_the_body_is_parsed(client: httpx.AsyncClient) -> None:
    unsigned_garbage = await client.post(WEBHOOK_PATH, content=b"{not json", headers={"Stripe-Signature": "t=1,v1=00"})
    assert unsigned_garbage.status_code == 400
    assert unsigned_garbage.json()["error"]["code"] == "INVALID_SIGNATURE"
    raw, headers = signed(b"{not json")
    signed_garbage = await client.post(WEBHOOK_PATH, content=raw, headers=headers)
    assert signed_garbage.status_code == 400
    assert signed_garbage.json()["error"]["code"] == "INVALID_PAYLOAD"
    raw, headers = signed({"id": "evt_x", "type": "payment_intent.succeeded"})
    incomplete = await client.post(WEBHOOK_PATH, content=raw, headers=headers)
    assert incomplete.status_code == 400
    assert {f["field"] for f in incomplete.json()["error"]["fields"]} == {"created", "data.object"}


async def test_without_a_configured_secret_deliveries_are_refused(app_factory: Any) -> None:
    _, bare = await app_factory()
    raw, headers = signed(event("pi_1", "succeeded", amount=1000))
    response = await bare.post(WEBHOOK_PATH, content=raw, headers=headers)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "WEBHOOK_NOT_CONFIGURED"


async def test_succeeded_marks_the_group_paid_and_notifies_once(
    client: httpx.AsyncClient, owner: SignedIn, group: Group, services: Any
) -> None:
    intent = await _intent(client, owner, group)
    body = event(intent["provider_intent_id"], "succeeded", amount=group.amount)
    first = await deliver(client, body)
    assert first.status_code == 200 and first.json()["data"]["duplicate"] is False
    effects = await _effects(services, owner.owner_id, group)
    assert effects["status"] == "succeeded"
    assert effects["paid"] == set(group.booking_ids)  # the cancelled line is not marked paid
    assert effects["notifications"] == 1 and effects["payment_events"] == 1
    assert effects["booking_events"] == len(group.booking_ids)
    # the replay: 2xx, marked duplicate, no second effect
    replay = await deliver(client, body)
    assert replay.status_code == 200 and replay.json()["data"]["duplicate"] is True
    assert await _effects(services, owner.owner_id, group) == effects
    # what the owner sees
    got = (await client.get(f"/api/co/payments/intents/{intent['id']}", headers=owner.headers)).json()["data"]
    assert got["status"] == "succeeded" and got["paid"] is True and got["paid_at"]
    async with services.sessionmaker() as session:
        note = (
            (await session.exec(select(Notification).where(col(Notification.owner_id) == owner.owner_id)))
            .scalars()
            .one()
        )
        assert note.type == "booking.updated"
        assert "2 240,50 kr" in note.body
        assert note.data["payment_id"] == intent["id"] and note.data["group_id"] == group.group_id
        outbox = (
            (await session.exec(select(DomainEvent).where(col(DomainEvent.event_type) == "payment.succeeded")))
            .scalars()
            .one()
        )
        assert outbox.payload["amount"] == group.amount and outbox.payload["booking_ids"] == group.booking_ids


async def test_ten_concurrent_duplicate_deliveries_have_exactly_one_effect(
    client: httpx.AsyncClient, owner: SignedIn, group: Group, services: Any
) -> None:
    intent = await _intent(client, owner, group)
    raw, headers = signed(event(intent["provider_intent_id"], "succeeded", amount=group.amount))
    answers = await asyncio.gather(*(client.post(WEBHOOK_PATH, content=raw, headers=headers) for _ in range(10)))
    assert [a.status_code for a in answers] == [200] * 10
    assert sorted(a.json()["data"]["duplicate"] for a in answers) == [False] + [True] * 9
    effects = await _effects(services, owner.owner_id, group)
    assert effects["notifications"] == 1 and effects["payment_events"] == 1
    assert effects["paid"] == set(group.booking_ids) and effects["status"] == "succeeded"
    async with services.sessionmaker() as session:
        assert await _count(session, ProcessedWebhookEvent) == 1


async def test_out_of_order_events_end_in_the_right_state(
    client: httpx.AsyncClient, owner: SignedIn, group: Group, services: Any
) -> None:
    intent = await _intent(client, owner, group)
    pi = intent["provider_intent_id"]
    now = int(time.time())
    # succeeded (created later) arrives first; the earlier processing event must not move it back
    assert (await deliver(client, event(pi, "succeeded", amount=group.amount, created=now + 2))).status_code == 200
    assert (await deliver(client, event(pi, "processing", amount=group.amount, created=now + 1))).status_code == 200
    assert (await deliver(client, payment_failed(pi, group.amount, created=now + 3))).status_code == 200
    effects = await _effects(services, owner.owner_id, group)
    assert effects["status"] == "succeeded" and effects["paid"] == set(group.booking_ids)
    assert effects["notifications"] == 1


async def test_older_events_do_not_overwrite_newer_ones(
    client: httpx.AsyncClient, owner: SignedIn, group: Group, services: Any
) -> None:
    intent = await _intent(client, owner, group)
    pi = intent["provider_intent_id"]
    now = int(time.time())
    await deliver(client, event(pi, "processing", amount=group.amount, created=now + 5))
    await deliver(client, event(pi, "requires_action", amount=group.amount, created=now + 4))  # late and stale
    assert (await _effects(services, owner.owner_id, group))["status"] == "processing"
    # a failed payment reported later does move processing back to requires_payment_method
    await deliver(client, payment_failed(pi, group.amount, created=now + 9))
    assert (await _effects(services, owner.owner_id, group))["status"] == "requires_payment_method"
    # and then the retry succeeds
    await deliver(client, event(pi, "processing", amount=group.amount, created=now + 12))
    await deliver(client, event(pi, "succeeded", amount=group.amount, created=now + 12))
    effects = await _effects(services, owner.owner_id, group)
    assert effects["status"] == "succeeded" and effects["notifications"] == 1


async def test_canceled_intent_frees_the_group_for_a_new_one(
    client: httpx.AsyncClient, owner: SignedIn, group: Group
) -> None:
    first = await _intent(client, owner, group)
    await deliver(client, event(first["provider_intent_id"], "canceled", amount=group.amount))
    got = (await client.get(f"/api/co/payments/intents/{first['id']}", headers=owner.headers)).json()["data"]
    assert got["status"] == "canceled" and got["client_secret"] is None
    confirm = await client.post(f"/api/co/payments/intents/{first['id']}/confirm", headers=owner.headers)
    assert confirm.status_code == 409 and confirm.json()["error"]["code"] == "PAYMENT_CANCELED"
    second = await _intent(client, owner, group)
    assert second["id"] != first["id"] and second["provider_intent_id"] != first["provider_intent_id"]
    assert second["status"] == "requires_payment_method"


async def test_other_event_types_are_acknowledged_and_recorded(client: httpx.AsyncClient, services: Any) -> None:
    body = {
        "id": "evt_charge_1",
        "object": "event",
        "type": "charge.refunded",
        "created": int(time.time()),
        "data": {"object": {"id": "ch_1", "object": "charge"}},
    }
    response = await deliver(client, body)
    assert response.status_code == 200
    async with services.sessionmaker() as session:
        stored = await session.get(ProcessedWebhookEvent, "evt_charge_1")
        assert stored is not None and stored.event_type == "charge.refunded"
        assert stored.payload == json.loads(json.dumps(body))


async def test_succeeded_with_another_amount_is_flagged_for_review_not_paid(
    client: httpx.AsyncClient, owner: SignedIn, group: Group, services: Any, caplog: Any
) -> None:
    intent = await _intent(client, owner, group)
    body = event(intent["provider_intent_id"], "succeeded", amount=group.amount - 100)
    with caplog.at_level("ERROR", logger="app.domain.payments.service"):
        response = await deliver(client, body)
    # acknowledged (a retry would carry the same amount), but nothing is paid
    assert response.status_code == 200 and response.json()["data"]["duplicate"] is False
    effects = await _effects(services, owner.owner_id, group)
    assert effects["paid"] == set() and effects["status"] == "requires_payment_method"
    assert effects["notifications"] == 0 and effects["payment_events"] == 0
    async with services.sessionmaker() as session:
        payment = (await session.exec(select(Payment).where(col(Payment.group_id) == group.group_id))).scalars().one()
        assert payment.review_reason == "amount_mismatch"
    assert any(r.levelname == "ERROR" and intent["id"] in r.getMessage() for r in caplog.records)
    got = (await client.get(f"/api/co/payments/intents/{intent['id']}", headers=owner.headers)).json()["data"]
    assert got["paid"] is False
    # the owner cannot confirm it again while it is under review (the provider already took a payment)
    confirm = await client.post(f"/api/co/payments/intents/{intent['id']}/confirm", headers=owner.headers)
    assert confirm.status_code == 409 and confirm.json()["error"]["code"] == "PAYMENT_UNDER_REVIEW"
    # the matching amount from another delivery is not enough either: the payment stays for a person to review
    assert (
        await deliver(client, event(intent["provider_intent_id"], "succeeded", amount=group.amount))
    ).status_code == 200
    assert (await _effects(services, owner.owner_id, group))["paid"] == set()


async def test_succeeded_in_another_currency_is_flagged_for_review(
    client: httpx.AsyncClient, owner: SignedIn, group: Group, services: Any
) -> None:
    intent = await _intent(client, owner, group)
    body = event(intent["provider_intent_id"], "succeeded", amount=group.amount)
    body["data"]["object"]["currency"] = "eur"
    assert (await deliver(client, body)).status_code == 200
    effects = await _effects(services, owner.owner_id, group)
    assert effects["paid"] == set() and effects["status"] == "requires_payment_method"
    async with services.sessionmaker() as session:
        payment = (await session.exec(select(Payment).where(col(Payment.group_id) == group.group_id))).scalars().one()
        assert payment.review_reason == "currency_mismatch"


async def test_succeeded_reporting_nothing_received_is_flagged_not_paid(
    client: httpx.AsyncClient, owner: SignedIn, group: Group, services: Any
) -> None:
    """A success with amount 0 is no exemption: Stripe reports the intent's amount on every succeeded event."""
    intent = await _intent(client, owner, group)
    assert intent["amount"] == group.amount
    assert (await deliver(client, event(intent["provider_intent_id"], "succeeded", amount=0))).status_code == 200
    effects = await _effects(services, owner.owner_id, group)
    assert effects["paid"] == set() and effects["notifications"] == 0
    async with services.sessionmaker() as session:
        payment = (await session.exec(select(Payment).where(col(Payment.group_id) == group.group_id))).scalars().one()
        assert payment.review_reason == "amount_mismatch"
