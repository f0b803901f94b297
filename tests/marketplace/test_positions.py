"""The radius search's positions (`workshop_positions`, kept by triggers) and its pages read in index order."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text

from app.services import Services
from tests import factories as f


async def positions(services: Services) -> dict[str, tuple[float, float]]:
    async with services.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT org_nr, latitude, longitude FROM workshop_positions"))).all()
    return {r.org_nr: (r.latitude, r.longitude) for r in rows}


async def execute(services: Services, sql: str, **params: Any) -> None:
    async with services.engine.begin() as conn:
        await conn.execute(text(sql), params)


async def test_a_workshop_is_placed_at_its_primary_address_through_every_write(services: Services) -> None:
    async with services.sessionmaker() as session:
        workshop = await f.make_workshop(session, latitude=59.91, longitude=10.75)
        await session.commit()
    org_nr = workshop.org_nr
    assert (await positions(services))[org_nr] == (59.91, 10.75)

    await execute(
        services, "UPDATE workshop_addresses SET latitude = 60.39, longitude = 5.32 WHERE org_nr = :o", o=org_nr
    )
    assert (await positions(services))[org_nr] == (60.39, 5.32)

    await execute(  # a second address, not the primary one: the place stays
        services,
        "INSERT INTO workshop_addresses (org_nr, address, postal_code, city, county, latitude, longitude, is_primary) "
        "VALUES (:o, 'Bakgata 1', '7010', 'Trondheim', 'Trøndelag', 63.43, 10.39, false)",
        o=org_nr,
    )
    assert (await positions(services))[org_nr] == (60.39, 5.32)

    await execute(
        services, "UPDATE workshop_addresses SET is_primary = (city = 'Trondheim') WHERE org_nr = :o", o=org_nr
    )
    assert (await positions(services))[org_nr] == (63.43, 10.39)

    await execute(services, "DELETE FROM workshop_addresses WHERE org_nr = :o AND city = 'Trondheim'", o=org_nr)
    assert (await positions(services))[org_nr] == (60.39, 5.32)

    await execute(services, "UPDATE workshops SET is_active = false WHERE org_nr = :o", o=org_nr)
    assert org_nr not in await positions(services)
    await execute(services, "UPDATE workshops SET is_active = true WHERE org_nr = :o", o=org_nr)
    assert (await positions(services))[org_nr] == (60.39, 5.32)

    await execute(services, "UPDATE workshop_addresses SET latitude = NULL WHERE org_nr = :o", o=org_nr)
    assert org_nr not in await positions(services)  # no coordinates: found by everything but a radius

    await execute(services, "DELETE FROM workshops WHERE org_nr = :o", o=org_nr)
    assert await positions(services) == {}


async def nearest_pages(client: httpx.AsyncClient, page_size: int, radius_km: float) -> list[list[str]]:
    pages: list[list[str]] = []
    for page in range(1, 20):
        response = await client.get(
            f"/api/co/shops?lat=59.9139&lng=10.7522&radius_km={radius_km}&sort=distance"
            f"&page={page}&page_size={page_size}"
        )
        assert response.status_code == 200, response.text
        found = [w["org_nr"] for w in response.json()["data"]]
        if not found:
            return pages
        pages.append(found)
    raise AssertionError("more pages than workshops")


async def test_pages_of_the_nearest_hold_every_match_once_in_distance_then_org_nr_order(
    client: httpx.AsyncClient, services: Services
) -> None:
    async with services.sessionmaker() as session:
        # five workshops in one building (equal distances straddle every page boundary), two nearer, one
        # inactive in the same building, and one outside the radius
        near = [await f.make_workshop(session, latitude=59.9140 + i / 10_000, longitude=10.7522) for i in (1, 0)]
        same = [await f.make_workshop(session, latitude=59.9300, longitude=10.7600) for _ in range(5)]
        await f.make_workshop(session, latitude=59.9300, longitude=10.7600, is_active=False)
        await f.make_workshop(session, latitude=60.3913, longitude=5.3221)
        await session.commit()
    expected = [near[1].org_nr, near[0].org_nr, *sorted(w.org_nr for w in same)]

    for page_size in (1, 2, 3, 100):
        pages = await nearest_pages(client, page_size, radius_km=10)
        assert [org_nr for page in pages for org_nr in page] == expected, page_size
        assert all(len(page) == page_size for page in pages[:-1])

    whole = await client.get("/api/co/shops?lat=59.9139&lng=10.7522&radius_km=10&sort=distance&page_size=3")
    body = whole.json()
    assert body["meta"]["total"] == 7
    distances = [w["distance_km"] for w in body["data"]]
    assert distances == sorted(distances) and 0 < distances[0] < 0.1
    assert body["data"][0]["city"] == "Oslo" and body["data"][0]["latitude"] == 59.914

    # a radius too small for a page: the nearest walk passes the circle's edge and stops at the page's end
    small = await client.get("/api/co/shops?lat=59.9139&lng=10.7522&radius_km=0.015&sort=distance&page_size=20")
    assert [w["org_nr"] for w in small.json()["data"]] == [near[1].org_nr]
    assert small.json()["meta"]["total"] == 1
