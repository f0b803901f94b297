"""argon2id password hashing with a fixed dummy hash so unknown accounts cost the same time."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2-cffi defaults: argon2id, t=3, m=64 MiB, p=4 (above the m=19 MiB, t=2, p=1 floor)
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("minbil-dummy-password-for-timing")

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not there is a hash to check against."""
    return await asyncio.to_thread(_verify, password_hash or _DUMMY_HASH, password, password_hash is not None)


def _verify(password_hash: str, password: str, real: bool) -> bool:
    try:
        ok = _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return ok and real


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
