"""Messages and notifications over GraphQL: the same use cases as REST, with connections and payload unions."""

from __future__ import annotations

import json
from typing import Any

import httpx

from app.services import Services
from db.models import Booking
from graphql_api.node import global_id
from tests.conftest import SignedIn
from tests.factories import stored_id
from tests.graphql_client import graphql, graphql_data
from tests.messages.conftest import PDF_BYTES, PNG_BYTES, booking_for, events_of, workshop_says
from tests.statements import recorded

MESSAGE = (
    "id databaseId bookingId threadId senderType text clientMessageId isRead createdAt "
    "attachments { url contentType name size }"
)
INBOX = f"""
query Inbox($first: Int, $after: String, $last: Int, $before: String, $q: String) {{
  inbox(first: $first, after: $after, last: $last, before: $before, q: $q) {{
    totalCount unreadTotal
    pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
    edges {{ cursor node {{ id databaseId bookingId workshopName unreadCount totalMessages lastMessage {{ {MESSAGE} }}
      messages(first: 10) {{ totalCount nodes {{ id text }} }} }} }}
  }}
}}"""
THREAD = f"""
query Thread($bookingId: ID!, $first: Int, $after: String, $last: Int, $before: String) {{
  thread(bookingId: $bookingId) {{
    id databaseId unreadCount totalMessages workshopOrgNr
    messages(first: $first, after: $after, last: $last, before: $before) {{
      totalCount pageInfo {{ hasNextPage hasPreviousPage endCursor startCursor }}
      edges {{ cursor node {{ {MESSAGE} }} }}
    }}
  }}
}}"""
SEND = f"""
mutation Send($input: SendMessageInput!) {{
  sendMessage(input: $input) {{
    __typename
    ... on MessageSent {{ unreadCount replayed sentMessage {{ {MESSAGE} }} }}
    ... on UserError {{ message code }}
    ... on ValidationError {{ fields {{ field reason }} }}
  }}
}}"""
MARK_THREAD = """
mutation Read($input: MarkThreadReadInput!) {
  markThreadRead(input: $input) {
    __typename
    ... on ThreadRead { updated jsonUpdated unreadCount readAt }
    ... on UserError { message code }
    ... on ValidationError { fields { field reason } }
  }
}"""
NOTIFICATIONS = """
query Notes($filter: NotificationFilter, $first: Int, $after: String, $last: Int, $before: String) {
  notifications(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    totalCount unreadTotal pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
    nodes { id databaseId type title isRead createdAt readAt bookingIds threadId messageId workshopId }
  }
  unreadCounts { messages notifications total }
}"""
MARK_NOTES = """
mutation Mark($input: MarkNotificationsReadInput!) {
  markNotificationsRead(input: $input) {
    __typename
    ... on NotificationsMarked { updated messagesMarked }
    ... on ValidationError { fields { field reason } }
  }
}"""
MARK_ALL = """
mutation { markAllNotificationsRead { __typename ... on NotificationsMarked { updated messagesMarked } } }"""


