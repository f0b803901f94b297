"""The workshop catalogue of the demo seed: reference rows (categories, car brands) and a workshop factory.

Workshop *i* comes from its own random stream (`seed`, `i`), so it is the same whatever the number of
workshops asked for, and a smaller catalogue is the start of a larger one. Rows are tuples in the column
order of `db.seed.bulk.COLUMNS`, ready for `COPY`.
"""

from __future__ import annotations

import math
import random
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from app.values import org_nr_check_digit
from db.seed.common import CDN
from db.seed.marketplace_data import (
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
from db.seed.places import CITIES, CITY_BY_NAME, CITY_STREETS, COMMON_STREETS, PHONE_PREFIX, PRICE_FACTOR, City

CHUNK = 1000  # workshops per round of COPY statements
EPOCH = datetime(2018, 1, 1, 8, 0, tzinfo=UTC)  # catalogue timestamps lie between this and LATEST
LATEST = datetime(2026, 1, 1, tzinfo=UTC)


def _new_org_nr(rng: random.Random, taken: set[str]) -> str:
    while True:
        first8 = str(rng.randrange(91_000_000, 100_000_000))
        check = org_nr_check_digit(first8)
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


def _price(rng: random.Random, template: ServiceTemplate, factor: float) -> Decimal:
    raw = rng.uniform(template.price_min, template.price_max) * factor
    if raw < 10_000:
        value = max(290, round(raw / 100) * 100 - 10)  # 1490, 2990, ...
    else:
        value = round(raw / 1000) * 1000 - 100  # 54 900, ...
    return Decimal(value)


def _hours(rng: random.Random, template: ServiceTemplate) -> float:
    return round(rng.uniform(template.hours_min, template.hours_max) * 4) / 4 or 0.25


def _phone(rng: random.Random, county: str) -> str:
    return "+47" + rng.choice(PHONE_PREFIX[county]) + f"{rng.randrange(0, 1_000_000):06d}"


def _mobile(rng: random.Random) -> str:
    return "+47" + rng.choice("49") + f"{rng.randrange(0, 10_000_000):07d}"


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
