"""Uploaded files in an S3-compatible bucket (AWS S3, MinIO, ...): the `MediaStorage` port over `obstore`.

Keys, URLs and signed links are the same as the local folder's (`app.infra.storage`): objects lie at
`<prefix>/<folder>/<random>.<ext>` and clients keep fetching them through the media route, which reads them
from here. So the bucket need not be reachable from outside (MinIO on an internal network), private
attachments keep the app's own expiring links, and several app instances share one set of files.

Imported only when `MINBIL_MEDIA_STORE` names a bucket (`app.wiring`).
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import obstore
from obstore.store import S3Store

from app.domain.account.ports import StoredFile
from app.domain.media import KEY_RE, MEDIA_URL_PREFIX
from app.errors import ServiceUnavailable
from app.settings import Settings

if TYPE_CHECKING:
    from obstore.store import S3Config

log = logging.getLogger(__name__)

UNAVAILABLE = "Media storage is unavailable; try again later."


def parse_store_url(url: str) -> tuple[str, str]:
    """(bucket, prefix) of `s3://bucket/prefix`; the prefix may be empty."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"MINBIL_MEDIA_STORE must be s3://<bucket>[/<prefix>], not {url!r}")
    return parts.netloc, parts.path.strip("/")


def s3_store(settings: Settings) -> S3Store:
    bucket, prefix = parse_store_url(settings.media_store)
    config: S3Config = {}  # unset values fall back to the AWS_* environment
    if settings.s3_endpoint_url:
        config["endpoint"] = settings.s3_endpoint_url
    if settings.s3_access_key_id:
        config["access_key_id"] = settings.s3_access_key_id
    if settings.s3_secret_access_key:
        config["secret_access_key"] = settings.s3_secret_access_key
    if settings.s3_region:
        config["region"] = settings.s3_region
    endpoint = settings.s3_endpoint_url or ""
    return S3Store(
        bucket,
        prefix=prefix or None,
        config=config,
        client_options={
            "allow_http": endpoint.startswith("http://"),  # MinIO on an internal network speaks plain HTTP
            "connect_timeout": timedelta(seconds=settings.s3_timeout_s),
            "timeout": timedelta(seconds=settings.s3_timeout_s * 4),
        },
        retry_config={"max_retries": 2, "retry_timeout": timedelta(seconds=settings.s3_timeout_s * 4)},
    )


class S3Storage:
    """Objects in a bucket; their keys are the local storage's, relative to the store's prefix."""

    def __init__(self, store: S3Store, url_prefix: str = MEDIA_URL_PREFIX) -> None:
        self.store = store
        self.url_prefix = url_prefix

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        return cls(s3_store(settings))

    async def save(self, data: bytes, *, folder: str, extension: str, content_type: str) -> StoredFile:
        key = f"{folder}/{secrets.token_urlsafe(24)}.{extension}"
        try:
            await obstore.put_async(self.store, key, data, attributes={"Content-Type": content_type})
        except Exception as exc:  # timeouts, refused connections, credentials: the upload cannot be kept
            log.warning("media store put failed: %s", exc)
            raise ServiceUnavailable(UNAVAILABLE, code="MEDIA_STORE_UNAVAILABLE") from exc
        return StoredFile(key=key, url=self.url_prefix + key, content_type=content_type, size=len(data))

    async def read(self, key: str) -> bytes | None:
        if not KEY_RE.fullmatch(key):
            return None
        try:
            result = await obstore.get_async(self.store, key)
            return bytes(await result.bytes_async())
        except FileNotFoundError:
            return None
        except Exception as exc:
            log.warning("media store get failed: %s", exc)
            raise ServiceUnavailable(UNAVAILABLE, code="MEDIA_STORE_UNAVAILABLE") from exc

    async def delete_url(self, url: str | None) -> bool:
        key = self.key_of(url)
        if key is None:
            return False
        # S3 answers a DELETE of a missing object with success too: ask first, to report as the folder does
        try:
            await obstore.head_async(self.store, key)
        except FileNotFoundError:
            return False
        await obstore.delete_async(self.store, key)
        return True

    def key_of(self, url: str | None) -> str | None:
        """Only the relative URLs this storage handed out; client-supplied (absolute) URLs are never ours."""
        if not url or not url.startswith(self.url_prefix):
            return None
        key = url[len(self.url_prefix) :]
        return key if KEY_RE.fullmatch(key) else None