def gid(type_name: str, key: Any) -> str:
    return str(global_id(type_name, key))


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
    assert [e["node"]["databaseId"] for e in inbox["edges"]] == [b.id]
    assert inbox["edges"][0]["node"]["id"] == gid("Thread", b.id) and inbox["edges"][0]["node"]["bookingId"] == gid(
        "Booking", b.id
    )
    assert inbox["edges"][0]["node"]["workshopName"] == "Beta Dekk"
    assert inbox["edges"][0]["node"]["lastMessage"]["text"] == "b0"
    assert inbox["pageInfo"]["hasNextPage"] is True
    rest = (await graphql_data(client, INBOX, {"first": 5, "after": inbox["pageInfo"]["endCursor"]}, owner))["inbox"]
    node = rest["edges"][0]["node"]
    assert node["id"] == gid("Thread", a.id) and node["unreadCount"] == 3 and node["totalMessages"] == 3
    assert [m["text"] for m in node["messages"]["nodes"]] == ["a0", "a1", "a2"]
    cursor = rest["edges"][0]["cursor"]
    assert rest["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": cursor,
        "endCursor": cursor,
    }

    page1 = (await graphql_data(client, THREAD, {"bookingId": gid("Booking", a.id), "first": 2}, owner))["thread"]
    assert page1["unreadCount"] == 3 and page1["workshopOrgNr"] == a.workshop_org_nr
    assert [e["node"]["text"] for e in page1["messages"]["edges"]] == ["a0", "a1"]
    assert page1["messages"]["pageInfo"]["hasNextPage"] is True
    page2 = (
        await graphql_data(
            client,
            THREAD,
            {"bookingId": gid("Thread", a.id), "first": 2, "after": page1["messages"]["pageInfo"]["endCursor"]},
            owner,
        )
    )["thread"]
    assert [e["node"]["text"] for e in page2["messages"]["edges"]] == ["a2"]
    assert page2["messages"]["pageInfo"]["hasNextPage"] is False
    assert page2["messages"]["edges"][0]["node"]["senderType"] == "WORKSHOP"
    # from the end: `last`, then `before` the first of those
    tail = (await graphql_data(client, THREAD, {"bookingId": gid("Booking", a.id), "last": 2}, owner))["thread"]
    assert [e["node"]["text"] for e in tail["messages"]["edges"]] == ["a1", "a2"]
    assert (
        tail["messages"]["pageInfo"]["hasPreviousPage"] is True and tail["messages"]["pageInfo"]["hasNextPage"] is False
    )
    start = tail["messages"]["pageInfo"]["startCursor"]
    head = await graphql_data(client, THREAD, {"bookingId": gid("Booking", a.id), "last": 5, "before": start}, owner)
    assert [e["node"]["text"] for e in head["thread"]["messages"]["edges"]] == ["a0"]
    last_inbox = (await graphql_data(client, INBOX, {"last": 1}, owner))["inbox"]
    assert [e["node"]["databaseId"] for e in last_inbox["edges"]] == [a.id]
    assert last_inbox["pageInfo"]["hasPreviousPage"] is True and last_inbox["pageInfo"]["hasNextPage"] is False
    before = last_inbox["pageInfo"]["startCursor"]
    earlier = (await graphql_data(client, INBOX, {"last": 5, "before": before}, owner))["inbox"]
    assert [e["node"]["databaseId"] for e in earlier["edges"]] == [b.id] and earlier["totalCount"] == 2


