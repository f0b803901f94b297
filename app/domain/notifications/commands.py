"""The typed commands of the notification use cases."""

from __future__ import annotations

import msgspec


class MarkNotificationsRead(msgspec.Struct, frozen=True, kw_only=True):
    """The owner's notifications among `ids` (distinct, ascending) become read; others' ids are ignored."""

    ids: list[int]
