"""The per-request unit of work is closed cleanly when a request fails before or inside its handler."""

from __future__ import annotations

import httpx

from tests.faults import loop_errors_during


async def test_a_401_leaves_no_failed_cleanup_task(client: httpx.AsyncClient) -> None:
    async def unauthorized() -> None:
        for _ in range(3):
            response = await client.get("/api/co/profile", headers={"Authorization": "Bearer not-a-token"})
            assert response.status_code == 401

    assert await loop_errors_during(unauthorized) == []


async def test_a_structured_401_leaves_no_failed_cleanup_task(client: httpx.AsyncClient) -> None:
    async def unauthorized() -> None:
        for _ in range(3):
            response = await client.get("/api/co/messages/inbox")
            assert response.status_code == 401

    assert await loop_errors_during(unauthorized) == []