async def test_thread_and_nodes_of_another_owner_are_null(
    client: httpx.AsyncClient, services: Services, db_session: Any, owner: SignedIn, other_owner: SignedIn
) -> None:
    theirs = await booking_for(db_session, other_owner)
    message = await workshop_says(services, stored_id(theirs), "hemmelig")
    body = await graphql(client, THREAD, {"bookingId": gid("Booking", theirs.id), "first": 5}, owner)
    assert body == {"data": {"thread": None}}
    missing = await graphql(client, THREAD, {"bookingId": gid("Booking", 99999999), "first": 5}, owner)
    assert missing == {"data": {"thread": None}}
    nodes = """query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Message { text } ... on Thread { totalMessages }
      ... on Notification { title } } }"""
    ids = [gid("Message", message["id"]), gid("Thread", theirs.id)]
    notes = (await graphql_data(client, NOTIFICATIONS, {"first": 1}, other_owner))["notifications"]["nodes"]
    ids.append(notes[0]["id"])
    assert (await graphql_data(client, nodes, {"ids": ids}, owner))["nodes"] == [None, None, None]
    own = (await graphql_data(client, nodes, {"ids": ids}, other_owner))["nodes"]
    assert [n["__typename"] for n in own] == ["Message", "Thread", "Notification"]
    assert own[0]["text"] == "hemmelig" and own[1]["totalMessages"] == 1 and own[2]["id"] == ids[2]
    note = """query($id: ID!) { notification(id: $id) { id type } }"""
    assert (await graphql_data(client, note, {"id": ids[2]}, owner)) == {"notification": None}
    assert (await graphql_data(client, note, {"id": ids[2]}, other_owner))["notification"]["type"] == "MESSAGE_NEW"
    bad = await graphql(
        client, THREAD, {"bookingId": gid("Booking", theirs.id), "first": 5, "after": "nonsense"}, other_owner
    )
    assert bad["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    too_many = await graphql(client, THREAD, {"bookingId": gid("Booking", theirs.id), "first": 101}, other_owner)
    assert too_many["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
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
    bid = gid("Booking", booking.id)
    sent = (await graphql_data(client, SEND, {"input": {"bookingId": bid, "text": "Hei fra appen"}}, owner))[
        "sendMessage"
    ]
    assert sent["__typename"] == "MessageSent" and sent["replayed"] is False
    assert sent["sentMessage"]["text"] == "Hei fra appen" and sent["sentMessage"]["senderType"] == "CAROWNER"
    assert sent["sentMessage"]["threadId"] == gid("Thread", booking.id) and sent["unreadCount"] == 0
    assert sent["sentMessage"]["id"] == gid("Message", sent["sentMessage"]["databaseId"])
    created = await events_of(services, owner.owner_id, "message.created")
    assert created[-1].payload["id"] == sent["sentMessage"]["databaseId"]
    assert created[-1].payload["text"] == "Hei fra appen"
    empty = (await graphql_data(client, SEND, {"input": {"bookingId": bid, "text": " "}}, owner))["sendMessage"]
    assert empty["__typename"] == "ValidationError"
    assert empty["fields"] == [{"field": "input.text", "reason": "required"}]
    wrong_type = (await graphql_data(client, SEND, {"input": {"bookingId": gid("Message", 1), "text": "x"}}, owner))[
        "sendMessage"
    ]
    assert wrong_type["fields"] == [{"field": "input.bookingId", "reason": "invalid_id"}]
    theirs = await booking_for(db_session, other_owner)
    foreign = (
        await graphql_data(client, SEND, {"input": {"bookingId": gid("Booking", theirs.id), "text": "hei"}}, owner)
    )["sendMessage"]
    assert foreign == {"__typename": "NotFoundError", "message": "Booking not found", "code": "NOT_FOUND"}
    refs = {
        "bookingId": bid,
        "attachments": [{"url": "https://cdn.minbil.no/k.pdf", "contentType": "application/pdf", "name": "k.pdf"}],
    }
    with_ref = (await graphql_data(client, SEND, {"input": refs}, owner))["sendMessage"]
    assert with_ref["sentMessage"]["attachments"] == [
        {"url": "https://cdn.minbil.no/k.pdf", "contentType": "application/pdf", "name": "k.pdf", "size": None}
    ]


async def test_send_message_multipart_uploads(client: httpx.AsyncClient, owner: SignedIn, booking: Booking) -> None:
    operations: dict[str, Any] = {
        "query": SEND,
        "variables": {"input": {"bookingId": gid("Booking", booking.id), "text": "Se vedlegg", "files": [None, None]}},
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
    assert refused["fields"] == [{"field": "input.files[0]", "reason": "unsupported_type"}]


async def test_mark_thread_read(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, booking: Booking
) -> None:
    bid = gid("Booking", booking.id)
    first = await workshop_says(services, stored_id(booking), "en")
    await workshop_says(services, stored_id(booking), "to")
    read = (
        await graphql_data(
            client, MARK_THREAD, {"input": {"bookingId": bid, "lastReadId": gid("Message", first["id"])}}, owner
        )
    )["markThreadRead"]
    assert read["__typename"] == "ThreadRead"
    assert read["updated"] == 1 and read["jsonUpdated"] == 0 and read["unreadCount"] == 1 and read["readAt"]
    rest = (await graphql_data(client, MARK_THREAD, {"input": {"bookingId": bid}}, owner))["markThreadRead"]
    assert rest["updated"] == 1 and rest["unreadCount"] == 0
    missing = (await graphql_data(client, MARK_THREAD, {"input": {"bookingId": gid("Booking", 99999999)}}, owner))[
        "markThreadRead"
    ]
    assert missing["__typename"] == "NotFoundError"
    other = (
        await graphql_data(client, MARK_THREAD, {"input": {"bookingId": bid, "lastReadId": gid("Booking", 1)}}, owner)
    )["markThreadRead"]
    assert other["fields"] == [{"field": "input.lastReadId", "reason": "invalid_id"}]


async def test_notifications_queries_and_mutations(
    client: httpx.AsyncClient, services: Services, owner: SignedIn, other_owner: SignedIn, booking: Booking
) -> None:
    first = await workshop_says(services, stored_id(booking), "Hei")
    second = await workshop_says(services, stored_id(booking), "Hallo")
    data = await graphql_data(client, NOTIFICATIONS, {"first": 1}, owner)
    notes = data["notifications"]
    assert notes["totalCount"] == 2 and notes["unreadTotal"] == 2 and notes["pageInfo"]["hasNextPage"] is True
    newest = notes["nodes"][0]
    assert newest["type"] == "MESSAGE_NEW" and newest["bookingIds"] == [gid("Booking", booking.id)]
    assert newest["threadId"] == gid("Thread", booking.id) and newest["messageId"] == gid("Message", second["id"])
    assert newest["workshopId"] == gid("Workshop", booking.workshop_org_nr)
    assert newest["id"] == gid("Notification", newest["databaseId"])
    assert data["unreadCounts"] == {"messages": 2, "notifications": 2, "total": 4}
    older = (await graphql_data(client, NOTIFICATIONS, {"first": 5, "after": notes["pageInfo"]["endCursor"]}, owner))[
        "notifications"
    ]
    assert len(older["nodes"]) == 1 and older["nodes"][0]["messageId"] == gid("Message", first["id"])
    backwards = (await graphql_data(client, NOTIFICATIONS, {"last": 1}, owner))["notifications"]
    assert backwards["nodes"] == older["nodes"] and backwards["pageInfo"]["hasPreviousPage"] is True
    marked = (await graphql_data(client, MARK_NOTES, {"input": {"ids": [older["nodes"][0]["id"]]}}, owner))[
        "markNotificationsRead"
    ]
    assert marked == {"__typename": "NotificationsMarked", "updated": 1, "messagesMarked": 1}
    none_for_other = (await graphql_data(client, MARK_NOTES, {"input": {"ids": [newest["id"]]}}, other_owner))[
        "markNotificationsRead"
    ]
    assert none_for_other["updated"] == 0
    wrong = (await graphql_data(client, MARK_NOTES, {"input": {"ids": [newest["id"], gid("Message", 1)]}}, owner))[
        "markNotificationsRead"
    ]
    assert wrong == {"__typename": "ValidationError", "fields": [{"field": "input.ids[1]", "reason": "invalid_id"}]}
    everything = (await graphql_data(client, MARK_ALL, None, owner))["markAllNotificationsRead"]
    assert everything == {"__typename": "NotificationsMarked", "updated": 1, "messagesMarked": 1}
    after = await graphql_data(
        client, NOTIFICATIONS, {"first": 5, "filter": {"status": "ALL", "types": ["MESSAGE_NEW"]}}, owner
    )
    assert after["notifications"]["totalCount"] == 2 and after["notifications"]["unreadTotal"] == 0
    assert all(n["isRead"] for n in after["notifications"]["nodes"])
    assert after["unreadCounts"] == {"messages": 0, "notifications": 0, "total": 0}
    other_type = await graphql_data(
        client, NOTIFICATIONS, {"first": 5, "filter": {"status": "ALL", "types": ["BOOKING_ACCEPTED"]}}, owner
    )
    assert other_type["notifications"]["totalCount"] == 0
