"""What the bulk load of `minbil seed` saves: the same generated catalogue written two ways, in one run.

1. baseline: batched multi-row INSERTs through SQLAlchemy Core (1000 rows a statement), indexes and
   foreign key checks left as they are;
2. seed: `db.seed.seed()` as `minbil seed --reset` runs it (binary COPY, secondary indexes set aside and
   rebuilt, chunks built in a worker thread while the previous one is written).

Both start from emptied tables (like `--reset`); the baseline rolls back, so the database ends with the
seeded data. Prints seconds, rows per second and the ratio. It measures; it asserts nothing.

    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/<scratch database> \
        python bench/seed_load.py --workshops 5000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.settings import get_settings
from app.wiring import build_services
from db.models import metadata
from db.seed import seed as seed_catalogue
from db.seed.bulk import COLUMNS
from db.seed.marketplace import WorkshopFactory, build_reference
from db.seed.run import reset_tables

JSON_COLUMNS = {("workshops", "logo"), ("workshops", "images"), ("services", "images")}


async def baseline(engine: AsyncEngine, workshops: int, seed: int) -> tuple[float, int]:
    started = time.perf_counter()
    written = 0
    async with engine.connect() as conn:
        transaction = await conn.begin()
        await reset_tables(conn)
        reference = build_reference()
        for name, rows in (
            ("workshop_categories", reference.workshop_category_rows),
            ("service_categories", reference.service_category_rows),
            ("car_brands", reference.car_brand_rows),
        ):
            await _insert(conn, name, rows)
        factory = WorkshopFactory(reference, seed)
        for batch, _ in factory.batches(workshops):
            for name, rows in (
                ("workshops", batch.workshops),
                ("workshop_category_links", batch.category_links),
                ("workshop_addresses", batch.addresses),
                ("workshop_contacts", batch.contacts),
                ("workshop_opening_hours", batch.hours),
                ("services", batch.services),
                ("service_category_links", batch.service_links),
            ):
                written += await _insert(conn, name, rows)
        elapsed = time.perf_counter() - started
        await transaction.rollback()
    return elapsed, written


async def _insert(conn: AsyncConnection, name: str, rows: list[tuple[Any, ...]]) -> int:
    table = metadata.tables[name]
    columns = COLUMNS[name]
    records = [
        {c: (json.loads(v) if (name, c) in JSON_COLUMNS else v) for c, v in zip(columns, row, strict=True)}
        for row in rows
    ]
    for start in range(0, len(records), 1000):
        await conn.execute(insert(table), records[start : start + 1000])
    return len(records)


async def main(workshops: int, seed: int) -> None:
    # the services `minbil seed` runs with: the seed also empties the marketplace cache
    async with build_services(get_settings()) as services:
        base_s, rows = await baseline(services.engine, workshops, seed)
        started = time.perf_counter()
        await seed_catalogue(services, workshops=workshops, seed=seed, reset=True)
        seed_s = time.perf_counter() - started
    print(f"{workshops} workshops, {rows} catalogue rows")
    print(f"baseline (Core INSERTs):      {base_s:7.2f} s  {rows / base_s:9.0f} rows/s")
    print(f"seed (COPY, indexes rebuilt): {seed_s:7.2f} s  {rows / seed_s:9.0f} rows/s")
    print(f"ratio baseline/seed: {base_s / seed_s:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workshops", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    asyncio.run(main(args.workshops, args.seed))
