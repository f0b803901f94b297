"""`Booking.payment` over GraphQL: the group's payment, loaded in batches (statements do not grow with the list)."""

from __future__ import annotations

import asyncio
from contextlib import AbstractContextManager
from typing import Any

import httpx

from graphql_api.node import global_id
from tests.conftest import SignedIn
from tests.payments.conftest import create_intent, make_group
from tests.statements import foreground, recorded

LIST = "{ bookings(first: 100) { nodes { id groupId payment { paymentId status amount paid } } } }"


def statements(services: Any) -> AbstractContextManager[list[str]]:
    return recorded(services, foreground)


async def _list(client: httpx.AsyncClient, owner: SignedIn) -> list[dict[str, Any]]:
    response = await client.post("/graphql", json={"query": LIST}, headers=owner.headers)
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["bookings"]["nodes"]


async def test_booking_payment_field_is_batched(client: httpx.AsyncClient, owner: SignedIn, services: Any) -> None:
    first = await make_group(services, owner.owner_id, prices=("100.00",))
    paid = (await create_intent(client, owner, group_id=first.group_id)).json()["data"]
    await client.post(f"/api/co/payments/intents/{paid['id']}/confirm", headers=owner.headers)
    unpaid = await make_group(services, owner.owner_id, prices=("200.00", "50.00"))
    await _list(client, owner)  # warm caches (statuses, prepared statements) before counting
    with statements(services) as small:
        nodes = await _list(client, owner)
    by_group = {n["groupId"]: n["payment"] for n in nodes}
    assert by_group[first.group_id] == {"paymentId": paid["id"], "status": "SUCCEEDED", "amount": 10000, "paid": True}
    assert by_group[unpaid.group_id] is None
    for _ in range(4):
        group = await make_group(services, owner.owner_id, prices=("300.00", "10.00"))
        await create_intent(client, owner, group_id=group.group_id)
    with statements(services) as large:
        nodes = await _list(client, owner)
    assert len(nodes) == 2 + 3 + 4 * 3  # every group also has one cancelled line
    assert sum(1 for n in nodes if n["payment"] and n["payment"]["status"] == "REQUIRES_PAYMENT_METHOD") == 4 * 3
    assert len(large) == len(small), "\n".join(large)
    # every group's payment, with its lines, comes from one statement
    [payment_statement] = [s for s in large if "payments" in s.lower()]
    assert "join bookings" in payment_statement.lower(), payment_statement


async def test_booking_by_id_shows_its_payment_only_to_the_owner(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, services: Any
) -> None:
    group = await make_group(services, owner.owner_id, prices=("100.00",))
    created = (await create_intent(client, owner, group_id=group.group_id)).json()["data"]
    query = "query($id: ID!) { booking(id: $id) { id payment { paymentId amount } } }"
    booking_id = str(global_id("Booking", group.booking_ids[0]))
    mine = await client.post("/graphql", json={"query": query, "variables": {"id": booking_id}}, headers=owner.headers)
    assert mine.json()["data"]["booking"]["payment"] == {"paymentId": created["id"], "amount": 10000}
    theirs = await client.post(
        "/graphql", json={"query": query, "variables": {"id": booking_id}}, headers=other_owner.headers
    )
    assert theirs.json()["data"] == {"booking": None}


async def test_a_batch_is_not_split_when_the_session_check_expires_mid_request(
    client: httpx.AsyncClient, owner: SignedIn, services: Any, monkeypatch: Any
) -> None:
    """The session cache may expire between two fields of one answer; the fields after it must not miss the batch."""
    for _ in range(3):
        group = await make_group(services, owner.owner_id, prices=("300.00", "10.00"))
        await create_intent(client, owner, group_id=group.group_id)
    await _list(client, owner)
    checks: list[str] = []
    is_revoked = services.sessions.is_revoked

    async def slow_after_the_first(sid: str) -> bool:
        checks.append(sid)
        if len(checks) > 6:  # as if the cached answer had just expired: the later fields wait on Redis
            await asyncio.sleep(0.05)
        return bool(await is_revoked(sid))

    monkeypatch.setattr(services.sessions, "is_revoked", slow_after_the_first)
    with statements(services) as seen:
        nodes = await _list(client, owner)
    assert sum(1 for n in nodes if n["payment"]) == 3 * 3
    assert len([s for s in seen if "from payments" in s.lower()]) == 1, "\n".join(seen)
    assert len(checks) == 1  # one request, one check of its session
