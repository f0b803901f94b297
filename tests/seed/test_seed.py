"""Demo data: deterministic, valid Norwegian reference data, a demo owner who can sign in, reset, bulk size."""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from stdnum.no import orgnr

from app.services import Services
from db.models import metadata
from db.seed import DEMO_EMAIL, DEMO_PASSWORD, SeedRefused, seed, seed_if_empty
from db.seed.marketplace import WorkshopFactory, build_reference
from db.seed.places import CITIES, CITY_BY_NAME

ROOT = Path(__file__).resolve().parents[2]
COUNTIES_2024 = {
    "Oslo",
    "Akershus",
    "Østfold",
    "Buskerud",
    "Vestfold",
    "Telemark",
    "Agder",
    "Rogaland",
    "Vestland",
    "Møre og Romsdal",
    "Trøndelag",
    "Nordland",
    "Troms",
    "Finnmark",
    "Innlandet",
}


async def rows(services: Services, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    async with services.engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(text(sql), params)).all()]


async def scalar(services: Services, sql: str, **params: Any) -> Any:
    async with services.engine.connect() as conn:
        return (await conn.execute(text(sql), params)).scalar_one()


async def catalogue_snapshot(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "workshops": await rows(services, "SELECT * FROM workshops ORDER BY org_nr"),
        "addresses": await rows(services, "SELECT * FROM workshop_addresses ORDER BY id"),
        "contacts": await rows(services, "SELECT * FROM workshop_contacts ORDER BY id"),
        "hours": await rows(services, "SELECT * FROM workshop_opening_hours ORDER BY id"),
        "links": await rows(services, "SELECT * FROM workshop_category_links ORDER BY org_nr, workshop_category_id"),
        "services": await rows(services, "SELECT * FROM services ORDER BY id"),
        "service_links": await rows(
            services, "SELECT * FROM service_category_links ORDER BY service_id, service_category_id"
        ),
        "categories": await rows(services, "SELECT * FROM service_categories ORDER BY id"),
        "brands": await rows(services, "SELECT * FROM car_brands ORDER BY id"),
        "bookings": await rows(
            services,
            "SELECT id, group_id, workshop_org_nr, service_id, service_title, service_price, "
            "status, registration_number, service_rating FROM bookings ORDER BY id",
        ),
    }


async def test_same_seed_gives_identical_rows_and_another_seed_differs(services: Services) -> None:
    await seed(services, workshops=150, seed=7)
    first = await catalogue_snapshot(services)
    await seed(services, workshops=150, seed=7, reset=True)
    second = await catalogue_snapshot(services)
    assert len(first["workshops"]) == 150
    for table in first:
        assert first[table] == second[table], table
    # the demo owner's bookings come out in the same order with the same content
    assert first["bookings"] == second["bookings"] and len(first["bookings"]) >= 8

    await seed(services, workshops=150, seed=8, reset=True)
    other = await catalogue_snapshot(services)
    assert {r[0] for r in other["workshops"]} != {r[0] for r in first["workshops"]}
    assert other["categories"] == first["categories"] and other["brands"] == first["brands"]


def catalogue_digest(seed_value: int, workshops: int) -> str:
    """A fingerprint of every catalogue row the factory builds, in the order it builds them."""
    digest = hashlib.sha256()
    reference = build_reference()
    for table in (reference.workshop_category_rows, reference.service_category_rows, reference.car_brand_rows):
        for row in table:
            digest.update(repr(row).encode())
    factory = WorkshopFactory(reference, seed_value)
    for batch, done in factory.batches(workshops):
        for name in ("workshops", "category_links", "addresses", "contacts", "hours", "services", "service_links"):
            for row in getattr(batch, name):
                digest.update(repr(row).encode())
        digest.update(str(done).encode())
    digest.update(repr(sorted(factory.flagships.items())).encode())
    digest.update(repr(sorted(factory.ratings.items())).encode())
    return digest.hexdigest()


