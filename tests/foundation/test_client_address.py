"""The client address the per-IP limits count: `X-Forwarded-For` is believed only from `MINBIL_TRUSTED_PROXIES`.

The app is served by a real uvicorn with the options `minbil serve` uses, and called from loopback.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from app.settings import Settings
from tests.served import serve_in_thread

LIMIT = "3/100000"  # 3 per window; a window long enough not to roll over during a test


@contextmanager
def served(settings: Settings) -> Iterator[httpx.Client]:
    with serve_in_thread(settings) as address, httpx.Client(base_url=f"http://{address}", timeout=30) as client:
        yield client


def _statuses(client: httpx.Client, forwarded: list[str]) -> list[int]:
    """One sign-in attempt per value, each for another address (the per-account limit stays out of the way)."""
    return [
        client.post(
            "/api/co/auth/sign-in",
            json={"email": f"nobody-{uuid.uuid4().hex[:8]}@minbil.io", "password": "WrongPass123!"},
            headers={"X-Forwarded-For": ip},
        ).status_code
        for ip in forwarded
    ]


def test_rotating_forwarded_for_from_loopback_is_still_limited(settings_factory: Callable[..., Settings]) -> None:
    with served(settings_factory(auth_rate_limit=LIMIT)) as client:
        statuses = _statuses(client, [f"203.0.113.{n}" for n in range(1, 16)])
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3:] == [429] * 12  # every further attempt counted against the loopback peer


def test_forwarded_for_from_a_trusted_proxy_is_the_client(settings_factory: Callable[..., Settings]) -> None:
    with served(settings_factory(auth_rate_limit=LIMIT, trusted_proxies=("127.0.0.1",))) as client:
        rotating = _statuses(client, [f"203.0.113.{n}" for n in range(1, 7)])
        same = _statuses(client, ["198.51.100.7"] * 4)
        # a client that prepends its own value: the proxy appends the address it saw, and that one counts
        spoofed = _statuses(client, [f"10.0.0.{n}, 198.51.100.7" for n in range(1, 3)])
    assert rotating == [401] * 6  # six clients, one attempt each
    assert same == [401, 401, 401, 429]
    assert spoofed == [429, 429]
