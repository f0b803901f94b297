"""Delivery of the mail outbox: rows written by use cases are sent after their transaction commits."""

from __future__ import annotations

import logging
from typing import Protocol

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from app.domain.ports import Mailer
from app.values import utc_now
from db.repositories import auth as repo


class MailServices(Protocol):
    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]: ...
    @property
    def mailer(self) -> Mailer: ...


log = logging.getLogger(__name__)


async def deliver_pending_mail(services: MailServices) -> int:
    """Send what is pending; a failure is recorded on the row and retried on the next call (max 5 tries)."""
    sent = 0
    async with services.sessionmaker() as session:
        for row in await repo.pending_mail(session):
            try:
                await services.mailer.send(row.to_address, row.subject, row.body)
            except Exception as exc:
                row.attempts += 1
                row.last_error = str(exc)[:500]
                log.warning("mail %s to %s failed: %s", row.id, row.to_address, exc)
            else:
                row.attempts += 1
                row.sent_at = utc_now()
                sent += 1
            session.add(row)
        await session.commit()
    return sent
