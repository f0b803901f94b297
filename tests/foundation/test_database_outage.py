"""A PostgreSQL outage: 503 with Retry-After in each module's error shape, SERVICE_UNAVAILABLE over GraphQL,
cached marketplace answers still served, /ready 503, nothing acknowledged lost, and recovery afterwards.

The app reaches the shared server through a `TcpProxy`; cutting it is the database going away for that app.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from db.engine import PING_AFTER_IDLE_S, database_unavailable
from graphql_api.node import global_id
from tests.conftest import AppFactory, SignedIn, sign_up_and_in
from tests.factories import make_booking, make_service, make_workshop, stored_id
from tests.faults import TcpProxy, loop_errors_during

SEARCH = "/api/co/shops?q=Bilverksted"
UNCACHED_SEARCH = "/api/co/shops?q=Dekk"
GRAPHQL_SEARCH = 'query { workshops(filter: {q: "Bilverksted"}) { totalCount edges { node { orgNr name } } } }'
GRAPHQL_UNCACHED = 'query { workshops(filter: {q: "Dekk"}) { totalCount } }'
GRAPHQL_SEND = """mutation($id: ID!, $text: String!) {
  sendMessage(input: {bookingId: $id, text: $text}) {
    __typename
    ... on MessageSent { sentMessage { id } }
    ... on UserError { code message }
    ... on UnavailableError { retryAfter }
  }
}"""


@pytest.fixture
async def proxy(clean_database: str) -> AsyncIterator[TcpProxy]:
    proxy = await TcpProxy.for_database(clean_database).start()
    yield proxy
    await proxy.close()


@pytest.fixture
async def outage_app(app_factory: AppFactory, clean_database: str, proxy: TcpProxy) -> tuple[Any, httpx.AsyncClient]:
    return await app_factory(database_url=proxy.url_through(clean_database), database_connect_timeout_s=1.0)


@pytest.fixture
async def booked(outage_app: tuple[Any, httpx.AsyncClient]) -> tuple[httpx.AsyncClient, SignedIn, int]:
    """The outage app's client, a signed-in owner and a booking of theirs (through the proxy, before any cut)."""
    app, client = outage_app
    owner = await sign_up_and_in(client)
    return client, owner, await _booking_of(app, owner)


async def _booking_of(app: Any, owner: SignedIn) -> int:
    async with app.state.services.sessionmaker() as session:
        workshop = await make_workshop(session, name="Bilverksted Oslo")
        service = await make_service(session, workshop)
        booking = await make_booking(session, owner_id=owner.owner_id, workshop=workshop, service=service)
        await session.commit()
        return stored_id(booking)


async def _send(client: httpx.AsyncClient, owner: SignedIn, booking_id: int, text_: str) -> httpx.Response:
    return await client.post(
        "/api/co/messages/send", json={"thread_id": str(booking_id), "message": text_}, headers=owner.headers
    )


async def _graphql(
    client: httpx.AsyncClient, query: str, owner: SignedIn | None = None, **variables: Any
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=owner.headers if owner else {}
    )
    assert response.status_code == 200, response.text
    return response.json()


def _retry_after(response: httpx.Response) -> int:
    assert "retry-after" in response.headers, response.headers
    return int(response.headers["retry-after"])


