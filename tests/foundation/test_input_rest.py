"""No input reaches the REST face's handlers in a form that can make it fail: every bad value is a 4xx in the
module's error shape (ids out of PostgreSQL's integer range, NUL bytes, deep nesting, wrong media types)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import SignedIn

BIG = 2_147_483_648  # one past PostgreSQL's integer
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code", "message", "where"}


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert set(body) >= PROBLEM_KEYS and body["status"] == status
    return body


def structured(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields", "request_id", "retryable"}
    return body["error"]


def named(body: dict[str, Any]) -> set[str]:
    """The field names an error body names, in either shape."""
    if "error" in body:
        return {f["field"] for f in body["error"]["fields"]}
    return {f["field"] for f in body.get("errors", [])}


def error_body(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    if "error" in body:
        structured(response, response.status_code)
    else:
        problem(response, response.status_code)
    return body


# --- ids and pages out of PostgreSQL's integer range ------------------------------------------------

OUT_OF_RANGE_IDS = [
    ("GET", f"/api/co/bookings/{BIG}", None),
    ("GET", "/api/co/bookings/-99999999999", None),
    ("PUT", f"/api/co/bookings/{BIG}", {"message": "hei"}),
    ("POST", f"/api/co/bookings/rate/{BIG}", {"service_rating": 5}),
    ("POST", f"/api/co/rating/{BIG}", {"service_rating": 5}),
    ("POST", f"/api/co/rating/rate/{BIG}", {"service_rating": 5}),
    ("GET", f"/api/co/service-log/messages/{BIG}", None),
    ("GET", "/api/co/messages/thread/-99999999999", None),
    ("GET", f"/api/co/messages/{BIG}", None),
    ("GET", f"/api/co/messages/{BIG}/messages", None),
    ("POST", "/api/co/messages/thread/-6758509658/read-up-to", {}),
    ("POST", f"/api/co/messages/{BIG}/messages/read-up-to", {}),
    ("GET", f"/api/co/notifications/{BIG}", None),
    ("POST", f"/api/co/notifications/{BIG}/mark-read", None),
]


@pytest.mark.parametrize(("method", "path", "body"), OUT_OF_RANGE_IDS)
async def test_an_id_out_of_range_is_not_found(
    client: httpx.AsyncClient, owner: SignedIn, method: str, path: str, body: Any
) -> None:
    response = await client.request(method, path, json=body, headers=owner.headers)
    assert response.status_code == 404, response.text
    assert error_body(response)


OUT_OF_RANGE_QUERIES = [
    ("/api/co/messages/inbox", "page", "99999999999999999999"),
    ("/api/co/messages/inbox", "page_size", "99999999999999999999"),
    ("/api/co/messages/thread/1", "page", "99999999999999999999"),
    ("/api/co/messages/1/messages", "page", "4294967296"),
    ("/api/co/messages/1", "size", "99999999999999999999"),
    ("/api/co/notifications", "page", "99999999999999999999"),
    ("/api/co/notifications", "page", str(BIG)),
    ("/api/co/notifications", "page", "9" * 5000),
    ("/api/co/bookings/change-requests", "booking_id", "-8137125174"),
    ("/api/co/shops", "page", "99999999999999999999"),
    ("/api/co/service-log/list", "page", "99999999999999999999"),
    ("/api/co/service-log/latest", "limit", "-99999999999"),
    ("/api/co/service-records", "page_size", "99999999999999999999"),
]


@pytest.mark.parametrize(("path", "name", "value"), OUT_OF_RANGE_QUERIES)
async def test_a_query_integer_out_of_range_is_a_400_naming_it(
    client: httpx.AsyncClient, owner: SignedIn, path: str, name: str, value: str
) -> None:
    response = await client.get(path, params={name: value}, headers=owner.headers)
    assert response.status_code == 400, response.text
    assert name in named(error_body(response))


async def test_a_page_at_the_top_of_the_range_is_an_empty_page(client: httpx.AsyncClient, owner: SignedIn) -> None:
    for path, page in (("/api/co/notifications", str(BIG - 1)), ("/api/co/messages/inbox", str(BIG - 1))):
        response = await client.get(path, params={"page": page}, headers=owner.headers)
        assert response.status_code == 200, response.text
        assert response.json()["data"] == []


@pytest.mark.parametrize("value", ["", " ", "+", "-"])
async def test_an_empty_or_sign_only_page_is_not_a_server_error(
    client: httpx.AsyncClient, owner: SignedIn, value: str
) -> None:
    for path in ("/api/co/notifications", "/api/co/messages/inbox", "/api/co/messages/thread/1"):
        response = await client.get(path, params={"page": value}, headers=owner.headers)
        assert response.status_code < 500, response.text


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/co/bookings/cancel", {"booking_id": 99_999_999_999}, "booking_id"),
        ("/api/co/bookings/change-requests", {"booking_id": -BIG - 1, "request_type": "cancel"}, "booking_id"),
        ("/api/co/messages/mark-read", {"thread_id": "1", "last_read_id": BIG}, "last_read_id"),
        ("/api/co/notifications/mark-read", {"ids": [1, BIG]}, "ids[1]"),
        ("/api/co/payments/intents", {"booking_id": 10**30}, "booking_id"),
    ],
)
async def test_a_body_integer_out_of_range_is_a_400_naming_it(
    client: httpx.AsyncClient, owner: SignedIn, path: str, body: dict[str, Any], field: str
) -> None:
    response = await client.post(path, json=body, headers=owner.headers)
    assert response.status_code == 400, response.text
    assert field in named(error_body(response))


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/co/bookings/cancel", {"booking_id": str(BIG)}),
        ("/api/co/bookings/change-requests", {"booking_id": "-8137125174", "request_type": "cancel"}),
        ("/api/co/messages/mark-read", {"thread_id": str(BIG)}),
        ("/api/co/messages/send", {"thread_id": "-99999999999", "message": "hei"}),
        ("/api/co/payments/intents", {"booking_id": str(BIG)}),
    ],
)
async def test_an_id_out_of_range_in_a_text_field_is_not_a_server_error(
    client: httpx.AsyncClient, owner: SignedIn, path: str, body: dict[str, Any]
) -> None:
    response = await client.post(path, json=body, headers=owner.headers)
    assert response.status_code in (400, 404), response.text
    assert error_body(response)


# --- NUL bytes ----------------------------------------------------------------------------------------

NUL_BODIES = [
    ("PUT", "/api/co/profile", {"first_name": "a\u0000"}, "first_name"),
    ("POST", "/api/co/bookings", {"org_nr": "123456785", "service_id": 1, "message": "a\u0000b"}, "message"),
    ("POST", "/api/co/bookings/cancel", {"booking_id": 1, "cancellation_reason": "x\u0000"}, "cancellation_reason"),
    ("PUT", "/api/co/bookings/1", {"message": {"text": "x\u0000"}}, "message.text"),
    ("POST", "/api/co/rating/1", {"service_rating": 5, "service_rating_message": "\u0000"}, "service_rating_message"),
    ("PUT", "/api/co/vehicles/AB12345", {"nickname": "bil\u0000"}, "nickname"),
    ("POST", "/api/co/payments/intents", {"group_id": "\u0000"}, "group_id"),
    ("POST", "/api/co/messages/send", {"thread_id": "1", "message": "hei\u0000"}, "message"),
    ("POST", "/api/co/notifications/mark-read", {"ids": [1], "x\u0000": 1}, "x\\u0000"),
    ("PUT", "/api/co/settings/notifications", {"booking.updated": {"email": True}, "a": ["ok", "\u0000"]}, "a[1]"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), NUL_BODIES)
async def test_a_nul_byte_in_a_body_is_a_400_naming_the_field(
    client: httpx.AsyncClient, owner: SignedIn, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    response = await client.request(method, path, json=body, headers=owner.headers)
    assert response.status_code == 400, response.text
    assert field in named(error_body(response))


NUL_QUERIES = [
    ("/api/co/shops", {"q": "\u0000"}, "q"),
    ("/api/co/shops", {"city": "Oslo\u0000"}, "city"),
    ("/api/co/marketplace/shops", {"q": "a\u0000"}, "q"),
    ("/api/co/messages/inbox", {"q": "\u0000"}, "q"),
    ("/api/co/notifications", {"type": "\u0000"}, "type"),
    ("/api/co/bookings", {"status": "\u0000"}, "status"),
    ("/api/co/profile/check-username", {"username": "a\u0000"}, "username"),
]


@pytest.mark.parametrize(("path", "params", "field"), NUL_QUERIES)
async def test_a_nul_byte_in_a_query_is_a_400_naming_it(
    client: httpx.AsyncClient, owner: SignedIn, path: str, params: dict[str, str], field: str
) -> None:
    response = await client.get(path, params=params, headers=owner.headers)
    assert response.status_code == 400, response.text
    assert field in named(error_body(response))


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("GET", "/api/co/payments/intents/pi_%00", "payment_id"),
        ("POST", "/api/co/payments/intents/pi_%00/confirm", "payment_id"),
        ("GET", "/api/co/shops/12345678%00", "org_nr"),
        ("PUT", "/api/co/vehicles/AB%0012345", "registration_number"),
    ],
)
async def test_a_nul_byte_in_a_path_is_a_400_naming_it(
    client: httpx.AsyncClient, owner: SignedIn, method: str, path: str, field: str
) -> None:
    response = await client.request(method, path, json={} if method != "GET" else None, headers=owner.headers)
    assert response.status_code == 400, response.text
    assert field in named(error_body(response))


async def test_a_nul_byte_in_a_form_field_is_a_400_naming_it(client: httpx.AsyncClient, owner: SignedIn) -> None:
    response = await client.post(
        "/api/co/messages/send",
        data={"thread_id": "1", "message": "a\u0000"},
        files={"files": ("a.txt", b"x", "text/plain")},
        headers=owner.headers,
    )
    structured(response, 400)
    assert "message" in named(response.json())


async def test_escaped_backslashes_are_not_nul_bytes(client: httpx.AsyncClient, owner: SignedIn) -> None:
    response = await client.put("/api/co/profile", json={"first_name": "a\\u0000b"}, headers=owner.headers)
    assert response.status_code == 200, response.text
    assert response.json()["firstName"] == "a\\u0000b"


# --- nesting, media types -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/co/profile",
        "/api/co/auth/sign-in",
        "/api/co/bookings/cancel",
        "/api/co/messages/send",
        "/api/co/settings/notifications",
    ],
)
async def test_deeply_nested_json_is_a_400(client: httpx.AsyncClient, owner: SignedIn, path: str) -> None:
    method = "PUT" if path in ("/api/co/profile", "/api/co/settings/notifications") else "POST"
    deep = b"[" * 100_000 + b"]" * 100_000
    response = await client.request(
        method, path, content=deep, headers={**owner.headers, "content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert error_body(response)


JSON_ROUTES = [
    ("POST", "/api/co/auth/sign-in"),
    ("POST", "/api/co/bookings/cancel"),
    ("POST", "/api/co/notifications/mark-read"),
]
FORM_ROUTES = [("PUT", "/api/co/profile"), ("POST", "/api/co/messages/send")]  # JSON or forms


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        *[(m, p, t) for m, p in JSON_ROUTES + FORM_ROUTES for t in ("text/plain", "application/xml")],
        *[(m, p, "application/x-www-form-urlencoded") for m, p in JSON_ROUTES],
    ],
)
async def test_json_sent_as_another_media_type_is_a_415(
    client: httpx.AsyncClient, owner: SignedIn, method: str, path: str, content_type: str
) -> None:
    response = await client.request(
        method,
        path,
        content=b'{"email": "a@b.no", "password": "x"}',
        headers={**owner.headers, "content-type": content_type},
    )
    assert response.status_code == 415, response.text
    assert error_body(response)


async def test_json_with_charset_or_without_a_content_type_is_accepted(
    client: httpx.AsyncClient, owner: SignedIn
) -> None:
    body = b'{"first_name": "Kari"}'
    for headers in ({"content-type": "application/json; charset=utf-8"}, {}):
        response = await client.put("/api/co/profile", content=body, headers={**owner.headers, **headers})
        assert response.status_code == 200, response.text
        assert response.json()["firstName"] == "Kari"


async def test_a_405_carries_allow(client: httpx.AsyncClient, owner: SignedIn) -> None:
    response = await client.delete("/api/co/messages/inbox", headers=owner.headers)
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "OPTIONS"}
    response = await client.patch("/api/co/profile", headers=owner.headers)
    assert response.status_code == 405 and "PUT" in response.headers["allow"]
    assert problem(response, 405)


@pytest.mark.parametrize("path", ["/api/co/messages/inbox", "/api/co/notifications"])
async def test_the_structured_modules_401_is_the_documented_problem(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 401
    body = response.json()
    assert body["type"] == "https://minbil.dev/problems/auth"
    assert {"type", "title", "status", "detail", "code", "message"} <= set(body)
    assert body["detail"] and body["status"] == 401


# --- marketplace numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"price_min": "-1"}, "price_min"),
        ({"price_max": "-5"}, "price_max"),
        ({"min_rating": "-1"}, "min_rating"),
        ({"lat": "59.9", "lng": "10.7", "radius_km": "-5"}, "radius_km"),
    ],
)
async def test_negative_marketplace_numbers_are_a_400_naming_them(
    client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    response = await client.get("/api/co/shops", params=params)
    body = problem(response, 400)
    assert field in named(body)


@pytest.mark.parametrize(
    "path",
    ["/api/co/media/profile/a%00b.png", "/media/profile/a%00b.png", "/static/a%00b.js", "/api/co/media/%2e%2e/%00"],
)
async def test_a_nul_byte_in_a_file_path_is_not_a_server_error(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code in (400, 404), response.text


async def test_a_routes_signature_is_read_once_not_per_request(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the boundary's reading of a handler's signature cost a tenth of a cached search; it cannot change
    from rest import boundary

    reads: list[object] = []
    real = boundary._read_shape

    def counting(handler: Any, path_names: tuple[str, ...]) -> Any:
        reads.append(handler)
        return real(handler, path_names)

    monkeypatch.setattr(boundary, "_read_shape", counting)
    monkeypatch.setattr(boundary, "_shapes", type(boundary._shapes)())
    for page in (1, 2, 3):
        assert (await client.get(f"/api/co/shops?page={page}")).status_code == 200
    assert len(reads) == 1
    response = await client.get("/api/co/shops", params={"city": "Oslo\u0000"})  # and still checked
    assert response.status_code == 400 and "city" in named(error_body(response))
