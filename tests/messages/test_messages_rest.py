"""The Messages operations over REST, replayed with the reference's examples."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.services import Services
from db.models import Booking
from tests.conftest import SignedIn
from tests.factories import stored_id
from tests.messages.conftest import PDF_BYTES, PNG_BYTES, booking_for, events_of, workshop_says

MESSAGE_FIELDS = {
    "id",
    "booking_id",
    "workshop_org_nr",
    "sender_type",
    "message_text",
    "attachments",
    "is_read",
    "created_at",
    "text",
    "message",
    "content",
    "sender_role",
    "from",
    "unread",
}
PAGE_FIELDS = {"page", "page_size", "total", "total_pages", "has_next", "has_prev"}
LINK_FIELDS = {"self", "first", "prev", "next", "last"}
THREAD_PATHS = ("/api/co/messages/thread/{id}", "/api/co/messages/{id}", "/api/co/messages/{id}/messages")
READ_UP_TO_PATHS = ("/api/co/messages/thread/{id}/read-up-to", "/api/co/messages/{id}/messages/read-up-to")


def assert_structured(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields", "request_id", "retryable"}
    assert body["error"]["code"] == code
    return body["error"]


async def send(client: httpx.AsyncClient, owner: SignedIn, **body: Any) -> httpx.Response:
    return await client.post("/api/co/messages/send", json=body, headers=owner.headers)


# --- send -----------------------------------------------------------------------------------------------


async def test_send_replays_reference_example(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    response = await send(
        client,
        owner,
        thread_id=str(booking.id),
        message="Når kan jeg hente bilen?",
        org_nr=booking.workshop_org_nr,
        attachments=[{"url": "https://cdn.minbil.no/a.png", "content_type": "image/png", "name": "a.png", "size": 1}],
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"message", "unread_count"}
    message = body["message"]
    assert set(message) == MESSAGE_FIELDS
    assert message["sender_type"] == message["sender_role"] == message["from"] == "carowner"
    assert (
        message["message_text"]
        == message["text"]
        == message["message"]
        == message["content"]
        == "Når kan jeg hente bilen?"
    )
    assert message["unread"] is (not message["is_read"])
    assert message["attachments"] == [
        {"url": "https://cdn.minbil.no/a.png", "content_type": "image/png", "name": "a.png", "size": 1}
    ]
    assert message["booking_id"] == booking.id and message["workshop_org_nr"] == booking.workshop_org_nr
    assert body["unread_count"] == 0
    created = await events_of(services, owner.owner_id, "message.created")
    assert created[-1].payload == {**message, "client_message_id": None}  # the event also echoes the sender's id
    changed = await events_of(services, owner.owner_id, "unread.changed")
    assert changed[-1].payload == {"messages": 0, "notifications": 0}


async def test_send_reports_thread_unread_count(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    await workshop_says(services, stored_id(booking), "Hei! Vi har sett på bilen.")
    await workshop_says(services, stored_id(booking), "Bremseklossene må byttes.")
    response = await send(client, owner, thread_id=booking.id, message="Ok, gjør det")
    assert response.status_code == 201
    assert response.json()["unread_count"] == 2


async def test_send_needs_message_or_attachment(client: httpx.AsyncClient, owner: SignedIn, booking: Booking) -> None:
    error = assert_structured(
        await send(client, owner, thread_id=str(booking.id), message="   "), 400, "VALIDATION_ERROR"
    )
    assert error["fields"] == [{"field": "message", "reason": "required"}]
    error = assert_structured(await send(client, owner, message="hei"), 400, "VALIDATION_ERROR")
    assert error["fields"][0]["field"] == "thread_id"
    assert_structured(await send(client, owner, thread_id="abc", message="hei"), 400, "VALIDATION_ERROR")
    assert_structured(await send(client, owner, thread_id=str(booking.id), message=123), 400, "VALIDATION_ERROR")


async def test_send_org_nr_must_be_the_bookings_workshop(
    client: httpx.AsyncClient, owner: SignedIn, booking: Booking
) -> None:
    error = assert_structured(
        await send(client, owner, thread_id=str(booking.id), message="hei", org_nr="921460929"), 400, "VALIDATION_ERROR"
    )
    assert error["fields"] == [{"field": "org_nr", "reason": "mismatch"}]


async def test_send_to_foreign_or_missing_booking_is_the_same_404(
    client: httpx.AsyncClient, db_session: Any, owner: SignedIn, other_owner: SignedIn
) -> None:
    theirs = await booking_for(db_session, other_owner)
    foreign = await send(client, owner, thread_id=str(theirs.id), message="hei")
    missing = await send(client, owner, thread_id="99999999", message="hei")
    huge = await send(client, owner, thread_id="99999999999", message="hei")
    for response in (foreign, missing, huge):
        error = assert_structured(response, 404, "NOT_FOUND")
        assert error["message"] == "Booking not found"
        assert error["fields"] == []


async def test_send_rejects_bad_json_attachment_refs(
    client: httpx.AsyncClient, owner: SignedIn, booking: Booking
) -> None:
    script = await send(
        client,
        owner,
        thread_id=str(booking.id),
        attachments=[{"url": "javascript:alert(1)", "content_type": "image/png"}],
    )
    assert assert_structured(script, 400, "VALIDATION_ERROR")["fields"][0]["field"] == "attachments[0].url"
    html = await send(
        client,
        owner,
        thread_id=str(booking.id),
        attachments=[{"url": "https://x.no/a.html", "content_type": "text/html"}],
    )
    assert assert_structured(html, 400, "VALIDATION_ERROR")["fields"][0]["field"] == "attachments[0].content_type"
    many = [{"url": f"https://x.no/{i}.png", "content_type": "image/png"} for i in range(6)]
    assert_structured(await send(client, owner, thread_id=str(booking.id), attachments=many), 400, "VALIDATION_ERROR")


async def test_multipart_send_with_png_and_pdf(client: httpx.AsyncClient, owner: SignedIn, booking: Booking) -> None:
    files = [("files", ("skade.png", PNG_BYTES, "image/png")), ("files", ("faktura.pdf", PDF_BYTES, "application/pdf"))]
    response = await client.post(
        "/api/co/messages/send",
        headers=owner.headers,
        files=files,
        data={"thread_id": str(booking.id), "message": "Bilder og faktura"},
    )
    assert response.status_code == 201, response.text
    message = response.json()["message"]
    assert message["message_text"] == "Bilder og faktura"
    kinds = [(a["content_type"], a["name"]) for a in message["attachments"]]
    assert kinds == [("image/png", "skade.png"), ("application/pdf", "faktura.pdf")]
    assert message["attachments"][1]["size"] == len(PDF_BYTES)  # the image's size is that of its re-encoded form
    for attachment in message["attachments"]:
        assert attachment["url"].startswith("/api/co/media/messages/")
        assert "skade" not in attachment["url"] and "faktura" not in attachment["url"]


async def test_multipart_attachment_only_is_enough(
    client: httpx.AsyncClient, owner: SignedIn, booking: Booking
) -> None:
    response = await client.post(
        "/api/co/messages/send",
        headers=owner.headers,
        files=[("files", ("bilde.png", PNG_BYTES, "image/png"))],
        data={"thread_id": str(booking.id)},
    )
    assert response.status_code == 201, response.text
    assert response.json()["message"]["message_text"] == ""


async def test_multipart_renamed_text_file_is_rejected(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    files = [("files", ("bilde.png", b"just some text pretending to be a picture", "image/png"))]
    response = await client.post(
        "/api/co/messages/send",
        headers=owner.headers,
        files=files,
        data={"thread_id": str(booking.id), "message": "se vedlegg"},
    )
    error = assert_structured(response, 400, "VALIDATION_ERROR")
    assert error["fields"] == [{"field": "files[0]", "reason": "unsupported_type"}]
    assert await events_of(services, owner.owner_id, "message.created") == []


async def test_multipart_too_large_and_too_many(app_factory: Any, db_session: Any) -> None:
    from tests.conftest import sign_up_and_in

    _, client = await app_factory(max_upload_bytes=1024)
    owner = await sign_up_and_in(client)
    booking = await booking_for(db_session, owner)
    big = PNG_BYTES + b"\x00" * 2048
    response = await client.post(
        "/api/co/messages/send",
        headers=owner.headers,
        files=[("files", ("big.png", big, "image/png"))],
        data={"thread_id": str(booking.id)},
    )
    assert_structured(response, 413, "PAYLOAD_TOO_LARGE")
    files = [("files", (f"{i}.png", PNG_BYTES, "image/png")) for i in range(6)]
    response = await client.post(
        "/api/co/messages/send", headers=owner.headers, files=files, data={"thread_id": str(booking.id)}
    )
    assert_structured(response, 400, "VALIDATION_ERROR")


async def test_send_without_token_is_the_auth_problem(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/co/messages/send", json={"thread_id": "1", "message": "hei"})
    assert response.status_code == 401
    body = response.json()
    assert body["type"] == "https://minbil.dev/problems/auth" and body["code"] == "UNAUTHORIZED"
    assert response.headers["content-type"].startswith("application/problem+json")


# --- threads --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("template", THREAD_PATHS)
async def test_thread_routes_are_one_behaviour(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking, template: str
) -> None:
    first = await workshop_says(services, stored_id(booking), "Velkommen")
    await send(client, owner, thread_id=str(booking.id), message="Takk")
    third = await workshop_says(services, stored_id(booking), "Bilen er klar")
    path = template.format(id=booking.id)
    response = await client.get(path, headers=owner.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"data", "meta", "links"}
    assert [m["message_text"] for m in body["data"]] == ["Velkommen", "Takk", "Bilen er klar"]
    assert all(set(m) == MESSAGE_FIELDS for m in body["data"])
    assert [m["from"] for m in body["data"]] == ["workshop", "carowner", "workshop"]
    assert body["data"][0]["id"] == first["id"] and body["data"][2]["id"] == third["id"]
    assert set(body["meta"]) == PAGE_FIELDS | {"org_nr", "unread_count"}
    assert body["meta"]["org_nr"] == booking.workshop_org_nr
    assert body["meta"]["unread_count"] == 2
    assert body["meta"]["total"] == 3 and body["meta"]["page"] == 1 and body["meta"]["page_size"] == 20
    assert set(body["links"]) == LINK_FIELDS
    assert body["links"]["prev"] is None and body["links"]["next"] is None
    assert body["links"]["self"] == f"{path}?page=1&size=20"


async def test_thread_pagination_and_limits(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    for i in range(5):
        await workshop_says(services, stored_id(booking), f"melding {i}")
    path = f"/api/co/messages/thread/{booking.id}"
    page2 = (await client.get(path, params={"page": 2, "size": 2}, headers=owner.headers)).json()
    assert [m["message_text"] for m in page2["data"]] == ["melding 2", "melding 3"]
    assert {k: page2["meta"][k] for k in ("total", "total_pages", "has_next", "has_prev")} == {
        "total": 5,
        "total_pages": 3,
        "has_next": True,
        "has_prev": True,
    }
    assert page2["links"]["next"] == f"{path}?page=3&size=2" and page2["links"]["prev"] == f"{path}?page=1&size=2"
    beyond = (await client.get(path, params={"page": 9, "size": 2}, headers=owner.headers)).json()
    assert beyond["data"] == [] and beyond["meta"]["total"] == 5
    for params in ({"size": 0}, {"size": 101}, {"page": 0}, {"size": "x"}):
        response = await client.get(path, params=params, headers=owner.headers)
        error = assert_structured(response, 400, "VALIDATION_ERROR")
        assert error["fields"], error


@pytest.mark.parametrize("template", THREAD_PATHS)
async def test_thread_of_foreign_booking_is_404(
    client: httpx.AsyncClient, db_session: Any, owner: SignedIn, other_owner: SignedIn, template: str
) -> None:
    theirs = await booking_for(db_session, other_owner)
    foreign = await client.get(template.format(id=theirs.id), headers=owner.headers)
    missing = await client.get(template.format(id=99999999), headers=owner.headers)
    for response in (foreign, missing):
        assert assert_structured(response, 404, "NOT_FOUND")["message"] == "Booking not found"


# --- inbox ----------------------------------------------------------------------------------------------


async def test_inbox_lists_threads_by_last_activity(
    client: httpx.AsyncClient, services: Services, db_session: Any, owner: SignedIn, other_owner: SignedIn
) -> None:
    older = await booking_for(db_session, owner, workshop_name="Bilverksted Nord")
    newer = await booking_for(db_session, owner, workshop_name="Dekk og Felg")
    silent = await booking_for(db_session, owner)
    theirs = await booking_for(db_session, other_owner)
    await workshop_says(services, stored_id(newer), "Første melding")
    await workshop_says(services, stored_id(older), "Hei fra nord")
    await send(client, owner, thread_id=str(older.id), message="Hei tilbake")
    await workshop_says(services, stored_id(newer), "Dekkene er montert")
    await workshop_says(services, stored_id(theirs), "Ikke din")
    response = await client.get("/api/co/messages/inbox", headers=owner.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [t["booking_id"] for t in body["data"]] == [newer.id, older.id]
    assert silent.id not in [t["booking_id"] for t in body["data"]]
    top = body["data"][0]
    assert set(top) == {
        "id",
        "thread_id",
        "booking_id",
        "workshop_org_nr",
        "workshop_name",
        "org_nr",
        "last_message",
        "unread_count",
        "total_messages",
        "updated_at",
        "read_at",
    }
    assert top["thread_id"] == str(newer.id) and top["id"] == newer.id
    assert top["workshop_name"] == "Dekk og Felg" and top["org_nr"] == newer.workshop_org_nr
    assert top["last_message"]["text"] == "Dekkene er montert" and set(top["last_message"]) == MESSAGE_FIELDS
    assert top["unread_count"] == 2 and top["total_messages"] == 2 and top["read_at"] is None
    assert top["updated_at"] == top["last_message"]["created_at"]
    second = body["data"][1]
    assert second["unread_count"] == 1 and second["total_messages"] == 2
    assert second["last_message"]["from"] == "carowner"
    assert body["meta"] == {
        "page": 1,
        "page_size": 20,
        "total": 2,
        "total_pages": 1,
        "has_next": False,
        "has_prev": False,
        "unread_total": 3,
    }
    assert set(body["links"]) == LINK_FIELDS


async def test_inbox_q_searches_the_last_message_and_pages(
    client: httpx.AsyncClient, services: Services, db_session: Any, owner: SignedIn
) -> None:
    a = await booking_for(db_session, owner)
    b = await booking_for(db_session, owner)
    await workshop_says(services, stored_id(a), "EU-kontroll godkjent")
    await workshop_says(services, stored_id(b), "EU-kontroll gjort")
    await workshop_says(services, stored_id(b), "Faktura sendt")
    found = (await client.get("/api/co/messages/inbox", params={"q": "eu-KONTROLL"}, headers=owner.headers)).json()
    assert [t["booking_id"] for t in found["data"]] == [a.id]
    assert found["meta"]["total"] == 1 and found["meta"]["unread_total"] == 3
    assert found["links"]["self"] == "/api/co/messages/inbox?q=eu-KONTROLL&page=1&page_size=20"
    wild = (await client.get("/api/co/messages/inbox", params={"q": "%"}, headers=owner.headers)).json()
    assert wild["data"] == []
    paged = (
        await client.get("/api/co/messages/inbox", params={"page": 2, "page_size": 1}, headers=owner.headers)
    ).json()
    assert [t["booking_id"] for t in paged["data"]] == [a.id]
    assert paged["meta"]["has_prev"] is True and paged["meta"]["has_next"] is False
    bad = await client.get("/api/co/messages/inbox", params={"page_size": 500}, headers=owner.headers)
    assert_structured(bad, 400, "VALIDATION_ERROR")


# --- read-up-to -----------------------------------------------------------------------------------------


async def test_mark_read_replays_reference_example(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    first = await workshop_says(services, stored_id(booking), "1")
    await workshop_says(services, stored_id(booking), "2")
    response = await client.post(
        "/api/co/messages/mark-read",
        headers=owner.headers,
        json={"thread_id": str(booking.id), "last_read_id": first["id"]},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"updated", "json_updated", "unread_count", "read_at"}
    assert body["updated"] == 1 and body["json_updated"] == 0 and body["unread_count"] == 1
    assert body["read_at"].endswith("Z")
    changed = await events_of(services, owner.owner_id, "unread.changed")
    assert changed[-1].payload["messages"] == 1


@pytest.mark.parametrize("template", READ_UP_TO_PATHS)
async def test_read_up_to_is_inclusive_idempotent_and_spares_own_messages(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking, template: str
) -> None:
    a = await workshop_says(services, stored_id(booking), "a")
    mine = (await send(client, owner, thread_id=str(booking.id), message="mitt")).json()["message"]
    b = await workshop_says(services, stored_id(booking), "b")
    c = await workshop_says(services, stored_id(booking), "c")
    path = template.format(id=booking.id)
    first = (await client.post(path, headers=owner.headers, json={"last_read_id": b["id"]})).json()
    assert first["updated"] == 2 and first["unread_count"] == 1
    again = (await client.post(path, headers=owner.headers, json={"last_read_id": b["id"]})).json()
    assert again["updated"] == 0 and again["unread_count"] == 1 and again["read_at"] == first["read_at"]
    thread = (await client.get(f"/api/co/messages/{booking.id}", headers=owner.headers)).json()["data"]
    state = {m["id"]: m["is_read"] for m in thread}
    assert state == {a["id"]: True, mine["id"]: False, b["id"]: True, c["id"]: False}
    # an id of the owner's own message works as a position, and still leaves that message alone
    own = (await client.post(path, headers=owner.headers, json={"last_read_id": mine["id"]})).json()
    assert own["updated"] == 0
    everything = (await client.post(path, headers=owner.headers, json={})).json()
    assert everything["updated"] == 1 and everything["unread_count"] == 0
    thread = (await client.get(f"/api/co/messages/{booking.id}", headers=owner.headers)).json()["data"]
    assert [m["unread"] for m in thread if m["from"] == "carowner"] == [True]


async def test_read_up_to_legacy_json_messages(
    client: httpx.AsyncClient, services: Services, db_session: Any, owner: SignedIn
) -> None:
    legacy = [
        {"from": "workshop", "text": "gammel 1", "created_at": "2026-01-10T10:00:00Z", "is_read": False},
        {"sender_type": "carowner", "text": "mitt", "created_at": "2026-01-10T11:00:00Z", "is_read": False},
        {"sender_role": "workshop", "text": "gammel 2", "created_at": "2026-01-12T10:00:00Z", "unread": True},
    ]
    booking = await booking_for(db_session, owner, messages=legacy)
    msg = await workshop_says(services, stored_id(booking), "ny")
    path = f"/api/co/messages/thread/{booking.id}/read-up-to"
    body = (
        await client.post(
            path, headers=owner.headers, json={"last_read_id": msg["id"], "last_read_at": "2026-01-11T00:00:00Z"}
        )
    ).json()
    assert body["updated"] == 1 and body["json_updated"] == 1
    assert body["unread_count"] == 1  # the legacy message of 12 January is after last_read_at
    again = (await client.post(path, headers=owner.headers, json={"last_read_at": "2026-01-11T00:00:00Z"})).json()
    assert again["json_updated"] == 0 and again["updated"] == 0
    later = (await client.post(path, headers=owner.headers, json={"last_read_at": "2026-02-01T00:00:00+01:00"})).json()
    assert later["json_updated"] == 1 and later["unread_count"] == 0
    await db_session.refresh(booking)
    stored = booking.messages
    assert stored[0]["is_read"] is True and stored[2]["is_read"] is True and stored[2]["unread"] is False
    assert stored[1]["is_read"] is False  # the owner's own message is never marked


async def test_read_up_to_rejects_bad_input(
    client: httpx.AsyncClient, services: Services, db_session: Any, owner: SignedIn, booking: Booking
) -> None:
    other = await booking_for(db_session, owner)
    elsewhere = await workshop_says(services, stored_id(other), "annen tråd")
    path = f"/api/co/messages/thread/{booking.id}/read-up-to"
    error = assert_structured(
        await client.post(path, headers=owner.headers, json={"last_read_id": elsewhere["id"]}), 400, "VALIDATION_ERROR"
    )
    assert error["fields"] == [{"field": "last_read_id", "reason": "not_in_thread"}]
    error = assert_structured(
        await client.post(path, headers=owner.headers, json={"last_read_at": "i går"}), 400, "VALIDATION_ERROR"
    )
    assert error["fields"] == [{"field": "last_read_at", "reason": "invalid"}]
    assert_structured(
        await client.post(path, headers=owner.headers, json={"last_read_id": "x"}), 400, "VALIDATION_ERROR"
    )
    no_thread = await client.post("/api/co/messages/mark-read", headers=owner.headers, json={"last_read_id": 1})
    assert assert_structured(no_thread, 400, "VALIDATION_ERROR")["fields"][0]["field"] == "thread_id"


@pytest.mark.parametrize("template", READ_UP_TO_PATHS)
async def test_read_up_to_foreign_booking_is_404(
    client: httpx.AsyncClient,
    services: Services,
    db_session: Any,
    owner: SignedIn,
    other_owner: SignedIn,
    template: str,
) -> None:
    theirs = await booking_for(db_session, other_owner)
    message = await workshop_says(services, stored_id(theirs), "privat")
    response = await client.post(
        template.format(id=theirs.id), headers=owner.headers, json={"last_read_id": message["id"]}
    )
    assert assert_structured(response, 404, "NOT_FOUND")["message"] == "Booking not found"
    via_body = await client.post(
        "/api/co/messages/mark-read", headers=owner.headers, json={"thread_id": str(theirs.id)}
    )
    assert_structured(via_body, 404, "NOT_FOUND")
    thread = (await client.get(f"/api/co/messages/{theirs.id}", headers=other_owner.headers)).json()
    assert thread["meta"]["unread_count"] == 1


# --- OPTIONS --------------------------------------------------------------------------------------------


OPTIONS_PATHS = {
    "/api/co/messages/inbox": "GET",
    "/api/co/messages/mark-read": "POST",
    "/api/co/messages/send": "POST",
    "/api/co/messages/thread/123": "GET",
    "/api/co/messages/thread/123/read-up-to": "POST",
    "/api/co/messages/123": "GET",
    "/api/co/messages/123/messages": "GET",
    "/api/co/messages/123/messages/read-up-to": "POST",
}


@pytest.mark.parametrize(("path", "method"), sorted(OPTIONS_PATHS.items()))
async def test_options_without_token(client: httpx.AsyncClient, path: str, method: str) -> None:
    response = await client.options(path)
    assert response.status_code == 200, response.text
    assert method in response.headers["allow"] and "OPTIONS" in response.headers["allow"]
    body = response.json()
    assert body["data"] == {} and set(body["meta"]) == {"request_id", "generated_at"}


async def test_options_preflight_from_allowed_origin(app_factory: Any) -> None:
    _, client = await app_factory(cors_origins=("https://platform.minbil.no",))
    for path, method in OPTIONS_PATHS.items():
        response = await client.options(
            path,
            headers={
                "Origin": "https://platform.minbil.no",
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert 200 <= response.status_code < 300, (path, response.text)
        assert response.headers["access-control-allow-origin"] == "https://platform.minbil.no"
    other = await client.options(
        "/api/co/messages/send", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in other.headers


async def test_messages_operations_appear_in_openapi(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/co/schema/openapi.json")).json()
    paths = spec["paths"]
    for path, method in OPTIONS_PATHS.items():
        template = path.removeprefix("/api/co").replace("123", "{booking_id}")
        assert {"options", method.lower()} <= set(paths["/api/co" + template]), template


async def test_legacy_json_workshop_messages_count_as_unread(
    client: httpx.AsyncClient, services: Services, db_session: Any, owner: SignedIn
) -> None:
    legacy = [
        {"from": "workshop", "text": "gammel", "created_at": "2026-01-10T10:00:00Z"},
        {"sender_type": "workshop", "text": "lest", "created_at": "2026-01-10T11:00:00Z", "is_read": True},
        {"sender_type": "carowner", "text": "mitt", "created_at": "2026-01-10T12:00:00Z"},
        "not an object",
    ]
    booking = await booking_for(db_session, owner, messages=legacy)
    await workshop_says(services, stored_id(booking), "ny")
    thread = (await client.get(f"/api/co/messages/{booking.id}", headers=owner.headers)).json()
    assert thread["meta"]["unread_count"] == 2
    inbox = (await client.get("/api/co/messages/inbox", headers=owner.headers)).json()
    assert inbox["data"][0]["unread_count"] == 2 and inbox["meta"]["unread_total"] == 2
    changed = await events_of(services, owner.owner_id, "unread.changed")
    assert changed[-1].payload["messages"] == 2
    read = (
        await client.post("/api/co/messages/mark-read", headers=owner.headers, json={"thread_id": str(booking.id)})
    ).json()
    assert read == {**read, "updated": 1, "json_updated": 1, "unread_count": 0}
    assert (await client.get("/api/co/messages/inbox", headers=owner.headers)).json()["meta"]["unread_total"] == 0
