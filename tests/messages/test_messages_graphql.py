"""Messages and notifications over GraphQL: the same use cases as REST, with connections and payload unions."""

from __future__ import annotations

import json
from typing import Any

import httpx

from app.services import Services
from db.models import Booking
from tests.conftest import SignedIn
from tests.factories import stored_id
from tests.graphql_client import graphql, graphql_data
from tests.messages.conftest import PDF_BYTES, PNG_BYTES, booking_for, events_of, workshop_says
from tests.statements import recorded

MESSAGE = "id bookingId threadId senderType messageText isRead createdAt attachments { url contentType name size }"
INBOX = f"""
query Inbox($first: Int!, $after: String, $q: String) {{
  inbox(first: $first, after: $after, q: $q) {{
    totalCount unreadTotal
    pageInfo {{ hasNextPage hasPreviousPage endCursor }}
    edges {{ cursor node {{ id bookingId workshopName unreadCount totalMessages lastMessage {{ {MESSAGE} }}
      messages(first: 10) {{ totalCount nodes {{ id messageText }} }} }} }}
  }}
}}"""
THREAD = f"""
query Thread($bookingId: Int!, $first: Int!, $after: String) {{
  thread(bookingId: $bookingId) {{
    id unreadCount totalMessages workshopOrgNr
    messages(first: $first, after: $after) {{
      totalCount pageInfo {{ hasNextPage hasPreviousPage endCursor }}
      edges {{ cursor node {{ {MESSAGE} }} }}
    }}
  }}
}}"""
SEND = f"""
mutation Send($input: SendMessageInput!) {{
  sendMessage(input: $input) {{
    __typename
    ... on MessageSent {{ unreadCount sentMessage {{ {MESSAGE} }} }}
    ... on UserError {{ message code }}
    ... on ValidationError {{ fields {{ field reason }} }}
  }}
}}"""
MARK_THREAD = """
mutation Read($bookingId: Int!, $lastReadId: Int, $lastReadAt: DateTime) {
  markThreadRead(bookingId: $bookingId, lastReadId: $lastReadId, lastReadAt: $lastReadAt) {
    __typename
    ... on ThreadRead { updated jsonUpdated unreadCount readAt }
    ... on UserError { message code }
  }
}"""
NOTIFICATIONS = """
query Notes($filter: NotificationFilter, $first: Int!, $after: String) {
  notifications(filter: $filter, first: $first, after: $after) {
    totalCount unreadTotal pageInfo { hasNextPage endCursor }
    nodes { id type title isRead data createdAt readAt }
  }
  unreadCounts { messages notifications total }
}"""
MARK_NOTES = """
mutation Mark($ids: [Int!]!) {
  markNotificationsRead(ids: $ids) { __typename ... on NotificationsMarked { updated messagesMarked } }
}"""
MARK_ALL = """
mutation { markAllNotificationsRead { __typename ... on NotificationsMarked { updated messagesMarked } } }"""


async def test_inbox_and_thread_connections(
    client: httpx.AsyncClient, services: Services, db_session: Any, owner: SignedIn
) -> None:
    a = await booking_for(db_session, owner, workshop_name="Alfa Bil")
    b = await booking_for(db_session, owner, workshop_name="Beta Dekk")
    for i in range(3):
        await workshop_says(services, stored_id(a), f"a{i}")
    await workshop_says(services, stored_id(b), "b0")
    inbox = (await graphql_data(client, INBOX, {"first": 1}, owner))["inbox"]
    assert inbox["totalCount"] == 2 and inbox["unreadTotal"] == 4
    assert [e["node"]["bookingId"] for e in inbox["edges"]] == [b.id]
    assert inbox["edges"][0]["node"]["workshopName"] == "Beta Dekk"
    assert inbox["edges"][0]["node"]["lastMessage"]["messageText"] == "b0"
    assert inbox["pageInfo"]["hasNextPage"] is True
    rest = (await graphql_data(client, INBOX, {"first": 5, "after": inbox["pageInfo"]["endCursor"]}, owner))["inbox"]
    node = rest["edges"][0]["node"]
    assert node["id"] == str(a.id) and node["unreadCount"] == 3 and node["totalMessages"] == 3
    assert [m["messageText"] for m in node["messages"]["nodes"]] == ["a0", "a1", "a2"]
    assert rest["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": True, "endCursor": rest["edges"][0]["cursor"]}

    page1 = (await graphql_data(client, THREAD, {"bookingId": a.id, "first": 2}, owner))["thread"]
    assert page1["unreadCount"] == 3 and page1["workshopOrgNr"] == a.workshop_org_nr
    assert [e["node"]["messageText"] for e in page1["messages"]["edges"]] == ["a0", "a1"]
    assert page1["messages"]["pageInfo"]["hasNextPage"] is True
    page2 = (
        await graphql_data(
            client, THREAD, {"bookingId": a.id, "first": 2, "after": page1["messages"]["pageInfo"]["endCursor"]}, owner
        )
    )["thread"]
    assert [e["node"]["messageText"] for e in page2["messages"]["edges"]] == ["a2"]
    assert page2["messages"]["pageInfo"]["hasNextPage"] is False
    assert page2["messages"]["edges"][0]["node"]["senderType"] == "workshop"


