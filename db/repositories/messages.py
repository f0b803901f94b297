"""SQL for booking threads: messages, their read state, the inbox and the unread counters.

A thread is one booking (`thread_id` = the booking id as a string). "Unread" always means a message
the workshop sent to the owner (`sender_type = 'workshop'`) that the owner has not read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy
from sqlalchemy import ColumnElement, Subquery, and_, func, or_, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Booking, Message, Workshop
from db.repositories._core import add_row, counted_page, run

WORKSHOP = "workshop"
_UNREAD = and_(col(Message.sender_type) == WORKSHOP, col(Message.is_read).is_(False))


async def owner_booking(session: AsyncSession, booking_id: int, owner_id: int) -> Booking | None:
    """The booking when it belongs to `owner_id`; None for a missing booking and for another owner's."""
    stmt = select(Booking).where(Booking.id == booking_id, Booking.owner_id == owner_id)
    return (await session.exec(stmt)).first()


async def booking(session: AsyncSession, booking_id: int, *, lock: bool = False) -> Booking | None:
    stmt = select(Booking).where(Booking.id == booking_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def add_message(session: AsyncSession, message: Message) -> Message:
    return await add_row(session, message, reread=True)


# the unique partial index `ux_messages_owner_client_message_id`
_CLIENT_ID_WHERE = text("client_message_id IS NOT NULL")


async def add_message_once(session: AsyncSession, message: Message) -> Message | None:
    """Insert a message that carries a `client_message_id`; None when the owner already has a message with
    that id. A concurrent insert of the same id waits here for the other transaction and then yields to it
    (ON CONFLICT DO NOTHING), so concurrent retries create one row."""
    values = message.model_dump(exclude={"id", "is_read", "read_at", "created_at"})
    stmt = (
        pg_insert(Message)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["owner_id", "client_message_id"], index_where=_CLIENT_ID_WHERE)
        .returning(Message)
    )
    return (await run(session, select(Message).from_statement(stmt))).scalars().first()


async def owner_message_by_client_id(session: AsyncSession, owner_id: int, client_message_id: str) -> Message | None:
    """The owner's message sent with `client_message_id` (at most one: the unique index)."""
    stmt = select(Message).where(Message.owner_id == owner_id, Message.client_message_id == client_message_id)
    return (await session.exec(stmt)).first()


async def owner_messages(session: AsyncSession, owner_id: int, ids: Sequence[int]) -> dict[int, Message]:
    """The owner's messages among `ids` (other owners' ids are left out); one statement."""
    if not ids:
        return {}
    stmt = select(Message).where(Message.owner_id == owner_id, col(Message.id).in_(list(ids)))
    return {m.id or 0: m for m in (await session.exec(stmt)).all()}


async def thread_page(session: AsyncSession, booking_id: int, offset: int, limit: int) -> tuple[list[Message], int]:
    """One page of a thread, oldest first, and the thread's message count."""
    return await counted_page(
        session,
        Message,
        [col(Message.booking_id) == booking_id],
        [col(Message.created_at).asc(), col(Message.id).asc()],
        offset=offset,
        limit=limit,
    )


# Workshop messages of the legacy JSON thread kept on `bookings.messages` that the owner has not read: an
# object whose sender (`sender_type`, else `sender_role`, else `from`, else `sender`) is "workshop", and that is
# not read (`is_read` truthy, else `unread` falsy; neither key: unread). `{b}` is the bookings alias.
LEGACY_UNREAD = """(
    SELECT count(*) FROM jsonb_array_elements(
        CASE WHEN jsonb_typeof({b}.messages) = 'array' THEN {b}.messages ELSE '[]'::jsonb END) AS e
    WHERE jsonb_typeof(e) = 'object'
      AND lower(coalesce(nullif(e->>'sender_type', ''), nullif(e->>'sender_role', ''), nullif(e->>'from', ''),
                         nullif(e->>'sender', ''), '')) = 'workshop'
      AND CASE WHEN e ? 'is_read' THEN e->'is_read' IN ('false', 'null', '0', '""')
               WHEN e ? 'unread' THEN e->'unread' NOT IN ('false', 'null', '0', '""')
               ELSE true END
)"""

