"""Opening hours in Europe/Oslo: the clock the marketplace evaluates `open now` with, and the check itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo

from app.domain.marketplace.cache import HasMarketplaceCache
from app.domain.marketplace.results import OpeningHour

OSLO = ZoneInfo("Europe/Oslo")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def oslo_now(services: HasMarketplaceCache) -> datetime:
    """Now in Europe/Oslo, from the marketplace clock (replaceable in tests)."""
    return services.marketplace_cache.clock().astimezone(OSLO)


def minute_of_week(moment: datetime) -> tuple[int, int]:
    local = moment.astimezone(OSLO)
    return local.weekday(), local.hour * 60 + local.minute


def is_open(hours: Sequence[OpeningHour], moment: datetime) -> bool:
    weekday, minute = minute_of_week(moment)
    now = time(minute // 60, minute % 60)
    previous = (weekday - 1) % 7
    for slot in hours:
        if slot.is_closed or slot.opens_at is None or slot.closes_at is None:
            continue
        overnight = slot.closes_at <= slot.opens_at
        if slot.weekday == weekday and slot.opens_at <= now and (overnight or now < slot.closes_at):
            return True
        if slot.weekday == previous and overnight and now < slot.closes_at:
            return True
    return False
