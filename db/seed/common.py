"""What every part of the demo seed shares: where its images live, the local clock, random ids, progress."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import Table
from sqlmodel import SQLModel

from db.models import metadata

CDN = "https://cdn.minbil.no"
OSLO = ZoneInfo("Europe/Oslo")

# Progress callback: (stage, done, total)
Progress = Callable[[str, int, int], None]


def random_uuid(rng: random.Random) -> str:
    """A UUID4 drawn from `rng`, so that seeded rows keep their ids from run to run."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def table(model: type[SQLModel]) -> Table:
    """The Core table of a model, for the multi-row inserts and updates of the seed."""
    name = model.__tablename__
    assert isinstance(name, str)  # a declared name on every model of db.models
    return metadata.tables[name]
