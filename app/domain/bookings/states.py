"""The booking state machine: every status change goes through `require_transition`.

REQUESTED -> CONFIRMED -> IN_PROGRESS -> COMPLETED; REQUESTED -> DECLINED; REQUESTED/CONFIRMED -> CANCELLED.
COMPLETED, DECLINED, CANCELLED and NO_SHOW (inactive) are final.
"""

from __future__ import annotations

from app.errors import Conflict, ValidationFailed

REQUESTED = "REQUESTED"
CONFIRMED = "CONFIRMED"
IN_PROGRESS = "IN_PROGRESS"
COMPLETED = "COMPLETED"
DECLINED = "DECLINED"
CANCELLED = "CANCELLED"
NO_SHOW = "NO_SHOW"

ALL_STATUSES: tuple[str, ...] = (REQUESTED, CONFIRMED, IN_PROGRESS, COMPLETED, DECLINED, CANCELLED, NO_SHOW)

TRANSITIONS: dict[str, frozenset[str]] = {
    REQUESTED: frozenset({CONFIRMED, DECLINED, CANCELLED}),
    CONFIRMED: frozenset({IN_PROGRESS, CANCELLED}),
    IN_PROGRESS: frozenset({COMPLETED}),
    COMPLETED: frozenset(),
    DECLINED: frozenset(),
    CANCELLED: frozenset(),
    NO_SHOW: frozenset(),
}

# statuses that still occupy a slot at the workshop
ACTIVE: frozenset[str] = frozenset({REQUESTED, CONFIRMED, IN_PROGRESS})
FINAL: frozenset[str] = frozenset(s for s, targets in TRANSITIONS.items() if not targets)


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def require_status(value: object, field: str = "status") -> str:
    """A known status code (upper-cased), or a 400 naming the field."""
    if not isinstance(value, str) or value.strip().upper() not in ALL_STATUSES:
        raise ValidationFailed(
            f"Unknown booking status {value!r}; expected one of {', '.join(ALL_STATUSES)}.",
            code="INVALID_STATUS",
            fields={field: "unknown_status"},
        )
    return value.strip().upper()


def require_transition(current: str, target: str, *, booking_id: int | None = None) -> None:
    """Raise a 409 with a clear message when `current -> target` is not allowed."""
    if can_transition(current, target):
        return
    what = f"Booking {booking_id}" if booking_id is not None else "The booking"
    allowed = sorted(TRANSITIONS.get(current, frozenset()))
    hint = f"Allowed from {current}: {', '.join(allowed)}." if allowed else f"{current} is a final status."
    raise Conflict(
        f"{what} cannot change from {current} to {target}.",
        code="INVALID_TRANSITION",
        fields={"status": f"{current}->{target}"},
        hint=hint,
    )
