"""Profile over REST: the four reference operations, ETag/304, uploads and their files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from app.services import Services
from tests.account.conftest import png_bytes
from tests.conftest import AppFactory, SignedIn, sign_up_and_in
from tests.image_samples import pixels

PROFILE_KEYS = {
    "uid",
    "email",
    "username",
    "firstName",
    "lastName",
    "phone_number",
    "address",
    "profileImage",
    "verify_vehicles",
    "created_at",
    "updated_at",
}
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code", "message", "where"}


def media_path(services: Services, url: str) -> Path:
    key = url.split("/api/co/media/", 1)[1]
    return Path(services.settings.media_dir) / key


async def test_get_profile_has_the_documented_fields_and_a_strong_etag(
    client: httpx.AsyncClient, owner: SignedIn
) -> None:
    response = await client.get("/api/co/profile", headers=owner.headers)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == PROFILE_KEYS
    assert body["email"] == owner.email and body["uid"] == owner.user["uid"]
    etag = response.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")

    again = await client.get("/api/co/profile", headers={**owner.headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    listed = await client.get("/api/co/profile", headers={**owner.headers, "If-None-Match": f'"other", W/{etag}'})
    assert listed.status_code == 304
    stale = await client.get("/api/co/profile", headers={**owner.headers, "If-None-Match": '"stale"'})
    assert stale.status_code == 200 and stale.json() == body


async def test_etag_changes_when_the_profile_changes(client: httpx.AsyncClient, owner: SignedIn) -> None:
    first = await client.get("/api/co/profile", headers=owner.headers)
    await client.put("/api/co/profile", headers=owner.headers, json={"first_name": "Kari"})
    after = await client.get("/api/co/profile", headers={**owner.headers, "If-None-Match": first.headers["etag"]})
    assert after.status_code == 200
    assert after.json()["firstName"] == "Kari"
    assert after.headers["etag"] != first.headers["etag"]


async def test_put_profile_replays_reference_example_and_changes_only_sent_fields(
    client: httpx.AsyncClient, owner: SignedIn
) -> None:
    example = {
        "username": "string_value",
        "first_name": "string_value",
        "last_name": "string_value",
        "phone_number": "+4799999999",
        "address": "string_value",
    }
    response = await client.put("/api/co/profile", headers=owner.headers, json=example)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == PROFILE_KEYS
    assert body["username"] == "string_value" and body["firstName"] == "string_value"
    assert body["phone_number"] == "+4799999999"

    partial = await client.put("/api/co/profile", headers=owner.headers, json={"lastName": "Nordmann"})
    assert partial.status_code == 200
    after = partial.json()
    assert after["lastName"] == "Nordmann"
    assert (
        after["firstName"] == "string_value"
        and after["address"] == "string_value"
        and after["username"] == "string_value"
    )


async def test_phone_numbers_are_validated_and_normalised(client: httpx.AsyncClient, owner: SignedIn) -> None:
    for sent, stored in [
        ("99 88 77 66", "+4799887766"),
        ("0047 412 34 567", "+4741234567"),
        ("+46 70 123 45 67", "+46701234567"),
    ]:
        response = await client.put("/api/co/profile", headers=owner.headers, json={"phone_number": sent})
        assert response.status_code == 200, response.text
        assert response.json()["phone_number"] == stored
    bad = await client.put("/api/co/profile", headers=owner.headers, json={"phone_number": "12ab"})
    assert bad.status_code == 400
    assert bad.json()["errors"] == [{"field": "phone_number", "reason": "invalid"}]
    short = await client.put("/api/co/profile", headers=owner.headers, json={"phone_number": "+47 1234"})
    assert short.status_code == 400


async def test_empty_change_is_400_no_changes(client: httpx.AsyncClient, owner: SignedIn) -> None:
    kwargs: dict[str, Any]
    for kwargs in ({"json": {}}, {"json": {"unknown": 1}}, {"content": b""}):
        response = await client.put("/api/co/profile", headers=owner.headers, **kwargs)
        assert response.status_code == 400
        body = response.json()
        assert set(body) >= PROBLEM_KEYS
        assert body["detail"] == "No changes." and body["code"] == "NO_CHANGES"
    garbage = await client.put(
        "/api/co/profile", headers={**owner.headers, "content-type": "application/json"}, content=b"{oops"
    )
    assert garbage.status_code == 400
    listed = await client.put("/api/co/profile", headers=owner.headers, json=["username"])
    assert listed.status_code == 400


async def test_username_rules_and_case_insensitive_uniqueness(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn
) -> None:
    assert (
        await client.put("/api/co/profile", headers=owner.headers, json={"username": "Ola.Nordmann"})
    ).status_code == 200
    taken = await client.put("/api/co/profile", headers=other_owner.headers, json={"username": "ola.NORDMANN"})
    assert taken.status_code == 409
    assert taken.json()["code"] == "USERNAME_TAKEN"
    assert taken.headers["content-type"].startswith("application/problem+json")
    # renaming oneself to a different case of the own name is allowed
    assert (
        await client.put("/api/co/profile", headers=owner.headers, json={"username": "ola.nordmann"})
    ).status_code == 200
    for bad, reason in [
        ("ab", "too_short"),
        ("x" * 31, "too_long"),
        ("ola nordmann", "invalid_characters"),
        ("ola@home", "invalid_characters"),
    ]:
        response = await client.put("/api/co/profile", headers=other_owner.headers, json={"username": bad})
        assert response.status_code == 400, bad
        assert response.json()["errors"] == [{"field": "username", "reason": reason}]
    trimmed = await client.put("/api/co/profile", headers=other_owner.headers, json={"username": "  kari_n-1  "})
    assert trimmed.json()["username"] == "kari_n-1"


async def test_check_username(client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn) -> None:
    await client.put("/api/co/profile", headers=owner.headers, json={"username": "bilfrik"})
    free = await client.get(
        "/api/co/profile/check-username", params={"username": "  string_value "}, headers=owner.headers
    )
    assert free.status_code == 200
    assert free.json() == {"username": "string_value", "available": True, "message": "Username is available."}
    mine = await client.get("/api/co/profile/check-username", params={"username": "BILFRIK"}, headers=owner.headers)
    assert mine.json()["available"] is True
    theirs = await client.get(
        "/api/co/profile/check-username", params={"username": "BilFrik"}, headers=other_owner.headers
    )
    assert theirs.json() == {"username": "BilFrik", "available": False, "message": "Username is already taken."}
    for params in ({"username": "a"}, {"username": "has space"}, {}):
        bad = await client.get("/api/co/profile/check-username", params=params, headers=owner.headers)
        assert bad.status_code == 400
        assert bad.json()["errors"][0]["field"] == "username"
    assert (await client.get("/api/co/profile/check-username", params={"username": "abc"})).status_code == 401


async def test_upload_real_png_then_replace_and_delete(
    client: httpx.AsyncClient, owner: SignedIn, services: Services
) -> None:
    image = png_bytes()
    response = await client.put(
        "/api/co/profile",
        headers=owner.headers,
        files={"profile_image": ("me.png", image, "image/png")},
        data={"first_name": "Per"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["firstName"] == "Per"
    url = body["profileImage"]
    assert url.startswith(services.settings.public_base_url + "/api/co/media/profile/") and url.endswith(".png")
    served = await client.get(url.removeprefix(services.settings.public_base_url))
    assert served.status_code == 200
    assert pixels(served.content) == pixels(image) and served.headers["content-type"] == "image/png"
    first_file = media_path(services, url)
    assert first_file.is_file()

    # the type comes from the bytes: a PNG named .jpg sent as text/plain is still a PNG
    replaced = await client.put(
        "/api/co/profile", headers=owner.headers, files={"file": ("x.jpg", image, "text/plain")}
    )
    assert replaced.status_code == 200
    second = replaced.json()["profileImage"]
    assert second != url and second.endswith(".png")
    assert not first_file.exists()  # the replaced file is gone
    assert (await client.get(url.removeprefix(services.settings.public_base_url))).status_code == 404

    deleted = await client.delete("/api/co/profile", headers=owner.headers)
    assert deleted.status_code == 200
    assert set(deleted.json()) == {"data", "meta"}
    assert set(deleted.json()["meta"]) == {"request_id", "generated_at"}
    assert not media_path(services, second).exists()
    profile = (await client.get("/api/co/profile", headers=owner.headers)).json()
    assert profile["profileImage"] is None and profile["firstName"] == "Per"
    again = await client.delete("/api/co/profile", headers=owner.headers)
    assert again.status_code == 204 and again.content == b""
    # the account stays
    assert (await client.get("/api/co/profile", headers=owner.headers)).status_code == 200


async def test_renamed_text_file_is_rejected(client: httpx.AsyncClient, owner: SignedIn, services: Services) -> None:
    response = await client.put(
        "/api/co/profile",
        headers=owner.headers,
        files={"file": ("photo.png", b"just some text, not an image\n" * 4, "image/png")},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "UNSUPPORTED_IMAGE_TYPE"
    assert body["errors"] == [{"field": "file", "reason": "unsupported_type"}]
    assert not any(Path(services.settings.media_dir).rglob("*.*"))
    assert (await client.get("/api/co/profile", headers=owner.headers)).json()["profileImage"] is None


async def test_oversized_upload_is_413_problem(app_factory: AppFactory) -> None:
    _app, client = await app_factory(max_upload_bytes=1024)
    owner = await sign_up_and_in(client)
    big = png_bytes() + b"\x00" * 2048
    response = await client.put("/api/co/profile", headers=owner.headers, files={"file": ("big.png", big, "image/png")})
    assert response.status_code == 413
    body = response.json()
    assert body["status"] == 413 and body["code"] == "IMAGE_TOO_LARGE"
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_other_owner_never_sees_my_profile(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn
) -> None:
    await client.put("/api/co/profile", headers=owner.headers, json={"first_name": "Anne", "address": "Storgata 1"})
    theirs = (await client.get("/api/co/profile", headers=other_owner.headers)).json()
    assert theirs["email"] == other_owner.email
    assert theirs["firstName"] is None and theirs["address"] is None


async def test_profile_requires_a_token(client: httpx.AsyncClient) -> None:
    for method in ("GET", "PUT", "DELETE"):
        response = await client.request(method, "/api/co/profile")
        assert response.status_code == 401
        assert response.json()["code"] == "UNAUTHORIZED"
