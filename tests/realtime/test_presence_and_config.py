"""PUT /presence (with the offline queue), GET /realtime/config, connection limits, token expiry and revocation."""

from __future__ import annotations

import asyncio

import httpx
import jwt
import pytest
import websockets
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.tokens import TokenCodec
from app.settings import Settings
from tests.graphql_client import graphql
from tests.realtime.conftest import StartServer, owner_with_booking
from tests.realtime.harness import (
    BOOKING_SUBSCRIPTION,
    MESSAGE_SUBSCRIPTION,
    UNREAD_SUBSCRIPTION,
    GraphQLSocket,
    Server,
    booking_gid,
    produce_messages,
    sign_up,
)


def bearer(owner: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {owner['access_token']}"}


async def _wait_published(session: AsyncSession, owner_id: int, count: int) -> None:
    for _ in range(200):
        await session.commit()
        done = (
            await (await session.connection()).execute(
                text("SELECT count(*) FROM domain_events WHERE owner_id = :o AND published_at IS NOT NULL"),
                {"o": owner_id},
            )
        ).scalar_one()
        if done >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("events not published")


async def test_events_while_offline_are_queued_and_delivered_on_going_online(
    pair: tuple[Server, Server], session: AsyncSession, rt_settings: Settings
) -> None:
    a, b = pair
    owner = await owner_with_booking(a.base_url, session)
    async with httpx.AsyncClient(base_url=a.base_url) as client:
        response = await client.put("/api/co/presence", headers=bearer(owner), json={"status": "offline"})
        assert response.status_code == 200, response.text
        assert response.json() == {"status": "offline", "queued_delivered": 0}
        ids = await asyncio.to_thread(
            produce_messages, rt_settings, booking_id=owner["booking_id"], count=3, text="mens du var borte"
        )
        await _wait_published(session, owner["owner_id"], 3)

        async with GraphQLSocket(b.ws_url, owner["access_token"]) as socket:
            await socket.subscribe("m", MESSAGE_SUBSCRIPTION)
            await asyncio.sleep(0.3)
            response = await client.put("/api/co/presence", headers=bearer(owner), json={"status": "online"})
            assert response.status_code == 200, response.text
            assert response.json() == {"status": "online", "queued_delivered": 3}
            received = [
                int((await socket.data("m", timeout=10))["messageReceived"]["message"]["databaseId"]) for _ in range(3)
            ]
            assert received == ids
            # while online nothing queues
            live = await asyncio.to_thread(produce_messages, rt_settings, booking_id=owner["booking_id"], count=1)
            assert int((await socket.data("m", timeout=10))["messageReceived"]["message"]["databaseId"]) == live[0]
            response = await client.put("/api/co/presence", headers=bearer(owner), json={"status": "online"})
            assert response.json() == {"status": "online", "queued_delivered": 0}
        response = await client.put("/api/co/presence", headers=bearer(owner), json={"status": "away"})
        assert response.json() == {"status": "away", "queued_delivered": 0}


async def test_presence_rejects_an_unknown_status_and_needs_a_token(pair: tuple[Server, Server]) -> None:
    a = pair[0]
    owner = await sign_up(a.base_url)
    async with httpx.AsyncClient(base_url=a.base_url) as client:
        response = await client.put("/api/co/presence", headers=bearer(owner), json={"status": "busy"})
        assert response.status_code == 400
        body = response.json()
        assert body["status"] == 400 and body["errors"][0]["field"] == "status"
        response = await client.put("/api/co/presence", json={"status": "online"})
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_realtime_config_points_at_the_graphql_socket_with_a_short_lived_token(
    pair: tuple[Server, Server], session: AsyncSession
) -> None:
    a = pair[0]
    owner = await owner_with_booking(a.base_url, session)
    async with httpx.AsyncClient(base_url=a.base_url) as client:
        response = await client.get("/api/co/realtime/config", headers=bearer(owner))
        assert (await client.get("/api/co/realtime/config")).status_code == 401
    assert response.status_code == 200, response.text
    config = response.json()
    assert config["enabled"] is True
    assert config["supabase_url"] == config["graphql_ws_url"] == a.ws_url
    assert config["protocol"] == "graphql-transport-ws"
    assert config["channels"]["owner"] == f"owner:{owner['owner_id']}"
    assert config["channels"]["messages"] == "messageReceived"
    assert 0 < config["expires_in"] <= 900
    # the token opens a subscription for the same owner
    async with GraphQLSocket(config["graphql_ws_url"], config["anon_key"]) as socket:
        await socket.subscribe("u", UNREAD_SUBSCRIPTION)
        assert (await socket.data("u"))["unreadCounts"] == {"messages": 0, "notifications": 0, "total": 0}


async def test_unread_counts_and_booking_updates_are_pushed(
    pair: tuple[Server, Server], session: AsyncSession, rt_settings: Settings
) -> None:
    a, b = pair
    owner = await owner_with_booking(a.base_url, session)
    async with GraphQLSocket(b.ws_url, owner["access_token"]) as socket:
        await socket.subscribe("u", UNREAD_SUBSCRIPTION)
        await socket.subscribe("b", BOOKING_SUBSCRIPTION, {"bookingId": booking_gid(owner["booking_id"])})
        assert (await socket.data("u"))["unreadCounts"]["messages"] == 0
        await asyncio.to_thread(produce_messages, rt_settings, booking_id=owner["booking_id"], count=2)
        counts = (await socket.data("u"))["unreadCounts"]
        if counts["messages"] < 2:
            counts = (await socket.data("u"))["unreadCounts"]
        assert counts == {"messages": 2, "notifications": 0, "total": 2}
        await asyncio.to_thread(
            produce_messages, rt_settings, booking_id=owner["booking_id"], event="booking.updated", status="CONFIRMED"
        )
        update = (await socket.data("b"))["bookingUpdated"]["booking"]
        assert update["bookingId"] == booking_gid(owner["booking_id"]) and update["status"] == "CONFIRMED"


async def test_connections_per_user_are_limited(servers: StartServer, session: AsyncSession) -> None:
    server = await servers(MINBIL_GRAPHQL_MAX_CONNECTIONS_PER_USER="2")
    owner = await sign_up(server.base_url)
    first = await GraphQLSocket(server.ws_url, owner["access_token"]).connect()
    second = await GraphQLSocket(server.ws_url, owner["access_token"]).connect()
    with pytest.raises(websockets.ConnectionClosed) as refused:  # the third is refused at connection_init
        await GraphQLSocket(server.ws_url, owner["access_token"]).connect()
    # 4429 ("back off"), not the 4403 of a bad token
    assert refused.value.rcvd is not None and refused.value.rcvd.code == 4429
    other = await sign_up(server.base_url)
    async with GraphQLSocket(server.ws_url, other["access_token"]):  # another user is not affected
        pass
    await first.close()
    await asyncio.sleep(0.3)
    third = await GraphQLSocket(server.ws_url, owner["access_token"]).connect()  # a slot was freed
    await third.close()
    await second.close()


async def test_an_expired_or_revoked_token_ends_the_subscription(
    servers: StartServer, session: AsyncSession, rt_settings: Settings
) -> None:
    server = await servers(MINBIL_REALTIME_HEARTBEAT_S="0.5")
    owner = await owner_with_booking(server.base_url, session)
    codec = TokenCodec(
        secret=rt_settings.jwt_secret, issuer=rt_settings.jwt_issuer, audience=rt_settings.jwt_audience, ttl_s=2
    )
    sid = jwt.decode(owner["access_token"], options={"verify_signature": False})["sid"]
    short = codec.issue(owner_uid=owner["user"]["uid"], owner_id=owner["owner_id"], session_id=sid, ttl_s=2)
    socket = await GraphQLSocket(server.ws_url, short.token).connect()
    await socket.subscribe("m", MESSAGE_SUBSCRIPTION)
    ended = await socket.next("m", timeout=10)
    # either the subscription answers TOKEN_EXPIRED before the close, or the socket closes first;
    # both ways the close says why
    if ended["type"] == "next":
        assert ended["payload"]["errors"][0]["extensions"]["code"] == "TOKEN_EXPIRED"
    else:
        assert ended == {"type": "closed"}
    assert socket.closed is not None
    closed = await asyncio.wait_for(socket.closed, 10)
    assert closed.code == 4403
    assert closed.reason == "Access token has expired."
    await socket.close()

    # revoked: signing out ends the session; the open socket is closed
    socket = await GraphQLSocket(server.ws_url, owner["access_token"]).connect()
    await socket.subscribe("m", MESSAGE_SUBSCRIPTION)
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        response = await client.post("/api/co/auth/sign-out", headers=bearer(owner))
        assert response.status_code == 200
    assert socket.closed is not None
    closed = await asyncio.wait_for(socket.closed, 10)
    assert closed.code == 4403
    await socket.close()


async def test_realtime_config_and_presence_over_graphql(pair: tuple[Server, Server]) -> None:
    a = pair[0]
    owner = await sign_up(a.base_url)
    async with httpx.AsyncClient(base_url=a.base_url) as client:
        body = await graphql(
            client,
            "{ realtimeConfig { graphqlWsUrl protocol token expiresIn channels { name target } enabled } }",
            headers=bearer(owner),
        )
        config = body["data"]["realtimeConfig"]
        assert config["graphqlWsUrl"] == a.ws_url and config["protocol"] == "GRAPHQL_TRANSPORT_WS"
        channels = {c["name"]: c["target"] for c in config["channels"]}
        assert channels["owner"] == f"owner:{owner['owner_id']}" and config["enabled"] is True
        anonymous = await graphql(client, "{ realtimeConfig { token } }", headers={})
        assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"

        mutation = """mutation($s: PresenceStatus!) { setPresence(input: {status: $s}) {
            __typename ... on Presence { status queuedDelivered } ... on AuthenticationError { code } } }"""
        bad = await graphql(client, mutation, {"s": "BUSY"}, headers=bearer(owner))  # not a member of the enum
        assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT" and bad["data"] is None
        good = (await graphql(client, mutation, {"s": "ONLINE"}, headers=bearer(owner)))["data"]["setPresence"]
        assert good == {"__typename": "Presence", "status": "ONLINE", "queuedDelivered": 0}
        anonymous_set = (await graphql(client, mutation, {"s": "AWAY"}, headers={}))["data"]["setPresence"]
        assert anonymous_set == {"__typename": "AuthenticationError", "code": "UNAUTHORIZED"}


async def test_subscriptions_per_connection_are_limited(
    pair: tuple[Server, Server], session: AsyncSession, rt_settings: Settings
) -> None:
    a = pair[0]
    owner = await owner_with_booking(a.base_url, session)
    limit = rt_settings.graphql_max_subscriptions_per_connection
    async with GraphQLSocket(a.ws_url, owner["access_token"]) as socket:
        for i in range(limit):
            await socket.subscribe(f"s{i}", MESSAGE_SUBSCRIPTION)
        await socket.subscribe("over", MESSAGE_SUBSCRIPTION)
        refused = await socket.next("over")
        assert refused["type"] == "error" and "limit" in refused["payload"][0]["message"].lower()
        assert refused["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
        # the others are still open: each receives the next message
        await asyncio.sleep(0.3)  # the subscriptions are registered before the message is produced
        sent = await asyncio.to_thread(produce_messages, rt_settings, booking_id=owner["booking_id"], count=1)
        for i in range(limit):
            got = await socket.data(f"s{i}", timeout=10)
            assert int(got["messageReceived"]["message"]["databaseId"]) == sent[0], i
