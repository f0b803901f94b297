"""Bounds of the numbers the database stores: ids, pages and offsets are compared with PostgreSQL `integer`
columns, so a value outside that range can name nothing and must not reach the driver."""

from __future__ import annotations

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1


def in_db_range(value: int) -> bool:
    return INT_MIN <= value <= INT_MAX
