"""Stripe-Signature verification against vectors computed here and against the stripe package itself."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest
import stripe

from app.domain.payments.signature import InvalidSignature, compute_signature, sign_header, verify_signature

SECRET = "whsec_test_secret_value"
BODY = b'{"id":"evt_1","object":"event","type":"payment_intent.succeeded"}'


def test_known_vector() -> None:
    # HMAC-SHA256 over "<t>.<raw body>" with the endpoint secret, hex encoded
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert compute_signature(SECRET, 1700000000, BODY) == expected
    assert verify_signature(BODY, f"t=1700000000,v1={expected}", SECRET, now=1700000100) == 1700000000


def test_our_header_is_accepted_by_stripe_and_stripes_by_us() -> None:
    now = int(time.time())
    header = sign_header(SECRET, BODY, now)
    assert stripe.WebhookSignature.verify_header(BODY.decode(), header, SECRET, tolerance=300)
    stripe_signature = stripe.WebhookSignature._compute_signature(f"{now}.{BODY.decode()}", SECRET)
    assert verify_signature(BODY, f"t={now},v1={stripe_signature}", SECRET) == now
    event = stripe.Webhook.construct_event(BODY.decode(), header, SECRET)
    assert event.id == "evt_1"


def test_one_matching_signature_among_several_is_enough() -> None:
    now = int(time.time())
    good = compute_signature(SECRET, now, BODY)
    assert verify_signature(BODY, f"t={now},v1={'0' * 64},v0=legacy,v1={good}", SECRET) == now


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing"),
        ("", "missing"),
        ("v1=abc", "missing_timestamp"),
        ("t=notanumber,v1=abc", "invalid_timestamp"),
        ("t=1700000000", "missing_v1"),
        ("t=1700000000,v0=" + "a" * 64, "missing_v1"),
    ],
)
def test_malformed_headers(header: str | None, reason: str) -> None:
    with pytest.raises(InvalidSignature) as caught:
        verify_signature(BODY, header, SECRET, now=1700000000)
    assert caught.value.fields == {"Stripe-Signature": reason}
    assert caught.value.status == 400


def test_tampered_body_wrong_secret_and_wrong_timestamp_fail() -> None:
    now = int(time.time())
    header = sign_header(SECRET, BODY, now)
    for body, secret, head in (
        (BODY + b" ", SECRET, header),
        (BODY, "whsec_other", header),
        (BODY, SECRET, header.replace(f"t={now}", f"t={now + 1}")),
    ):
        with pytest.raises(InvalidSignature) as caught:
            verify_signature(body, head, secret)
        assert caught.value.fields == {"Stripe-Signature": "mismatch"}
        # stripe's own verifier agrees
        with pytest.raises(stripe.SignatureVerificationError):
            stripe.WebhookSignature.verify_header(body.decode(), head, secret, tolerance=300)


def test_tolerance_is_300_seconds_either_way() -> None:
    now = 1_800_000_000
    for offset, ok in ((-300, True), (300, True), (-301, False), (301, False)):
        header = sign_header(SECRET, BODY, now + offset)
        if ok:
            assert verify_signature(BODY, header, SECRET, now=now) == now + offset
        else:
            with pytest.raises(InvalidSignature) as caught:
                verify_signature(BODY, header, SECRET, now=now)
            assert caught.value.fields == {"Stripe-Signature": "expired"}
