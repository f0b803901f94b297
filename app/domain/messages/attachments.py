"""Message attachments: uploads are identified by their bytes (JPEG, PNG, WebP, PDF), counted, size-limited
and stored under random names; references sent as JSON are checked for a safe URL and an allowed type."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

from app.domain.events.envelope import EventEnvelope
from app.domain.media import is_private, media_key, media_links
from app.domain.messages.results import MessageView
from app.domain.ports import ImageCleaner
from app.domain.uow import UnitOfWork
from app.errors import PayloadTooLarge, ValidationFailed
from app.settings import Settings
from app.values import is_site_path, is_web_url

MAX_ATTACHMENTS = 5
ALLOWED_TYPES: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
MEDIA_SUBDIR = "messages"


class Upload(msgspec.Struct, frozen=True):
    """An uploaded file as received; `content_type` is the client's claim and is not trusted."""

    filename: str
    data: bytes
    content_type: str | None = None


class AttachmentRef(msgspec.Struct, frozen=True):
    """An attachment already stored elsewhere, sent as JSON (`{url, content_type, name, size}`)."""

    url: str
    content_type: str | None = None
    name: str | None = None
    size: int | None = None


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, among the allowed ones; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def _clean_name(filename: str, ext: str) -> str:
    base = Path(filename or "").name.strip().replace("\x00", "")[:120]
    return base or f"attachment.{ext}"


def check_count(n: int) -> None:
    if n > MAX_ATTACHMENTS:
        raise ValidationFailed(
            f"At most {MAX_ATTACHMENTS} attachments per message.", fields={"attachments": f"at most {MAX_ATTACHMENTS}"}
        )


def check_upload(upload: Upload, settings: Settings, index: int) -> str:
    """The sniffed content type of an acceptable upload; 413 when too large, 400 for other content."""
    field = f"files[{index}]"
    if len(upload.data) > settings.max_upload_bytes:
        raise PayloadTooLarge(
            f"Attachment is larger than {settings.max_upload_bytes} bytes.", fields={field: "too_large"}
        )
    if not upload.data:
        raise ValidationFailed("Attachment is empty.", fields={field: "empty"})
    kind = sniff(upload.data)
    if kind is None:
        raise ValidationFailed(
            "Attachments must be JPEG, PNG or WebP images or PDF documents.", fields={field: "unsupported_type"}
        )
    return kind


def check_ref(ref: AttachmentRef, settings: Settings, index: int) -> dict[str, Any]:
    field = f"attachments[{index}]"
    url = (ref.url or "").strip()
    if not (is_web_url(url) or is_site_path(url)):
        raise ValidationFailed(
            "Attachment url must be an http(s) URL or a path on this server.", fields={f"{field}.url": "invalid"}
        )
    key = media_key(url)
    if key is not None and is_private(key):
        # a reference would mint fresh links to a file whose own links may have expired
        raise ValidationFailed(
            "Attachments already sent in a conversation cannot be referenced; upload the file.",
            fields={f"{field}.url": "private_media"},
        )
    content_type = (ref.content_type or "").split(";")[0].strip().lower()
    if content_type not in ALLOWED_TYPES:
        raise ValidationFailed(
            "Attachments must be JPEG, PNG or WebP images or PDF documents.",
            fields={f"{field}.content_type": "unsupported_type"},
        )
    if ref.size is not None and (ref.size < 0 or ref.size > settings.max_upload_bytes):
        raise ValidationFailed(
            f"Attachment is larger than {settings.max_upload_bytes} bytes.", fields={f"{field}.size": "too_large"}
        )
    name = (ref.name or "").strip()[:200] or url.rsplit("/", 1)[-1][:200]
    return {"url": url, "content_type": content_type, "name": name, "size": ref.size}


async def store_upload(upload: Upload, kind: str, uow: UnitOfWork) -> dict[str, Any]:
    """Save the bytes under `messages/<random>.<ext>` in the media storage; the stored attachment description.

    The file is deleted again when the transaction that was to reference it does not commit."""
    ext = ALLOWED_TYPES[kind]
    storage = uow.services.storage
    saved = await storage.save(upload.data, folder=MEDIA_SUBDIR, extension=ext, content_type=kind)

    async def remove() -> None:
        await storage.delete_url(saved.url)

    uow.on_rollback(remove)
    return {"url": saved.url, "content_type": kind, "name": _clean_name(upload.filename, ext), "size": len(upload.data)}


async def _decoded(upload: Upload, kind: str, settings: Settings, index: int, images: ImageCleaner) -> Upload:
    """Images are decoded and re-encoded without metadata (a JPEG header before markup is refused,
    EXIF locations are dropped); PDFs are kept as sent."""
    if kind == "application/pdf":
        return upload
    clean = await asyncio.to_thread(
        images.clean, upload.data, ALLOWED_TYPES[kind], field=f"files[{index}]", max_pixels=settings.max_image_pixels
    )
    return msgspec.structs.replace(upload, data=clean.data)


async def prepare(uploads: Sequence[Upload], refs: Sequence[AttachmentRef], uow: UnitOfWork) -> list[dict[str, Any]]:
    """Check every attachment first (nothing is written when one is refused), then store the uploads: the
    stored ones come first in the answer, in upload order."""
    services = uow.services
    settings = services.settings
    check_count(len(uploads) + len(refs))
    kinds = [check_upload(u, settings, i) for i, u in enumerate(uploads)]
    described = [check_ref(r, settings, i) for i, r in enumerate(refs)]
    decoded = [
        await _decoded(u, kind, settings, i, services.images)
        for i, (u, kind) in enumerate(zip(uploads, kinds, strict=True))
    ]
    stored = [await store_upload(u, kind, uow) for u, kind in zip(decoded, kinds, strict=True)]
    return stored + described


# --- links in answers and deliveries ---------------------------------------------------------------------


def signed_attachments(attachments: list[Any], settings: Settings) -> list[Any]:
    """Attachments with expiring signed links to the private files among them (others unchanged).

    Messages and their events keep the bare paths; links are signed only when a message is answered or
    delivered, so a replayed event or a later read gets a link that still works.
    """
    links = media_links(settings)
    return [
        {**a, "url": links.sign(a["url"])} if isinstance(a, dict) and isinstance(a.get("url"), str) else a
        for a in attachments
    ]


def signed_view(view: MessageView, settings: Settings) -> MessageView:
    return msgspec.structs.replace(view, attachments=signed_attachments(view.attachments, settings))


def signed_item(item: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """A message item (or `message.created` payload) with signed attachment links."""
    attachments = item.get("attachments")
    return {**item, "attachments": signed_attachments(attachments, settings)} if isinstance(attachments, list) else item


def signed_event(event: EventEnvelope, settings: Settings) -> EventEnvelope:
    return msgspec.structs.replace(event, payload=signed_item(event.payload, settings))
