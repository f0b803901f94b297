"""The entry points of the demo seed: `seed()` loads everything in one transaction, `seed_if_empty()` once.

Without `reset`, seeding refuses (`SeedRefused`) when the catalogue tables already hold rows or the demo
account exists, rather than mixing two catalogues; `reset` empties every table first except the booking
status reference rows (and Alembic's version table), restarting the id sequences.
"""

from __future__ import annotations

import logging
import time as clock
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.values import utc_now
from db.models import CarOwner, metadata
from db.seed.bulk import copy_reference, copy_workshops
from db.seed.common import Progress, table
from db.seed.demo_data import DEMO_EMAIL, DEMO_PASSWORD
from db.seed.demo_owner import seed_demo_owner
from db.seed.marketplace import WorkshopFactory, build_reference

if TYPE_CHECKING:
    from app.services import Services

log = logging.getLogger(__name__)

DEFAULT_WORKSHOPS = 300
DEFAULT_SEED = 42

KEEP_TABLES = frozenset({"enum_booking_statuses", "alembic_version"})
CATALOGUE_TABLES = ("workshops", "workshop_categories", "service_categories", "car_brands")


class SeedRefused(Exception):
    """The database already holds a catalogue or the demo account; use `reset=True` to replace it."""


@dataclass
class SeedSummary:
    seed: int
    workshops: int = 0
    services: int = 0
    workshop_categories: int = 0
    service_categories: int = 0
    car_brands: int = 0
    bookings: int = 0
    messages: int = 0
    notifications: int = 0
    demo_email: str = DEMO_EMAIL
    demo_password: str = DEMO_PASSWORD
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


async def reset_tables(conn: AsyncConnection) -> None:
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables if t.name not in KEEP_TABLES)
    await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


async def _occupied(conn: AsyncConnection) -> list[str]:
    found = []
    for name in CATALOGUE_TABLES:
        if (await conn.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{name}")'))).scalar_one():
            found.append(name)
    owners = table(CarOwner)
    if (await conn.execute(select(owners.c.id).where(func.lower(owners.c.email) == DEMO_EMAIL))).first():
        found.append(f"car_owners ({DEMO_EMAIL})")
    return found


async def _invalidate_marketplace_cache(services: Services) -> None:
    await services.marketplace_cache.invalidate_all()


async def seed(
    services: Services,
    *,
    workshops: int = DEFAULT_WORKSHOPS,
    seed: int = DEFAULT_SEED,
    reset: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> SeedSummary:
    """Load the demo data into `services.engine`'s database in one transaction, so a failure leaves nothing.

    The catalogue depends on `seed` only; the demo owner's data is laid out around `now` (the clock unless
    given).
    """
    if workshops < 1:
        raise ValueError("workshops must be at least 1")
    started = clock.perf_counter()
    report = progress or (lambda stage, done, total: None)
    from app.auth.passwords import hash_password

    password_hash = await hash_password(DEMO_PASSWORD)
    summary = SeedSummary(seed=seed)
    now = now or utc_now()
    async with services.engine.begin() as conn:
        await conn.execute(text("SELECT pg_advisory_xact_lock(7242002)"))
        if reset:
            report("emptying tables", 0, 1)
            await reset_tables(conn)
            report("emptying tables", 1, 1)
        occupied = await _occupied(conn)
        if occupied:
            raise SeedRefused(
                "the database already has demo or catalogue data (" + ", ".join(occupied) + "); "
                "run with --reset to replace it"
            )
        raw = (await conn.get_raw_connection()).driver_connection

        reference = build_reference()
        report("reference data", 0, 1)
        await copy_reference(raw, reference)
        report("reference data", 1, 1)

        factory = WorkshopFactory(reference, seed)
        await copy_workshops(conn, raw, factory, workshops, report)

        report("demo owner", 0, 1)
        summary.bookings, summary.messages, summary.notifications = await seed_demo_owner(
            conn, factory, seed=seed, password_hash=password_hash, now=now
        )
        report("demo owner", 1, 1)

        # column statistics for the planner now, not when autovacuum comes round (if it is on at all): without
        # them it estimates one address per bounding box and searches with nested loops over the bulk load.
        # Rows this transaction inserted count as live for its own ANALYZE.
        report("statistics", 0, 1)
        await conn.execute(text("ANALYZE"))
        report("statistics", 1, 1)

    summary.workshops = workshops
    summary.services = factory.next_service_id - 1
    summary.workshop_categories = len(reference.workshop_category_rows)
    summary.service_categories = len(reference.service_category_rows)
    summary.car_brands = len(reference.car_brand_rows)
    await _invalidate_marketplace_cache(services)
    summary.seconds = clock.perf_counter() - started
    log.info(
        "demo data seeded: %d workshops, %d services in %.1f s", summary.workshops, summary.services, summary.seconds
    )
    return summary


async def seed_if_empty(
    services: Services, *, workshops: int = DEFAULT_WORKSHOPS, seed_value: int = DEFAULT_SEED
) -> bool:
    """Seed when the database has no workshops yet (first start of the embedded database); True if it did."""
    async with services.engine.connect() as conn:
        if (await conn.execute(text("SELECT EXISTS (SELECT 1 FROM workshops)"))).scalar_one():
            return False
    try:
        summary = await seed(services, workshops=workshops, seed=seed_value)
    except SeedRefused as exc:
        log.warning("demo data not loaded: %s", exc)
        return False
    log.info("demo data loaded; sign in as %s / %s", summary.demo_email, summary.demo_password)
    return True
