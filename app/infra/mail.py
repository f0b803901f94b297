"""Outgoing mail: messages are written to the `email_outbox` table in the transaction that decides to
send them; a mailer delivers pending rows afterwards (a logging mailer by default, SMTP when configured)."""

from __future__ import annotations

import asyncio
import logging
import smtplib
from email.message import EmailMessage
from typing import Protocol

from app.settings import Settings

log = logging.getLogger("minbil.mail")


class Mailer(Protocol):
    async def send(self, to_address: str, subject: str, body: str) -> None: ...


class LoggingMailer:
    """Writes each message to the log (development and embedded mode) and keeps the last ones."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    async def send(self, to_address: str, subject: str, body: str) -> None:
        self.sent.append((to_address, subject, body))
        del self.sent[:-100]
        log.info("mail to %s: %s\n%s", to_address, subject, body)


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, to_address: str, subject: str, body: str) -> None:
        await asyncio.to_thread(self._send_sync, to_address, subject, body)

    def _send_sync(self, to_address: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.settings.mail_from
        message["To"] = to_address
        message["Subject"] = subject
        message.set_content(body)
        assert self.settings.smtp_host
        with smtplib.SMTP(self.settings.smtp_host, self.settings.smtp_port, timeout=10) as smtp:
            if self.settings.smtp_user:
                smtp.starttls()
                smtp.login(self.settings.smtp_user, self.settings.smtp_password or "")
            smtp.send_message(message)


def build_mailer(settings: Settings) -> Mailer:
    return SmtpMailer(settings) if settings.smtp_host else LoggingMailer()
