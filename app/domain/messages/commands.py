"""The typed commands of the message use cases; the faces build them with `app.domain.messages.inputs`."""

from __future__ import annotations

from datetime import datetime

import msgspec

from app.domain.messages.attachments import AttachmentRef, Upload


class SendMessage(msgspec.Struct, frozen=True, kw_only=True):
    """The owner writes in a booking's thread. `text` is cleaned (may be empty when attachments are sent);
    `org_nr`, when sent, must name the booking's workshop. `client_message_id`, when sent, makes the send
    idempotent per owner: a send repeating an id the owner already used answers that first message."""

    booking_id: int
    text: str = ""
    org_nr: str | None = None
    uploads: list[Upload] = msgspec.field(default_factory=list)
    refs: list[AttachmentRef] = msgspec.field(default_factory=list)
    client_message_id: str | None = None


class MarkThreadRead(msgspec.Struct, frozen=True, kw_only=True):
    """Read the workshop's messages up to `last_read_id` and/or `last_read_at`; with neither, the whole thread."""

    booking_id: int
    last_read_id: int | None = None
    last_read_at: datetime | None = None
