"""The per-request unit of work is closed cleanly when a request fails before or inside its handler."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import httpx


async def _loop_errors_during(action: Any) -> list[str]:
    """What the event loop reports (e.g. "Task exception was never retrieved") while `action` runs and after."""
    loop = asyncio.get_running_loop()
    reported: list[str] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reported.append(
        f"{context.get('message')}: {context.get('exception')!r}"))
    try:
        await action()
        for _ in range(5):  # abandoned async generators are finalized by tasks the loop schedules on collection
            gc.collect()
            await asyncio.sleep(0.01)
    finally:
        loop.set_exception_handler(previous)
    return reported


async def test_a_401_leaves_no_failed_cleanup_task(client: httpx.AsyncClient) -> None:
    async def unauthorized() -> None:
        for _ in range(3):
            response = await client.get("/api/co/profile", headers={"Authorization": "Bearer not-a-token"})
            assert response.status_code == 401

    assert await _loop_errors_during(unauthorized) == []


async def test_a_structured_401_leaves_no_failed_cleanup_task(client: httpx.AsyncClient) -> None:
    async def unauthorized() -> None:
        for _ in range(3):
            response = await client.get("/api/co/messages/inbox")
            assert response.status_code == 401

    assert await _loop_errors_during(unauthorized) == []
