"""Payments fixtures: an app with a webhook secret, booking groups, signed Stripe events."""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.domain.payments.signature import sign_header
from tests.conftest import SignedIn
from tests.factories import make_booking, make_service, make_vehicle, make_workshop, stored_id
from tests.payments.fake_stripe import FakeStripe, fake_stripe_server

WEBHOOK_SECRET = "whsec_" + "t3st" * 8
WEBHOOK_PATH = "/api/co/payments/webhooks/stripe"


@pytest.fixture(scope="module")
def app_overrides() -> dict[str, Any]:
    """Every payments test runs with a configured webhook secret (and the local provider)."""
    return {"stripe_webhook_secret": WEBHOOK_SECRET}


@dataclass
class Group:
    group_id: str
    booking_ids: list[int]  # the payable lines
    cancelled_id: int
    amount: int  # øre, what the server must charge


async def make_group(
    services: Any, owner_id: int, prices: tuple[str, ...] = ("990.00", "1250.50"), cancelled_price: str = "500.00"
) -> Group:
    """A booking group of the owner: one line per price, plus one cancelled line that must not be charged."""
    group_id = str(uuid.uuid4())
    async with services.sessionmaker() as session:
        workshop = await make_workshop(session)
        vehicle = await make_vehicle(session, owner_id, is_primary=False)
        start = datetime.now(UTC) + timedelta(days=4)
        ids: list[int] = []
        for n, price in enumerate(prices):
            service = await make_service(session, workshop, title=f"Tjeneste {n}", price=price)
            booking = await make_booking(
                session,
                owner_id=owner_id,
                workshop=workshop,
                service=service,
                group_id=group_id,
                vehicle=vehicle,
                start=start,
            )
            ids.append(stored_id(booking))
        extra = await make_service(session, workshop, title="Vask", price=cancelled_price)
        cancelled = await make_booking(
            session,
            owner_id=owner_id,
            workshop=workshop,
            service=extra,
            group_id=group_id,
            vehicle=vehicle,
            start=start,
            status="CANCELLED",
        )
        await session.commit()
    from decimal import Decimal

    amount = int(sum(Decimal(p) for p in prices) * 100)
    return Group(group_id=group_id, booking_ids=ids, cancelled_id=stored_id(cancelled), amount=amount)


@pytest.fixture
async def group(services: Any, owner: SignedIn) -> Group:
    return await make_group(services, owner.owner_id)


async def create_intent(client: httpx.AsyncClient, who: SignedIn, **body: Any) -> httpx.Response:
    return await client.post("/api/co/payments/intents", json=body, headers=who.headers)


def event(
    intent_id: str,
    status: str,
    *,
    amount: int,
    event_type: str | None = None,
    created: int | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """A PaymentIntent event as Stripe sends it; `amount` is required: Stripe always reports the intent's amount."""
    return {
        "id": event_id or "evt_" + secrets.token_hex(12),
        "object": "event",
        "api_version": "2025-01-27",
        "created": created if created is not None else int(time.time()),
        "type": event_type or f"payment_intent.{status}",
        "livemode": False,
        "pending_webhooks": 1,
        "data": {
            "object": {
                "id": intent_id,
                "object": "payment_intent",
                "status": status,
                "amount": amount,
                "currency": "nok",
                "next_action": None,
                "last_payment_error": None,
            }
        },
    }


def signed(
    body: dict[str, Any] | bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    raw = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
    return raw, {"Stripe-Signature": sign_header(secret, raw, timestamp), "content-type": "application/json"}


async def deliver(client: httpx.AsyncClient, body: dict[str, Any], **kwargs: Any) -> httpx.Response:
    raw, headers = signed(body, **kwargs)
    return await client.post(WEBHOOK_PATH, content=raw, headers=headers)


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    with fake_stripe_server() as fake:
        yield fake
