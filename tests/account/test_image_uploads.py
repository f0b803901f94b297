"""Uploaded pictures are decoded before they are stored: polyglots and bombs are refused, metadata is dropped."""

from __future__ import annotations

from pathlib import Path

import httpx

from app.services import Services
from tests.account.test_account_graphql import ERRORS
from tests.conftest import AppFactory, SignedIn
from tests.image_samples import jpeg_then_html, metadata_of, photo_with_location, png_bomb

GRAPHQL_UPLOAD = f"""mutation($i: UploadProfileImageInput!) {{ uploadProfileImage(input: $i) {{
    __typename ... on ProfileUpdated {{ owner {{ profileImage }} }} {ERRORS} }} }}"""


def _nothing_stored(services: Services) -> bool:
    return not any(Path(services.settings.media_dir).rglob("*.*"))


async def _served(client: httpx.AsyncClient, services: Services, url: str) -> bytes:
    response = await client.get(url.removeprefix(services.settings.public_base_url))
    assert response.status_code == 200
    return response.content


async def test_profile_jpeg_header_followed_by_html_is_refused(
    client: httpx.AsyncClient, owner: SignedIn, services: Services
) -> None:
    response = await client.put(
        "/api/co/profile", headers=owner.headers, files={"profile_image": ("me.jpg", jpeg_then_html(), "image/jpeg")}
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"] == [{"field": "profile_image", "reason": "undecodable"}]
    assert _nothing_stored(services)


async def test_profile_photo_loses_its_location_and_stays_upright(
    client: httpx.AsyncClient, owner: SignedIn, services: Services
) -> None:
    for fmt, extension in (("JPEG", ".jpg"), ("PNG", ".png"), ("WEBP", ".webp")):
        photo = photo_with_location(40, 20, fmt)
        assert metadata_of(photo)["gps"]  # the sample does carry a position
        response = await client.put(
            "/api/co/profile",
            headers=owner.headers,
            files={"file": (f"me{extension}", photo, "application/octet-stream")},
        )
        assert response.status_code == 200, response.text
        url = response.json()["profileImage"]
        assert url.endswith(extension)
        stored = metadata_of(await _served(client, services, url))
        assert stored["format"] == fmt
        assert stored["exif"] == {} and stored["gps"] == {} and stored["comment"] is None, fmt
        assert stored["size"] == (20, 40), fmt  # the EXIF rotation is applied to the pixels


async def test_decompression_bomb_is_refused_before_decoding(
    client: httpx.AsyncClient, owner: SignedIn, services: Services
) -> None:
    bomb = png_bomb()
    assert len(bomb) < 200
    response = await client.put(
        "/api/co/profile", headers=owner.headers, files={"file": ("bomb.png", bomb, "image/png")}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "file", "reason": "too_many_pixels"}]
    assert _nothing_stored(services)


async def test_pixel_cap_is_a_setting(app_factory: AppFactory) -> None:
    from tests.conftest import sign_up_and_in

    _, client = await app_factory(max_image_pixels=40 * 20 - 1)
    owner = await sign_up_and_in(client)
    response = await client.put(
        "/api/co/profile", headers=owner.headers, files={"file": ("me.jpg", photo_with_location(40, 20), "image/jpeg")}
    )
    assert response.status_code == 400 and response.json()["errors"] == [{"field": "file", "reason": "too_many_pixels"}]


async def test_vehicle_photo_is_decoded_and_cleaned(
    client: httpx.AsyncClient, owner: SignedIn, services: Services
) -> None:
    refused = await client.post(
        "/api/co/vehicles",
        headers=owner.headers,
        data={"registration_number": "BT57225"},
        files={"image": ("car.jpg", jpeg_then_html(), "image/jpeg")},
    )
    assert refused.status_code == 400 and refused.json()["errors"] == [{"field": "image", "reason": "undecodable"}]
    added = await client.post(
        "/api/co/vehicles",
        headers=owner.headers,
        data={"registration_number": "BT57225"},
        files={"image": ("car.jpg", photo_with_location(), "image/jpeg")},
    )
    assert added.status_code == 201, added.text
    stored = metadata_of(await _served(client, services, added.json()["data"]["image"]))
    assert stored["gps"] == {} and stored["exif"] == {}
    updated = await client.put(
        "/api/co/vehicles/BT57225", headers=owner.headers, files={"file": ("car.jpg", jpeg_then_html(), "image/jpeg")}
    )
    assert updated.status_code == 400 and updated.json()["errors"] == [{"field": "file", "reason": "undecodable"}]


async def test_graphql_upload_is_decoded_too(client: httpx.AsyncClient, owner: SignedIn, services: Services) -> None:
    import json

    operations = {"query": GRAPHQL_UPLOAD, "variables": {"i": {"file": None}}}
    for content, reason in ((jpeg_then_html(), "undecodable"), (png_bomb(), "too_many_pixels")):
        response = await client.post(
            "/graphql",
            headers=owner.headers,
            data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.i.file"]})},
            files={"0": ("me.jpg", content, "image/jpeg")},
        )
        result = response.json()["data"]["uploadProfileImage"]
        assert result["__typename"] == "ValidationError", result
        assert [(f["field"], f["reason"]) for f in result["fields"]] == [("input.file", reason)]
    assert _nothing_stored(services)


def test_corrupted_images_are_a_validation_error_never_a_crash() -> None:
    """Mutated photos (header, EXIF and pixel data bytes): either a clean image or a 400, never another exception."""
    import random

    from app.errors import ValidationFailed
    from app.infra.images import clean_image

    rng = random.Random(20261130)
    outcomes = {"clean": 0, "refused": 0}
    for fmt, extension in (("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")):
        original = photo_with_location(24, 16, fmt)
        for _ in range(150):
            data = bytearray(original)
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            if rng.random() < 0.3:
                data = data[: rng.randrange(8, len(data))]
            try:
                clean_image(bytes(data), extension, field="file", max_pixels=10_000_000)
                outcomes["clean"] += 1
            except ValidationFailed as exc:
                assert exc.fields in ({"file": "undecodable"}, {"file": "too_many_pixels"})
                outcomes["refused"] += 1
    assert outcomes["refused"] > 0 and sum(outcomes.values()) == 450
