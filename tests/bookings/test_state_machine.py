"""The booking state machine, exhaustively, and the workshop actions that drive it."""

from __future__ import annotations

import itertools

import pytest

from app.domain.bookings import states
from app.errors import Conflict, ValidationFailed

ALLOWED = {
    ("REQUESTED", "CONFIRMED"),
    ("REQUESTED", "DECLINED"),
    ("REQUESTED", "CANCELLED"),
    ("CONFIRMED", "IN_PROGRESS"),
    ("CONFIRMED", "CANCELLED"),
    ("IN_PROGRESS", "COMPLETED"),
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(states.ALL_STATUSES, repeat=2)))
def test_every_pair_of_statuses(current: str, target: str) -> None:
    assert states.can_transition(current, target) == ((current, target) in ALLOWED)
    if (current, target) in ALLOWED:
        states.require_transition(current, target)
    else:
        with pytest.raises(Conflict) as caught:
            states.require_transition(current, target, booking_id=7)
        assert caught.value.status == 409
        assert f"cannot change from {current} to {target}" in caught.value.message


def test_final_statuses_have_no_way_out() -> None:
    assert {"COMPLETED", "DECLINED", "CANCELLED", "NO_SHOW"} == states.FINAL


@pytest.mark.parametrize("value", ["string_value", "", None, 5, "DONE"])
def test_unknown_status_is_a_400_naming_the_field(value: object) -> None:
    with pytest.raises(ValidationFailed) as caught:
        states.require_status(value)
    assert caught.value.fields == {"status": "unknown_status"}


def test_status_codes_are_case_insensitive() -> None:
    assert states.require_status(" cancelled ") == "CANCELLED"
