"""Rules about uploaded media: which bytes are an image, what a storage key and a media path look like,
which folders are private, and the expiring signed links to private files.

Links are `<path>?exp=<unix time>&sig=<hex>`: an HMAC-SHA256 over the storage key and the expiry, with a
key derived from the JWT secret (rotating that secret also ends every link). It covers the key, not the
URL prefix, so one link works under both `/api/co/media/` and `/media/`. Expiries are rounded to half a
lifetime: links handed out within that window are identical (clients can cache them) and stay valid for
between half and a full lifetime.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from functools import lru_cache
from urllib.parse import urlsplit

from app.errors import PayloadTooLarge, ValidationFailed
from app.settings import Settings

MEDIA_URL_PREFIX = "/api/co/media/"
MEDIA_PREFIXES = (MEDIA_URL_PREFIX, "/media/")
KEY_RE = re.compile(r"(profile|vehicles|messages)/[A-Za-z0-9_-]{16,64}\.(jpg|png|webp|pdf)")
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "pdf": "application/pdf"}
PRIVATE_FOLDERS = frozenset({"messages"})  # profile pictures and vehicle photos stay public


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


def media_key(url: str | None) -> str | None:
    """The storage key a media path refers to, whatever its prefix or query; None for anything else.

    Storage hands out paths on this server; an absolute URL (ours or another host's) is never rewritten.
    """
    if not url or not url.startswith("/") or url.startswith("//"):
        return None
    path = urlsplit(url).path
    for prefix in MEDIA_PREFIXES:
        if path.startswith(prefix):
            key = path[len(prefix) :]
            return key if KEY_RE.fullmatch(key) else None
    return None


def is_private(key: str) -> bool:
    return key.split("/", 1)[0] in PRIVATE_FOLDERS


class MediaLinks:
    def __init__(self, secret: str, ttl_s: int) -> None:
        self._key = hmac.new(secret.encode(), b"minbil/media-links/v1", hashlib.sha256).digest()
        self.ttl_s = max(int(ttl_s), 2)

    def _signature(self, key: str, expires: int) -> str:
        return hmac.new(self._key, f"{key}\n{expires}".encode(), hashlib.sha256).hexdigest()

    def expiry(self, now: float) -> int:
        window = self.ttl_s // 2
        return (int(now) + self.ttl_s) // window * window

    def sign(self, url: str, *, now: float | None = None) -> str:
        """`url` with a fresh signature when it is a private media path; any other URL unchanged."""
        key = media_key(url)
        if key is None or not is_private(key):
            return url
        expires = self.expiry(time.time() if now is None else now)
        path = urlsplit(url).path
        return f"{path}?exp={expires}&sig={self._signature(key, expires)}"

    def seconds_left(self, key: str, exp: str | None, sig: str | None, *, now: float | None = None) -> int | None:
        """How long a presented link stays valid, or None when it is missing, forged or expired."""
        if not exp or not sig or not exp.isdigit() or len(exp) > 12:
            return None
        left = int(exp) - int(time.time() if now is None else now)
        if left <= 0 or left > self.ttl_s:  # a link never outlives the configured lifetime
            return None
        if not hmac.compare_digest(sig.encode(), self._signature(key, int(exp)).encode()):
            return None
        return left


@lru_cache(maxsize=8)
def _links(secret: str, ttl_s: int) -> MediaLinks:
    return MediaLinks(secret, ttl_s)


def media_links(settings: Settings) -> MediaLinks:
    return _links(settings.jwt_secret, settings.media_link_ttl_s)
