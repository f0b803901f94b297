"""PaymentIntent statuses and the rule that decides whether a reported status replaces the stored one.

Webhooks arrive late, twice and out of order, and our own API calls race with them. Every report
carries a time (the event's `created`, or the moment our call was answered); the stored status keeps
the time of the report it came from. A report wins when it is newer, or equally new and further along.
A final status (succeeded, canceled) is never left again, and reaching one always wins.
"""

from __future__ import annotations

REQUIRES_PAYMENT_METHOD = "requires_payment_method"
REQUIRES_CONFIRMATION = "requires_confirmation"
REQUIRES_ACTION = "requires_action"
PROCESSING = "processing"
REQUIRES_CAPTURE = "requires_capture"
CANCELED = "canceled"
SUCCEEDED = "succeeded"

STATUSES: tuple[str, ...] = (
    REQUIRES_PAYMENT_METHOD,
    REQUIRES_CONFIRMATION,
    REQUIRES_ACTION,
    PROCESSING,
    REQUIRES_CAPTURE,
    CANCELED,
    SUCCEEDED,
)
PRECEDENCE: dict[str, int] = {status: rank for rank, status in enumerate(STATUSES)}
FINAL: frozenset[str] = frozenset({CANCELED, SUCCEEDED})
CONFIRMABLE: frozenset[str] = frozenset({REQUIRES_PAYMENT_METHOD, REQUIRES_CONFIRMATION, REQUIRES_ACTION})


def is_open(status: str) -> bool:
    return status not in FINAL


def should_apply(current: str, current_at: int | None, reported: str, reported_at: int) -> bool:
    """Whether a report of `reported` (made at unix time `reported_at`) replaces `current`."""
    if reported not in PRECEDENCE or current == reported or current in FINAL:
        return False
    if reported in FINAL:
        return True
    if current_at is None or reported_at > current_at:
        return True
    if reported_at == current_at:
        return PRECEDENCE[reported] > PRECEDENCE.get(current, -1)
    return False
