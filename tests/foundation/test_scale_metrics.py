"""The figures that matter with several instances, on /metrics: open sockets and subscriptions, the outbox lag,
the relay's throughput, the marketplace cache per operation and the database pool."""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import websockets
from websockets.typing import Subprotocol

from app.metrics import render_metrics
from app.realtime.gauges import ScrapeGauges
from app.services import Services
from db.engine import make_engine
from tests.conftest import AppFactory, sign_up_and_in
from tests.served import free_port, serve_in_thread

WORKSHOPS = "query { workshops(first: 3, sort: {field: NAME}) { totalCount nodes { name } } }"


def sample(text: str, name: str, labels: str = "") -> float | None:
    """The value of one series in an exposition (`labels` as written there, in order), None if absent."""
    selector = re.escape(name) + (r"\{" + re.escape(labels) + r"\}" if labels else "")
    found = re.search(rf"^{selector} (\S+)$", text, re.M)
    return float(found.group(1)) if found else None


async def scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return response.text


async def until(read: Callable[[], Awaitable[Any]], check: Callable[[Any], bool], timeout: float = 20) -> Any:
    """The first value of `read()` that passes `check`, polled (the busy test machine sets no pace)."""
    deadline = time.monotonic() + timeout
    value = await read()
    while not check(value):
        assert time.monotonic() < deadline, f"still {value!r}"
        await asyncio.sleep(0.1)
        value = await read()
    return value


async def test_sockets_and_subscriptions_are_counted_while_open(settings_factory: Any) -> None:
    settings = settings_factory()
    with serve_in_thread(settings) as address:
        async with httpx.AsyncClient(base_url=f"http://{address}", timeout=30) as client:
            owner = await sign_up_and_in(client)

            async def gauges() -> tuple[float | None, float | None]:
                text = await scrape(client)
                return sample(text, "minbil_websocket_connections"), sample(text, "minbil_subscriptions_active")

            sockets_before, subscriptions_before = await gauges()
            assert sockets_before is not None and subscriptions_before is not None
            async with websockets.connect(
                f"ws://{address}/graphql", subprotocols=[Subprotocol("graphql-transport-ws")], open_timeout=30
            ) as ws:
                await ws.send(
                    json.dumps(
                        {"type": "connection_init", "payload": {"authorization": f"Bearer {owner.access_token}"}}
                    )
                )
                assert json.loads(await asyncio.wait_for(ws.recv(), 30))["type"] == "connection_ack"
                assert await until(gauges, lambda g: g[0] == sockets_before + 1)
                query = "subscription { notificationReceived { cursor } }"
                await ws.send(json.dumps({"id": "n", "type": "subscribe", "payload": {"query": query}}))
                await until(gauges, lambda g: g == (sockets_before + 1, subscriptions_before + 1))
                await ws.send(json.dumps({"id": "n", "type": "complete"}))
                await until(gauges, lambda g: g == (sockets_before + 1, subscriptions_before))
                await ws.send(json.dumps({"id": "m", "type": "subscribe", "payload": {"query": query}}))
                await until(gauges, lambda g: g == (sockets_before + 1, subscriptions_before + 1))
            # the client went away with a subscription open: both end
            await until(gauges, lambda g: g == (sockets_before, subscriptions_before))


async def test_outbox_lag_grows_while_the_relay_is_stopped(app_factory: AppFactory) -> None:
    app, client = await app_factory()
    services: Services = app.state.services
    owner = await sign_up_and_in(client)

    def lag(text: str) -> float | None:
        return sample(text, "minbil_outbox_lag_seconds")

    async with services.uow() as uow:
        uow.emit(owner.owner_id, "unread.changed", {"messages": 0, "notifications": 0})
    # the relay is running: the event goes out and nothing waits
    await until(lambda: scrape(client), lambda text: lag(text) == 0.0)
    services.realtime.relay.stop()
    relays = [task for task in asyncio.all_tasks() if task.get_name() == "outbox-relay"]
    await asyncio.wait(relays, timeout=10)
    published = sample(await scrape(client), "minbil_events_published_total")
    async with services.uow() as uow:
        uow.emit(owner.owner_id, "unread.changed", {"messages": 1, "notifications": 0})
    waited = await until(lambda: scrape(client), lambda text: (lag(text) or 0.0) > 0.0)
    first = lag(waited)
    assert first is not None and 0.0 < first < 600
    later = await until(lambda: scrape(client), lambda text: (lag(text) or 0.0) > first)
    assert sample(later, "minbil_events_published_total") == published  # nothing went out meanwhile