async def test_thread_of_another_owner_is_not_found(
    client: httpx.AsyncClient, db_session: Any, owner: SignedIn, other_owner: SignedIn
) -> None:
    theirs = await booking_for(db_session, other_owner)
    body = await graphql(client, THREAD, {"bookingId": theirs.id, "first": 5}, owner)
    assert body["data"] is None
    assert body["errors"][0]["message"] == "Booking not found"
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    bad = await graphql(client, THREAD, {"bookingId": theirs.id, "first": 5, "after": "nonsense"}, other_owner)
    assert bad["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    anonymous = await graphql(client, INBOX, {"first": 5})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"


async def test_inbox_statement_count_does_not_grow(
    client: httpx.AsyncClient, services: Services, db_session: Any, owner: SignedIn
) -> None:
    counts = []
    for threads in (2, 8):
        while True:
            existing = (await graphql_data(client, INBOX, {"first": 50}, owner))["inbox"]["totalCount"]
            if existing >= threads:
                break
            booking = await booking_for(db_session, owner)
            await workshop_says(services, stored_id(booking), "hei")
            await workshop_says(services, stored_id(booking), "igjen")
        # background work (the event relay) shares the engine
        with recorded(services, lambda statement: "messages" in statement) as seen:
            inbox = (await graphql_data(client, INBOX, {"first": 50}, owner))["inbox"]
        assert len(inbox["edges"]) == threads
        assert all(e["node"]["messages"]["totalCount"] == 2 for e in inbox["edges"])
        counts.append(len(seen))
    assert counts[0] == counts[1] == 3  # the inbox, the unread total, one batch of thread messages


async def test_send_message_text_and_errors(
    client: httpx.AsyncClient,
    services: Services,
    db_session: Any,
    owner: SignedIn,
    other_owner: SignedIn,
    booking: Booking,
) -> None:
    sent = (await graphql_data(client, SEND, {"input": {"bookingId": booking.id, "message": "Hei fra appen"}}, owner))[
        "sendMessage"
    ]
    assert sent["__typename"] == "MessageSent"
    assert sent["sentMessage"]["messageText"] == "Hei fra appen" and sent["sentMessage"]["senderType"] == "carowner"
    assert sent["sentMessage"]["threadId"] == str(booking.id) and sent["unreadCount"] == 0
    created = await events_of(services, owner.owner_id, "message.created")
    assert created[-1].payload["id"] == sent["sentMessage"]["id"] and created[-1].payload["text"] == "Hei fra appen"
    empty = (await graphql_data(client, SEND, {"input": {"bookingId": booking.id, "message": " "}}, owner))[
        "sendMessage"
    ]
    assert empty["__typename"] == "ValidationError" and empty["fields"] == [{"field": "message", "reason": "required"}]
    theirs = await booking_for(db_session, other_owner)
    foreign = (await graphql_data(client, SEND, {"input": {"bookingId": theirs.id, "message": "hei"}}, owner))[
        "sendMessage"
    ]
    assert foreign == {"__typename": "NotFoundError", "message": "Booking not found", "code": "NOT_FOUND"}
    refs = {
        "bookingId": booking.id,
        "attachments": [{"url": "https://cdn.minbil.no/k.pdf", "contentType": "application/pdf", "name": "k.pdf"}],
    }
    with_ref = (await graphql_data(client, SEND, {"input": refs}, owner))["sendMessage"]
    assert with_ref["sentMessage"]["attachments"] == [
        {"url": "https://cdn.minbil.no/k.pdf", "contentType": "application/pdf", "name": "k.pdf", "size": None}
    ]


async def test_send_message_multipart_uploads(client: httpx.AsyncClient, owner: SignedIn, booking: Booking) -> None:
    operations: dict[str, Any] = {
        "query": SEND,
        "variables": {"input": {"bookingId": booking.id, "message": "Se vedlegg", "files": [None, None]}},
    }
    mapping = {"0": ["variables.input.files.0"], "1": ["variables.input.files.1"]}
    response = await client.post(
        "/graphql",
        headers=owner.headers,
        data={"operations": json.dumps(operations), "map": json.dumps(mapping)},
        files={"0": ("skade.png", PNG_BYTES, "image/png"), "1": ("tilbud.pdf", PDF_BYTES, "application/pdf")},
    )
    assert response.status_code == 200, response.text
    sent = response.json()["data"]["sendMessage"]
    assert sent["__typename"] == "MessageSent", sent
    assert [(a["contentType"], a["name"]) for a in sent["sentMessage"]["attachments"]] == [
        ("image/png", "skade.png"),
        ("application/pdf", "tilbud.pdf"),
    ]
    operations["variables"]["input"]["files"] = [None]
    fake = await client.post(
        "/graphql",
        headers=owner.headers,
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.files.0"]})},
        files={"0": ("bilde.png", b"plain text, not a picture", "image/png")},
    )
    refused = fake.json()["data"]["sendMessage"]
    assert refused["__typename"] == "ValidationError"
    assert refused["fields"] == [{"field": "files[0]", "reason": "unsupported_type"}]


async def test_mark_thread_read(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    first = await workshop_says(services, stored_id(booking), "en")
    await workshop_says(services, stored_id(booking), "to")
    read = (await graphql_data(client, MARK_THREAD, {"bookingId": booking.id, "lastReadId": first["id"]}, owner))[
        "markThreadRead"
    ]
    assert read["__typename"] == "ThreadRead"
    assert read["updated"] == 1 and read["jsonUpdated"] == 0 and read["unreadCount"] == 1 and read["readAt"]
    rest = (await graphql_data(client, MARK_THREAD, {"bookingId": booking.id}, owner))["markThreadRead"]
    assert rest["updated"] == 1 and rest["unreadCount"] == 0
    missing = (await graphql_data(client, MARK_THREAD, {"bookingId": 99999999}, owner))["markThreadRead"]
    assert missing["__typename"] == "NotFoundError"


async def test_notifications_queries_and_mutations(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, other_owner: SignedIn, booking: Booking
) -> None:
    await workshop_says(services, stored_id(booking), "Hei")
    await workshop_says(services, stored_id(booking), "Hallo")
    data = await graphql_data(client, NOTIFICATIONS, {"first": 1}, owner)
    notes = data["notifications"]
    assert notes["totalCount"] == 2 and notes["unreadTotal"] == 2 and notes["pageInfo"]["hasNextPage"] is True
    assert notes["nodes"][0]["type"] == "message.new" and notes["nodes"][0]["data"]["booking_id"] == booking.id
    assert data["unreadCounts"] == {"messages": 2, "notifications": 2, "total": 4}
    older = (await graphql_data(client, NOTIFICATIONS, {"first": 5, "after": notes["pageInfo"]["endCursor"]}, owner))[
        "notifications"
    ]
    assert len(older["nodes"]) == 1
    marked = (await graphql_data(client, MARK_NOTES, {"ids": [older["nodes"][0]["id"]]}, owner))[
        "markNotificationsRead"
    ]
    assert marked == {"__typename": "NotificationsMarked", "updated": 1, "messagesMarked": 1}
    none_for_other = (await graphql_data(client, MARK_NOTES, {"ids": [notes["nodes"][0]["id"]]}, other_owner))[
        "markNotificationsRead"
    ]
    assert none_for_other["updated"] == 0
    everything = (await graphql_data(client, MARK_ALL, None, owner))["markAllNotificationsRead"]
    assert everything == {"__typename": "NotificationsMarked", "updated": 1, "messagesMarked": 1}
    after = await graphql_data(
        client, NOTIFICATIONS, {"first": 5, "filter": {"status": "ALL", "types": ["message"]}}, owner
    )
    assert after["notifications"]["totalCount"] == 2 and after["notifications"]["unreadTotal"] == 0
    assert all(n["isRead"] for n in after["notifications"]["nodes"])
    assert after["unreadCounts"] == {"messages": 0, "notifications": 0, "total": 0}
