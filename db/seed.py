"""Demo data: a Norwegian workshop catalogue and one demo car owner with vehicles, bookings and messages.

`seed()` is deterministic for a given `seed` value: the catalogue (categories, car brands, workshops and
everything hanging off them) is the same rows with the same ids on every run into an empty database, and
workshop *i* is the same whatever the number of workshops asked for. The demo owner's bookings, messages
and notifications are laid out around the day of seeding (in Europe/Oslo time), so that "upcoming" stays
upcoming; their content and order are fixed too.

The catalogue is written with PostgreSQL `COPY` (binary, through asyncpg) in chunks of workshops, inside
one transaction, so a failure leaves nothing behind. While it loads, the secondary indexes of the bulk
tables are set aside and rebuilt at the end, the next chunk is built in a worker thread, and (where the
role may, see `_skip_foreign_key_triggers_if_allowed`) the per-row foreign key checks are skipped:
20 000 workshops are about 660 000 rows.

Without `reset`, seeding refuses (`SeedRefused`) when the catalogue tables already hold rows or the demo
account exists, rather than mixing two catalogues; `reset` empties every table first except the booking
status reference rows (and Alembic's version table), restarting the id sequences.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time as clock
import unicodedata
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.infra.vegvesen import map_document
from db.models import (
    Booking,
    CarOwner,
    Favourite,
    Message,
    Notification,
    OwnerVehicle,
    Vehicle,
    Workshop,
    metadata,
)
from db.seed_data.catalog import (
    CAR_BRANDS,
    DESCRIPTION_CLOSERS,
    DESCRIPTION_OPENERS,
    EXTRA_CATEGORIES,
    FIRST_NAMES,
    MAIN_CATEGORY_WEIGHTS,
    NAME_PATTERNS,
    SERVICE_TREE,
    SURNAMES,
    WORKSHOP_CATEGORIES,
    ServiceTemplate,
)
from db.seed_data.places import CITIES, CITY_BY_NAME, CITY_STREETS, COMMON_STREETS, City

log = logging.getLogger(__name__)

DEMO_EMAIL = "demo@minbil.no"
DEMO_PASSWORD = "MinBil-demo-2026"
DEMO_USERNAME = "demo"

DEFAULT_WORKSHOPS = 300
DEFAULT_SEED = 42
CHUNK = 1000  # workshops per round of COPY statements

KEEP_TABLES = frozenset({"enum_booking_statuses", "alembic_version"})
CDN = "https://cdn.minbil.no"
OSLO = ZoneInfo("Europe/Oslo")
EPOCH = datetime(2018, 1, 1, 8, 0, tzinfo=UTC)  # catalogue timestamps lie between this and LATEST
LATEST = datetime(2026, 1, 1, tzinfo=UTC)
ORG_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)

# Progress callback: (stage, done, total)
Progress = Callable[[str, int, int], None]


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


# ---------------------------------------------------------------------------------------------------------
# pure helpers


def org_check_digit(first8: str) -> int | None:
    """The MOD11 check digit of a Norwegian organisation number, or None when no valid one exists."""
    remainder = sum(w * int(d) for w, d in zip(ORG_WEIGHTS, first8, strict=True)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return None if check == 10 else check


def is_valid_org_nr(value: str) -> bool:
    return len(value) == 9 and value.isdigit() and org_check_digit(value[:8]) == int(value[8])


def _new_org_nr(rng: random.Random, taken: set[str]) -> str:
    while True:
        first8 = str(rng.randrange(91_000_000, 100_000_000))
        check = org_check_digit(first8)
        if check is None:
            continue
        org_nr = first8 + str(check)
        if org_nr not in taken:
            taken.add(org_nr)
            return org_nr


@lru_cache(maxsize=65_536)
def ascii_slug(value: str) -> str:
    folded = value.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a").replace("&", "og")
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    out = []
    for ch in folded:
        out.append(ch if ch.isalnum() else "-")
    return "-".join(part for part in "".join(out).split("-") if part)


def _json_list(urls: list[str]) -> str:
    """JSON for a list of plain URLs (no characters that need escaping), without the json module's cost."""
    return "[" + ",".join(f'"{url}"' for url in urls) + "]"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _price(rng: random.Random, template: ServiceTemplate, factor: float) -> Decimal:
    raw = rng.uniform(template.price_min, template.price_max) * factor
    if raw < 10_000:
        value = max(290, round(raw / 100) * 100 - 10)  # 1490, 2990, ...
    else:
        value = round(raw / 1000) * 1000 - 100  # 54 900, ...
    return Decimal(value)


def _hours(rng: random.Random, template: ServiceTemplate) -> float:
    return round(rng.uniform(template.hours_min, template.hours_max) * 4) / 4 or 0.25


# price level by county, relative to the national average
PRICE_FACTOR: dict[str, float] = {
    "Oslo": 1.12,
    "Akershus": 1.07,
    "Rogaland": 1.05,
    "Vestland": 1.03,
    "Trøndelag": 1.0,
    "Buskerud": 1.0,
    "Vestfold": 0.98,
    "Østfold": 0.96,
    "Agder": 0.97,
    "Telemark": 0.95,
    "Innlandet": 0.94,
    "Møre og Romsdal": 0.98,
    "Nordland": 0.99,
    "Troms": 1.02,
    "Finnmark": 1.0,
}

