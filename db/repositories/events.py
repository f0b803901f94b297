"""SQL of the event outbox: the wake-up notification, the relay's claim/sequence/mark steps, replay for
subscriptions, unread counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

# one relay at a time per database assigns `seq` and publishes (session-level advisory lock)
RELAY_LOCK_KEY = 0x6D696E62696C01
EVENTS_CHANNEL = "minbil_events"  # PostgreSQL LISTEN/NOTIFY channel of the outbox relay

_EVENT_COLUMNS = "id, owner_id, event_type, payload, created_at, seq"


async def notify_relays(session: AsyncSession) -> None:
    """Wake the relays of every instance; PostgreSQL delivers the notification when the transaction commits."""
    await (await session.connection()).execute(text(f"NOTIFY {EVENTS_CHANNEL}"))


async def try_relay_lock(conn: AsyncConnection) -> bool:
    return bool((await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": RELAY_LOCK_KEY})).scalar())


async def relay_unlock(conn: AsyncConnection) -> None:
    await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": RELAY_LOCK_KEY})


async def claim_pending(conn: AsyncConnection, limit: int) -> list[Any]:
    """Committed, unpublished events: those already sequenced (a failed publication) first, in order."""
    result = await conn.execute(
        text(
            f"SELECT {_EVENT_COLUMNS}, traceparent FROM domain_events WHERE published_at IS NULL "
            "ORDER BY seq NULLS LAST, id LIMIT :limit FOR UPDATE SKIP LOCKED"
        ),
        {"limit": limit},
    )
    return list(result.all())


async def max_seq(conn: AsyncConnection) -> int:
    return int((await conn.execute(text("SELECT coalesce(max(seq), 0) FROM domain_events"))).scalar() or 0)


async def assign_seq(conn: AsyncConnection, ids: Sequence[int], seqs: Sequence[int]) -> None:
    await conn.execute(
        text(
            "UPDATE domain_events AS e SET seq = v.seq FROM unnest(CAST(:ids AS bigint[]), CAST(:seqs AS bigint[])) "
            "AS v(id, seq) WHERE e.id = v.id"
        ),
        {"ids": list(ids), "seqs": list(seqs)},
    )


async def mark_published(conn: AsyncConnection, ids: Sequence[int]) -> None:
    await conn.execute(
        text("UPDATE domain_events SET published_at = now() WHERE id = ANY(CAST(:ids AS bigint[]))"), {"ids": list(ids)}
    )


async def oldest_unpublished_age_s(conn: AsyncConnection) -> float:
    """Seconds since the oldest unpublished event was written, 0 when none waits (one probe of the partial
    index of unpublished rows: the smallest id was written first)."""
    value = (
        await conn.execute(
            text(
                "SELECT extract(epoch FROM clock_timestamp() - created_at) FROM domain_events "
                "WHERE published_at IS NULL ORDER BY id LIMIT 1"
            )
        )
    ).scalar()
    return max(0.0, float(value)) if value is not None else 0.0


async def events_after(
    session: AsyncSession, owner_id: int, after_seq: int, types: Sequence[str] | None, limit: int = 1000
) -> list[Any]:
    """An owner's sequenced events with seq > after_seq, in publication order."""
    type_filter = "AND event_type = ANY(CAST(:types AS text[])) " if types else ""
    params: dict[str, Any] = {"owner": owner_id, "after": after_seq, "limit": limit}
    if types:
        params["types"] = list(types)
    result = await session.connection()
    rows = await result.execute(
        text(
            f"SELECT {_EVENT_COLUMNS} FROM domain_events WHERE owner_id = :owner AND seq > :after {type_filter}"
            "ORDER BY seq LIMIT :limit"
        ),
        params,
    )
    return list(rows.all())


async def owner_max_seq(session: AsyncSession, owner_id: int) -> int:
    conn = await session.connection()
    value = (
        await conn.execute(text("SELECT coalesce(max(seq), 0) FROM domain_events WHERE owner_id = :o"), {"o": owner_id})
    ).scalar()
    return int(value or 0)


async def unread_counts(session: AsyncSession, owner_id: int) -> tuple[int, int]:
    """(unread workshop -> owner messages, unread notifications) of an owner, in one statement."""
    conn = await session.connection()
    row = (
        await conn.execute(
            text(
                "SELECT (SELECT count(*) FROM messages WHERE owner_id = :o AND sender_type = 'workshop' AND NOT is_read), "
                "(SELECT count(*) FROM notifications WHERE owner_id = :o AND NOT is_read)"
            ),
            {"o": owner_id},
        )
    ).one()
    return int(row[0]), int(row[1])


async def mark_queued(conn: AsyncConnection, ids: Sequence[int]) -> None:
    await conn.execute(
        text("UPDATE domain_events SET queued_at = now() WHERE id = ANY(CAST(:ids AS bigint[]))"), {"ids": list(ids)}
    )


async def take_queued(session: AsyncSession, owner_id: int, limit: int = 1000) -> list[Any]:
    """An owner's queued events, locked, in publication order."""
    conn = await session.connection()
    rows = await conn.execute(
        text(
            f"SELECT {_EVENT_COLUMNS} FROM domain_events WHERE owner_id = :o AND queued_at IS NOT NULL "
            "ORDER BY seq LIMIT :limit FOR UPDATE SKIP LOCKED"
        ),
        {"o": owner_id, "limit": limit},
    )
    return list(rows.all())


async def clear_queued(session: AsyncSession, ids: Sequence[int]) -> None:
    conn = await session.connection()
    await conn.execute(
        text("UPDATE domain_events SET queued_at = NULL WHERE id = ANY(CAST(:ids AS bigint[]))"), {"ids": list(ids)}
    )
