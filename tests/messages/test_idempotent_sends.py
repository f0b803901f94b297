"""Idempotent sends: a repeated `clientMessageId` (GraphQL) / `client_message_id` (REST) from the same owner
answers the first message and writes nothing (no row, no event, no notification), also under concurrent retries."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select

from app.domain.messages.inputs import parse_send_message
from app.domain.messages.service import send_owner_message
from app.services import Services
from db.models import Booking, Message
from db.repositories import messages as repo
from tests.conftest import SignedIn
from tests.factories import stored_id
from tests.graphql_client import graphql_data
from tests.messages.conftest import PNG_BYTES, booking_for, events_of
from tests.messages.test_messages_rest import MESSAGE_FIELDS

SEND = """
mutation Send($input: SendMessageInput!) {
  sendMessage(input: $input) {
    __typename
    ... on MessageSent { replayed unreadCount sentMessage { id databaseId text clientMessageId threadId } }
    ... on ValidationError { fields { field reason } }
  }
}"""


def booking_gid(booking: Booking) -> str:
    from graphql_api.node import global_id

    return str(global_id("Booking", booking.id))


async def rows_with(services: Services, owner_id: int, client_message_id: str | None = None) -> int:
    async with services.sessionmaker() as session:
        stmt = select(func.count()).select_from(Message).where(col(Message.owner_id) == owner_id)
        if client_message_id is not None:
            stmt = stmt.where(col(Message.client_message_id) == client_message_id)
        return int((await session.exec(stmt)).one())


async def test_graphql_retry_answers_the_first_message_and_writes_nothing(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    payload = {"input": {"bookingId": booking_gid(booking), "text": "Hei", "clientMessageId": "c-1"}}
    first = (await graphql_data(client, SEND, payload, owner))["sendMessage"]
    assert first["__typename"] == "MessageSent" and first["replayed"] is False
    assert first["sentMessage"]["clientMessageId"] == "c-1"
    events_before = len(await events_of(services, owner.owner_id))

    again = (await graphql_data(client, SEND, payload, owner))["sendMessage"]
    assert again["replayed"] is True and again["sentMessage"] == first["sentMessage"]
    other_text = {"input": {**payload["input"], "text": "Noe annet"}}
    third = (await graphql_data(client, SEND, other_text, owner))["sendMessage"]
    assert third["sentMessage"] == first["sentMessage"]  # the first message, not the new body

    assert await rows_with(services, owner.owner_id) == 1
    assert len(await events_of(services, owner.owner_id)) == events_before  # no message, unread or other event
    created = await events_of(services, owner.owner_id, "message.created")
    assert len(created) == 1
    assert created[0].payload["client_message_id"] == "c-1"
    assert created[0].payload["id"] == first["sentMessage"]["databaseId"]


async def test_without_client_id_every_send_creates(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    payload = {"input": {"bookingId": booking_gid(booking), "text": "Hei"}}
    a = (await graphql_data(client, SEND, payload, owner))["sendMessage"]
    b = (await graphql_data(client, SEND, payload, owner))["sendMessage"]
    assert a["sentMessage"]["id"] != b["sentMessage"]["id"] and a["sentMessage"]["clientMessageId"] is None
    assert await rows_with(services, owner.owner_id) == 2
    created = await events_of(services, owner.owner_id, "message.created")
    assert [e.payload["client_message_id"] for e in created] == [None, None]


async def test_client_id_is_per_owner(
    client: httpx.AsyncClient, services: Services, db_session: Any, owner: SignedIn, other_owner: SignedIn
) -> None:
    mine = await booking_for(db_session, owner)
    theirs = await booking_for(db_session, other_owner)
    a = await graphql_data(
        client, SEND, {"input": {"bookingId": booking_gid(mine), "text": "a", "clientMessageId": "x"}}, owner
    )
    b = await graphql_data(
        client, SEND, {"input": {"bookingId": booking_gid(theirs), "text": "b", "clientMessageId": "x"}}, other_owner
    )
    assert a["sendMessage"]["replayed"] is False and b["sendMessage"]["replayed"] is False
    assert a["sendMessage"]["sentMessage"]["id"] != b["sendMessage"]["sentMessage"]["id"]
    # owner-wide: the same id in another of the owner's threads answers the first message
    second = await booking_for(db_session, owner)
    c = await graphql_data(
        client, SEND, {"input": {"bookingId": booking_gid(second), "text": "c", "clientMessageId": "x"}}, owner
    )
    assert c["sendMessage"]["replayed"] is True and c["sendMessage"]["sentMessage"] == a["sendMessage"]["sentMessage"]
    too_long = {"input": {"bookingId": booking_gid(mine), "text": "d", "clientMessageId": "x" * 65}}
    refused = (await graphql_data(client, SEND, too_long, owner))["sendMessage"]
    assert refused == {
        "__typename": "ValidationError",
        "fields": [{"field": "input.clientMessageId", "reason": "invalid"}],
    }


@pytest.mark.parametrize("race_past_the_lookup", [False, True])
async def test_concurrent_retries_create_one_message(
    services: Services, owner: SignedIn, booking: Booking, monkeypatch: pytest.MonkeyPatch, race_past_the_lookup: bool
) -> None:
    if race_past_the_lookup:  # every send misses the first lookup, as when all start before any commits
        lookup = repo.owner_message_by_client_id
        calls: list[int] = []

        async def late_lookup(*args: Any) -> Any:
            calls.append(1)
            return None if len(calls) <= 6 else await lookup(*args)

        monkeypatch.setattr(repo, "owner_message_by_client_id", late_lookup)
    command = parse_send_message(thread_id=stored_id(booking), text="Samtidig", org_nr=None, client_message_id="race")

    async def send() -> Any:
        async with services.uow() as uow:
            return await send_owner_message(uow, owner.owner_id, command)

    results = await asyncio.gather(*(send() for _ in range(6)))
    assert len({r.message.id for r in results}) == 1
    assert sorted(r.replayed for r in results) == [False] + [True] * 5
    assert await rows_with(services, owner.owner_id, "race") == 1
    assert len(await events_of(services, owner.owner_id, "message.created")) == 1
    assert len(await events_of(services, owner.owner_id, "unread.changed")) == 1


async def test_rest_send_with_client_message_id(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    body = {"thread_id": str(booking.id), "message": "Hei", "client_message_id": "r-1"}
    first = await client.post("/api/co/messages/send", json=body, headers=owner.headers)
    assert first.status_code == 201, first.text
    assert set(first.json()) == {"message", "unread_count"} and set(first.json()["message"]) == MESSAGE_FIELDS
    again = await client.post("/api/co/messages/send", json={**body, "message": "Annet"}, headers=owner.headers)
    assert again.status_code == 201 and again.json()["message"] == first.json()["message"]

    form = {"thread_id": str(booking.id), "message": "Med bilde", "client_message_id": "r-2"}
    files = [("files", ("skade.png", PNG_BYTES, "image/png"))]
    m1 = await client.post("/api/co/messages/send", headers=owner.headers, files=files, data=form)
    m2 = await client.post("/api/co/messages/send", headers=owner.headers, files=files, data=form)
    assert m1.status_code == m2.status_code == 201, m1.text
    assert m1.json()["message"]["id"] == m2.json()["message"]["id"]

    assert await rows_with(services, owner.owner_id) == 2
    created = await events_of(services, owner.owner_id, "message.created")
    assert [e.payload["client_message_id"] for e in created] == ["r-1", "r-2"]
    # REST's same-id GraphQL send is the same message: one id space per owner
    graph = (
        await graphql_data(
            client, SEND, {"input": {"bookingId": booking_gid(booking), "text": "x", "clientMessageId": "r-1"}}, owner
        )
    )["sendMessage"]
    assert graph["replayed"] is True and graph["sentMessage"]["databaseId"] == first.json()["message"]["id"]


async def test_rest_send_without_client_id_is_unchanged(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    for blank in (None, ""):
        body: dict[str, Any] = {"thread_id": str(booking.id), "message": "Hei"}
        if blank is not None:
            body["client_message_id"] = blank
        response = await client.post("/api/co/messages/send", json=body, headers=owner.headers)
        assert response.status_code == 201 and set(response.json()["message"]) == MESSAGE_FIELDS
    assert await rows_with(services, owner.owner_id) == 2