async def test_outbox_lag_is_not_a_number_when_the_database_does_not_answer() -> None:
    engine = make_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/postgres", connect_timeout_s=0.5)
    try:
        await ScrapeGauges(engine).refresh()  # a scrape reports it, it does not fail
    finally:
        await engine.dispose()
    assert math.isnan(sample(render_metrics()[0].decode(), "minbil_outbox_lag_seconds") or 0.0)


async def test_cache_hits_and_misses_are_counted_per_operation(app_factory: AppFactory) -> None:
    _, client = await app_factory()

    async def counts(operation: str) -> tuple[float, float]:
        text = await scrape(client)
        hit = sample(text, "minbil_cache_events_total", f'operation="{operation}",result="hit"')
        miss = sample(text, "minbil_cache_events_total", f'operation="{operation}",result="miss"')
        assert hit is not None and miss is not None, operation  # the series exist before the first lookup
        return hit, miss

    hit, miss = await counts("rest_shops")
    path = "/api/co/shops?page_size=5&sort=name"
    assert (await client.get(path)).headers["x-cache"] == "MISS"
    assert await counts("rest_shops") == (hit, miss + 1)
    assert (await client.get(path)).headers["x-cache"] == "HIT"
    assert await counts("rest_shops") == (hit + 1, miss + 1)

    hit, miss = await counts("graphql_workshops")
    response = await client.post("/graphql", json={"query": WORKSHOPS})
    assert response.status_code == 200 and "errors" not in response.json()
    assert await counts("graphql_workshops") == (hit, miss + 1)
    for _ in range(2):  # the second request may be answered whole from the response cache, which reads the field
        assert (await client.post("/graphql", json={"query": WORKSHOPS})).status_code == 200
    after_hit, after_miss = await counts("graphql_workshops")
    assert after_miss == miss + 1 and after_hit >= hit + 1
    response_hit, _ = await counts("graphql_response")
    assert (await client.post("/graphql", json={"query": WORKSHOPS})).status_code == 200
    assert (await counts("graphql_response"))[0] == response_hit + 1


async def test_pool_figures_are_read_at_scrape_time(app_factory: AppFactory) -> None:
    app, client = await app_factory()
    services: Services = app.state.services
    pool: Any = services.engine.pool

    def figures(text: str) -> dict[str, float | None]:
        names = ("checked_out", "size", "overflow", "max_overflow")
        return {name: sample(text, f"minbil_db_pool_{name}") for name in names}

    first = figures(await scrape(client))
    assert first["size"] == pool.size() and first["max_overflow"] == pool._max_overflow
    assert first["checked_out"] is not None and 0 <= first["checked_out"] <= pool.size() + pool._max_overflow
    services.realtime.relay.stop()  # its ticks borrow a connection now and then
    await asyncio.wait([t for t in asyncio.all_tasks() if t.get_name() == "outbox-relay"], timeout=10)
    idle = figures(await until(lambda: scrape(client), lambda text: figures(text)["checked_out"] == 0))
    assert idle["overflow"] == pool.overflow() <= 0
    async with services.engine.connect() as one, services.engine.connect() as two:
        assert one is not two
        held = figures(await scrape(client))
        assert held["checked_out"] == 2 and held["overflow"] == pool.overflow()
    assert figures(await scrape(client))["checked_out"] == 0


async def test_metrics_stay_answered_without_credentials(app_factory: AppFactory) -> None:
    """Access to /metrics is what it was: the route is not behind the API's authentication."""
    _, client = await app_factory()
    response = await client.get("/metrics")
    assert response.status_code == 200 and "minbil_outbox_lag_seconds" in response.text
