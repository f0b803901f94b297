"""One plate rule on every route: a plate written with spaces, dashes or lower case names the same vehicle
wherever it is sent (body, query, path, GraphQL argument) and wherever it comes from (the registry)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from app.infra.vegvesen import map_document
from app.values import parse_plate
from tests.conftest import SignedIn

WRITTEN = "ek 39-085"
PLATE = "EK39085"


def test_registry_plate_is_read_by_the_shared_rule() -> None:
    document = {"kjoretoydataListe": [{"kjoretoyId": {"kjennemerke": "EK 39-085"}}]}
    found = map_document(document, PLATE, source="vegvesen", fetched_at=datetime.now(UTC))
    assert found.registration_number == parse_plate(WRITTEN) == PLATE


async def test_a_dashed_plate_names_the_same_vehicle_on_every_route(client: httpx.AsyncClient, owner: SignedIn) -> None:
    h = owner.headers
    added = await client.post("/api/co/vehicles", headers=h, json={"registration_number": WRITTEN})
    assert added.status_code == 201, added.text
    assert added.json()["data"]["registration_number"] == PLATE

    details = await client.get("/api/co/vehicles", params={"registration_number": "EK-39085"}, headers=h)
    assert details.status_code == 200 and details.json()["data"]["registration_number"] == PLATE
    refreshed = await client.post("/api/co/vehicles/refresh/EK-39085", headers=h)
    assert refreshed.status_code == 200, refreshed.text
    renamed = await client.put("/api/co/vehicles/ek-39085", headers=h, json={"nickname": "Blåbil"})
    assert renamed.status_code == 200 and renamed.json()["data"]["nickname"] == "Blåbil"
    primary = await client.post("/api/co/vehicles/set-primary", headers=h, json={"reg": "EK-39085"})
    assert primary.status_code == 200 and primary.json()["data"]["is_primary"] is True

    query = 'mutation { addVehicle(input: {registrationNumber: "ek-39085"}) { ... on VehicleAdded { created } } }'
    answer = await client.post("/graphql", headers=h, json={"query": query})
    assert answer.json()["data"]["addVehicle"] == {"created": False}, answer.text  # the same plate, already linked

    # the service history filters by the same plate rule as the garage
    summary = await client.get(
        "/api/co/service-log/vehicle-history/summary", params={"registration_number": "EK-39085"}, headers=h
    )
    assert summary.status_code == 200, summary.text

    removed = await client.delete("/api/co/vehicles", params={"reg": "EK-39085"}, headers=h)
    assert removed.status_code == 200 and removed.json()["data"]["registration_number"] == PLATE
