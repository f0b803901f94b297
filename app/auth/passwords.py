"""argon2id password hashing with a fixed dummy hash so unknown accounts cost the same time."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2-cffi defaults: argon2id, t=3, m=64 MiB, p=4 (above the m=19 MiB, t=2, p=1 floor)
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("minbil-dummy-password-for-timing")

FLOOR_TIME_COST = 2
FLOOR_MEMORY_KIB = 19 * 1024
FLOOR_PARALLELISM = 1


def configure_hashing(*, time_cost: int, memory_kib: int, parallelism: int) -> None:
    """Choose the argon2id cost (from settings); never below the floor of m=19 MiB, t=2, p=1."""
    global _hasher, _DUMMY_HASH
    if time_cost < FLOOR_TIME_COST or memory_kib < FLOOR_MEMORY_KIB or parallelism < FLOOR_PARALLELISM:
        raise ValueError("argon2id cost below m=19 MiB, t=2, p=1")
    if (_hasher.time_cost, _hasher.memory_cost, _hasher.parallelism) == (time_cost, memory_kib, parallelism):
        return
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
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