# the first digits of landline numbers by county
PHONE_PREFIX: dict[str, tuple[str, ...]] = {
    "Oslo": ("22", "23", "21"),
    "Akershus": ("67", "63", "64", "66"),
    "Østfold": ("69",),
    "Buskerud": ("32",),
    "Vestfold": ("33",),
    "Telemark": ("35",),
    "Agder": ("37", "38"),
    "Rogaland": ("51", "52"),
    "Vestland": ("55", "56", "57"),
    "Møre og Romsdal": ("70", "71"),
    "Trøndelag": ("72", "73", "74"),
    "Innlandet": ("61", "62"),
    "Nordland": ("75", "76"),
    "Troms": ("77",),
    "Finnmark": ("78",),
}


def _phone(rng: random.Random, county: str) -> str:
    return "+47" + rng.choice(PHONE_PREFIX[county]) + f"{rng.randrange(0, 1_000_000):06d}"


def _mobile(rng: random.Random) -> str:
    return "+47" + rng.choice("49") + f"{rng.randrange(0, 10_000_000):07d}"


# ---------------------------------------------------------------------------------------------------------
# reference data rows


@dataclass
class Reference:
    workshop_category_ids: dict[str, int]
    # per workshop category slug: the leaves under it as (leaf id, root id, leaf slug, templates)
    leaves_by_category: dict[str, list[tuple[int, int, str, tuple[ServiceTemplate, ...]]]]
    workshop_category_rows: list[tuple[Any, ...]]
    service_category_rows: list[tuple[Any, ...]]
    car_brand_rows: list[tuple[Any, ...]]


def build_reference() -> Reference:
    wc_ids: dict[str, int] = {}
    wc_rows: list[tuple[Any, ...]] = []
    for n, category in enumerate(WORKSHOP_CATEGORIES, start=1):
        wc_ids[category.slug] = n
        wc_rows.append((n, category.name, category.slug, category.description, category.icon, n * 10, True, EPOCH))
    sc_rows: list[tuple[Any, ...]] = []
    leaves: dict[str, list[tuple[int, int, str, tuple[ServiceTemplate, ...]]]] = {slug: [] for slug in wc_ids}
    next_id = 1
    for r, root in enumerate(SERVICE_TREE, start=1):
        root_id = next_id
        next_id += 1
        wc_id = wc_ids[root.workshop_category]
        sc_rows.append((root_id, root.name, root.slug, root.description, None, 1, wc_id, r * 10, True, EPOCH))
        for c, leaf in enumerate(root.children, start=1):
            leaf_id = next_id
            next_id += 1
            sc_rows.append((leaf_id, leaf.name, leaf.slug, leaf.description, root_id, 2, wc_id, c * 10, True, EPOCH))
            leaves[root.workshop_category].append((leaf_id, root_id, leaf.slug, leaf.services))
    brand_rows = [
        (n, name, ascii_slug(name), f"{CDN}/brands/{ascii_slug(name)}.png", EPOCH)
        for n, name in enumerate(CAR_BRANDS, start=1)
    ]
    return Reference(wc_ids, leaves, wc_rows, sc_rows, brand_rows)


# ---------------------------------------------------------------------------------------------------------
# workshops

# The first workshops are fixed flagships (in the cities the demo owner uses), so the demo bookings
# always find the services they need: (name, city, main category, other categories).
FLAGSHIPS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("Bilservice Oslo AS", "Oslo", "bilverksted", ("eu-kontroll", "dekkverksted")),
    ("Dekkhotellet Oslo", "Oslo", "dekkverksted", ("bilpleie",)),
    ("Bilglass Oslo", "Oslo", "bilglass", ("karosseri-og-lakk",)),
    ("Oslo Elbilsenter", "Oslo", "elbilverksted", ("dekkverksted", "eu-kontroll")),
    ("Bilservice Bergen AS", "Bergen", "bilverksted", ("eu-kontroll",)),
    ("Mekka Trondheim", "Trondheim", "bilverksted", ("dekkverksted",)),
    ("Dekkhotellet Tromsø", "Tromsø", "dekkverksted", ("bilverksted",)),
)

_CITY_WEIGHTS = [city.weight for city in CITIES]
_MAIN_SLUGS = list(MAIN_CATEGORY_WEIGHTS)
_MAIN_WEIGHTS = [MAIN_CATEGORY_WEIGHTS[s] for s in _MAIN_SLUGS]
_CATEGORY_NOUN = {
    "bilverksted": "bilverksted",
    "dekkverksted": "dekkverksted",
    "karosseri-og-lakk": "karosseriverksted",
    "bilglass": "bilglassverksted",
    "elbilverksted": "elbilverksted",
    "eu-kontroll": "kontrollsenter",
    "bilpleie": "bilpleiesenter",
}


@dataclass
class OfferedService:
    id: int
    title: str
    description: str
    price: Decimal
    hours: float
    leaf_slug: str


