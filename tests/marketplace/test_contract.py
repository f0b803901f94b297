"""The 16 marketplace operations replayed with the reference's examples: status codes and documented fields."""

from __future__ import annotations

import httpx

from app.services import Services
from tests.conftest import SignedIn
from tests.factories import make_car_brand
from tests.marketplace.conftest import Catalogue

LIST_ITEM_KEYS = {
    "org_nr",
    "name",
    "address_line",
    "city",
    "postal_code",
    "latitude",
    "longitude",
    "distance_km",
    "logo",
    "categories",
    "avg_rating",
    "total_reviews",
    "cheapest_service_price",
    "services_count",
}
WORKSHOP_LIST_KEYS = {"results", "count", "total_count", "total_pages", "current_page", "page_size"}
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code", "message", "where"}


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) >= PROBLEM_KEYS and body["status"] == status
    return body


async def test_shops_list_documented_shape(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    response = await client.get("/api/co/shops")
    assert response.status_code == 200
    assert response.headers["x-cache"] == "MISS"  # the first answer is computed
    again = await client.get("/api/co/shops")
    assert again.headers["x-cache"] == "HIT" and again.json() == response.json()
    body = response.json()
    assert set(body) == {"data", "meta", "links", "facets"}
    assert body["facets"] == {}
    assert set(body["meta"]) == {"page", "page_size", "total", "total_pages", "has_next", "has_prev", "count"}
    assert set(body["links"]) == {"self", "first", "prev", "next", "last"}
    assert body["meta"]["total"] == 5  # the inactive workshop is never listed
    assert set(body["data"][0]) >= LIST_ITEM_KEYS
    assert body["data"][0]["is_favourite"] is False


async def test_shops_reference_curl_example_is_404_for_unknown_org(
    client: httpx.AsyncClient, catalogue: Catalogue
) -> None:
    response = await client.get(
        "/api/co/shops?org=string_value&q=string_value&workshop_category_id=string_value"
        "&service_category_id=string_value"
    )
    assert_problem(response, 404)


async def test_shops_org_returns_detail(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    response = await client.get(f"/api/co/shops?org={catalogue.oslo.org_nr}")
    assert response.status_code == 200
    assert response.json()["orgNr"] == catalogue.oslo.org_nr


async def test_shop_detail_documented_shape(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    response = await client.get(f"/api/co/shops/{catalogue.oslo.org_nr}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "orgNr",
        "name",
        "addressLine",
        "description",
        "phone",
        "mobile",
        "email",
        "logo",
        "images",
        "homepage",
        "updatedAt",
        "categories",
        "addresses",
        "contacts",
        "ratings",
        "total_ratings",
        "services",
        "openingHours",
        "isOpenNow",
        "is_favourite",
    }
    assert body["categories"] == ["Bilverksted"]
    assert body["total_ratings"] == {"average_rating": 4.6, "total_reviews": 12}
    assert len(body["updatedAt"]) == 10
    service = body["services"][0]
    assert set(service) == {
        "service_id",
        "org_nr",
        "title",
        "description",
        "price",
        "estimated_time",
        "images",
        "categories",
        "supports_walk_in",
    }
    assert body["openingHours"]["monday"] == {"open": "08:00", "close": "16:00", "closed": False}
    assert body["openingHours"]["sunday"]["closed"] is True
    assert set(body["addresses"][0]) == {"address", "postal_code", "city", "county", "latitude", "longitude"}


async def test_shop_detail_unknown_and_malformed_are_404(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    assert_problem(await client.get("/api/co/shops/921460929"), 404)
    assert_problem(await client.get("/api/co/shops/drop%20table"), 404)
    assert_problem(await client.get(f"/api/co/shops/{catalogue.closed.org_nr}"), 404)


async def test_marketplace_compat_envelopes(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    listing = await client.get("/api/co/marketplace/shops")
    assert listing.status_code == 200
    body = listing.json()
    assert set(body) == {"data", "meta"}
    assert {"request_id", "generated_at", "total", "page"} <= set(body["meta"])
    assert len(body["data"]) == 5
    detail = await client.get(f"/api/co/marketplace/shops/{catalogue.oslo.org_nr}")
    assert detail.status_code == 200
    assert detail.json()["data"]["orgNr"] == catalogue.oslo.org_nr
    assert set(detail.json()["meta"]) == {"request_id", "generated_at"}
    assert_problem(await client.get("/api/co/marketplace/shops/921460929"), 404)


async def test_filters_require_bearer(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    for path in (
        "/api/co/filters",
        "/api/co/filters/filterByCategories?categories=1",
        "/api/co/filters/filterByHierarchicalCategories?categories=1",
        "/api/co/filters/location?radius=25&lng=10.7522&lat=59.9139",
        "/api/co/filters/search?q=oslo",
    ):
        assert_problem(await client.get(path), 401)


async def test_filters_composite(client: httpx.AsyncClient, catalogue: Catalogue, owner: SignedIn) -> None:
    response = await client.get("/api/co/filters?page_size=2&page=1&sort=rating&order=desc", headers=owner.headers)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == WORKSHOP_LIST_KEYS
    assert body["count"] == 2 and body["total_count"] == 5 and body["total_pages"] == 3 and body["current_page"] == 1
    assert [w["name"] for w in body["results"]] == ["Oslo Bilservice", "Drammen Bilsenter"]
    curl = await client.get(
        "/api/co/filters?page_size=string_value&page=string_value&order=string_value&sort=string_value",
        headers=owner.headers,
    )
    assert_problem(curl, 400)
    near = await client.get(
        f"/api/co/filters?lat=59.9139&lng=10.7522&radius=5&main_category_ids={catalogue.tyres.id}",
        headers=owner.headers,
    )
    assert [w["name"] for w in near.json()["results"]] == ["Grünerløkka Dekk og Felg"]
    subs = await client.get(f"/api/co/filters?sub_category_ids={catalogue.eu.id}&price_max=1000", headers=owner.headers)
    assert [w["name"] for w in subs.json()["results"]] == ["Oslo Bilservice"]


async def test_filter_by_categories(client: httpx.AsyncClient, catalogue: Catalogue, owner: SignedIn) -> None:
    response = await client.get(
        f"/api/co/filters/filterByCategories?categories={catalogue.tyres.id}", headers=owner.headers
    )
    assert response.status_code == 200
    assert sorted(w["name"] for w in response.json()["results"]) == ["Drammen Bilsenter", "Grünerløkka Dekk og Felg"]
    assert_problem(
        await client.get("/api/co/filters/filterByCategories?categories=string_value", headers=owner.headers), 400
    )
    assert_problem(await client.get("/api/co/filters/filterByCategories", headers=owner.headers), 400)


async def test_filter_by_hierarchical_categories_includes_subcategories(
    client: httpx.AsyncClient, catalogue: Catalogue, owner: SignedIn
) -> None:
    response = await client.get(
        f"/api/co/filters/filterByHierarchicalCategories?categories={catalogue.service_root.id}", headers=owner.headers
    )
    assert response.status_code == 200
    # the root category matches Bergen directly and Oslo through its child "Oljeskift"
    assert sorted(w["name"] for w in response.json()["results"]) == ["Bergen Motor", "Oslo Bilservice"]
    bad = await client.get(
        "/api/co/filters/filterByHierarchicalCategories?categories=string_value", headers=owner.headers
    )
    assert_problem(bad, 400)


async def test_filter_location(client: httpx.AsyncClient, catalogue: Catalogue, owner: SignedIn) -> None:
    response = await client.get("/api/co/filters/location?radius=25&lng=10.7522&lat=59.9139", headers=owner.headers)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == WORKSHOP_LIST_KEYS
    assert [w["name"] for w in body["results"]] == [
        "Oslo Bilservice",
        "Grünerløkka Dekk og Felg",
        "Bærum Lakk & Karosseri",
    ]
    distances = [w["distance_km"] for w in body["results"]]
    assert distances == sorted(distances) and distances[0] < 0.01
    default = await client.get("/api/co/filters/location?lng=10.7522&lat=59.9139", headers=owner.headers)
    assert default.json()["total_count"] == 2  # default radius 6 km
    clamped = await client.get("/api/co/filters/location?radius=5000&lng=10.7522&lat=59.9139", headers=owner.headers)
    assert clamped.json()["total_count"] == 4  # at most 50 km: Bergen stays out
    missing = await client.get("/api/co/filters/location?lng=10.7522", headers=owner.headers)
    assert assert_problem(missing, 400)["errors"] == [{"field": "lat", "reason": "required"}]


async def test_filter_search(client: httpx.AsyncClient, catalogue: Catalogue, owner: SignedIn) -> None:
    curl = await client.get("/api/co/filters/search?q=string_value&query=string_value", headers=owner.headers)
    assert curl.status_code == 200
    assert curl.json() == {"results": [], "count": 0, "query": "string_value"}
    by_service = await client.get("/api/co/filters/search?query=lakkering", headers=owner.headers)
    assert [w["name"] for w in by_service.json()["results"]] == ["Bærum Lakk & Karosseri"]
    by_address = await client.get("/api/co/filters/search?q=5003", headers=owner.headers)
    assert [w["name"] for w in by_address.json()["results"]] == ["Bergen Motor"]
    by_category = await client.get("/api/co/filters/search?q=oljeskift", headers=owner.headers)
    assert [w["name"] for w in by_category.json()["results"]] == ["Oslo Bilservice"]
    assert_problem(await client.get("/api/co/filters/search", headers=owner.headers), 400)


async def test_categories_overview(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    response = await client.get("/api/co/categories")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"data", "meta"} and {"request_id", "generated_at"} <= set(body["meta"])
    repair = body["data"]["workshop_categories"][0]
    assert repair["name"] == "Bilverksted"
    assert [c["name"] for c in repair["service_categories"]] == ["Service", "EU-kontroll"]
    assert repair["service_categories"][0]["children"][0]["name"] == "Oljeskift"
    only = await client.get(f"/api/co/categories?workshop_category_id={catalogue.tyres.id}")
    assert [c["name"] for c in only.json()["data"]["workshop_categories"]] == ["Dekk"]
    curl = await client.get(
        "/api/co/categories?workshop_category_id=string_value&service_category_id=string_value"
        "&include_inactive=string_value"
    )
    assert_problem(curl, 400)


async def test_categories_services_filters(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    flat = (await client.get("/api/co/categories/services")).json()["data"]
    assert [c["name"] for c in flat] == ["Service", "Oljeskift", "EU-kontroll", "Dekkskift"]
    assert flat[1]["parent_id"] == catalogue.service_root.id and flat[1]["level"] == 1
    roots = (await client.get("/api/co/categories/services?parent_id=0")).json()["data"]
    assert [c["name"] for c in roots] == ["Service", "EU-kontroll", "Dekkskift"]
    assert [
        c["name"] for c in (await client.get("/api/co/categories/services?parent_id=null&sort=id_desc")).json()["data"]
    ] == ["Dekkskift", "EU-kontroll", "Service"]
    level1 = (await client.get("/api/co/categories/services?level=1")).json()["data"]
    assert [c["name"] for c in level1] == ["Oljeskift"]
    tree = (await client.get("/api/co/categories/services?tree=true")).json()["data"]
    assert [c["name"] for c in tree] == ["Service", "EU-kontroll", "Dekkskift"]
    assert tree[0]["children"][0]["name"] == "Oljeskift"
    counts = (await client.get(f"/api/co/categories/services?include_counts=true&id={catalogue.eu.id}")).json()["data"]
    assert counts == [{**counts[0], "services_count": 2}]  # services of inactive workshops do not count
    by_q = (await client.get("/api/co/categories/services?q=dekk")).json()["data"]
    assert [c["name"] for c in by_q] == ["Dekkskift"]
    grouped = (await client.get("/api/co/categories/services?group_by_workshop=true")).json()["data"]
    assert [g["workshop_category_name"] for g in grouped] == ["Bilverksted", "Dekk"]
    with_children = (
        await client.get(f"/api/co/categories/services?id={catalogue.service_root.id}&include_children=true")
    ).json()["data"]
    assert with_children[0]["children"][0]["name"] == "Oljeskift"
    curl = await client.get(
        "/api/co/categories/services?id=123&workshop_category_id=string_value&parent_id=string_value&level=string_value"
    )
    assert_problem(curl, 400)


async def test_categories_shops(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    body = (
        await client.get(
            f"/api/co/categories/shops?id={catalogue.repair.id}&id={catalogue.tyres.id}&include_counts=true"
        )
    ).json()
    assert [(c["name"], c["shops_count"]) for c in body["data"]] == [("Bilverksted", 3), ("Dekk", 2)]
    assert body["meta"]["count"] == 2
    csv = (
        await client.get(f"/api/co/categories/shops?id={catalogue.repair.id},{catalogue.tyres.id}&include_counts=true")
    ).json()
    assert csv["data"] == body["data"]
    curl = await client.get(
        "/api/co/categories/shops?id=123&include_inactive=string_value&include_counts=string_value&q=string_value"
    )
    assert_problem(curl, 400)
    assert_problem(await client.get("/api/co/categories/shops?sort=drop%20table"), 400)


async def test_car_brands_api_key(client: httpx.AsyncClient, services: Services) -> None:
    async with services.sessionmaker() as session:
        await make_car_brand(session, "Volvo")
        await make_car_brand(session, "Tesla")
        await session.commit()
    missing = await client.get("/api/co/car-brands")
    body = assert_problem(missing, 401)
    assert body["where"] == {"layer": "rest", "component": "car-brands", "step": "api_key_missing"}
    wrong = await client.get("/api/co/car-brands", headers={"x-api-key": "nope"})
    assert assert_problem(wrong, 401)["where"]["step"] == "api_key_invalid"
    ok = await client.get("/api/co/car-brands", headers={"x-api-key": "test-api-key"})
    assert ok.status_code == 200
    data = ok.json()
    assert data["meta"] == {"count": 2}
    assert [b["name"] for b in data["data"]] == ["Tesla", "Volvo"]
    assert set(data["data"][0]) == {"id", "name", "slug", "car_logo", "created_at"}
    assert data["data"][0]["created_at"].endswith("Z")


async def test_favourites_lifecycle(
    client: httpx.AsyncClient, catalogue: Catalogue, owner: SignedIn, other_owner: SignedIn
) -> None:
    org = catalogue.lokka.org_nr
    assert_problem(await client.get("/api/co/favorits"), 401)
    assert (await client.get("/api/co/favorits", headers=owner.headers)).json() == {"data": {"total": 0, "items": []}}
    added = await client.post("/api/co/favorits", json={"org_nr": org}, headers=owner.headers)
    assert added.status_code == 201 and set(added.json()["data"]) == {"message"}
    again = await client.post("/api/co/favorits", json={"org_nr": org}, headers=owner.headers)
    assert again.status_code == 200
    listing = (await client.get("/api/co/favorits", headers=owner.headers)).json()["data"]
    assert (
        listing["total"] == 1 and listing["items"][0]["org_nr"] == org and listing["items"][0]["is_favourite"] is True
    )
    # accurate per caller: the list and the page say so for this owner only, never for others or anonymous callers
    mine = (await client.get("/api/co/shops?city=oslo", headers=owner.headers)).json()["data"]
    assert {w["org_nr"]: w["is_favourite"] for w in mine} == {catalogue.oslo.org_nr: False, org: True}
    theirs = (await client.get("/api/co/shops?city=oslo", headers=other_owner.headers)).json()["data"]
    assert not any(w["is_favourite"] for w in theirs)
    anonymous = (await client.get("/api/co/shops?city=oslo")).json()["data"]
    assert not any(w["is_favourite"] for w in anonymous)
    assert (await client.get(f"/api/co/shops/{org}", headers=owner.headers)).json()["is_favourite"] is True
    assert (await client.get(f"/api/co/shops/{org}")).json()["is_favourite"] is False
    removed = await client.request("DELETE", "/api/co/favorits", json={"org_nr": org}, headers=owner.headers)
    assert removed.status_code == 200
    twice = await client.request("DELETE", "/api/co/favorits", json={"org_nr": org}, headers=owner.headers)
    assert twice.status_code == 200
    by_query = await client.delete(f"/api/co/favorits?org_nr={org}", headers=owner.headers)
    assert by_query.status_code == 200 and by_query.json()["data"]["message"] == "Workshop was not in favorites."
    assert (await client.get("/api/co/favorits", headers=owner.headers)).json()["data"]["total"] == 0


async def test_favourites_bad_input(client: httpx.AsyncClient, catalogue: Catalogue, owner: SignedIn) -> None:
    example = await client.post("/api/co/favorits", json={"org_nr": "999999999"}, headers=owner.headers)
    assert_problem(example, 404)  # the reference's example is a valid number of no workshop
    checksum = await client.post("/api/co/favorits", json={"org_nr": "123456789"}, headers=owner.headers)
    assert assert_problem(checksum, 400)["errors"] == [{"field": "org_nr", "reason": "invalid_checksum"}]
    assert_problem(await client.post("/api/co/favorits", json={"org_nr": "12345"}, headers=owner.headers), 400)
    assert_problem(await client.post("/api/co/favorits", json={}, headers=owner.headers), 400)
    assert_problem(await client.post("/api/co/favorits", json=["x"], headers=owner.headers), 400)
    assert_problem(
        await client.post(
            "/api/co/favorits", content=b"{oops", headers={**owner.headers, "content-type": "application/json"}
        ),
        400,
    )
    unknown = await client.post("/api/co/favorits", json={"org_nr": "123456785"}, headers=owner.headers)
    assert_problem(unknown, 404)
    assert_problem(
        await client.request("DELETE", "/api/co/favorits", json={"org_nr": "123456789"}, headers=owner.headers), 400
    )
    assert (
        await client.request("DELETE", "/api/co/favorits", json={"org_nr": "123456785"}, headers=owner.headers)
    ).status_code == 200
