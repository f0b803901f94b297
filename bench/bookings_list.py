"""`GET /bookings` cost as the list grows: SQL statements and time per call for a small and a large owner.

Seeds (in the database of DATABASE_URL, read through app.settings; migrations applied) one workshop and
two owners: one with `--small` booking groups and one with `--large`, two lines each, then runs the
list use case `--rounds` times for each. Prints statements per call (the same for both: related rows are
loaded per kind, not per line), mean milliseconds per call and per line, and the ratios. Asserts nothing.

    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/minbil_bench python bench/bookings_list.py
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import event

from app.domain.bookings import queries
from app.services import Services
from app.settings import load_settings
from app.wiring import build_services
from db.models import Booking, CarOwner, Message, Service, Workshop


async def seed(services: Services, groups: int, workshop: Workshop, oil: Service, brakes: Service) -> int:
    async with services.sessionmaker() as session:
        owner = CarOwner(email=f"bench-{uuid.uuid4().hex[:10]}@minbil.io", password_hash="x")
        session.add(owner)
        await session.flush()
        owner_id = owner.id
        assert owner_id is not None  # flushed: the database gave it its id
        start = datetime.now(UTC) + timedelta(days=2)
        for g in range(groups):
            group_id = str(uuid.uuid4())
            for service in (oil, brakes):
                row = Booking(
                    group_id=group_id,
                    owner_id=owner_id,
                    workshop_org_nr=workshop.org_nr,
                    service_id=service.id,
                    registration_number="BN12345",
                    service_title=service.title,
                    service_price=service.price,
                    service_estimated_hours=service.estimated_time,
                    status="REQUESTED",
                    service_start_time=start + timedelta(hours=g),
                    service_estimated_end_time=start + timedelta(hours=g + 1),
                )
                session.add(row)
                await session.flush()
                assert row.id is not None
                session.add(
                    Message(
                        booking_id=row.id,
                        owner_id=owner_id,
                        workshop_org_nr=workshop.org_nr,
                        sender_type="workshop",
                        message_text="Hei",
                    )
                )
        await session.commit()
        return owner_id


async def measure(services: Services, owner_id: int, rounds: int) -> tuple[int, float]:
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(services.engine.sync_engine, "before_cursor_execute", count)
    began = time.perf_counter()
    for _ in range(rounds):
        async with services.uow() as uow:
            await queries.list_bookings(uow, owner_id, expand="co,ws")
    elapsed = time.perf_counter() - began
    event.remove(services.engine.sync_engine, "before_cursor_execute", count)
    return statements // rounds, elapsed / rounds * 1000


async def run(small: int, large: int, rounds: int) -> None:
    async with build_services(load_settings(), migrate=True) as services:
        async with services.sessionmaker() as session:
            org = f"9{uuid.uuid4().int % 10**8:08d}"
            workshop = Workshop(org_nr=org, name="Bench Verksted")
            session.add(workshop)
            await session.flush()
            oil = Service(org_nr=org, title="Oljeskift", price=Decimal("1490"), estimated_time=1.0)
            brakes = Service(org_nr=org, title="Bremser", price=Decimal("2500"), estimated_time=2.0)
            session.add_all([oil, brakes])
            await session.commit()
            for row in (workshop, oil, brakes):
                await session.refresh(row)
        small_owner = await seed(services, small, workshop, oil, brakes)
        large_owner = await seed(services, large, workshop, oil, brakes)
        await measure(services, small_owner, 2)  # warm up
        s_stmts, s_ms = await measure(services, small_owner, rounds)
        l_stmts, l_ms = await measure(services, large_owner, rounds)
        print(
            f"small: {small * 2:5d} lines  {s_stmts} statements/call  {s_ms:8.2f} ms/call  {s_ms / (small * 2):.3f} ms/line"
        )
        print(
            f"large: {large * 2:5d} lines  {l_stmts} statements/call  {l_ms:8.2f} ms/call  {l_ms / (large * 2):.3f} ms/line"
        )
        print(
            f"ratio large/small: statements {l_stmts / s_stmts:.2f}, time {l_ms / s_ms:.2f} for {large / small:.0f}x the lines"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=5, help="booking groups of the small owner")
    parser.add_argument("--large", type=int, default=250, help="booking groups of the large owner")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(run(args.small, args.large, args.rounds))


if __name__ == "__main__":
    main()
