"""Uploaded files, served from the media storage under /api/co/media/ (and /media/).

Profile pictures and vehicle photos are public and immutable. Message attachments belong to a private
conversation: they are served only through the expiring signed links the message answers carry
(`?exp=...&sig=...`, see `app/domain/media.py`), and only to private caches.

A local folder is sent as a file; a bucket (`MINBIL_MEDIA_STORE=s3://...`) is read through the storage, so the
URLs and links clients hold are the same for both and the bucket needs no public access.
"""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import File, Response

from app.domain.account.ports import LocalFiles
from app.domain.media import CONTENT_TYPES, is_private, media_links
from app.services import Services

PUBLIC_CACHE = "public, max-age=31536000, immutable"


class MediaController(Controller):
    path = "/media"
    include_in_schema = False
    security = []

    @get("/{key:path}", operation_id="GetMedia", cache=False)
    async def media(
        self,
        services: NamedDependency[Services],
        key: FromPath[str],
        exp: FromQuery[str | None] = None,
        sig: FromQuery[str | None] = None,
    ) -> File | Response[bytes]:
        storage = services.storage
        key = key.lstrip("/")
        cache = PUBLIC_CACHE
        if is_private(key):
            # checked before the file is looked up: without a valid link, nobody learns whether it exists
            left = media_links(services.settings).seconds_left(key, exp, sig)
            if left is None:
                raise PermissionDeniedException("This link is invalid or has expired.")
            cache = f"private, max-age={left}"
        headers = {"Cache-Control": cache, "X-Content-Type-Options": "nosniff"}
        if not isinstance(storage, LocalFiles):
            data = await storage.read(key)
            if data is None:
                raise NotFoundException("Not found")
            headers["Content-Disposition"] = "inline"
            return Response(content=data, media_type=CONTENT_TYPES[key.rsplit(".", 1)[-1]], headers=headers)
        path = storage.path_for(key)
        if path is None or not path.is_file():
            raise NotFoundException("Not found")
        return File(
            path=path,
            media_type=CONTENT_TYPES[path.suffix.lstrip(".")],
            content_disposition_type="inline",
            headers=headers,
        )


CONTROLLERS = [MediaController]
