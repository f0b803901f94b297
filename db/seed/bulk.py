"""The bulk load of the workshop catalogue: binary `COPY` (through asyncpg) in chunks of workshops.

While it loads, the secondary indexes of the bulk tables are set aside and rebuilt at the end, the next
chunk is built in a worker thread, and (where the role may, see `_skip_foreign_key_triggers_if_allowed`)
the per-row foreign key checks are skipped: 20 000 workshops are about 660 000 rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from db.seed.common import Progress
from db.seed.marketplace import Reference, WorkshopBatch, WorkshopFactory

# COPY column lists, in the order the tuples above are built
COLUMNS: dict[str, tuple[str, ...]] = {
    "workshop_categories": ("id", "name", "slug", "description", "icon", "sort_order", "is_active", "created_at"),
    "service_categories": (
        "id",
        "name",
        "slug",
        "description",
        "parent_id",
        "level",
        "workshop_category_id",
        "sort_order",
        "is_active",
        "created_at",
    ),
    "car_brands": ("id", "name", "slug", "car_logo", "created_at"),
    "workshops": (
        "org_nr",
        "name",
        "description",
        "phone",
        "mobile",
        "email",
        "homepage",
        "logo",
        "images",
        "average_rating",
        "total_reviews",
        "is_active",
        "created_at",
        "updated_at",
    ),
    "workshop_category_links": ("org_nr", "workshop_category_id"),
    "workshop_addresses": (
        "id",
        "org_nr",
        "address",
        "postal_code",
        "city",
        "county",
        "latitude",
        "longitude",
        "is_primary",
    ),
    "workshop_contacts": ("id", "org_nr", "email", "phone", "mobile", "manager"),
    "workshop_opening_hours": ("id", "org_nr", "weekday", "opens_at", "closes_at", "is_closed"),
    "services": (
        "id",
        "org_nr",
        "title",
        "description",
        "price",
        "estimated_time",
        "supports_walk_in",
        "images",
        "is_active",
        "created_at",
        "updated_at",
    ),
    "service_category_links": ("service_id", "service_category_id"),
}
EXPLICIT_ID_TABLES = (
    "workshop_categories",
    "service_categories",
    "car_brands",
    "workshop_addresses",
    "workshop_contacts",
    "workshop_opening_hours",
    "services",
)
BULK_TABLES = (
    "workshops",
    "workshop_category_links",
    "workshop_addresses",
    "workshop_contacts",
    "workshop_opening_hours",
    "services",
    "service_category_links",
)


async def _set_aside_indexes(conn: AsyncConnection) -> list[str]:
    """Drop the secondary indexes of the (empty) bulk tables; returns their definitions to re-create.

    Filling a GIN trigram or full-text index row by row costs far more than building it once after the
    load. Indexes that back a constraint (primary keys, uniques) stay, so foreign keys are still checked;
    so do indexes of tables the current role does not own (it may not drop them).
    Everything happens in the seeding transaction: a failure restores the indexes with the rest.
    """
    rows = (
        await conn.execute(
            text(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
                "WHERE n.nspname = current_schema() AND t.relname = ANY(:tables) AND pg_has_role(t.relowner, 'USAGE') "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
                "ORDER BY 1"
            ),
            {"tables": list(BULK_TABLES)},
        )
    ).all()
    for name, _ in rows:
        await conn.execute(text(f"DROP INDEX {name}"))
    return [definition for _, definition in rows]


async def _skip_foreign_key_triggers_if_allowed(conn: AsyncConnection) -> bool:
    """For this transaction, skip the per-row foreign key checks of the bulk load where that is allowed.

    The generated rows reference only rows written before them, so the checks can only pass; skipping
    them (`session_replication_role = replica`) needs a superuser (the embedded and development
    servers) and is only done when the bulk tables carry no triggers of their own, which it would
    silence too. Elsewhere the load runs with the checks.
    """
    allowed = (
        await conn.execute(
            text(
                "SELECT current_setting('is_superuser') = 'on' AND NOT EXISTS ("
                "SELECT 1 FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid "
                "JOIN pg_namespace n ON n.oid = t.relnamespace "
                "WHERE NOT g.tgisinternal AND n.nspname = current_schema() AND t.relname = ANY(:tables))"
            ),
            {"tables": list(BULK_TABLES)},
        )
    ).scalar_one()
    if allowed:
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
    return bool(allowed)


async def _prefetched(batches: Iterator[tuple[WorkshopBatch, int]]) -> AsyncIterator[tuple[WorkshopBatch, int]]:
    """Build the next chunk in a worker thread while the current one is being written."""
    pending = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
    while True:
        item = await pending
        if item is None:
            return
        pending = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
        yield item


async def _copy(raw: Any, table: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        await raw.copy_records_to_table(table, records=rows, columns=list(COLUMNS[table]))


async def copy_reference(raw: Any, reference: Reference) -> None:
    await _copy(raw, "workshop_categories", reference.workshop_category_rows)
    await _copy(raw, "service_categories", reference.service_category_rows)
    await _copy(raw, "car_brands", reference.car_brand_rows)


async def copy_workshops(
    conn: AsyncConnection, raw: Any, factory: WorkshopFactory, workshops: int, report: Progress
) -> None:
    """Write `workshops` workshops from `factory` with everything hanging off them, then rebuild the indexes.

    Runs inside the seeding transaction: a failure leaves neither rows nor dropped indexes behind.
    """
    await conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    index_definitions = await _set_aside_indexes(conn)
    skipping_checks = await _skip_foreign_key_triggers_if_allowed(conn)
    report("workshops", 0, workshops)
    async for batch, done in _prefetched(factory.batches(workshops)):
        await _copy(raw, "workshops", batch.workshops)
        await _copy(raw, "workshop_category_links", batch.category_links)
        await _copy(raw, "workshop_addresses", batch.addresses)
        await _copy(raw, "workshop_contacts", batch.contacts)
        await _copy(raw, "workshop_opening_hours", batch.hours)
        await _copy(raw, "services", batch.services)
        await _copy(raw, "service_category_links", batch.service_links)
        report("workshops", done, workshops)
    for n, definition in enumerate(index_definitions, start=1):
        report("indexes", n - 1, len(index_definitions))
        await conn.execute(text(definition))
    report("indexes", len(index_definitions), len(index_definitions))
    for name in EXPLICIT_ID_TABLES:
        await conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f'COALESCE((SELECT max(id) FROM "{name}"), 0) + 1, false)'
            )
        )
    if skipping_checks:
        await conn.execute(text("SET LOCAL session_replication_role = origin"))
