"""The status ordering rule, exhaustively over Stripe's PaymentIntent statuses."""

from __future__ import annotations

import itertools

from app.domain.payments import states


def test_final_statuses_are_never_left() -> None:
    for final, reported in itertools.product(states.FINAL, states.STATUSES):
        for current_at, reported_at in ((100, 50), (100, 100), (100, 200), (None, 1)):
            assert not states.should_apply(final, current_at, reported, reported_at)


def test_reaching_a_final_status_always_wins() -> None:
    for current, final in itertools.product(set(states.STATUSES) - states.FINAL, states.FINAL):
        assert states.should_apply(current, 200, final, 100)  # even when reported earlier


def test_open_statuses_follow_time_then_precedence() -> None:
    open_statuses = [s for s in states.STATUSES if s not in states.FINAL]
    for current, reported in itertools.product(open_statuses, open_statuses):
        if current == reported:
            assert not states.should_apply(current, 100, reported, 200)
            continue
        assert states.should_apply(current, 100, reported, 101)  # newer wins, even going back (a failed payment)
        assert states.should_apply(current, None, reported, 1)
        assert not states.should_apply(current, 100, reported, 99)  # older loses
        same_second = states.should_apply(current, 100, reported, 100)
        assert same_second == (states.PRECEDENCE[reported] > states.PRECEDENCE[current])


def test_unknown_statuses_are_ignored() -> None:
    assert not states.should_apply("requires_payment_method", None, "paid", 1)
    assert states.is_open("processing") and not states.is_open("succeeded") and not states.is_open("canceled")
