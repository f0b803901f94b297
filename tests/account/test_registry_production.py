"""Production without `MINBIL_VEGVESEN_API_KEY`: registry lookups answer 503 REGISTRY_NOT_CONFIGURED (never an
invented vehicle) unless `MINBIL_VEGVESEN_OFFLINE=true` asks for the offline registry; development keeps it."""

from __future__ import annotations

import httpx
from sqlalchemy import text
from strawberry.relay import GlobalID

from app.services import Services
from tests.conftest import AppFactory, SignedIn, sign_up_and_in
from tests.graphql_client import graphql_data

CODE = "REGISTRY_NOT_CONFIGURED"
ADD = """mutation($r: String!) { addVehicle(input: {registrationNumber: $r}) {
  __typename ... on VehicleAdded { created } ... on UnavailableError { code retryAfter } } }"""
REFRESH = """mutation($v: ID!) { refreshVehicle(input: {vehicleId: $v}) {
  __typename ... on VehicleUpdated { vehicle { source } } ... on UnavailableError { code } } }"""


async def _add(client: httpx.AsyncClient, who: SignedIn, plate: str) -> httpx.Response:
    return await client.post("/api/co/vehicles", headers=who.headers, json={"registration_number": plate})


async def _vehicles(services: Services) -> int:
    async with services.engine.connect() as conn:
        return (await conn.execute(text("SELECT count(*) FROM vehicles"))).scalar_one()


async def test_production_without_key_answers_503_in_each_shape(app_factory: AppFactory) -> None:
    app, client = await app_factory(environment="production")
    owner = await sign_up_and_in(client)

    response = await _add(client, owner, "BT57225")
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"].isdigit()
    problem = response.json()
    assert problem["status"] == 503 and problem["code"] == CODE and "not configured" in problem["detail"]

    added = (await graphql_data(client, ADD, {"r": "EK39085"}, owner))["addVehicle"]
    assert added["__typename"] == "UnavailableError" and added["code"] == CODE and added["retryAfter"] > 0
    assert await _vehicles(app.state.services) == 0


async def test_a_known_vehicle_is_not_refreshed_from_an_invented_record(app_factory: AppFactory) -> None:
    _, dev_client = await app_factory(environment="development")
    owner = await sign_up_and_in(dev_client)
    added = await _add(dev_client, owner, "BT57225")
    assert added.status_code == 201
    vehicle_id = str(GlobalID("Vehicle", str(added.json()["data"]["id"])))

    _, client = await app_factory(environment="production")
    refreshed = await client.post("/api/co/vehicles/refresh/BT57225", headers=owner.headers)
    assert refreshed.status_code == 503 and refreshed.json()["code"] == CODE
    assert (await graphql_data(client, REFRESH, {"v": vehicle_id}, owner))["refreshVehicle"] == {
        "__typename": "UnavailableError",
        "code": CODE,
    }
    # what the registry is not needed for still works
    listed = await client.get("/api/co/vehicles", headers=owner.headers)
    assert listed.status_code == 200 and [v["registration_number"] for v in listed.json()["data"]] == ["BT57225"]


async def test_production_offline_flag_uses_the_offline_registry(app_factory: AppFactory) -> None:
    _, client = await app_factory(environment="production", vegvesen_offline=True)
    owner = await sign_up_and_in(client)
    response = await _add(client, owner, "BT57225")
    assert response.status_code == 201, response.text
    assert response.json()["data"]["source"] == "offline"


async def test_development_without_key_uses_the_offline_registry(app_factory: AppFactory) -> None:
    _, client = await app_factory(environment="development")
    owner = await sign_up_and_in(client)
    response = await _add(client, owner, "BT57225")
    assert response.status_code == 201 and response.json()["data"]["source"] == "offline"
