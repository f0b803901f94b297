"""Storing an uploaded image: size and type checks, then the configured storage."""

from __future__ import annotations

from app.domain.account.ports import StoredFile, media_storage
from app.domain.account.results import ImageUpload
from app.domain.uow import UnitOfWork
from app.infra.storage import check_image


async def store_image(uow: UnitOfWork, upload: ImageUpload, folder: str) -> StoredFile:
    extension, content_type = check_image(upload.data, max_bytes=uow.settings.max_upload_bytes, field=upload.field)
    return await media_storage(uow.services).save(upload.data, folder=folder, extension=extension, content_type=content_type)


def delete_after_commit(uow: UnitOfWork, url: str | None) -> None:
    """Remove a replaced file once the change that replaced it is committed."""
    if not url:
        return
    storage = media_storage(uow.services)

    async def remove() -> None:
        await storage.delete_url(url)

    uow.after_commit(remove)
