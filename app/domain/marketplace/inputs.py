"""Lenient input rules of the marketplace writes, shared by both faces."""

from __future__ import annotations

from app.domain.marketplace.commands import ChangeFavourite
from app.values import parse_org_nr


def parse_change_favourite(org_nr: object) -> ChangeFavourite:
    """A missing or malformed number is the same 400 (`INVALID_ORG_NR` naming `org_nr`) from both faces."""
    return ChangeFavourite(org_nr=parse_org_nr(org_nr))
