"""Storage for uploaded images: a small interface, a local-folder backend, and type detection from bytes.

Files get random names under a folder per kind (`profile/`, `vehicles/`, `messages/`) and are served by the media route
(`rest/controllers/media.py`). Another backend (an S3-compatible bucket) only has to implement `save`
and `delete_url`.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from pathlib import Path

from app.domain.account.ports import StoredFile
from app.errors import PayloadTooLarge, ValidationFailed

MEDIA_URL_PREFIX = "/api/co/media/"
KEY_RE = re.compile(r"(profile|vehicles|messages)/[A-Za-z0-9_-]{16,64}\.(jpg|png|webp|pdf)")
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "pdf": "application/pdf"}


def sniff_image(data: bytes) -> tuple[str, str] | None:
    """(extension, content type) from the file's magic bytes, or None when it is not JPEG, PNG or WebP."""
    if data.startswith(b"\xff\xd8\xff") and len(data) > 4:
        return "jpg", "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return "png", "image/png"
    if len(data) >= 16 and data[:4] == b"RIFF" and data[8:12] == b"WEBP" and data[12:15] == b"VP8":
        return "webp", "image/webp"
    return None


def check_image(data: bytes, *, max_bytes: int, field: str) -> tuple[str, str]:
    """Reject empty, oversized (413) and non-image (400) uploads; name the form field."""
    if not data:
        raise ValidationFailed("The uploaded file is empty.", code="INVALID_IMAGE", fields={field: "empty"})
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"The image is larger than {max_bytes // (1024 * 1024) or 1} MB.",
            code="IMAGE_TOO_LARGE",
            fields={field: "too_large"},
        )
    kind = sniff_image(data)
    if kind is None:
        raise ValidationFailed(
            "Only JPEG, PNG and WebP images are accepted.",
            code="UNSUPPORTED_IMAGE_TYPE",
            fields={field: "unsupported_type"},
        )
    return kind


class LocalStorage:
    """Files in a local folder (`settings.media_dir`)."""

    def __init__(self, root: str | Path, url_prefix: str = MEDIA_URL_PREFIX) -> None:
        self.root = Path(root)
        self.url_prefix = url_prefix

    def path_for(self, key: str) -> Path | None:
        """The file for a key, or None when the key is not one this storage hands out."""
        if not KEY_RE.fullmatch(key):
            return None
        return self.root / key

    async def save(self, data: bytes, *, folder: str, extension: str, content_type: str) -> StoredFile:
        key = f"{folder}/{secrets.token_urlsafe(24)}.{extension}"
        path = self.root / key
        await asyncio.to_thread(_write_atomic, path, data)
        return StoredFile(key=key, url=self.url_prefix + key, content_type=content_type, size=len(data))

    async def delete_url(self, url: str | None) -> bool:
        key = self.key_of(url)
        if key is None:
            return False
        path = self.root / key
        return await asyncio.to_thread(_unlink, path)

    def key_of(self, url: str | None) -> str | None:
        """Only the relative URLs this storage handed out; client-supplied (absolute) URLs are never ours."""
        if not url or not url.startswith(self.url_prefix):
            return None
        key = url[len(self.url_prefix) :]
        return key if KEY_RE.fullmatch(key) else None


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    with open(tmp, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
