"""Per-request values that log lines and error bodies need, carried in context variables."""

from __future__ import annotations

import random
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

MAX_REQUEST_ID_LENGTH = 128

# A request id names a request in logs; it is no secret, so the Mersenne Twister (seeded from os.urandom and
# reseeded in forked children) is random enough, at a third of what uuid.uuid4() costs per request.
_random_bits = random.getrandbits
_VERSION_4 = (0xF000 << 64, 0x4000 << 64)
_RFC_4122_VARIANT = (0xC000 << 48, 0x8000 << 48)


def new_request_id() -> str:
    """A random UUID (version 4) in its usual text form."""
    bits = _random_bits(128) & ~_VERSION_4[0] & ~_RFC_4122_VARIANT[0] | _VERSION_4[1] | _RFC_4122_VARIANT[1]
    text = f"{bits:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def is_acceptable_request_id(value: str) -> bool:
    """A client's `X-Request-ID` is kept when it is printable ASCII of at most 128 characters."""
    return bool(value) and len(value) <= MAX_REQUEST_ID_LENGTH and value.isprintable() and value.isascii()


def accept_request_id(header_value: str | None) -> str:
    """Keep a client's `X-Request-ID` when it is printable ASCII of at most 128 characters, else make one."""
    if header_value and is_acceptable_request_id(header_value):
        return header_value
    return new_request_id()


def current_request_id() -> str:
    value = request_id_var.get()
    if value is None:
        value = new_request_id()
        request_id_var.set(value)
    return value
