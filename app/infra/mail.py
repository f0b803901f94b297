"""Outgoing mail: messages are written to the `email_outbox` table in the transaction that decides to
send them; a mailer delivers pending rows afterwards: SMTP when configured, otherwise a logging mailer in
development and test and a dropping one in production. No mailer logs a body with its links or tokens."""

from __future__ import annotations

import asyncio
import logging
import re
import smtplib
from email.message import EmailMessage

from app.domain.ports import Mailer
from app.settings import Settings

log = logging.getLogger("minbil.mail")


# a link, or a long run of token characters (a reset token, a JWT): mail bodies carry sign-in secrets
_LINK = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9_\-.~+/=]{20,}")


def redact(body: str) -> str:
    """The body as it may be logged: links and token-like words replaced."""
    return _TOKEN.sub("[redacted]", _LINK.sub("[link]", body))


class LoggingMailer:
    """Development and test without SMTP: each message is logged (links and tokens redacted) and the last
    100 are kept in `sent`, where tests and a debugger find them whole."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    async def send(self, to_address: str, subject: str, body: str) -> None:
        self.sent.append((to_address, subject, body))
        del self.sent[:-100]
        log.info("mail to %s: %s\n%s", to_address, subject, redact(body))


class DroppingMailer:
    """Production without SMTP: nothing is sent or kept; the log names the subject only (the start-up log
    already warned that mail is off)."""

    consequence = "MINBIL_SMTP_HOST is not set; outgoing mail (password resets, notifications) is dropped"

    async def send(self, to_address: str, subject: str, body: str) -> None:
        log.info("mail dropped (no SMTP configured): %s", subject)


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
    if settings.smtp_host:
        return SmtpMailer(settings)
    return DroppingMailer() if settings.production else LoggingMailer()
