"""Uploaded images (profile pictures, vehicle photos), served from the media storage under /api/co/media/."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File

from app.domain.account.ports import media_storage
from app.infra.storage import CONTENT_TYPES, LocalStorage
from app.services import Services


class MediaController(Controller):
    path = "/media"
    include_in_schema = False
    security = []

    @get("/{key:path}", operation_id="GetMedia", cache=False)
    async def media(self, services: NamedDependency[Services], key: FromPath[str]) -> File:
        storage = media_storage(services)
        key = key.lstrip("/")
        path = storage.path_for(key) if isinstance(storage, LocalStorage) else None
        if path is None or not path.is_file():
            raise NotFoundException("Not found")
        return File(path=path, media_type=CONTENT_TYPES[path.suffix.lstrip(".")], content_disposition_type="inline",
                    headers={"Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff"})


CONTROLLERS = [MediaController]
