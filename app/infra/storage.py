"""Storage for uploaded files: the local-folder backend of the `MediaStorage` port (`app.domain.account.ports`).

Files get random names under a folder per kind (`profile/`, `vehicles/`, `messages/`) and are served by the media route
(`rest/controllers/media.py`), which sends them from the folder itself. The bucket backend (`app.infra.s3storage`)
hands out the same keys and URLs.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from pathlib import Path

from app.domain.account.ports import StoredFile
from app.domain.media import KEY_RE, MEDIA_URL_PREFIX


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

    async def read(self, key: str) -> bytes | None:
        path = self.path_for(key)
        return None if path is None else await asyncio.to_thread(_read, path)

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


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
