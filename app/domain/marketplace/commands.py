"""The typed commands of the marketplace use cases (the owner's favourite workshops)."""

from __future__ import annotations

import msgspec

from app.values import OrgNr


class ChangeFavourite(msgspec.Struct, frozen=True, kw_only=True):
    """Add or remove one workshop among the owner's favourites."""

    org_nr: OrgNr