_THREAD_UNREAD_SQL = text(
    "SELECT (SELECT count(*) FROM messages m WHERE m.booking_id = :booking_id AND m.sender_type = 'workshop' "
    "AND NOT m.is_read) + coalesce((SELECT "
    + LEGACY_UNREAD.format(b="b")
    + " FROM bookings b WHERE b.id = :booking_id), 0)"
)
_OWNER_UNREAD_SQL = text(
    "SELECT (SELECT count(*) FROM messages m WHERE m.owner_id = :owner_id AND m.sender_type = 'workshop' "
    "AND NOT m.is_read) + coalesce((SELECT sum(" + LEGACY_UNREAD.format(b="b") + ") FROM bookings b "
    "WHERE b.owner_id = :owner_id AND b.messages <> '[]'::jsonb), 0)"
)
_UNREAD_BY_BOOKING_SQL = text(
    "SELECT b.id, (SELECT count(*) FROM messages m WHERE m.booking_id = b.id AND m.sender_type = 'workshop' "
    "AND NOT m.is_read) + " + LEGACY_UNREAD.format(b="b") + " AS unread FROM bookings b WHERE b.id = ANY(:ids)"
)


async def thread_unread(session: AsyncSession, booking_id: int) -> int:
    """Unread workshop messages of one thread: message rows plus the legacy JSON thread on the booking."""
    return int((await run(session, _THREAD_UNREAD_SQL, {"booking_id": booking_id})).scalar_one())


async def owner_unread(session: AsyncSession, owner_id: int) -> int:
    """Unread workshop messages over all the owner's threads (message rows plus legacy JSON threads)."""
    return int((await run(session, _OWNER_UNREAD_SQL, {"owner_id": owner_id})).scalar_one())


async def unread_by_booking(session: AsyncSession, booking_ids: Sequence[int]) -> dict[int, int]:
    if not booking_ids:
        return {}
    rows = (await run(session, _UNREAD_BY_BOOKING_SQL, {"ids": list(booking_ids)})).all()
    return {int(r[0]): int(r[1]) for r in rows}


def _numbered(
    booking_ids: Sequence[int], *order_by: ColumnElement[Any], also: Sequence[ColumnElement[Any]] = ()
) -> Subquery:
    """Message ids of the bookings, numbered `rn` within each thread in `order_by` order, and the `also` columns."""
    number = func.row_number().over(partition_by=col(Message.booking_id), order_by=order_by).label("rn")
    return (
        sqlalchemy.select(col(Message.id), number, *also)
        .where(col(Message.booking_id).in_(list(booking_ids)))
        .subquery()
    )


async def messages_by_booking(
    session: AsyncSession, booking_ids: Sequence[int], per_booking: int
) -> dict[int, list[Message]]:
    """The latest `per_booking` messages of each booking, returned oldest first; one statement."""
    if not booking_ids:
        return {}
    ranked = _numbered(booking_ids, col(Message.created_at).desc(), col(Message.id).desc())
    stmt = (
        select(Message)
        .join(ranked, ranked.c.id == Message.id)
        .where(ranked.c.rn <= per_booking)
        .order_by(col(Message.booking_id), col(Message.created_at).asc(), col(Message.id).asc())
    )
    out: dict[int, list[Message]] = {int(b): [] for b in booking_ids}
    for message in (await session.exec(stmt)).all():
        out.setdefault(message.booking_id, []).append(message)
    return out


def _up_to_message(message_id: int, booking_id: int) -> ColumnElement[bool]:
    """Messages of the booking at or before `message_id` in thread order (created_at, id)."""
    created = (
        select(Message.created_at).where(Message.id == message_id, Message.booking_id == booking_id).scalar_subquery()
    )
    return or_(
        col(Message.created_at) < created, and_(col(Message.created_at) == created, col(Message.id) <= message_id)
    )


async def mark_read_up_to(session: AsyncSession, booking_id: int, last_read_id: int | None, now: datetime) -> int:
    """Workshop messages of the booking up to and including `last_read_id` (all when None) become read.

    "Up to" follows the thread order (created_at, id), so an id names a position in the thread.
    """
    stmt = update(Message).where(col(Message.booking_id) == booking_id, _UNREAD)
    if last_read_id is not None:
        stmt = stmt.where(_up_to_message(last_read_id, booking_id))
    result = await session.exec(stmt.values(is_read=True, read_at=now))
    return int(result.rowcount or 0)