@dataclass
class WorkshopBatch:
    """Rows of one chunk of workshops, per table, in COPY column order."""

    workshops: list[tuple[Any, ...]] = field(default_factory=list)
    category_links: list[tuple[Any, ...]] = field(default_factory=list)
    addresses: list[tuple[Any, ...]] = field(default_factory=list)
    contacts: list[tuple[Any, ...]] = field(default_factory=list)
    hours: list[tuple[Any, ...]] = field(default_factory=list)
    services: list[tuple[Any, ...]] = field(default_factory=list)
    service_links: list[tuple[Any, ...]] = field(default_factory=list)


class WorkshopFactory:
    """Makes workshop *i* from its own random stream (`seed`, `i`), keeping ids and org numbers unique."""

    def __init__(self, reference: Reference, seed: int) -> None:
        self.reference = reference
        self.seed = seed
        self.taken: set[str] = set()
        self.next_address_id = 1
        self.next_contact_id = 1
        self.next_hour_id = 1
        self.next_service_id = 1
        # what the demo owner's bookings may use: workshop index -> (org_nr, name, services)
        self.flagships: dict[int, tuple[str, str, list[OfferedService]]] = {}
        # the rating aggregate each workshop got: org_nr -> (average, total)
        self.ratings: dict[str, tuple[float, int]] = {}

    def batches(self, count: int, chunk: int = CHUNK) -> Iterator[tuple[WorkshopBatch, int]]:
        batch = WorkshopBatch()
        for i in range(count):
            self.add(batch, i)
            if len(batch.workshops) >= chunk:
                yield batch, i + 1
                batch = WorkshopBatch()
        if batch.workshops:
            yield batch, count

    def add(self, batch: WorkshopBatch, i: int) -> None:
        rng = random.Random(f"minbil-seed:{self.seed}:workshop:{i}")
        flagship = FLAGSHIPS[i] if i < len(FLAGSHIPS) else None
        if flagship:
            name, city_name, main, extras = flagship
            city = CITY_BY_NAME[city_name]
            categories = [main, *extras]
        else:
            city = rng.choices(CITIES, weights=_CITY_WEIGHTS)[0]
            main = rng.choices(_MAIN_SLUGS, weights=_MAIN_WEIGHTS)[0]
            categories = [main] + [extra for extra in EXTRA_CATEGORIES[main] if rng.random() < 0.3]
        district = rng.choice(city.districts) if city.districts else city.name
        surname = rng.choice(SURNAMES)
        if not flagship:
            name = rng.choice(NAME_PATTERNS[main]).format(city=city.name, surname=surname, district=district)
        org_nr = _new_org_nr(rng, self.taken)

        # where
        latitude, longitude = self._jitter(rng, city)
        street = rng.choice(CITY_STREETS.get(city.name, ()) + COMMON_STREETS)
        number = f"{rng.randrange(1, 140)}{rng.choice('ABCD') if rng.random() < 0.15 else ''}"
        address = f"{street} {number}"
        postal_code = rng.choice(city.postal_codes)

        # who
        domain = ascii_slug(name.removesuffix(" AS")) + ".no"
        phone = _phone(rng, city.county)
        mobile = _mobile(rng) if rng.random() < 0.6 else None
        email = f"post@{domain}"
        homepage = f"https://www.{domain}" if rng.random() < 0.8 else None
        manager_first = rng.choice(FIRST_NAMES)
        manager_last = surname if "{surname}" not in name and rng.random() < 0.5 else rng.choice(SURNAMES)
        manager_email = f"{ascii_slug(manager_first)}.{ascii_slug(manager_last)}@{domain}"

        # how it looks and how it is rated
        years = rng.randrange(3, 45)
        description = " ".join(
            [
                rng.choice(DESCRIPTION_OPENERS).format(
                    name=name, category=_CATEGORY_NOUN[main], city=city.name, district=district, years=years
                ),
                *rng.sample(DESCRIPTION_CLOSERS, rng.randrange(1, 3)),
            ]
        )
        logo = [f"{CDN}/workshops/{org_nr}/logo.png"] if flagship or rng.random() < 0.92 else []
        images = [f"{CDN}/workshops/{org_nr}/{k}.jpg" for k in range(1, rng.randrange(1, 5) + 1)]
        if flagship or rng.random() >= 0.08:
            total_reviews = min(900, int(rng.lognormvariate(3.0, 1.0)) + 1)
            average = round(min(5.0, max(2.6, rng.gauss(4.35, 0.35 + 0.6 / math.sqrt(total_reviews)))), 1)
        else:
            total_reviews, average = 0, 0.0
        self.ratings[org_nr] = (average, total_reviews)
        is_active = bool(flagship) or rng.random() >= 0.01
        created_at = EPOCH + timedelta(days=rng.randrange(0, 2500), seconds=rng.randrange(0, 86_400))
        updated_at = min(LATEST, created_at + timedelta(days=rng.randrange(0, 400), seconds=rng.randrange(0, 86_400)))

        batch.workshops.append(
            (
                org_nr,
                name,
                description,
                phone,
                mobile,
                email,
                homepage,
                _json_list(logo),
                _json_list(images),
                average,
                total_reviews,
                is_active,
                created_at,
                updated_at,
            )
        )
        for slug in categories:
            batch.category_links.append((org_nr, self.reference.workshop_category_ids[slug]))
        batch.addresses.append(
            (self.next_address_id, org_nr, address, postal_code, city.name, city.county, latitude, longitude, True)
        )
        self.next_address_id += 1
        batch.contacts.append(
            (
                self.next_contact_id,
                org_nr,
                manager_email,
                phone,
                mobile or _mobile(rng),
                f"{manager_first} {manager_last}",
            )
        )
        self.next_contact_id += 1
        self._opening_hours(rng, batch, org_nr, main)
        offered = self._services(rng, batch, org_nr, categories, city, full=bool(flagship), created_at=created_at)
        if flagship:
            self.flagships[i] = (org_nr, name, offered)

    @staticmethod
    def _jitter(rng: random.Random, city: City) -> tuple[float, float]:
        spread = city.spread_km / 2
        north = max(-2.5, min(2.5, rng.gauss(0, 1))) * spread
        east = max(-2.5, min(2.5, rng.gauss(0, 1))) * spread
        latitude = city.latitude + north / 111.32
        longitude = city.longitude + east / (111.32 * math.cos(math.radians(city.latitude)))
        return round(latitude, 6), round(longitude, 6)

    def _opening_hours(self, rng: random.Random, batch: WorkshopBatch, org_nr: str, main: str) -> None:
        opens = rng.choice((time(7, 0), time(7, 30), time(8, 0), time(8, 0), time(8, 30)))
        closes = rng.choice((time(15, 30), time(16, 0), time(16, 0), time(16, 30), time(17, 0)))
        late_thursday = rng.random() < 0.3
        short_friday = rng.random() < 0.15
        saturday_share = {"dekkverksted": 0.5, "bilpleie": 0.6, "bilglass": 0.3}.get(main, 0.2)
        saturday = (
            (rng.choice((time(9, 0), time(10, 0))), rng.choice((time(13, 0), time(14, 0), time(15, 0))))
            if rng.random() < saturday_share
            else None
        )
        for weekday in range(7):
            slot: tuple[time, time] | None
            if weekday < 5:
                end = closes
                if weekday == 3 and late_thursday:
                    end = rng.choice((time(18, 0), time(19, 0)))
                elif weekday == 4 and short_friday:
                    end = time(15, 0)
                slot = (opens, end)
            elif weekday == 5:
                slot = saturday
            else:
                slot = None
            batch.hours.append(
                (self.next_hour_id, org_nr, weekday, slot[0] if slot else None, slot[1] if slot else None, slot is None)
            )
            self.next_hour_id += 1

    def _services(
        self,
        rng: random.Random,
        batch: WorkshopBatch,
        org_nr: str,
        categories: Sequence[str],
        city: City,
        *,
        full: bool,
        created_at: datetime,
    ) -> list[OfferedService]:
        factor = PRICE_FACTOR[city.county] * rng.uniform(0.9, 1.1)
        offered: list[OfferedService] = []
        seen_leaves: set[int] = set()
        for slug in categories:
            leaves = self.reference.leaves_by_category[slug]
            chosen = [leaf for leaf in leaves if full or rng.random() < 0.7] or [rng.choice(leaves)]
            for leaf_id, root_id, leaf_slug, templates in chosen:
                if leaf_id in seen_leaves:
                    continue
                seen_leaves.add(leaf_id)
                for t, template in enumerate(templates):
                    if t > 0 and not full and rng.random() >= 0.6:
                        continue
                    service_id = self.next_service_id
                    self.next_service_id += 1
                    price = _price(rng, template, factor)
                    hours = _hours(rng, template)
                    walk_in = rng.random() < template.walk_in
                    images = _json_list([f"{CDN}/services/{leaf_slug}.jpg"] if rng.random() < 0.3 else [])
                    batch.services.append(
                        (
                            service_id,
                            org_nr,
                            template.title,
                            template.description,
                            price,
                            hours,
                            walk_in,
                            images,
                            True,
                            created_at,
                            created_at,
                        )
                    )
                    batch.service_links.append((service_id, leaf_id))
                    batch.service_links.append((service_id, root_id))
                    offered.append(
                        OfferedService(service_id, template.title, template.description, price, hours, leaf_slug)
                    )
        return offered


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
CATALOGUE_TABLES = ("workshops", "workshop_categories", "service_categories", "car_brands")


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


