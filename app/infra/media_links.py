"""Expiring signed links for private media (message attachments): `<path>?exp=<unix time>&sig=<hex>`.

The signature is an HMAC-SHA256 over the storage key and the expiry, with a key derived from the JWT
secret (rotating that secret also ends every link). It covers the key, not the URL prefix, so one link
works under both `/api/co/media/` and `/media/`. Expiries are rounded to half a lifetime: links handed
out within that window are identical (clients can cache them) and stay valid for between half and a
full lifetime.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from functools import lru_cache
from urllib.parse import urlsplit

from app.infra.storage import KEY_RE
from app.settings import Settings

MEDIA_PREFIXES = ("/api/co/media/", "/media/")
PRIVATE_FOLDERS = frozenset({"messages"})  # profile pictures and vehicle photos stay public


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
