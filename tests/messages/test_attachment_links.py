"""Message attachments are private: served only through expiring signed links, never cached publicly.

Profile pictures stay public. Links are signed when a message is answered or delivered, so stored
messages and events keep the bare path and replays get a fresh signature.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlmodel import col, select

from app.services import Services
from db.models import Booking, Message
from graphql_api.node import global_id
from tests.account.conftest import png_bytes
from tests.conftest import SignedIn
from tests.messages.conftest import PDF_BYTES, events_of
from tests.messages.test_messages_graphql import THREAD

SEND = "/api/co/messages/send"


async def _send_pdf(client: httpx.AsyncClient, owner: SignedIn, booking: Booking) -> dict[str, Any]:
    response = await client.post(
        SEND,
        headers=owner.headers,
        data={"thread_id": str(booking.id), "message": "faktura"},
        files=[("files", ("faktura.pdf", PDF_BYTES, "application/pdf"))],
    )
    assert response.status_code == 201, response.text
    return response.json()["message"]


def _parts(url: str) -> tuple[str, dict[str, str]]:
    split = urlsplit(url)
    return split.path, {k: v[0] for k, v in parse_qs(split.query).items()}


async def test_attachment_links_are_signed_and_privately_cached(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    url = (await _send_pdf(client, owner, booking))["attachments"][0]["url"]
    path, query = _parts(url)
    assert path.startswith("/api/co/media/messages/") and set(query) == {"exp", "sig"}
    remaining = int(query["exp"]) - time.time()
    assert 0 < remaining <= services.settings.media_link_ttl_s

    served = await client.get(url)  # no token needed: the link is the permission
    assert served.status_code == 200 and served.content == PDF_BYTES
    cache = served.headers["cache-control"]
    assert "private" in cache and "public" not in cache and "immutable" not in cache
    # the other media prefix, same signature
    assert (await client.get(url.replace("/api/co/media/", "/media/", 1))).status_code == 200

    bare = await client.get(path)
    assert bare.status_code == 403
    tampered = await client.get(f"{path}?exp={query['exp']}&sig={'0' * len(query['sig'])}")
    assert tampered.status_code == 403
    later = await client.get(
        f"{path}?exp={int(query['exp']) + 3600}&sig={query['sig']}"
    )  # a longer life is another signature
    assert later.status_code == 403
    from app.domain.media import media_links

    links = media_links(services.settings)
    expired = links.sign(path, now=time.time() - 2 * services.settings.media_link_ttl_s)
    assert (await client.get(expired)).status_code == 403
    # a signature is bound to its file
    other = path.rsplit("/", 1)[0] + "/" + "A" * 32 + ".pdf"
    assert (await client.get(f"{other}?exp={query['exp']}&sig={query['sig']}")).status_code == 403
    # a valid signature for a file that does not exist is a 404
    assert (await client.get(links.sign(other))).status_code == 404

    # what is stored stays unsigned: a replayed event or a later read gets a fresh signature
    async with services.sessionmaker() as session:
        stmt = select(col(Message.attachments)).where(col(Message.booking_id) == booking.id)
        stored = (await session.exec(stmt)).one()
        assert stored[0]["url"] == path
    event = (await events_of(services, owner.owner_id, "message.created"))[0]
    assert event.payload["attachments"][0]["url"] == path


async def test_thread_inbox_and_graphql_answers_carry_signed_links(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    await _send_pdf(client, owner, booking)
    thread = (await client.get(f"/api/co/messages/thread/{booking.id}", headers=owner.headers)).json()["data"]
    inbox = (await client.get("/api/co/messages/inbox", headers=owner.headers)).json()["data"]
    graphql = await client.post(
        "/graphql",
        headers=owner.headers,
        json={"query": THREAD, "variables": {"bookingId": str(global_id("Booking", booking.id)), "first": 10}},
    )
    node = graphql.json()["data"]["thread"]["messages"]["edges"][0]["node"]
    for url in (
        thread[0]["attachments"][0]["url"],
        inbox[0]["last_message"]["attachments"][0]["url"],
        node["attachments"][0]["url"],
    ):
        assert set(_parts(url)[1]) == {"exp", "sig"}, url
        assert (await client.get(url)).status_code == 200


async def test_profile_images_stay_public(client: httpx.AsyncClient, owner: SignedIn, services: Services) -> None:
    response = await client.put(
        "/api/co/profile", headers=owner.headers, files={"file": ("me.png", png_bytes(), "image/png")}
    )
    url = response.json()["profileImage"].removeprefix(services.settings.public_base_url)
    assert "?" not in url
    served = await client.get(url)
    assert served.status_code == 200 and "public" in served.headers["cache-control"]


async def test_private_media_cannot_be_referenced_again(
    client: httpx.AsyncClient, owner: SignedIn, booking: Booking
) -> None:
    """Posting a known attachment path as a reference would mint fresh links for an expired one."""
    url = (await _send_pdf(client, owner, booking))["attachments"][0]["url"]
    for ref in (url, _parts(url)[0], _parts(url)[0].replace("/api/co/media/", "/media/")):
        response = await client.post(
            SEND,
            headers=owner.headers,
            json={"thread_id": str(booking.id), "attachments": [{"url": ref, "content_type": "application/pdf"}]},
        )
        assert response.status_code == 400, ref
        assert response.json()["error"]["fields"] == [{"field": "attachments[0].url", "reason": "private_media"}]