# ---------------------------------------------------------------------------------------------------------
# the demo owner


@dataclass(frozen=True)
class DemoVehicle:
    registration_number: str
    vin: str
    brand: str
    model: str
    color: str
    fuel_type: str
    first_registration: date
    model_year: int
    weights: dict[str, int]
    nickname: str
    is_primary: bool


TESLA = DemoVehicle(
    "EK39085",
    "XP7YGCEL0PB109385",
    "TESLA",
    "MODEL Y",
    "Hvit",
    "Elektrisk",
    date(2023, 3, 14),
    2023,
    {"egenvekt": 1979, "tillattTotalvekt": 2461, "nyttelast": 407},
    "Tesla'n",
    True,
)
GOLF = DemoVehicle(
    "BT57225",
    "WVWZZZAUZFW057225",
    "VOLKSWAGEN",
    "GOLF",
    "Grå",
    "Diesel",
    date(2015, 5, 20),
    2015,
    {"egenvekt": 1320, "tillattTotalvekt": 1840, "nyttelast": 445},
    "Golfen",
    False,
)


def registry_document(v: DemoVehicle, last_eu: date | None, next_eu: date) -> dict[str, Any]:
    """The vehicle as a Statens vegvesen `kjoretoydataListe` document (the offline registry's format)."""
    control: dict[str, Any] = {"kontrollfrist": next_eu.isoformat()}
    if last_eu is not None:
        control["sistGodkjent"] = last_eu.isoformat()
    first = v.first_registration.isoformat()
    return {
        "kjoretoydataListe": [
            {
                "kjoretoyId": {
                    "kjennemerke": f"{v.registration_number[:2]} {v.registration_number[2:]}",
                    "understellsnummer": v.vin,
                },
                "forstegangsregistrering": {"registrertForstegangNorgeDato": first},
                "registrering": {"registreringsstatus": {"kodeVerdi": "REGISTRERT", "kodeBeskrivelse": "Registrert"}},
                "godkjenning": {
                    "forstegangsGodkjenning": {"forstegangRegistrertDato": first},
                    "tekniskGodkjenning": {
                        "kjoretoyklassifisering": {"beskrivelse": "Personbil"},
                        "tekniskeData": {
                            "generelt": {"merke": [{"merke": v.brand}], "handelsbetegnelse": [v.model]},
                            "karosseriOgLasteplan": {"rFarge": [{"kodeNavn": v.color}]},
                            "motorOgDrivverk": {
                                "motor": [{"drivstoff": [{"drivstoffKode": {"kodeNavn": v.fuel_type}}]}]
                            },
                            "vekter": dict(v.weights),
                        },
                    },
                },
                "periodiskKjoretoyKontroll": control,
            }
        ],
        "source": "offline",
    }


