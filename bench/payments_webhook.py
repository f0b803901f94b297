"""Stripe webhook cost: a first delivery (full effect), a repeat (one INSERT .. ON CONFLICT) and a rejected
signature, each against a baseline of reading one payment, all in one run.

Seeds (in the database of DATABASE_URL, read through app.settings; migrations applied) one owner with
`--events` booking groups and an open intent each (local provider), then runs the webhook use case for a
`payment_intent.succeeded` per intent, the same events again, and the same events with a wrong signature.
Prints mean milliseconds per call and the ratios to the baseline. Asserts nothing.

    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/minbil_bench python bench/payments_webhook.py --events 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.domain.payments import service as payments
from app.domain.payments.commands import CreatePaymentIntent
from app.domain.payments.signature import sign_header
from app.errors import DomainError
from app.services import Services
from app.settings import load_settings
from app.wiring import build_services
from db.models import Booking, CarOwner, Workshop

SECRET = "whsec_bench_" + secrets.token_hex(8)
Call = Callable[[], Awaitable[None]]


async def seed(services: Services, groups: int) -> tuple[int, list[str]]:
    async with services.sessionmaker() as session:
        org = f"9{uuid.uuid4().int % 10**8:08d}"
        session.add(Workshop(org_nr=org, name="Bench Verksted"))
        owner = CarOwner(email=f"bench-{uuid.uuid4().hex[:10]}@minbil.io", password_hash="x")
        session.add(owner)
        await session.flush()
        owner_id = owner.id
        assert owner_id is not None  # flushed: the database gave it its id
        group_ids = []
        start = datetime.now(UTC) + timedelta(days=2)
        for g in range(groups):
            group_id = str(uuid.uuid4())
            group_ids.append(group_id)
            session.add(
                Booking(
                    group_id=group_id,
                    owner_id=owner_id,
                    workshop_org_nr=org,
                    service_title="Oljeskift",
                    service_price=Decimal("1490.00"),
                    status="REQUESTED",
                    service_start_time=start + timedelta(hours=g),
                )
            )
        await session.commit()
        return owner_id, group_ids


async def timed(calls: list[Call]) -> float:
    began = time.perf_counter()
    for call in calls:
        await call()
    return (time.perf_counter() - began) / len(calls) * 1000


async def run(events: int) -> None:
    settings = load_settings(stripe_webhook_secret=SECRET, stripe_secret_key=None)
    async with build_services(settings, migrate=True) as services:
        owner_id, groups = await seed(services, events)
        intents = []
        for group_id in groups:
            async with services.uow() as uow:
                intents.append(await payments.create_intent(uow, owner_id, CreatePaymentIntent(group_id=group_id)))
        bodies = [
            json.dumps(
                {
                    "id": "evt_" + secrets.token_hex(12),
                    "object": "event",
                    "type": "payment_intent.succeeded",
                    "created": int(time.time()),
                    "data": {
                        "object": {
                            "id": i.provider_intent_id,
                            "object": "payment_intent",
                            "status": "succeeded",
                            "amount": i.amount,
                        }
                    },
                }
            ).encode()
            for i in intents
        ]

        def deliver(body: bytes, secret: str = SECRET) -> Call:
            async def call() -> None:
                try:
                    async with services.uow() as uow:
                        await payments.handle_stripe_webhook(uow, payload=body, signature=sign_header(secret, body))
                except DomainError:
                    pass

            return call

        def read(payment_id: str) -> Call:
            async def call() -> None:
                async with services.uow() as uow:
                    await payments.get_intent(uow, owner_id, payment_id)

            return call

        baseline = await timed([read(i.id) for i in intents])
        first = await timed([deliver(b) for b in bodies])
        repeat = await timed([deliver(b) for b in bodies])
        rejected = await timed([deliver(b, "whsec_wrong") for b in bodies])
    print(f"events={events} (one booking line each; local provider)")
    print(f"baseline get_intent:         {baseline:7.2f} ms")
    print(f"first delivery (succeeded):  {first:7.2f} ms  ratio {first / baseline:5.2f}x")
    print(f"repeat delivery (duplicate): {repeat:7.2f} ms  ratio {repeat / baseline:5.2f}x")
    print(f"bad signature (rejected):    {rejected:7.2f} ms  ratio {rejected / baseline:5.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(run(args.events))


if __name__ == "__main__":
    main()
