"""Filter semantics of the workshop search, and bad input."""

from __future__ import annotations

import httpx
import pytest

from app.services import Services
from tests.marketplace.conftest import Catalogue, at_oslo_time


def names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    return [w["name"] for w in (data["results"] if isinstance(data, dict) else data)]


async def test_distance_ordering_and_radius(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    response = await client.get("/api/co/shops?lat=59.9139&lng=10.7522&radius_km=40")
    assert names(response) == [
        "Oslo Bilservice",
        "Grünerløkka Dekk og Felg",
        "Bærum Lakk & Karosseri",
        "Drammen Bilsenter",
    ]
    distances = [w["distance_km"] for w in response.json()["data"]]
    assert distances == sorted(distances)
    assert 10 < distances[2] < 15 and 30 < distances[3] < 40
    far = await client.get("/api/co/shops?lat=59.9139&lng=10.7522&sort=distance&order=desc")
    assert names(far)[0] == "Bergen Motor"


async def test_text_search_full_text_accents_and_typos(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    assert names(await client.get("/api/co/shops?q=reparasjon")) == [
        "Oslo Bilservice"
    ]  # description, Norwegian stemming
    assert names(await client.get("/api/co/shops?q=grunerlokka")) == ["Grünerløkka Dekk og Felg"]  # accents folded
    assert names(await client.get("/api/co/shops?q=bilservise")) == ["Oslo Bilservice"]  # typo: trigram fallback
    assert names(await client.get("/api/co/shops?q=karosseri")) == ["Bærum Lakk & Karosseri"]


async def test_categories_csv_and_repeated_are_the_same(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    a, b = catalogue.repair.id, catalogue.tyres.id
    csv = await client.get(f"/api/co/shops?workshop_category_id={a},{b}")
    repeated = await client.get(f"/api/co/shops?workshop_category_id={b}&workshop_category_id={a}")
    assert (
        names(csv)
        == names(repeated)
        == ["Bergen Motor", "Drammen Bilsenter", "Grünerløkka Dekk og Felg", "Oslo Bilservice"]
    )
    services = await client.get(
        f"/api/co/shops?service_category_id={catalogue.eu.id}&service_category_id={catalogue.tyre_change.id}"
    )
    assert names(services) == ["Drammen Bilsenter", "Grünerløkka Dekk og Felg", "Oslo Bilservice"]


async def test_city_county_postal_code_and_rating(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    assert names(await client.get("/api/co/shops?city=OSLO&city=Bergen")) == [
        "Bergen Motor",
        "Grünerløkka Dekk og Felg",
        "Oslo Bilservice",
    ]
    assert names(await client.get("/api/co/shops?county=Akershus,Buskerud")) == [
        "Bærum Lakk & Karosseri",
        "Drammen Bilsenter",
    ]
    assert names(await client.get("/api/co/shops?postal_code=0552")) == ["Grünerløkka Dekk og Felg"]
    assert names(await client.get("/api/co/shops?min_rating=4&sort=rating")) == ["Oslo Bilservice", "Drammen Bilsenter"]
    assert names(await client.get("/api/co/shops?min_rating=4&sort=rating&order=asc")) == [
        "Drammen Bilsenter",
        "Oslo Bilservice",
    ]


async def test_price_bounds_apply_to_the_cheapest_matching_service(
    client: httpx.AsyncClient, catalogue: Catalogue
) -> None:
    response = await client.get("/api/co/shops?price_min=600&price_max=1000&sort=price")
    assert names(response) == ["Drammen Bilsenter", "Oslo Bilservice"]  # cheapest 700 and 990
    assert [w["cheapest_service_price"] for w in response.json()["data"]] == [700.0, 990.0]
    # with a service category, "cheapest" means the cheapest service in that category
    eu = await client.get(f"/api/co/shops?service_category_id={catalogue.eu.id}&price_min=1000")
    assert names(eu) == ["Drammen Bilsenter"]
    assert eu.json()["data"][0]["cheapest_service_price"] == 1100.0


async def test_open_now_in_oslo_time(client: httpx.AsyncClient, services: Services, catalogue: Catalogue) -> None:
    at_oslo_time(services, 2026, 6, 6, 10)  # a Saturday morning, summer time (UTC+2)
    assert names(await client.get("/api/co/shops?open_now=true")) == ["Grünerløkka Dekk og Felg"]
    at_oslo_time(services, 2026, 6, 8, 7, 30)  # Monday 07:30: only the 07-20 workshop
    assert names(await client.get("/api/co/shops?open_now=1")) == ["Grünerløkka Dekk og Felg"]
    at_oslo_time(services, 2026, 12, 7, 15, 59)  # Monday 15:59 in winter (UTC+1): everyone with weekday hours
    assert names(await client.get("/api/co/shops?open_now=true")) == [
        "Bergen Motor",
        "Drammen Bilsenter",
        "Grünerløkka Dekk og Felg",
        "Oslo Bilservice",
    ]
    detail = (await client.get(f"/api/co/shops/{catalogue.oslo.org_nr}")).json()
    assert detail["isOpenNow"] is True
    at_oslo_time(services, 2026, 12, 7, 16, 0)
    assert (await client.get(f"/api/co/shops/{catalogue.oslo.org_nr}")).json()["isOpenNow"] is False


async def test_facets_count_the_current_filters(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    body = (await client.get("/api/co/shops?include_facets=true")).json()
    facets = body["facets"]
    total = body["meta"]["total"]
    assert sum(b["count"] for b in facets["cities"]) == total
    assert sum(b["count"] for b in facets["counties"]) == total
    assert sum(b["count"] for b in facets["ratings"]) == total
    assert {b["label"]: b["count"] for b in facets["workshop_categories"]} == {"Bilverksted": 3, "Dekk": 2, "Lakk": 1}
    filtered = (await client.get("/api/co/shops?include_facets=true&county=Oslo")).json()["facets"]
    assert {b["label"]: b["count"] for b in filtered["cities"]} == {"Oslo": 2}
    assert {b["label"]: b["count"] for b in filtered["workshop_categories"]} == {"Bilverksted": 1, "Dekk": 1}
    assert {b["key"]: b["count"] for b in filtered["ratings"]} == {"4-5": 1, "3-4": 1}


async def test_market_layout_and_pagination_links(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    market = await client.get("/api/co/shops?layout=market&lat=59.9139&lng=10.7522&page_size=2&sort=name")
    data = market.json()["data"]
    assert list(data) == ["nearby_top", "results"]
    assert data["nearby_top"][0]["name"] == "Oslo Bilservice"
    assert [w["name"] for w in data["results"]] == ["Bergen Motor", "Bærum Lakk & Karosseri"]
    paged = await client.get("/api/co/shops?county=Oslo&county=Vestland&page_size=2&page=2&sort=name")
    body = paged.json()
    assert body["meta"] == {
        "page": 2,
        "page_size": 2,
        "total": 3,
        "total_pages": 2,
        "has_next": False,
        "has_prev": True,
        "count": 1,
    }
    links = body["links"]
    assert links["next"] is None
    assert "county=oslo" in links["prev"] and "county=vestland" in links["prev"] and "page=1" in links["prev"]
    followed = await client.get(links["first"])
    assert names(followed) == ["Bergen Motor", "Grünerløkka Dekk og Felg"]
    beyond = await client.get("/api/co/shops?page=9")
    assert beyond.json()["data"] == [] and beyond.json()["meta"]["total"] == 5


@pytest.mark.parametrize(
    "query,field",
    [
        ("workshop_category_id=abc", "workshop_category_id"),
        ("service_category_id=1,x", "service_category_id"),
        ("lat=59.9", "lng"),
        ("lng=10.7", "lat"),
        ("min_rating=7", "min_rating"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("sort=drop%20table", "sort"),
        ("order=sideways", "order"),
        ("price_min=cheap", "price_min"),
        ("price_min=500&price_max=100", "price_min"),
        ("radius_km=10", "lat"),
        ("lat=91&lng=10", "lat"),
        ("open_now=maybe", "open_now"),
        ("include_facets=perhaps", "include_facets"),
        ("postal_code=12", "postal_code"),
        ("layout=grid", "layout"),
        ("lat=nan&lng=10", "lat"),
    ],
)
async def test_bad_input_is_a_400_naming_the_field(client: httpx.AsyncClient, query: str, field: str) -> None:
    response = await client.get(f"/api/co/shops?{query}")
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in {e["field"] for e in response.json()["errors"]}


async def test_page_size_is_clamped_to_100(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    response = await client.get("/api/co/shops?page_size=1000")
    assert response.status_code == 200
    assert response.json()["meta"]["page_size"] == 100