@dataclass(frozen=True)
class DemoBooking:
    key: str
    flagship: int  # index into FLAGSHIPS
    leaves: tuple[str, ...]  # one line per leaf; several lines share a group
    vehicle: DemoVehicle
    status: str
    day: int  # days from the seeding day
    hour: int  # local start hour
    rating: float | None = None
    rating_message: str | None = None
    cancellation_reason: str | None = None
    attachments: tuple[dict[str, Any], ...] = ()


DEMO_BOOKINGS: tuple[DemoBooking, ...] = (
    DemoBooking(
        "eu-control",
        0,
        ("eu-kontroll-personbil",),
        GOLF,
        "COMPLETED",
        -120,
        9,
        4.0,
        "Grundig kontroll, og de forklarte godt hva som bør følges opp på bremsene.",
    ),
    DemoBooking(
        "tyre-change",
        1,
        ("dekkskift",),
        TESLA,
        "COMPLETED",
        -40,
        8,
        5.0,
        "Rask og grei dekkskift, bilen var klar før avtalt tid. Anbefales!",
    ),
    DemoBooking(
        "tyre-hotel",
        1,
        ("dekkhotell",),
        GOLF,
        "CANCELLED",
        -20,
        12,
        cancellation_reason="Fikk ikke fri fra jobb den dagen.",
    ),
    DemoBooking("oil-change", 0, ("oljeskift",), GOLF, "COMPLETED", -10, 10),
    DemoBooking(
        "windscreen",
        2,
        ("frontrute",),
        GOLF,
        "DECLINED",
        -5,
        9,
        cancellation_reason="Verkstedet har ikke ruten på lager i uke 1–2.",
    ),
    DemoBooking("battery-test", 3, ("batteritest",), TESLA, "IN_PROGRESS", 0, 8),
    DemoBooking("big-service", 0, ("stor-service", "bremseklosser"), GOLF, "CONFIRMED", 5, 8),
    DemoBooking(
        "stone-chip",
        2,
        ("steinsprut",),
        TESLA,
        "REQUESTED",
        9,
        13,
        attachments=(
            {
                "url": f"{CDN}/bookings/demo/steinsprut.jpg",
                "content_type": "image/jpeg",
                "name": "steinsprut.jpg",
                "size": 184_233,
            },
        ),
    ),
)

# (booking key, sender, text, read, minutes after the thread starts)
DEMO_MESSAGES: tuple[tuple[str, str, str, bool, int], ...] = (
    (
        "tyre-change",
        "workshop",
        "Hei! Bilen er klar for henting. Mønsterdybden er 6 mm foran og 5 mm bak, "
        "så sommerdekkene holder en sesong til.",
        True,
        0,
    ),
    ("tyre-change", "carowner", "Supert, jeg kommer innom ved 15-tiden. Takk!", True, 12),
    ("tyre-hotel", "carowner", "Beklager, jeg må avlyse – fikk ikke fri fra jobb.", True, 0),
    ("tyre-hotel", "workshop", "Ingen problem, du er velkommen til å booke en ny tid når det passer.", True, 45),
    (
        "battery-test",
        "workshop",
        "Vi har startet batteritesten. Foreløpig ser alt fint ut – du får rapporten når vi er ferdige.",
        False,
        0,
    ),
    ("big-service", "carowner", "Hei, kan dere også se på en ulyd fra bremsene foran når jeg bremser lett?", True, 0),
    ("big-service", "workshop", "Hei Kari! Det gjør vi. Vi ringer deg før vi gjør noe ekstraarbeid.", True, 30),
    ("big-service", "workshop", "Husk å ta med servicehefte og reservenøkkel når du leverer bilen.", False, 90),
    ("stone-chip", "carowner", "Steinspruten er på førersiden, ca. 5 mm. Bilde er vedlagt.", False, 0),
)


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO).astimezone(UTC)


