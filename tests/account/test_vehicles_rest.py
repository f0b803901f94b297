"""Vehicles over REST: the six reference operations, primary rules, ownership, uploads, rate limits."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select

from app.services import Services
from db.models import OwnerVehicle, Vehicle
from tests.account.conftest import UseRegistry, png_bytes
from tests.conftest import AppFactory, SignedIn, sign_up_and_in
from tests.image_samples import pixels

ENVELOPE = {"data", "meta"}
VEHICLE_KEYS = {
    "id",
    "registration_number",
    "nickname",
    "image",
    "is_primary",
    "brand",
    "model",
    "color",
    "fuel_type",
    "vehicle_class",
    "vin",
    "first_registration",
    "model_year",
    "registration_status",
    "next_eu_control",
    "last_eu_control",
    "weights",
    "source",
    "fetched_at",
    "linked_at",
    "updated_at",
}


async def add(client: httpx.AsyncClient, who: SignedIn, plate: str, **extra: object) -> httpx.Response:
    return await client.post("/api/co/vehicles", headers=who.headers, json={"registration_number": plate, **extra})


async def test_post_replays_reference_example_201_then_200(client: httpx.AsyncClient, owner: SignedIn) -> None:
    example = {
        "registration_number": "BT57225",
        "nickname": "string_value",
        "image": "https://cdn.minbil.no/string_value.png",
    }
    created = await client.post("/api/co/vehicles", headers=owner.headers, json=example)
    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == ENVELOPE and set(body["meta"]) == {"request_id", "generated_at"}
    vehicle = body["data"]
    assert set(vehicle) == VEHICLE_KEYS | {"registry_data"}
    assert vehicle["registration_number"] == "BT57225" and vehicle["nickname"] == "string_value"
    assert vehicle["is_primary"] is True  # the first vehicle becomes primary
    assert vehicle["source"] == "offline" and vehicle["brand"] and vehicle["vin"]
    assert vehicle["registry_data"]["kjoretoydataListe"][0]["kjoretoyId"]["kjennemerke"] == "BT 57225"

    again = await client.post("/api/co/vehicles", headers=owner.headers, json={"registration_number": "bt 57225"})
    assert again.status_code == 200
    assert again.json()["data"]["id"] == vehicle["id"]


async def test_offline_registry_is_deterministic(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn
) -> None:
    mine = (await add(client, owner, "EK39085")).json()["data"]
    await client.delete("/api/co/vehicles", params={"reg": "EK39085"}, headers=owner.headers)
    theirs = (await add(client, other_owner, "EK 39085")).json()["data"]
    for key in ("brand", "model", "color", "fuel_type", "vin", "first_registration"):
        assert mine[key] == theirs[key]


async def test_list_and_details(client: httpx.AsyncClient, owner: SignedIn) -> None:
    await add(client, owner, "BT57225", nickname="Familiebilen")
    await add(client, owner, "EK39085")
    listed = await client.get("/api/co/vehicles", headers=owner.headers)
    assert listed.status_code == 200
    body = listed.json()
    assert [v["registration_number"] for v in body["data"]] == ["BT57225", "EK39085"]
    assert body["meta"]["count"] == 2
    assert [v["is_primary"] for v in body["data"]] == [True, False]
    assert all(set(v) == VEHICLE_KEYS for v in body["data"])
    for params in ({"registration_number": "BT57225"}, {"reg": "bt57225"}):
        details = await client.get("/api/co/vehicles", params=params, headers=owner.headers)
        assert details.status_code == 200
        assert details.json()["data"]["nickname"] == "Familiebilen"
        assert "registry_data" in details.json()["data"]
    empty = await client.get("/api/co/vehicles", headers=(await sign_up_and_in(client)).headers)
    assert empty.json()["data"] == [] and empty.json()["meta"]["count"] == 0


async def test_invalid_plate_is_400_and_never_reaches_the_registry(
    client: httpx.AsyncClient, owner: SignedIn, use_registry: UseRegistry
) -> None:
    handler = use_registry()
    for plate in ("", "AB-12345-XYZ", "AB#123", "ÅÆØ!"):
        response = await add(client, owner, plate)
        assert response.status_code == 400, plate
        assert response.json()["errors"][0]["field"] == "registration_number"
    missing = await client.post("/api/co/vehicles", headers=owner.headers, json={"nickname": "x"})
    assert missing.status_code == 400
    assert handler.requests == []


async def test_unlink_keeps_the_vehicle_and_passes_primary_on(
    client: httpx.AsyncClient, owner: SignedIn, services: Services
) -> None:
    await add(client, owner, "AA11111")
    await add(client, owner, "BB22222")
    await add(client, owner, "CC33333")
    # the most recently updated remaining vehicle becomes primary
    await client.put("/api/co/vehicles/BB22222", headers=owner.headers, json={"nickname": "Hytta"})
    removed = await client.delete("/api/co/vehicles", params={"reg": "AA11111"}, headers=owner.headers)
    assert removed.status_code == 200
    assert removed.json()["data"]["primary_registration_number"] == "BB22222"
    listed = (await client.get("/api/co/vehicles", headers=owner.headers)).json()["data"]
    assert [(v["registration_number"], v["is_primary"]) for v in listed] == [("BB22222", True), ("CC33333", False)]
    async with services.sessionmaker() as session:
        still = (await session.exec(select(Vehicle).where(col(Vehicle.registration_number) == "AA11111"))).first()
        assert still is not None
    again = await client.delete("/api/co/vehicles", params={"registration_number": "AA11111"}, headers=owner.headers)
    assert again.status_code == 403
    unknown = await client.delete("/api/co/vehicles", params={"reg": "ZZ99999"}, headers=owner.headers)
    assert unknown.status_code == 404
    bare = await client.delete("/api/co/vehicles", headers=owner.headers)
    assert bare.status_code == 400
    # removing a non-primary leaves the primary alone
    await client.delete("/api/co/vehicles", params={"reg": "CC33333"}, headers=owner.headers)
    await client.delete("/api/co/vehicles", params={"reg": "BB22222"}, headers=owner.headers)
    assert (await client.get("/api/co/vehicles", headers=owner.headers)).json()["data"] == []


async def test_set_primary(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn, services: Services
) -> None:
    await add(client, owner, "BT57225")
    await add(client, owner, "EK39085")
    response = await client.post(
        "/api/co/vehicles/set-primary", headers=owner.headers, json={"registration_number": "ek39085"}
    )
    assert response.status_code == 200
    assert response.json()["data"]["is_primary"] is True
    listed = (await client.get("/api/co/vehicles", headers=owner.headers)).json()["data"]
    assert {v["registration_number"]: v["is_primary"] for v in listed} == {"BT57225": False, "EK39085": True}
    async with services.sessionmaker() as session:
        rows = (
            await session.exec(
                select(OwnerVehicle).where(col(OwnerVehicle.owner_id) == owner.owner_id, col(OwnerVehicle.is_primary))
            )
        ).all()
        assert len(rows) == 1
    theirs = await client.post(
        "/api/co/vehicles/set-primary", headers=other_owner.headers, json={"registration_number": "BT57225"}
    )
    assert theirs.status_code == 403
    bad = await client.post("/api/co/vehicles/set-primary", headers=owner.headers, json={})
    assert bad.status_code == 400


async def test_update_nickname_and_image(client: httpx.AsyncClient, owner: SignedIn, services: Services) -> None:
    await add(client, owner, "BT57225")
    renamed = await client.put("/api/co/vehicles/BT57225", headers=owner.headers, json={"nickname": "Blåbil"})
    assert renamed.status_code == 200
    assert renamed.json()["data"]["nickname"] == "Blåbil"
    image = png_bytes(8, 8)
    uploaded = await client.put(
        "/api/co/vehicles/bt57225",
        headers=owner.headers,
        files={"image": ("car.png", image, "image/png")},
        data={"nickname": "Blåbil 2"},
    )
    assert uploaded.status_code == 200, uploaded.text
    data = uploaded.json()["data"]
    assert data["nickname"] == "Blåbil 2"
    url = data["image"].removeprefix(services.settings.public_base_url)
    assert pixels((await client.get(url)).content) == pixels(image)
    stored = Path(services.settings.media_dir) / url.split("/api/co/media/", 1)[1]
    assert stored.is_file()
    replaced = await client.put(
        "/api/co/vehicles/BT57225", headers=owner.headers, files={"file": ("c.png", image, "image/png")}
    )
    assert replaced.status_code == 200
    assert not stored.exists()
    text = await client.put(
        "/api/co/vehicles/BT57225", headers=owner.headers, files={"file": ("c.png", b"hello world!" * 3, "image/png")}
    )
    assert text.status_code == 400
    nothing = await client.put("/api/co/vehicles/BT57225", headers=owner.headers, json={})
    assert nothing.status_code == 400
    too_long = await client.put("/api/co/vehicles/BT57225", headers=owner.headers, json={"nickname": "x" * 61})
    assert too_long.status_code == 400
    assert too_long.json()["errors"] == [{"field": "nickname", "reason": "too_long"}]


async def test_post_with_multipart_photo(client: httpx.AsyncClient, owner: SignedIn, services: Services) -> None:
    image = png_bytes()
    response = await client.post(
        "/api/co/vehicles",
        headers=owner.headers,
        data={"registration_number": "EL12345", "nickname": "Elbilen"},
        files={"image": ("el.png", image, "image/png")},
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["nickname"] == "Elbilen"
    assert pixels((await client.get(data["image"].removeprefix(services.settings.public_base_url))).content) == pixels(
        image
    )


async def test_ownership_between_two_owners(client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn) -> None:
    await add(client, owner, "BT57225", nickname="Annes bil")
    h = other_owner.headers
    assert (await client.get("/api/co/vehicles", params={"reg": "BT57225"}, headers=h)).status_code == 403
    assert (await client.put("/api/co/vehicles/BT57225", headers=h, json={"nickname": "Mine nå"})).status_code == 403
    assert (await client.delete("/api/co/vehicles", params={"reg": "BT57225"}, headers=h)).status_code == 403
    assert (await client.post("/api/co/vehicles/refresh/BT57225", headers=h)).status_code == 403
    assert (
        await client.post("/api/co/vehicles/set-primary", headers=h, json={"registration_number": "BT57225"})
    ).status_code == 403
    assert (await client.get("/api/co/vehicles", headers=h)).json()["data"] == []
    mine = (await client.get("/api/co/vehicles", params={"reg": "BT57225"}, headers=owner.headers)).json()["data"]
    assert mine["nickname"] == "Annes bil" and mine["is_primary"] is True
    # B may link the same car to their own account; A's link is untouched
    theirs = await add(client, other_owner, "BT57225")
    assert theirs.status_code == 201 and theirs.json()["data"]["nickname"] is None
    assert (await client.get("/api/co/vehicles", params={"reg": "BT57225"}, headers=owner.headers)).json()["data"][
        "nickname"
    ] == "Annes bil"


async def test_refresh(client: httpx.AsyncClient, owner: SignedIn, use_registry: UseRegistry) -> None:
    await add(client, owner, "BT57225")  # offline data first
    handler = use_registry()
    refreshed = await client.post("/api/co/vehicles/refresh/BT57225", headers=owner.headers)
    assert refreshed.status_code == 200, refreshed.text
    data = refreshed.json()["data"]
    assert data["source"] == "vegvesen" and data["brand"] == "VOLVO" and data["model"] == "XC40 RECHARGE"
    assert len(handler.requests) == 1
    again = await client.post("/api/co/vehicles/refresh/BT57225", headers=owner.headers)
    assert again.status_code == 200
    assert len(handler.requests) == 1  # a fresh cached answer is reused


async def test_rate_limit_on_add_and_refresh(app_factory: AppFactory) -> None:
    _app, client = await app_factory(vehicle_rate_limit="3/100000")  # a window that does not roll over mid-test
    owner = await sign_up_and_in(client)
    for plate in ("AA10001", "AA10002", "AA10003"):
        assert (await add(client, owner, plate)).status_code == 201
    limited = await add(client, owner, "AA10004")
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["code"] == "RATE_LIMITED"
    refresh = await client.post("/api/co/vehicles/refresh/AA10001", headers=owner.headers)
    assert refresh.status_code == 429
    # another owner has their own budget
    other = await sign_up_and_in(client)
    assert (await add(client, other, "AA10004")).status_code == 201


async def test_vehicles_require_a_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/co/vehicles")).status_code == 401
    assert (await client.post("/api/co/vehicles", json={"registration_number": "BT57225"})).status_code == 401


async def test_bad_photo_on_add_costs_no_registry_lookup(
    client: httpx.AsyncClient, owner: SignedIn, use_registry: UseRegistry
) -> None:
    handler = use_registry()
    response = await client.post(
        "/api/co/vehicles",
        headers=owner.headers,
        data={"registration_number": "BT57225"},
        files={"file": ("car.webp", b"RIFF....not really an image", "image/webp")},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "file", "reason": "unsupported_type"}]
    assert handler.requests == []
    assert (await client.get("/api/co/vehicles", headers=owner.headers)).json()["data"] == []


@pytest.mark.parametrize(
    "image",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x.png",
        "/relative/x.png",
        "http://",
        "https:///no-host.png",
        "ftp://files.example/x.png",
        "https://ok.example/a b.png",
    ],
)
async def test_image_text_must_be_an_http_url(client: httpx.AsyncClient, owner: SignedIn, image: str) -> None:
    await add(client, owner, "BT57225")
    response = await client.put("/api/co/vehicles/BT57225", headers=owner.headers, json={"image": image})
    assert response.status_code == 400, response.text
    assert response.json()["errors"] == [{"field": "image", "reason": "invalid"}]
    added = await add(client, owner, "EK39085", image=image)
    assert added.status_code == 400 and added.json()["errors"] == [{"field": "image", "reason": "invalid"}]
    listed = (await client.get("/api/co/vehicles", headers=owner.headers)).json()["data"]
    assert [v["image"] for v in listed] == [None]


async def test_image_text_http_urls_are_stored(client: httpx.AsyncClient, owner: SignedIn) -> None:
    await add(client, owner, "BT57225")
    for url in ("https://cdn.example.no/cars/bt57225.jpg", "http://cdn.example.no/x.png?size=2"):
        response = await client.put("/api/co/vehicles/BT57225", headers=owner.headers, json={"image": url})
        assert response.status_code == 200 and response.json()["data"]["image"] == url
