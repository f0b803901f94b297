"""The twelve Profile, Vehicles and Settings operations replayed with the reference's own examples."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from tests.account.conftest import EVENTS, PREFERENCES_EXAMPLE
from tests.conftest import SignedIn

PROFILE_EXAMPLE = {
    "uid": "string_value",
    "email": "owner@minbil.io",
    "username": "string_value",
    "firstName": "string_value",
    "lastName": "string_value",
    "phone_number": "+4799999999",
    "address": "string_value",
    "profileImage": "string_value",
    "verify_vehicles": True,
    "created_at": "string_value",
    "updated_at": "2026-02-12",
}
PROFILE_UPDATE_EXAMPLE = {
    "username": "string_value",
    "first_name": "string_value",
    "last_name": "string_value",
    "phone_number": "+4799999999",
    "address": "string_value",
}
# the reference's examples, with its placeholder image replaced by a link: an image sent as text must be an
# http(s) URL (the placeholder itself is a 400 naming `image`)
IMAGE_URL = "https://cdn.minbil.no/string_value.png"
VEHICLE_CREATE_EXAMPLE = {"registration_number": "BT57225", "nickname": "string_value", "image": IMAGE_URL}
VEHICLE_UPDATE_EXAMPLE = {"nickname": "string_value", "image": IMAGE_URL}
SET_PRIMARY_EXAMPLE = {"registration_number": "BT57225"}
ENVELOPE_META = {"request_id", "generated_at"}
PROBLEM = {"type", "title", "status", "detail", "instance", "code", "message", "where"}


def same_shape(body: Mapping[str, object], example: Mapping[str, object]) -> bool:
    return set(body) == set(example)


async def test_profile_operations(client: httpx.AsyncClient, owner: SignedIn) -> None:
    got = await client.get("/api/co/profile", headers=owner.headers)
    assert got.status_code == 200 and same_shape(got.json(), PROFILE_EXAMPLE)
    assert len(got.json()["updated_at"]) == len("2026-02-12")
    not_modified = await client.get("/api/co/profile", headers={**owner.headers, "If-None-Match": got.headers["etag"]})
    assert not_modified.status_code == 304

    updated = await client.put("/api/co/profile", headers=owner.headers, json=PROFILE_UPDATE_EXAMPLE)
    assert updated.status_code == 200 and same_shape(updated.json(), PROFILE_EXAMPLE)
    body = updated.json()
    assert {k: body[k] for k in ("username", "firstName", "lastName", "phone_number", "address")} == {
        "username": "string_value",
        "firstName": "string_value",
        "lastName": "string_value",
        "phone_number": "+4799999999",
        "address": "string_value",
    }
    no_changes = await client.put("/api/co/profile", headers=owner.headers, json={})
    assert no_changes.status_code == 400 and set(no_changes.json()) >= PROBLEM

    check = await client.get(
        "/api/co/profile/check-username", params={"username": "string_value"}, headers=owner.headers
    )
    assert check.status_code == 200 and set(check.json()) == {"username", "available", "message"}
    assert check.json()["available"] is True  # it is the caller's own name

    none_to_delete = await client.delete("/api/co/profile", headers=owner.headers)
    assert none_to_delete.status_code == 204


async def test_vehicle_operations(client: httpx.AsyncClient, owner: SignedIn) -> None:
    placeholder = await client.post(
        "/api/co/vehicles", headers=owner.headers, json={**VEHICLE_CREATE_EXAMPLE, "image": "string_value"}
    )
    assert placeholder.status_code == 400 and placeholder.json()["errors"] == [{"field": "image", "reason": "invalid"}]
    created = await client.post("/api/co/vehicles", headers=owner.headers, json=VEHICLE_CREATE_EXAMPLE)
    assert created.status_code == 201, created.text
    assert set(created.json()) == {"data", "meta"} and set(created.json()["meta"]) == ENVELOPE_META
    assert created.json()["data"]["image"] == IMAGE_URL
    linked = await client.post("/api/co/vehicles", headers=owner.headers, json=VEHICLE_CREATE_EXAMPLE)
    assert linked.status_code == 200

    listed = await client.get("/api/co/vehicles", headers=owner.headers)
    assert listed.status_code == 200 and set(listed.json()) == {"data", "meta"}
    details = await client.get("/api/co/vehicles", params={"registration_number": "BT57225"}, headers=owner.headers)
    assert details.status_code == 200 and details.json()["data"]["registration_number"] == "BT57225"
    alias = await client.get("/api/co/vehicles", params={"reg": "BT57225"}, headers=owner.headers)
    assert alias.json()["data"]["id"] == details.json()["data"]["id"]

    updated = await client.put("/api/co/vehicles/BT57225", headers=owner.headers, json=VEHICLE_UPDATE_EXAMPLE)
    assert updated.status_code == 200 and set(updated.json()["meta"]) == ENVELOPE_META
    primary = await client.post("/api/co/vehicles/set-primary", headers=owner.headers, json=SET_PRIMARY_EXAMPLE)
    assert primary.status_code == 200 and primary.json()["data"]["is_primary"] is True
    refreshed = await client.post("/api/co/vehicles/refresh/BT57225", headers=owner.headers)
    assert refreshed.status_code == 200 and set(refreshed.json()) == {"data", "meta"}

    unlinked = await client.delete("/api/co/vehicles", params={"reg": "BT57225"}, headers=owner.headers)
    assert unlinked.status_code == 200 and set(unlinked.json()["meta"]) == ENVELOPE_META
    gone = await client.get("/api/co/vehicles", params={"reg": "BT57225"}, headers=owner.headers)
    assert gone.status_code == 403 and set(gone.json()) >= PROBLEM


async def test_settings_operations(client: httpx.AsyncClient, owner: SignedIn) -> None:
    got = await client.get("/api/co/settings/notifications", headers=owner.headers)
    assert got.status_code == 200 and list(got.json()["preferences"]) == list(EVENTS)
    put = await client.put("/api/co/settings/notifications", headers=owner.headers, json=PREFERENCES_EXAMPLE)
    assert put.status_code == 200 and put.json() == {"preferences": PREFERENCES_EXAMPLE}
    bad = await client.put("/api/co/settings/notifications", headers=owner.headers, json={"example_field": {}})
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == [{"field": "example_field", "reason": "unknown_event"}]