async def _seed_demo_owner(
    conn: AsyncConnection, factory: WorkshopFactory, *, seed: int, password_hash: str, today: date
) -> tuple[int, int, int]:
    """The demo owner with vehicles, favourites, bookings, messages and notifications; returns row counts."""
    rng = random.Random(f"minbil-seed:{seed}:demo")
    joined = _local(today - timedelta(days=400), 19, 12)
    owner_id = (
        await conn.execute(
            insert(CarOwner.__table__)
            .values(
                uid=_uuid(rng),
                email=DEMO_EMAIL,
                username=DEMO_USERNAME,
                password_hash=password_hash,
                first_name="Kari",
                last_name="Nordmann",
                phone_number="+4791234567",
                address="Karl Johans gate 22, 0159 Oslo",
                profile_image=f"{CDN}/avatars/demo.png",
                verify_vehicles=True,
                is_active=True,
                created_at=joined,
                updated_at=joined,
            )
            .returning(CarOwner.__table__.c.id)
        )
    ).scalar_one()

    eu_done = today + timedelta(days=DEMO_BOOKINGS[0].day)
    vehicle_ids: dict[str, int] = {}
    for v in (TESLA, GOLF):
        last_eu = eu_done if v is GOLF else None
        next_eu = (
            (eu_done + timedelta(days=730))
            if v is GOLF
            else date(v.first_registration.year + 4, v.first_registration.month, v.first_registration.day)
        )
        found = map_document(
            registry_document(v, last_eu, next_eu), v.registration_number, source="offline", fetched_at=joined
        )
        values = dict(
            registration_number=found.registration_number,
            vin=found.vin,
            brand=found.brand,
            model=found.model,
            color=found.color,
            fuel_type=found.fuel_type,
            vehicle_class=found.vehicle_class,
            first_registration=found.first_registration,
            model_year=found.model_year,
            registration_status=found.registration_status,
            next_eu_control=found.next_eu_control,
            last_eu_control=found.last_eu_control,
            weights=dict(found.weights),
            source=found.source,
            raw=found.raw,
            fetched_at=found.fetched_at,
            created_at=joined,
            updated_at=joined,
        )
        table = Vehicle.__table__
        statement = pg_insert(table).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.registration_number],
            set_={k: statement.excluded[k] for k in values if k not in {"registration_number", "created_at"}},
        ).returning(table.c.id)
        vehicle_ids[v.registration_number] = (await conn.execute(statement)).scalar_one()
        await conn.execute(
            insert(OwnerVehicle.__table__).values(
                owner_id=owner_id,
                vehicle_id=vehicle_ids[v.registration_number],
                nickname=v.nickname,
                image=f"{CDN}/vehicles/demo/{v.registration_number.lower()}.jpg",
                is_primary=v.is_primary,
                created_at=joined,
                updated_at=joined,
            )
        )

    workshops = [factory.flagships[i] for i in sorted(factory.flagships)]
    favourites = [workshops[i][0] for i in (0, 1, 3) if i < len(workshops)]
    for n, org_nr in enumerate(dict.fromkeys(favourites)):
        await conn.execute(
            insert(Favourite.__table__).values(
                owner_id=owner_id, org_nr=org_nr, created_at=joined + timedelta(days=30 + n * 11)
            )
        )

    # bookings: one row per line, lines of one booking share a group id
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    booking_rows: list[dict[str, Any]] = []
    plan_of_row: list[DemoBooking] = []
    for plan in DEMO_BOOKINGS:
        org_nr, _workshop_name, offered = workshops[plan.flagship % len(workshops)]
        group_id = _uuid(rng)
        day = today + timedelta(days=plan.day)
        start = _local(day, plan.hour)
        booked_on = (
            day - timedelta(days=rng.randrange(3, 10)) if plan.day < 0 else today - timedelta(days=rng.randrange(1, 3))
        )
        created = min(_local(booked_on, rng.randrange(8, 22), rng.choice((0, 15, 30, 45))), now - timedelta(hours=2))
        for leaf in plan.leaves:
            service = next((s for s in offered if s.leaf_slug == leaf), offered[0])
            end = start + timedelta(hours=service.hours)
            completed = plan.status == "COMPLETED"
            actual_end = end + timedelta(minutes=15) if completed else None
            rated_at = (
                actual_end + timedelta(hours=20) if completed and plan.rating is not None and actual_end else None
            )
            booking_rows.append(
                dict(
                    group_id=group_id,
                    owner_id=owner_id,
                    workshop_org_nr=org_nr,
                    service_id=service.id,
                    vehicle_id=vehicle_ids[plan.vehicle.registration_number],
                    registration_number=plan.vehicle.registration_number,
                    service_title=service.title,
                    service_description=service.description,
                    service_price=service.price,
                    service_estimated_hours=service.hours,
                    service_start_time=start,
                    service_estimated_end_time=end,
                    service_actual_end_time=actual_end,
                    attachments=list(plan.attachments),
                    status=plan.status,
                    verify_booked=plan.status in {"CONFIRMED", "IN_PROGRESS", "COMPLETED"},
                    verify_canceled=plan.status == "CANCELLED",
                    verify_service_done=completed,
                    cancel_request=False,
                    cancellation_reason=plan.cancellation_reason,
                    service_rating=plan.rating,
                    service_rating_message=plan.rating_message,
                    private_service_rating=False,
                    rated_at=rated_at,
                    messages=[],
                    paid_at=actual_end,
                    created_at=created,
                    updated_at=max(created, rated_at or actual_end or created),
                )
            )
            plan_of_row.append(plan)
            start = end  # the next line of the group follows this one
    ids = (
        (
            await conn.execute(
                insert(Booking.__table__).returning(Booking.__table__.c.id, sort_by_parameter_order=True), booking_rows
            )
        )
        .scalars()
        .all()
    )
    first_line: dict[str, tuple[int, dict[str, Any]]] = {}
    for booking_id, row, plan in zip(ids, booking_rows, plan_of_row, strict=True):
        first_line.setdefault(plan.key, (booking_id, row))

    # message threads
    message_rows: list[dict[str, Any]] = []
    for key, sender, body, read, minutes in DEMO_MESSAGES:
        booking_id, row = first_line[key]
        plan = next(p for p in DEMO_BOOKINGS if p.key == key)
        anchor = (
            row["created_at"] + timedelta(hours=1)
            if plan.status in {"REQUESTED", "CONFIRMED", "CANCELLED"}
            else (row["service_actual_end_time"] or row["service_start_time"] + timedelta(minutes=40))
        )
        at = min(anchor + timedelta(minutes=minutes), now - timedelta(minutes=5))
        message_rows.append(
            dict(
                booking_id=booking_id,
                owner_id=owner_id,
                workshop_org_nr=row["workshop_org_nr"],
                sender_type=sender,
                message_text=body,
                attachments=list(plan.attachments) if sender == "carowner" else [],
                client_message_id=None,
                is_read=read,
                read_at=at + timedelta(minutes=3) if read else None,
                created_at=at,
            )
        )
    message_ids = (
        (
            await conn.execute(
                insert(Message.__table__).returning(Message.__table__.c.id, sort_by_parameter_order=True), message_rows
            )
        )
        .scalars()
        .all()
    )
    unread_message = {
        row["booking_id"]: mid
        for mid, row in zip(message_ids, message_rows, strict=True)
        if row["sender_type"] == "workshop" and not row["is_read"]
    }

    # notifications
    def data_for(key: str, **extra: Any) -> dict[str, Any]:
        booking_id, row = first_line[key]
        name = next(w[1] for w in workshops if w[0] == row["workshop_org_nr"])
        return {
            "booking_id": booking_id,
            "group_id": row["group_id"],
            "workshop_org_nr": row["workshop_org_nr"],
            "workshop_name": name,
            "status": row["status"],
            **extra,
        }

    notes: list[tuple[str, str, str, dict[str, Any], bool, datetime]] = []

    def note(event: str, key: str, title: str, body: str, read: bool, at: datetime, **extra: Any) -> None:
        notes.append((event, title, body, data_for(key, **extra), read, min(at, now - timedelta(minutes=1))))

    def fmt(key: str) -> str:
        start = first_line[key][1]["service_start_time"].astimezone(OSLO)
        return start.strftime("%d.%m.%Y kl. %H:%M")

    def name_of(key: str) -> str:
        return data_for(key)["workshop_name"]

    eu, tyre, oil, declined = (first_line[k][1] for k in ("eu-control", "tyre-change", "oil-change", "windscreen"))
    note(
        "booking.completed",
        "eu-control",
        "EU-kontrollen er godkjent",
        f"{name_of('eu-control')} har fullført EU-kontrollen av BT57225.",
        True,
        eu["service_actual_end_time"],
    )
    note(
        "booking.completed",
        "tyre-change",
        "Bilen din er klar",
        f"{name_of('tyre-change')} er ferdig med dekkskiftet på EK39085.",
        True,
        tyre["service_actual_end_time"],
    )
    note(
        "booking.completed",
        "oil-change",
        "Bilen din er klar",
        f"{name_of('oil-change')} er ferdig med oljeskiftet på BT57225.",
        True,
        oil["service_actual_end_time"],
    )
    note(
        "rating.reminder",
        "oil-change",
        "Hvordan gikk oljeskiftet?",
        f"Gi {name_of('oil-change')} en vurdering – det hjelper andre bileiere.",
        False,
        oil["service_actual_end_time"] + timedelta(days=1),
    )
    note(
        "booking.declined",
        "windscreen",
        "Bookingen ble avslått",
        f"{name_of('windscreen')} kunne ikke ta imot bookingen: {declined['cancellation_reason']}",
        True,
        declined["created_at"] + timedelta(hours=5),
    )
    note(
        "booking.updated",
        "battery-test",
        "Arbeidet er i gang",
        f"{name_of('battery-test')} har startet på batteritesten av EK39085.",
        False,
        first_line["battery-test"][1]["service_start_time"] + timedelta(minutes=10),
    )
    note(
        "booking.accepted",
        "big-service",
        "Bookingen er bekreftet",
        f"{name_of('big-service')} har bekreftet stor service og bremseklosser {fmt('big-service')}.",
        False,
        first_line["big-service"][1]["created_at"] + timedelta(minutes=50),
    )
    note(
        "booking.requested",
        "stone-chip",
        "Forespørselen er sendt",
        f"Vi har sendt forespørselen om steinsprutreparasjon {fmt('stone-chip')} til {name_of('stone-chip')}.",
        True,
        first_line["stone-chip"][1]["created_at"] + timedelta(minutes=1),
    )
    for key in ("battery-test", "big-service"):
        booking_id = first_line[key][0]
        message = next(
            r
            for r in message_rows
            if r["booking_id"] == booking_id and r["sender_type"] == "workshop" and not r["is_read"]
        )
        note(
            "message.new",
            key,
            f"Ny melding fra {name_of(key)}",
            message["message_text"],
            False,
            message["created_at"],
            message_id=unread_message[booking_id],
        )
    notes.sort(key=lambda n: n[5])
    await conn.execute(
        insert(Notification.__table__),
        [
            dict(
                owner_id=owner_id,
                type=event,
                title=title,
                body=body,
                data=data,
                is_read=read,
                read_at=at + timedelta(minutes=20) if read else None,
                created_at=at,
            )
            for event, title, body, data, read, at in notes
        ],
    )

    # fold the demo ratings into the workshops' aggregates
    rated: dict[str, list[float]] = {}
    for row in booking_rows:
        if row["service_rating"] is not None:
            rated.setdefault(row["workshop_org_nr"], []).append(row["service_rating"])
    table = Workshop.__table__
    for org_nr, ratings in sorted(rated.items()):
        average, total = factory.ratings[org_nr]
        new_total = total + len(ratings)
        new_average = round((average * total + sum(ratings)) / new_total, 2)
        await conn.execute(
            update(table).where(table.c.org_nr == org_nr).values(average_rating=new_average, total_reviews=new_total)
        )
    return len(booking_rows), len(message_rows), len(notes)


