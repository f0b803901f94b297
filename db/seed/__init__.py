"""Demo data: a Norwegian workshop catalogue and one demo car owner with vehicles, bookings and messages.

`seed()` is deterministic for a given `seed` value: the catalogue (categories, car brands, workshops and
everything hanging off them) is the same rows with the same ids on every run into an empty database, and
workshop *i* is the same whatever the number of workshops asked for. The demo owner's bookings, messages
and notifications are laid out around the day of seeding (in Europe/Oslo time), so that "upcoming" stays
upcoming; their content and order are fixed too.

The parts: `marketplace` (reference rows and the workshop factory, from the data in `marketplace_data` and
`places`), `bulk` (the `COPY` load), `demo_data` and `demo_owner` (the demo account), `run` (entry points).
"""

from db.seed.demo_data import DEMO_EMAIL, DEMO_PASSWORD
from db.seed.run import DEFAULT_SEED, DEFAULT_WORKSHOPS, SeedRefused, SeedSummary, seed, seed_if_empty

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_WORKSHOPS",
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "SeedRefused",
    "SeedSummary",
    "seed",
    "seed_if_empty",
]