async def mark_read_before(session: AsyncSession, booking_id: int, up_to: datetime | None, now: datetime) -> int:
    """Workshop messages of the booking created at or before `up_to` (all when None) become read."""
    stmt = update(Message).where(col(Message.booking_id) == booking_id, _UNREAD)
    if up_to is not None:
        stmt = stmt.where(col(Message.created_at) <= up_to)
    result = await session.exec(stmt.values(is_read=True, read_at=now))
    return int(result.rowcount or 0)


async def mark_owner_messages_read(
    session: AsyncSession, owner_id: int, targets: list[tuple[int, int | None]], now: datetime
) -> int:
    """For (booking_id, message_id) pairs of the owner: read up to the message (the whole thread when None)."""
    total = 0
    for booking_id, message_id in targets:
        stmt = update(Message).where(col(Message.owner_id) == owner_id, col(Message.booking_id) == booking_id, _UNREAD)
        if message_id is not None:
            stmt = stmt.where(_up_to_message(message_id, booking_id))
        result = await session.exec(stmt.values(is_read=True, read_at=now))
        total += int(result.rowcount or 0)
    return total


async def message_in_booking(session: AsyncSession, message_id: int, booking_id: int) -> bool:
    stmt = select(Message.id).where(Message.id == message_id, Message.booking_id == booking_id)
    return (await session.exec(stmt)).first() is not None


async def thread_read_at(session: AsyncSession, booking_id: int) -> datetime | None:
    stmt = select(func.max(Message.read_at)).where(Message.booking_id == booking_id)
    return (await session.exec(stmt)).one()


async def set_booking_json_messages(session: AsyncSession, booking_id: int, messages: list[Any]) -> None:
    stmt = update(Booking).where(col(Booking.id) == booking_id).values(messages=messages)
    await session.exec(stmt)


async def workshop_name(session: AsyncSession, org_nr: str) -> str | None:
    return (await session.exec(select(Workshop.name).where(Workshop.org_nr == org_nr))).first()


_INBOX_SQL = text(
    """
    WITH stats AS (
        SELECT m.booking_id,
               count(*) AS total_messages,
               count(*) FILTER (WHERE m.sender_type = 'workshop' AND NOT m.is_read) AS unread_count,
               max(m.created_at) AS updated_at,
               max(m.read_at) AS read_at
        FROM messages m
        WHERE m.owner_id = :owner_id
        GROUP BY m.booking_id
    ),
    last AS (
        SELECT DISTINCT ON (m.booking_id) m.*
        FROM messages m
        WHERE m.owner_id = :owner_id
        ORDER BY m.booking_id, m.created_at DESC, m.id DESC
    )
    SELECT s.booking_id, s.total_messages, s.unread_count + {legacy} AS unread_count, s.updated_at, s.read_at,
           b.workshop_org_nr, w.name AS workshop_name,
           l.id AS m_id, l.sender_type AS m_sender_type, l.message_text AS m_text, l.attachments AS m_attachments,
           l.is_read AS m_is_read, l.read_at AS m_read_at, l.created_at AS m_created_at,
           l.workshop_org_nr AS m_org_nr, l.client_message_id AS m_client_message_id,
           count(*) OVER () AS total_threads
    FROM stats s
    JOIN last l ON l.booking_id = s.booking_id
    JOIN bookings b ON b.id = s.booking_id
    LEFT JOIN workshops w ON w.org_nr = b.workshop_org_nr
    WHERE CAST(:q AS text) IS NULL OR l.message_text ILIKE '%' || CAST(:q AS text) || '%'
    ORDER BY s.updated_at DESC, s.booking_id DESC
    LIMIT :limit OFFSET :offset
    """.replace("{legacy}", LEGACY_UNREAD.format(b="b"))
)

_INBOX_COUNT_SQL = text(
    """
    SELECT count(*) FROM (
        SELECT DISTINCT ON (m.booking_id) m.message_text
        FROM messages m
        WHERE m.owner_id = :owner_id
        ORDER BY m.booking_id, m.created_at DESC, m.id DESC
    ) l
    WHERE CAST(:q AS text) IS NULL OR l.message_text ILIKE '%' || CAST(:q AS text) || '%'
    """
)


def escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def inbox(
    session: AsyncSession, owner_id: int, q: str | None, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """The owner's threads by last activity (newest first), each with its last message; and the total."""
    params = {"owner_id": owner_id, "q": escape_like(q) if q else None, "limit": limit, "offset": offset}
    rows = [dict(r._mapping) for r in (await run(session, _INBOX_SQL, params)).all()]
    if rows:
        return rows, int(rows[0]["total_threads"])
    if offset == 0 and limit > 0:
        return [], 0
    total = (await run(session, _INBOX_COUNT_SQL, {"owner_id": owner_id, "q": params["q"]})).scalar_one()
    return [], int(total)


async def thread_pages(
    session: AsyncSession, booking_ids: Sequence[int], offset: int, limit: int
) -> dict[int, tuple[list[Message], int]]:
    """The same window (oldest first) of several threads, with each thread's message count; one statement."""
    if not booking_ids:
        return {}
    ranked = _numbered(
        booking_ids,
        col(Message.created_at).asc(),
        col(Message.id).asc(),
        also=[func.count().over(partition_by=col(Message.booking_id)).label("total")],
    )
    stmt = (
        select(Message, ranked.c.total, ranked.c.rn)
        .join(ranked, ranked.c.id == Message.id)
        .where(ranked.c.rn > offset, ranked.c.rn <= offset + limit)
        .order_by(col(Message.booking_id), ranked.c.rn)
    )
    out: dict[int, tuple[list[Message], int]] = {int(b): ([], 0) for b in booking_ids}
    totals_needed = set(out)
    for message, total, _rn in (await session.exec(stmt)).all():
        rows, _ = out[message.booking_id]
        rows.append(message)
        out[message.booking_id] = (rows, int(total))
        totals_needed.discard(message.booking_id)
    if totals_needed:  # windows past the end still report the thread's size
        counts = (
            select(Message.booking_id, func.count())
            .where(col(Message.booking_id).in_(list(totals_needed)))
            .group_by(col(Message.booking_id))
        )
        for booking_id, count in (await session.exec(counts)).all():
            out[int(booking_id)] = ([], int(count))
    return out


_THREADS_SQL = text(
    """
    SELECT b.id AS booking_id, b.workshop_org_nr, b.created_at AS booking_created_at, w.name AS workshop_name,
           s.total_messages, s.unread_count + {legacy} AS unread_count, s.updated_at, s.read_at,
           l.id AS m_id, l.sender_type AS m_sender_type, l.message_text AS m_text, l.attachments AS m_attachments,
           l.is_read AS m_is_read, l.read_at AS m_read_at, l.created_at AS m_created_at,
           l.workshop_org_nr AS m_org_nr, l.client_message_id AS m_client_message_id
    FROM bookings b
    LEFT JOIN workshops w ON w.org_nr = b.workshop_org_nr
    CROSS JOIN LATERAL (
        SELECT count(*) AS total_messages,
               count(*) FILTER (WHERE m.sender_type = 'workshop' AND NOT m.is_read) AS unread_count,
               max(m.created_at) AS updated_at,
               max(m.read_at) AS read_at
        FROM messages m WHERE m.booking_id = b.id
    ) s
    LEFT JOIN LATERAL (
        SELECT * FROM messages m WHERE m.booking_id = b.id ORDER BY m.created_at DESC, m.id DESC LIMIT 1
    ) l ON true
    WHERE b.owner_id = :owner_id AND b.id = ANY(:ids)
    """.replace("{legacy}", LEGACY_UNREAD.format(b="b"))
)


async def owner_threads(session: AsyncSession, owner_id: int, booking_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The threads of the owner's bookings among `booking_ids` (also those without messages), each with its
    counters and last message (`m_*`, null without one); other owners' bookings are left out. One statement."""
    if not booking_ids:
        return []
    params = {"owner_id": owner_id, "ids": list(booking_ids)}
    return [dict(r._mapping) for r in (await run(session, _THREADS_SQL, params)).all()]
