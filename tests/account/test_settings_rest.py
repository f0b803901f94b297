"""Notification settings over REST: merged defaults, partial updates, structured errors."""

from __future__ import annotations

import httpx

from app.domain.account.notification_settings import DEFAULTS, channel_enabled
from app.services import Services
from tests.account.conftest import EVENTS, PREFERENCES_EXAMPLE
from tests.conftest import SignedIn


async def test_get_returns_defaults_for_the_seven_events(client: httpx.AsyncClient, owner: SignedIn) -> None:
    response = await client.get("/api/co/settings/notifications", headers=owner.headers)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"preferences"}
    assert list(body["preferences"]) == list(EVENTS)
    assert body["preferences"] == DEFAULTS
    assert all(set(channels) == {"email", "push"} for channels in body["preferences"].values())


async def test_put_replays_reference_example(client: httpx.AsyncClient, owner: SignedIn) -> None:
    example = PREFERENCES_EXAMPLE
    response = await client.put("/api/co/settings/notifications", headers=owner.headers, json=example)
    assert response.status_code == 200
    assert response.json()["preferences"] == example


async def test_put_is_partial_and_what_notifications_read(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, services: Services
) -> None:
    change = {"booking.accepted": {"email": False, "push": False}, "message.new": {"email": True}}
    response = await client.put("/api/co/settings/notifications", headers=owner.headers, json=change)
    assert response.status_code == 200
    prefs = response.json()["preferences"]
    assert prefs["booking.accepted"] == {"email": False, "push": False}
    assert prefs["message.new"] == {"email": True, "push": DEFAULTS["message.new"]["push"]}
    assert prefs["booking.requested"] == DEFAULTS["booking.requested"]
    second = await client.put(
        "/api/co/settings/notifications", headers=owner.headers, json={"booking.accepted": {"push": True}}
    )
    assert second.json()["preferences"]["booking.accepted"] == {"email": False, "push": True}
    assert (await client.get("/api/co/settings/notifications", headers=owner.headers)).json()[
        "preferences"
    ] == second.json()["preferences"]
    async with services.sessionmaker() as session:
        assert await channel_enabled(session, owner.owner_id, "booking.accepted", "email") is False
        assert await channel_enabled(session, owner.owner_id, "message.new", "email") is True
        assert await channel_enabled(session, other_owner.owner_id, "booking.accepted", "email") is True
    theirs = (await client.get("/api/co/settings/notifications", headers=other_owner.headers)).json()
    assert theirs["preferences"] == DEFAULTS


async def test_unknown_events_and_channels_are_400_naming_the_field(client: httpx.AsyncClient, owner: SignedIn) -> None:
    response = await client.put(
        "/api/co/settings/notifications",
        headers=owner.headers,
        json={"booking.exploded": {"email": True}, "message.new": {"sms": True, "push": "yes"}},
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "fields", "request_id", "retryable"}
    assert error["code"] == "VALIDATION_ERROR" and error["retryable"] is False
    assert {(f["field"], f["reason"]) for f in error["fields"]} == {
        ("booking.exploded", "unknown_event"),
        ("message.new.sms", "unknown_channel"),
        ("message.new.push", "must_be_boolean"),
    }
    # nothing was stored
    assert (await client.get("/api/co/settings/notifications", headers=owner.headers)).json()["preferences"] == DEFAULTS
    not_object = await client.put("/api/co/settings/notifications", headers=owner.headers, json=["message.new"])
    assert not_object.status_code == 400 and "error" in not_object.json()
    broken = await client.put(
        "/api/co/settings/notifications",
        headers={**owner.headers, "content-type": "application/json"},
        content=b"{nope",
    )
    assert broken.status_code == 400 and "error" in broken.json()


async def test_settings_401_is_the_auth_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/co/settings/notifications")
    assert response.status_code == 401
    body = response.json()
    assert body["type"] == "https://minbil.dev/problems/auth" and body["code"] == "UNAUTHORIZED"
