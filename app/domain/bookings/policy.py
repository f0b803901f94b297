"""What an owner may do to a booking directly, and when a change request is needed instead."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.domain.bookings.states import CONFIRMED, REQUESTED
from db.models import Booking

# less than this before the start, a change goes to the workshop as a request
DIRECT_CHANGE_MIN_NOTICE = timedelta(hours=24)
CHANGEABLE = frozenset({REQUESTED, CONFIRMED})


def is_changeable(booking: Booking, now: datetime) -> bool:
    """Still open to a reschedule or cancellation (directly or as a request)."""
    return booking.status in CHANGEABLE and booking.service_start_time > now


def direct_change_allowed(booking: Booking, now: datetime) -> bool:
    """Only an unconfirmed booking at least 24 h ahead may be changed without asking the workshop."""
    return booking.status == REQUESTED and booking.service_start_time - now >= DIRECT_CHANGE_MIN_NOTICE


def blocked_reason(booking: Booking, now: datetime) -> str:
    if booking.status == CONFIRMED:
        return "The workshop has already confirmed this booking"
    return "The booking starts in less than 24 hours"
