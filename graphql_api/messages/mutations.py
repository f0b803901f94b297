"""The message mutations: `sendMessage` (text, stored attachments and multipart uploads), `markThreadRead`."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from app.domain.messages import service as messages
from app.domain.messages.attachments import Upload as FileUpload
from app.mapping import same_named
from graphql_api.messages.inputs import MarkThreadReadInput, SendMessageInput
from graphql_api.messages.payloads import MarkThreadReadPayload, MessageSent, SendMessagePayload, ThreadRead
from graphql_api.messages.types import Message
from graphql_api.mutations import owner_command
from graphql_api.node import Ctx


async def _file(upload: Any, index: int) -> FileUpload:
    data = await upload.read() if hasattr(upload, "read") else bytes(upload)
    if isinstance(data, str):
        data = data.encode()
    return FileUpload(
        filename=str(getattr(upload, "filename", "") or f"file-{index}"),
        data=bytes(data),
        content_type=getattr(upload, "content_type", None),
    )


@strawberry.type
class MessagesMutation:
    @strawberry.mutation(
        description="Send a message in one of the owner's booking threads: text, stored attachments and/or uploads "
        "(multipart request). Idempotent with `clientMessageId`: a repeat answers the first message."
    )
    async def send_message(
        self, info: Ctx, input: Annotated[SendMessageInput, strawberry.argument(description="The message.")]
    ) -> SendMessagePayload:
        files = [await _file(f, i) for i, f in enumerate(input.files or [])]
        # the helpers are typed with every error member; the field's own union is checked when they run
        return await owner_command(
            info,
            messages.send_owner_message,
            lambda: input.to_command(files),
            lambda result: MessageSent(
                sent_message=Message.of(result.message), replayed=result.replayed, unread_count=result.unread_count
            ),
        )

    @strawberry.mutation(
        description="Mark the workshop's messages in a thread read, up to `lastReadId` and/or `lastReadAt` (the "
        "whole thread with neither). The owner's own messages are never touched; repeating it changes nothing."
    )
    async def mark_thread_read(
        self, info: Ctx, input: Annotated[MarkThreadReadInput, strawberry.argument(description="What to mark read.")]
    ) -> MarkThreadReadPayload:
        return await owner_command(
            info, messages.read_up_to, input.to_command, lambda result: same_named(ThreadRead, result)
        )
