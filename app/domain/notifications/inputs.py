"""Lenient input rules of the notification operations, shared by both faces."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.limits import INT_MAX
from app.domain.notifications.commands import MarkNotificationsRead
from app.errors import ValidationFailed

MAX_IDS = 500


def parse_mark_read(ids: Sequence[int] | None) -> MarkNotificationsRead:
    if ids is None:
        raise ValidationFailed("ids is required.", fields={"ids": "required"})
    if len(ids) > MAX_IDS:
        raise ValidationFailed(f"At most {MAX_IDS} ids at once.", fields={"ids": f"at most {MAX_IDS}"})
    if any(isinstance(i, bool) or not isinstance(i, int) or not 0 < i <= INT_MAX for i in ids):
        raise ValidationFailed("ids must be notification ids.", fields={"ids": "invalid"})
    return MarkNotificationsRead(ids=sorted(set(ids)))
