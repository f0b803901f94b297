"""The inputs of the message mutations; each reads itself into the use case's command (`to_command`)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from app.domain.messages.attachments import AttachmentRef
from app.domain.messages.attachments import Upload as FileUpload
from app.domain.messages.commands import MarkThreadRead, SendMessage
from app.domain.messages.inputs import parse_mark_thread_read, parse_send_message
from graphql_api.attachments import AttachmentInput
from graphql_api.node import database_id_of


@strawberry.input(description="A message from the signed-in owner in one of their bookings' threads.")
class SendMessageInput:
    field_paths: ClassVar[dict[str, str]] = {"message": "text"}

    booking_id: relay.GlobalID = strawberry.field(
        description="The global id of the owner's booking whose thread to write in (`Booking.id` or `Thread.id`)."
    )
    text: str | None = strawberry.field(
        default=None,
        description="The message text, at most 5000 characters; may be left out when attachments or files are sent.",
    )
    client_message_id: str | None = strawberry.field(
        default=None,
        description="The sender's own id for this message (e.g. a UUID), at most 64 characters, unique per owner "
        "over all their threads. A send that repeats an id the owner already used creates nothing and answers the "
        "first message (even when the text or attachments differ); retry with the same id after a lost answer. "
        "Echoed as `Message.clientMessageId`, also on the `messageReceived` event.",
    )
    org_nr: str | None = strawberry.field(
        default=None, description="The workshop's organisation number, as a check: refused unless it is the booking's."
    )
    attachments: list[AttachmentInput] | None = strawberry.field(
        default=None, description="Files already stored (from an earlier message), to attach again. At most 5 files."
    )
    files: list[Upload] | None = strawberry.field(
        default=None,
        description="Files uploaded with this request (GraphQL multipart request): JPEG, PNG, WebP or PDF. "
        "At most 5 files in all.",
    )

    def to_command(self, files: list[FileUpload]) -> SendMessage:
        """`files` are the uploads of this input, read (reading them is the resolver's await)."""
        refs = [
            AttachmentRef(url=a.url, content_type=a.content_type, name=a.name, size=a.size)
            for a in self.attachments or []
        ]
        booking_id = (
            database_id_of(self.booking_id, "Thread", "input.bookingId")
            if self.booking_id.type_name == "Thread"
            else database_id_of(self.booking_id, "Booking", "input.bookingId")
        )
        return parse_send_message(
            thread_id=booking_id,
            text=self.text,
            org_nr=self.org_nr,
            uploads=files,
            refs=refs,
            client_message_id=self.client_message_id,
        )


@strawberry.input(description="Mark the workshop's messages in one of the owner's threads read.")
class MarkThreadReadInput:
    booking_id: relay.GlobalID = strawberry.field(
        description="The global id of the owner's booking (`Booking.id` or `Thread.id`)."
    )
    last_read_id: relay.GlobalID | None = strawberry.field(
        default=None,
        description="The global id of the last message read (`Message.id`): messages up to and including it "
        "become read. Without it and without `lastReadAt`, the whole thread.",
    )
    last_read_at: datetime | None = strawberry.field(
        default=None,
        description="Messages sent at or before this instant become read (also those of the older booking record).",
    )

    def to_command(self) -> MarkThreadRead:
        booking_id = (
            database_id_of(self.booking_id, "Thread", "input.bookingId")
            if self.booking_id.type_name == "Thread"
            else database_id_of(self.booking_id, "Booking", "input.bookingId")
        )
        last_read_id = (
            database_id_of(self.last_read_id, "Message", "input.lastReadId") if self.last_read_id is not None else None
        )
        return parse_mark_thread_read(booking_id, last_read_id=last_read_id, last_read_at=self.last_read_at)