async def test_database_outage_answers_503_serves_the_cache_and_loses_nothing(
    outage_app: tuple[Any, httpx.AsyncClient], proxy: TcpProxy
) -> None:
    app, client = outage_app
    owner = await sign_up_and_in(client)
    booking_id = await _booking_of(app, owner)
    before = await _send(client, owner, booking_id, "før")
    assert before.status_code == 201, before.text
    for url in (SEARCH, SEARCH):  # the second answer comes from the cache
        warm = await client.get(url)
        assert warm.status_code == 200 and warm.json()["data"]
    assert warm.headers["x-cache"] == "HIT"
    cached_graphql = await _graphql(client, GRAPHQL_SEARCH)
    assert cached_graphql["data"]["workshops"]["totalCount"] == 1

    await proxy.cut()

    async def during_outage() -> None:
        # cached marketplace answers keep being served, to anonymous and signed-in callers
        cached = await client.get(SEARCH)
        assert cached.status_code == 200 and cached.headers["x-cache"] == "HIT"
        assert cached.json()["data"] == warm.json()["data"]
        signed_in = await client.get(SEARCH, headers=owner.headers)
        assert signed_in.status_code == 200 and signed_in.json()["data"]
        assert (await _graphql(client, GRAPHQL_SEARCH)) == cached_graphql

        # a search that is not cached: 503 in the Marketplace Problem shape
        search = await client.get(UNCACHED_SEARCH)
        assert search.status_code == 503, search.text
        assert search.headers["content-type"].startswith("application/problem+json")
        assert _retry_after(search) >= 1
        problem = search.json()
        assert problem["status"] == 503 and problem["code"] == "SERVICE_UNAVAILABLE"
        assert problem["type"] == "https://minbil.dev/problems/unavailable"
        assert problem["title"] == "Service Unavailable" and problem["instance"] == "/api/co/shops"
        assert "Traceback" not in search.text and "asyncpg" not in search.text

        # a message send: 503 in the Messages structured shape, retryable
        send = await _send(client, owner, booking_id, "under")
        assert send.status_code == 503, send.text
        assert send.headers["content-type"].startswith("application/json")
        assert _retry_after(send) >= 1
        error = send.json()["error"]
        assert error["code"] == "SERVICE_UNAVAILABLE" and error["retryable"] is True
        assert error["request_id"] == send.headers["x-request-id"]

        # BookingStatus: the Problem with `where`
        statuses = await client.get("/api/co/booking-statuses")
        assert statuses.status_code == 503, statuses.text
        assert _retry_after(statuses) >= 1
        assert statuses.json()["where"] == {
            "layer": "rest",
            "component": "booking_statuses",
            "step": "service_unavailable",
        }

        # GraphQL: a query answers an error with the code, a mutation its UnavailableError member
        uncached = await _graphql(client, GRAPHQL_UNCACHED)
        assert uncached["data"] is None
        assert uncached["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE", uncached
        assert uncached["errors"][0]["message"] != "Unexpected error."
        sent = (await _graphql(client, GRAPHQL_SEND, owner, id=str(global_id("Booking", booking_id)), text="under"))[
            "data"
        ]["sendMessage"]
        assert sent["__typename"] == "UnavailableError" and sent["code"] == "SERVICE_UNAVAILABLE"
        assert sent["retryAfter"] >= 1

        ready = await client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["postgres"].startswith("error")

    assert await loop_errors_during(during_outage) == []

    await proxy.restore()
    assert (await client.get("/ready")).status_code == 200
    after = await _send(client, owner, booking_id, "etter")
    assert after.status_code == 201, after.text
    assert (await client.get(UNCACHED_SEARCH)).status_code == 200
    # everything acknowledged is stored, and nothing that was refused
    async with app.state.services.engine.connect() as conn:
        texts = (
            (
                await conn.execute(
                    text("SELECT message_text FROM messages WHERE booking_id = :b ORDER BY id"), {"b": booking_id}
                )
            )
            .scalars()
            .all()
        )
    assert texts == ["før", "etter"]
    # and the events of what was acknowledged leave the outbox once the database is back
    for _ in range(100):
        async with app.state.services.engine.connect() as conn:
            waiting = (
                await conn.execute(text("SELECT count(*) FROM domain_events WHERE published_at IS NULL"))
            ).scalar()
        if waiting == 0:
            break
        await asyncio.sleep(0.1)
    assert waiting == 0


async def test_an_unanswering_database_gives_503_after_the_connect_timeout(
    booked: tuple[httpx.AsyncClient, SignedIn, int], proxy: TcpProxy
) -> None:
    client, owner, booking_id = booked
    await proxy.hang()  # connections are accepted and then nothing comes back
    send = await _send(client, owner, booking_id, "under")
    assert send.status_code == 503, send.text
    assert send.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert (await client.get(UNCACHED_SEARCH)).status_code == 503
    assert (await client.get("/ready")).status_code == 503
    await proxy.restore()
    assert (await _send(client, owner, booking_id, "etter")).status_code == 201


async def test_connections_a_restart_dropped_while_idle_are_replaced_unnoticed(
    booked: tuple[httpx.AsyncClient, SignedIn, int], proxy: TcpProxy
) -> None:
    client, owner, booking_id = booked
    assert (await _send(client, owner, booking_id, "før")).status_code == 201
    await proxy.restore()  # a restart: every open connection is dropped, new ones are accepted
    await asyncio.sleep(PING_AFTER_IDLE_S + 0.2)  # a connection idle this long is checked before it is lent
    assert (await _send(client, owner, booking_id, "etter")).status_code == 201
    assert (await client.get("/ready")).status_code == 200


class _ServerError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def test_what_counts_as_the_database_being_unavailable() -> None:
    pool_timeout = sa_exc.TimeoutError("QueuePool limit of size 10 overflow 20 reached")
    dropped = sa_exc.InterfaceError("SELECT 1", {}, Exception("connection is closed"), connection_invalidated=True)
    for error in (
        ConnectionRefusedError(111, "refused"),
        TimeoutError(),
        pool_timeout,
        dropped,
        _ServerError("57P03"),
        _ServerError("53300"),
        _ServerError("08006"),
    ):
        assert database_unavailable(error), error
    wrapped = sa_exc.OperationalError("SELECT 1", {}, _ServerError("57P01"))
    wrapped.__cause__ = wrapped.orig
    assert database_unavailable(wrapped)
    for ordinary in (
        sa_exc.IntegrityError("INSERT", {}, _ServerError("23505")),
        _ServerError("42601"),
        ValueError("x"),
    ):
        assert not database_unavailable(ordinary), ordinary


async def test_a_wrong_statement_is_not_mistaken_for_an_outage(services: Any) -> None:
    async with services.engine.connect() as conn:
        with pytest.raises(sa_exc.ProgrammingError):
            await conn.execute(text("SELECT * FROM no_such_table"))
