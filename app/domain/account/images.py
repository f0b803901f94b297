"""Storing an uploaded image: size and type checks, decoding and re-encoding, then the configured storage."""

from __future__ import annotations

import asyncio

import msgspec

from app.domain.account.ports import StoredFile
from app.domain.account.results import ImageUpload
from app.domain.media import check_image
from app.domain.uow import UnitOfWork


class PreparedImage(msgspec.Struct, frozen=True):
    """An upload that decoded as an image, re-encoded without its metadata: what gets stored."""

    data: bytes
    extension: str
    content_type: str


async def prepare_image(uow: UnitOfWork, upload: ImageUpload) -> PreparedImage:
    extension, content_type = check_image(upload.data, max_bytes=uow.settings.max_upload_bytes, field=upload.field)
    clean = await asyncio.to_thread(
        uow.services.images.clean, upload.data, extension, field=upload.field, max_pixels=uow.settings.max_image_pixels
    )
    return PreparedImage(data=clean.data, extension=extension, content_type=content_type)


async def store_image(uow: UnitOfWork, image: ImageUpload | PreparedImage, folder: str) -> StoredFile:
    """Save the image; it is deleted again when the transaction that was to reference it does not commit."""
    prepared = image if isinstance(image, PreparedImage) else await prepare_image(uow, image)
    storage = uow.services.storage
    stored = await storage.save(
        prepared.data, folder=folder, extension=prepared.extension, content_type=prepared.content_type
    )
    delete_on_rollback(uow, stored.url)
    return stored


def delete_on_rollback(uow: UnitOfWork, url: str) -> None:
    storage = uow.services.storage

    async def remove() -> None:
        await storage.delete_url(url)

    uow.on_rollback(remove)


def delete_after_commit(uow: UnitOfWork, url: str | None) -> None:
    """Remove a replaced file once the change that replaced it is committed."""
    if not url:
        return
    storage = uow.services.storage

    async def remove() -> None:
        await storage.delete_url(url)

    uow.after_commit(remove)
