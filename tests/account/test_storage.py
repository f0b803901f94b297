"""Image storage: type from the bytes, size limit, random names, and only our own files are ever deleted."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.media import check_image, sniff_image
from app.errors import PayloadTooLarge, ValidationFailed
from app.infra.storage import LocalStorage
from tests.account.conftest import png_bytes

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00" + b"\x00" * 24


def test_type_comes_from_the_bytes() -> None:
    assert sniff_image(png_bytes()) == ("png", "image/png")
    assert sniff_image(JPEG) == ("jpg", "image/jpeg")
    assert sniff_image(WEBP) == ("webp", "image/webp")
    assert sniff_image(b"GIF89a" + b"\x00" * 20) is None
    assert sniff_image(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert sniff_image(b"\x89PNG\r\n\x1a\n") is None  # a header alone is not an image


def test_check_image_limits() -> None:
    with pytest.raises(PayloadTooLarge) as big:
        check_image(JPEG, max_bytes=10, field="file")
    assert big.value.fields == {"file": "too_large"}
    with pytest.raises(ValidationFailed) as empty:
        check_image(b"", max_bytes=10, field="image")
    assert empty.value.fields == {"image": "empty"}


async def test_local_storage_round_trip(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    first = await storage.save(JPEG, folder="profile", extension="jpg", content_type="image/jpeg")
    second = await storage.save(JPEG, folder="profile", extension="jpg", content_type="image/jpeg")
    assert first.url != second.url and first.url.startswith("/api/co/media/profile/")
    path = storage.path_for(first.key)
    assert path is not None and path.read_bytes() == JPEG
    # foreign, absolute and crafted URLs are never ours to delete
    for url in (
        "https://example.com/api/co/media/" + first.key,
        "/api/co/media/../secret.jpg",
        "/api/co/media/profile/short.jpg",
        None,
        "",
    ):
        assert await storage.delete_url(url) is False
    assert storage.path_for("../../etc/passwd") is None
    assert await storage.delete_url(first.url) is True
    assert not path.exists()
    assert await storage.delete_url(first.url) is False