@pytest.mark.parametrize(
    ("seed_value", "workshops", "expected"),
    [
        (42, 300, "6478db56e151be6d70ec829e2fa0f09bee81eb7e9a606722db903d71fc330cb3"),
        (7, 150, "3f2e29e506883e6e62065399ab27162393f130496ac92fd7d2af2fa39f2d8cff"),
    ],
)
def test_catalogue_rows_stay_what_this_seed_has_always_given(seed_value: int, workshops: int, expected: str) -> None:
    # demo databases and screenshots are shared by seed number: a change to the generated rows must be deliberate
    assert catalogue_digest(seed_value, workshops) == expected


DERIVED = "workshop_positions"  # kept by triggers from the addresses; checked against them instead


async def database_digest(services: Services) -> str:
    """A fingerprint of every seeded row in every table (password hashes are salted, so left out)."""
    digest = hashlib.sha256()
    async with services.engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in {"enum_booking_statuses", "alembic_version", DERIVED}:
                continue
            result = await conn.execute(text(f'SELECT * FROM "{table.name}"'))
            columns = list(result.keys())
            found = [
                tuple("<hash>" if c == "password_hash" else v for c, v in zip(columns, r, strict=True))
                for r in result.all()
            ]
            digest.update(table.name.encode())
            for row in sorted(found, key=repr):
                digest.update(repr(row).encode())
    return digest.hexdigest()


async def test_everything_seeded_at_a_given_moment_stays_what_it_has_always_been(services: Services) -> None:
    await seed(services, workshops=60, seed=42, now=datetime(2026, 6, 15, 10, 30, 12, tzinfo=UTC))
    assert await database_digest(services) == "e8510547775ad3a84635c1a5ae6c436f0d851dd2f1e1d82f9a465616a7f26463"
    placed = "SELECT org_nr, latitude, longitude FROM workshop_positions ORDER BY org_nr"
    primary = (
        "SELECT DISTINCT ON (a.org_nr) a.org_nr, a.latitude, a.longitude FROM workshop_addresses a "
        "JOIN workshops w ON w.org_nr = a.org_nr AND w.is_active ORDER BY a.org_nr, a.is_primary DESC, a.id"
    )
    assert await rows(services, placed) == await rows(services, primary)
    assert len(await rows(services, placed)) > 50


async def test_a_smaller_catalogue_is_the_start_of_a_larger_one(services: Services) -> None:
    await seed(services, workshops=40, seed=3)
    small = await rows(
        services,
        "SELECT w.org_nr, w.name, a.city FROM workshops w JOIN workshop_addresses a USING (org_nr) ORDER BY a.id",
    )
    await seed(services, workshops=120, seed=3, reset=True)
    large = await rows(
        services,
        "SELECT w.org_nr, w.name, a.city FROM workshops w JOIN workshop_addresses a USING (org_nr) ORDER BY a.id",
    )
    assert large[:40] == small


async def test_org_numbers_are_valid_and_unique(services: Services) -> None:
    await seed(services, workshops=500, seed=11)
    numbers = [r[0] for r in await rows(services, "SELECT org_nr FROM workshops")]
    assert len(numbers) == len(set(numbers)) == 500
    invalid = [n for n in numbers if not orgnr.is_valid(n)]
    assert invalid == []


async def test_cities_counties_postal_codes_and_coordinates_agree(services: Services) -> None:
    await seed(services, workshops=600, seed=5)
    addresses = await rows(services, "SELECT city, county, postal_code, latitude, longitude FROM workshop_addresses")
    assert len(addresses) == 600
    for city_name, county, postal_code, latitude, longitude in addresses:
        city = CITY_BY_NAME[city_name]
        assert county == city.county and county in COUNTIES_2024
        assert postal_code in city.postal_codes
        north = (latitude - city.latitude) * 111.32
        east = (longitude - city.longitude) * 111.32 * math.cos(math.radians(city.latitude))
        assert math.hypot(north, east) <= city.spread_km * 2, (city_name, latitude, longitude)
    per_county = Counter(r[1] for r in addresses)
    assert per_county.most_common(1)[0][0] == "Oslo"  # workshops are where the people are
    assert len(per_county) >= 12
    assert {c.county for c in CITIES} == COUNTIES_2024


