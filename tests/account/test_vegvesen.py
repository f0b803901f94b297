"""The Statens vegvesen client against its documented format, through httpx.MockTransport."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from redis.asyncio import Redis
from sqlmodel.ext.asyncio.session import AsyncSession

from app.domain.ports import KeyValue
from app.errors import DomainError, NotFound, RateLimited, ServiceUnavailable, ValidationFailed
from app.infra.kv import MemoryKV, RedisKV
from app.infra.vegvesen import OfflineRegistry, VegvesenRegistry, map_document
from app.services import Services
from tests.account.conftest import Handler, RecordingHandler, UseRegistry, found, registry_document
from tests.conftest import AppFactory, SignedIn


def registry(respond: Handler, kv: KeyValue | None = None) -> tuple[VegvesenRegistry, RecordingHandler]:
    handler = RecordingHandler(respond)
    client = VegvesenRegistry(
        api_key="secret-key", base_url="https://svv.test/", kv=kv or MemoryKV(), transport=httpx.MockTransport(handler)
    )
    return client, handler


async def test_success_maps_the_document_and_sends_the_key() -> None:
    client, handler = registry(found)
    vehicle = await client.lookup("BT57225")
    request = handler.requests[0]
    assert request.headers["SVV-Authorization"] == "Apikey secret-key"
    assert request.url.path == "/enkeltoppslag/kjoretoydata"
    assert request.url.params["kjennemerke"] == "BT57225"
    assert vehicle.registration_number == "BT57225"  # "BT 57225" normalised
    assert (vehicle.brand, vehicle.model, vehicle.color, vehicle.fuel_type) == (
        "VOLVO",
        "XC40 RECHARGE",
        "Blå",
        "Elektrisk",
    )
    assert vehicle.vin == "YV1UZA8VCM1234567"
    assert vehicle.first_registration == date(2021, 4, 15) and vehicle.model_year == 2021
    assert vehicle.registration_status == "REGISTRERT"
    assert vehicle.vehicle_class == "Personbil"
    assert vehicle.next_eu_control == date(2025, 4, 15) and vehicle.last_eu_control == date(2023, 4, 2)
    assert vehicle.weights["curb_weight_kg"] == 2188 and vehicle.weights["gross_weight_kg"] == 2650
    assert vehicle.weights["trailer_braked_kg"] == 1800
    assert vehicle.raw["gjenstaendeKvote"] == 48211  # the raw document is kept
    assert vehicle.source == "vegvesen"
    await client.aclose()


async def test_answers_are_cached_so_quota_is_not_spent_twice(redis_url: str) -> None:
    """Two registries on two Redis connections with one prefix behave like two app instances."""
    prefix = f"minbil:test:registry:{uuid.uuid4().hex}:"
    first_redis, second_redis = Redis.from_url(redis_url), Redis.from_url(redis_url)
    client, handler = registry(found, RedisKV(first_redis, prefix=prefix))
    other, other_handler = registry(found, RedisKV(second_redis, prefix=prefix))
    try:
        first = await client.lookup("BT57225")
        second = await client.lookup("BT57225")
        assert len(handler.requests) == 1
        assert second.brand == first.brand and second.fetched_at == first.fetched_at
        assert [key async for key in first_redis.scan_iter(match=prefix + "*")] != []  # stored in Redis
        # another app instance, its own connection, the same store: it finds the answer without a request
        elsewhere = await other.lookup("BT57225")
        assert other_handler.requests == []
        assert (elsewhere.vin, elsewhere.fetched_at) == (first.vin, first.fetched_at)
        # a caller demanding fresher data goes out again
        await client.lookup("BT57225", max_age_s=0)
        assert len(handler.requests) == 2
    finally:
        await client.aclose()
        await other.aclose()
        async for key in first_redis.scan_iter(match=prefix + "*"):
            await first_redis.delete(key)
        await first_redis.aclose()
        await second_redis.aclose()
    await other.aclose()


def _error(status: int, code: str | None = None, headers: dict[str, str] | None = None) -> Handler:
    body = {"feilmelding": code} if code else None
    return lambda request: (
        httpx.Response(status, json=body, headers=headers) if body else httpx.Response(status, headers=headers)
    )


@pytest.mark.parametrize(
    ("respond", "error", "status", "code"),
    [
        (_error(200, "KJENNEMERKE_UKJENT"), NotFound, 404, "VEHICLE_NOT_FOUND"),
        (_error(404, "KJENNEMERKE_UKJENT"), NotFound, 404, "VEHICLE_NOT_FOUND"),
        (lambda r: httpx.Response(200, json={"kjoretoydataListe": []}), NotFound, 404, "VEHICLE_NOT_FOUND"),
        (_error(204), NotFound, 404, "VEHICLE_NOT_FOUND"),
        (_error(400, "KJENNEMERKE_UGYLDIG"), ValidationFailed, 400, "INVALID_REGISTRATION_NUMBER"),
        (_error(403), ServiceUnavailable, 503, "REGISTRY_ACCESS_DENIED"),
        (_error(429, headers={"Retry-After": "120"}), RateLimited, 429, "REGISTRY_QUOTA_EXCEEDED"),
        (_error(503, "TJENESTE_IKKE_TILGJENGELIG"), ServiceUnavailable, 503, "REGISTRY_UNAVAILABLE"),
        (_error(500), ServiceUnavailable, 503, "REGISTRY_UNAVAILABLE"),
        (
            lambda r: httpx.Response(200, content=b"<html>gateway</html>"),
            ServiceUnavailable,
            503,
            "REGISTRY_BAD_RESPONSE",
        ),
        (
            lambda r: httpx.Response(200, json={"kjoretoydataListe": "nope"}),
            ServiceUnavailable,
            503,
            "REGISTRY_BAD_RESPONSE",
        ),
    ],
    ids=[
        "unknown-200",
        "unknown-404",
        "empty-list",
        "no-content",
        "invalid",
        "forbidden-key",
        "quota-429",
        "service-down",
        "server-error",
        "malformed-json",
        "wrong-shape",
    ],
)
async def test_fault_matrix(respond: Handler, error: type[DomainError], status: int, code: str) -> None:
    client, _handler = registry(respond)
    with pytest.raises(error) as caught:
        await client.lookup("BT57225")
    assert caught.value.status == status and caught.value.code == code
    if status == 429:
        assert isinstance(caught.value, RateLimited) and caught.value.retry_after == 120
    await client.aclose()


async def test_timeout_is_503_with_retry_after() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client, _ = registry(slow)
    with pytest.raises(ServiceUnavailable) as caught:
        await client.lookup("BT57225")
    assert caught.value.code == "REGISTRY_TIMEOUT" and caught.value.retry_after
    await client.aclose()


async def test_unknown_plates_are_remembered_briefly() -> None:
    client, handler = registry(_error(200, "KJENNEMERKE_UKJENT"))
    for _ in range(3):
        with pytest.raises(NotFound):
            await client.lookup("ZZ12345")
    assert len(handler.requests) == 1
    await client.aclose()


async def test_registry_faults_over_rest_are_documented_problems(
    client: httpx.AsyncClient, owner: SignedIn, use_registry: UseRegistry
) -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("no route", request=request)

    cases = [
        (_error(200, "KJENNEMERKE_UKJENT"), 404, None),
        (_error(400, "KJENNEMERKE_UGYLDIG"), 400, None),
        (_error(403), 503, "300"),
        (_error(429, headers={"Retry-After": "90"}), 429, "90"),
        (timeout, 503, "5"),
        (lambda r: httpx.Response(200, content=b"{broken"), 503, "30"),
    ]
    for index, (respond, status, retry_after) in enumerate(cases):
        use_registry(respond)
        response = await client.post(
            "/api/co/vehicles", headers=owner.headers, json={"registration_number": f"KK1000{index}"}
        )
        assert response.status_code == status, (index, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["status"] == status and "Traceback" not in response.text
        if retry_after:
            assert response.headers["retry-after"] == retry_after
    assert (await client.get("/api/co/vehicles", headers=owner.headers)).json()["data"] == []


async def test_a_registry_vehicle_is_stored_with_its_source(
    client: httpx.AsyncClient, owner: SignedIn, use_registry: UseRegistry, services: Services
) -> None:
    handler = use_registry()
    response = await client.post("/api/co/vehicles", headers=owner.headers, json={"registration_number": "BT 57225"})
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["source"] == "vegvesen" and data["next_eu_control"] == "2025-04-15"
    assert data["registry_data"]["kjoretoydataListe"][0]["kjoretoyId"]["understellsnummer"] == "YV1UZA8VCM1234567"
    # a second owner adding the same car uses the stored record: no registry call
    from tests.conftest import sign_up_and_in

    other = await sign_up_and_in(client)
    assert (
        await client.post("/api/co/vehicles", headers=other.headers, json={"registration_number": "BT57225"})
    ).status_code == 201
    assert len(handler.requests) == 1


async def test_offline_registry_marks_its_records() -> None:
    vehicle = await OfflineRegistry().lookup("AB12345")
    again = await OfflineRegistry().lookup("AB12345")
    assert vehicle.source == "offline"
    assert (vehicle.brand, vehicle.model, vehicle.vin) == (again.brand, again.model, again.vin)
    assert vehicle.next_eu_control is not None and vehicle.next_eu_control >= date.today()
    assert vehicle.registration_number == "AB12345"


async def test_offline_registry_answers_from_the_stored_document() -> None:
    """Refreshing a stored vehicle without a registry key keeps what we know instead of inventing another car."""
    stored = registry_document("BT57225")
    refreshed = await OfflineRegistry().lookup("BT57225", stored=stored)
    # the stored document's own car (see test_success_maps_the_document_and_sends_the_key), not a derived one
    assert (refreshed.brand, refreshed.model, refreshed.vin) == ("VOLVO", "XC40 RECHARGE", "YV1UZA8VCM1234567")
    assert refreshed.first_registration == date(2021, 4, 15)
    assert refreshed.source == "offline"
    # an unreadable stored document: the car derived from the plate, as without any document
    derived = await OfflineRegistry().lookup("BT57225", stored={"not": "a registry document"})
    plain = await OfflineRegistry().lookup("BT57225")
    assert (derived.brand, derived.model, derived.vin) == (plain.brand, plain.model, plain.vin)
    assert derived.vin != "YV1UZA8VCM1234567" and derived.source == "offline"


async def test_refresh_over_rest_keeps_a_stored_vehicle_in_offline_mode(
    client: httpx.AsyncClient, owner: SignedIn, db_session: AsyncSession
) -> None:
    from sqlalchemy import update
    from sqlmodel import col

    from db.models import Vehicle

    added = await client.post("/api/co/vehicles", json={"registration_number": "AB12345"}, headers=owner.headers)
    assert added.status_code == 201, added.text
    # the stored record came from the real registry earlier (as the demo vehicles do)
    document = registry_document("AB12345")
    await db_session.exec(update(Vehicle).where(col(Vehicle.registration_number) == "AB12345").values(raw=document))
    await db_session.commit()
    expected = map_document(document, "AB12345", source="vegvesen", fetched_at=__import__("datetime").datetime.now())
    refreshed = await client.post("/api/co/vehicles/refresh/AB12345", headers=owner.headers)
    assert refreshed.status_code == 200, refreshed.text
    after = refreshed.json()["data"]
    assert (after["brand"], after["model"], after["vin"]) == (expected.brand, expected.model, expected.vin)


def test_map_document_tolerates_missing_parts() -> None:
    document = {"kjoretoydataListe": [{"kjoretoyId": {"kjennemerke": "CD 12345"}}]}
    from datetime import UTC, datetime

    vehicle = map_document(document, "CD12345", source="vegvesen", fetched_at=datetime.now(UTC))
    assert vehicle.registration_number == "CD12345"
    assert vehicle.brand is None and vehicle.weights == {} and vehicle.next_eu_control is None
    assert registry_document("EK39085")["kjoretoydataListe"][0]["kjoretoyId"]["kjennemerke"] == "EK 39085"


async def test_lookups_work_while_the_cache_is_down() -> None:
    from redis.asyncio import Redis

    from app.infra.kv import RedisKV

    unreachable = Redis.from_url("redis://127.0.0.1:1", socket_connect_timeout=0.2)
    client, handler = registry(found, RedisKV(unreachable, timeout_s=0.3))
    vehicle = await client.lookup("BT57225")
    again = await client.lookup("BT57225")
    assert vehicle.brand == again.brand == "VOLVO"
    assert len(handler.requests) == 2  # nothing could be cached, but nothing failed either
    await client.aclose()
    await unreachable.aclose()


async def test_the_app_uses_the_real_client_only_with_a_key(app_factory: AppFactory) -> None:

    keyed, _ = await app_factory(vegvesen_api_key="svv-key")
    plain, _ = await app_factory()
    assert isinstance(keyed.state.services.registry, VegvesenRegistry)
    assert isinstance(plain.state.services.registry, OfflineRegistry)
