"""Creating a notification: the row (the in-app list), a realtime event when push is on, and a mail in
the outbox when email is on; all in the caller's transaction. The owner's unread counters change with
every new notification, so `notify` also records an `unread.changed` event."""

from __future__ import annotations

from typing import Any

from app.domain.account.notification_settings import channel_enabled
from app.domain.events.envelope import NOTIFICATION_CREATED
from app.domain.mail import deliver_pending_mail
from app.domain.messages.results import timestamp
from app.domain.messages.unread import emit_unread_changed
from app.domain.uow import UnitOfWork
from db.models import CarOwner, EmailOutbox, Notification
from db.repositories import notifications as repo

# the realtime event types written to the outbox (`domain_events.event_type`)


def notification_item(n: Notification) -> dict[str, Any]:
    """The documented NotificationItem fields (also the payload of `notification.created`)."""
    return {
        "id": n.id,
        "type": n.type,
        "title": n.title,
        "body": n.body,
        "data": n.data,
        "is_read": n.is_read,
        "created_at": timestamp(n.created_at),
        "read_at": timestamp(n.read_at),
    }


async def notify(
    uow: UnitOfWork,
    *,
    owner_id: int,
    event: str,
    title: str,
    body: str,
    data: dict[str, Any] | None = None,
    announce_unread: bool = True,
) -> Notification:
    """Record a notification of `event` (one of the settings' events) for `owner_id`.

    `announce_unread=False` leaves out the `unread.changed` event, for callers that record one themselves
    afterwards.
    """
    notification = await repo.add(
        uow.session, Notification(owner_id=owner_id, type=event, title=title[:200], body=body, data=data or {})
    )
    if await channel_enabled(uow.session, owner_id, event, "push"):
        uow.emit(owner_id, NOTIFICATION_CREATED, notification_item(notification))
    if await channel_enabled(uow.session, owner_id, event, "email"):
        owner = await uow.session.get(CarOwner, owner_id)
        if owner is not None:
            uow.session.add(EmailOutbox(to_address=owner.email, subject=title[:255], body=body, template=event))
            services = uow.services
            uow.after_commit(lambda: deliver_pending_mail(services))
    if announce_unread:
        await emit_unread_changed(uow, owner_id)
    return notification