async def test_every_workshop_has_hours_categories_services_and_contacts(services: Services) -> None:
    await seed(services, workshops=300, seed=42)
    assert (
        await scalar(
            services,
            "SELECT count(*) FROM workshops w WHERE (SELECT count(*) FROM workshop_opening_hours h "
            "WHERE h.org_nr = w.org_nr) <> 7",
        )
        == 0
    )
    sundays_open = await scalar(
        services, "SELECT count(*) FROM workshop_opening_hours WHERE weekday = 6 AND NOT is_closed"
    )
    saturdays_open = await scalar(
        services, "SELECT count(*) FROM workshop_opening_hours WHERE weekday = 5 AND NOT is_closed"
    )
    assert sundays_open == 0 and 0 < saturdays_open < 300
    assert (
        await scalar(
            services, "SELECT count(*) FROM workshop_opening_hours WHERE NOT is_closed AND NOT (opens_at < closes_at)"
        )
        == 0
    )
    for table in ("workshop_category_links", "services", "workshop_contacts", "workshop_addresses"):
        assert (
            await scalar(
                services,
                f"SELECT count(*) FROM workshops w WHERE NOT EXISTS "
                f"(SELECT 1 FROM {table} x WHERE x.org_nr = w.org_nr)",
            )
            == 0
        ), table
    # services: NOK prices, estimated hours, linked to a leaf of the category tree and to its root
    assert await scalar(services, "SELECT count(*) FROM services WHERE price <= 0 OR estimated_time <= 0") == 0
    assert await scalar(services, "SELECT count(*) FROM services WHERE supports_walk_in") > 0
    leaf_and_root = await rows(
        services,
        """
        SELECT s.id, array_agg(c.level ORDER BY c.level) FROM services s
        JOIN service_category_links l ON l.service_id = s.id JOIN service_categories c ON c.id = l.service_category_id
        GROUP BY s.id""",
    )
    assert {tuple(levels) for _, levels in leaf_and_root} == {(1, 2)}
    # the category tree: roots at level 1 tied to a workshop category, children at level 2 under them
    tree = await rows(
        services,
        "SELECT c.slug, c.level, p.level, c.workshop_category_id FROM service_categories c "
        "LEFT JOIN service_categories p ON p.id = c.parent_id",
    )
    assert all(
        (parent is None) == (level == 1) and (parent is None or parent == level - 1) and wc is not None
        for _, level, parent, wc in tree
    )
    slugs = {slug for slug, *_ in tree}
    assert {
        "eu-kontroll",
        "service",
        "dekk",
        "bremser",
        "karosseri",
        "lakk",
        "glass",
        "elbil",
        "stor-service",
        "oljeskift",
        "dekkskift",
        "dekkhotell",
        "balansering",
        "bremseklosser",
        "steinsprut",
        "batteritest",
    } <= slugs
    categories = {r[0] for r in await rows(services, "SELECT name FROM workshop_categories")}
    assert {
        "Bilverksted",
        "Dekkverksted",
        "Karosseri og lakk",
        "Bilglass",
        "Elbilverksted",
        "EU-kontroll/PKK",
    } <= categories
    brands = {r[0]: r[1] for r in await rows(services, "SELECT name, car_logo FROM car_brands")}
    assert len(brands) >= 40 and {"Tesla", "Volkswagen", "Toyota", "Volvo", "Polestar", "BYD", "MG"} <= set(brands)
    assert all(logo.startswith("https://") for logo in brands.values())
    # booking statuses are the migration's rows, not copies
    assert await scalar(services, "SELECT count(*) FROM enum_booking_statuses") == 7


