"""What the owner hears about a booking: a notification (Norwegian text) and the realtime `booking.updated`."""

from __future__ import annotations

from typing import Any

from app.domain.bookings import views
from app.domain.bookings.commands import Attachment
from app.domain.bookings.times import local_text
from app.domain.events.envelope import BOOKING_UPDATED, MESSAGE_CREATED
from app.domain.messages.results import OWNER, MessageView, message_fields, thread_message
from app.domain.messages.results import message_item as thread_item
from app.domain.notifications.publish import notify
from app.domain.uow import UnitOfWork
from db.models import Booking, Message
from db.repositories import bookings as repo


async def emit_updated(uow: UnitOfWork, rows: list[Booking]) -> None:
    """One `booking.updated` event per changed line (status or time)."""
    names = await repo.status_names(uow.session)
    for row in rows:
        uow.emit(row.owner_id, BOOKING_UPDATED, views.realtime_payload(row, names.get(row.status, row.status)))


async def announce_update(
    uow: UnitOfWork, rows: list[Booking], *, title: str, body: str, extra: dict[str, Any] | None = None
) -> None:
    """A change of lines outside their status flow: a `booking.updated` event per line, one notification."""
    await emit_updated(uow, rows)
    await tell_owner(uow, "booking.updated", rows, title=title, body=body, extra=extra)


def _when(rows: list[Booking]) -> str:
    return local_text(min(r.service_start_time for r in rows)) or ""


def _titles(rows: list[Booking]) -> str:
    titles = [r.service_title for r in rows]
    return titles[0] if len(titles) == 1 else f"{titles[0]} (+{len(titles) - 1})"


TEXTS: dict[str, tuple[str, str]] = {
    "booking.requested": ("Bestilling sendt", "Bestillingen av {what} hos {workshop} {when} er sendt til verkstedet."),
    "booking.accepted": ("Bestilling bekreftet", "{workshop} har bekreftet {what} {when}."),
    "booking.declined": ("Bestilling avslått", "{workshop} kunne dessverre ikke ta imot {what} {when}."),
    "booking.completed": ("Service fullført", "{what} hos {workshop} er fullført."),
    "rating.reminder": ("Hvordan gikk det?", "Gi {workshop} en vurdering av {what}."),
}


async def tell_owner(
    uow: UnitOfWork,
    event: str,
    rows: list[Booking],
    *,
    title: str | None = None,
    body: str | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    if not rows:
        return
    first = rows[0]
    workshops = await repo.workshops_by_org(uow.session, [first.workshop_org_nr])
    workshop = workshops.get(first.workshop_org_nr)
    fill = {
        "what": _titles(rows),
        "workshop": workshop.name if workshop else first.workshop_org_nr,
        "when": _when(rows),
    }
    default_title, default_body = TEXTS.get(
        event, ("Bestilling oppdatert", "Bestillingen av {what} hos {workshop} er oppdatert.")
    )
    data = {
        "group_id": first.group_id,
        "booking_ids": [r.id for r in rows],
        "workshop_org_nr": first.workshop_org_nr,
        "status": first.status,
        **(extra or {}),
    }
    await notify(
        uow,
        owner_id=first.owner_id,
        event=event,
        title=title or default_title,
        body=(body or default_body).format(**fill),
        data=data,
    )


async def owner_message(uow: UnitOfWork, row: Booking, text: str | None, files: list[Attachment]) -> Message:
    """The owner's message (sent with a booking or a change) in the booking's thread, with `message.created`."""
    attachments = [{"url": f} if isinstance(f, str) else f for f in files]
    message = await repo.add_message(uow.session, thread_message(row, OWNER, text or "", attachments))
    uow.emit(row.owner_id, MESSAGE_CREATED, thread_item(MessageView.from_row(message)))
    return message


def message_item(m: Message) -> dict[str, Any]:
    """The item the service log lists (its timestamp as stored, not the thread's millisecond form)."""
    return {**message_fields(MessageView.from_row(m)), "created_at": m.created_at.isoformat() if m.created_at else None}
