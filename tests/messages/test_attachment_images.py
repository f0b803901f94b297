"""Image attachments are decoded and re-encoded before they are stored; PDFs keep the byte check."""

from __future__ import annotations

from pathlib import Path

import httpx

from app.services import Services
from db.models import Booking
from tests.conftest import SignedIn
from tests.image_samples import jpeg_then_html, metadata_of, photo_with_location, png_bomb
from tests.messages.conftest import PDF_BYTES, events_of


def _stored_files(services: Services) -> list[Path]:
    return [p for p in Path(services.settings.media_dir).rglob("*.*") if p.is_file()]


async def test_polyglot_and_bomb_attachments_are_refused(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    for index, (content, reason) in enumerate(((jpeg_then_html(), "undecodable"), (png_bomb(), "too_many_pixels"))):
        files = [("files", ("faktura.pdf", PDF_BYTES, "application/pdf"))] * index + [
            ("files", ("x.jpg", content, "image/jpeg"))
        ]
        response = await client.post(
            "/api/co/messages/send",
            headers=owner.headers,
            files=files,
            data={"thread_id": str(booking.id), "message": "se vedlegg"},
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"]["fields"] == [{"field": f"files[{index}]", "reason": reason}]
    assert _stored_files(services) == []  # nothing written when one file is refused
    assert await events_of(services, owner.owner_id, "message.created") == []


async def test_photo_attachment_loses_its_location(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    photo = photo_with_location()
    files = [("files", ("skade.jpg", photo, "image/jpeg")), ("files", ("faktura.pdf", PDF_BYTES, "application/pdf"))]
    response = await client.post(
        "/api/co/messages/send", headers=owner.headers, files=files, data={"thread_id": str(booking.id)}
    )
    assert response.status_code == 201, response.text
    image, pdf = response.json()["message"]["attachments"]
    stored = {p.suffix: p.read_bytes() for p in _stored_files(services)}
    assert metadata_of(stored[".jpg"])["gps"] == {} and metadata_of(stored[".jpg"])["exif"] == {}
    assert image["size"] == len(stored[".jpg"]) and image["content_type"] == "image/jpeg"
    assert stored[".pdf"] == PDF_BYTES and pdf["size"] == len(PDF_BYTES)
