"""The per-request unit of work is closed cleanly when a request fails before or inside its handler."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.conftest import sign_up_and_in
from tests.faults import TcpProxy, loop_errors_during
from tests.realtime.harness import Server


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


async def test_401_and_5xx_answers_of_a_served_app_log_no_failed_cleanup(
    settings_factory: Any, clean_database: str, tmp_path: Path
) -> None:
    """Under uvicorn (its own process and loop), where the failed cleanup used to be logged after 5xx answers too."""
    proxy = await TcpProxy.for_database(clean_database).start()
    server = Server(settings_factory(database_url=proxy.url_through(clean_database)))
    server.stderr_path = tmp_path / "server.log"
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.base_url) as client:
            owner = await sign_up_and_in(client)
            for _ in range(3):
                assert (await client.get("/api/co/profile", headers={"Authorization": "Bearer x"})).status_code == 401
            await proxy.cut()
            for _ in range(3):
                assert (await client.get("/api/co/shops?q=x")).status_code >= 500
                sent = await client.post(
                    "/api/co/messages/send", json={"thread_id": "1", "message": "x"}, headers=owner.headers
                )
                assert sent.status_code >= 500
            await client.get("/health")
    finally:
        server.stop()  # a clean shutdown: whatever the server had to report is in its log now
        await proxy.close()
    log = server.stderr_path.read_text()
    assert "already running" not in log and "never retrieved" not in log, log
