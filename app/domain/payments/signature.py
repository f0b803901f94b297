"""Stripe webhook signatures: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]`.

The signed payload is `"{t}.{raw body}"`, HMAC-SHA256 with the endpoint secret. The raw bytes are
checked before anything parses them; the timestamp must be within the tolerance of now (either way).
"""

from __future__ import annotations

import hashlib
import hmac
import time

from app.errors import ValidationFailed

DEFAULT_TOLERANCE_S = 300


class InvalidSignature(ValidationFailed):
    code = "INVALID_SIGNATURE"


def compute_signature(secret: str, timestamp: int, payload: bytes) -> str:
    signed = str(timestamp).encode() + b"." + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign_header(secret: str, payload: bytes, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` value for `payload` (used by the local tools and the tests)."""
    ts = int(time.time()) if timestamp is None else timestamp
    return f"t={ts},v1={compute_signature(secret, ts, payload)}"


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise InvalidSignature(
                    "Stripe-Signature has an invalid timestamp.", fields={"Stripe-Signature": "invalid_timestamp"}
                ) from None
        elif key == "v1" and value:
            signatures.append(value.strip())
    if timestamp is None:
        raise InvalidSignature("Stripe-Signature has no timestamp.", fields={"Stripe-Signature": "missing_timestamp"})
    if not signatures:
        raise InvalidSignature("Stripe-Signature has no v1 signature.", fields={"Stripe-Signature": "missing_v1"})
    return timestamp, signatures


def verify_signature(
    payload: bytes, header: str | None, secret: str, *, tolerance_s: int = DEFAULT_TOLERANCE_S, now: float | None = None
) -> int:
    """Raise `InvalidSignature` unless one v1 signature of `header` signs `payload`; return the timestamp."""
    if not header or not header.strip():
        raise InvalidSignature("Missing Stripe-Signature header.", fields={"Stripe-Signature": "missing"})
    timestamp, signatures = _parse(header)
    expected = compute_signature(secret, timestamp, payload)
    matched = False
    for candidate in signatures:  # compare against every candidate so timing does not reveal which matched
        matched |= hmac.compare_digest(expected.encode(), candidate.encode())
    if not matched:
        raise InvalidSignature("Stripe-Signature does not match the payload.", fields={"Stripe-Signature": "mismatch"})
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_s:
        raise InvalidSignature(
            "Stripe-Signature timestamp is outside the tolerance.", fields={"Stripe-Signature": "expired"}
        )
    return timestamp