async def test_demo_owner_signs_in_and_has_a_lived_in_account(services: Services, client: httpx.AsyncClient) -> None:
    await seed(services, workshops=60, seed=42)
    response = await client.post("/api/co/auth/sign-in", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    user = response.json()["user"]
    assert user["email"] == DEMO_EMAIL and user["username"] == "demo"
    assert (user["firstName"], user["lastName"]) == ("Kari", "Nordmann")
    assert (
        await client.post("/api/co/auth/sign-in", json={"email": DEMO_EMAIL, "password": "wrong-password"})
    ).status_code == 401

    owner_id = await scalar(services, "SELECT id FROM car_owners WHERE email = :e", e=DEMO_EMAIL)
    vehicles = await rows(
        services,
        "SELECT v.registration_number, v.brand, ov.is_primary FROM owner_vehicles ov "
        "JOIN vehicles v ON v.id = ov.vehicle_id WHERE ov.owner_id = :o ORDER BY 1",
        o=owner_id,
    )
    assert vehicles == [("BT57225", "VOLKSWAGEN", False), ("EK39085", "TESLA", True)]

    statuses = Counter(
        r[0] for r in await rows(services, "SELECT status FROM bookings WHERE owner_id = :o", o=owner_id)
    )
    assert {"REQUESTED", "CONFIRMED", "IN_PROGRESS", "COMPLETED", "CANCELLED"} <= set(statuses)
    groups = Counter(
        r[0] for r in await rows(services, "SELECT group_id FROM bookings WHERE owner_id = :o", o=owner_id)
    )
    assert max(groups.values()) >= 2  # one booking of several services
    rated = await rows(
        services,
        "SELECT service_rating, rated_at FROM bookings WHERE status = 'COMPLETED' AND service_rating IS NOT NULL",
    )
    assert rated and all(0 <= rating <= 5 and rated_at is not None for rating, rated_at in rated)
    # each workshop's review count covers the demo ratings it received
    assert (
        await scalar(
            services,
            """
        SELECT count(*) FROM workshops w JOIN (SELECT workshop_org_nr, count(*) AS n FROM bookings
        WHERE service_rating IS NOT NULL GROUP BY 1) b ON b.workshop_org_nr = w.org_nr
        WHERE w.total_reviews < b.n OR w.average_rating NOT BETWEEN 1 AND 5""",
        )
        == 0
    )
    # bookings point at real services of the workshop they were made with
    assert (
        await scalar(
            services,
            "SELECT count(*) FROM bookings b JOIN services s ON s.id = b.service_id "
            "WHERE s.org_nr <> b.workshop_org_nr OR s.price <> b.service_price",
        )
        == 0
    )

    messages = await rows(
        services, "SELECT sender_type, is_read, booking_id FROM messages WHERE owner_id = :o", o=owner_id
    )
    assert {"carowner", "workshop"} <= {m[0] for m in messages}
    assert any(sender == "workshop" and not read for sender, read, _ in messages)
    assert len({m[2] for m in messages}) >= 3
    notifications = await rows(services, "SELECT type, is_read FROM notifications WHERE owner_id = :o", o=owner_id)
    assert any(not read for _, read in notifications) and any(read for _, read in notifications)


async def test_seeding_twice_refuses_and_reset_replaces_everything(
    services: Services, client: httpx.AsyncClient
) -> None:
    await seed(services, workshops=50, seed=1)
    signed_up = await client.post(
        "/api/co/auth/sign-up", json={"email": "someone@minbil.io", "password": "StrongPass123!"}
    )
    assert signed_up.status_code == 201
    before = await catalogue_snapshot(services)

    with pytest.raises(SeedRefused, match="--reset"):
        await seed(services, workshops=50, seed=2)
    assert await catalogue_snapshot(services) == before

    await seed(services, workshops=80, seed=2, reset=True)
    assert await scalar(services, "SELECT count(*) FROM workshops") == 80
    assert await scalar(services, "SELECT min(id) FROM services") == 1  # ids start over
    assert await scalar(services, "SELECT count(*) FROM car_owners") == 1  # only the demo owner
    assert await scalar(services, "SELECT count(*) FROM enum_booking_statuses") == 7
    response = await client.post("/api/co/auth/sign-in", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 200


async def test_seed_if_empty_seeds_once(services: Services) -> None:
    assert await seed_if_empty(services) is True
    count = await scalar(services, "SELECT count(*) FROM workshops")
    assert count == 300
    assert await seed_if_empty(services) is False
    assert await scalar(services, "SELECT count(*) FROM car_owners") == 1


async def test_two_thousand_workshops_with_progress(services: Services) -> None:
    seen: list[tuple[str, int, int]] = []
    summary = await seed(services, workshops=2000, seed=99, progress=lambda s, d, t: seen.append((s, d, t)))
    assert summary.workshops == 2000
    assert await scalar(services, "SELECT count(*) FROM workshops") == 2000
    assert await scalar(services, "SELECT count(DISTINCT org_nr) FROM workshop_addresses") == 2000
    assert summary.services == await scalar(services, "SELECT count(*) FROM services") > 4000
    workshop_steps = [d for s, d, t in seen if s == "workshops"]
    assert workshop_steps[0] == 0 and workshop_steps[-1] == 2000 and workshop_steps == sorted(workshop_steps)
    # the indexes set aside for the load are back
    names = {
        r[0] for r in await rows(services, "SELECT indexname FROM pg_indexes WHERE tablename = 'workshop_addresses'")
    }
    assert {"ix_workshop_addresses_city", "ix_workshop_addresses_org_nr"} <= names
    # sequences continue after the explicit ids
    async with services.engine.begin() as conn:
        new_id = (
            await conn.execute(
                text("INSERT INTO car_brands (name, slug) VALUES ('Testmerke', 'testmerke') RETURNING id")
            )
        ).scalar_one()
    assert new_id == await scalar(services, "SELECT count(*) FROM car_brands")


async def test_shop_list_shows_seeded_workshops_at_once(services: Services, client: httpx.AsyncClient) -> None:
    empty = await client.get("/api/co/shops")
    assert empty.status_code == 200 and empty.json()["meta"]["total"] == 0
    await seed(services, workshops=40, seed=4)
    listed = await client.get("/api/co/shops")
    active = await scalar(services, "SELECT count(*) FROM workshops WHERE is_active")
    assert listed.json()["meta"]["total"] == active > 0


def test_seed_command_prints_progress_and_credentials(clean_database: str, tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("MINBIL_") and k not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        DATABASE_URL=clean_database,
        MINBIL_DATA_DIR=str(tmp_path),
        MINBIL_JWT_SECRET="c" * 40,
        MINBIL_LOG_LEVEL="WARNING",
    )
    command = [sys.executable, "-m", "app.cli", "seed", "--workshops", "25", "--seed", "5"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert "workshops" in done.stderr and "25/25" in done.stderr
    assert f"{DEMO_EMAIL} / {DEMO_PASSWORD}" in done.stdout

    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert again.returncode == 1 and "--reset" in again.stderr


async def test_the_seeded_tables_have_planner_statistics(services: Services) -> None:
    # where autovacuum is off or has not come round yet, a bulk load left no column statistics: the planner
    # estimated one address per bounding box and joined thousands of workshops in a nested loop
    await seed(services, workshops=200, seed=4)
    analysed = {
        (r[0], r[1])
        for r in await rows(
            services,
            "SELECT tablename, attname FROM pg_stats WHERE schemaname = current_schema() "
            "AND tablename IN ('workshops', 'workshop_addresses', 'services', 'workshop_category_links')",
        )
    }
    assert {("workshop_addresses", "latitude"), ("workshop_addresses", "longitude")} <= analysed
    assert {("workshops", "is_active"), ("services", "org_nr"), ("workshop_category_links", "org_nr")} <= analysed