# ---------------------------------------------------------------------------------------------------------
# entry points


async def _reset(conn: AsyncConnection) -> None:
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables if t.name not in KEEP_TABLES)
    await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


async def _occupied(conn: AsyncConnection) -> list[str]:
    found = []
    for name in CATALOGUE_TABLES:
        if (await conn.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{name}")'))).scalar_one():
            found.append(name)
    owners = CarOwner.__table__
    if (await conn.execute(select(owners.c.id).where(func.lower(owners.c.email) == DEMO_EMAIL))).first():
        found.append(f"car_owners ({DEMO_EMAIL})")
    return found


async def _invalidate_marketplace_cache(services: Any) -> None:
    cache = getattr(services, "marketplace_cache", None)
    if cache is not None and hasattr(cache, "invalidate_all"):
        await cache.invalidate_all()


async def seed(
    services: Any,
    *,
    workshops: int = DEFAULT_WORKSHOPS,
    seed: int = DEFAULT_SEED,
    reset: bool = False,
    progress: Progress | None = None,
) -> SeedSummary:
    """Load the demo data into `services.engine`'s database in one transaction (see the module doc)."""
    if workshops < 1:
        raise ValueError("workshops must be at least 1")
    started = clock.perf_counter()
    report = progress or (lambda stage, done, total: None)
    from app.auth.passwords import hash_password

    password_hash = await hash_password(DEMO_PASSWORD)
    summary = SeedSummary(seed=seed)
    today = datetime.now(OSLO).date()
    async with services.engine.begin() as conn:
        await conn.execute(text("SELECT pg_advisory_xact_lock(7242002)"))
        if reset:
            report("emptying tables", 0, 1)
            await _reset(conn)
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
        await _copy(raw, "workshop_categories", reference.workshop_category_rows)
        await _copy(raw, "service_categories", reference.service_category_rows)
        await _copy(raw, "car_brands", reference.car_brand_rows)
        report("reference data", 1, 1)

        await conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        index_definitions = await _set_aside_indexes(conn)
        skipping_checks = await _skip_foreign_key_triggers_if_allowed(conn)
        factory = WorkshopFactory(reference, seed)
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
        report("demo owner", 0, 1)
        summary.bookings, summary.messages, summary.notifications = await _seed_demo_owner(
            conn, factory, seed=seed, password_hash=password_hash, today=today
        )
        report("demo owner", 1, 1)

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


async def seed_if_empty(services: Any, *, workshops: int = DEFAULT_WORKSHOPS, seed_value: int = DEFAULT_SEED) -> bool:
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
